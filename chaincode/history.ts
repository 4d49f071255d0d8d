/**
 * The evidence a transaction leaves in world state beside its rule state: each EPCIS event
 * under its eventID, and one history entry per lot the transaction touched, keyed by time and
 * transaction so that a lot's history reads back in order with a prefix scan.
 */
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

/** Writes the transaction's EPCIS events and the histories of the lots it touched. */
export async function recordEvidence(tx: Tx, event: EventName): Promise<void> {
  for (const e of tx.epcis) await tx.put(KEY.epcis, [e.eventID.slice('urn:uuid:'.length)], e);
  const entry: HistoryEntry = { txId: tx.txId, time: tx.time, event, caller: tx.callerId, eventIDs: tx.epcis.map((e) => e.eventID) };
  for (const ref of tx.touched.values()) await tx.put(KEY.history, [ref.gtin, ref.lot, sequencePart(tx.time, tx.txId, 0)], entry);
}

/** A recorded EPCIS event, or undefined. */
export function getEpcisEvent(tx: Tx, eventID: string): Promise<EpcisEvent | undefined> {
  return tx.get<EpcisEvent>(KEY.epcis, [eventID.replace(/^urn:uuid:/, '')]);
}

/** A page of a lot's history, oldest first, with its EPCIS events. */
export async function lotHistory(tx: Tx, ref: LotRef, pageSize: number, bookmark: string): Promise<{ entries: (HistoryEntry & { epcis: EpcisEvent[] })[]; bookmark: string }> {
  const page = await tx.page<HistoryEntry>(KEY.history, [ref.gtin, ref.lot], pageSize, bookmark);
  const entries = [];
  for (const { value } of page.entries) {
    const epcis = (await Promise.all(value.eventIDs.map((id) => getEpcisEvent(tx, id)))).filter((e): e is EpcisEvent => e !== undefined);
    entries.push({ ...value, epcis });
  }
  return { entries, bookmark: page.bookmark };
}
