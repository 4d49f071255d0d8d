/**
 * Reads a JSON request body with a byte limit, without a body-parser dependency.
 *
 * A declared Content-Length over the limit is refused before reading; a chunked body is
 * counted as it arrives and refused the moment it passes the limit (413 PAYLOAD_TOO_LARGE).
 * Anything that is not JSON, not valid JSON, or nested deeper than {@link MAX_DEPTH}, is a
 * 400 INVALID_ARGUMENT.
 */
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../chaincode/json-depth';

/** Parses the request body as JSON; an empty body is `undefined`. */
export async function readJson(ctx: Context, limitBytes: number): Promise<unknown> {
  return (await readJsonText(ctx, limitBytes))?.value;
}

/**
 * Parses the request body as JSON, and gives the text it was parsed from beside the value (so a
 * caller can pass on or keep what it received without encoding the value again); an empty body
 * is `undefined`. The same limits and errors as {@link readJson}.
 */
export async function readJsonText(ctx: Context, limitBytes: number): Promise<{ value: unknown; text: string } | undefined> {
  const type = ctx.get('content-type');
  const text = await readText(ctx, limitBytes);
  if (text === undefined) return undefined;
  if (type && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new ZfcError('INVALID_ARGUMENT', 'the body must be JSON (Content-Type: application/json)', { field: '/', contentType: type.slice(0, 100) });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new ZfcError('INVALID_ARGUMENT', 'the body is not valid JSON', { field: '/' });
  }
  if (nestedDeeperThan(value, MAX_DEPTH)) {
    throw new ZfcError('INVALID_ARGUMENT', `the body is nested more than ${MAX_DEPTH} levels deep`, { field: '/', limit: MAX_DEPTH });
  }
  return { value, text };
}

/**
 * The request body as UTF-8 text, under the same byte limit (413 PAYLOAD_TOO_LARGE past it,
 * declared or counted); an empty body is `undefined`. For readers of other media types (the
 * EPCIS XML binding); JSON bodies go through {@link readJsonText}.
 */
export async function readText(ctx: Context, limitBytes: number): Promise<string | undefined> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limitBytes) throw tooLarge(limitBytes);
  const raw = await readRaw(ctx, limitBytes);
  return raw.length === 0 ? undefined : raw.toString('utf8');
}

/** The deepest nesting a body may have (chaincode/json-depth.ts says why there is a limit). */
export const MAX_DEPTH = MAX_JSON_DEPTH;

function tooLarge(limit: number): ZfcError {
  return new ZfcError('PAYLOAD_TOO_LARGE', `the body is larger than ${limit} bytes`, { limit });
}

function readRaw(ctx: Context, limit: number): Promise<Buffer> {
  const req = ctx.req;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | undefined): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (err: Error): void => finish(new ZfcError('INVALID_ARGUMENT', 'the request body could not be read', { reason: err.message.slice(0, 100) }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
