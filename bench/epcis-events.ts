/**
 * The EPCIS events the capture benchmarks send (bench/epcis.bench.ts) and take apart
 * (bench/epcis-parts.bench.ts): each names a fresh item, half in EPC URN and half in Digital Link
 * form, with an SGLN read point, a purchase order and a user extension, so both benchmarks
 * measure the same work.
 */

type Json = Record<string, unknown>;

/** The JSON-LD @context of every benchmark document (the `ex:` extension's namespace). */
export const BENCH_CONTEXT: readonly unknown[] = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.org/ext/' }];

/** The `i`th event of a series; each series names other items, so no series repeats another's events. */
export function benchEvent(i: number, series: string): Json {
  return {
    type: 'ObjectEvent',
    eventTime: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString(),
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: i % 2 === 0 ? 'shipping' : 'receiving',
    disposition: 'in_transit',
    epcList: [i % 2 === 0 ? `urn:epc:id:sgtin:0614141.107346.${series}${i}` : `https://id.gs1.org/01/10614141073464/21/${series}${i}`],
    readPoint: { id: 'urn:epc:id:sgln:0614141.07346.1234' },
    bizTransactionList: [{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:0614141073467:${i}` }],
    'ex:temperature': { 'ex:celsius': 4 + (i % 3) },
  };
}

/** An EPCISDocument of the events. */
export function benchDocument(events: Json[]): Json {
  return { '@context': BENCH_CONTEXT, type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-01T00:00:00Z', epcisBody: { eventList: events } };
}
