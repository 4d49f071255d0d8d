/**
 * The EPCIS 2.0 query interface's parameters (SimpleEventQuery, REST binding) parsed into a
 * query plan, and answers written as EPCISQueryDocuments.
 *
 * Every identifier in a query is normalised exactly as captured events are (normalizeEpc), so
 * `MATCH_epc=urn:epc:id:sgtin:…` finds events that named the item by Digital Link and vice
 * versa; an EPC pattern (`urn:epc:idpat:sgtin:0614141.107346.*`) matches every serial of the
 * product. Unknown parameters are refused (the standard's QueryParameterException), never
 * silently ignored, since ignoring one would widen the answer.
 */
import { canonicalTime } from '../chaincode/epcis-event-hash';
import { cbvWord, type CbvVocabulary } from '../chaincode/cbv';
import { ZfcError } from '../chaincode/errors';
import { CompanyPrefixes, type UrnWriter } from './company-prefixes';
import { isUri } from '../chaincode/epcis-formats';
import { canonicalIdentifier } from '../chaincode/epcis-identifiers';
import { answeredEvent, copyOf, type StoredEpcisEvent } from '../chaincode/epcis-ledger';
import {
  canonicalOrSame, DEFAULT_PER_PAGE, MAX_PER_PAGE, measurementType, NUMBER, QUANTITY_LISTS, SENSOR_VALUE_FIELDS,
  type AttributeTest, type EpcisQueryPlan, type EpcPattern, type FieldName, type FieldOp, type FieldScope, type FieldTest, type NumberTest, type QuantityTest, type SensorTest, type SensorValueTest, type TypedValues,
} from '../chaincode/epcis-match';
import { CBV_BIZ_STEPS, CBV_BIZ_TRANSACTION_TYPES, CBV_DISPOSITIONS, CBV_ERROR_REASONS, CBV_SOURCE_DEST_TYPES, EPCIS_EVENT_TYPES } from '../chaincode/epcis-schema';

/** The query string as Koa gives it. */
export type QueryParams = Readonly<Record<string, string | string[] | undefined>>;

/** The standard's JSON-LD context for EPCIS 2.0 documents. */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/** Headers every EPCIS answer carries (EPCIS 2.0 §12.3): the one version of each standard spoken here. */
export const EPCIS_HEADERS: Readonly<Record<string, string>> = {
  'GS1-EPCIS-Version': '2.0.0',
  'GS1-EPCIS-Min': '2.0.0',
  'GS1-EPCIS-Max': '2.0.0',
  'GS1-CBV-Version': '2.0.0',
  'GS1-CBV-Min': '2.0.0',
  'GS1-CBV-Max': '2.0.0',
  'GS1-CBV-XML-Format': 'Never_Translates',
};

/** The largest maxEventCount a query may give: checking it counts the matches, up to one more. */
const MAX_EVENT_COUNT = 10_000;

/** Largest value of one query parameter (characters). */
const MAX_PARAM_LENGTH = 8192;
/** Most values of one list-valued parameter. */
const MAX_VALUES = 100;

type Parser = (values: string[], name: string) => Partial<Record<keyof EpcisQueryPlan, unknown>>;

function bad(name: string, message: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `query parameter ${name} ${message}`, { errors: [{ path: `/query/${name}`, message }] });
}

function time(name: string, values: string[]): string {
  const v = values[0] ?? '';
  if (values.length !== 1 || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw bad(name, 'must be one date-time with a time zone, e.g. 2026-03-01T08:00:00Z');
  }
  return canonicalTime(v); // as stored event times are made canonical, so bounds and times compare alike
}

function ids(name: string, values: string[]): string[] {
  return values.map((v) => canonicalQueryId(name, v));
}

/** An identifier of a query in canonical form; a malformed GS1 identifier is a 400 naming the parameter. */
export function canonicalQueryId(name: string, value: string): string {
  try {
    return canonicalIdentifier(value, `/query/${name}`);
  } catch (err) {
    if (err instanceof ZfcError) throw bad(name, `has a malformed identifier: ${err.text}`);
    throw err;
  }
}

function patterns(name: string, values: string[]): EpcPattern[] {
  return values.map((v) => ({ value: canonicalQueryId(name, v), prefix: v.includes('*') }));
}

/** A CBV vocabulary: its bare words, the name its URIs use (chaincode/cbv.ts), and what to call it in an error. */
export interface Vocabulary {
  readonly words: readonly string[];
  readonly web: CbvVocabulary;
  readonly what: string;
}

