/**
 * Where captured EPCIS events live in world state, and the reads that answer queries from it.
 *
 * Each event is one key (`epcis.e|{sha256(eventID)}`), so a repeated eventID is one record and
 * concurrent captures never contend on a shared key. The record holds the event exactly as
 * captured and what names it (eventID, whether it was computed, the capturing txId); what every
 * event of one capture shares — who captured it, when, and the document's JSON-LD `@context` —
 * is written once per capture under `epcis.c|{txId}`. Plain (not composite) keys: every part is a
 * hex hash or a transaction ID, neither of which can hold the `|` separator.
 *
 * Why so little per event: every byte and every key a capture writes is written in every peer's
 * state, block and endorsement, and they were most of a capture's cost. The canonical
 * identifiers (`ids`) are derived from the event whenever a record is read
 * ({@link storedEvent}), and there is no index key per event: the standard's queries are answered
 * by the gateway's projection (gateway-api/epcis-projection.ts), which indexes every identifier
 * and keeps eventTime order in memory. This module's own query (QueryEvents, for checking the
 * ledger itself) walks the event keys in key order and filters, {@link MAX_SCAN} per call.
 *
 * Records written before this layout (each carrying its capture's fields and `ids`) are still
 * read as they are.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';
import { canonicalTime } from './epcis-event-hash';
import { eventIdentifiers, type EventIdentifiers } from './epcis-identifiers';
import type { MasterDataView } from './epcis-master-data';
import { matchesPlan, type EpcisQueryPlan } from './epcis-match';
import { sha256Hex } from './sha256';

type Stub = Context['stub'];
type Json = Readonly<Record<string, unknown>>;

/** A captured event as consumers see it: the event exactly as captured, and what the ledger adds. */
export interface StoredEpcisEvent {
  /** As captured, or the event hash ID when it had none. */
  readonly eventID: string;
  /** True when {@link eventID} was computed (the event arrived without one). */
  readonly generatedID: boolean;
  /** The capturing transaction's timestamp (EPCIS recordTime). */
  readonly recordTime: string;
  /** eventTime in canonical UTC with milliseconds, for ordering and ranges. */
  readonly eventTime: string;
  /** The participant that captured it. */
  readonly capturedBy: string;
  readonly txId: string;
  /** Canonical identifiers, for indexing and matching. */
  readonly ids: EventIdentifiers;
  /** The capturing document's JSON-LD @context, which the event's extension prefixes rely on. */
  readonly context?: unknown;
  /** The event exactly as captured. */
  readonly event: Readonly<Record<string, unknown>>;
  /**
   * An error declaration captured later for this event (EPCIS 2.0 §7.4.1.2: the event restated
   * with an `errorDeclaration`), kept beside the event as captured.
   */
  readonly declaration?: ErrorDeclarationRecord;
  /** The ledger's shipment this shipping event shipped, or this receiving event received, when captured (epcis-shipments.ts). */
  readonly shipped?: string;
  readonly receipt?: string;
  /** The ledger's disposal this destroying event recorded, when captured (epcis-disposals.ts). */
  readonly disposal?: string;
}

/** One event's record in world state (and in the `EpcisCaptured` chaincode event). */
export interface EventRecord {
  readonly eventID: string;
  readonly generatedID: boolean;
  /** The capturing transaction: its {@link CaptureRecord} is under `epcis.c|{txId}`. */
  readonly txId: string;
  readonly event: Json;
  readonly declaration?: ErrorDeclarationRecord;
  /** The ledger's shipment this (shipping) event shipped, or this (receiving) event received (epcis-shipments.ts). */
  readonly shipped?: string;
  readonly receipt?: string;
  /** The ledger's disposal this (destroying) event recorded (epcis-disposals.ts). */
  readonly disposal?: string;
}

/** What the events of one capture share, written once per capture. */
export interface CaptureRecord {
  readonly capturedBy: string;
  readonly recordTime: string;
  readonly context?: unknown;
}

/** A later error declaration of a stored event, and who made it when. */
export interface ErrorDeclarationRecord {
  readonly errorDeclaration: Readonly<Record<string, unknown>>;
  readonly declaredBy: string;
  readonly declaredAt: string;
  readonly txId: string;
}

/** The outcome of one capture transaction. */
export interface CaptureResult {
  readonly txId: string;
  readonly recordTime: string;
  readonly capturedBy: string;
  /** Events written, with their position in the document. */
  readonly captured: ReadonlyArray<{ readonly index: number; readonly eventID: string; readonly generatedID: boolean }>;
  /** Events not written because their eventID was already recorded (or repeated in the document). */
  readonly duplicates: ReadonlyArray<{ readonly index: number; readonly eventID: string }>;
  /** Recorded events that this capture declared erroneous (restated with an errorDeclaration). */
  readonly declared: ReadonlyArray<{ readonly index: number; readonly eventID: string }>;
  /**
   * A capture that proceeds past refused events (`GS1-Capture-Error-Behaviour: proceed`): each
   * event it left out and why. Absent when the capture rolls back (a refusal refuses it all).
   */
  readonly rejected?: readonly RejectedEvent[];
  /** Vocabulary elements the document's header declared (master data), when it declared any. */
  readonly masterDataElements?: number;
}

