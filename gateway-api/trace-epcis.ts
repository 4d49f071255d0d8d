/**
 * A trace as an EPCIS 2.0 document: the EPCIS events that the trace's transactions recorded
 * (lot creation, tests, transformations, shipping, receiving, sales), in event-time order, as
 * an EPCISQueryDocument — what a regulator hands to another system. The events of each
 * transaction, recorded by the contract or captured through /epcis, are looked up by the
 * transaction, never searched for; the EPCIS store's visibility rules decide what the caller
 * may see. EPCs are written as the query interface writes them for the `GS1-EPC-Format` asked
 * (Digital Links by default; EPC URNs refused, 406, for an identifier of unknown company prefix).
 */
import { itemUri, lotUri } from '../chaincode/digital-link';
import { anyClasses, anyEpcs } from '../chaincode/epcis-identifiers';
import type { StoredEpcisEvent } from '../chaincode/epcis-ledger';
import type { Caller } from './api-keys';
import type { ProjectedEventStore } from './epcis-projection';
import { queryDocument, type EpcFormat } from './epcis-query';
import { answerPrefixes } from './epcis-store';
import { itemSerialOf, type TraceGraph } from './trace-model';

/** Turns a trace into an EPCIS document for a caller. */
export type TraceEpcisExport = (graph: TraceGraph, caller: Caller, format?: EpcFormat) => Promise<Record<string, unknown>>;

/** The export over the gateway's EPCIS event store. */
export function traceEpcisExport(store: ProjectedEventStore, clock: () => Date = () => new Date()): TraceEpcisExport {
  return async (graph, caller, format = 'Always_GS1_Digital_Link') => {
    const events: StoredEpcisEvent[] = [];
    const touches = touchesTrace(graph);
    for (const txId of traceTransactions(graph)) events.push(...store.eventsOfTransaction(txId, caller.participant, touches));
    events.sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
    return queryDocument(events, clock().toISOString(), `trace-${graph.direction}`, format, answerPrefixes(store, format));
  };
}

/**
 * True for an event that names a lot or item of the trace (canonical identifiers, any role), or
 * that is itself one of the trace's hops: a captured shipment of a case or pallet names only the
 * SSCC, and its hops (one per lot inside) carry the event's ID as their shipment.
 */
function touchesTrace(graph: TraceGraph): (e: StoredEpcisEvent) => boolean {
  const hopEvents = new Set(graph.hops.map((h) => h.shipmentId));
  const uris = new Set<string>();
  for (const l of graph.lots) {
    const serial = itemSerialOf(l);
    try {
      uris.add(serial !== undefined ? itemUri(l.gtin, serial) : lotUri(l.gtin, l.lot));
    } catch {
      // a lot code no Digital Link can carry names nothing an event can name
    }
  }
  return (e) => hopEvents.has(e.eventID) || [...anyEpcs(e.ids), ...anyClasses(e.ids)].some((id) => uris.has(id));
}

/** Every transaction a trace rests on, once each. */
export function traceTransactions(graph: TraceGraph): string[] {
  const ids = new Set<string>();
  for (const l of graph.lots) {
    if (l.txId) ids.add(l.txId);
    for (const t of l.tests) ids.add(t.txId);
  }
  for (const e of graph.edges) ids.add(e.txId);
  for (const h of graph.hops) ids.add(h.txId);
  return [...ids];
}
