/**
 * The EPCIS query plan and the one function that decides whether a stored event matches it.
 *
 * The gateway parses the standard's query parameters into a plan (gateway-api/epcis-query.ts);
 * whichever store answers it — the chaincode's own indexes through `evaluate`, or an index in
 * the gateway — uses this same matcher, so every store gives the same answer. Identifier values
 * in a plan are canonical (normalised like the events), so a URN query finds Digital Link events.
 */
import { cbvWord, type CbvVocabulary } from './cbv';
import { canonicalTime, contextPrefixes, ISO_TIME, STANDARD_PREFIXES } from './epcis-event-hash';
import { normalizeCached, type EventIdentifiers } from './epcis-identifiers';
import type { LocationField, MasterDataView } from './epcis-master-data';

/** A parsed, validated EPCIS SimpleEventQuery (the subset this project answers). */
export interface EpcisQueryPlan {
  readonly eventTypes?: readonly string[];
  /** Inclusive lower / exclusive upper bound of eventTime, canonical UTC ISO with ms. */
  readonly geEventTime?: string;
  readonly ltEventTime?: string;
  readonly geRecordTime?: string;
  readonly ltRecordTime?: string;
  /** CBV bare words or URIs, as events carry them. */
  readonly bizSteps?: readonly string[];
  readonly dispositions?: readonly string[];
  /** Canonical identifiers. */
  readonly readPoints?: readonly string[];
  readonly bizLocations?: readonly string[];
  readonly epcs?: readonly EpcPattern[];
  readonly anyEpcs?: readonly EpcPattern[];
  readonly parentIDs?: readonly EpcPattern[];
  readonly inputEpcs?: readonly EpcPattern[];
  readonly outputEpcs?: readonly EpcPattern[];
  readonly epcClasses?: readonly EpcPattern[];
  readonly inputEpcClasses?: readonly EpcPattern[];
  readonly outputEpcClasses?: readonly EpcPattern[];
  readonly anyEpcClasses?: readonly EpcPattern[];
  readonly eventIDs?: readonly string[];
  /** ADD, OBSERVE or DELETE. */
  readonly actions?: readonly string[];
  /**
   * `EQ_bizTransaction_{type}`, `EQ_source_{type}`, `EQ_destination_{type}`: for each entry, the
   * event lists a business transaction (source, destination) of that type (a CBV bare word, or a
   * URI outside the CBV) whose identifier is one of `values` (canonical where GS1 identifiers;
   * other URIs as given). Entries are ANDed, values within one ORed.
   */
  readonly bizTransactions?: readonly TypedValues[];
  readonly sources?: readonly TypedValues[];
  readonly destinations?: readonly TypedValues[];
  /** A TransformationEvent's transformationID (canonical where a GS1 identifier). */
  readonly transformationIDs?: readonly string[];
  /** `EXISTS_errorDeclaration`: only events declared erroneous (when captured or later). */
  readonly errorDeclared?: true;
  /** The error declaration's reason (CBV bare word or URI), and its corrective events. */
  readonly errorReasons?: readonly string[];
  readonly correctiveEventIDs?: readonly string[];
  /** `GE_errorDeclaration_Time` / `LT_errorDeclaration_Time`: when the error was declared (canonical UTC). */
  readonly geErrorDeclarationTime?: string;
  readonly ltErrorDeclarationTime?: string;
  /** `EQ_persistentDisposition_set` / `_unset`: one of these dispositions set (unset) by the event. */
  readonly persistentDispositionsSet?: readonly string[];
  readonly persistentDispositionsUnset?: readonly string[];
  /**
   * `EQ_quantity`, `GT_quantity_{uom}`, …: for each entry, a quantity element of the event (in
   * any of its quantity lists) in that unit — without `uom`, one counted in instances (no uom) —
   * whose quantity passes every test of the entry.
   */
  readonly quantities?: readonly QuantityTest[];
  /** `EXISTS_sensorElementList`: only events with sensor data. */
  readonly sensorData?: true;
  /** The sensor conditions (`EQ_type`, `GT_maxValue_CEL`, `GE_time`, …): see {@link SensorTest}. */
  readonly sensor?: SensorTest;
  /** Extension fields (`EQ_example:temperature`, `EXISTS_INNER_ILMD_example:batch`, …): see {@link FieldTest}; all must pass. */
  readonly fields?: readonly FieldTest[];
  /**
   * `WD_readPoint` / `WD_bizLocation` (canonical): the event's read point (business location)
   * is one of these, or a direct or indirect descendant of one by master data
   * (epcis-master-data.ts; without master data, only the locations themselves match).
   */
  readonly readPointsWithin?: readonly string[];
  readonly bizLocationsWithin?: readonly string[];
  /** `HASATTR_{field}` and `EQ_ATTR_{field}_{name}`: see {@link AttributeTest}; all must pass. */
  readonly attributes?: readonly AttributeTest[];
  /** Events per page (1…{@link MAX_PER_PAGE}). */
  readonly perPage: number;
}

