/**
 * The EPCIS event store stops following the ledger when the heap has no room for more events
 * (its `room` option; heap-room.ts in the gateway) instead of filling the heap until Node aborts:
 * it says why and where it stopped, applies nothing more, and lets a capture waiting for its
 * transaction go at once with the ledger's counts. Real embedded ledger and contract.
 */
import { expect } from 'chai';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import { documentOf, objectEvent } from './fixtures';
import { openProjectionWorld, type ProjectionWorld } from './projection-world';

describe('epcis: the event store stops when the heap is full', function () {
  this.timeout(20_000);
  let w: ProjectionWorld;
  let room = true;
  before(async () => {
    w = await openProjectionWorld('full', { room: () => room });
  });
  after(async () => {
    await w.close();
  });

  it('applies events while there is room, then stops before the first event without, for good', async () => {
    await w.store.capture(validateEpcisDocument(documentOf([0, 1, 2].map((i) => objectEvent(i)))), w.alice);
    expect(w.store.size).to.equal(3);
    expect(w.store.stopped).to.equal(undefined);
    room = false;
    const height = await w.ledger.height();
    // waits for its transaction to be applied: released when the store stops, not after the 30 s fallback
    const started = Date.now();
    const r = await w.store.capture(validateEpcisDocument(documentOf([3, 4].map((i) => objectEvent(i)))), w.alice);
    expect(Date.now() - started).to.be.below(15_000);
    expect(r.captured.map((c) => c.index)).to.deep.equal([0, 1]); // the ledger took them
    expect(w.store.size).to.equal(3);
    const stopped = w.store.stopped;
    expect(stopped?.code).to.equal('EPCIS_STORE_FULL');
    expect(stopped?.status).to.equal(503);
    expect(stopped?.details).to.deep.equal({ events: 3, stoppedAtBlock: height });
    expect(stopped?.text).to.include('--max-old-space-size');
    room = true; // the heap emptied: the store still does not go on (its answers would have a gap)
    await w.store.capture(validateEpcisDocument(documentOf([objectEvent(5)])), w.alice);
    expect(w.store.size).to.equal(3);
    expect(await w.store.applied('no-such-transaction', 60_000)).to.equal(undefined); // at once
  });
});
