/**
 * Rate limiting of public routes (no API key): a token bucket per client address, in memory.
 * A client may burst up to `burst` requests, then `perMinute` a minute; beyond that it gets
 * 429 RATE_LIMITED with Retry-After. The table forgets idle clients so it cannot grow without
 * bound under a flood of spoofed addresses.
 */
import type { Context, Middleware } from 'koa';
import { ZfcError } from '../chaincode/errors';

/** Rate-limit settings. */
export interface RateLimitOptions {
  readonly perMinute: number;
  readonly burst: number;
  /** Take the client address from X-Forwarded-For. */
  readonly trustProxy: boolean;
  /** The clock, for tests. */
  readonly now?: () => number;
}

const MAX_CLIENTS = 50_000;

/** A middleware that limits each client address. */
export function rateLimit(options: RateLimitOptions): Middleware {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const now = options.now ?? Date.now;
  const perMs = options.perMinute / 60_000;
  return async (ctx, next) => {
    const client = clientAddress(ctx, options.trustProxy);
    const t = now();
    let b = buckets.get(client);
    if (!b) {
      if (buckets.size >= MAX_CLIENTS) prune(buckets, t, options.burst / perMs);
      b = { tokens: options.burst, at: t };
      buckets.set(client, b);
    }
    b.tokens = Math.min(options.burst, b.tokens + (t - b.at) * perMs);
    b.at = t;
    if (b.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
      throw new ZfcError('RATE_LIMITED', 'too many requests from this address', { retryAfterSeconds });
    }
    b.tokens -= 1;
    await next();
  };
}

function clientAddress(ctx: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const first = ctx.get('x-forwarded-for').split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return ctx.req.socket.remoteAddress ?? 'unknown';
}

function prune(buckets: Map<string, { tokens: number; at: number }>, t: number, fullAfterMs: number): void {
  for (const [k, b] of buckets) if (t - b.at > fullAfterMs) buckets.delete(k);
  if (buckets.size >= MAX_CLIENTS) buckets.clear();
}
