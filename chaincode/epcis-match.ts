/**
 * The EPCIS query plan and the one function that decides whether a stored event matches it.
 *
 * The gateway parses the standard's query parameters into a plan (gateway-api/epcis-query.ts);
 * whichever store answers it — the chaincode's own indexes through `evaluate`, or an index in
 * the gateway — uses this same matcher, so every store gives the same answer. Identifier values
 * in a plan are canonical (normalised like the events), so a URN query finds Digital Link events.
 */
import { normalizeCached, type EventIdentifiers } from './epcis-identifiers';

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
  /** Events per page (1…{@link MAX_PER_PAGE}). */
  readonly perPage: number;
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

/** Largest page a query may ask for. */
export const MAX_PER_PAGE = 1000;
/** Page size when the query does not say. */
export const DEFAULT_PER_PAGE = 100;

const patternList = { type: 'array', maxItems: 100, items: { type: 'object', properties: { value: { type: 'string', maxLength: 2048 }, prefix: { type: 'boolean' } }, required: ['value', 'prefix'], additionalProperties: false } };
const stringList = { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 2048 } };
const typedList = { type: 'array', maxItems: 100, items: { type: 'object', properties: { type: { type: 'string', minLength: 1, maxLength: 2048 }, values: stringList }, required: ['type', 'values'], additionalProperties: false } };
const time = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' };

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
}

function hit(patterns: readonly EpcPattern[] | undefined, values: readonly string[]): boolean {
  if (!patterns) return true;
  return patterns.some((p) => values.some((v) => (p.prefix ? v === p.value || v.startsWith(`${p.value}/`) : v === p.value)));
}

function oneOf(allowed: readonly string[] | undefined, value: unknown): boolean {
  return !allowed || (typeof value === 'string' && allowed.includes(value));
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
function typedHit(wanted: readonly TypedValues[] | undefined, list: unknown, key: string): boolean {
  if (!wanted) return true;
  const entries = Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [];
  return wanted.every((w) => entries.some((x) => x['type'] === w.type && typeof x[key] === 'string' && w.values.includes(canonicalOrSame(x[key] as string))));
}

/** The event's error declaration: made when it was captured, or recorded later. */
function declarationOf(e: MatchableEvent): Readonly<Record<string, unknown>> | undefined {
  const captured = e.event['errorDeclaration'];
  return e.declaration?.errorDeclaration ?? (captured && typeof captured === 'object' ? (captured as Record<string, unknown>) : undefined);
}

function declared(e: MatchableEvent, plan: EpcisQueryPlan): boolean {
  if (!plan.errorDeclared && !plan.errorReasons && !plan.correctiveEventIDs) return true;
  const d = declarationOf(e);
  if (!d || !oneOf(plan.errorReasons, d['reason'])) return false;
  const corrective = Array.isArray(d['correctiveEventIDs']) ? (d['correctiveEventIDs'] as unknown[]) : [];
  return !plan.correctiveEventIDs || plan.correctiveEventIDs.some((id) => corrective.includes(id));
}

/** True if `e` satisfies every condition of `plan` (conditions are ANDed; values within one are ORed). */
export function matchesPlan(e: MatchableEvent, plan: EpcisQueryPlan): boolean {
  const { ids, event } = e;
  return (
    oneOf(plan.eventTypes, event['type']) &&
    inRange(e.eventTime, plan.geEventTime, plan.ltEventTime) &&
    inRange(e.recordTime, plan.geRecordTime, plan.ltRecordTime) &&
    oneOf(plan.bizSteps, event['bizStep']) &&
    oneOf(plan.dispositions, event['disposition']) &&
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
    typedHit(plan.bizTransactions, event['bizTransactionList'], 'bizTransaction') &&
    typedHit(plan.sources, event['sourceList'], 'source') &&
    typedHit(plan.destinations, event['destinationList'], 'destination') &&
    (!plan.transformationIDs || (typeof event['transformationID'] === 'string' && plan.transformationIDs.includes(canonicalOrSame(event['transformationID'])))) &&
    declared(e, plan)
  );
}
