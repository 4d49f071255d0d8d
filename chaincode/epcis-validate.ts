/**
 * Validation of EPCIS 2.0 documents and events against the project's schema (epcis-schema.ts),
 * used by the capture contract and by the gateway alike.
 *
 * Two stages. First hard limits, checked by one iterative walk before any schema runs, so a
 * hostile document (too many events, extensions nested thousands deep, megabyte strings) fails
 * fast with one clear error instead of exhausting the stack or the CPU. Then the schema, compiled
 * once. Every error names the field it is about as a JSON pointer (RFC 6901) into the input:
 * `ZfcError('INVALID_ARGUMENT', …, { errors: [{ path: '/epcisBody/eventList/3/action', message }] })`.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ZfcError } from './errors';
import { EPCIS_FORMATS } from './epcis-formats';
import { EPCIS_QUERY_PLAN_SCHEMA, type EpcisQueryPlan } from './epcis-match';
import {
  EPCIS_EVENT_TYPES,
  EPCIS_SCHEMAS,
  EPCIS_SCHEMA_IDS,
  MAX_EVENTS_PER_DOCUMENT,
} from './epcis-schema';

/** Limits applied before the schema; exported so callers and tests can quote them. */
export const EPCIS_LIMITS = Object.freeze({
  /** Events in one document. A document with exactly this many is accepted. */
  maxEvents: MAX_EVENTS_PER_DOCUMENT,
  /** Nesting depth of objects and arrays, counted from the document (or event) root. */
  maxDepth: 32,
  /** Characters in any string value. */
  maxStringLength: 8192,
  /** Characters in any object key. */
  maxKeyLength: 512,
  /** JSON values (objects, arrays, scalars) in one document. */
  maxNodes: 2_000_000,
  /** Validation errors reported for one document (the rest are counted, not listed). */
  maxReportedErrors: 100,
});

/** One validation failure: where (JSON pointer into the input) and what. */
export interface EpcisFieldError {
  readonly path: string;
  readonly message: string;
}

/** An EPCIS event as JSON (the schema has checked its shape). */
export type EpcisEvent = Record<string, unknown> & { readonly type: string };

/** An EPCISDocument as JSON. */
export interface EpcisDocument {
  readonly type: 'EPCISDocument';
  readonly epcisBody: { readonly eventList: EpcisEvent[] };
  readonly [key: string]: unknown;
}

const ajv = new Ajv({
  schemas: [...EPCIS_SCHEMAS, EPCIS_QUERY_PLAN_SCHEMA],
  discriminator: true,
  allErrors: false,
  verbose: true,
  strictTypes: false,
  strictRequired: false,
});
// ajv-formats' `date-time` and `uri`, each with a fast path for its common forms (epcis-formats.ts)
ajv.addFormat('date-time', EPCIS_FORMATS['date-time']);
ajv.addFormat('uri', EPCIS_FORMATS.uri);

function compiled(id: string): ValidateFunction {
  const fn = ajv.getSchema(id);
  if (!fn) throw new TypeError(`epcis-validate: schema ${id} is not registered`);
  return fn;
}

const validators = {
  document: compiled(EPCIS_SCHEMA_IDS.document),
  queryDocument: compiled(EPCIS_SCHEMA_IDS.queryDocument),
  event: compiled(EPCIS_SCHEMA_IDS.event),
  standaloneEvent: compiled(EPCIS_SCHEMA_IDS.standaloneEvent),
  plan: compiled(EPCIS_QUERY_PLAN_SCHEMA.$id),
};

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The hard limits, checked iteratively (no recursion, so depth cannot overflow the stack).
 * Returns the first violation, or undefined.
 */
