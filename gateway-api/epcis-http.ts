/**
 * The HTTP details every EPCIS route shares: a bounded JSON (or JSON-LD) body reader and the
 * standard's version headers on each answer.
 */
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { EPCIS_HEADERS } from './epcis-query';
import { readJsonText } from './json-body';

const JSON_TYPES = ['application/json', 'application/ld+json'];

/**
 * Reads a JSON or JSON-LD body of at most `limit` bytes through the gateway's one body reader
 * (json-body.ts: PAYLOAD_TOO_LARGE beyond the limit, INVALID_ARGUMENT if not JSON or too deep);
 * the EPCIS routes also insist on a JSON media type and a body.
 */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  return (await readJsonBodyText(ctx, limit)).value;
}

/** {@link readJsonBody}, with the body's text beside its value (the text the value was parsed from). */
export async function readJsonBodyText(ctx: Context, limit: number): Promise<{ value: unknown; text: string }> {
  if (!ctx.is(JSON_TYPES)) throw new ZfcError('INVALID_ARGUMENT', 'the body must be application/json or application/ld+json', { contentType: ctx.get('content-type') });
  const body = await readJsonText(ctx, limit);
  if (body === undefined) throw new ZfcError('INVALID_ARGUMENT', 'the body is empty', { errors: [{ path: '', message: 'is required' }] });
  return body;
}

/** Sets the standard's version headers on an answer. */
export function setHeaders(ctx: Context): void {
  for (const [k, v] of Object.entries(EPCIS_HEADERS)) ctx.set(k, v);
}

