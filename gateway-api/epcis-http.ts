/**
 * The HTTP details every EPCIS route shares: a bounded JSON (or JSON-LD) body reader and the
 * standard's version headers on each answer.
 */
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { EPCIS_HEADERS } from './epcis-query';

const JSON_TYPES = ['application/json', 'application/ld+json'];

/** Reads a JSON body of at most `limit` bytes (PAYLOAD_TOO_LARGE beyond; INVALID_ARGUMENT if not JSON). */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  if (!ctx.is(JSON_TYPES)) throw new ZfcError('INVALID_ARGUMENT', 'the body must be application/json or application/ld+json', { contentType: ctx.get('content-type') });
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new ZfcError('PAYLOAD_TOO_LARGE', `the body is larger than ${limit} bytes`, { limit });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ZfcError('PAYLOAD_TOO_LARGE', `the body is larger than ${limit} bytes`, { limit });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ZfcError('INVALID_ARGUMENT', 'the body is not valid JSON', { errors: [{ path: '', message: 'is not valid JSON' }] });
  }
}

/** Sets the standard's version headers on an answer. */
export function setHeaders(ctx: Context): void {
  for (const [k, v] of Object.entries(EPCIS_HEADERS)) ctx.set(k, v);
}

