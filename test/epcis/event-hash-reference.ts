/**
 * The event hash and identifier collection as they were before their speed work (commit
 * 0856a79), kept as the oracle the fast versions in chaincode/ must agree with on every input:
 * test/epcis/event-hash-differential.test.ts compares them, and bench/epcis-parts.bench.ts
 * measures both in one run. Identifiers go through the full parsers (`normalizeEpcByParser`),
 * never the fast paths. The vocabulary (field order, lists, CBV prefixes) is the chaincode's own:
 * what is compared is the algorithm. Not used by the product.
 */
import { createHash } from 'node:crypto';
import { normalizeEpcByParser } from '../../chaincode/digital-link';
import {
  contextPrefixes, EXCLUDED, HASH_ORDER, LIST_CHILD, STANDARD_PREFIXES, TYPE_PREFIX, TYPED_LISTS, WORD_PREFIX, type Order,
} from '../../chaincode/epcis-event-hash';
import { ZfcError } from '../../chaincode/errors';

/** The identifier cache of the time: 50,000 entries, then afresh. */
const cache = new Map<string, string>();

function normalizeCached(text: string): string {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const canonical = normalizeEpcByParser(text);
  if (cache.size >= 50_000) cache.clear();
  cache.set(text, canonical);
  return canonical;
}

type Json = Record<string, unknown>;

const CBV = 'https://ref.gs1.org/cbv/';
const CBV_URN: ReadonlyArray<readonly [RegExp, string]> = [
  [/^urn:epcglobal:cbv:bizstep:/, `${CBV}BizStep-`],
  [/^urn:epcglobal:cbv:disp:/, `${CBV}Disp-`],
  [/^urn:epcglobal:cbv:btt:/, `${CBV}BTT-`],
  [/^urn:epcglobal:cbv:sdt:/, `${CBV}SDT-`],
  [/^urn:epcglobal:cbv:er:/, `${CBV}ER-`],
];
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const BARE_WORD = /^[A-Za-z_]+$/;

/** UTC with milliseconds; a 4th decimal of 5–9 rounds the 3rd up (carrying into seconds). */
function canonicalTime(text: string): string {
  if (!ISO_TIME.test(text)) return text;
  const m = /^(.*?:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  const whole = Date.parse(m ? `${m[1]}${m[3]}` : text);
  if (Number.isNaN(whole)) return text;
  const digits = `${m?.[2] ?? ''}0000`;
  const ms = Number(digits.slice(0, 3)) + (Number(digits[3]) >= 5 ? 1 : 0);
  return new Date(whole + ms).toISOString();
}


/** A CURIE value (`gs1:Temperature`, `example:x`) as its full IRI; anything else unchanged. */
function expandCurie(text: string, prefixes: Readonly<Record<string, string>>): string {
  const m = /^([A-Za-z][A-Za-z0-9._-]*):([^/].*)$/.exec(text);
  if (!m) return text;
  const ns = prefixes[m[1] ?? ''] ?? STANDARD_PREFIXES[m[1] ?? ''];
  return ns !== undefined ? ns + (m[2] ?? '') : text;
}

function canonicalScalar(name: string, context: string, value: unknown, prefixes: Readonly<Record<string, string>> = {}): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value).trim();
  if (/time$/i.test(name) && !/offset/i.test(name)) return canonicalTime(text);
  const prefix = (name === 'type' ? TYPE_PREFIX.get(context) : undefined) ?? WORD_PREFIX[name];
  if (prefix && BARE_WORD.test(text)) return prefix + text;
  for (const [re, web] of CBV_URN) if (re.test(text)) return text.replace(re, web);
  const expanded = expandCurie(text, prefixes);
  if (expanded !== text) return expanded;
  if (/^(urn:epc:|https?:\/\/)/i.test(text)) {
    try {
      return normalizeCached(text);
    } catch {
      return text; // validation reports malformed identifiers; the hash stays total
    }
  }
  return text;
}