export const BIZ_STEP: Vocabulary = { words: CBV_BIZ_STEPS, web: 'BizStep', what: 'business step' };
export const DISPOSITION: Vocabulary = { words: CBV_DISPOSITIONS, web: 'Disp', what: 'disposition' };
const BIZ_TRANSACTION_TYPE: Vocabulary = { words: CBV_BIZ_TRANSACTION_TYPES, web: 'BTT', what: 'business transaction type' };
const SOURCE_DEST_TYPE: Vocabulary = { words: CBV_SOURCE_DEST_TYPES, web: 'SDT', what: 'source/destination type' };
const ERROR_REASON: Vocabulary = { words: CBV_ERROR_REASONS, web: 'ER', what: 'error reason' };

/**
 * A CBV value in any of its forms as a plan names it: a CBV URN or Web URI of the vocabulary
 * becomes its bare word (the matcher reads events' values the same way); a bare word or any
 * other URI stays as it is.
 */
function word(vocabulary: Vocabulary, value: string): string {
  return cbvWord(vocabulary.web, value) ?? value;
}

/** Each value as events carry it ({@link word}). */
function vocab(vocabulary: Vocabulary, values: string[]): string[] {
  return values.map((v) => word(vocabulary, v));
}

/**
 * A value of a CBV vocabulary as events carry it: a word of the vocabulary (in any form) as its
 * bare word, or a URI outside the CBV as it is; undefined for anything else.
 */
export function cbvValue(vocabulary: Vocabulary, text: string): string | undefined {
  const bare = word(vocabulary, text);
  if (vocabulary.words.includes(bare)) return bare;
  if (isUri(bare) && !/^(urn:epcglobal:cbv|https?:\/\/(ns|ref)\.gs1\.org\/cbv\/)/.test(bare)) return bare;
  return undefined;
}


/** A type named in a parameter's name ({@link cbvValue}); anything else is a 400 naming the parameter. */
function typeOf(vocabulary: Vocabulary, name: string, text: string): string {
  const value = cbvValue(vocabulary, text);
  if (value !== undefined) return value;
  throw bad(name, `names ${JSON.stringify(text.slice(0, 100))}, which is neither a CBV ${vocabulary.what} nor a URI outside the CBV`);
}

/**
 * The families of parameters whose name carries a type (`EQ_bizTransaction_po`): the plan's
 * field, and the vocabulary of the type.
 */
const TYPED: ReadonlyArray<{ readonly prefix: string; readonly field: 'bizTransactions' | 'sources' | 'destinations'; readonly vocabulary: Vocabulary }> = [
  { prefix: 'EQ_bizTransaction_', field: 'bizTransactions', vocabulary: BIZ_TRANSACTION_TYPE },
  { prefix: 'EQ_source_', field: 'sources', vocabulary: SOURCE_DEST_TYPE },
  { prefix: 'EQ_destination_', field: 'destinations', vocabulary: SOURCE_DEST_TYPE },
];

const ACTIONS = ['ADD', 'OBSERVE', 'DELETE'];

/** GE_/LT_errorDeclarationTime, under either of its two spellings. */
const declaredFrom: Parser = (v, n) => ({ geErrorDeclarationTime: time(n, v) });
const declaredBefore: Parser = (v, n) => ({ ltErrorDeclarationTime: time(n, v) });

