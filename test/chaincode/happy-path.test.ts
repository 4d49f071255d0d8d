/**
 * Every transaction's happy path through the embedded ledger, in the order a supply chain
 * uses them: products, lots, items, tests, transformation, packing, shipping, receiving,
 * scanning and selling, holds; each checked in state, in its one chaincode event and in its
 * EPCIS event.
 */
import { expect } from 'chai';
import { decodeEvent, type AnyEventEnvelope, type Lot, type Holding, type TestResult, type Shipment, type Container, type Item } from '../../chaincode';
import { actor, expectCode, gln, gtin, openWorld, sscc, type World } from './support';

const WHEAT = gtin(1);
const FLOUR = gtin(2);
const EGGS = gtin(3);
const SHA = 'a'.repeat(64);

describe('chaincode: happy paths', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
  });
  after(async () => w?.close());

  async function lastEvent(): Promise<AnyEventEnvelope> {
    let last: AnyEventEnvelope | undefined;
    const ac = new AbortController();
    const height = await w.ledger.height();
    for await (const e of w.ledger.events({ signal: ac.signal })) {
      last = decodeEvent(e.payload);
      if (e.blockNumber >= height - 1) break;
    }
    ac.abort();
    if (!last) throw new Error('no events');
    return last;
  }

  it('GetCaller maps the caller to its participant', async () => {
    const me = await w.evaluate<{ id: string; role: string }>('GetCaller', {}, actor(w, 'farm-a'));
    expect(me).to.include({ id: 'farm-a', role: 'producer' });
  });

  it('registers products', async () => {
    const answer = await w.submit<{ type: string; body: { product: { gtin: string; owner: string } } }>('RegisterProduct',
      { gtin: WHEAT, name: '小麦 wheat', category: 'grain', unit: 'KGM', requiresTest: true }, actor(w, 'farm-a'));
    expect(answer.type).to.equal('ProductRegistered');
    expect(answer.body.product).to.include({ gtin: WHEAT, owner: 'farm-a' });
    await w.submit('RegisterProduct', { gtin: FLOUR, name: 'flour', category: 'flour', unit: 'KGM', requiresTest: false, yield: { min: 0.7, max: 0.8 } }, actor(w, 'mill'));
    await w.submit('RegisterProduct', { gtin: EGGS, name: 'eggs 鸡蛋', category: 'eggs', unit: 'EA', requiresTest: false }, actor(w, 'farm-b'));
    const product = await w.evaluate<{ name: string }>('GetProduct', { gtin: WHEAT }, actor(w, 'shop'));
    expect(product.name).to.equal('小麦 wheat');
  });

  it('creates a lot held entirely by its producer, with an ADD commissioning event', async () => {
    await w.submit('CreateLot', {
      gtin: WHEAT, lot: 'W1', quantity: 1000, unit: 'KGM', productionDate: '2026-02-20', expiryDate: '2027-02-20',
      origin: { gln: gln(50), name: 'Field 7', country: 'CN', region: '浙江 Zhejiang' },
    }, actor(w, 'farm-a'));
    const got = await w.evaluate<{ lot: Lot; holdings: Holding[] }>('GetLot', { gtin: WHEAT, lot: 'W1' }, actor(w, 'farm-a'));
    expect(got.lot).to.include({ status: 'active', quantity: 1000, producer: 'farm-a' });
    expect(got.holdings).to.deep.equal([{ gtin: WHEAT, lot: 'W1', holder: 'farm-a', quantity: 1000, unit: 'KGM' }]);
    const env = await lastEvent();
    expect(env.type).to.equal('LotCreated');
    expect(env.epcis).to.have.length(1);
    expect(env.epcis[0]).to.include({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active' });
    expect(env.epcis[0]?.quantityList).to.deep.equal([{ epcClass: `https://id.gs1.org/01/${WHEAT}/10/W1`, quantity: 1000, uom: 'KGM' }]);
  });

  it('commissions item serials in ranges and lists, without a key per item', async () => {
    await w.submit('CreateLot', { gtin: EGGS, lot: 'B0', quantity: 10, unit: 'EA', productionDate: '2026-02-20', origin: { gln: gln(51) } }, actor(w, 'farm-b'));
    const answer = await w.submit<{ body: { serials: string[] } }>('CommissionItems',
      { gtin: EGGS, lot: 'B0', ranges: [{ prefix: 'S', from: 1, to: 5, width: 3 }], serials: ['X1', 'X2'] }, actor(w, 'farm-b'));
    expect(answer.body.serials).to.deep.equal(['S001', 'S002', 'S003', 'S004', 'S005', 'X1', 'X2']);
    const item = await w.evaluate<{ item: Item }>('GetItem', { gtin: EGGS, serial: 'S004' }, actor(w, 'shop'));
    expect(item.item).to.include({ lot: 'B0', status: 'active' });
    const env = await lastEvent();
    expect(env.type).to.equal('ItemsCommissioned');
    expect(env.epcis[0]?.epcList).to.have.length(7);
  });

  it('commissions 10,000 serials in one transaction, and refuses 10,001', async () => {
    const farm = actor(w, 'farm-b');
    await w.submit('CreateLot', { gtin: EGGS, lot: 'BIG', quantity: 10000, unit: 'EA', productionDate: '2026-02-20', origin: { gln: gln(51) } }, farm);
    const answer = await w.submit<{ body: { batch: { count: number }; serials: string[] } }>('CommissionItems', { gtin: EGGS, lot: 'BIG', ranges: [{ prefix: 'BIG-', from: 1, to: 9999, width: 5 }], serials: ['BIG-LAST'] }, farm);
    expect(answer.body.batch.count).to.equal(10000);
    expect(answer.body.serials[9998]).to.equal('BIG-09999');
    const item = await w.evaluate<{ item: Item }>('GetItem', { gtin: EGGS, serial: 'BIG-05000' }, actor(w, 'shop'));
    expect(item.item.lot).to.equal('BIG');
    await expectCode(w.submit('CommissionItems', { gtin: EGGS, lot: 'BIG', ranges: [{ prefix: 'MORE-', from: 1, to: 10000 }], serials: ['ONE-MORE'] }, farm), 'INVALID_ARGUMENT');
  });

  it('records a passing test', async () => {
    await w.submit('RecordTest', {
      testId: 'T1', gtin: WHEAT, lot: 'W1', method: 'GB 2763', sampledAt: '2026-02-21T09:00:00+08:00',
      analytes: [{ name: 'lead', value: 0.05, unit: 'mg/kg', limit: 0.2 }], verdict: 'pass',
      report: { sha256: SHA, uri: 'https://lab.example/reports/T1.pdf' },
    }, actor(w, 'lab'));
    const got = await w.evaluate<{ lot: Lot; tests: TestResult[] }>('GetLot', { gtin: WHEAT, lot: 'W1' }, actor(w, 'farm-a'));
    expect(got.lot.tests).to.deep.equal({ passed: 1, failed: 0 });
    expect(got.tests[0]).to.include({ testId: 'T1', verdict: 'pass', lab: 'lab' });
    const env = await lastEvent();
    expect(env.epcis[0]).to.include({ bizStep: 'inspecting', disposition: 'conformant' });
  });

  it('ships and receives in full', async () => {
    const shipped = await w.submit<{ body: { shipment: Shipment; holdings: Holding[] } }>('Ship',
      { shipmentId: 'S-1', to: 'mill', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 600 }], origin: { gln: gln(50) }, destination: { gln: gln(60) } }, actor(w, 'farm-a'));
    expect(shipped.body.shipment.status).to.equal('in_transit');
    expect(shipped.body.holdings[0]?.quantity).to.equal(400);
    const env = await lastEvent();
    expect(env.epcis[0]).to.include({ bizStep: 'shipping', disposition: 'in_transit' });
    // the shipment is the events' business transaction (a despatch advice), shipping and receiving alike
    const desadv = [{ type: 'desadv', bizTransaction: 'urn:zfc:shipment:S-1' }];
    expect(env.epcis[0]?.bizTransactionList).to.deep.equal(desadv);
    await w.submit('Receive', { shipmentId: 'S-1', location: { gln: gln(60) } }, actor(w, 'mill'));
    expect((await lastEvent()).epcis[0]).to.deep.include({ bizStep: 'receiving', bizTransactionList: desadv });
    const got = await w.evaluate<{ holdings: Holding[] }>('GetLot', { gtin: WHEAT, lot: 'W1' }, actor(w, 'mill'));
    expect(got.holdings.map((h) => [h.holder, h.quantity])).to.deep.equal([['farm-a', 400], ['mill', 600]]);
    const s = await w.evaluate<Shipment>('GetShipment', { shipmentId: 'S-1' }, actor(w, 'mill'));
    expect(s.status).to.equal('received');
    expect(s.received?.shortfall).to.deep.equal([]);
  });

  it('transforms held inputs into a new lot within the declared yield, with lineage', async () => {
    const answer = await w.submit<{ body: { balance: { verdict: string; ratio: number }; edges: unknown[]; warning?: unknown } }>('TransformLots', {
      transformationId: 'MILL-1', inputs: [{ gtin: WHEAT, lot: 'W1', quantity: 500 }],
      output: { gtin: FLOUR, lot: 'F1', quantity: 375, productionDate: '2026-02-25' }, location: { gln: gln(60) },
    }, actor(w, 'mill'));
    expect(answer.body.balance).to.include({ verdict: 'ok', ratio: 0.75 });
    expect(answer.body.warning).to.equal(undefined);
    const lineage = await w.evaluate<{ inputs: { input: { lot: string } }[]; outputs: unknown[] }>('GetLotLineage', { gtin: FLOUR, lot: 'F1' }, actor(w, 'mill'));
    expect(lineage.inputs.map((e) => e.input.lot)).to.deep.equal(['W1']);
    const env = await lastEvent();
    expect(env.epcis[0]).to.include({ type: 'TransformationEvent' });
    const got = await w.evaluate<{ holdings: Holding[] }>('GetLot', { gtin: WHEAT, lot: 'W1' }, actor(w, 'mill'));
    expect(got.holdings.find((h) => h.holder === 'mill')?.quantity).to.equal(100);
  });

  it('packs lots and items into a pallet, ships the pallet, and unpacks it', async () => {
    await w.submit('Aggregate', { sscc: sscc(1), lots: [{ gtin: FLOUR, lot: 'F1', quantity: 300 }], location: { gln: gln(60) } }, actor(w, 'mill'));
    const c = await w.evaluate<Container>('GetContainer', { sscc: sscc(1) }, actor(w, 'mill'));
    expect(c.lots).to.deep.equal([{ gtin: FLOUR, lot: 'F1', quantity: 300, unit: 'KGM' }]);
    const env = await lastEvent();
    expect(env.epcis[0]).to.include({ type: 'AggregationEvent', action: 'ADD', bizStep: 'packing' });
    await w.submit('Ship', { shipmentId: 'S-2', to: 'bakery', lines: [{ gtin: FLOUR, lot: 'F1', quantity: 300 }], containers: [sscc(1)], origin: { gln: gln(60) } }, actor(w, 'mill'));
    expect((await w.evaluate<Container>('GetContainer', { sscc: sscc(1) }, actor(w, 'mill'))).inTransit).to.equal('S-2');
    await expectCode(w.submit('Ship', { shipmentId: 'S-2b', to: 'dist', lines: [{ gtin: FLOUR, lot: 'F1', quantity: 1 }], containers: [sscc(1)], origin: { gln: gln(60) } }, actor(w, 'mill')), 'CONFLICT');
    await expectCode(w.submit('Disaggregate', { sscc: sscc(1), location: { gln: gln(60) } }, actor(w, 'mill')), 'CONFLICT');
    await w.submit('Receive', { shipmentId: 'S-2', lines: [{ gtin: FLOUR, lot: 'F1', quantity: 290 }], location: { gln: gln(70) } }, actor(w, 'bakery'));
    const s = await w.evaluate<Shipment>('GetShipment', { shipmentId: 'S-2' }, actor(w, 'bakery'));
    expect(s.received?.shortfall).to.deep.equal([{ gtin: FLOUR, lot: 'F1', quantity: 10, unit: 'KGM' }]);
    const arrived = await w.evaluate<Container>('GetContainer', { sscc: sscc(1) }, actor(w, 'bakery'));
    expect(arrived.holder).to.equal('bakery');
    expect(arrived.inTransit).to.equal(undefined);
    await w.submit('Disaggregate', { sscc: sscc(1), location: { gln: gln(70) } }, actor(w, 'bakery'));
    const after = await w.evaluate<Container>('GetContainer', { sscc: sscc(1) }, actor(w, 'bakery'));
    expect(after.lots).to.deep.equal([]);
  });

  it('packs items into a case; a scan of the case covers their lot', async () => {
    await w.submit('Aggregate', { sscc: sscc(2), items: [{ gtin: EGGS, serial: 'S001' }, { gtin: EGGS, serial: 'S002' }], location: { gln: gln(51) } }, actor(w, 'farm-b'));
    const item = await w.evaluate<{ item: Item }>('GetItem', { gtin: EGGS, serial: 'S001' }, actor(w, 'farm-b'));
    expect(item.item.container).to.equal(sscc(2));
    const answer = await w.submit<{ body: { scans: { lots: unknown[] }[] } }>('RecordScans', { scans: [{ kind: 'check', sscc: sscc(2), location: { gln: gln(51) } }] }, actor(w, 'farm-b'));
    expect(answer.body.scans[0]?.lots).to.deep.equal([{ gtin: EGGS, lot: 'B0' }]);
  });

  it('ships eggs to a shop, which scans it in and sells items and a lot quantity', async () => {
    await w.submit('Ship', { shipmentId: 'S-3', to: 'shop', lines: [{ gtin: EGGS, lot: 'B0', quantity: 6 }], origin: { gln: gln(51) } }, actor(w, 'farm-b'));
    await w.submit('Receive', { shipmentId: 'S-3', location: { gln: gln(80) } }, actor(w, 'shop'));
    const answer = await w.submit<{ body: { scans: unknown[]; holdings: Holding[]; items: Item[] } }>('RecordScans', {
      scans: [
        { kind: 'receive', gtin: EGGS, serial: 'S003', location: { gln: gln(80) } },
        { kind: 'sale', gtin: EGGS, serial: 'S003', location: { gln: gln(80) }, time: '2026-03-01T10:00:00+08:00' },
        { kind: 'sale', gtin: EGGS, serial: 'S004', location: { gln: gln(80) } },
        { kind: 'sale', gtin: EGGS, lot: 'B0', quantity: 2, location: { gln: gln(80) } },
      ],
    }, actor(w, 'shop'));
    expect(answer.body.scans).to.have.length(4);
    expect(answer.body.holdings).to.deep.equal([{ gtin: EGGS, lot: 'B0', holder: 'shop', quantity: 2, unit: 'EA' }]);
    expect(answer.body.items.map((i) => [i.serial, i.status])).to.deep.equal([['S003', 'sold'], ['S004', 'sold']]);
    const item = await w.evaluate<{ item: Item }>('GetItem', { gtin: EGGS, serial: 'S003' }, actor(w, 'shop'));
    expect(item.item.status).to.equal('sold');
    const env = await lastEvent();
    expect(env.type).to.equal('Scanned');
    // scans of one kind, place and time are one EPCIS observation: the two sales at the transaction's time share one
    expect(env.epcis.map((e) => e.bizStep)).to.deep.equal(['receiving', 'retail_selling', 'retail_selling']);
    expect(env.epcis[1]).to.include({ eventTime: '2026-03-01T10:00:00+08:00', eventTimeZoneOffset: '+08:00' });
    expect(env.epcis[2]?.epcList).to.have.length(1);
    expect(env.epcis[2]?.quantityList).to.deep.equal([{ epcClass: `https://id.gs1.org/01/${EGGS}/10/B0`, quantity: 2, uom: 'EA' }]);
  });

  it('places and releases a hold', async () => {
    await w.submit('PlaceHold', { gtin: WHEAT, lot: 'W1', reason: 'inspection' }, actor(w, 'samr'));
    expect((await w.evaluate<{ lot: Lot }>('GetLot', { gtin: WHEAT, lot: 'W1' }, actor(w, 'samr'))).lot.status).to.equal('on_hold');
    await w.submit('ReleaseHold', { gtin: WHEAT, lot: 'W1', reason: 'cleared' }, actor(w, 'samr'));
    const lot = (await w.evaluate<{ lot: Lot }>('GetLot', { gtin: WHEAT, lot: 'W1' }, actor(w, 'samr'))).lot;
    expect(lot.status).to.equal('active');
    expect(lot.hold).to.equal(undefined);
  });

  it('suspends and reinstates a participant', async () => {
    await w.submit('SuspendParticipant', { id: 'shop-b', reason: 'licence lapsed' }, actor(w, 'samr'));
    expect((await w.evaluate<{ status: string }>('GetParticipant', { id: 'shop-b' }, actor(w, 'samr'))).status).to.equal('suspended');
    await w.submit('ReinstateParticipant', { id: 'shop-b', reason: 'renewed' }, actor(w, 'samr'));
    expect((await w.evaluate<{ status: string }>('GetParticipant', { id: 'shop-b' }, actor(w, 'samr'))).status).to.equal('active');
  });

  it('gives a lot\'s history in order, with its EPCIS events', async () => {
    const h = await w.evaluate<{ entries: { event: string; epcis: unknown[] }[] }>('GetLotHistory', { gtin: WHEAT, lot: 'W1' }, actor(w, 'samr'));
    expect(h.entries.map((e) => e.event)).to.deep.equal(['LotCreated', 'TestRecorded', 'Shipped', 'Received', 'LotTransformed', 'LotHeld', 'LotReleased']);
    expect(h.entries.every((e) => e.epcis.length > 0)).to.equal(true);
    const page1 = await w.evaluate<{ entries: { event: string }[]; bookmark: string }>('GetLotHistory', { gtin: WHEAT, lot: 'W1', pageSize: 4 }, actor(w, 'samr'));
    const page2 = await w.evaluate<{ entries: { event: string }[]; bookmark: string }>('GetLotHistory', { gtin: WHEAT, lot: 'W1', pageSize: 4, bookmark: page1.bookmark }, actor(w, 'samr'));
    expect([...page1.entries, ...page2.entries].map((e) => e.event)).to.deep.equal(h.entries.map((e) => e.event));
    expect(page2.bookmark).to.equal('');
    const first = h.entries[0] as { eventIDs?: string[] } & { epcis: { eventID: string }[] };
    const one = await w.evaluate<{ eventID: string }>('GetEpcisEvent', { eventID: first.epcis[0]?.eventID }, actor(w, 'shop'));
    expect(one.eventID).to.equal(first.epcis[0]?.eventID);
  });
});