/**
 * Master data the event's read point or business location must have: an attribute of one of
 * `names` (`HASATTR_{field}`), with one of `values` (`EQ_ATTR_{field}_{name}`; a value compares
 * as its text, a number as JSON writes it).
 */
export interface AttributeTest {
  readonly field: LocationField;
  readonly names: readonly string[];
  readonly values?: readonly string[];
}

/** A canonical identifier, or a prefix of one (from an EPC pattern such as `urn:epc:idpat:sgtin:…*`). */
export interface EpcPattern {
  readonly value: string;
  readonly prefix: boolean;
}

/** A type (a CBV bare word or another URI) and the identifiers wanted for it. */
export interface TypedValues {
  readonly type: string;
  readonly values: readonly string[];
}

/** Tests of one number: equal to one of `eq`, and within every bound given. */
export interface NumberTest {
  readonly eq?: readonly number[];
  readonly gt?: number;
  readonly ge?: number;
  readonly lt?: number;
  readonly le?: number;
}

/** Tests that one quantity element in a unit must pass (`uom` absent: an element counted in instances). */
export interface QuantityTest {
  readonly uom?: string;
  readonly test: NumberTest;
}

/** The numeric fields of a sensor report that queries compare, each in the report's `uom`. */
export const SENSOR_VALUE_FIELDS = ['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percValue'] as const;

/** Tests of one numeric field of a sensor report measured in one unit (`GT_maxValue_CEL`). */
export interface SensorValueTest {
  readonly field: (typeof SENSOR_VALUE_FIELDS)[number];
  readonly uom: string;
  readonly test: NumberTest;
}

/**
 * Sensor conditions. All of them must hold for ONE sensor report, read with the sensorMetadata
 * of its sensor element: "above 8 °C" and "a temperature" must be the same reading, not any two
 * readings of the event. A report's time, deviceID and dataProcessingMethod are its own, else its
 * element's metadata's; startTime, endTime and bizRules are the metadata's. Measurement types
 * are full IRIs (`Temperature` and `gs1:Temperature` are `https://gs1.org/voc/Temperature`);
 * values compare only in the unit named, never converted.
 */
export interface SensorTest {
  readonly geTime?: string;
  readonly ltTime?: string;
  readonly geStartTime?: string;
  readonly ltStartTime?: string;
  readonly geEndTime?: string;
  readonly ltEndTime?: string;
  readonly types?: readonly string[];
  readonly deviceIDs?: readonly string[];
  readonly dataProcessingMethods?: readonly string[];
  readonly bizRules?: readonly string[];
  readonly microorganisms?: readonly string[];
  readonly chemicalSubstances?: readonly string[];
  readonly stringValues?: readonly string[];
  readonly booleanValues?: readonly boolean[];
  /** Lower case. */
  readonly hexBinaryValues?: readonly string[];
  readonly uriValues?: readonly string[];
  readonly percRank?: NumberTest;
  readonly values?: readonly SensorValueTest[];
}

