/**
 * Disposals (chaincode/disposal.ts): a holder destroys or disposes of a quantity of a lot it
 * holds — recalled stock above all, which no sale, shipment or transformation may move — and the
 * quantity leaves its holding for good; the record, its chaincode event and its EPCIS event; and
 * every refusal, each committing nothing. On the hand-worked chain (chain.ts). Runs on the
 * embedded ledger and on Fabric alike.
 */
import { expect } from 'chai';
import type { Disposal, ErrorCode, Holding, Lot } from '../../chaincode';
import { actor, allEvents, expectCode, openWorld, sscc, stateProbe, type Actor, type World } from './support';
import { BREAD, FLOUR, SUGAR, WHEAT, buildChain, ref } from './chain';

describe('chaincode: disposals', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    await buildChain(w);
  });
  after(async () => w?.close());

  const at = (who: string) => ({ gln: actor(w, who).gln });
  const held = async (gtin: string, lot: string, holder: string): Promise<number | undefined> =>
    (await w.evaluate<{ holdings: Holding[] }>('GetLot', ref(gtin, lot), actor(w, 'samr'))).holdings.find((h) => h.holder === holder)?.quantity;

  /** Expects a submit to be refused with `code` and to change nothing. */
  async function refused(input: unknown, who: Actor, code: ErrorCode, field?: string): Promise<void> {
    const height = await w.ledger.height();
    const before = await stateProbe(w, [ref(BREAD, 'BR1'), ref(FLOUR, 'F1')], actor(w, 'samr'));
    const err = await expectCode(w.submit('RecordDisposal', input, who), code);
    if (field) expect(err.details['field'], err.message).to.equal(field);
    expect(await w.ledger.height(), 'a refused disposal committed a block').to.equal(height);
    expect(await stateProbe(w, [ref(BREAD, 'BR1'), ref(FLOUR, 'F1')], actor(w, 'samr'))).to.equal(before);
  }

  it('takes recalled stock, which nothing else may move, out of its holder\'s holding, with an EPCIS event where it was destroyed', async () => {
    const shop = actor(w, 'shop');
    await w.submit('IssueRecall', { recallId: 'R-1', lots: [ref(WHEAT, 'W1')], reason: 'ergot', class: 'I' }, actor(w, 'samr'));
    expect((await w.evaluate<{ lot: Lot }>('GetLot', ref(BREAD, 'BR1'), shop)).lot.status).to.equal('recalled');
    await expectCode(w.submit('RecordScans', { scans: [{ kind: 'sale', gtin: BREAD, lot: 'BR1', quantity: 5, location: at('shop') }] }, shop), 'LOT_RECALLED');

    const answer = await w.submit<{ body: { disposal: Disposal; holding: Holding } }>('RecordDisposal', {
      disposalId: 'D-1', ...ref(BREAD, 'BR1'), quantity: 150, method: 'destroyed', reason: '召回 R-1 监督销毁 destroyed under supervision', location: { ...at('shop'), name: '河坊街门店' },
    }, shop);
    expect(answer.body.disposal).to.deep.include({
      disposalId: 'D-1', gtin: BREAD, lot: 'BR1', quantity: 150, unit: 'EA', method: 'destroyed', holder: 'shop', lotStatus: 'recalled', recallId: 'R-1',
      location: { gln: shop.gln, name: '河坊街门店' },
    });
    expect(answer.body.holding).to.deep.equal({ gtin: BREAD, lot: 'BR1', holder: 'shop', unit: 'EA', quantity: 50 });
    expect(await held(BREAD, 'BR1', 'shop')).to.equal(50);

    const events = (await allEvents(w)).filter((e) => e.eventName === 'StockDisposed');
    expect(events).to.have.length(1);
    const env = events[0] as (typeof events)[number] & { type: 'StockDisposed' };
    expect(env.body.disposal).to.deep.equal(answer.body.disposal);
    expect(env.caller).to.equal('shop');
    const epcis = env.epcis[0] as unknown as Record<string, unknown>;
    expect(epcis).to.include({ type: 'ObjectEvent', action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed', 'zfc:disposalId': 'D-1', 'zfc:recallId': 'R-1' });
    expect(epcis['quantityList']).to.deep.equal([{ epcClass: `https://id.gs1.org/01/${BREAD}/10/BR1`, quantity: 150, uom: 'EA' }]);
    expect(epcis['bizLocation']).to.deep.equal({ id: `https://id.gs1.org/414/${shop.gln}` });

    // the rest of it too, disposed of otherwise: nothing is left to the shop
    await w.submit('RecordDisposal', { disposalId: 'D-2', ...ref(BREAD, 'BR1'), quantity: 50, method: 'disposed', reason: 'rendered harmless', location: at('shop') }, shop);
    expect(await held(BREAD, 'BR1', 'shop')).to.equal(0);
  });

  it('disposes of active stock too (spoiled, past its date), with no recall named', async () => {
    const mill = actor(w, 'mill');
    const before = await held(WHEAT, 'W2', 'mill');
    const answer = await w.submit<{ body: { disposal: Disposal } }>('RecordDisposal', { disposalId: 'D-3', ...ref(WHEAT, 'W2'), quantity: 12.5, method: 'disposed', reason: 'mouldy', location: at('mill') }, mill);
    expect(answer.body.disposal).to.include({ lotStatus: 'active', quantity: 12.5, unit: 'KGM' });
    expect(answer.body.disposal).to.not.have.property('recallId');
    expect(await held(WHEAT, 'W2', 'mill')).to.equal((before ?? 0) - 12.5);
  });

  it('refuses what its caller does not hold, a repeated ID and bad input, each changing nothing', async () => {
    const dist = actor(w, 'dist');
    const ok = { disposalId: 'D-9', ...ref(BREAD, 'BR1'), quantity: 10, method: 'destroyed', reason: 'recall', location: at('dist') };
    await refused({ ...ok, quantity: 101 }, dist, 'QUANTITY_EXCEEDS_HOLDING'); // dist holds 100 of BR1
    await refused({ ...ok, ...ref(FLOUR, 'F1') }, dist, 'NOT_OWNER');
    await refused(ok, actor(w, 'lab'), 'FORBIDDEN');
    await refused(ok, actor(w, 'samr'), 'FORBIDDEN'); // a regulator witnesses; the holder records
    await refused({ ...ok, disposalId: 'D-1' }, dist, 'CONFLICT');
    await refused({ ...ok, ...ref(BREAD, 'NOPE') }, dist, 'LOT_NOT_FOUND');
    await refused({ ...ok, quantity: 0 }, dist, 'INVALID_ARGUMENT', '/quantity');
    await refused({ ...ok, quantity: '10' }, dist, 'INVALID_ARGUMENT', '/quantity');
    await refused({ ...ok, method: 'eaten' }, dist, 'INVALID_ARGUMENT', '/method');
    await refused({ ...ok, reason: '' }, dist, 'INVALID_ARGUMENT', '/reason');
    await refused({ ...ok, disposalId: 'D|\u0000' }, dist, 'INVALID_ARGUMENT', '/disposalId');
    const noPlace: Record<string, unknown> = { ...ok };
    delete noPlace['location'];
    await refused(noPlace, dist, 'INVALID_ARGUMENT', '/location');
    await w.submit('RecordDisposal', ok, dist); // the same input, valid, is recorded
    expect(await held(BREAD, 'BR1', 'dist')).to.equal(90);
  });

  it('marks the labelled items it names disposed: never sold or packed again, and the EPCIS event lists them', async () => {
    const bakery = actor(w, 'bakery');
    const shop = actor(w, 'shop');
    for (const [lot, prefix] of [['BR8', 'BZ-'], ['BR9', 'BX-']] as const) {
      await w.submit('TransformLots', { transformationId: `BAKE-${lot}`, inputs: [{ ...ref(SUGAR, 'S1'), quantity: 5 }], output: { ...ref(BREAD, lot), quantity: 20, productionDate: '2026-03-01' }, location: at('bakery') }, bakery);
      await w.submit('CommissionItems', { ...ref(BREAD, lot), ranges: [{ prefix, from: 1, to: 10 }] }, bakery);
    }
    await w.submit('Ship', { shipmentId: 'SH-BX', to: 'shop', lines: [{ ...ref(BREAD, 'BR9'), quantity: 10 }], origin: at('bakery') }, bakery);
    await w.submit('Receive', { shipmentId: 'SH-BX', location: at('shop') }, shop);
    const dispose = { disposalId: 'D-BX1', ...ref(BREAD, 'BR9'), quantity: 3, method: 'destroyed', reason: '包装破损 damaged packaging', location: at('shop'), serials: ['BX-1', 'BX-2'] };
    const answer = await w.submit<{ body: { disposal: Disposal } }>('RecordDisposal', dispose, shop);
    expect(answer.body.disposal.serials).to.deep.equal(['BX-1', 'BX-2']);
    expect(await held(BREAD, 'BR9', 'shop')).to.equal(7);
    const item = async (serial: string) => w.evaluate<{ item: { status: string; disposalId?: string } }>('GetItem', { gtin: BREAD, serial }, actor(w, 'samr'));
    expect((await item('BX-1')).item).to.include({ status: 'disposed', disposalId: 'D-BX1' });
    expect((await item('BX-3')).item.status).to.equal('active');
    // the EPCIS event: the two items as instances, the third piece as a quantity
    const env = (await allEvents(w)).filter((e) => e.eventName === 'StockDisposed').pop();
    const epcis = env?.epcis[0] as unknown as Record<string, unknown>;
    expect(epcis['epcList']).to.deep.equal([`https://id.gs1.org/01/${BREAD}/21/BX-1`, `https://id.gs1.org/01/${BREAD}/21/BX-2`]);
    expect(epcis['quantityList']).to.deep.equal([{ epcClass: `https://id.gs1.org/01/${BREAD}/10/BR9`, quantity: 1, uom: 'EA' }]);
    // a destroyed package may not be sold, nor packed, on the ledger; its neighbour may
    const sale = (serial: string) => w.submit('RecordScans', { scans: [{ kind: 'sale', gtin: BREAD, serial, location: at('shop') }] }, shop);
    const refusedSale = await expectCode(sale('BX-1'), 'INVALID_STATE');
    expect(refusedSale.details).to.include({ serial: 'BX-1', disposalId: 'D-BX1' });
    await expectCode(w.submit('Aggregate', { sscc: sscc(91), location: at('shop'), items: [{ gtin: BREAD, serial: 'BX-2' }] }, shop), 'INVALID_STATE');
    await sale('BX-3');
    // refusals, each changing nothing and naming the serial
    const again = async (change: Record<string, unknown>, code: ErrorCode, field: string): Promise<void> => {
      const height = await w.ledger.height();
      const err = await expectCode(w.submit('RecordDisposal', { ...dispose, disposalId: 'D-BX2', ...change }, shop), code);
      expect(err.details['field'], err.message).to.equal(field);
      expect(await w.ledger.height()).to.equal(height);
    };
    await again({ serials: ['BX-4', 'BX-1'] }, 'INVALID_STATE', '/serials/1'); // disposed of already
    await again({ serials: ['BX-3'] }, 'INVALID_STATE', '/serials/0'); // sold
    await again({ serials: ['BX-404'] }, 'ITEM_NOT_FOUND', '/serials/0');
    await again({ quantity: 1, serials: ['BX-4', 'BX-5'] }, 'INVALID_ARGUMENT', '/serials'); // two pieces are more than one
    await again({ serials: ['BX-4', 'BX-4'] }, 'INVALID_ARGUMENT', '/serials');
    await again({ serials: [] }, 'INVALID_ARGUMENT', '/serials');
    await again({ serials: ['BZ-1'] }, 'INVALID_ARGUMENT', '/serials/0'); // an item of another lot
    await w.submit('Aggregate', { sscc: sscc(92), location: at('shop'), items: [{ gtin: BREAD, serial: 'BX-6' }] }, shop);
    await again({ serials: ['BX-6'] }, 'INVALID_STATE', '/serials/0'); // packed in a case: unpacked first
    expect((await item('BX-4')).item.status, 'refused disposals marked nothing').to.equal('active');
    // every item of the quantity: the event has no quantity left
    await w.submit('RecordDisposal', { ...dispose, disposalId: 'D-BX3', quantity: 2, serials: ['BX-4', 'BX-5'] }, shop);
    const last = (await allEvents(w)).filter((e) => e.eventName === 'StockDisposed').pop()?.epcis[0] as unknown as Record<string, unknown>;
    expect([last['epcList'], last['quantityList']]).to.deep.equal([[`https://id.gs1.org/01/${BREAD}/21/BX-4`, `https://id.gs1.org/01/${BREAD}/21/BX-5`], undefined]);
  });

  it('returns recalled stock to its producer, and only there, which destroys it in turn', async () => {
    const dist = actor(w, 'dist');
    const bakery = actor(w, 'bakery');
    const back = { shipmentId: 'RET-1', to: 'bakery', lines: [{ ...ref(BREAD, 'BR1'), quantity: 40 }], origin: at('dist'), purpose: 'return' };
    const height = await w.ledger.height();
    await expectCode(w.submit('Ship', { ...back, purpose: undefined }, dist), 'LOT_RECALLED'); // an ordinary shipment of it is refused, as ever
    const elsewhere = await expectCode(w.submit('Ship', { ...back, to: 'mill' }, dist), 'INVALID_ARGUMENT');
    expect(elsewhere.details).to.include({ field: '/lines/0', producer: 'bakery', to: 'mill' });
    const packed = await expectCode(w.submit('Ship', { ...back, containers: [sscc(77)] }, dist), 'INVALID_ARGUMENT');
    expect(packed.details['field']).to.equal('/containers');
    await expectCode(w.submit('Ship', { ...back, purpose: 'gift' }, dist), 'INVALID_ARGUMENT');
    expect(await w.ledger.height(), 'refused returns committed nothing').to.equal(height);

    const shipped = await w.submit<{ body: { shipment: { purpose?: string; status: string } } }>('Ship', back, dist);
    expect(shipped.body.shipment).to.include({ purpose: 'return', status: 'in_transit' });
    expect(await held(BREAD, 'BR1', 'dist')).to.equal(50);
    const event = (await allEvents(w)).filter((e) => e.eventName === 'Shipped').pop();
    expect(event?.epcis[0]).to.include({ bizStep: 'shipping', disposition: 'returned' });
    await w.submit('Receive', { shipmentId: 'RET-1', location: at('bakery') }, bakery);
    const before = await held(BREAD, 'BR1', 'bakery');
    await w.submit('RecordDisposal', { disposalId: 'D-RET-1', ...ref(BREAD, 'BR1'), quantity: 40, method: 'destroyed', reason: 'returned under recall R-1', location: at('bakery') }, bakery);
    expect(await held(BREAD, 'BR1', 'bakery')).to.equal((before ?? 0) - 40);
  });
});
