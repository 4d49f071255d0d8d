/**
 * Shipping a case or pallet by EPCIS capture moves what it carries, as the contract's own Ship of
 * containers does: lots packed onto an SSCC (by a captured AggregationEvent naming them in URNs
 * and Digital Links, through a nested case, or by the ledger's Aggregate) gain a ship and a
 * receive hop when captured events ship and receive the SSCC alone. A trace forward from the
 * lot reaches the receiving party; the receiver's lots trace back to the farm; a lot packed
 * after the shipment, or unpacked before it, did not travel; an event naming both the pallet and
 * a lot on it gives that lot one hop; a packing or a shipment declared erroneous takes its hops
 * back; the same after a rebuild of the index and a restart.
 */
import { expect } from 'chai';
import { lotUri, partyUri, ssccUri, toEpcUrn } from '../../chaincode/digital-link';
import { startGateway } from '../../gateway-api/server';
import { gln, removeDir, startTestGateway, withCheck, type TestGateway } from '../gateway/support';
import type { TraceGraph } from '../../gateway-api/trace-model';
import { ApiClient, traceIndexed } from './api-client';

const APPLES = withCheck('0695000000710');
const PEARS = withCheck('0695000000720');
const JUICE = withCheck('0695000000730');
const PALLET = withCheck('16950000000007777');
const CASE = withCheck('16950000000007776');
const BOX = withCheck('16950000000007775');
const CRATE = withCheck('16950000000007774');
const TOTE = withCheck('16950000000007773');
const BIN = withCheck('16950000000007772');
const CIDER = withCheck('0695000000740');
const MELONS = withCheck('0695000000750');
const urn = (uri: string): string => toEpcUrn(uri, 7);
const elsewhere = (uri: string): string => uri.replace('https://id.gs1.org', 'https://scan.example.com/gs1');
const at = (h: number): Record<string, string> => ({ eventTime: `2026-09-01T${String(h).padStart(2, '0')}:00:00Z`, eventTimeZoneOffset: '+08:00' });
const id = (n: number): string => `urn:uuid:5b2c7e10-3a4d-4e5f-8a9b-00000000${String(n).padStart(4, '0')}`;
const to = (n: number): Record<string, unknown> => ({ destinationList: [{ type: 'owning_party', destination: urn(partyUri(gln(n))) }] });
const from = (n: number): Record<string, unknown> => ({ sourceList: [{ type: 'owning_party', source: elsewhere(partyUri(gln(n))) }] });
type Graph = TraceGraph;