/** A sensor report's measurement type as a full IRI: a GS1 Web Vocabulary word or CURIE expanded, any other IRI as it is. */
export function measurementType(text: string): string {
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(text)) return `${STANDARD_PREFIXES['gs1'] as string}${text}`;
  return /^gs1:[A-Za-z]/.test(text) ? `${STANDARD_PREFIXES['gs1'] as string}${text.slice(4)}` : text;
}

/** Where an extension field is looked for. */
export const FIELD_SCOPES = ['event', 'ilmd', 'errorDeclaration', 'sensorElement', 'sensorMetadata', 'sensorReport', 'readPoint', 'bizLocation'] as const;
export type FieldScope = (typeof FIELD_SCOPES)[number];
export type FieldOp = 'EQ' | 'GT' | 'GE' | 'LT' | 'LE' | 'EXISTS';

/** An extension field as a query names it: `prefix:name`, with the full name when the query declared the prefix. */
export interface FieldName {
  readonly name: string;
  readonly iri?: string;
}

/**
 * A condition on an extension field (a `prefix:name` key) of the event, its ilmd, its error
 * declaration, its sensor elements, metadata or reports, or its read point or business location:
 * directly in that object, or (`inner`) at any depth inside its extension fields. The field is
 * named as the query wrote it; `iri` is the full name when the query declared the prefix
 * (GS1-Extensions), and otherwise the prefix is read as each event's own capture document
 * declared it. EQ: one of `values` (numbers and times compare by value); GT/GE/LT/LE: against
 * `values[0]`, numbers with numbers and times with times; EXISTS: the field is there.
 */
export interface FieldTest extends FieldName {
  readonly scope: FieldScope;
  readonly inner: boolean;
  readonly op: FieldOp;
  readonly values?: readonly string[];
}

/** Largest page a query may ask for. */
export const MAX_PER_PAGE = 1000;
/** Page size when the query does not say. */
export const DEFAULT_PER_PAGE = 100;

const patternList = { type: 'array', maxItems: 100, items: { type: 'object', properties: { value: { type: 'string', maxLength: 2048 }, prefix: { type: 'boolean' } }, required: ['value', 'prefix'], additionalProperties: false } };
const stringList = { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 2048 } };
const typedList = { type: 'array', maxItems: 100, items: { type: 'object', properties: { type: { type: 'string', minLength: 1, maxLength: 2048 }, values: stringList }, required: ['type', 'values'], additionalProperties: false } };
const time = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' };
const numberTest = {
  type: 'object',
  properties: { eq: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'number' } }, gt: { type: 'number' }, ge: { type: 'number' }, lt: { type: 'number' }, le: { type: 'number' } },
  additionalProperties: false,
};
const uom = { type: 'string', pattern: '^[A-Z0-9]{2,4}$' };
const sensorTest = {
  type: 'object',
  properties: {
    geTime: time, ltTime: time, geStartTime: time, ltStartTime: time, geEndTime: time, ltEndTime: time,
    types: stringList, deviceIDs: stringList, dataProcessingMethods: stringList, bizRules: stringList, microorganisms: stringList, chemicalSubstances: stringList,
    stringValues: stringList, booleanValues: { type: 'array', maxItems: 2, items: { type: 'boolean' } }, hexBinaryValues: stringList, uriValues: stringList,
    percRank: numberTest,
    values: { type: 'array', maxItems: 100, items: { type: 'object', properties: { field: { enum: SENSOR_VALUE_FIELDS }, uom, test: numberTest }, required: ['field', 'uom', 'test'], additionalProperties: false } },
  },
  additionalProperties: false,
};

