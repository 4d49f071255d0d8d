/**
 * What the trace makes of the EPCIS event types and error declarations beyond plain custody:
 * a TransactionEvent that ships or sells is a custody hop like the ObjectEvent it stands for, any
 * other only ties things to a business document (nothing the trace shows); an AssociationEvent
 * packs only when its parent is an SSCC; and an event later declared erroneous (EPCIS 2.0
 * §7.4.1.2) stops contributing to /v1/trace — its hop, lineage edge and packing withdrawn, its
 * corrective event standing — live, after a rebuild of the index, and after a restart; the
 * disk-only walk (traceOnDisk) counts what the graph shows, not what was withdrawn; and a
 * trace from a lot whose only facts were withdrawn is LOT_NOT_FOUND, as its lot page is.
 */
import { expect } from 'chai';
import { itemUri, lotUri, partyUri, ssccUri, toEpcUrn } from '../../chaincode/digital-link';
import { startGateway } from '../../gateway-api/server';
import { gln, removeDir, startTestGateway, withCheck, type TestGateway } from '../gateway/support';
import type { TraceGraph } from '../../gateway-api/trace-model';
import { ApiClient, traceIndexed } from './api-client';

const RICE = withCheck('0695000000810');
const MEAL = withCheck('0695000000820');
const TEA = withCheck('0695000000830');
const PALLET = withCheck('16950000000008888');
const CASE = withCheck('16950000000008887');
const SENSOR = 'urn:epc:id:giai:0614141.12345400';
const urn = (uri: string): string => toEpcUrn(uri, 7);
const at = (h: number): Record<string, string> => ({ eventTime: `2026-08-01T${String(h).padStart(2, '0')}:00:00Z`, eventTimeZoneOffset: '+08:00' });
const id = (n: number): string => `urn:uuid:7c1e0a52-5d0f-4f3e-9b1a-00000000${String(n).padStart(4, '0')}`;
const PO = [{ type: 'po', bizTransaction: 'http://transaction.example.com/po/81' }];
type Graph = TraceGraph;