/** An event a proceeding capture left out: its position, and the refusal (code, message, field errors). */
export interface RejectedEvent {
  readonly index: number;
  readonly path: string;
  readonly code: string;
  readonly message: string;
  readonly errors?: readonly unknown[];
}

/** One page of answers, and where the next one starts ('' when there is none). */
export interface EventPage {
  readonly events: StoredEpcisEvent[];
  readonly nextPageToken: string;
  /** When `nextPageToken` expires (RFC 3339), where tokens expire: what GS1-Next-Page-Token-Expires says. */
  readonly nextPageTokenExpires?: string;
}

/** Records scanned by one query call before it returns a partial page with a token. */
export const MAX_SCAN = 20_000;

/** The hex SHA-256 that keys an eventID (IDs may be up to 2048 characters). */
export function eventKeyHash(eventID: string): string {
  return sha256Hex(eventID);
}

const EVENTS = 'epcis.e|';
const EVENTS_END = 'epcis.e|~'; // after every hex hash
const eventKey = (h: string): string => `${EVENTS}${h}`;
/** The key of a capture's {@link CaptureRecord}. */
export const captureKey = (txId: string): string => `epcis.c|${txId}`;
/** True for the key of an event's record. */
export const isEventKey = (key: string): boolean => key.startsWith(EVENTS);

/**
 * A stored event as EPCIS answers give it: the event (as captured, unless another form of it is
 * given), with its eventID and recordTime, and the errorDeclaration made about it later, if any.
 */
export function answeredEvent(stored: StoredEpcisEvent, event: Json = stored.event): Record<string, unknown> {
  const out = copyOf(event);
  out['eventID'] = stored.eventID;
  out['recordTime'] = stored.recordTime;
  if (stored.declaration) out['errorDeclaration'] = stored.declaration.errorDeclaration;
  return out;
}

/**
 * A shallow copy of a JSON object: its own fields in their order, a field named `__proto__`
 * (JSON.parse makes one from such a key) an own field too, as `{ ...obj }` makes them; fields set
 * on the copy afterwards go after them, or stay in place if the object had them, as in
 * `{ ...obj, field }`. Written out because Node 20's V8 takes a slow path for a literal that
 * begins with a spread and sets fields after it: answering one of bench/epcis.bench.ts's events
 * took about 3.5 µs with the spread, and takes about 0.6 µs with this copy.
 */
export function copyOf(obj: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    if (key === '__proto__') Object.defineProperty(out, key, { value: obj[key], enumerable: true, writable: true, configurable: true });
    else out[key] = obj[key];
  }
  return out;
}

/** The consumers' form of an event record, given its capture's record. */
export function storedEvent(record: EventRecord, capture: CaptureRecord): StoredEpcisEvent {
  return {
    eventID: record.eventID,
    generatedID: record.generatedID,
    recordTime: capture.recordTime,
    eventTime: canonicalTime(String(record.event['eventTime'])),
    capturedBy: capture.capturedBy,
    txId: record.txId,
    ids: eventIdentifiers(record.event),
    ...(capture.context !== undefined ? { context: capture.context } : {}),
    event: record.event,
    ...(record.declaration ? { declaration: record.declaration } : {}),
    ...(record.shipped !== undefined ? { shipped: record.shipped } : {}),
    ...(record.receipt !== undefined ? { receipt: record.receipt } : {}),
    ...(record.disposal !== undefined ? { disposal: record.disposal } : {}),
  };
}

/** True for a record of the first layout, which carried its capture's fields and `ids` itself. */
function isFullRecord(value: EventRecord | StoredEpcisEvent): value is StoredEpcisEvent {
  return typeof (value as Partial<StoredEpcisEvent>).capturedBy === 'string' && (value as Partial<StoredEpcisEvent>).ids !== undefined;
}

/** Capture records read during one call, each at most once. */
export type Captures = Map<string, Promise<CaptureRecord | undefined>>;

async function readCapture(stub: Stub, txId: string, captures: Captures): Promise<CaptureRecord | undefined> {
  let capture = captures.get(txId);
  if (!capture) {
    capture = stub.getState(captureKey(txId)).then((bytes) => (bytes && bytes.length > 0 ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as CaptureRecord) : undefined));
    captures.set(txId, capture);
  }
  return capture;
}

/** The consumers' form of a stored record's bytes (reading its capture's record if needed). */
async function fromBytes(stub: Stub, bytes: Uint8Array, captures: Captures): Promise<StoredEpcisEvent | undefined> {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as EventRecord | StoredEpcisEvent;
  if (isFullRecord(value)) return value;
  const capture = await readCapture(stub, value.txId, captures);
  return capture ? storedEvent(value, capture) : undefined;
}

