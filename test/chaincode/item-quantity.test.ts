/**
 * An item of a lot counted in mass or volume holds a quantity too: its product's declared net
 * quantity (honey jars of 0.5 kg), or, for variable-measure items (cuts of beef) whose product
 * declares none, the quantity the sale scan states. A sale takes that much from the seller's
 * holding, once; packing such items claims it; an item of a lot counted in pieces is one.
 */
import { expect } from 'chai';
import type { Holding, Packed, Scan } from '../../chaincode';
import { actor, expectCode, gln, gtin, openWorld, sscc, type Actor, type World } from './support';
import { EGGS, seed } from './scenario';

const HONEY = gtin(31);
const BEEF = gtin(32);
const H1 = { gtin: HONEY, lot: 'H1' };
const B1 = { gtin: BEEF, lot: 'B1' };

describe('chaincode: items of lots counted in mass', function () {
  let w: World;
  let shop: Actor;
  before(async () => {
    w = await openWorld();
    await seed(w);
    const farm = actor(w, 'farm-b');
    shop = actor(w, 'shop');
    await w.submit('RegisterProduct', { gtin: HONEY, name: 'honey 500 g', category: 'honey', unit: 'KGM', requiresTest: false, netQuantity: 0.5 }, farm);
    await w.submit('RegisterProduct', { gtin: BEEF, name: 'beef cuts', category: 'meat', unit: 'KGM', requiresTest: false }, farm);
    await w.submit('CreateLot', { ...H1, quantity: 10, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(91) } }, farm);
    await w.submit('CreateLot', { ...B1, quantity: 50, unit: 'KGM', productionDate: '2026-02-20', expiryDate: '2027-01-01', origin: { gln: gln(91) } }, farm);
    await w.submit('CommissionItems', { ...H1, ranges: [{ prefix: 'H', from: 1, to: 20, width: 3 }] }, farm);
    await w.submit('CommissionItems', { ...B1, ranges: [{ prefix: 'C', from: 1, to: 10, width: 3 }] }, farm);
    await w.submit('Ship', { shipmentId: 'S-1', to: 'shop', lines: [{ ...H1, quantity: 10 }, { ...B1, quantity: 50 }, { gtin: EGGS, lot: 'E1', quantity: 20 }], origin: { gln: farm.gln } }, farm);
    await w.submit('Receive', { shipmentId: 'S-1', location: { gln: shop.gln } }, shop);
  });
  after(async () => w?.close());

  const sale = (code: Record<string, unknown>) => ({ kind: 'sale', ...code, location: { gln: shop.gln } });
  const sell = (...scans: Record<string, unknown>[]) => w.submit<{ body: { scans: Scan[]; holdings: Holding[] } }>('RecordScans', { scans: scans.map(sale) }, shop);
  const lotOf = (ref: { gtin: string; lot: string }) => w.evaluate<{ holdings: Holding[]; packed: Packed[] }>('GetLot', ref, shop);
  const held = async (ref: { gtin: string; lot: string }) => (await lotOf(ref)).holdings.find((h) => h.holder === 'shop')?.quantity;
  async function refused(start: () => Promise<unknown>, code: Parameters<typeof expectCode>[1], field?: string): Promise<void> {
    const height = await w.ledger.height();
    const err = await expectCode(start(), code); // started after the height is read: a call that wrote would show
    if (field) expect(err.details['field']).to.equal(field);
    expect(await w.ledger.height()).to.equal(height);
  }

  it('refuses a net quantity on a product counted in pieces', async () => {
    await refused(() => w.submit('RegisterProduct', { gtin: gtin(33), name: 'x', category: 'x', unit: 'EA', requiresTest: false, netQuantity: 1 }, actor(w, 'farm-b')), 'INVALID_ARGUMENT', '/netQuantity');
  });

  it('an item sale takes the product\'s net quantity, recorded on the scan; a different stated quantity is refused', async () => {
    const answer = await sell({ gtin: HONEY, serial: 'H001' }, { gtin: HONEY, serial: 'H002', quantity: 0.5 });
    expect(answer.body.scans.map((s) => s.quantity)).to.deep.equal([0.5, 0.5]);
    expect(answer.body.holdings).to.deep.equal([{ ...H1, holder: 'shop', quantity: 9, unit: 'KGM' }]);
    await refused(() => sell({ gtin: HONEY, serial: 'H003', quantity: 0.6 }), 'INVALID_ARGUMENT', '/scans/0/quantity');
    await refused(() => sell({ gtin: HONEY, serial: 'H001' }), 'INVALID_STATE');
    expect(await held(H1)).to.equal(9);
  });

  it('a variable-measure item must state its quantity, and cannot take more than is held', async () => {
    await refused(() => sell({ gtin: BEEF, serial: 'C001' }), 'INVALID_ARGUMENT', '/scans/0/quantity');
    await sell({ gtin: BEEF, serial: 'C001', quantity: 2.35 });
    expect(await held(B1)).to.equal(47.65);
    await refused(() => sell({ gtin: BEEF, serial: 'C002', quantity: 47.66 }), 'QUANTITY_EXCEEDS_HOLDING');
  });

  it('an item of a lot counted in pieces is one: a stated quantity other than one is refused', async () => {
    await refused(() => sell({ gtin: EGGS, serial: 'E0001', quantity: 2 }), 'INVALID_ARGUMENT', '/scans/0/quantity');
    const before = await held({ gtin: EGGS, lot: 'E1' });
    await sell({ gtin: EGGS, serial: 'E0001', quantity: 1 });
    expect(await held({ gtin: EGGS, lot: 'E1' })).to.equal((before ?? 0) - 1);
  });

  it('packed items claim their net quantity and must be unpacked before they are sold', async () => {
    await w.submit('Aggregate', { sscc: sscc(1), items: ['H004', 'H005', 'H006', 'H007'].map((serial) => ({ gtin: HONEY, serial })), location: { gln: shop.gln } }, shop);
    expect((await lotOf(H1)).packed).to.deep.equal([{ ...H1, holder: 'shop', quantity: 2, unit: 'KGM' }]);
    await refused(() => sell({ gtin: HONEY, serial: 'H004' }), 'INVALID_STATE');
    await refused(() => sell({ gtin: HONEY, lot: 'H1', quantity: 7.5 }), 'QUANTITY_EXCEEDS_HOLDING');
    await sell({ gtin: HONEY, lot: 'H1', quantity: 7 });
    await w.submit('Disaggregate', { sscc: sscc(1), items: [{ gtin: HONEY, serial: 'H004' }], location: { gln: shop.gln } }, shop);
    expect((await lotOf(H1)).packed[0]?.quantity).to.equal(1.5);
    await sell({ gtin: HONEY, serial: 'H004' });
    expect(await held(H1)).to.equal(1.5);
  });
});