describe('EPCIS transactions, associations and error declarations in the trace', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let gw: TestGateway['gw'];
  const api = new ApiClient(() => gw.url);
  const keys = api.keys;
  const as = api.as.bind(api);
  const capture = async (who: string, events: unknown[]): Promise<Record<string, unknown>> => {
    const job = await api.captureOk(who, events);
    await traceIndexed(gw);
    return job;
  };
  const trace = (direction: 'back' | 'forward', params: string, status = 200): Promise<Graph> => api.trace('samr', direction, params, status);
  const lots = (g: Graph): string[] => g.lots.map((l) => `${l.gtin}/${l.lot}`).sort();
  const hops = (g: Graph): string[] => g.hops.map((h) => `${h.kind}:${h.lot.lot}:${h.from}>${h.to}:${h.quantity}`);

  // the events later declared erroneous, and the event that corrects the shipment
  const shipped = { type: 'ObjectEvent', eventID: id(2), ...at(2), action: 'OBSERVE', bizStep: 'shipping', epcList: [],
    quantityList: [{ epcClass: urn(lotUri(RICE, 'R1')), quantity: 100, uom: 'KGM' }], destinationList: [{ type: 'owning_party', destination: urn(partyUri(gln(82))) }] };
  const milled = { type: 'TransformationEvent', eventID: id(3), ...at(3),
    inputQuantityList: [{ epcClass: urn(lotUri(RICE, 'R1')), quantity: 50, uom: 'KGM' }], outputQuantityList: [{ epcClass: urn(lotUri(MEAL, 'M1')), quantity: 40, uom: 'KGM' }] };
  const packed = { type: 'AggregationEvent', eventID: id(4), ...at(4), action: 'ADD', bizStep: 'packing', parentID: urn(ssccUri(PALLET)), childQuantityList: [{ epcClass: urn(lotUri(RICE, 'R1')), quantity: 10, uom: 'KGM' }] };
  const corrected = { ...shipped, eventID: id(5), quantityList: [{ epcClass: urn(lotUri(RICE, 'R1')), quantity: 80, uom: 'KGM' }] };
  const declaration = { declarationTime: '2026-08-02T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: [id(5)] };

  before(async () => {
    t = await startTestGateway();
    gw = t.gw;
    keys['samr'] = t.regulatorKey;
    await api.register('samr', [
      { id: 'farm-8', name: 'Rice Farm', role: 'producer', licence: 'SC-81', gln: gln(81) },
      { id: 'mill-8', name: 'Rice Mill', role: 'processor', licence: 'SC-82', gln: gln(82) },
    ]);
    await capture('farm-8', [
      { type: 'ObjectEvent', eventID: id(1), ...at(1), action: 'ADD', bizStep: 'commissioning', epcList: [], quantityList: [{ epcClass: urn(lotUri(RICE, 'R1')), quantity: 500, uom: 'KGM' }] },
      shipped,
      milled,
      packed,
      // the same lot packed onto the same pallet by a second, correct event: it stays packed
      { ...packed, eventID: id(6), ...at(5) },
    ]);
  });

  after(async () => {
    await gw?.close();
    if (t) await removeDir(t.dir);
  });

  it('draws a TransactionEvent that ships or sells as a custody hop, and nothing for one that only names an order', async () => {
    await capture('mill-8', [
      { type: 'ObjectEvent', ...at(6), action: 'ADD', bizStep: 'commissioning', epcList: [urn(itemUri(TEA, 'T1')), urn(itemUri(TEA, 'T2')), urn(itemUri(TEA, 'T3'))] },
      { type: 'TransactionEvent', ...at(7), action: 'ADD', bizStep: 'shipping', bizTransactionList: PO, epcList: [urn(itemUri(TEA, 'T1'))],
        sourceList: [{ type: 'owning_party', source: urn(partyUri(gln(82))) }], destinationList: [{ type: 'owning_party', destination: urn(partyUri(gln(83))) }] },
      { type: 'TransactionEvent', ...at(8), action: 'OBSERVE', bizStep: 'retail_selling', bizTransactionList: PO, epcList: [urn(itemUri(TEA, 'T2'))] },
      { type: 'TransactionEvent', ...at(9), action: 'ADD', bizTransactionList: PO, epcList: [urn(itemUri(TEA, 'T3'))] },
      { type: 'TransactionEvent', ...at(10), action: 'DELETE', bizStep: 'shipping', bizTransactionList: PO, epcList: [urn(itemUri(TEA, 'T3'))],
        destinationList: [{ type: 'owning_party', destination: urn(partyUri(gln(83))) }] },
    ]);
    expect(hops(await trace('forward', `code=${encodeURIComponent(itemUri(TEA, 'T1'))}`))).to.deep.equal([`ship:#T1:mill-8>${gln(83)}:1`]);
    expect(hops(await trace('forward', `code=${encodeURIComponent(itemUri(TEA, 'T2'))}`))).to.deep.equal(['sale:#T2:mill-8>:1']);
    expect(hops(await trace('forward', `code=${encodeURIComponent(itemUri(TEA, 'T3'))}`))).to.deep.equal([]);
  });

  it('packs with an AssociationEvent only when its parent is an SSCC; a sensor (GIAI) parent names nothing the trace shows', async () => {
    await capture('mill-8', [
      { type: 'AssociationEvent', ...at(11), action: 'ADD', bizStep: 'assembling', parentID: urn(ssccUri(CASE)), childEPCs: [urn(itemUri(TEA, 'T1'))] },
      { type: 'AssociationEvent', ...at(12), action: 'ADD', bizStep: 'assembling', parentID: SENSOR, childEPCs: [urn(itemUri(TEA, 'T9'))] },
    ]);
    expect(lots(await trace('back', `sscc=${CASE}`))).to.deep.equal([`${TEA}/#T1`]);
    await trace('back', `code=${encodeURIComponent(itemUri(TEA, 'T9'))}`, 404);
  });

  it('withdraws the hop, edge and packing of events declared erroneous; the corrective event stands', async () => {
    const before = await trace('forward', `gtin=${RICE}&lot=R1`);
    expect(hops(before)).to.deep.equal([`ship:R1:farm-8>${gln(82)}:100`]);
    expect(lots(before)).to.deep.equal([`${MEAL}/M1`, `${RICE}/R1`].sort());
    expect(lots(await trace('back', `sscc=${PALLET}`))).to.deep.equal([`${RICE}/R1`]);

    const job = await capture('farm-8', [
      { ...shipped, errorDeclaration: declaration },
      { ...milled, errorDeclaration: declaration },
      { ...packed, errorDeclaration: declaration },
      corrected,
    ]);
    expect(job).to.include({ captured: 1, duplicates: 0 }); // the corrective event; the three declarations are neither

    const after = await trace('forward', `gtin=${RICE}&lot=R1`);
    expect(hops(after)).to.deep.equal([`ship:R1:farm-8>${gln(82)}:80`]);
    expect(after.edges).to.deep.equal([]);
    expect(lots(after)).to.deep.equal([`${RICE}/R1`]);
    expect(lots(await trace('back', `sscc=${PALLET}`))).to.deep.equal([`${RICE}/R1`]); // still packed by the second event
    expect((await as('samr', 'GET', `/v1/lots/${MEAL}/M1`)).status).to.equal(404);
    expect((await as('samr', 'GET', `/v1/shipments/${encodeURIComponent(id(2))}`)).status).to.equal(404);
  });

  it('answers a trace from a lot whose only facts were withdrawn as its lot page does: LOT_NOT_FOUND', async () => {
    for (const direction of ['back', 'forward'] as const) {
      const r = await as('samr', 'GET', `/v1/trace/${direction}?gtin=${MEAL}&lot=M1`);
      expect(r.status, r.text).to.equal(404);
      expect(r.body.error.code).to.equal('LOT_NOT_FOUND');
    }
    // still packed by a live event, a lot with no creating fact stays traceable: the trace shows the pallet's hops of it
    const packedOnly = { ...packed, eventID: id(7), ...at(13), parentID: urn(ssccUri(CASE)), childQuantityList: [{ epcClass: urn(lotUri(MEAL, 'M2')), quantity: 3, uom: 'KGM' }] };
    await capture('farm-8', [packedOnly]);
    expect(lots(await trace('forward', `gtin=${MEAL}&lot=M2`))).to.deep.equal([`${MEAL}/M2`]);
    expect((await as('samr', 'GET', `/v1/lots/${MEAL}/M2`)).status).to.equal(404);
  });

  it('answers the same counts from the disk-only walk as from the graph once events are declared erroneous', async () => {
    const lot = { gtin: RICE, lot: 'R1' };
    for (const direction of ['back', 'forward'] as const) {
      const g = direction === 'back' ? gw.index.traceBack({ lot }, lot.lot) : gw.index.traceForward({ lot }, lot.lot);
      expect(await gw.index.traceOnDisk(direction, lot), direction).to.deep.equal({ lots: g.lots.length, edges: g.edges.length, hops: g.hops.length });
    }
    expect(await gw.index.traceOnDisk('forward', lot)).to.deep.equal({ lots: 1, edges: 0, hops: 1 }); // the corrective shipment only
    // the walk counts its start whatever it is; from the withdrawn meal lot, nothing leads back to the rice
    expect(await gw.index.traceOnDisk('back', { gtin: MEAL, lot: 'M1' })).to.deep.equal({ lots: 1, edges: 0, hops: 0 });
  });

  it('stays withdrawn after the index is rebuilt from the ledger, and after a restart loads it from disk', async () => {
    const queries: Array<['back' | 'forward', string]> = [
      ['forward', `gtin=${RICE}&lot=R1`],
      ['back', `sscc=${PALLET}`],
      ['back', `sscc=${CASE}`],
      ['forward', `code=${encodeURIComponent(itemUri(TEA, 'T1'))}`],
    ];
    const live = await Promise.all(queries.map(([d, q]) => trace(d, q)));
    expect(hops(live[0] as Graph)).to.deep.equal([`ship:R1:farm-8>${gln(82)}:80`]);
    await gw.index.rebuild(gw.ledger, 300);
    expect(await Promise.all(queries.map(([d, q]) => trace(d, q)))).to.deep.equal(live);
    expect((await as('samr', 'GET', `/v1/lots/${MEAL}/M1`)).status).to.equal(404);
    await trace('forward', `gtin=${MEAL}&lot=M1`, 404);
    await gw.close();
    gw = await startGateway(t.config);
    expect(await Promise.all(queries.map(([d, q]) => trace(d, q)))).to.deep.equal(live);
    await trace('back', `gtin=${MEAL}&lot=M1`, 404);
  });
});