const PARSERS: Readonly<Record<string, Parser>> = {
  eventType: (v, n) => {
    for (const t of v) if (!(EPCIS_EVENT_TYPES as readonly string[]).includes(t)) throw bad(n, `must be one of ${EPCIS_EVENT_TYPES.join(', ')}`);
    return { eventTypes: v };
  },
  GE_eventTime: (v, n) => ({ geEventTime: time(n, v) }),
  LT_eventTime: (v, n) => ({ ltEventTime: time(n, v) }),
  GE_recordTime: (v, n) => ({ geRecordTime: time(n, v) }),
  LT_recordTime: (v, n) => ({ ltRecordTime: time(n, v) }),
  EQ_bizStep: (v) => ({ bizSteps: vocab(BIZ_STEP, v) }),
  EQ_disposition: (v) => ({ dispositions: vocab(DISPOSITION, v) }),
  EQ_readPoint: (v, n) => ({ readPoints: ids(n, v) }),
  EQ_bizLocation: (v, n) => ({ bizLocations: ids(n, v) }),
  WD_readPoint: (v, n) => ({ readPointsWithin: ids(n, v) }),
  WD_bizLocation: (v, n) => ({ bizLocationsWithin: ids(n, v) }),
  MATCH_epc: (v, n) => ({ epcs: patterns(n, v) }),
  MATCH_anyEPC: (v, n) => ({ anyEpcs: patterns(n, v) }),
  MATCH_parentID: (v, n) => ({ parentIDs: patterns(n, v) }),
  MATCH_inputEPC: (v, n) => ({ inputEpcs: patterns(n, v) }),
  MATCH_outputEPC: (v, n) => ({ outputEpcs: patterns(n, v) }),
  MATCH_epcClass: (v, n) => ({ epcClasses: patterns(n, v) }),
  MATCH_inputEPCClass: (v, n) => ({ inputEpcClasses: patterns(n, v) }),
  MATCH_outputEPCClass: (v, n) => ({ outputEpcClasses: patterns(n, v) }),
  MATCH_anyEPCClass: (v, n) => ({ anyEpcClasses: patterns(n, v) }),
  EQ_eventID: (v) => ({ eventIDs: v }),
  EQ_action: (v, n) => {
    for (const a of v) if (!ACTIONS.includes(a)) throw bad(n, `must be one of ${ACTIONS.join(', ')}`);
    return { actions: v };
  },
  EQ_transformationID: (v, n) => ({ transformationIDs: ids(n, v) }),
  EQ_errorReason: (v) => ({ errorReasons: vocab(ERROR_REASON, v) }),
  EQ_correctiveEventID: (v) => ({ correctiveEventIDs: v }),
  GE_errorDeclaration_Time: declaredFrom,
  LT_errorDeclaration_Time: declaredBefore,
  // the REST binding's OpenAPI spells these without the underscore (GS1's query schema with it): both are taken
  GE_errorDeclarationTime: declaredFrom,
  LT_errorDeclarationTime: declaredBefore,
  EQ_persistentDisposition_set: (v) => ({ persistentDispositionsSet: vocab(DISPOSITION, v) }),
  EQ_persistentDisposition_unset: (v) => ({ persistentDispositionsUnset: vocab(DISPOSITION, v) }),
  perPage: (v, n) => {
    const p = Number(v[0]);
    if (v.length !== 1 || !/^\d+$/.test(v[0] ?? '') || p < 1 || p > MAX_PER_PAGE) throw bad(n, `must be an integer from 1 to ${MAX_PER_PAGE}`);
    return { perPage: p };
  },
};

/** URIs, as given: a value that is not one is a 400. */
function uris(name: string, values: string[]): string[] {
  for (const v of values) if (!isUri(v)) throw bad(name, `has a value that is not a URI: ${JSON.stringify(v.slice(0, 100))}`);
  return values;
}

/**
 * The sensor parameters that name a field of a sensor report or its metadata (EPCIS 2.0
 * §8.2.7.1); all of a query's sensor conditions apply to one report (epcis-match.ts SensorTest).
 */
const SENSOR_PARSERS: Readonly<Record<string, (values: string[], name: string) => Partial<SensorTest>>> = {
  GE_time: (v, n) => ({ geTime: time(n, v) }),
  LT_time: (v, n) => ({ ltTime: time(n, v) }),
  GE_startTime: (v, n) => ({ geStartTime: time(n, v) }),
  LT_startTime: (v, n) => ({ ltStartTime: time(n, v) }),
  GE_endTime: (v, n) => ({ geEndTime: time(n, v) }),
  LT_endTime: (v, n) => ({ ltEndTime: time(n, v) }),
  EQ_type: (v, n) => ({
    types: v.map((t) => {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(t) && !isUri(t)) throw bad(n, `has a value that is neither a GS1 measurement type (Temperature, gs1:Temperature) nor a URI: ${JSON.stringify(t.slice(0, 100))}`);
      return measurementType(t);
    }),
  }),
  EQ_deviceID: (v, n) => ({ deviceIDs: ids(n, uris(n, v)) }),
  EQ_dataProcessingMethod: (v, n) => ({ dataProcessingMethods: uris(n, v) }),
  EQ_bizRules: (v, n) => ({ bizRules: uris(n, v) }),
  EQ_microorganism: (v, n) => ({ microorganisms: uris(n, v) }),
  EQ_chemicalSubstance: (v, n) => ({ chemicalSubstances: uris(n, v) }),
  EQ_uriValue: (v, n) => ({ uriValues: uris(n, v) }),
  EQ_stringValue: (v) => ({ stringValues: v }),
  EQ_booleanValue: (v, n) => ({
    booleanValues: v.map((b) => {
      if (b !== 'true' && b !== 'false') throw bad(n, 'must be true or false');
      return b === 'true';
    }),
  }),
  EQ_hexBinaryValue: (v, n) => ({
    hexBinaryValues: v.map((h) => {
      if (!/^(?:[0-9A-Fa-f]{2})+$/.test(h)) throw bad(n, 'must be hexadecimal octets, such as f0f0f0');
      return h.toLowerCase();
    }),
  }),
};