/** JSON Schema of a query plan, as the contract receives it from any client. */
export const EPCIS_QUERY_PLAN_SCHEMA = {
  $id: 'https://zhefoodchain.org/schemas/epcis/2.0/query-plan.json',
  type: 'object',
  properties: {
    eventTypes: stringList,
    geEventTime: time,
    ltEventTime: time,
    geRecordTime: time,
    ltRecordTime: time,
    bizSteps: stringList,
    dispositions: stringList,
    readPoints: stringList,
    bizLocations: stringList,
    epcs: patternList,
    anyEpcs: patternList,
    parentIDs: patternList,
    inputEpcs: patternList,
    outputEpcs: patternList,
    epcClasses: patternList,
    inputEpcClasses: patternList,
    outputEpcClasses: patternList,
    anyEpcClasses: patternList,
    eventIDs: stringList,
    actions: { type: 'array', maxItems: 3, items: { enum: ['ADD', 'OBSERVE', 'DELETE'] } },
    bizTransactions: typedList,
    sources: typedList,
    destinations: typedList,
    transformationIDs: stringList,
    errorDeclared: { const: true },
    errorReasons: stringList,
    correctiveEventIDs: stringList,
    geErrorDeclarationTime: time,
    ltErrorDeclarationTime: time,
    persistentDispositionsSet: stringList,
    persistentDispositionsUnset: stringList,
    quantities: { type: 'array', maxItems: 100, items: { type: 'object', properties: { uom, test: numberTest }, required: ['test'], additionalProperties: false } },
    sensorData: { const: true },
    sensor: sensorTest,
    fields: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        properties: {
          scope: { enum: FIELD_SCOPES }, inner: { type: 'boolean' }, name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]*:\\w+$', maxLength: 256 },
          iri: { type: 'string', maxLength: 2048 }, op: { enum: ['EQ', 'GT', 'GE', 'LT', 'LE', 'EXISTS'] }, values: stringList,
        },
        required: ['scope', 'inner', 'name', 'op'],
        additionalProperties: false,
      },
    },
    readPointsWithin: stringList,
    bizLocationsWithin: stringList,
    attributes: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        properties: { field: { enum: ['readPoint', 'bizLocation'] }, names: { ...stringList, minItems: 1 }, values: stringList },
        required: ['field', 'names'],
        additionalProperties: false,
      },
    },
    perPage: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE },
  },
  required: ['perPage'],
  additionalProperties: false,
} as const;

/** What the matcher needs of a stored event. */
export interface MatchableEvent {
  readonly eventID: string;
  readonly eventTime: string;
  readonly recordTime: string;
  readonly ids: EventIdentifiers;
  readonly event: Readonly<Record<string, unknown>>;
  /** An error declaration recorded after the event was captured. */
  readonly declaration?: { readonly errorDeclaration: Readonly<Record<string, unknown>> };
  /** The capturing document's JSON-LD @context: the namespaces of the event's extension fields. */
  readonly context?: unknown;
  /** The participant that recorded it (whose master data describes its ownerless locations). */
  readonly capturedBy?: string;
}

/** Whether the event's location is one of `roots` or within one, by what `masterData` believes. */
function withinPass(roots: readonly string[] | undefined, field: LocationField, id: string | undefined, e: MatchableEvent, masterData: MasterDataView | undefined): boolean {
  if (!roots) return true;
  if (id === undefined) return false;
  if (roots.includes(id)) return true;
  return masterData !== undefined && masterData.within(field, id, roots, e.capturedBy ?? '');
}

/** The text an attribute value compares as. */
function attributeText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function attributesPass(tests: readonly AttributeTest[] | undefined, e: MatchableEvent, masterData: MasterDataView | undefined): boolean {
  if (!tests) return true;
  return tests.every((t) => {
    const id = e.ids[t.field];
    if (id === undefined || masterData === undefined) return false;
    return t.names.some((name) => {
      const values = masterData.attribute(t.field, id, name, e.capturedBy ?? '');
      return values !== undefined && (t.values === undefined || values.some((v) => (t.values as readonly string[]).includes(attributeText(v))));
    });
  });
}

function hit(patterns: readonly EpcPattern[] | undefined, values: readonly string[]): boolean {
  if (!patterns) return true;
  return patterns.some((p) => values.some((v) => (p.prefix ? v === p.value || v.startsWith(`${p.value}/`) : v === p.value)));
}

/** A field's text is one of `allowed` (compared as `same` makes it); anything passes when nothing is asked. */
function oneOf(allowed: readonly string[] | undefined, value: unknown, same?: (s: string) => string): boolean {
  return !allowed || (typeof value === 'string' && allowed.includes(same ? same(value) : value));
}