describe('EPCIS shipments of a case or pallet move what it carries', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let gw: TestGateway['gw'];
  const api = new ApiClient(() => gw.url);
  const keys = api.keys;
  const as = api.as.bind(api);
  const indexed = (): Promise<void> => traceIndexed(gw);
  const capture = async (who: string, events: unknown[]): Promise<void> => {
    await api.captureOk(who, events);
    await indexed();
  };
  const trace = (direction: 'back' | 'forward', params: string, status = 200): Promise<Graph> => api.trace('samr', direction, params, status);
  const lots = (g: Graph): string[] => g.lots.map((l) => l.lot).sort();
  const hops = (g: Graph): string[] => g.hops.map((h) => `${h.kind}:${h.lot.lot}:${h.from}>${h.to}:${h.quantity} ${h.unit}`);

  before(async () => {
    t = await startTestGateway();
    gw = t.gw;
    keys['samr'] = t.regulatorKey;
    await api.register('samr', [
      { id: 'farm-7', name: 'Orchard', role: 'producer', licence: 'SC-71', gln: gln(71) },
      { id: 'dc-7', name: 'Cold store', role: 'distributor', licence: 'SC-72', gln: gln(72) },
    ]);
    await capture('farm-7', [
      { type: 'ObjectEvent', ...at(1), action: 'ADD', bizStep: 'commissioning', epcList: [],
        quantityList: [{ epcClass: urn(lotUri(APPLES, 'A1')), quantity: 300, uom: 'KGM' }, { epcClass: urn(lotUri(PEARS, 'P1')), quantity: 200, uom: 'KGM' }] },
      // pears in a case (Digital Link on another domain), the case and apples (URN) on the pallet
      { type: 'AggregationEvent', ...at(2), action: 'ADD', bizStep: 'packing', parentID: elsewhere(ssccUri(CASE)),
        childQuantityList: [{ epcClass: elsewhere(lotUri(PEARS, 'P1')), quantity: 50, uom: 'KGM' }] },
      { type: 'AggregationEvent', ...at(3), action: 'ADD', bizStep: 'packing', parentID: urn(ssccUri(PALLET)),
        childEPCs: [urn(ssccUri(CASE))], childQuantityList: [{ epcClass: urn(lotUri(APPLES, 'A1')), quantity: 100, uom: 'KGM' }] },
      { type: 'ObjectEvent', eventID: id(1), ...at(4), action: 'OBSERVE', bizStep: 'shipping', epcList: [elsewhere(ssccUri(PALLET))], ...to(72) },
    ]);
    await capture('dc-7', [
      { type: 'ObjectEvent', eventID: id(2), ...at(5), action: 'OBSERVE', bizStep: 'receiving', epcList: [urn(ssccUri(PALLET))], ...from(71) },
    ]);
    // packed after the pallet travelled: it did not travel with it
    await capture('farm-7', [
      { type: 'AggregationEvent', ...at(6), action: 'ADD', bizStep: 'packing', parentID: urn(ssccUri(PALLET)),
        childQuantityList: [{ epcClass: urn(lotUri(APPLES, 'A2')), quantity: 5, uom: 'KGM' }] },
    ]);
  });

  after(async () => {
    await gw?.close();
    if (t) await removeDir(t.dir);
  });

  it('gives every lot on the pallet, nested case included, a ship and a receive hop with the quantity packed', async () => {
    const apples = await trace('forward', `gtin=${APPLES}&lot=A1`);
    expect(hops(apples)).to.deep.equal([`ship:A1:farm-7>${gln(72)}:100 KGM`, `receive:A1:${gln(71)}>dc-7:100 KGM`]);
    expect(apples.participants.map((p) => p.id)).to.include('dc-7');
    const pears = await trace('forward', `code=${encodeURIComponent(urn(lotUri(PEARS, 'P1')))}`);
    expect(hops(pears)).to.deep.equal([`ship:P1:farm-7>${gln(72)}:50 KGM`, `receive:P1:${gln(71)}>dc-7:50 KGM`]);
    expect(hops(await trace('forward', `gtin=${APPLES}&lot=A2`))).to.deep.equal([]);
    const shipment = await as('samr', 'GET', `/v1/shipments/${encodeURIComponent(id(1))}`);
    expect(shipment.status, shipment.text).to.equal(200);
    expect(shipment.body.to).to.equal(gln(72));
    expect(shipment.body.lines.map((l: { lot: { lot: string }; quantity: number }) => `${l.lot.lot}:${l.quantity}`).sort()).to.deep.equal(['A1:100', 'P1:50']);
  });

  it('exports the trace as EPCIS with the shipment and receipt that named only the pallet', async () => {
    const r = await as('samr', 'GET', `/v1/trace/forward?gtin=${APPLES}&lot=A1&format=epcis`);
    expect(r.status, r.text).to.equal(200);
    const ids = (r.body.epcisBody.queryResults.resultsBody.eventList as Array<{ eventID: string }>).map((e) => e.eventID);
    expect(ids).to.include.members([id(1), id(2)]);
  });

  it('lists the lots at the receiving party, and each traces back to the farm', async () => {
    const held = await as('samr', 'GET', '/v1/lots?holder=dc-7');
    expect(held.status, held.text).to.equal(200);
    expect(held.body.lots.map((l: { lot: string }) => l.lot).sort()).to.deep.equal(['A1', 'P1']);
    for (const lot of held.body.lots as Array<{ gtin: string; lot: string }>) {
      const back = await trace('back', `gtin=${lot.gtin}&lot=${lot.lot}`);
      expect(back.lots.map((l) => l.producer)).to.deep.equal(['farm-7']);
      expect(hops(back).map((h) => h.split(':')[0])).to.deep.equal(['ship', 'receive']);
    }
  });

  it('moves what the ledger\'s own Aggregate packed when a capture ships and receives the case', async () => {
    expect((await as('farm-7', 'POST', '/v1/products', { gtin: JUICE, name: 'Apple juice', category: 'drink', unit: 'LTR', requiresTest: false })).status).to.equal(201);
    expect((await as('farm-7', 'POST', '/v1/lots', { gtin: JUICE, lot: 'J1', quantity: 40, unit: 'LTR', productionDate: '2026-08-30', origin: { gln: gln(71) } })).status).to.equal(201);
    const packed = await as('farm-7', 'POST', '/v1/aggregations', { sscc: BOX, lots: [{ gtin: JUICE, lot: 'J1', quantity: 12 }], location: { gln: gln(71) } });
    expect(packed.status, packed.text).to.equal(201);
    await indexed();
    await capture('farm-7', [{ type: 'ObjectEvent', eventID: id(3), ...at(7), action: 'OBSERVE', bizStep: 'shipping', epcList: [urn(ssccUri(BOX))], ...to(72) }]);
    await capture('dc-7', [
      { type: 'TransactionEvent', eventID: id(4), ...at(8), action: 'ADD', bizStep: 'receiving', epcList: [elsewhere(ssccUri(BOX))],
        bizTransactionList: [{ type: 'po', bizTransaction: 'http://transaction.example.com/po/71' }], ...from(71) },
    ]);
    const juice = await trace('forward', `gtin=${JUICE}&lot=J1`);
    expect(hops(juice)).to.deep.equal([`ship:J1:farm-7>${gln(72)}:12 LTR`, `receive:J1:${gln(71)}>dc-7:12 LTR`]);
    const back = await trace('back', `sscc=${BOX}`);
    expect(back.lots.map((l) => `${l.lot}:${l.producer}`)).to.deep.equal(['J1:farm-7']);
  });

  it('moves items the ledger\'s own Aggregate packed with the quantity they claimed of their lots: one each, or the product\'s net quantity', async () => {
    const ok = async (path: string, body: unknown): Promise<void> => {
      const r = await as('farm-7', 'POST', path, body);
      expect(r.status, r.text).to.equal(201);
    };
    await ok('/v1/products', { gtin: CIDER, name: 'Cider, 0.5 l bottle', category: 'drink', unit: 'LTR', requiresTest: false, netQuantity: 0.5 });
    await ok('/v1/lots', { gtin: CIDER, lot: 'C1', quantity: 100, unit: 'LTR', productionDate: '2026-08-30', origin: { gln: gln(71) } });
    await ok(`/v1/lots/${CIDER}/C1/items`, { serials: ['B1', 'B2', 'B3'] });
    await ok('/v1/products', { gtin: MELONS, name: 'Melon', category: 'fruit', unit: 'EA', requiresTest: false });
    await ok('/v1/lots', { gtin: MELONS, lot: 'M1', quantity: 10, unit: 'EA', productionDate: '2026-08-30', origin: { gln: gln(71) } });
    await ok(`/v1/lots/${MELONS}/M1/items`, { serials: ['M-1', 'M-2'] });
    await ok('/v1/aggregations', {
      sscc: BIN, items: [{ gtin: CIDER, serial: 'B1' }, { gtin: CIDER, serial: 'B3' }, { gtin: MELONS, serial: 'M-2' }],
      lots: [{ gtin: CIDER, lot: 'C1', quantity: 4 }], location: { gln: gln(71) },
    });
    await indexed();
    await capture('farm-7', [{ type: 'ObjectEvent', eventID: id(20), ...at(11), action: 'OBSERVE', bizStep: 'shipping', epcList: [urn(ssccUri(BIN))], ...to(72) }]);
    expect(hops(await trace('forward', `gtin=${CIDER}&lot=C1`))).to.deep.equal([`ship:C1:farm-7>${gln(72)}:5 LTR`]);
    expect(hops(await trace('forward', `gtin=${MELONS}&lot=M1`))).to.deep.equal([`ship:M1:farm-7>${gln(72)}:1 EA`]);
  });

  it('takes the hops back when the packing or the shipment of the unit is declared erroneous', async () => {
    const packOnto = (n: number, lot: string, kg: number): Record<string, unknown> => ({ type: 'AggregationEvent', eventID: id(n), ...at(9), action: 'ADD', bizStep: 'packing',
      parentID: urn(ssccUri(CRATE)), childQuantityList: [{ epcClass: urn(lotUri(PEARS, lot)), quantity: kg, uom: 'KGM' }] });
    const ship = { type: 'ObjectEvent', eventID: id(7), ...at(10), action: 'OBSERVE', bizStep: 'shipping', epcList: [urn(ssccUri(CRATE))], ...to(72) };
    await capture('farm-7', [packOnto(5, 'P2', 10), packOnto(6, 'P3', 20), ship]);
    expect(hops(await trace('forward', `gtin=${PEARS}&lot=P2`))).to.deep.equal([`ship:P2:farm-7>${gln(72)}:10 KGM`]);
    const declared = { declarationTime: '2026-09-02T00:00:00Z', reason: 'incorrect_data' };
    await capture('farm-7', [{ ...packOnto(5, 'P2', 10), errorDeclaration: declared }]);
    await trace('forward', `gtin=${PEARS}&lot=P2`, 404); // never on the crate, so never shipped with it: nothing names it now
    expect(hops(await trace('forward', `gtin=${PEARS}&lot=P3`))).to.deep.equal([`ship:P3:farm-7>${gln(72)}:20 KGM`]);
    await capture('farm-7', [{ ...ship, errorDeclaration: declared }]);
    expect(hops(await trace('forward', `gtin=${PEARS}&lot=P3`))).to.deep.equal([]);
    expect((await as('samr', 'GET', `/v1/shipments/${encodeURIComponent(id(7))}`)).status).to.equal(404);
  });

  it('moves only what is still inside: unpacked lots stay (unless the unpacking is declared erroneous), and a lot the event also names itself gets one hop', async () => {
    const onTote = (n: number, h: number, action: string, children: Array<[string, number]>): Record<string, unknown> => ({ type: 'AggregationEvent', eventID: id(n), ...at(h), action,
      bizStep: action === 'ADD' ? 'packing' : 'unpacking', parentID: elsewhere(ssccUri(TOTE)),
      ...(children.length > 0 ? { childQuantityList: children.map(([lot, kg]) => ({ epcClass: urn(lotUri(APPLES, lot)), quantity: kg, uom: 'KGM' })) } : {}) });
    const shipTote = (n: number, h: number, named: Array<[string, number]>): Record<string, unknown> => ({ type: 'ObjectEvent', eventID: id(n), ...at(h), action: 'OBSERVE', bizStep: 'shipping',
      epcList: [urn(ssccUri(TOTE))], quantityList: named.map(([lot, kg]) => ({ epcClass: elsewhere(lotUri(APPLES, lot)), quantity: kg, uom: 'KGM' })), ...to(72) });
    await capture('farm-7', [onTote(8, 11, 'ADD', [['A3', 7], ['A4', 8]]), onTote(9, 12, 'DELETE', [['A4', 8]]), shipTote(10, 13, [['A3', 7]])]);
    await capture('farm-7', [onTote(11, 14, 'ADD', [['A5', 2]]), onTote(12, 15, 'DELETE', []), shipTote(13, 16, [])]);
    expect(hops(await trace('forward', `gtin=${APPLES}&lot=A3`))).to.deep.equal([`ship:A3:farm-7>${gln(72)}:7 KGM`]);
    expect(hops(await trace('forward', `gtin=${APPLES}&lot=A4`))).to.deep.equal([]);
    expect(hops(await trace('forward', `gtin=${APPLES}&lot=A5`))).to.deep.equal([]);
    expect(lots(await trace('back', `sscc=${TOTE}`))).to.deep.equal(['A3', 'A4', 'A5']); // a trace from the tote still reaches all it ever carried
    // the unpacking declared erroneous: the apples never left the tote, so they travelled with it
    await capture('farm-7', [{ ...onTote(9, 12, 'DELETE', [['A4', 8]]), errorDeclaration: { declarationTime: '2026-09-02T00:00:00Z', reason: 'incorrect_data' } }]);
    expect(hops(await trace('forward', `gtin=${APPLES}&lot=A4`))).to.deep.equal([`ship:A4:farm-7>${gln(72)}:8 KGM`]);
  });

  it('counts the same unit hops in the disk-only walk as in the graph', async () => {
    const starts = ['A1', 'A3', 'A4', 'A5'].map((lot) => ({ gtin: APPLES, lot })).concat([{ gtin: PEARS, lot: 'P1' }, { gtin: PEARS, lot: 'P3' }, { gtin: JUICE, lot: 'J1' }]);
    for (const direction of ['back', 'forward'] as const) {
      for (const lot of starts) {
        const g = direction === 'back' ? gw.index.traceBack({ lot }, lot.lot) : gw.index.traceForward({ lot }, lot.lot);
        expect(await gw.index.traceOnDisk(direction, lot), `${direction} ${lot.lot}`).to.deep.equal({ lots: 1, edges: 0, hops: g.hops.length });
      }
    }
    expect(await gw.index.traceOnDisk('forward', { gtin: APPLES, lot: 'A1' })).to.deep.equal({ lots: 1, edges: 0, hops: 2 });
  });

  it('gives identical answers after the index is rebuilt from the ledger, and after a restart loads it from disk', async () => {
    const queries: Array<['back' | 'forward', string]> = [
      ['forward', `gtin=${APPLES}&lot=A1`],
      ['forward', `gtin=${PEARS}&lot=P1`],
      ['forward', `gtin=${APPLES}&lot=A2`],
      ['back', `sscc=${PALLET}`],
      ['forward', `gtin=${JUICE}&lot=J1`],
      ['forward', `gtin=${PEARS}&lot=P3`],
      ['back', `sscc=${CRATE}`],
      ['forward', `gtin=${APPLES}&lot=A3`],
      ['forward', `gtin=${APPLES}&lot=A4`],
    ];
    const live = await Promise.all(queries.map(([d, q]) => trace(d, q)));
    expect(hops(live[0] as Graph)).to.have.length(2);
    const holders = (await as('samr', 'GET', '/v1/lots?holder=dc-7')).body;
    await gw.index.rebuild(gw.ledger, 300);
    expect(await Promise.all(queries.map(([d, q]) => trace(d, q)))).to.deep.equal(live);
    expect((await as('samr', 'GET', '/v1/lots?holder=dc-7')).body).to.deep.equal(holders);
    await gw.close();
    gw = await startGateway(t.config);
    expect(await Promise.all(queries.map(([d, q]) => trace(d, q)))).to.deep.equal(live);
    expect((await as('samr', 'GET', '/v1/lots?holder=dc-7')).body).to.deep.equal(holders);
  });
});