/** Numeric comparisons by parameter prefix. */
const COMPARISONS = { EQ: 'eq', GT: 'gt', GE: 'ge', LT: 'lt', LE: 'le' } as const;
/** `EQ_quantity`, `GT_quantity_KGM`, …: a unit is a UN/ECE Recommendation 20 code. */
const QUANTITY_PARAM = /^(EQ|GT|GE|LT|LE)_quantity(?:_([A-Z0-9]{2,4}))?$/;
/** `GT_maxValue_CEL`, `EQ_value_KGM`, …, and `GE_percRank` (no unit). */
const SENSOR_VALUE_PARAM = new RegExp(`^(EQ|GT|GE|LT|LE)_(${SENSOR_VALUE_FIELDS.join('|')})_([A-Z0-9]{2,4})$`);
const PERC_RANK_PARAM = /^(GT|GE|LT|LE)_percRank$/;

/** A test with one more comparison: EQ takes a list of numbers, the others one. */
function withComparison(test: NumberTest | undefined, op: keyof typeof COMPARISONS, values: string[], name: string): NumberTest {
  const numbers = values.map((v) => {
    const n = Number(v);
    if (!NUMBER.test(v) || !Number.isFinite(n)) throw bad(name, `has a value that is not a number: ${JSON.stringify(v.slice(0, 100))}`);
    return n;
  });
  if (op !== 'EQ' && numbers.length !== 1) throw bad(name, 'takes one number');
  const key = COMPARISONS[op];
  if (test?.[key] !== undefined) throw bad(name, 'is given twice');
  return { ...test, [key]: key === 'eq' ? numbers : numbers[0] };
}

/**
 * The extension field families (`EQ_example:temperature`, `GT_INNER_ILMD_example:weight`,
 * `EXISTS_SENSORREPORT_example:calibrated`, `EQ_readPoint_example:zone`, …): operator, INNER,
 * where, and the field as `prefix:name`.
 */
const FIELD_PARAM = /^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_|readPoint_|bizLocation_)?([a-z][a-zA-Z0-9]*:\w+)$/;
const FIELD_SCOPE: Readonly<Record<string, FieldScope>> = {
  '': 'event', ILMD_: 'ilmd', ERROR_DECLARATION_: 'errorDeclaration', SENSORELEMENT_: 'sensorElement', SENSORMETADATA_: 'sensorMetadata', SENSORREPORT_: 'sensorReport', readPoint_: 'readPoint', bizLocation_: 'bizLocation',
};

/** An extension field parameter as a test, its prefix resolved where the query declared it; undefined if `name` is none. */
function fieldTest(name: string, raw: string | string[], prefixes: Readonly<Record<string, string>>): FieldTest | undefined {
  const m = FIELD_PARAM.exec(name);
  if (!m) return undefined;
  const op = m[1] as FieldOp;
  const scope = FIELD_SCOPE[m[3] ?? ''] as FieldScope;
  if ((scope === 'readPoint' || scope === 'bizLocation') && op !== 'EQ') return undefined; // the standard has only EQ_ there
  const field = m[4] as string;
  const ns = prefixes[field.slice(0, field.indexOf(':'))];
  const base = { scope, inner: m[2] !== undefined, name: field, ...(ns !== undefined ? { iri: ns + field.slice(field.indexOf(':') + 1) } : {}), op };
  if (op === 'EXISTS') {
    const given = (Array.isArray(raw) ? raw : [raw]).map((v) => v.trim());
    if (given.some((v) => v !== '' && v !== 'true')) throw bad(name, 'takes no value (or true)');
    return base;
  }
  const values = valuesOf(name, raw);
  if (op !== 'EQ' && values.length !== 1) throw bad(name, 'takes one value (a number or a date-time)');
  return { ...base, values };
}

/**
 * The namespace prefixes a request declares in its `GS1-Extensions` header (`ex=https://…/,
 * ex2=https://…/`), by which its extension field parameters are read.
 */
