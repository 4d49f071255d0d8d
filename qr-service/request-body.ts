/**
 * Reading a JSON request body with a size cap and a nesting cap, for the one POST route of this
 * part. The gateway may already have parsed the body (a body-parser middleware sets
 * `ctx.request.body`); then that is used, after the same nesting check.
 */
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../chaincode/json-depth';

/**
 * The request's JSON body; PAYLOAD_TOO_LARGE above `limit` bytes, INVALID_ARGUMENT if not JSON
 * or nested deeper than {@link MAX_JSON_DEPTH}.
 */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  const parsed = (ctx.request as { body?: unknown }).body;
  return notTooDeep(parsed !== undefined ? parsed : await readBody(ctx, limit));
}

function notTooDeep(value: unknown): unknown {
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new ZfcError('INVALID_ARGUMENT', `the body is nested more than ${MAX_JSON_DEPTH} levels deep`, { field: 'body', limit: MAX_JSON_DEPTH });
  }
  return value;
}

async function readBody(ctx: Context, limit: number): Promise<unknown> {
  if (!ctx.is('application/json')) throw new ZfcError('INVALID_ARGUMENT', 'the body must be application/json', { field: 'content-type', value: ctx.get('content-type') });
  const declared = Number(ctx.get('content-length') || '0');
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
    throw new ZfcError('INVALID_ARGUMENT', 'the body is not valid JSON', { field: 'body', value: '' });
  }
}
