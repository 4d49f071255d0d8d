/**
 * A trace as an EPCIS 2.0 document: the EPCIS events that the trace's transactions recorded
 * (lot creation, tests, transformations, shipping, receiving, sales), in event-time order, as
 * an EPCISQueryDocument — what a regulator hands to another system. Each transaction's events
 * have IDs derived from its transaction ID, so they are looked up, never searched for; the
 * EPCIS store's visibility rules decide what the caller may see.
 */
import { epcisEventId } from '../chaincode/epcis-event';
import type { StoredEpcisEvent } from '../chaincode/epcis-ledger';
import type { Caller } from './api-keys';
import type { ProjectedEventStore } from './epcis-projection';
import { queryDocument } from './epcis-query';
import type { TraceGraph } from './trace-model';

/** Turns a trace into an EPCIS document for a caller. */
export type TraceEpcisExport = (graph: TraceGraph, caller: Caller) => Promise<Record<string, unknown>>;

const MAX_EVENTS_PER_TX = 10_000;

/** The export over the gateway's EPCIS event store. */
export function traceEpcisExport(store: ProjectedEventStore, clock: () => Date = () => new Date()): TraceEpcisExport {
  return async (graph, caller) => {
    const events: StoredEpcisEvent[] = [];
    for (const txId of traceTransactions(graph)) {
      for (let i = 0; i < MAX_EVENTS_PER_TX; i++) {
        const e = await store.get(epcisEventId(txId, i), caller.identity, caller.participant);
        if (!e) break;
        events.push(e);
      }
    }
    events.sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
    return queryDocument(events, clock().toISOString(), `trace-${graph.direction}`);
  };
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