export function extensionPrefixes(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of (header ?? '').split(',')) {
    const m = /^\s*([A-Za-z][A-Za-z0-9._-]*)\s*=\s*(\S+)\s*$/.exec(entry);
    if (m && isUri(m[2] as string)) out[m[1] as string] = m[2] as string;
  }
  return out;
}

/**
 * `HASATTR_{field}` (values: attribute names) and `EQ_ATTR_{field}_{attribute}` (values: the
 * attribute's), for the fields whose master data this repository keeps: read points and
 * business locations (chaincode/epcis-master-data.ts).
 */
const ATTRIBUTE_PARAM = /^(?:(HASATTR)_(readPoint|bizLocation)|(EQ_ATTR)_(readPoint|bizLocation)_(.{1,2048}))$/;

/** Every parameter this interface answers, as a refusal lists them. */
const SUPPORTED = [
  ...Object.keys(PARSERS),
  ...Object.keys(SENSOR_PARSERS),
  ...TYPED.map((f) => `${f.prefix}{type}`),
  'EXISTS_errorDeclaration', 'EXISTS_sensorElementList', 'eventCountLimit', 'maxEventCount',
  '{EQ,GT,GE,LT,LE,EXISTS}_[INNER_][{ILMD,ERROR_DECLARATION,SENSORELEMENT,SENSORMETADATA,SENSORREPORT}_]{prefix:field}', 'EQ_[INNER_]{readPoint,bizLocation}_{prefix:field}',
  '{EQ,GT,GE,LT,LE}_quantity[_{uom}]', `{EQ,GT,GE,LT,LE}_{${SENSOR_VALUE_FIELDS.join(',')}}_{uom}`, '{GT,GE,LT,LE}_percRank',
  'HASATTR_{readPoint,bizLocation}', 'EQ_ATTR_{readPoint,bizLocation}_{attribute}',
  'orderBy', 'orderDirection', 'nextPageToken',
].join(', ');

/**
 * A numeric parameter (quantity, a sensor value, percRank) folded into the plan: comparisons of
 * the same quantity unit, or of the same sensor field and unit, join one test (one element, one
 * report must pass them all). False if `name` is no such parameter.
 */
function foldNumeric(plan: Record<string, unknown>, name: string, values: string[]): boolean {
  const q = QUANTITY_PARAM.exec(name);
  if (q) {
    const op = q[1] as keyof typeof COMPARISONS;
    const uom = q[2];
    const tests = [...((plan['quantities'] as QuantityTest[] | undefined) ?? [])];
    const i = tests.findIndex((t) => t.uom === uom);
    const next: QuantityTest = { ...(uom !== undefined ? { uom } : {}), test: withComparison(tests[i]?.test, op, values, name) };
    if (i >= 0) tests[i] = next;
    else tests.push(next);
    plan['quantities'] = tests;
    return true;
  }
  const sensor = { ...((plan['sensor'] as SensorTest | undefined) ?? {}) };
  const v = SENSOR_VALUE_PARAM.exec(name);
  if (v) {
    const field = v[2] as SensorValueTest['field'];
    const uom = v[3] as string;
    const tests = [...(sensor.values ?? [])];
    const i = tests.findIndex((t) => t.field === field && t.uom === uom);
    const next: SensorValueTest = { field, uom, test: withComparison(tests[i]?.test, v[1] as keyof typeof COMPARISONS, values, name) };
    if (i >= 0) tests[i] = next;
    else tests.push(next);
    plan['sensor'] = { ...sensor, values: tests };
    return true;
  }
  const r = PERC_RANK_PARAM.exec(name);
  if (r) {
    plan['sensor'] = { ...sensor, percRank: withComparison(sensor.percRank, r[1] as keyof typeof COMPARISONS, values, name) };
    return true;
  }
  return false;
}

/**
 * What separates the values of one parameter: `|`, as the REST binding's OpenAPI says
 * (pipeDelimited), and `,`, which this interface took before (neither is in an EPC URN, nor `|`
 * in any GS1 value; a Digital Link whose lot holds a comma says it as `%2C`).
 */
const LIST_SEPARATOR = /[|,]/;

/** The values of one parameter: repeated parameters and `|` (or `,`) separated lists all count. */
function valuesOf(name: string, raw: string | string[]): string[] {
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(LIST_SEPARATOR)).map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw bad(name, 'has no value');
  if (list.length > MAX_VALUES) throw bad(name, `has more than ${MAX_VALUES} values`);
  if (list.some((s) => s.length > MAX_PARAM_LENGTH)) throw bad(name, `has a value longer than ${MAX_PARAM_LENGTH} characters`);
  return list;
}

