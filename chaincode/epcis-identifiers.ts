/**
 * The identifiers of a captured EPCIS event, in canonical form, for indexing and query.
 *
 * An event names things in EPC URN form (`urn:epc:id:sgtin:…`) or GS1 Digital Link form on any
 * domain; the trace graph must see one node per thing whichever form was used. This module
 * collects every identifier field of an event (what, where, why) and passes each through
 * `normalizeEpc` from digital-link.ts — the project's one identifier parser — giving the
 * canonical `https://id.gs1.org/…` URI. The event as captured is never modified: the result is
 * a separate copy used for index keys and query matching.
 */
import { canonicalEpcFast, normalizeEpc } from './digital-link';
import { ZfcError } from './errors';

/** Every identifier of one event in canonical form. Lists are de-duplicated and sorted. */
export interface EventIdentifiers {
  /** epcList of ObjectEvent / TransactionEvent. */
  readonly epcList: readonly string[];
  readonly parentID?: string;
  /** childEPCs of AggregationEvent / AssociationEvent. */
  readonly childEPCs: readonly string[];
  readonly inputEPCList: readonly string[];
  readonly outputEPCList: readonly string[];
  /** epcClass of quantityList and childQuantityList. */
  readonly epcClasses: readonly string[];
  readonly inputEPCClasses: readonly string[];
  readonly outputEPCClasses: readonly string[];
  readonly readPoint?: string;
  readonly bizLocation?: string;
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
}

type Json = Record<string, unknown>;

/** Most identifiers remembered by {@link normalizeCached} before it starts afresh. */
const CACHE_LIMIT = 50_000;
const cache = new Map<string, string>();

/**
 * `normalizeEpc`, remembered: a capture names the same read points, classes and parties in
 * event after event, and the hash and the index both need each identifier. The function is pure,
 * so remembering it changes nothing on any peer. Errors are not remembered.
 */
export function normalizeCached(text: string): string {
  const fast = typeof text === 'string' ? canonicalEpcFast(text) : undefined;
  // the common forms cost less than a cache lookup, and fill no cache; an identifier already in
  // canonical form is answered with itself, not an equal copy that a projection would keep too
  if (fast !== undefined) return fast === text ? text : fast;
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const canonical = normalizeEpc(text);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, canonical);
  return canonical;
}

/**
 * The canonical form of one identifier; a malformed GS1 identifier becomes INVALID_ARGUMENT
 * naming the field (`path`, a JSON pointer) it was found in.
 */
export function canonicalIdentifier(text: string, path = ''): string {
  try {
    return normalizeCached(text);
  } catch (err) {
    if (err instanceof ZfcError) {
      throw new ZfcError('INVALID_ARGUMENT', `${path || 'identifier'}: ${err.text}`, { errors: [{ path, message: err.text }] });
    }
    throw err;
  }
}

/**
 * {@link canonicalIdentifier} with the field's pointer built only when it is needed (an error):
 * a capture normalises thousands of identifiers, and the pointers were most of its garbage.
 */
function canonicalAt(text: string, pointer: () => string): string {
  try {
    return normalizeCached(text);
  } catch {
    return canonicalIdentifier(text, pointer());
  }
}

function strings(event: Json, field: string, base: string): string[] {
  const v = event[field];
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) out.push(canonicalAt(String(v[i]), () => `${base}/${field}/${i}`));
  return out;
}

function classes(event: Json, field: string, base: string, out: string[] = []): string[] {
  const v = event[field];
  if (!Array.isArray(v)) return out;
  for (let i = 0; i < v.length; i++) out.push(canonicalAt(String((v[i] as Json)['epcClass']), () => `${base}/${field}/${i}/epcClass`));
  return out;
}

/** A single identifier field; its pointer (`base` + `suffix`) is built only for an error. */
function one(value: unknown, base: string, suffix: string): string | undefined {
  return typeof value === 'string' ? canonicalAt(value, () => base + suffix) : undefined;
}

