/**
 * A recall in progress stops the lots it has not reached yet. On the hand-worked chain
 * (chain.ts), a recall of W1 forced to a budget of one lot marks W1 only; flour and bread made
 * from W1 are still `active`, yet shipping, transforming, packing, selling or scanning them is
 * refused with LOT_RECALLED (pending), while lots not made from W1 go on as usual. When the
 * recall completes, its open-recall key goes and the lots are simply recalled.
 */
import { expect } from 'chai';
import type { Lot, Recall, ZfcError } from '../../chaincode';
import type { EmbeddedLedger, ReadWriteSet } from '../../ledger-tools';
import { actor, expectCode, sscc, type World, openWorld } from './support';
import { BREAD, FLOUR, SUGAR, WHEAT, buildChain, ref } from './chain';
import { lotUri, ssccUri, toEpcUrn } from '../../chaincode/digital-link';

/** The composite key of the list of open recalls (`zfc.meta` / `openrecalls`). */
const OPEN_RECALLS = '\u0000zfc.meta\u0000openrecalls\u0000';

describe('chaincode: an incomplete recall stops lots it has not reached', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    await buildChain(w);
    // a case of bread the ledger itself packs before any recall (a captured shipment of the case names only the case)
    await w.submit('Aggregate', { sscc: sscc(41), lots: [{ ...ref(BREAD, 'BR2'), quantity: 1 }], location: { gln: actor(w, 'bakery').gln } }, actor(w, 'bakery'));
    // and a case the bakery's own EPCIS system packs (a captured AggregationEvent), also before any recall
    await w.submit('epcis:CaptureEvents', {
      type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-02-27T00:00:00Z', '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      epcisBody: { eventList: [{ type: 'AggregationEvent', eventTime: '2026-02-27T08:00:00Z', eventTimeZoneOffset: '+08:00', action: 'ADD', bizStep: 'packing', parentID: ssccUri(sscc(43)), childQuantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 1 }] }] },
    }, actor(w, 'bakery'));
  });
  after(async () => w?.close());

  const status = async (g: string, lot: string) => (await w.evaluate<{ lot: Lot }>('GetLot', ref(g, lot), actor(w, 'samr'))).lot.status;
  async function pending(promise: Promise<unknown>, recallId: string): Promise<ZfcError> {
    const height = await w.ledger.height();
    const err = await expectCode(promise, 'LOT_RECALLED');
    expect(err.details).to.include({ pending: true, recallId });
    expect(await w.ledger.height()).to.equal(height);
    return err;
  }
  const at = (who: string) => ({ gln: actor(w, who).gln });
  /** The read-write set of the last committed transaction. */
  async function lastRwset(): Promise<ReadWriteSet> {
    const ledger = w.ledger as EmbeddedLedger;
    const block = await ledger.block((await ledger.height()) - 1);
    return (block.transactions[block.transactions.length - 1] as { rwset: ReadWriteSet }).rwset;
  }

  it('with no recall open, uses go on, and the gate costs one read of an absent key', async () => {
    await w.submit('RecordScans', { scans: [{ kind: 'check', gtin: BREAD, lot: 'BR1', location: at('shop') }] }, actor(w, 'shop'));
    if (w.capabilities.has('blocks')) {
      const rwset = await lastRwset();
      expect(rwset.reads.find((r) => r.key === OPEN_RECALLS)).to.deep.equal({ key: OPEN_RECALLS, version: null });
      expect(rwset.ranges).to.deep.equal([]);
    }
  });

  it('a recall stopped by its budget refuses every use of lots downstream that it has not marked yet', async () => {
    const issued = await w.submit<{ body: { recall: Recall } }>('IssueRecall', { recallId: 'R-W1', lots: [ref(WHEAT, 'W1')], reason: 'aflatoxin', class: 'I', budget: 1 }, actor(w, 'samr'));
    expect(issued.body.recall).to.include({ status: 'propagating', lotsMarked: 1 });
    expect(await status(BREAD, 'BR1')).to.equal('active');
    expect(await status(FLOUR, 'F2')).to.equal('active');
    const err = await pending(w.submit('RecordScans', { scans: [{ kind: 'sale', gtin: BREAD, lot: 'BR1', quantity: 1, location: at('shop') }] }, actor(w, 'shop')), 'R-W1');
    expect(err.details['via']).to.deep.equal(ref(WHEAT, 'W1'));
    await pending(w.submit('RecordScans', { scans: [{ kind: 'check', gtin: BREAD, lot: 'BR1', location: at('shop') }] }, actor(w, 'shop')), 'R-W1');
    await pending(w.submit('Ship', { shipmentId: 'G-1', to: 'dist', lines: [{ ...ref(BREAD, 'BR2'), quantity: 1 }], origin: at('bakery') }, actor(w, 'bakery')), 'R-W1');
    await pending(w.submit('Aggregate', { sscc: sscc(40), lots: [{ ...ref(BREAD, 'BR2'), quantity: 1 }], location: at('bakery') }, actor(w, 'bakery')), 'R-W1');
    await pending(w.submit('TransformLots', {
      transformationId: 'G-T', inputs: [{ ...ref(FLOUR, 'F2'), quantity: 1 }], output: { ...ref(BREAD, 'G1'), quantity: 2, productionDate: '2026-02-27' }, location: at('bakery'),
    }, actor(w, 'bakery')), 'R-W1');
  });

  it('stops a captured EPCIS shipment as it stops the contract\'s own: of a lot the recall will reach, or of a case the ledger packed with one', async () => {
    const shipping = (hour: number, what: Record<string, unknown>): Record<string, unknown> => ({
      type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-02-28T00:00:00Z', '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      epcisBody: { eventList: [{ type: 'ObjectEvent', eventTime: `2026-02-28T${String(hour).padStart(2, '0')}:00:00Z`, eventTimeZoneOffset: '+08:00', action: 'OBSERVE', bizStep: 'shipping', ...what }] },
    });
    await pending(w.submit('epcis:CaptureEvents', shipping(1, { epcList: [], quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 1 }] }), actor(w, 'bakery')), 'R-W1');
    const err = await pending(w.submit('epcis:CaptureEvents', shipping(2, { epcList: [toEpcUrn(ssccUri(sscc(41)), 7)] }), actor(w, 'bakery')), 'R-W1');
    expect(err.details).to.include({ identifier: ssccUri(sscc(41)), gtin: BREAD, lot: 'BR2' });
    // the case a capture packed, and the business step as its CBV Web URI: stopped alike
    expect((await pending(w.submit('epcis:CaptureEvents', shipping(4, { epcList: [toEpcUrn(ssccUri(sscc(43)), 7)] }), actor(w, 'bakery')), 'R-W1')).details).to.include({ identifier: ssccUri(sscc(43)), lot: 'BR2' });
    await pending(w.submit('epcis:CaptureEvents', shipping(5, { bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping', epcList: [], quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 1 }] }), actor(w, 'bakery')), 'R-W1');
    // a case the ledger never packed names no lot it manages: its shipment is evidence, and is recorded
    const free = await w.submit<{ captured: unknown[] }>('epcis:CaptureEvents', shipping(3, { epcList: [ssccUri(sscc(42))] }), actor(w, 'bakery'));
    expect(free.captured).to.have.length(1);
  });

  it('lots not made from the recalled lot are not stopped', async () => {
    await w.submit('Ship', { shipmentId: 'G-2', to: 'mill', lines: [{ ...ref(WHEAT, 'W2'), quantity: 10 }], origin: at('farm-a') }, actor(w, 'farm-a'));
    await w.submit('Ship', { shipmentId: 'G-3', to: 'bakery', lines: [{ ...ref(SUGAR, 'S1'), quantity: 10 }], origin: at('farm-b') }, actor(w, 'farm-b'));
    await w.submit('Receive', { shipmentId: 'G-3', location: at('bakery') }, actor(w, 'bakery'));
  });

  it('a named lot the budget did not reach is stopped too', async () => {
    const issued = await w.submit<{ body: { recall: Recall } }>('IssueRecall', { recallId: 'R-S1', lots: [ref(SUGAR, 'S1'), ref(WHEAT, 'W2')], reason: 'labelling', class: 'III', budget: 1 }, actor(w, 'samr'));
    expect(issued.body.recall.pending.map((p) => p.lot)).to.include('W2');
    expect(await status(WHEAT, 'W2')).to.equal('active');
    await pending(w.submit('Ship', { shipmentId: 'G-4', to: 'mill', lines: [{ ...ref(WHEAT, 'W2'), quantity: 1 }], origin: at('farm-a') }, actor(w, 'farm-a')), 'R-S1');
  });

  it('when the recalls complete, the lots are recalled and their open keys are gone', async () => {
    for (const recallId of ['R-W1', 'R-S1']) {
      let recall = (await w.evaluate<Recall>('GetRecall', { recallId }, actor(w, 'samr')));
      while (recall.status !== 'complete') recall = (await w.submit<{ body: { recall: Recall } }>('ContinueRecall', { recallId, budget: 2 }, actor(w, 'samr'))).body.recall;
    }
    // the last completion removed the list of open recalls
    if (w.capabilities.has('blocks')) expect((await lastRwset()).writes.find((x) => x.key === OPEN_RECALLS)).to.include({ isDelete: true });
    expect(await status(BREAD, 'BR1')).to.equal('recalled');
    const err = await expectCode(w.submit('RecordScans', { scans: [{ kind: 'check', gtin: BREAD, lot: 'BR1', location: at('shop') }] }, actor(w, 'shop')), 'LOT_RECALLED');
    expect(err.details['pending']).to.equal(undefined);
    // nothing else is open: a lot outside every recall is used freely again
    await w.submit('CreateLot', { gtin: SUGAR, lot: 'S2', quantity: 5, unit: 'KGM', productionDate: '2026-02-28', origin: at('farm-b') }, actor(w, 'farm-b'));
    await w.submit('Ship', { shipmentId: 'G-5', to: 'bakery', lines: [{ ...ref(SUGAR, 'S2'), quantity: 5 }], origin: at('farm-b') }, actor(w, 'farm-b'));
  });
});