function inRange(value: string, ge: string | undefined, lt: string | undefined): boolean {
  return (ge === undefined || value >= ge) && (lt === undefined || value < lt);
}

/** An identifier as plans hold them: canonical if it is a GS1 identifier, otherwise as given. */
export function canonicalOrSame(text: string): string {
  try {
    return normalizeCached(text);
  } catch {
    return text;
  }
}

/**
 * True if, for every wanted type, the event's list (`bizTransactionList`, `sourceList`,
 * `destinationList`) has an entry of that type naming one of the wanted identifiers.
 */
function typedHit(wanted: readonly TypedValues[] | undefined, e: MatchableEvent, field: string, key: string, vocabulary: CbvVocabulary): boolean {
  if (!wanted) return true;
  const list = e.event[field];
  const entries = Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [];
  return wanted.every((w) => entries.some((x) => typeof x['type'] === 'string' && wordOf(vocabulary, x['type'], e) === w.type && typeof x[key] === 'string' && w.values.includes(canonicalOrSame(x[key] as string))));
}

/** A CBV value of an event as plans name it: its bare word, whether captured bare or as the word's Web URI or compact IRI (cbv.ts). */
function wordOf(vocabulary: CbvVocabulary, value: string, e: MatchableEvent): string {
  return cbvWord(vocabulary, value, () => contextPrefixes(e.context)) as string;
}

/** {@link oneOf} for a CBV value: its bare word is one of `allowed`. */
function oneWord(allowed: readonly string[] | undefined, value: unknown, vocabulary: CbvVocabulary, e: MatchableEvent): boolean {
  return !allowed || (typeof value === 'string' && allowed.includes(wordOf(vocabulary, value, e)));
}

/** The event's error declaration: made when it was captured, or recorded later. */
function declarationOf(e: MatchableEvent): Readonly<Record<string, unknown>> | undefined {
  const captured = e.event['errorDeclaration'];
  return e.declaration?.errorDeclaration ?? (captured && typeof captured === 'object' ? (captured as Record<string, unknown>) : undefined);
}

function declared(e: MatchableEvent, plan: EpcisQueryPlan): boolean {
  if (!plan.errorDeclared && !plan.errorReasons && !plan.correctiveEventIDs && !plan.geErrorDeclarationTime && !plan.ltErrorDeclarationTime) return true;
  const d = declarationOf(e);
  if (!d || !oneWord(plan.errorReasons, d['reason'], 'ER', e)) return false;
  if (!timeWithin(d['declarationTime'], plan.geErrorDeclarationTime, plan.ltErrorDeclarationTime)) return false;
  const corrective = Array.isArray(d['correctiveEventIDs']) ? (d['correctiveEventIDs'] as unknown[]) : [];
  return !plan.correctiveEventIDs || plan.correctiveEventIDs.some((id) => corrective.includes(id));
}

type Json = Readonly<Record<string, unknown>>;

const listOf = (value: unknown): Json[] => (Array.isArray(value) ? (value as unknown[]).filter((x): x is Json => !!x && typeof x === 'object') : []);

/** A time field within [ge, lt) (canonical UTC bounds); with no bound, anything (even absent) passes. */
function timeWithin(value: unknown, ge: string | undefined, lt: string | undefined): boolean {
  if (ge === undefined && lt === undefined) return true;
  return typeof value === 'string' && inRange(canonicalTime(value), ge, lt);
}

function numberPasses(t: NumberTest, v: unknown): boolean {
  return (
    typeof v === 'number' &&
    (t.eq === undefined || t.eq.includes(v)) &&
    (t.gt === undefined || v > t.gt) &&
    (t.ge === undefined || v >= t.ge) &&
    (t.lt === undefined || v < t.lt) &&
    (t.le === undefined || v <= t.le)
  );
}

/** An event's lists of quantity elements (classes and quantities). */
export const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;

