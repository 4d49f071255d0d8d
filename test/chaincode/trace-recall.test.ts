/**
 * The on-ledger trace against the hand-worked chain in chain.ts, pagination and limits;
 * mass-balance warnings; and a recall propagating through two levels of transformations and
 * three shipments, continued from its cursor in follow-up transactions.
 */
import { expect } from 'chai';
import type { AffectedLot, Lot, Recall, TracePage, Warning } from '../../chaincode';
import { actor, allEvents, expectCode, gln, openWorld, sscc, type World } from './support';
import { BREAD, FLOUR, SUGAR, WHEAT, buildChain, ref } from './chain';

const names = (page: TracePage) => page.lots.map((l) => `${l.lot}@${l.depth}`);
const edgeNames = (page: TracePage) => page.edges.map((e) => `${e.input.lot}->${e.output.lot}:${e.quantity}`).sort();

describe('chaincode: trace, mass balance and recall', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    await buildChain(w);
  });
  after(async () => w?.close());

  describe('trace', () => {
    it('traces back from BR1 to every origin, breadth first', async () => {
      const page = await w.evaluate<TracePage>('TraceBack', ref(BREAD, 'BR1'), actor(w, 'shop'));
      expect(names(page)).to.deep.equal(['BR1@0', 'F1@1', 'S1@1', 'W1@2', 'W2@2']);
      expect(edgeNames(page)).to.deep.equal(['F1->BR1:200', 'S1->BR1:50', 'W1->F1:400', 'W2->F1:200']);
      expect(page).to.include({ total: 5, truncated: false, bookmark: '' });
      expect(page.lots.find((l) => l.lot === 'W1')).to.include({ producer: 'farm-a', madeBy: 'commissioning', productName: 'wheat' });
    });

    it('traces forward from W1 to every lot made from it, each edge once', async () => {
      const page = await w.evaluate<TracePage>('TraceForward', ref(WHEAT, 'W1'), actor(w, 'samr'));
      expect(names(page)).to.deep.equal(['W1@0', 'F1@1', 'F2@1', 'BR1@2', 'BR2@2']);
      expect(edgeNames(page)).to.deep.equal(['F1->BR1:200', 'F1->BR2:250', 'F2->BR2:100', 'W1->F1:400', 'W1->F2:400']);
    });

    it('paginates with a bookmark and honours depth and size limits', async () => {
      const first = await w.evaluate<TracePage>('TraceForward', { ...ref(WHEAT, 'W1'), pageSize: 2 }, actor(w, 'samr'));
      expect(names(first)).to.deep.equal(['W1@0', 'F1@1']);
      const second = await w.evaluate<TracePage>('TraceForward', { ...ref(WHEAT, 'W1'), pageSize: 2, bookmark: first.bookmark }, actor(w, 'samr'));
      const third = await w.evaluate<TracePage>('TraceForward', { ...ref(WHEAT, 'W1'), pageSize: 2, bookmark: second.bookmark }, actor(w, 'samr'));
      expect([...names(second), ...names(third)]).to.deep.equal(['F2@1', 'BR1@2', 'BR2@2']);
      expect(third.bookmark).to.equal('');
      const shallow = await w.evaluate<TracePage>('TraceForward', { ...ref(WHEAT, 'W1'), maxDepth: 1 }, actor(w, 'samr'));
      expect(names(shallow)).to.deep.equal(['W1@0', 'F1@1', 'F2@1']);
      expect(shallow.truncated).to.equal(true);
      const small = await w.evaluate<TracePage>('TraceForward', { ...ref(WHEAT, 'W1'), maxLots: 2 }, actor(w, 'samr'));
      expect(small).to.include({ total: 2, truncated: true });
      const leaf = await w.evaluate<TracePage>('TraceForward', ref(BREAD, 'BR2'), actor(w, 'samr'));
      expect(leaf).to.include({ total: 1, truncated: false });
      await expectCode(w.evaluate('TraceBack', ref(BREAD, 'NOPE'), actor(w, 'samr')), 'LOT_NOT_FOUND');
      await expectCode(w.evaluate('TraceBack', { ...ref(BREAD, 'BR1'), maxDepth: 51 }, actor(w, 'samr')), 'INVALID_ARGUMENT');
    });

    it('starts from an item (its lot) or from an SSCC (every lot packed in it)', async () => {
      const bakery = actor(w, 'bakery');
      await w.submit('CommissionItems', { gtin: BREAD, lot: 'BR1', serials: ['L-0001'] }, bakery);
      const fromItem = await w.evaluate<TracePage>('TraceBack', { gtin: BREAD, serial: 'L-0001' }, actor(w, 'shop'));
      expect(names(fromItem)).to.deep.equal(['BR1@0', 'F1@1', 'S1@1', 'W1@2', 'W2@2']);
      await w.submit('Aggregate', { sscc: sscc(5), lots: [{ ...ref(BREAD, 'BR2'), quantity: 10 }, { ...ref(BREAD, 'BR1'), quantity: 10 }], location: { gln: bakery.gln } }, bakery);
      const fromPallet = await w.evaluate<TracePage>('TraceBack', { sscc: sscc(5) }, actor(w, 'samr'));
      expect(fromPallet.roots.map((r) => r.lot)).to.deep.equal(['BR2', 'BR1']);
      expect(names(fromPallet)).to.deep.equal(['BR2@0', 'BR1@0', 'F1@1', 'F2@1', 'S1@1', 'W1@2', 'W2@2']);
      await w.submit('Disaggregate', { sscc: sscc(5), location: { gln: bakery.gln } }, bakery);
      await expectCode(w.evaluate('TraceBack', { gtin: BREAD }, actor(w, 'samr')), 'INVALID_ARGUMENT');
      await expectCode(w.evaluate('TraceBack', { gtin: BREAD, lot: 'BR1', sscc: sscc(5) }, actor(w, 'samr')), 'INVALID_ARGUMENT');
      await expectCode(w.evaluate('TraceBack', { gtin: BREAD, serial: 'NOPE' }, actor(w, 'samr')), 'ITEM_NOT_FOUND');
    });

    it('gives direct inputs and outputs', async () => {
      const l = await w.evaluate<{ inputs: { input: { lot: string } }[]; outputs: { output: { lot: string } }[] }>('GetLotLineage', ref(FLOUR, 'F1'), actor(w, 'samr'));
      expect(l.inputs.map((e) => e.input.lot)).to.deep.equal(['W1', 'W2']);
      expect(l.outputs.map((e) => e.output.lot)).to.deep.equal(['BR1', 'BR2']);
    });
  });

  describe('mass balance', () => {
    it('records an excess and a shortfall as warnings regulators can list; within the yield, none', async () => {
      const mill = actor(w, 'mill');
      const t = (id: string, lot: string, quantity: number) => ({ transformationId: id, inputs: [{ ...ref(WHEAT, 'W2'), quantity: 100 }], output: { ...ref(FLOUR, lot), quantity, productionDate: '2026-02-27' }, location: { gln: gln(3) } });
      const excess = await w.submit<{ body: { balance: { verdict: string }; warning?: Warning } }>('TransformLots', t('MB-1', 'F-ex', 90), mill);
      expect(excess.body.balance.verdict).to.equal('excess');
      expect(excess.body.warning).to.include({ kind: 'material_balance', transformationId: 'MB-1', participant: 'mill' });
      const short = await w.submit<{ body: { balance: { verdict: string } } }>('TransformLots', t('MB-2', 'F-sh', 50), mill);
      expect(short.body.balance.verdict).to.equal('shortfall');
      const ok = await w.submit<{ body: { balance: { verdict: string }; warning?: Warning } }>('TransformLots', t('MB-3', 'F-ok', 80), mill);
      expect(ok.body.balance.verdict).to.equal('ok');
      expect(ok.body.warning).to.equal(undefined);
      const list = await w.evaluate<{ warnings: Warning[] }>('ListWarnings', {}, actor(w, 'samr'));
      expect(list.warnings.map((x) => [x.transformationId, x.balance.verdict])).to.deep.equal([['MB-1', 'excess'], ['MB-2', 'shortfall']]);
      const paged = await w.evaluate<{ warnings: Warning[]; bookmark: string }>('ListWarnings', { pageSize: 1 }, actor(w, 'samr'));
      expect(paged.warnings).to.have.length(1);
      const rest = await w.evaluate<{ warnings: Warning[] }>('ListWarnings', { pageSize: 1, bookmark: paged.bookmark }, actor(w, 'samr'));
      expect(rest.warnings.map((x) => x.transformationId)).to.deep.equal(['MB-2']);
      await expectCode(w.evaluate('ListWarnings', {}, mill), 'FORBIDDEN');
      const lot = await w.evaluate<{ warnings: Warning[] }>('GetLot', ref(FLOUR, 'F-ex'), mill);
      expect(lot.warnings.map((x) => x.transformationId)).to.deep.equal(['MB-1']);
      expect((await w.evaluate<{ warnings: Warning[] }>('GetLot', ref(FLOUR, 'F-ok'), mill)).warnings).to.deep.equal([]);
    });

    it('marks a transformation between unconvertible units as unchecked (bread in EA from flour in KGM)', async () => {
      const events = await allEvents(w);
      const bake = events.find((e) => e.type === 'LotTransformed' && e.body.output.lot === 'BR1');
      expect(bake?.type === 'LotTransformed' && bake.body.balance.verdict).to.equal('unchecked');
      const h = await w.evaluate<{ entries: { event: string }[] }>('GetLotHistory', ref(BREAD, 'BR1'), actor(w, 'samr'));
      expect(h.entries[0]?.event).to.equal('LotTransformed');
    });
  });

  describe('recall', () => {
    let issued: { body: { recall: Recall; marked: AffectedLot[] } };

    it('issues a recall of W1 with a small budget: it marks what it can and keeps a cursor', async () => {
      issued = await w.submit('IssueRecall', { recallId: 'R-1', lots: [ref(WHEAT, 'W1')], reason: 'aflatoxin', class: 'I', budget: 2 }, actor(w, 'samr'));
      expect(issued.body.marked.map((m) => `${m.lot}@${m.depth}`)).to.deep.equal(['W1@0', 'F1@1']);
      expect(issued.body.recall).to.include({ status: 'propagating', lotsMarked: 2, transactions: 1, voluntary: false });
      expect(issued.body.recall.pending.map((p) => p.lot)).to.deep.equal(['F2', 'BR1', 'BR2']);
      const w1 = issued.body.marked[0] as AffectedLot;
      expect(w1.holders.map((h) => [h.participant, h.quantity])).to.deep.equal([['farm-a', 200]]);
      const status = await w.evaluate<Recall>('GetRecall', { recallId: 'R-1' }, actor(w, 'shop'));
      expect(status.status).to.equal('propagating');
    });

    it('continues from the cursor until complete, visiting a lot reached by two paths once', async () => {
      const second = await w.submit<{ type: string; body: { recall: Recall; marked: AffectedLot[] } }>('ContinueRecall', { recallId: 'R-1', budget: 2 }, actor(w, 'samr'));
      expect(second.type).to.equal('RecallProgressed');
      expect(second.body.marked.map((m) => m.lot)).to.deep.equal(['F2', 'BR1']);
      const br1 = second.body.marked[1] as AffectedLot;
      expect(br1.via).to.deep.equal(ref(FLOUR, 'F1'));
      expect(br1.holders.map((h) => [h.participant, h.quantity])).to.deep.equal([['bakery', 100], ['dist', 100], ['shop', 200]]);
      const third = await w.submit<{ body: { recall: Recall; marked: AffectedLot[] } }>('ContinueRecall', { recallId: 'R-1' }, actor(w, 'samr'));
      expect(third.body.marked.map((m) => m.lot)).to.deep.equal(['BR2']);
      expect(third.body.recall).to.include({ status: 'complete', lotsMarked: 5, transactions: 3 });
      expect(third.body.recall.pending).to.deep.equal([]);
    });

    it('leaves lots not made from W1 alone, and marks every downstream lot recalled', async () => {
      const status = async (g: string, lot: string) => (await w.evaluate<{ lot: Lot }>('GetLot', ref(g, lot), actor(w, 'samr'))).lot.status;
      expect(await status(WHEAT, 'W1')).to.equal('recalled');
      expect(await status(FLOUR, 'F1')).to.equal('recalled');
      expect(await status(FLOUR, 'F2')).to.equal('recalled');
      expect(await status(BREAD, 'BR1')).to.equal('recalled');
      expect(await status(BREAD, 'BR2')).to.equal('recalled');
      expect(await status(WHEAT, 'W2')).to.equal('active');
      expect(await status(SUGAR, 'S1')).to.equal('active');
    });

    it('refuses every later use of a downstream lot with LOT_RECALLED, at every holder', async () => {
      await expectCode(w.submit('RecordScans', { scans: [{ kind: 'sale', gtin: BREAD, lot: 'BR1', quantity: 1, location: { gln: gln(8) } }] }, actor(w, 'shop')), 'LOT_RECALLED');
      await expectCode(w.submit('Ship', { shipmentId: 'SH-x', to: 'shop', lines: [{ ...ref(BREAD, 'BR1'), quantity: 1 }], origin: { gln: gln(7) } }, actor(w, 'dist')), 'LOT_RECALLED');
      await expectCode(w.submit('Ship', { shipmentId: 'SH-y', to: 'dist', lines: [{ ...ref(BREAD, 'BR2'), quantity: 1 }], origin: { gln: gln(6) } }, actor(w, 'bakery')), 'LOT_RECALLED');
      await expectCode(w.submit('TransformLots', { transformationId: 'X', inputs: [{ ...ref(FLOUR, 'F2'), quantity: 1 }], output: { ...ref(BREAD, 'BR9'), quantity: 1, productionDate: '2026-03-01' }, location: { gln: gln(6) } }, actor(w, 'bakery')), 'LOT_RECALLED');
      // W2 and S1 still move
      await w.submit('TransformLots', { transformationId: 'OK', inputs: [{ ...ref(SUGAR, 'S1'), quantity: 1 }], output: { ...ref(BREAD, 'BR9'), quantity: 1, productionDate: '2026-03-01' }, location: { gln: gln(6) } }, actor(w, 'bakery'));
    });

    it('a recall of an already recalled lot still completes (visiting, marking nothing new twice)', async () => {
      const again = await w.submit<{ body: { recall: Recall; marked: AffectedLot[] } }>('IssueRecall', { recallId: 'R-2', lots: [ref(FLOUR, 'F1')], reason: 'follow-up', class: 'II' }, actor(w, 'samr'));
      expect(again.body.recall.status).to.equal('complete');
      expect(again.body.marked.map((m) => m.lot)).to.deep.equal(['F1', 'BR1', 'BR2']);
      const f1 = (await w.evaluate<{ lot: Lot }>('GetLot', ref(FLOUR, 'F1'), actor(w, 'samr'))).lot;
      expect(f1.recall?.recallId).to.equal('R-1');
    });
  });
});
