/**
 * Where captured EPCIS events live in world state, and the reads that answer queries from it.
 *
 * Each event is one key (`epcis.e|{sha256(eventID)}`), so a repeated eventID is one record and
 * concurrent captures never contend on a shared key. Beside it one small index key whose order
 * is the order of answers: by eventTime (`epcis.t|{time}|{h}`). A plain (not composite) key,
 * because Fabric answers range queries — time windows — only over plain keys; every part is a
 * canonical UTC time or a hex hash, neither of which can hold the `|` separator.
 *
 * Why no index by identifier or bizStep here: every key a capture writes is a write in every
 * peer's state, block and endorsement, and they were most of a capture's cost; the standard's
 * queries are answered by the gateway's projection (gateway-api/epcis-projection.ts), which
 * indexes every identifier in memory. This module's own query (QueryEvents, for checking the
 * ledger itself) walks the time index and filters, {@link MAX_SCAN} entries per call.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';
import type { EventIdentifiers } from './epcis-identifiers';
import { matchesPlan, type EpcisQueryPlan } from './epcis-match';

type Stub = Context['stub'];

/** A captured event as stored: the event exactly as captured, and what the ledger adds. */
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
}

/** One page of answers, and where the next one starts ('' when there is none). */
export interface EventPage {
  readonly events: StoredEpcisEvent[];
  readonly nextPageToken: string;
}

const MAX_RUNE = '\u{10FFFF}';
/** Index entries scanned by one query call before it returns a partial page with a token. */
export const MAX_SCAN = 20_000;

/** The hex SHA-256 that keys an eventID (IDs may be up to 2048 characters). */
export function eventKeyHash(eventID: string): string {
  return createHash('sha256').update(eventID, 'utf8').digest('hex');
}

const eventKey = (h: string): string => `epcis.e|${h}`;

/** Reads a stored event by its eventID, or undefined. */
export async function readEvent(stub: Stub, eventID: string): Promise<StoredEpcisEvent | undefined> {
  return readByHash(stub, eventKeyHash(eventID));
}

async function readByHash(stub: Stub, h: string): Promise<StoredEpcisEvent | undefined> {
  const bytes = await stub.getState(eventKey(h));
  return bytes && bytes.length > 0 ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as StoredEpcisEvent) : undefined;
}

/** True if an event with this ID is already recorded. */
export async function eventExists(stub: Stub, eventID: string): Promise<boolean> {
  const bytes = await stub.getState(eventKey(eventKeyHash(eventID)));
  return !!bytes && bytes.length > 0;
}

const MARKER = Buffer.from('1', 'utf8'); // the event's hash is the index key's last part

/** Writes an event and its time index key; returns the record's canonical JSON. */
export async function writeEvent(stub: Stub, stored: StoredEpcisEvent): Promise<string> {
  const h = eventKeyHash(stored.eventID);
  const json = canonicalJson(stored);
  await stub.putState(eventKey(h), Buffer.from(json, 'utf8'));
  await stub.putState(`epcis.t|${stored.eventTime}|${h}`, MARKER);
  return json;
}

/** Rewrites a stored event's record with its error declaration (its index keys stay); returns the record's canonical JSON. */
export async function writeDeclaration(stub: Stub, stored: StoredEpcisEvent, declaration: ErrorDeclarationRecord): Promise<string> {
  const json = canonicalJson({ ...stored, declaration });
  await stub.putState(eventKey(eventKeyHash(stored.eventID)), Buffer.from(json, 'utf8'));
  return json;
}

/** The time index range a plan is answered from. */
function driver(plan: EpcisQueryPlan): { start: string; end: string } {
  return { start: `epcis.t|${plan.geEventTime ?? ''}`, end: `epcis.t|${plan.ltEventTime ?? MAX_RUNE}` };
}

/** Page token: the last index key scanned, so the next call resumes after it. */
function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string, start: string, end: string): string | undefined {
  if (!token) return undefined;
  const key = Buffer.from(token, 'base64url').toString('utf8');
  return key >= start && key < end ? key : undefined;
}

/**
 * One page of events matching `plan`, in eventTime order. Scans at most {@link MAX_SCAN} index
 * entries per call; a page may then be short and still carry a token.
 */
export async function queryEvents(stub: Stub, plan: EpcisQueryPlan, token: string): Promise<EventPage> {
  if (plan.eventIDs) return byIds(stub, plan);
  const { start, end } = driver(plan);
  const after = decodeToken(token, start, end);
  const iterator = await stub.getStateByRange(after ?? start, end);
  const events: StoredEpcisEvent[] = [];
  const seen = new Set<string>();
  let scanned = 0;
  let last = '';
  try {
    for (;;) {
      const res = await iterator.next();
      if (res.value && res.value.key !== after) {
        last = res.value.key;
        scanned++;
        const h = res.value.key.slice(res.value.key.lastIndexOf('|') + 1);
        if (!seen.has(h)) {
          seen.add(h);
          const stored = await readByHash(stub, h);
          if (stored && matchesPlan(stored, plan)) events.push(stored);
        }
      }
      if (res.done) return { events, nextPageToken: '' };
      if (events.length >= plan.perPage || scanned >= MAX_SCAN) return { events, nextPageToken: encodeToken(last) };
    }
  } finally {
    await iterator.close();
  }
}

async function byIds(stub: Stub, plan: EpcisQueryPlan): Promise<EventPage> {
  const events: StoredEpcisEvent[] = [];
  for (const id of plan.eventIDs ?? []) {
    const stored = await readEvent(stub, id);
    if (stored && matchesPlan(stored, plan)) events.push(stored);
  }
  return { events: events.slice(0, plan.perPage), nextPageToken: '' };
}