function quantitiesPass(tests: readonly QuantityTest[] | undefined, event: Json): boolean {
  if (!tests) return true;
  const elements = QUANTITY_LISTS.flatMap((list) => listOf(event[list]));
  return tests.every((q) => elements.some((el) => el['uom'] === q.uom && numberPasses(q.test, el['quantity'])));
}

function persistentPass(plan: EpcisQueryPlan, e: MatchableEvent): boolean {
  if (!plan.persistentDispositionsSet && !plan.persistentDispositionsUnset) return true;
  const p = e.event['persistentDisposition'];
  const of = (key: string): unknown[] => (p && typeof p === 'object' && Array.isArray((p as Json)[key]) ? ((p as Json)[key] as unknown[]) : []);
  const some = (wanted: readonly string[] | undefined, key: string): boolean => !wanted || of(key).some((d) => typeof d === 'string' && wanted.includes(wordOf('Disp', d, e)));
  return some(plan.persistentDispositionsSet, 'set') && some(plan.persistentDispositionsUnset, 'unset');
}

function reportPasses(t: SensorTest, report: Json, meta: Json): boolean {
  return (
    timeWithin(report['time'] ?? meta['time'], t.geTime, t.ltTime) &&
    oneOf(t.types, report['type'], measurementType) &&
    oneOf(t.deviceIDs, report['deviceID'] ?? meta['deviceID'], canonicalOrSame) &&
    oneOf(t.dataProcessingMethods, report['dataProcessingMethod'] ?? meta['dataProcessingMethod']) &&
    oneOf(t.microorganisms, report['microorganism']) &&
    oneOf(t.chemicalSubstances, report['chemicalSubstance']) &&
    oneOf(t.stringValues, report['stringValue']) &&
    (!t.booleanValues || (typeof report['booleanValue'] === 'boolean' && t.booleanValues.includes(report['booleanValue']))) &&
    oneOf(t.hexBinaryValues, report['hexBinaryValue'], (s) => s.toLowerCase()) &&
    oneOf(t.uriValues, report['uriValue']) &&
    (!t.percRank || numberPasses(t.percRank, report['percRank'])) &&
    (!t.values || t.values.every((v) => report['uom'] === v.uom && numberPasses(v.test, report[v.field])))
  );
}

function sensorPasses(plan: EpcisQueryPlan, event: Json): boolean {
  const t = plan.sensor;
  if (!t && !plan.sensorData) return true;
  const elements = listOf(event['sensorElementList']);
  if (!t) return elements.length > 0;
  return elements.some((element) => {
    const meta = (element['sensorMetadata'] && typeof element['sensorMetadata'] === 'object' ? element['sensorMetadata'] : {}) as Json;
    return (
      timeWithin(meta['startTime'], t.geStartTime, t.ltStartTime) &&
      timeWithin(meta['endTime'], t.geEndTime, t.ltEndTime) &&
      oneOf(t.bizRules, meta['bizRules']) &&
      listOf(element['sensorReport']).some((report) => reportPasses(t, report, meta))
    );
  });
}

/** The objects a scope names in an event. */
function scopeObjects(scope: FieldScope, e: MatchableEvent): Json[] {
  const event = e.event;
  const one = (v: unknown): Json[] => (v && typeof v === 'object' && !Array.isArray(v) ? [v as Json] : []);
  switch (scope) {
    case 'event':
      return [event];
    case 'ilmd':
    case 'readPoint':
    case 'bizLocation':
      return one(event[scope]);
    case 'errorDeclaration':
      return one(declarationOf(e));
    case 'sensorElement':
      return listOf(event['sensorElementList']);
    case 'sensorMetadata':
      return listOf(event['sensorElementList']).flatMap((el) => one(el['sensorMetadata']));
    case 'sensorReport':
      return listOf(event['sensorElementList']).flatMap((el) => listOf(el['sensorReport']));
  }
}

