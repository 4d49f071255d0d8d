/**
 * The EPCIS event hash ID (CBV 2.0 §8.9): a content hash that names an event which arrived
 * without an `eventID`, so that capturing the same event twice, in JSON key order or identifier
 * form of the sender's choosing, gives the same ID and is recorded once.
 *
 * It reproduces GS1's reference generator (github.com/RalphTro/epcis-event-hash-generator,
 * checked against its test vectors in test/epcis/event-hash.test.ts). Deterministic: no clock,
 * no I/O. The pre-hash string:
 * 1. starts with `eventType={type}`;
 * 2. then the fields of {@link HASH_ORDER}, in that order, absent ones adding nothing: a scalar
 *    adds `name=value`; a list adds its name once, then its elements' strings sorted by UTF-16
 *    code unit (`epcListepc=…epc=…`); an object adds its name, then its own fields in order,
 *    then its namespaced extensions sorted;
 * 3. then every other field — bizTransactionList, sourceList, destinationList (each element
 *    `type=…` before its identifier, elements sorted), ilmd, and user extensions
 *    (`{namespace-IRI}localName=value`, nested ones as the key followed by their children, array
 *    elements as repeated keys) — each as one string, all sorted together;
 * 4. leaving out `eventID`, `recordTime`, `errorDeclaration` and `@context`, which describe
 *    the record of an event, not the event, and comments (`rdfs:comment`).
 * Values are normalised: times to UTC with milliseconds (a 4th decimal of 5–9 rounds up);
 * EPCs and other GS1 identifiers to canonical Digital Links (`normalizeEpc`); CBV bare words,
 * CBV URNs and CURIEs (`gs1:`, `cbv:`, the document's prefixes) to Web URIs; numbers in
 * shortest form; strings trimmed. The ID is `ni:///sha-256;{hex of SHA-256}?ver=CBV2.0`.
 */
import { sha256Hex } from './sha256';
import { normalizeCached } from './epcis-identifiers';

type Json = Record<string, unknown>;
/** Field name → how its children are ordered (undefined for a scalar). */
export type Order = ReadonlyArray<readonly [string, Order | undefined]>;

const QUANTITY: Order = [['epcClass', undefined], ['quantity', undefined], ['uom', undefined]];
const SENSOR_METADATA: Order = ['time', 'startTime', 'endTime', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules'].map((n) => [n, undefined] as const);
const SENSOR_REPORT: Order = [
  'type', 'exception', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'time', 'microorganism',
  'chemicalSubstance', 'value', 'component', 'stringValue', 'booleanValue', 'hexBinaryValue', 'uriValue', 'minValue',
  'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue', 'uom', 'coordinateReferenceSystem', 'bizRules',
].map((n) => [n, undefined] as const);

/** The fields written first, in this order (as the reference generator's PROP_ORDER). */
export const HASH_ORDER: Order = [
  ['eventTime', undefined],
  ['eventTimeZoneOffset', undefined],
  ['certificationInfo', undefined],
  ['parentID', undefined],
  ['epcList', undefined],
  ['inputEPCList', undefined],
  ['childEPCs', undefined],
  ['quantityList', QUANTITY],
  ['childQuantityList', QUANTITY],
  ['inputQuantityList', QUANTITY],
  ['outputEPCList', undefined],
  ['outputQuantityList', QUANTITY],
  ['action', undefined],
  ['transformationID', undefined],
  ['bizStep', undefined],
  ['disposition', undefined],
  ['persistentDisposition', [['set', undefined], ['unset', undefined]]],
  ['readPoint', [['id', undefined]]],
  ['bizLocation', [['id', undefined]]],
  ['sensorElementList', [['sensorMetadata', SENSOR_METADATA], ['sensorReport', SENSOR_REPORT]]],
];

/**
 * A lookup table without a prototype: field names and CURIE prefixes come from the sender, and
 * a plain object would answer `constructor` or `toString` with a function (whose source text
 * then went into the pre-hash string).
 */
function table(entries: Record<string, string>): Readonly<Record<string, string>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, string>, entries));
}

/** Lists written among the remaining fields, each element as `type=…` then its identifier. */
export const TYPED_LISTS: Readonly<Record<string, string>> = table({ bizTransactionList: 'bizTransaction', sourceList: 'source', destinationList: 'destination' });