export function checkLimits(value: unknown, base = ''): EpcisFieldError | undefined {
  const eventList = eventListOf(value);
  if (eventList && eventList.length > EPCIS_LIMITS.maxEvents) {
    return {
      path: `${base}/epcisBody/eventList`,
      message: `has ${eventList.length} events; at most ${EPCIS_LIMITS.maxEvents} are accepted in one document`,
    };
  }
  if (withinLimits(value)) return undefined; // the common case, decided without building a frame per value
  // A violation: this walk finds the first one and its path; paths are built only for it,
  // each stack entry pointing at its parent instead.
  const stack: Frame[] = [{ v: value, key: undefined, parent: undefined, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { v, depth } = frame;
    if (++nodes > EPCIS_LIMITS.maxNodes) return { path: base, message: `has more than ${EPCIS_LIMITS.maxNodes} values` };
    if (typeof v === 'string') {
      if (v.length > EPCIS_LIMITS.maxStringLength) return { path: base + pathOf(frame), message: `is longer than ${EPCIS_LIMITS.maxStringLength} characters` };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= EPCIS_LIMITS.maxDepth) return { path: base + pathOf(frame), message: `is nested deeper than ${EPCIS_LIMITS.maxDepth} levels` };
    const tooLongKey = pushChildren(frame, stack);
    if (tooLongKey !== undefined) {
      return { path: `${base}${pathOf(frame)}/${pointerSegment(tooLongKey.slice(0, 64))}…`, message: `has a key longer than ${EPCIS_LIMITS.maxKeyLength} characters` };
    }
  }
  return undefined;
}

/**
 * True if `value` breaks no limit: the same checks as the walk of {@link checkLimits}, on every
 * value, without recording where. Recursive, but never deeper than `maxDepth` + 1 calls, since
 * an object that deep is itself a violation and is not entered.
 */
function withinLimits(value: unknown): boolean {
  const budget = { nodes: EPCIS_LIMITS.maxNodes };
  return within(value, 0, budget);
}

function within(v: unknown, depth: number, budget: { nodes: number }): boolean {
  if (--budget.nodes < 0) return false;
  if (typeof v === 'string') return v.length <= EPCIS_LIMITS.maxStringLength;
  if (v === null || typeof v !== 'object') return true;
  if (depth >= EPCIS_LIMITS.maxDepth) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!within(v[i], depth + 1, budget)) return false;
    return true;
  }
  for (const key of Object.keys(v)) {
    if (key.length > EPCIS_LIMITS.maxKeyLength || !within((v as Record<string, unknown>)[key], depth + 1, budget)) return false;
  }
  return true;
}

interface Frame {
  readonly v: unknown;
  readonly key: string | number | undefined;
  readonly parent: Frame | undefined;
  readonly depth: number;
}

function pathOf(frame: Frame): string {
  const parts: string[] = [];
  for (let f: Frame | undefined = frame; f && f.key !== undefined; f = f.parent) parts.push(pointerSegment(f.key));
  return parts.length > 0 ? `/${parts.reverse().join('/')}` : '';
}

function pushChildren(frame: Frame, stack: Frame[]): string | undefined {
  const v = frame.v as object;
  const depth = frame.depth + 1;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) stack.push({ v: v[i] as unknown, key: i, parent: frame, depth });
    return undefined;
  }
  for (const key of Object.keys(v)) {
    if (key.length > EPCIS_LIMITS.maxKeyLength) return key;
    stack.push({ v: (v as Record<string, unknown>)[key], key, parent: frame, depth });
  }
  return undefined;
}