/** The values of the keys `named` accepts: an object's own extension keys, or (inner) any key at any depth inside them. */
function fieldValues(objects: readonly Json[], inner: boolean, named: (key: string) => boolean): unknown[] {
  const out: unknown[] = [];
  const take = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) out.push(x);
    else out.push(v);
  };
  const walk = (v: unknown, depth: number): void => {
    if (depth > 64 || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const k of Object.keys(v)) {
      const x = (v as Json)[k];
      if (named(k)) take(x);
      walk(x, depth + 1);
    }
  };
  for (const o of objects) {
    for (const k of Object.keys(o)) {
      if (!k.includes(':')) continue; // the standard's own fields are not extensions
      if (inner) walk(o[k], 0);
      else if (named(k)) take(o[k]);
    }
  }
  return out;
}

/** A number written as text (a field's value or a query's). */
export const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A value as a number, a canonical time, or a text, for comparing with a query's text. */
function comparable(v: unknown): { n?: number; t?: string; s?: string } {
  if (typeof v === 'number') return { n: v };
  if (typeof v === 'boolean') return { s: String(v) };
  if (typeof v !== 'string') return {};
  return { s: v, ...(NUMBER.test(v) ? { n: Number(v) } : {}), ...(ISO_TIME.test(v) ? { t: canonicalTime(v) } : {}) };
}

function valuePasses(op: Exclude<FieldOp, 'EXISTS'>, v: unknown, wanted: readonly string[]): boolean {
  const have = comparable(v);
  if (op === 'EQ') {
    return wanted.some((q) => {
      const want = comparable(q);
      return (have.s !== undefined && have.s === want.s) || (have.n !== undefined && have.n === want.n) || (have.t !== undefined && have.t === want.t);
    });
  }
  const want = comparable(wanted[0]);
  const [a, b] = have.n !== undefined && want.n !== undefined ? [have.n, want.n] : have.t !== undefined && want.t !== undefined ? [have.t, want.t] : [undefined, undefined];
  if (a === undefined || b === undefined) return false;
  return op === 'GT' ? a > b : op === 'GE' ? a >= b : op === 'LT' ? a < b : a <= b;
}

/** A `prefix:name` as a full name under some prefixes; as it is when its prefix is not among them. */
function fullName(key: string, prefixes: Readonly<Record<string, string>>): string {
  const i = key.indexOf(':');
  const ns = i > 0 ? prefixes[key.slice(0, i)] : undefined;
  return ns !== undefined ? ns + key.slice(i + 1) : key;
}

/**
 * Which keys are the field: a declared prefix says the namespace; an undeclared one is read as
 * the event's document declared it.
 */
function keyNamed(field: FieldName, prefixes: Readonly<Record<string, string>>): (key: string) => boolean {
  const wanted = field.iri ?? fullName(field.name, prefixes);
  return field.iri !== undefined ? (key) => fullName(key, prefixes) === wanted : (key) => key === field.name || fullName(key, prefixes) === wanted;
}

function fieldsPass(tests: readonly FieldTest[] | undefined, e: MatchableEvent): boolean {
  if (!tests) return true;
  const prefixes = contextPrefixes(e.context);
  return tests.every((t) => {
    const values = fieldValues(scopeObjects(t.scope, e), t.inner, keyNamed(t, prefixes));
    if (t.op === 'EXISTS') return values.length > 0;
    return values.some((v) => valuePasses(t.op as Exclude<FieldOp, 'EXISTS'>, v, t.values ?? []));
  });
}

/**
 * An event's value of a top-level extension field as `orderBy` sorts it (EPCIS 2.0 §8.2.7.1: a
 * field of type Int, Float, Time or String): a number (a JSON number, or text that is one), a
 * time (canonical UTC, so that text order is time order), or other text. Undefined when the event
 * lacks the field, or gives it as anything else (an object, a list, a boolean).
 */
export type OrderValue = { readonly n: number } | { readonly t: string } | { readonly s: string };

