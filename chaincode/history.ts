/**
 * The evidence a transaction leaves in world state beside its rule state: each EPCIS event
 * under its eventID, and one history entry per lot the transaction touched, keyed by time and
 * transaction so that a lot's history reads back in order with a prefix scan.
 */
import { grantNamedReaders } from './epcis-access';
import { answeredEvent, readEvent, type Captures } from './epcis-ledger';
import { KEY, sequencePart } from './keys';
import type { EpcisEvent, EventName } from './events';
import type { LotRef } from './records';
import type { Tx } from './tx';

/** One entry of a lot's history. */
export interface HistoryEntry {
  readonly txId: string;
  readonly time: string;
  readonly event: EventName;
  readonly caller: string;
  readonly eventIDs: readonly string[];
}

/**
 * Writes the transaction's EPCIS events, the histories of the lots it touched, and the read
 * grants its events' trading parties earn (epcis-access.ts: a shipment's recipient may read the
 * shipper's events, its sender the receiver's).
 */
export async function recordEvidence(tx: Tx, event: EventName): Promise<void> {
  for (const e of tx.epcis) await tx.put(KEY.epcis, [e.eventID.slice('urn:uuid:'.length)], e);
  await grantNamedReaders(tx, tx.callerId, tx.epcis.map((e) => ({
    sources: (e.sourceList ?? []).map((s) => s.source),
    destinations: (e.destinationList ?? []).map((d) => d.destination),
  })));
  const entry: HistoryEntry = { txId: tx.txId, time: tx.time, event, caller: tx.callerId, eventIDs: tx.epcis.map((e) => e.eventID) };
  for (const ref of tx.touched.values()) await tx.put(KEY.history, [ref.gtin, ref.lot, sequencePart(tx.time, tx.txId, 0)], entry);
}

/** A recorded EPCIS event, or undefined. */
export function getEpcisEvent(tx: Tx, eventID: string): Promise<EpcisEvent | undefined> {
  return tx.get<EpcisEvent>(KEY.epcis, [eventID.replace(/^urn:uuid:/, '')]);
}

/** An event of a lot's history: one the contract recorded, or a captured one as EPCIS answers give it. */
export type HistoryEvent = EpcisEvent | Readonly<Record<string, unknown>>;

/**
 * Events one page of a lot's history reads at most: a capture's entry may name thousands (a
 * day's sales of one lot). Past it, an entry gives its eventIDs and says how many of its events
 * it left out (`epcisOmitted`): GetEpcisEvent or epcis:GetEvent reads them.
 */
export const HISTORY_EVENTS_PER_PAGE = 2000;

/**
 * A page of a lot's history, oldest first, with its EPCIS events: the contract's own, and the
 * captured events that moved the lot or used it (epcis-capture.ts), read from their records, at
 * most {@link HISTORY_EVENTS_PER_PAGE} in all. A capture's events are given only to a caller
 * `mayRead` lets read its capturer's events (epcis-access.ts): to any other, its entry says how
 * many it withholds (`epcisWithheld`), as the trace shows the custody they moved anyway.
 */
export async function lotHistory(tx: Tx, ref: LotRef, pageSize: number, bookmark: string, mayRead: (recorder: string) => Promise<boolean>): Promise<{ entries: (HistoryEntry & { epcis: HistoryEvent[]; epcisOmitted?: number; epcisWithheld?: number })[]; bookmark: string }> {
  const page = await tx.page<HistoryEntry>(KEY.history, [ref.gtin, ref.lot], pageSize, bookmark);
  const entries = [];
  const captures: Captures = new Map(); // each capture's record read once
  let budget = HISTORY_EVENTS_PER_PAGE;
  for (const { value } of page.entries) {
    if (value.event === 'EpcisCaptured' && !(await mayRead(value.caller))) {
      entries.push({ ...value, epcis: [], epcisWithheld: value.eventIDs.length });
      continue;
    }
    const read = (id: string): Promise<HistoryEvent | undefined> =>
      value.event === 'EpcisCaptured' ? readEvent(tx.stub, id, captures).then((stored) => stored && answeredEvent(stored)) : getEpcisEvent(tx, id);
    const ids = value.eventIDs.slice(0, budget);
    budget -= ids.length;
    const epcis = (await Promise.all(ids.map(read))).filter((e): e is HistoryEvent => e !== undefined);
    const omitted = value.eventIDs.length - ids.length;
    entries.push({ ...value, epcis, ...(omitted > 0 ? { epcisOmitted: omitted } : {}) });
  }
  return { entries, bookmark: page.bookmark };
}
