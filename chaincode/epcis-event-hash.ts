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
import { createHash } from 'node:crypto';
import { normalizeCached } from './epcis-identifiers';

type Json = Record<string, unknown>;
/** Field name → how its children are ordered (undefined for a scalar). */
type Order = ReadonlyArray<readonly [string, Order | undefined]>;

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

/** Lists written among the remaining fields, each element as `type=…` then its identifier. */
const TYPED_LISTS: Readonly<Record<string, string>> = { bizTransactionList: 'bizTransaction', sourceList: 'source', destinationList: 'destination' };

/** Never hashed: the record of the event, not the event (and comments, as the reference generator). */
const EXCLUDED = new Set(['type', 'eventID', 'recordTime', 'errorDeclaration', '@context', 'rdfs:comment', 'comment']);
/**
 * Lists whose elements are written under a child name after the list's own name
 * (`epcListepc=…epc=…`); '' writes the elements' fields bare. Any other array is a repeated
 * element: each element under the array's name, no header (`set=…set=…`, `sensorReport…`).
 */
const LIST_CHILD: Readonly<Record<string, string>> = {
  epcList: 'epc', inputEPCList: 'epc', outputEPCList: 'epc', childEPCs: 'epc',
  quantityList: 'quantityElement', childQuantityList: 'quantityElement', inputQuantityList: 'quantityElement',
  outputQuantityList: 'quantityElement', sensorElementList: 'sensorElement',
};

const CBV = 'https://ref.gs1.org/cbv/';
const WORD_PREFIX: Readonly<Record<string, string>> = {
  bizStep: `${CBV}BizStep-`,
  disposition: `${CBV}Disp-`,
  set: `${CBV}Disp-`,
  unset: `${CBV}Disp-`,
  'bizTransactionList.type': `${CBV}BTT-`,
  'sourceList.type': `${CBV}SDT-`,
  'destinationList.type': `${CBV}SDT-`,
  'sensorReport.type': 'https://gs1.org/voc/',
  exception: 'https://gs1.org/voc/',
  component: `${CBV}Comp-`,
};
const CBV_URN: ReadonlyArray<readonly [RegExp, string]> = [
  [/^urn:epcglobal:cbv:bizstep:/, `${CBV}BizStep-`],
  [/^urn:epcglobal:cbv:disp:/, `${CBV}Disp-`],
  [/^urn:epcglobal:cbv:btt:/, `${CBV}BTT-`],
  [/^urn:epcglobal:cbv:sdt:/, `${CBV}SDT-`],
  [/^urn:epcglobal:cbv:er:/, `${CBV}ER-`],
];
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const BARE_WORD = /^[A-Za-z_]+$/;

/** Namespace prefix → IRI, from every object in the JSON-LD @context values given. */
export function contextPrefixes(...contexts: unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ctx of contexts) {
    for (const entry of Array.isArray(ctx) ? ctx : [ctx]) {
      if (!entry || typeof entry !== 'object') continue;
      for (const [k, v] of Object.entries(entry as Json)) if (typeof v === 'string') out[k] = v;
    }
  }
  return out;
}

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

/** CURIE prefixes every EPCIS 2.0 document may use without declaring them. */
const STANDARD_PREFIXES: Readonly<Record<string, string>> = {
  gs1: 'https://gs1.org/voc/',
  cbv: 'https://ref.gs1.org/cbv/',
  epcis: 'https://ref.gs1.org/epcis/',
};

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
  const prefix = WORD_PREFIX[`${context}.${name}`] ?? WORD_PREFIX[name];
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
export function eventPreHash(event: Json, documentContext?: unknown): string {
  const prefixes = contextPrefixes(documentContext, event['@context']);
  return `eventType=${String(event['type'])}${fields(event, '', HASH_ORDER, prefixes)}`;
}

/**
 * The event hash ID of an event: `ni:///sha-256;…?ver=CBV2.0`.
 *
 * @example
 * eventHashId(event, doc['@context']) // 'ni:///sha-256;9fa4…?ver=CBV2.0'
 */
export function eventHashId(event: Json, documentContext?: unknown): string {
  const hex = createHash('sha256').update(eventPreHash(event, documentContext), 'utf8').digest('hex');
  return `ni:///sha-256;${hex}?ver=CBV2.0`;
}