/** Never hashed: the record of the event, not the event (and comments, as the reference generator). */
export const EXCLUDED = new Set(['type', 'eventID', 'recordTime', 'errorDeclaration', '@context', 'rdfs:comment', 'comment']);
/**
 * Lists whose elements are written under a child name after the list's own name
 * (`epcListepc=…epc=…`); '' writes the elements' fields bare. Any other array is a repeated
 * element: each element under the array's name, no header (`set=…set=…`, `sensorReport…`).
 */
export const LIST_CHILD: Readonly<Record<string, string>> = table({
  epcList: 'epc', inputEPCList: 'epc', outputEPCList: 'epc', childEPCs: 'epc',
  quantityList: 'quantityElement', childQuantityList: 'quantityElement', inputQuantityList: 'quantityElement',
  outputQuantityList: 'quantityElement', sensorElementList: 'sensorElement',
});

const CBV = 'https://ref.gs1.org/cbv/';
export const WORD_PREFIX: Readonly<Record<string, string>> = table({
  bizStep: `${CBV}BizStep-`,
  disposition: `${CBV}Disp-`,
  set: `${CBV}Disp-`,
  unset: `${CBV}Disp-`,
  exception: 'https://gs1.org/voc/',
  component: `${CBV}Comp-`,
});
/** `type` words whose vocabulary depends on the list they are in (other names: {@link WORD_PREFIX}). */
export const TYPE_PREFIX = new Map<string, string>([
  ['bizTransactionList', `${CBV}BTT-`],
  ['sourceList', `${CBV}SDT-`],
  ['destinationList', `${CBV}SDT-`],
  ['sensorReport', 'https://gs1.org/voc/'],
]);
/** CBV 1.x URN vocabularies, and the CBV 2.0 Web URI prefix of each. */
const CBV_URN = /^urn:epcglobal:cbv:(bizstep|disp|btt|sdt|er):/;
export const CBV_URN_WEB: ReadonlyMap<string, string> = new Map<string, string>([
  ['bizstep', `${CBV}BizStep-`],
  ['disp', `${CBV}Disp-`],
  ['btt', `${CBV}BTT-`],
  ['sdt', `${CBV}SDT-`],
  ['er', `${CBV}ER-`],
]);
/**
 * A CURIE value is `^([A-Za-z][A-Za-z0-9._-]*):([^/].*)$`: this pattern checks its start, and
 * {@link LINE_BREAK} the rest (what `.` does not match) once the prefix is known to expand.
 */
const CURIE_START = /^[A-Za-z][A-Za-z0-9._-]*:[^/]/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;
/** A date-time with its offset, seconds and fractions optional. */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const BARE_WORD = /^[A-Za-z_]+$/;
const EPC_LIKE = /^(urn:epc:|https?:\/\/)/i;

/** Namespace prefix → IRI, from every object in the JSON-LD @context values given. */
export function contextPrefixes(...contexts: unknown[]): Record<string, string> {
  const out = Object.create(null) as Record<string, string>; // see table(): prefixes are the sender's words
  for (const ctx of contexts) addContext(out, ctx);
  return out;
}

function addContext(out: Record<string, string>, ctx: unknown): void {
  if (Array.isArray(ctx)) for (const entry of ctx) addPrefixes(out, entry);
  else addPrefixes(out, ctx);
}

function addPrefixes(out: Record<string, string>, entry: unknown): void {
  if (!entry || typeof entry !== 'object') return;
  for (const k of Object.keys(entry)) {
    const v = (entry as Json)[k];
    if (typeof v === 'string') out[k] = v;
  }
}

/** True for a field holding a time: its name ends in `time` (any case) and does not mention an offset. */
function isTimeName(name: string): boolean {
  const n = name.length;
  if (n < 4) return false;
  const tail = (name.charCodeAt(n - 4) | 32) === 116 && (name.charCodeAt(n - 3) | 32) === 105 && (name.charCodeAt(n - 2) | 32) === 109 && (name.charCodeAt(n - 1) | 32) === 101;
  return tail && !/offset/i.test(name);
}

/**
 * An EPCIS time in canonical UTC with milliseconds; a 4th decimal of 5–9 rounds the 3rd up
 * (carrying into seconds). Total: text that is not such a time, or that Date cannot read (a leap
 * second), comes back as written. The hash and the stored eventTime both use it.
 */
