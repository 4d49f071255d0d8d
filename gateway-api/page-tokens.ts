/**
 * Page tokens the gateway issues for every paged EPCIS list: events (epcis-projection.ts), the
 * identifiers of the top-level resources (/epcis/epcs, /bizSteps, …), capture jobs and named
 * queries. A token is its position in the list and when it expires (`x`, epoch seconds), sealed
 * with AES-256-GCM under the gateway's key, so that a reader can neither alter a token (its
 * expiry included) nor read from it more than its pages told (a position counts entries the
 * reader may not see: other participants' capture jobs, identifiers named only in events the
 * reader may not read). The expiry is what the answer's `GS1-Next-Page-Token-Expires` says (the
 * REST binding's header of every paged answer); past it the token is refused, 400, with the
 * time it expired.
 *
 * Each list puts its own field in the payload and checks for it, so a token of one list is not
 * taken by another. Tokens written before they were sealed (each list's plain form) are not
 * this module's: {@link PageTokens.open} answers undefined for them and the list reads them as
 * it always did.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';

/** How long a page token may be used: a reader paging through a large answer has a day. */
export const PAGE_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** The longest a page token may be made to live: its expiry must stay a date that can be written. */
const MAX_PAGE_TOKEN_LIFETIME_MS = 3650 * PAGE_TOKEN_LIFETIME_MS;

/** The first byte of a sealed page token (no list's plain form begins with it). */
const SEALED = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A page's next token, and when it expires (RFC 3339, UTC, whole seconds). */
export interface SealedToken {
  readonly nextPageToken: string;
  readonly nextPageTokenExpires: string;
}

/** The error for a token this server did not issue (or issued for another list); `list` names the one it was given to. */
export function forgedToken(list?: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `nextPageToken is not a page token this server issued${list ? ` for ${list}` : ''}`, { errors: [{ path: '/query/nextPageToken', message: 'is not a page token this server issued' }] });
}

function expiredToken(expired: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `nextPageToken expired at ${expired} (GS1-Next-Page-Token-Expires): ask for the first page again`, { errors: [{ path: '/query/nextPageToken', message: `expired at ${expired}` }], expired });
}

/** Epoch seconds as RFC 3339 in UTC, whole seconds. */
function expiryText(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Seals and opens page tokens under one key, each living `lifetimeMs` from its page. */
export class PageTokens {
  constructor(private readonly key: Buffer, private readonly lifetimeMs: number = PAGE_TOKEN_LIFETIME_MS, private readonly clock: () => Date = () => new Date()) {
    if (key.length !== 32) throw new TypeError('a page token key is 32 bytes');
    if (!Number.isSafeInteger(lifetimeMs) || lifetimeMs < 1000 || lifetimeMs > MAX_PAGE_TOKEN_LIFETIME_MS) throw new TypeError('a page token lives a whole number of milliseconds, from a second to ten years');
  }

  /** Page tokens under a fresh key: they are refused after a restart (and by any other instance). */
  static ephemeral(lifetimeMs?: number, clock?: () => Date): PageTokens {
    return new PageTokens(randomBytes(32), lifetimeMs, clock);
  }

  /** A token of `position` (a list's own fields; `x` is the expiry's), and when it expires. */
  seal(position: object): SealedToken {
    const x = Math.floor((this.clock().getTime() + this.lifetimeMs) / 1000);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify({ ...position, x }), 'utf8'), cipher.final()]);
    const nextPageToken = Buffer.concat([Buffer.from([SEALED]), iv, cipher.getAuthTag(), sealed]).toString('base64url');
    return { nextPageToken, nextPageTokenExpires: expiryText(x) };
  }

  /**
   * The position a sealed token holds (the object it was sealed from, without `x`); undefined
   * for a token that is not sealed (a list's earlier plain form). A sealed token without an
   * expiry (sealed before tokens expired) is taken as it is.
   *
   * @throws ZfcError INVALID_ARGUMENT for a token altered or sealed under another key, or expired (`details.expired`).
   */
  open(token: string): Record<string, unknown> | undefined {
    const bytes = Buffer.from(token, 'base64url');
    if (bytes[0] !== SEALED) return undefined;
    if (bytes.length <= 1 + IV_BYTES + TAG_BYTES) throw forgedToken();
    let text: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(1, 1 + IV_BYTES));
      decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      text = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw forgedToken(); // altered, or sealed under another key
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw forgedToken();
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw forgedToken();
    const { x, ...position } = v as Record<string, unknown>;
    if (x !== undefined) {
      // sealed with the token, so never altered: past it, the token is refused
      if (!Number.isSafeInteger(x)) throw forgedToken();
      if (this.clock().getTime() >= (x as number) * 1000) throw expiredToken(expiryText(x as number));
    }
    return position;
  }
}

/** Sets a page's `Link` to its next page and, when that token expires, `GS1-Next-Page-Token-Expires`. */
export function linkNextPage(ctx: Context, nextLink: (ctx: Context, token: string) => string, next: { nextPageToken: string; nextPageTokenExpires?: string | undefined }): void {
  if (!next.nextPageToken) return;
  ctx.set('Link', nextLink(ctx, next.nextPageToken));
  if (next.nextPageTokenExpires !== undefined) ctx.set('GS1-Next-Page-Token-Expires', next.nextPageTokenExpires);
}