function expandKey(key: string, prefixes: Readonly<Record<string, string>>): string {
  const i = key.indexOf(':');
  const ns = i > 0 ? prefixes[key.slice(0, i)] : undefined;
  return ns !== undefined ? `{${ns}}${key.slice(i + 1)}` : key;
}

/** One value under `name`: `name=value`, `name` followed by its children, or a list. */
function part(name: string, context: string, value: unknown, order: Order | undefined, prefixes: Readonly<Record<string, string>>): string {
  if (Array.isArray(value)) return list(name, value, order, prefixes);
  return element(name, context, value, order, prefixes);
}

function list(name: string, value: readonly unknown[], order: Order | undefined, prefixes: Readonly<Record<string, string>>): string {
  const child = LIST_CHILD[name];
  const items = value.map((v) => element(child ?? name, name, v, order, prefixes)).filter((s) => s !== '').sort();
  if (items.length === 0) return '';
  return (child !== undefined ? name : '') + items.join('');
}

function element(label: string, context: string, value: unknown, order: Order | undefined, prefixes: Readonly<Record<string, string>>): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return label + fields(value as Json, context === '' ? label : context, order ?? NO_ORDER, prefixes);
  const text = canonicalScalar(label, context, value, prefixes);
  return text === '' ? '' : `${label}=${text}`;
}

const NO_ORDER: Order = [];
const ORDER_NAMES = new WeakMap<Order, ReadonlySet<string>>();

/** The field names of an order, as a set (made once per order: every event's fields are checked against it). */
function namesOf(order: Order): ReadonlySet<string> {
  let names = ORDER_NAMES.get(order);
  if (!names) ORDER_NAMES.set(order, (names = new Set(order.map(([name]) => name))));
  return names;
}

/** The ordered fields of an object, then every remaining field (extensions, and at the event level the typed lists and ilmd), sorted. */
function fields(obj: Json, context: string, order: Order, prefixes: Readonly<Record<string, string>>): string {
  let out = '';
  const known = namesOf(order);
  for (const [name, sub] of order) {
    if (obj[name] !== undefined) out += part(name, context, obj[name], sub, prefixes);
  }
  const rest = Object.keys(obj)
    .filter((k) => !known.has(k) && !EXCLUDED.has(k))
    .map((k) => remaining(k, obj[k], prefixes))
    .filter((x) => x !== '')
    .sort();
  return out + rest.join('');
}

function remaining(key: string, value: unknown, prefixes: Readonly<Record<string, string>>): string {
  const id = TYPED_LISTS[key];
  if (id !== undefined && Array.isArray(value)) return typedList(key, id, value, prefixes);
  if (key === 'ilmd') return extension('ilmd', value, prefixes);
  return extension(expandKey(key, prefixes), value, prefixes);
}

/** `bizTransactionList` + elements `type=…bizTransaction=…`, sorted. */
function typedList(key: string, id: string, value: readonly unknown[], prefixes: Readonly<Record<string, string>>): string {
  const items = value
    .filter((v): v is Json => v !== null && typeof v === 'object')
    .map((v) => {
      const type = v['type'] === undefined ? '' : `type=${canonicalScalar('type', key, v['type'], prefixes)}`;
      return `${type}${id}=${canonicalScalar(id, key, v[id], prefixes)}`;
    })
    .sort();
  return items.length > 0 ? key + items.join('') : '';
}

function extension(key: string, value: unknown, prefixes: Readonly<Record<string, string>>): string {
  if (Array.isArray(value)) return value.map((v) => extension(key, v, prefixes)).sort().join('');
  if (value !== null && typeof value === 'object') {
    const children = Object.keys(value as Json)
      .filter((k) => k !== 'rdfs:comment' && k !== 'comment')
      .map((k) => extension(expandKey(k, prefixes), (value as Json)[k], prefixes));
    return key + children.sort().join('');
  }
  if (value === null || value === undefined) return key;
  return `${key}=${canonicalScalar(key, '', value, prefixes)}`;
}