export function canonicalTime(text: string): string {
  if (CANONICAL_UTC.test(text)) return text;
  if (!ISO_TIME.test(text)) return text;
  const m = /^(.*?:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  const whole = Date.parse(m ? `${m[1]}${m[3]}` : text);
  if (Number.isNaN(whole)) return text;
  const digits = `${m?.[2] ?? ''}0000`;
  const ms = Number(digits.slice(0, 3)) + (Number(digits[3]) >= 5 ? 1 : 0);
  return new Date(whole + ms).toISOString();
}

/**
 * Text that is already what {@link canonicalTime} makes of it: `YYYY-MM-DDTHH:MM:SS.sssZ`
 * naming a real instant without rolling over (day at most 28, so no month is too short; hour
 * 00–23, minute and second 00–59), which `Date` gives back unchanged. The common case, decided
 * by one pattern instead of two and a Date; other days and forms take the general way.
 */
const CANONICAL_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** CURIE prefixes every EPCIS 2.0 document may use without declaring them. */
export const STANDARD_PREFIXES: Readonly<Record<string, string>> = table({
  gs1: 'https://gs1.org/voc/',
  cbv: 'https://ref.gs1.org/cbv/',
  epcis: 'https://ref.gs1.org/epcis/',
});

/**
 * A CURIE value (`gs1:Temperature`, `example:x`) whose prefix the document or the standard
 * declares, as its full IRI; anything else unchanged. The line breaks are looked for only once
 * a prefix is known to expand, the rarer case.
 */
export function expandCurie(text: string, prefixes: Readonly<Record<string, string>>): string {
  if (!CURIE_START.test(text)) return text;
  const colon = text.indexOf(':');
  const name = text.slice(0, colon);
  const ns = prefixes[name] ?? STANDARD_PREFIXES[name];
  return ns !== undefined && !LINE_BREAK.test(text.slice(colon + 2)) ? ns + text.slice(colon + 1) : text;
}

function canonicalScalar(name: string, context: string, value: unknown, prefixes: Readonly<Record<string, string>>): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value).trim();
  if (isTimeName(name)) return canonicalTime(text);
  const prefix = (name === 'type' ? TYPE_PREFIX.get(context) : undefined) ?? WORD_PREFIX[name];
  if (prefix && BARE_WORD.test(text)) return prefix + text;
  const cbv = CBV_URN.exec(text);
  if (cbv !== null) return (CBV_URN_WEB.get(cbv[1] ?? '') ?? '') + text.slice(cbv[0].length);
  const expanded = expandCurie(text, prefixes);
  if (expanded !== text) return expanded;
  if (EPC_LIKE.test(text)) {
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

/** Lists at most this long are sorted in place by insertion; longer ones by `Array#sort`. */
const SMALL_LIST = 8;

/**
 * The strings sorted by UTF-16 code unit, as `Array#sort` without a comparator sorts strings,
 * and joined. The lists of an event are short (most have one or two elements), so they are
 * sorted by insertion with `<`, the same order without the generic sort's set-up.
 */
function sortedJoin(items: string[]): string {
  const n = items.length;
  if (n < 2) return items[0] ?? '';
  if (n > SMALL_LIST) return items.sort().join('');
  for (let i = 1; i < n; i++) {
    const item = items[i] as string;
    let j = i - 1;
    for (; j >= 0 && item < (items[j] as string); j--) items[j + 1] = items[j] as string;
    items[j + 1] = item;
  }
  let out = '';
  for (let i = 0; i < n; i++) out += items[i];
  return out;
}

/**
 * An {@link Order} made ready for use, once: its names by position and its positions by name,
 * with each child order ready too, so no event looks anything up twice.
 */
interface ReadyOrder {
  readonly names: readonly string[];
  readonly children: ReadonlyArray<ReadyOrder | undefined>;
  readonly positions: ReadonlyMap<string, number>;
}

function ready(order: Order): ReadyOrder {
  return {
    names: order.map(([name]) => name),
    children: order.map(([, child]) => (child === undefined ? undefined : ready(child))),
    positions: new Map(order.map(([name], i) => [name, i])),
  };
}

const EVENT_ORDER = ready(HASH_ORDER);
const NO_ORDER = ready([]);

/** One value under `name`: `name=value`, `name` followed by its children, or a list. */
function part(name: string, context: string, value: unknown, order: ReadyOrder | undefined, prefixes: Readonly<Record<string, string>>): string {
  if (Array.isArray(value)) return list(name, value, order, prefixes);
  return element(name, context, value, order, prefixes);
}

function list(name: string, value: readonly unknown[], order: ReadyOrder | undefined, prefixes: Readonly<Record<string, string>>): string {
  const child = LIST_CHILD[name];
  const label = child ?? name;
  const items: string[] = [];
  for (const v of value) {
    const s = element(label, name, v, order, prefixes);
    if (s !== '') items.push(s);
  }
  if (items.length === 0) return '';
  return (child !== undefined ? name : '') + sortedJoin(items);
}

function element(label: string, context: string, value: unknown, order: ReadyOrder | undefined, prefixes: Readonly<Record<string, string>>): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return label + fields(value as Json, context === '' ? label : context, order ?? NO_ORDER, prefixes);
  const text = canonicalScalar(label, context, value, prefixes);
  return text === '' ? '' : `${label}=${text}`;
}