/** A parsed query: the plan and the page token. */
export interface ParsedQuery {
  readonly plan: EpcisQueryPlan;
  readonly pageToken: string;
  /** `orderBy` / `orderDirection`, when the query gave either. */
  readonly order?: EventOrder;
  /**
   * `eventCountLimit` (answer at most the first N matching events, over every page) or
   * `maxEventCount` (refuse with QUERY_TOO_LARGE a query that matches more than N): they shape
   * the answer, not which events match, so they are not the plan's.
   */
  readonly limits?: { readonly eventCountLimit?: number; readonly maxEventCount?: number };
}

/**
 * The order of an answer (EPCIS 2.0 §8.2.7.1): by eventTime, by recordTime, or by a top-level
 * extension field of type Int, Float, Time or String (`orderBy=ex:grade`, the prefix declared in
 * GS1-Extensions or as each event's document declared it; or the field's full IRI), ascending or
 * descending. Without one, answers come in ascending eventTime order.
 */
export type EventOrder =
  | { readonly by: 'eventTime' | 'recordTime'; readonly direction: 'ASC' | 'DESC' }
  | { readonly by: 'field'; readonly field: FieldName; readonly direction: 'ASC' | 'DESC' };

/** An extension field as `orderBy` names it: `prefix:name` as EQ_ fields are, or a full IRI. */
const ORDER_FIELD = /^[a-z][a-zA-Z0-9]*:\w+$/;

/**
 * `orderBy` and `orderDirection`: with `orderBy` the direction defaults to DESC, as the standard
 * says; `orderDirection` alone orders by eventTime, the order this repository answers in anyway.
 */