/** Reads a stored event by its eventID, or undefined. */
export async function readEvent(stub: Stub, eventID: string, captures: Captures = new Map()): Promise<StoredEpcisEvent | undefined> {
  const bytes = await stub.getState(eventKey(eventKeyHash(eventID)));
  return bytes && bytes.length > 0 ? fromBytes(stub, bytes, captures) : undefined;
}

/** True if an event with this ID is already recorded (`keyHash`: its {@link eventKeyHash}, when the caller has it). */
export async function eventExists(stub: Stub, eventID: string, keyHash = eventKeyHash(eventID)): Promise<boolean> {
  const bytes = await stub.getState(eventKey(keyHash));
  return !!bytes && bytes.length > 0;
}

/** Writes what a capture's events share; once per capture, before or after its events. */
export async function writeCapture(stub: Stub, txId: string, capture: CaptureRecord): Promise<void> {
  await stub.putState(captureKey(txId), Buffer.from(canonicalJson(capture), 'utf8'));
}

/** Writes an event's record (`keyHash`: its eventID's {@link eventKeyHash}, when the caller has it); returns its canonical JSON. */
export async function writeEvent(stub: Stub, record: EventRecord, keyHash = eventKeyHash(record.eventID)): Promise<string> {
  const json = canonicalJson(record);
  await stub.putState(eventKey(keyHash), Buffer.from(json, 'utf8'));
  return json;
}

/**
 * Rewrites a stored event's record with its error declaration (its capture's record stays);
 * returns the declared event in the consumers' form.
 */
export async function writeDeclaration(stub: Stub, stored: StoredEpcisEvent, declaration: ErrorDeclarationRecord): Promise<StoredEpcisEvent> {
  const record: EventRecord = { eventID: stored.eventID, generatedID: stored.generatedID, txId: stored.txId, event: stored.event, declaration };
  const json = canonicalJson(record);
  await stub.putState(eventKey(eventKeyHash(stored.eventID)), Buffer.from(json, 'utf8'));
  if (isFullRecord(stored) && !(await readCapture(stub, stored.txId, new Map()))) {
    // a record of the first layout: its capture's fields move to a capture record of their own
    await writeCapture(stub, stored.txId, { capturedBy: stored.capturedBy, recordTime: stored.recordTime, ...(stored.context !== undefined ? { context: stored.context } : {}) });
  }
  return { ...stored, declaration };
}

/** Page token: the last event key scanned, so the next call resumes after it. */
function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string | undefined {
  if (!token) return undefined;
  const key = Buffer.from(token, 'base64url').toString('utf8');
  return key > EVENTS && key < EVENTS_END ? key : undefined;
}

/** Whether a plan has master data conditions (WD_readPoint, WD_bizLocation, HASATTR_, EQ_ATTR_), which need {@link queryEvents}'s `masterData`. */
export function needsMasterData(plan: EpcisQueryPlan): boolean {
  return plan.readPointsWithin !== undefined || plan.bizLocationsWithin !== undefined || plan.attributes !== undefined;
}

/**
 * One page of events matching `plan`, in the order of their keys (a hash of the eventID: the
 * gateway's projection answers in eventTime order). Scans at most {@link MAX_SCAN} records per
 * call; a page may then be short and still carry a token. Master data conditions are judged by
 * `masterData` (epcis-master-data.ts's ledgerMasterData); without it, no event passes them. With
 * `mayRead`, only events of recorders it allows are answered (epcis-access.ts).
 */
export async function queryEvents(stub: Stub, plan: EpcisQueryPlan, token: string, masterData?: MasterDataView, mayRead?: (recorder: string) => Promise<boolean>): Promise<EventPage> {
  if (plan.eventIDs) return byIds(stub, plan, masterData, mayRead);
  const after = decodeToken(token);
  const iterator = await stub.getStateByRange(after ?? EVENTS, EVENTS_END);
  const events: StoredEpcisEvent[] = [];
  const captures: Captures = new Map();
  let scanned = 0;
  let last = '';
  try {
    for (;;) {
      const res = await iterator.next();
      if (res.value && res.value.key !== after) {
        last = res.value.key;
        scanned++;
        const stored = await fromBytes(stub, res.value.value, captures);
        if (stored && matchesPlan(stored, plan, masterData) && (!mayRead || (await mayRead(stored.capturedBy)))) events.push(stored);
      }
      if (res.done) return { events, nextPageToken: '' };
      if (events.length >= plan.perPage || scanned >= MAX_SCAN) return { events, nextPageToken: encodeToken(last) };
    }
  } finally {
    await iterator.close();
  }
}

async function byIds(stub: Stub, plan: EpcisQueryPlan, masterData: MasterDataView | undefined, mayRead: ((recorder: string) => Promise<boolean>) | undefined): Promise<EventPage> {
  const events: StoredEpcisEvent[] = [];
  const captures: Captures = new Map();
  for (const id of plan.eventIDs ?? []) {
    const stored = await readEvent(stub, id, captures);
    if (stored && matchesPlan(stored, plan, masterData) && (!mayRead || (await mayRead(stored.capturedBy)))) events.push(stored);
  }
  return { events: events.slice(0, plan.perPage), nextPageToken: '' };
}