function ends(event: Json, list: 'sourceList' | 'destinationList', key: 'source' | 'destination', base: string): string[] {
  const v = event[list];
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) out.push(canonicalAt(String((v[i] as Json)[key]), () => `${base}/${list}/${i}/${key}`));
  return out;
}

/** De-duplicated and sorted by UTF-16 code unit; lists of none or one (most of them) as they are. */
function uniq(xs: string[]): string[] {
  if (xs.length < 2) return xs;
  return [...new Set(xs)].sort();
}

/**
 * The one empty list every event's absent identifier lists share: most of an event's nine lists
 * are empty, and a projection keeps every event's identifiers in memory (frozen, so that no
 * holder can fill it for all).
 */
const NONE: readonly string[] = Object.freeze([]);

/**
 * A list of an event's identifiers as kept: {@link uniq}, {@link NONE} when empty, and a list of
 * one (most of the rest) copied to an array of exactly one slot: the list was filled by `push`,
 * which leaves room for sixteen.
 */
const kept = (xs: string[]): readonly string[] => (xs.length === 0 ? NONE : xs.length === 1 ? [xs[0] as string] : uniq(xs));

const ID_POINTER = { readPoint: '/readPoint/id', bizLocation: '/bizLocation/id' } as const;

function idOf(event: Json, field: 'readPoint' | 'bizLocation', base: string): string | undefined {
  const v = event[field];
  return v && typeof v === 'object' ? one((v as Json)['id'], base, ID_POINTER[field]) : undefined;
}

/**
 * The canonical identifiers of a (validated) event. `base` is the event's JSON pointer in the
 * document, so an error names the exact field, e.g. `/epcisBody/eventList/2/epcList/0`.
 * Fields are normalised in a fixed order, so of several malformed ones the same is reported.
 *
 * @example
 * eventIdentifiers({ type: 'ObjectEvent', epcList: ['urn:epc:id:sgtin:0614141.107346.2018'], … }).epcList
 * // ['https://id.gs1.org/01/10614141073464/21/2018']
 */
export function eventIdentifiers(event: Json, base = ''): EventIdentifiers {
  const parentID = one(event['parentID'], base, '/parentID');
  const readPoint = idOf(event, 'readPoint', base);
  const bizLocation = idOf(event, 'bizLocation', base);
  const out: Record<string, unknown> = { epcList: kept(strings(event, 'epcList', base)) };
  if (parentID !== undefined) out['parentID'] = parentID;
  out['childEPCs'] = kept(strings(event, 'childEPCs', base));
  out['inputEPCList'] = kept(strings(event, 'inputEPCList', base));
  out['outputEPCList'] = kept(strings(event, 'outputEPCList', base));
  out['epcClasses'] = kept(classes(event, 'childQuantityList', base, classes(event, 'quantityList', base)));
  out['inputEPCClasses'] = kept(classes(event, 'inputQuantityList', base));
  out['outputEPCClasses'] = kept(classes(event, 'outputQuantityList', base));
  if (readPoint !== undefined) out['readPoint'] = readPoint;
  if (bizLocation !== undefined) out['bizLocation'] = bizLocation;
  out['sources'] = kept(ends(event, 'sourceList', 'source', base));
  out['destinations'] = kept(ends(event, 'destinationList', 'destination', base));
  return out as unknown as EventIdentifiers;
}

/** Every identifier an event names as a "what" (MATCH_anyEPC): EPCs, parent, inputs, outputs. */
export function anyEpcs(ids: EventIdentifiers): string[] {
  return uniq([...ids.epcList, ...ids.childEPCs, ...ids.inputEPCList, ...ids.outputEPCList, ...(ids.parentID ? [ids.parentID] : [])]);
}

/** Every class an event names in any quantity list. */
export function anyClasses(ids: EventIdentifiers): string[] {
  return uniq([...ids.epcClasses, ...ids.inputEPCClasses, ...ids.outputEPCClasses]);
}

/** JSON pointer of the `i`th event of a document. */
export function eventPointer(i: number): string {
  return `/epcisBody/eventList/${i}`; // a number has no `~` or `/` to escape (RFC 6901)
}