function orderOf(by: string | undefined, direction: string | undefined, prefixes: Readonly<Record<string, string>>): EventOrder | undefined {
  if (by === undefined && direction === undefined) return undefined;
  if (direction !== undefined && direction !== 'ASC' && direction !== 'DESC') throw bad('orderDirection', 'must be ASC or DESC');
  const dir = direction ?? (by !== undefined ? 'DESC' : 'ASC');
  if (by === undefined || by === 'eventTime' || by === 'recordTime') return { by: by ?? 'eventTime', direction: dir };
  if (ORDER_FIELD.test(by)) {
    const ns = prefixes[by.slice(0, by.indexOf(':'))];
    return { by: 'field', field: { name: by, ...(ns !== undefined ? { iri: ns + by.slice(by.indexOf(':') + 1) } : {}) }, direction: dir };
  }
  if (by.length <= 2048 && isUri(by) && /^https?:\/\//.test(by)) return { by: 'field', field: { name: by, iri: by }, direction: dir };
  throw bad('orderBy', 'must be eventTime, recordTime, or an extension field (prefix:name, or its full IRI)');
}

/**
 * Parses the standard's query parameters into a plan.
 *
 * @throws ZfcError INVALID_ARGUMENT naming the parameter (`/query/{name}`), for an unknown
 *   parameter or a bad value.
 * @example
 * parseEpcisQuery({ MATCH_epc: 'urn:epc:id:sgtin:0614141.107346.2017', perPage: '10' })
 */
export function parseEpcisQuery(query: QueryParams, fixed: Partial<EpcisQueryPlan> = {}, prefixes: Readonly<Record<string, string>> = {}): ParsedQuery {
  let plan: Record<string, unknown> = { perPage: DEFAULT_PER_PAGE };
  let pageToken = '';
  const ordering: { by?: string; direction?: string } = {};
  const limits: { eventCountLimit?: number; maxEventCount?: number } = {};
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    if (name === 'orderBy' || name === 'orderDirection') {
      const values = valuesOf(name, raw);
      if (values.length !== 1) throw bad(name, 'must be given once');
      ordering[name === 'orderBy' ? 'by' : 'direction'] = values[0] as string;
      continue;
    }
    if (name === 'eventCountLimit' || name === 'maxEventCount') {
      const values = valuesOf(name, raw);
      const n = Number(values[0]);
      const [min, max] = name === 'eventCountLimit' ? [1, Number.MAX_SAFE_INTEGER] : [0, MAX_EVENT_COUNT];
      if (values.length !== 1 || !/^\d{1,16}$/.test(values[0] ?? '') || n < min || n > max) throw bad(name, `must be one integer from ${min} to ${max}`);
      limits[name] = n;
      continue;
    }
    if (name === 'nextPageToken') {
      pageToken = valuesOf(name, raw)[0] ?? '';
      if (!/^[A-Za-z0-9_-]{1,4096}$/.test(pageToken)) throw bad(name, 'is not a page token this server issued');
      continue;
    }
    if (name === 'EXISTS_errorDeclaration' || name === 'EXISTS_sensorElementList') {
      // a parameter without a value in the standard (Void); `true` is taken too
      const given = (Array.isArray(raw) ? raw : [raw]).map((s) => s.trim());
      if (given.some((s) => s !== '' && s !== 'true')) throw bad(name, 'takes no value (or true)');
      plan = { ...plan, ...(name === 'EXISTS_errorDeclaration' ? { errorDeclared: true } : { sensorData: true }) };
      continue;
    }
    const sensorParser = SENSOR_PARSERS[name];
    if (sensorParser) {
      plan = { ...plan, sensor: { ...(plan['sensor'] as SensorTest | undefined), ...sensorParser(valuesOf(name, raw), name) } };
      continue;
    }
    const attribute = ATTRIBUTE_PARAM.exec(name);
    if (attribute) {
      const test: AttributeTest = attribute[1] === 'HASATTR'
        ? { field: attribute[2] as AttributeTest['field'], names: valuesOf(name, raw) }
        : { field: attribute[4] as AttributeTest['field'], names: [attribute[5] as string], values: valuesOf(name, raw) };
      plan = { ...plan, attributes: [...((plan['attributes'] as AttributeTest[] | undefined) ?? []), test] };
      continue;
    }
    const field = fieldTest(name, raw, prefixes);
    if (field) {
      plan = { ...plan, fields: [...((plan['fields'] as FieldTest[] | undefined) ?? []), field] };
      continue;
    }
    if (foldNumeric(plan, name, valuesOf(name, raw))) continue;
    const family = TYPED.find((f) => name.startsWith(f.prefix) && name.length > f.prefix.length);
    if (family) {
      const entry: TypedValues = { type: typeOf(family.vocabulary, name, name.slice(family.prefix.length)), values: ids(name, valuesOf(name, raw)) };
      const before = (plan[family.field] as TypedValues[] | undefined) ?? [];
      plan = { ...plan, [family.field]: [...before, entry] };
      continue;
    }
    const parser = PARSERS[name];
    if (!parser) throw bad(name, `is not a supported query parameter (supported: ${SUPPORTED})`);
    plan = { ...plan, ...parser(valuesOf(name, raw), name) };
  }
  const order = orderOf(ordering.by, ordering.direction, prefixes);
  if (limits.eventCountLimit !== undefined && limits.maxEventCount !== undefined) throw bad('maxEventCount', 'cannot be given with eventCountLimit (EPCIS 8.2.7.1)');
  if (limits.eventCountLimit !== undefined && ordering.by === undefined) throw bad('eventCountLimit', 'needs orderBy: the first N are first in an order the query names (EPCIS 8.2.7.1)');
  return { plan: { ...(plan as unknown as EpcisQueryPlan), ...fixed }, pageToken, ...(order ? { order } : {}), ...(Object.keys(limits).length > 0 ? { limits } : {}) };
}

/**
 * How an answer writes EPCs (`GS1-EPC-Format`): as canonical GS1 Digital Links — the standard's
 * default — as EPC URNs, or as they were captured (`Never_Translates`).
 */
export type EpcFormat = 'Always_GS1_Digital_Link' | 'Always_EPC_URN' | 'Never_Translates';

/**
 * The EPC format a request asks for: Digital Link when it says nothing, `No_Preference` or
 * `Always_GS1_Digital_Link`; as captured for `Never_Translates`; URNs for `Always_EPC_URN`, which
 * an answer then writes by the company prefix lengths it knows (company-prefixes.ts), refusing
 * (NOT_ACCEPTABLE) an identifier of a company whose prefix length it does not.
 */
export function epcFormatOf(header: string | undefined): EpcFormat {
  return formatHeaderValue('GS1-EPC-Format', header, 'Always_GS1_Digital_Link', ['Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates']);
}

/**
 * The value of one of the REST binding's format headers (`GS1-EPC-Format`, `GS1-CBV-XML-Format`):
 * `preferred` when it says nothing or `No_Preference` (the server's choice), one of `values` as
 * given, INVALID_ARGUMENT naming the header for anything else.
 */
