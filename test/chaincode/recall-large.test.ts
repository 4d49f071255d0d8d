/**
 * A recall larger than one transaction's budget: a wheat lot milled into 60 flour lots, each
 * baked into a bread lot (121 lots downstream and including the wheat). The recall marks a
 * budget's worth per transaction, keeps its cursor, and completes after the expected number
 * of follow-up transactions with every lot marked exactly once.
 */
import { expect } from 'chai';
import type { AffectedLot, Lot, Recall } from '../../chaincode';
import { actor, openWorld, type World } from './support';
import { BREAD, FLOUR, WHEAT, ref } from './chain';
import { testInput } from './scenario';

const FAN_OUT = 60;

describe('chaincode: a recall larger than one transaction', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    const mill = actor(w, 'mill');
    await w.submit('RegisterProduct', { gtin: WHEAT, name: 'wheat', category: 'grain', unit: 'KGM', requiresTest: true }, actor(w, 'farm-a'));
    await w.submit('RegisterProduct', { gtin: FLOUR, name: 'flour', category: 'flour', unit: 'KGM', requiresTest: false, yield: { min: 0.7, max: 0.8 } }, mill);
    await w.submit('RegisterProduct', { gtin: BREAD, name: 'bread', category: 'bakery', unit: 'EA', requiresTest: false }, mill);
    await w.submit('CreateLot', { gtin: WHEAT, lot: 'W', quantity: 1000, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: mill.gln } }, actor(w, 'farm-a'));
    await w.submit('RecordTest', testInput('T-W', ref(WHEAT, 'W')), actor(w, 'lab'));
    await w.submit('Ship', { shipmentId: 'S', to: 'mill', lines: [{ ...ref(WHEAT, 'W'), quantity: 1000 }], origin: { gln: mill.gln } }, actor(w, 'farm-a'));
    await w.submit('Receive', { shipmentId: 'S', location: { gln: mill.gln } }, mill);
    for (let i = 0; i < FAN_OUT; i++) {
      await w.submit('TransformLots', { transformationId: `M${i}`, inputs: [{ ...ref(WHEAT, 'W'), quantity: 10 }], output: { ...ref(FLOUR, `F${i}`), quantity: 7.5, productionDate: '2026-02-21' }, location: { gln: mill.gln } }, mill);
      await w.submit('TransformLots', { transformationId: `B${i}`, inputs: [{ ...ref(FLOUR, `F${i}`), quantity: 7.5 }], output: { ...ref(BREAD, `B${i}`), quantity: 10, productionDate: '2026-02-22' }, location: { gln: mill.gln } }, mill);
    }
  });
  after(async () => w?.close());

  it('marks 50 lots per transaction and completes in three, each lot once', async () => {
    const marked: AffectedLot[] = [];
    const first = await w.submit<{ body: { recall: Recall; marked: AffectedLot[] } }>('IssueRecall', { recallId: 'R', lots: [ref(WHEAT, 'W')], reason: 'ergot', class: 'I', budget: 50 }, actor(w, 'samr'));
    marked.push(...first.body.marked);
    expect(first.body.recall).to.include({ status: 'propagating', lotsMarked: 50 });
    let recall = first.body.recall;
    while (recall.status !== 'complete') {
      const next = await w.submit<{ body: { recall: Recall; marked: AffectedLot[] } }>('ContinueRecall', { recallId: 'R', budget: 50 }, actor(w, 'samr'));
      marked.push(...next.body.marked);
      recall = next.body.recall;
    }
    expect(recall).to.include({ lotsMarked: 1 + 2 * FAN_OUT, transactions: 3, status: 'complete' });
    const keys = marked.map((m) => `${m.gtin}/${m.lot}`);
    expect(new Set(keys).size).to.equal(keys.length);
    expect(keys).to.have.length(1 + 2 * FAN_OUT);
    expect(marked.filter((m) => m.depth === 2)).to.have.length(FAN_OUT);
    const status = async (g: string, lot: string) => (await w.evaluate<{ lot: Lot }>('GetLot', ref(g, lot), actor(w, 'samr'))).lot.status;
    expect(await status(BREAD, `B${FAN_OUT - 1}`)).to.equal('recalled');
    expect(await status(FLOUR, 'F0')).to.equal('recalled');
  });
});
