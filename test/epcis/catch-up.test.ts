/**
 * A store started over a ledger that already holds events is ready only once every block
 * committed before it started is applied, however long reading them back pauses: a store ready
 * too soon answers with events missing. Real embedded ledger, many blocks, three restarts.
 */
import { expect } from 'chai';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import { documentOf, objectEvent } from './fixtures';
import { openProjectionWorld, type ProjectionWorld } from './projection-world';

describe('epcis: the event store catches up before it is ready', function () {
  this.timeout(60_000);
  let w: ProjectionWorld;
  before(async () => {
    w = await openProjectionWorld('catch-up');
    for (let d = 0; d < 40; d++) await w.store.capture(validateEpcisDocument(documentOf(Array.from({ length: 25 }, (_, i) => objectEvent(d * 25 + i)))), w.alice);
  });
  after(async () => {
    await w.close();
  });

  it('has every event of the blocks before it started once ready', async () => {
    expect(w.store.size).to.equal(1000);
    for (let round = 0; round < 3; round++) {
      const again = ProjectedEventStore.start(w.ledger);
      try {
        await again.ready;
        expect(again.isReady).to.equal(true);
        expect(again.size, `round ${round}`).to.equal(1000);
      } finally {
        await again.close();
      }
    }
  });
});