/**
 * The pre-hash string of an event (steps 1–4 above). `documentContext` is the enclosing
 * document's `@context`, whose prefixes the event inherits.
 */
export function referencePreHash(event: Json, documentContext?: unknown): string {
  const prefixes = contextPrefixes(documentContext, event['@context']);
  return `eventType=${String(event['type'])}${fields(event, '', HASH_ORDER, prefixes)}`;
}

/**
 * The event hash ID of an event: `ni:///sha-256;…?ver=CBV2.0`.
 *
 * @example
 * eventHashId(event, doc['@context']) // 'ni:///sha-256;9fa4…?ver=CBV2.0'
 */
export function referenceHashId(event: Json, documentContext?: unknown): string {
  const hex = createHash('sha256').update(referencePreHash(event, documentContext), 'utf8').digest('hex');
  return `ni:///sha-256;${hex}?ver=CBV2.0`;
}

/** Every identifier of one event in canonical form. Lists are de-duplicated and sorted. */
interface EventIdentifiers {
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


/**
 * The canonical form of one identifier; a malformed GS1 identifier becomes INVALID_ARGUMENT
 * naming the field (`path`, a JSON pointer) it was found in.
 */
function canonicalIdentifier(text: string, path = ''): string {
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
  return v.map((s, i) => canonicalAt(String(s), () => `${base}/${field}/${i}`));
}

function classes(event: Json, field: string, base: string): string[] {
  const v = event[field];
  if (!Array.isArray(v)) return [];
  return v.map((q: Json, i) => canonicalAt(String(q['epcClass']), () => `${base}/${field}/${i}/epcClass`));
}

function one(value: unknown, path: string): string | undefined {
  return typeof value === 'string' ? canonicalAt(value, () => path) : undefined;
}

function ends(event: Json, list: 'sourceList' | 'destinationList', key: 'source' | 'destination', base: string): string[] {
  const v = event[list];
  if (!Array.isArray(v)) return [];
  return v.map((s: Json, i) => canonicalAt(String(s[key]), () => `${base}/${list}/${i}/${key}`));
}

const uniq = (xs: string[]): string[] => [...new Set(xs)].sort();

function idOf(event: Json, field: 'readPoint' | 'bizLocation', base: string): string | undefined {
  const v = event[field];
  return v && typeof v === 'object' ? one((v as Json)['id'], `${base}/${field}/id`) : undefined;
}

/**
 * The canonical identifiers of a (validated) event. `base` is the event's JSON pointer in the
 * document, so an error names the exact field, e.g. `/epcisBody/eventList/2/epcList/0`.
 *
 * @example
 * eventIdentifiers({ type: 'ObjectEvent', epcList: ['urn:epc:id:sgtin:0614141.107346.2018'], … }).epcList
 * // ['https://id.gs1.org/01/10614141073464/21/2018']
 */
export function referenceIdentifiers(event: Json, base = ''): EventIdentifiers {
  const parentID = one(event['parentID'], `${base}/parentID`);
  const readPoint = idOf(event, 'readPoint', base);
  const bizLocation = idOf(event, 'bizLocation', base);
  return {
    epcList: uniq(strings(event, 'epcList', base)),
    ...(parentID !== undefined ? { parentID } : {}),
    childEPCs: uniq(strings(event, 'childEPCs', base)),
    inputEPCList: uniq(strings(event, 'inputEPCList', base)),
    outputEPCList: uniq(strings(event, 'outputEPCList', base)),
    epcClasses: uniq([...classes(event, 'quantityList', base), ...classes(event, 'childQuantityList', base)]),
    inputEPCClasses: uniq(classes(event, 'inputQuantityList', base)),
    outputEPCClasses: uniq(classes(event, 'outputQuantityList', base)),
    ...(readPoint !== undefined ? { readPoint } : {}),
    ...(bizLocation !== undefined ? { bizLocation } : {}),
    sources: uniq(ends(event, 'sourceList', 'source', base)),
    destinations: uniq(ends(event, 'destinationList', 'destination', base)),
  };
}

