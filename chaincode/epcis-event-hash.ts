/**
 * The EPCIS event hash ID (CBV 2.0 §8.9): a content hash that names an event which arrived
 * without an `eventID`, so that capturing the same event twice, in JSON key order or identifier
 * form of the sender's choosing, gives the same ID and is recorded once.
 *
 * The algorithm, as implemented here (deterministic; no clock, no I/O):
 * 1. A pre-hash string starts with `eventType={type}`.
 * 2. Standard fields follow in the fixed order of {@link HASH_ORDER}; absent fields add nothing.
 *    A scalar adds `name=value`; a list adds its name, then its elements' strings sorted by
 *    UTF-16 code unit and concatenated (`epcListepc=…epc=…`); an object adds its name, then its
 *    children in their own order.
 * 3. Values are normalised: times to UTC with millisecond precision (`…T02:33:31.116Z`); EPCs
 *    and other GS1 identifiers to canonical Digital Link URIs (`normalizeEpc`); CBV bare words
 *    and CBV URNs to their Web URIs (`https://ref.gs1.org/cbv/BizStep-shipping`); numbers in
 *    shortest form (`26`, not `26.0`); strings trimmed.
 * 4. User extensions (namespaced keys, at the top level and inside ilmd, sensor elements and
 *    reports) follow the standard fields as `{namespace-URI}localName=value` (CURIE prefixes
 *    expanded with the event's and the document's @context), nested objects as the key followed
 *    by their children, array elements as repeated keys; sorted among siblings.
 * 5. `eventID`, `recordTime`, `errorDeclaration`, `certificationInfo` and `@context` are left out:
 *    they describe the record of the event, not the event.
 * 6. The ID is `ni:///sha-256;{hex SHA-256 of the UTF-8 pre-hash string}?ver=CBV2.0`.
 *
 * It follows GS1's reference generator (github.com/RalphTro/epcis-event-hash-generator) in
 * structure; byte-for-byte agreement with it on every input is not claimed.
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

/** The standard fields in pre-hash order (CBV 2.0 §8.9.2 Table 8-3, as the reference generator). */
export const HASH_ORDER: Order = [
  ['eventTime', undefined],
  ['eventTimeZoneOffset', undefined],
  ['epcList', undefined],
  ['parentID', undefined],
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
  ['bizTransactionList', [['bizTransaction', undefined], ['type', undefined]]],
  ['sourceList', [['source', undefined], ['type', undefined]]],
  ['destinationList', [['destination', undefined], ['type', undefined]]],
  ['sensorElementList', [['sensorMetadata', SENSOR_METADATA], ['sensorReport', SENSOR_REPORT]]],
  ['ilmd', []],
];

const EXCLUDED = new Set(['type', 'eventID', 'recordTime', 'errorDeclaration', 'certificationInfo', '@context']);
/**
 * Lists whose elements are written under a child name after the list's own name
 * (`epcListepc=…epc=…`); '' writes the elements' fields bare. Any other array is a repeated
 * element: each element under the array's name, no header (`set=…set=…`, `sensorReport…`).
 */
const LIST_CHILD: Readonly<Record<string, string>> = {
  epcList: 'epc', inputEPCList: 'epc', outputEPCList: 'epc', childEPCs: 'epc',
  quantityList: 'quantityElement', childQuantityList: 'quantityElement', inputQuantityList: 'quantityElement',
  outputQuantityList: 'quantityElement', sensorElementList: 'sensorElement',
  bizTransactionList: '', sourceList: '', destinationList: '',
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

function canonicalTime(text: string): string {
  if (!ISO_TIME.test(text)) return text;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

function canonicalScalar(name: string, context: string, value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value).trim();
  if (/time$/i.test(name) && !/offset/i.test(name)) return canonicalTime(text);
  const prefix = WORD_PREFIX[`${context}.${name}`] ?? WORD_PREFIX[name];
  if (prefix && BARE_WORD.test(text)) return prefix + text;
  for (const [re, web] of CBV_URN) if (re.test(text)) return text.replace(re, web);
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
  if (typeof value === 'object') return label + fields(value as Json, context === '' ? label : context, order ?? [], prefixes);
  const text = canonicalScalar(label, context, value);
  return text === '' ? '' : `${label}=${text}`;
}

/** The ordered fields of an object, then its extensions sorted. */
function fields(obj: Json, context: string, order: Order, prefixes: Readonly<Record<string, string>>): string {
  let out = '';
  const known = new Set<string>();
  for (const [name, sub] of order) {
    known.add(name);
    if (obj[name] !== undefined) out += part(name, context, obj[name], sub, prefixes);
  }
  const extensions = Object.keys(obj)
    .filter((k) => !known.has(k) && !EXCLUDED.has(k))
    .map((k) => extension(expandKey(k, prefixes), obj[k], prefixes))
    .sort();
  return out + extensions.join('');
}

function extension(key: string, value: unknown, prefixes: Readonly<Record<string, string>>): string {
  if (Array.isArray(value)) return value.map((v) => extension(key, v, prefixes)).sort().join('');
  if (value !== null && typeof value === 'object') {
    const children = Object.keys(value as Json).map((k) => extension(expandKey(k, prefixes), (value as Json)[k], prefixes));
    return key + children.sort().join('');
  }
  if (value === null || value === undefined) return key;
  return `${key}=${canonicalScalar(key, '', value)}`;
}

/**
 * The pre-hash string of an event (step 1–5 above). `documentContext` is the enclosing
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
