/**
 * The HTTP details every EPCIS route shares: a bounded JSON (or JSON-LD) body reader, the
 * capture routes' reader of either binding (JSON or XML), and the standard's version headers on
 * each answer.
 */
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { EPCIS_HEADERS } from './epcis-query';
import { problemOf } from './epcis-problems';
import { epcisDocumentFromXml, epcisEventFromXml, isXmlMediaType } from './epcis-xml';
import { problemXml } from './epcis-xml-write';
import { readJsonText, readText } from './json-body';

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
  if (!ctx.is(JSON_TYPES)) throw unsupported(ctx, 'application/json or application/ld+json');
  return present(await readJsonText(ctx, limit));
}

/**
 * A capture's body in either binding: JSON or JSON-LD as {@link readJsonBodyText} reads it, or
 * the XML binding (application/xml, text/xml; epcis-xml.ts) read into the JSON binding, whose
 * `text` is then that JSON (what is submitted and kept; the XML itself is not). `what` says
 * whether a document or a single event is wanted.
 */
export async function readEpcisBody(ctx: Context, limit: number, what: 'document' | 'event'): Promise<{ value: unknown; text: string }> {
  if (ctx.is(JSON_TYPES)) return present(await readJsonText(ctx, limit));
  if (!isXmlMediaType(ctx.get('content-type'))) throw unsupported(ctx, 'application/json, application/ld+json or application/xml');
  const text = present(await readText(ctx, limit));
  const value = what === 'document' ? epcisDocumentFromXml(text) : epcisEventFromXml(text);
  return { value, text: JSON.stringify(value) };
}

function unsupported(ctx: Context, types: string): ZfcError {
  return new ZfcError('UNSUPPORTED_MEDIA_TYPE', `the body must be ${types}`, { contentType: ctx.get('content-type').slice(0, 200) });
}

/** A body that is there, or the refusal of an empty one. */
function present<T>(body: T | undefined): T {
  if (body === undefined) throw new ZfcError('INVALID_ARGUMENT', 'the body is empty', { errors: [{ path: '', message: 'is required' }] });
  return body;
}

/** Sets the standard's version headers on an answer. */
export function setHeaders(ctx: Context): void {
  for (const [k, v] of Object.entries(EPCIS_HEADERS)) ctx.set(k, v);
}

/**
 * Makes a request's answer an EPCIS one, whatever it turns out to be: the standard's version
 * headers, and refusals as RFC 7807 problems of its exception types (error-middleware.ts reads
 * `ctx.state.problem`), in XML to a reader that prefers it (`ctx.state.problemXml`). Set before
 * anything can refuse the request.
 */
export function answerAsEpcis(ctx: Context): void {
  ctx.state['problem'] = problemOf;
  ctx.state['problemXml'] = problemXml;
  setHeaders(ctx);
}

/** The versions spoken here, read once from {@link EPCIS_HEADERS}. */
const SPOKEN = {
  EPCIS: versionOf('spoken', EPCIS_HEADERS['GS1-EPCIS-Version'] as string),
  CBV: versionOf('spoken', EPCIS_HEADERS['GS1-CBV-Version'] as string),
};

/** A version as [major, minor, patch]; the patch undefined when not given. */
function versionOf(header: string, text: string): [number, number, number | undefined] {
  const m = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) throw new ZfcError('INVALID_ARGUMENT', `the ${header} header must be a version such as 2.0.0`, { errors: [{ path: `/headers/${header}`, message: 'must be a version such as 2.0.0' }] });
  return [Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3])];
}

/**
 * Refuses a request that asks for a version of EPCIS or the CBV other than the one spoken here
 * (EPCIS_HEADERS' `GS1-{EPCIS,CBV}-Version`; EPCIS 2.0 §12.2: `GS1-EPCIS-Version`, or a
 * `GS1-EPCIS-Min` / `-Max` range that leaves it out, and the same for the CBV): 406
 * NOT_ACCEPTABLE, naming the header; a malformed version is a 400. A version given without its
 * patch number means any patch of it.
 */
export function assertVersionSpoken(ctx: { get(name: string): string }): void {
  for (const standard of ['EPCIS', 'CBV'] as const) {
    const spokenText = EPCIS_HEADERS[`GS1-${standard}-Version`] as string;
    const spoken = SPOKEN[standard];
    for (const kind of ['Version', 'Min', 'Max'] as const) {
      const header = `GS1-${standard}-${kind}`;
      const given = ctx.get(header);
      if (!given) continue;
      const [major, minor, patch] = versionOf(header, given);
      const c = spoken[0] - major || spoken[1] - minor || (patch === undefined ? 0 : (spoken[2] ?? 0) - patch);
      if ((kind === 'Version' && c !== 0) || (kind === 'Min' && c < 0) || (kind === 'Max' && c > 0)) {
        throw new ZfcError('NOT_ACCEPTABLE', `this repository speaks ${standard} ${spokenText} only, which ${header}: ${given.trim().slice(0, 20)} leaves out`, { header, value: given.trim().slice(0, 20), spoken: spokenText });
      }
    }
  }
}
