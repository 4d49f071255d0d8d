/**
 * Packing claims the packer's holding across all its containers: one holding is never packed
 * twice over (not by two containers, not as items and as a lot quantity, not by two packers
 * racing through the ledger), what is packed is not free to ship loose or transform until it
 * is unpacked or leaves with its container, and the claim travels with the container.
 */
import { expect } from 'chai';
import type { Container, Holding, Packed, ZfcError } from '../../chaincode';
import { actor, expectCode, gln, openWorld, sscc, type Actor, type World } from './support';
import { EGGS, FLOUR, WHEAT, seed } from './scenario';

const W1 = { gtin: WHEAT, lot: 'W1' };
const E1 = { gtin: EGGS, lot: 'E1' };

describe('chaincode: packing claims the holding once', function () {
  let w: World;
  let farmA: Actor;
  let farmB: Actor;
  let mill: Actor;
  before(async () => {
    w = await openWorld({ batchTimeoutMs: 100 });
    await seed(w);
    farmA = actor(w, 'farm-a');
    farmB = actor(w, 'farm-b');
    mill = actor(w, 'mill');
  });
  after(async () => w?.close());

  const pack = (who: Actor, n: number, body: Record<string, unknown>) => w.submit('Aggregate', { sscc: sscc(n), location: { gln: who.gln }, ...body }, who);
  const holding = async (ref: { gtin: string; lot: string }, holder: string) =>
    (await w.evaluate<{ holdings: Holding[] }>('GetLot', ref, actor(w, 'samr'))).holdings.find((h) => h.holder === holder)?.quantity ?? 0;

  const packedBy = async (ref: { gtin: string; lot: string }, holder: string) =>
    (await w.evaluate<{ packed: Packed[] }>('GetLot', ref, actor(w, 'samr'))).packed.find((p) => p.holder === holder)?.quantity ?? 0;

  async function refused(start: () => Promise<unknown>, code: Parameters<typeof expectCode>[1]): Promise<ZfcError> {
    const height = await w.ledger.height();
    const err = await expectCode(start(), code); // started after the height is read: a call that wrote would show
    expect(await w.ledger.height()).to.equal(height);
    return err;
  }

  it('a second container cannot pack what the first already holds', async () => {
    await pack(farmA, 1, { lots: [{ ...W1, quantity: 600 }] });
    const err = await refused(() => pack(farmA, 2, { lots: [{ ...W1, quantity: 500 }] }), 'QUANTITY_EXCEEDS_HOLDING');
    expect(err.details).to.include({ held: 1000, packed: 600, requested: 500 });
    await pack(farmA, 2, { lots: [{ ...W1, quantity: 400 }] });
    await refused(() => pack(farmA, 3, { lots: [{ ...W1, quantity: 0.001 }] }), 'QUANTITY_EXCEEDS_HOLDING');
    await refused(() => pack(farmA, 1, { lots: [{ ...W1, quantity: 1 }] }), 'QUANTITY_EXCEEDS_HOLDING');
  });

  it('items claim one each of a lot counted in pieces, together with lot quantities', async () => {
    await pack(farmB, 4, { items: ['E0001', 'E0002', 'E0003', 'E0004', 'E0005'].map((serial) => ({ gtin: EGGS, serial })) });
    await refused(() => pack(farmB, 5, { lots: [{ ...E1, quantity: 16 }] }), 'QUANTITY_EXCEEDS_HOLDING');
    await pack(farmB, 5, { lots: [{ ...E1, quantity: 15 }] });
    await refused(() => pack(farmB, 6, { items: [{ gtin: EGGS, serial: 'E0006' }] }), 'QUANTITY_EXCEEDS_HOLDING');
    await w.submit('Disaggregate', { sscc: sscc(4), items: [{ gtin: EGGS, serial: 'E0001' }], location: { gln: farmB.gln } }, farmB);
    await pack(farmB, 6, { items: [{ gtin: EGGS, serial: 'E0006' }] });
  });

  it('what is packed is not free: loose shipments wait until it is unpacked', async () => {
    const loose = (id: string, quantity: number) => w.submit('Ship', { shipmentId: id, to: 'mill', lines: [{ ...W1, quantity }], origin: { gln: farmA.gln } }, farmA);
    const err = await refused(() => loose('L-1', 1), 'QUANTITY_EXCEEDS_HOLDING');
    expect(err.details).to.include({ held: 1000, packed: 1000 });
    await w.submit('Disaggregate', { sscc: sscc(2), location: { gln: farmA.gln } }, farmA);
    expect((await w.evaluate<Container>('GetContainer', { sscc: sscc(2) }, farmA)).lots).to.deep.equal([]);
    await refused(() => loose('L-1', 400.5), 'QUANTITY_EXCEEDS_HOLDING');
    await loose('L-1', 400);
    await w.submit('Receive', { shipmentId: 'L-1', location: { gln: mill.gln } }, mill);
  });

  it('the claim leaves with a shipped container and arrives with it, never beyond the receipt', async () => {
    const err = await refused(() => w.submit('Ship', { shipmentId: 'P-1', to: 'mill', lines: [{ ...W1, quantity: 599 }], containers: [sscc(1)], origin: { gln: farmA.gln } }, farmA), 'INVALID_ARGUMENT');
    expect(err.details).to.include({ field: '/lines', packed: 600, shipped: 599 });
    await w.submit('Ship', { shipmentId: 'P-1', to: 'mill', lines: [{ ...W1, quantity: 600 }], containers: [sscc(1)], origin: { gln: farmA.gln } }, farmA);
    expect(await holding(W1, 'farm-a')).to.equal(0);
    await w.submit('Receive', { shipmentId: 'P-1', lines: [{ ...W1, quantity: 590 }], location: { gln: mill.gln } }, mill);
    expect(await holding(W1, 'mill')).to.equal(990);
    const transform = (id: string, quantity: number) => w.submit('TransformLots', {
      transformationId: id, inputs: [{ ...W1, quantity }], output: { gtin: FLOUR, lot: id, quantity: quantity * 0.75, productionDate: '2026-02-25' }, location: { gln: mill.gln },
    }, mill);
    expect(await packedBy(W1, 'mill')).to.equal(600);
    expect(await packedBy(W1, 'farm-a')).to.equal(0);
    await refused(() => transform('FL-1', 391), 'QUANTITY_EXCEEDS_HOLDING');
    await transform('FL-1', 390);
    await refused(() => pack(mill, 7, { lots: [{ ...W1, quantity: 1 }] }), 'QUANTITY_EXCEEDS_HOLDING');
    // the pallet claims 600, but after a short receipt the mill may hold less: the claim never exceeds the holding
    await w.submit('Ship', { shipmentId: 'P-2', to: 'dist', lines: [{ ...W1, quantity: 600 }], containers: [sscc(1)], origin: { gln: mill.gln } }, mill);
    expect(await packedBy(W1, 'mill')).to.equal(0);
    await w.submit('Receive', { shipmentId: 'P-2', lines: [{ ...W1, quantity: 550 }], location: { gln: actor(w, 'dist').gln } }, actor(w, 'dist'));
    expect(await packedBy(W1, 'dist')).to.equal(550);
    await w.submit('Disaggregate', { sscc: sscc(1), location: { gln: actor(w, 'dist').gln } }, actor(w, 'dist'));
    expect(await packedBy(W1, 'dist')).to.equal(0);
    await w.submit('Ship', { shipmentId: 'P-3', to: 'shop', lines: [{ ...W1, quantity: 550 }], origin: { gln: actor(w, 'dist').gln } }, actor(w, 'dist'));
  });

  it('two packers racing for one holding through the ledger: one fails with a catalogue code', async () => {
    await w.submit('CreateLot', { gtin: WHEAT, lot: 'W9', quantity: 100, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(90) } }, farmA);
    const W9 = { gtin: WHEAT, lot: 'W9' };
    const results = await Promise.allSettled([
      pack(farmA, 10, { lots: [{ ...W9, quantity: 100 }] }),
      pack(farmA, 11, { lots: [{ ...W9, quantity: 100 }] }),
    ]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed, JSON.stringify(results.map((r) => r.status))).to.have.length(1);
    expect(['MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT', 'QUANTITY_EXCEEDS_HOLDING']).to.include((failed[0]?.reason as ZfcError).code);
    const packed = await Promise.all([10, 11].map(async (n) => (await w.evaluate<Container | null>('GetContainer', { sscc: sscc(n) }, farmA).catch(() => null))?.lots[0]?.quantity ?? 0));
    expect(packed.reduce((a, b) => a + b, 0)).to.equal(100);
  });
});