export function orderValue(e: MatchableEvent, field: FieldName): OrderValue | undefined {
  const values = fieldValues([e.event], false, keyNamed(field, contextPrefixes(e.context)));
  if (values.length !== 1) return undefined;
  const v = values[0];
  if (typeof v === 'number') return { n: v };
  if (typeof v !== 'string') return undefined;
  if (NUMBER.test(v) && Number.isFinite(Number(v))) return { n: Number(v) }; // '1e999' is text: a page token could not hold it
  if (ISO_TIME.test(v)) return { t: canonicalTime(v) };
  return { s: v };
}

/** Text in the order of its Unicode code points (UTF-8 byte order), which UTF-16 code units break above U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // a surrogate (a code point above U+FFFF) sorts after U+E000..U+FFFF, though its code unit is smaller
    if (xs && !ys && y >= 0xe000) return 1;
    if (ys && !xs && x >= 0xe000) return -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Order values ascending: numbers, then times, then text (a field has one type; a mixture still gets one order). */
export function compareOrderValues(a: OrderValue, b: OrderValue): number {
  const rank = (v: OrderValue): number => ('n' in v ? 0 : 't' in v ? 1 : 2);
  const d = rank(a) - rank(b);
  if (d !== 0) return d;
  if ('n' in a) return a.n - (b as { n: number }).n;
  if ('t' in a) return a.t < (b as { t: string }).t ? -1 : a.t > (b as { t: string }).t ? 1 : 0;
  return compareCodePoints(a.s, (b as { s: string }).s);
}

/** True if `e` satisfies every condition of `plan` (conditions are ANDed; values within one are ORed). */
export function matchesPlan(e: MatchableEvent, plan: EpcisQueryPlan, masterData?: MasterDataView): boolean {
  const { ids, event } = e;
  return (
    oneOf(plan.eventTypes, event['type']) &&
    inRange(e.eventTime, plan.geEventTime, plan.ltEventTime) &&
    inRange(e.recordTime, plan.geRecordTime, plan.ltRecordTime) &&
    oneWord(plan.bizSteps, event['bizStep'], 'BizStep', e) &&
    oneWord(plan.dispositions, event['disposition'], 'Disp', e) &&
    oneOf(plan.readPoints, ids.readPoint) &&
    oneOf(plan.bizLocations, ids.bizLocation) &&
    oneOf(plan.eventIDs, e.eventID) &&
    hit(plan.epcs, [...ids.epcList, ...ids.childEPCs]) &&
    hit(plan.anyEpcs, [...ids.epcList, ...ids.childEPCs, ...ids.inputEPCList, ...ids.outputEPCList, ...(ids.parentID ? [ids.parentID] : [])]) &&
    hit(plan.parentIDs, ids.parentID ? [ids.parentID] : []) &&
    hit(plan.inputEpcs, ids.inputEPCList) &&
    hit(plan.outputEpcs, ids.outputEPCList) &&
    hit(plan.epcClasses, ids.epcClasses) &&
    hit(plan.inputEpcClasses, ids.inputEPCClasses) &&
    hit(plan.outputEpcClasses, ids.outputEPCClasses) &&
    hit(plan.anyEpcClasses, [...ids.epcClasses, ...ids.inputEPCClasses, ...ids.outputEPCClasses]) &&
    oneOf(plan.actions, event['action']) &&
    typedHit(plan.bizTransactions, e, 'bizTransactionList', 'bizTransaction', 'BTT') &&
    typedHit(plan.sources, e, 'sourceList', 'source', 'SDT') &&
    typedHit(plan.destinations, e, 'destinationList', 'destination', 'SDT') &&
    (!plan.transformationIDs || (typeof event['transformationID'] === 'string' && plan.transformationIDs.includes(canonicalOrSame(event['transformationID'])))) &&
    declared(e, plan) &&
    persistentPass(plan, e) &&
    quantitiesPass(plan.quantities, event) &&
    sensorPasses(plan, event) &&
    fieldsPass(plan.fields, e) &&
    withinPass(plan.readPointsWithin, 'readPoint', ids.readPoint, e, masterData) &&
    withinPass(plan.bizLocationsWithin, 'bizLocation', ids.bizLocation, e, masterData) &&
    attributesPass(plan.attributes, e, masterData)
  );
}
