/**
 * /readyz and the trace index's idea of "caught up" on a ledger whose last blocks carry no
 * chaincode events (as a fresh Fabric network's configuration and deployment blocks, invalid
 * transactions, or a read that was submitted): caught up means every block up to the ledger's
 * height has been processed, events applied and eventless blocks passed — not that the last
 * block holds an event, and not a guess from idle time. Real gateway, real embedded ledger.
 */
import { expect } from 'chai';
import type { Identity } from '../../ledger-tools/ledger';
import { startGateway } from '../../gateway-api/server';
import { call, startTestGateway, type TestGateway } from './support';

async function until(what: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await what()) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('gateway: readiness over blocks without chaincode events', function () {
  this.timeout(60_000);
  let t: TestGateway;
  let regulator: Identity;

  before(async () => {
    t = await startTestGateway();
    regulator = (await t.gw.store.wallet.get('samr')) as Identity;
  });

  after(async () => {
    await t.stop();
  });

  const eventless = async (): Promise<number> => (await t.gw.ledger.submit('GetCaller', ['{}'], regulator)).blockNumber;
  const ready = async (): Promise<boolean> => (await call(t.gw.url, 'GET', '/readyz')).status === 200;

  it('is ready once eventless blocks at the head are passed, with the last event blocks behind', async () => {
    const lastEventBlock = t.gw.index.checkpoint?.blockNumber ?? -1;
    const blocks = [await eventless(), await eventless(), await eventless()];
    expect(blocks[2]).to.equal((await t.gw.ledger.height()) - 1);
    expect(blocks[0]).to.be.greaterThan(lastEventBlock);
    expect(await until(async () => t.gw.index.appliedThrough() === blocks[2], 5000), 'the index passes the eventless blocks').to.equal(true);
    expect(t.gw.index.checkpoint?.blockNumber, 'no event was applied').to.equal(lastEventBlock);
    expect(await t.gw.index.caughtUp(t.gw.ledger)).to.equal(true);
    expect(await ready()).to.equal(true);
  });

  it('is not caught up while a block is unprocessed, and is again when following resumes', async () => {
    t.gw.index.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const block = await eventless();
    expect(await t.gw.index.caughtUp(t.gw.ledger)).to.equal(false);
    const r = await call(t.gw.url, 'GET', '/readyz');
    expect(r.status).to.equal(503);
    expect(r.body.error.code).to.equal('INDEX_NOT_READY');
    void t.gw.index.follow(t.gw.ledger);
    expect(await until(ready, 5000)).to.equal(true);
    expect(t.gw.index.appliedThrough()).to.equal(block);
  });

  it('is ready after a restart whose last blocks carry no events', async () => {
    await eventless();
    await t.gw.close();
    const gw = await startGateway(t.config);
    t = { ...t, gw };
    expect(await until(ready, 5000)).to.equal(true);
    expect(gw.index.appliedThrough()).to.equal((await gw.ledger.height()) - 1);
    expect(gw.index.checkpoint?.blockNumber).to.be.lessThan((await gw.ledger.height()) - 1);
  });
});