function eventListOf(value: unknown): unknown[] | undefined {
  if (!isObject(value)) return undefined;
  const body = value['epcisBody'];
  if (!isObject(body)) return undefined;
  const list = body['eventList'] ?? (isObject(body['queryResults']) && isObject(body['queryResults']['resultsBody']) ? body['queryResults']['resultsBody']['eventList'] : undefined);
  return Array.isArray(list) ? list : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Turns ajv's errors into field errors: one per failing field, pointing at the field itself. */
export function fieldErrors(errors: readonly ErrorObject[] | null | undefined, base = ''): EpcisFieldError[] {
  const list = errors ?? [];
  const alternatives = list.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const out: EpcisFieldError[] = [];
  const seen = new Set<string>();
  for (const e of list) {
    if (e.keyword === 'if') continue;
    if (alternatives.some((a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`))) continue;
    const err = fieldError(e, base);
    const key = `${err.path}\u0000${err.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(err);
    }
  }
  return out;
}

function fieldError(e: ErrorObject, base: string): EpcisFieldError {
  const path = base + e.instancePath;
  const params = e.params as Record<string, unknown>;
  const described = (e.parentSchema as { description?: unknown } | undefined)?.description;
  switch (e.keyword) {
    case 'required':
      return { path: `${path}/${pointerSegment(String(params['missingProperty']))}`, message: 'is required' };
    case 'additionalProperties':
      return {
        path: `${path}/${pointerSegment(String(params['additionalProperty']))}`,
        message: 'is neither a field of the standard here nor a namespaced extension (prefix:name)',
      };
    case 'discriminator':
      return { path: `${path}/type`, message: `must be one of ${EPCIS_EVENT_TYPES.join(', ')}` };
    case 'anyOf':
    case 'oneOf':
      return { path, message: typeof described === 'string' ? `must be ${described}` : e.message ?? 'is invalid' };
    case 'enum': {
      const allowed = params['allowedValues'] as unknown[];
      return { path, message: allowed.length <= 12 ? `must be one of ${allowed.join(', ')}` : 'is not an allowed value' };
    }
    case 'const':
      return { path, message: typeof described === 'string' ? described : `must be ${JSON.stringify(params['allowedValue'])}` };
    default:
      return { path, message: e.message ?? 'is invalid' };
  }
}

function fail(what: string, errors: EpcisFieldError[]): never {
  const shown = errors.slice(0, EPCIS_LIMITS.maxReportedErrors);
  const first = shown[0];
  const summary = first ? `${first.path || '/'} ${first.message}` : 'is invalid';
  const more = errors.length > shown.length ? { omitted: errors.length - shown.length } : {};
  throw new ZfcError('INVALID_ARGUMENT', `invalid ${what}: ${summary}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, {
    errors: shown,
    ...more,
  });
}

function preflight(value: unknown, what: string): void {
  if (!isObject(value)) fail(what, [{ path: '', message: 'must be a JSON object' }]);
  const count = eventListOf(value)?.length ?? 0;
  if (count > EPCIS_LIMITS.maxEvents) {
    // the standard's capture limit: too large, not malformed (HTTP 413)
    const error = { path: '/epcisBody/eventList', message: `has ${count} events; at most ${EPCIS_LIMITS.maxEvents} are accepted in one document` };
    throw new ZfcError('PAYLOAD_TOO_LARGE', `${what} ${error.message}`, { errors: [error], limit: EPCIS_LIMITS.maxEvents });
  }
  const limit = checkLimits(value);
  if (limit) fail(what, [limit]);
}

/**
 * Errors of each event of a document, each path prefixed with the event's position: used when
 * the document fails, so a capture job can say which events were rejected and why.
 */
export function eventErrors(events: readonly unknown[], base = '/epcisBody/eventList'): EpcisFieldError[] {
  const out: EpcisFieldError[] = [];
  for (let i = 0; i < events.length && out.length < EPCIS_LIMITS.maxReportedErrors; i++) {
    if (!validators.event(events[i])) out.push(...fieldErrors(validators.event.errors, `${base}/${i}`));
  }
  return out;
}

const EVENT_PATH = /^\/epcisBody\/eventList\/\d+(\/|$)/;

/**
 * Validates an EPCISDocument (what `POST /epcis/capture` takes) and returns it typed.
 *
 * @throws ZfcError INVALID_ARGUMENT with `details.errors: [{ path, message }]`;
 *   PAYLOAD_TOO_LARGE beyond {@link EPCIS_LIMITS}.maxEvents events.
 * @example
 * const doc = validateEpcisDocument(JSON.parse(body));
 * for (const event of doc.epcisBody.eventList) …
 */
export function validateEpcisDocument(value: unknown): EpcisDocument {
  preflight(value, 'EPCISDocument');
  if (validators.document(value)) return value as unknown as EpcisDocument;
  const errors = fieldErrors(validators.document.errors);
  const envelope = errors.filter((e) => !EVENT_PATH.test(e.path));
  const events = envelope.length < errors.length ? eventErrors(eventListOf(value) ?? []) : [];
  fail('EPCISDocument', [...envelope, ...events]);
}

/**
 * Validates a document's envelope alone (all but its events), an EPCISDocument or an
 * EPCISQueryDocument: what a capture that proceeds past bad events refuses on receipt, the
 * events being the contract's to judge one by one.
 *
 * @throws ZfcError INVALID_ARGUMENT, PAYLOAD_TOO_LARGE, as {@link validateEpcisDocument}.
 */
export function validateEpcisEnvelope(value: unknown, kind: 'EPCISDocument' | 'EPCISQueryDocument' = 'EPCISDocument'): Record<string, unknown> {
  preflight(value, kind);
  const validate = kind === 'EPCISDocument' ? validators.document : validators.queryDocument;
  // the same document with no events (an empty list is valid): only the envelope is judged
  const shell = eventListOf(value) ? withoutEvents(value as Record<string, unknown>) : value;
  if (!validate(shell)) fail(kind, fieldErrors(validate.errors));
  return value as Record<string, unknown>;
}

/** A copy of a document (or query document) whose event list is empty. */
function withoutEvents(doc: Record<string, unknown>): Record<string, unknown> {
  const body = doc['epcisBody'] as Record<string, unknown>;
  if (body['eventList'] !== undefined) return { ...doc, epcisBody: { ...body, eventList: [] } };
  const results = body['queryResults'] as Record<string, unknown>;
  return { ...doc, epcisBody: { ...body, queryResults: { ...results, resultsBody: { ...(results['resultsBody'] as Record<string, unknown>), eventList: [] } } } };
}

/**
 * Validates an EPCISDocument for a capture that proceeds past bad events
 * (`GS1-Capture-Error-Behaviour: proceed`): a bad envelope refuses the whole document, as
 * {@link validateEpcisDocument} does; each event that is not valid is given back, by position,
 * with its errors (paths from the document's root), to be reported and left out.
 *
 * @throws ZfcError INVALID_ARGUMENT (the envelope), PAYLOAD_TOO_LARGE (too many events).
 */
export function validateEpcisDocumentProceeding(value: unknown): { document: EpcisDocument; invalid: Map<number, EpcisFieldError[]> } {
  preflight(value, 'EPCISDocument');
  const invalid = new Map<number, EpcisFieldError[]>();
  if (validators.document(value)) return { document: value as unknown as EpcisDocument, invalid };
  const envelope = fieldErrors(validators.document.errors).filter((e) => !EVENT_PATH.test(e.path));
  const events = eventListOf(value) ?? [];
  if (envelope.length > 0) fail('EPCISDocument', [...envelope, ...eventErrors(events)]);
  for (let i = 0; i < events.length; i++) {
    if (!validators.event(events[i])) invalid.set(i, fieldErrors(validators.event.errors, `/epcisBody/eventList/${i}`).slice(0, EPCIS_LIMITS.maxReportedErrors));
  }
  return { document: value as unknown as EpcisDocument, invalid };
}

/**
 * Validates one event. `standalone` (the default) also requires the JSON-LD `@context`, as for
 * an event sent on its own to `POST /epcis/events`; events inside a document inherit it.
 *
 * @throws ZfcError INVALID_ARGUMENT with `details.errors: [{ path, message }]`.
 */
export function validateEpcisEvent(value: unknown, options: { standalone?: boolean } = {}): EpcisEvent {
  preflight(value, 'EPCIS event');
  const fn = options.standalone === false ? validators.event : validators.standaloneEvent;
  if (fn(value)) return value as EpcisEvent;
  fail('EPCIS event', fieldErrors(fn.errors));
}

/**
 * Validates an EPCISQueryDocument (what the query interface answers with).
 *
 * @throws ZfcError INVALID_ARGUMENT with `details.errors: [{ path, message }]`.
 */
export function validateEpcisQueryDocument(value: unknown): Record<string, unknown> {
  preflight(value, 'EPCISQueryDocument');
  if (validators.queryDocument(value)) return value as Record<string, unknown>;
  fail('EPCISQueryDocument', fieldErrors(validators.queryDocument.errors));
}

/**
 * Validates a query plan (what `epcis:QueryEvents` takes from any client).
 *
 * @throws ZfcError INVALID_ARGUMENT with `details.errors: [{ path, message }]`.
 */
export function validateQueryPlan(value: unknown): EpcisQueryPlan {
  if (validators.plan(value)) return value as EpcisQueryPlan;
  fail('query plan', fieldErrors(validators.plan.errors));
}