/**
 * The ordered fields of an object, then every remaining field (extensions, and at the event
 * level the typed lists and ilmd), sorted. One pass over the object's own keys sorts them into
 * the two (an ordered name is never inherited by a JSON object or array, so probing every name
 * of the order would find nothing more).
 */
function fields(obj: Json, context: string, order: ReadyOrder, prefixes: Readonly<Record<string, string>>): string {
  const keys = Object.keys(obj);
  let slots: unknown[] | undefined;
  let others: string[] | undefined;
  for (const k of keys) {
    const at = order.positions.get(k);
    if (at !== undefined) (slots ??= new Array<unknown>(order.names.length))[at] = obj[k];
    else if (!EXCLUDED.has(k)) (others ??= []).push(k);
  }
  let out = '';
  if (slots !== undefined) {
    for (let i = 0; i < slots.length; i++) {
      const value = slots[i];
      if (value !== undefined) out += part(order.names[i] as string, context, value, order.children[i], prefixes);
    }
  }
  if (others === undefined) return out;
  const rest: string[] = [];
  for (const k of others) {
    const s = remaining(k, obj[k], prefixes);
    if (s !== '') rest.push(s);
  }
  return out + sortedJoin(rest);
}

function remaining(key: string, value: unknown, prefixes: Readonly<Record<string, string>>): string {
  const id = TYPED_LISTS[key];
  if (id !== undefined && Array.isArray(value)) return typedList(key, String(id), value, prefixes);
  if (key === 'ilmd') return extension('ilmd', value, prefixes);
  return extension(expandKey(key, prefixes), value, prefixes);
}

/** `bizTransactionList` + elements `type=…bizTransaction=…`, sorted. */
function typedList(key: string, id: string, value: readonly unknown[], prefixes: Readonly<Record<string, string>>): string {
  const items: string[] = [];
  for (const v of value) {
    if (v === null || typeof v !== 'object') continue;
    const type = (v as Json)['type'];
    const head = type === undefined ? '' : `type=${canonicalScalar('type', key, type, prefixes)}`;
    items.push(`${head}${id}=${canonicalScalar(id, key, (v as Json)[id], prefixes)}`);
  }
  return items.length > 0 ? key + sortedJoin(items) : '';
}

function extension(key: string, value: unknown, prefixes: Readonly<Record<string, string>>): string {
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v !== undefined || i in value) items.push(extension(key, v, prefixes)); // a hole adds nothing, as Array#map
    }
    return sortedJoin(items);
  }
  if (value !== null && typeof value === 'object') {
    const children: string[] = [];
    for (const k of Object.keys(value)) {
      if (k !== 'rdfs:comment' && k !== 'comment') children.push(extension(expandKey(k, prefixes), (value as Json)[k], prefixes));
    }
    return key + sortedJoin(children);
  }
  if (value === null || value === undefined) return key;
  return `${key}=${canonicalScalar(key, '', value, prefixes)}`;
}

/**
 * The pre-hash string of an event (steps 1–4 above). `documentContext` is the enclosing
 * document's `@context`, whose prefixes the event inherits.
 */
export function eventPreHash(event: Json, documentContext?: unknown): string {
  const prefixes = contextPrefixes(documentContext, event['@context']);
  return `eventType=${String(event['type'])}${fields(event, '', EVENT_ORDER, prefixes)}`;
}

/**
 * The event hash ID of an event: `ni:///sha-256;…?ver=CBV2.0`.
 *
 * @example
 * eventHashId(event, doc['@context']) // 'ni:///sha-256;9fa4…?ver=CBV2.0'
 */
export function eventHashId(event: Json, documentContext?: unknown): string {
  return `ni:///sha-256;${sha256Hex(eventPreHash(event, documentContext))}?ver=CBV2.0`;
}