export function formatHeaderValue<T extends string>(name: string, header: string | undefined, preferred: T, values: readonly T[]): T {
  const asked = (header ?? '').trim();
  if (asked === '' || asked === 'No_Preference') return preferred;
  if ((values as readonly string[]).includes(asked)) return asked as T;
  const all = ['No_Preference', ...values];
  throw new ZfcError('INVALID_ARGUMENT', `${name} is ${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`, { errors: [{ path: `/headers/${name}`, message: 'is not one of the standard\'s values' }] });
}

const ID_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;
const PARTY_LISTS = [['sourceList', 'source'], ['destinationList', 'destination'], ['bizTransactionList', 'bizTransaction']] as const;

/** An event with its EPCs, classes, places, parties and business transactions written by `write` (others unchanged). */
function withIdentifiers(event: Readonly<Record<string, unknown>>, write: (identifier: string) => string): Record<string, unknown> {
  const id = (v: unknown): unknown => (typeof v === 'string' ? write(v) : v);
  const objectWith = (v: unknown, key: string): unknown => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const copy = copyOf(v as Record<string, unknown>); // not { ...v, [key]: … }: epcis-ledger.ts copyOf says why
    copy[key] = id((v as Record<string, unknown>)[key]);
    return copy;
  };
  const out = copyOf(event);
  for (const k of ID_LISTS) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map(id);
  for (const k of QUANTITY_LISTS) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((q) => objectWith(q, 'epcClass'));
  for (const [k, field] of PARTY_LISTS) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((x) => objectWith(x, field));
  if (out['parentID'] !== undefined) out['parentID'] = id(out['parentID']);
  if (out['transformationID'] !== undefined) out['transformationID'] = id(out['transformationID']);
  for (const k of ['readPoint', 'bizLocation']) if (out[k] !== undefined) out[k] = objectWith(out[k], 'id');
  return out;
}

/**
 * A stored event as the query interface answers it: as captured (or its EPCs as canonical
 * Digital Links, or as EPC URNs written by `prefixes`), with its eventID and recordTime, and the
 * errorDeclaration made about it later, if any.
 *
 * @throws ZfcError NOT_ACCEPTABLE in EPC URN form for an identifier whose company prefix length
 *   `prefixes` does not know (and refuses), or with no `prefixes` at all.
 */
export function answerEvent(stored: StoredEpcisEvent, format: EpcFormat, prefixes?: UrnWriter): Record<string, unknown> {
  if (format === 'Never_Translates') return answeredEvent(stored, stored.event);
  if (format === 'Always_GS1_Digital_Link') return answeredEvent(stored, withIdentifiers(stored.event, canonicalOrSame));
  const urns = prefixes ?? new CompanyPrefixes();
  return answeredEvent(stored, withIdentifiers(stored.event, (v) => urns.urnOf(canonicalOrSame(v))));
}

/**
 * The JSON-LD @context of an answer: the standard's, plus every namespace prefix the events'
 * capture documents declared. A prefix declared with two different IRIs is not merged: events
 * that use the later one carry their capture document's @context themselves.
 */
function contexts(events: readonly StoredEpcisEvent[]): { context: unknown[]; own: Set<StoredEpcisEvent> } {
  const merged: Record<string, string> = {};
  const own = new Set<StoredEpcisEvent>();
  for (const e of events) {
    const objs = (Array.isArray(e.context) ? e.context : [e.context]).filter((c): c is Record<string, unknown> => !!c && typeof c === 'object');
    const conflict = objs.some((o) => Object.entries(o).some(([k, v]) => merged[k] !== undefined && merged[k] !== v));
    if (conflict) own.add(e);
    else for (const o of objs) for (const [k, v] of Object.entries(o)) if (typeof v === 'string') merged[k] = v;
  }
  return { context: Object.keys(merged).length > 0 ? [EPCIS_CONTEXT_URL, merged] : [EPCIS_CONTEXT_URL], own };
}

/**
 * An EPCISQueryDocument holding the given events.
 *
 * @example
 * ctx.body = queryDocument(page.events, new Date().toISOString());
 */
export function queryDocument(events: readonly StoredEpcisEvent[], creationDate: string, queryName = 'SimpleEventQuery', format: EpcFormat = 'Always_GS1_Digital_Link', prefixes?: UrnWriter): Record<string, unknown> {
  const { context, own } = contexts(events);
  const eventList = events.map((e) => {
    const out = answerEvent(e, format, prefixes);
    return own.has(e) && out['@context'] === undefined ? { '@context': e.context, ...out } : out;
  });
  return {
    '@context': context,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate,
    epcisBody: { queryResults: { queryName, resultsBody: { eventList } } },
  };
}
