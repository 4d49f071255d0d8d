/**
 * The embedded ledger in its own thread: the whole compliance suite through the thread boundary,
 * then what the boundary itself must keep — the same blocks and state as the embedded ledger
 * opened in-process on the same folder, errors that stay typed, the events of a block known
 * before the submit that made it returns, followers far behind reading older blocks from the
 * ledger thread, and closing.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZfcError } from '../../chaincode/errors';
import { openEmbeddedLedger, openThreadedLedger, type Identity, type LedgerEvent, type ThreadedLedger, type ThreadedLedgerOptions } from '../../ledger-tools';
import { contracts } from './kv-contract';
import { collectEvents, ledgerComplianceSuite, rejectionOf, suiteIdentities, tempLedger } from './suite';

const KV_MODULE = require.resolve('./kv-contract');
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

function freshLedger(options: Partial<ThreadedLedgerOptions> = {}): Promise<{ ledger: ThreadedLedger; dir: string; cleanup(): Promise<void> }> {
  return tempLedger('zfc-threaded-', (dir) => openThreadedLedger({ dir, contractsModule: KV_MODULE, ...options }));
}

ledgerComplianceSuite({
  name: 'embedded, in its own thread',
  factory: async () => {
    const { ledger, cleanup } = await freshLedger();
    return { ledger, ...(await suiteIdentities()), cleanup };
  },
});

describe('Embedded ledger in its own thread', function () {
  this.timeout(30_000);
  let ids: { alice: Identity; bob: Identity };
  before(async () => {
    ids = await suiteIdentities();
  });

  it('writes the same blocks and state as the embedded ledger opened in-process on the same folder', async () => {
    const { ledger, dir } = await freshLedger({ batchSize: 2 });
    try {
      await Promise.all(['a', 'b', 'c'].map((k) => ledger.submit('Put', [k, `v-${k}`], ids.alice)));
      const threadedBlock = await ledger.block(0);
      await ledger.close();
      const inProcess = await openEmbeddedLedger({ dir, contracts });
      try {
        expect(await inProcess.height()).to.equal(2);
        expect(await inProcess.block(0)).to.deep.equal(threadedBlock);
        expect(text(await inProcess.evaluate('Get', ['b'], ids.alice))).to.equal('v-b');
      } finally {
        await inProcess.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers with Buffers and typed errors, as the embedded ledger does', async () => {
    const { ledger, cleanup } = await freshLedger();
    try {
      const r = await ledger.submit('Put', ['k', 'v'], ids.alice);
      expect(Buffer.isBuffer(r.payload)).to.equal(true);
      expect(Buffer.isBuffer(await ledger.evaluate('Get', ['k'], ids.alice))).to.equal(true);
      const err = await rejectionOf(ledger.submit('Put', ['blocked-k', 'v'], ids.alice));
      expect(err.code).to.equal('FORBIDDEN');
      expect(err.details).to.deep.equal({ key: 'blocked-k' });
      expect(err.txId).to.be.a('string');
      expect((await rejectionOf(ledger.block(99))).code).to.equal('BLOCK_NOT_FOUND');
      expect((await rejectionOf(ledger.submit('Put', ['k', 'v'], { mspId: 'Org1MSP', certificate: 'not a certificate' }))).code).to.equal('UNAUTHENTICATED');
      expect(await ledger.txLocation(r.txId)).to.deep.equal({ block: r.blockNumber, tx: 0 });
      expect(await ledger.txLocation('no-such-tx')).to.equal(undefined);
    } finally {
      await cleanup();
    }
  });

  it('has a block\'s events for its followers by the time the submit that made the block returns', async () => {
    const { ledger, cleanup } = await freshLedger();
    const seen: LedgerEvent[] = [];
    const controller = new AbortController();
    const following = (async () => {
      for await (const e of ledger.events({ signal: controller.signal })) seen.push(e);
    })();
    try {
      for (let i = 0; i < 5; i++) {
        const r = await ledger.submit('Put', [`k${i}`, `v${i}`], ids.alice);
        // the events arrived before the answer: the follower has them after one turn of the event loop
        await new Promise((resolve) => setImmediate(resolve));
        expect(seen.map((e) => e.txId), `after submit ${i}`).to.include(r.txId);
      }
    } finally {
      controller.abort();
      await following;
      await cleanup();
    }
  });

  it('serves a follower that starts far behind from the ledger thread, block by block in order', async () => {
    const { ledger, cleanup } = await freshLedger({ batchSize: 1 });
    try {
      for (let i = 0; i < 40; i++) await ledger.submit('Put', [`k${i}`, `v${i}`], ids.alice);
      const ends: number[] = [];
      const controller = new AbortController();
      const events: LedgerEvent[] = [];
      for await (const e of ledger.events({ signal: controller.signal, after: { blockNumber: 3, txIndex: 0 }, onBlockEnd: (n) => ends.push(n) })) {
        events.push(e);
        if (events.length === 36) controller.abort();
      }
      expect(events.map((e) => e.blockNumber)).to.deep.equal(Array.from({ length: 36 }, (_, i) => i + 4));
      expect(text(events[0]?.payload ?? new Uint8Array())).to.contain('k4');
      expect(ends.slice(0, 3)).to.deep.equal([3, 4, 5]);
    } finally {
      await cleanup();
    }
  });

  it('ends its followers and refuses calls once closed; a second close is harmless', async () => {
    const { ledger, cleanup } = await freshLedger();
    await ledger.submit('Put', ['k', 'v'], ids.alice);
    const collected = collectEvents(ledger, undefined, () => false, 20_000);
    await ledger.close();
    expect((await collected).length).to.equal(1);
    expect((await rejectionOf(ledger.submit('Put', ['a', '1'], ids.alice))).code).to.equal('LEDGER_CLOSED');
    expect((await rejectionOf(ledger.height())).code).to.equal('LEDGER_CLOSED');
    await cleanup();
  });

  it('ends a follower that is reading back old blocks quietly when the ledger closes', async () => {
    const { ledger, cleanup } = await freshLedger({ batchSize: 1 });
    for (let i = 0; i < 60; i++) await ledger.submit('Put', [`k${i}`, `v${i}`], ids.alice);
    // the close is on its way to the ledger thread when a new follower asks it for block 0
    // (only the newest 8 blocks are kept here): that read races the close of the store
    const closing = ledger.close();
    let seen = 0;
    for await (const event of ledger.events()) seen += event.eventName === 'kv.put' ? 1 : 0; // ends without an error
    await closing;
    expect(seen).to.be.within(0, 60);
    await cleanup();
  });

  it('reports a ledger thread that stopped: LEDGER_UNAVAILABLE for the call, later calls and followers, none left hanging', async () => {
    const { ledger, cleanup } = await freshLedger({ contractsModule: require.resolve('./exit-contract') });
    try {
      await ledger.submit('Put', ['k', 'v'], ids.alice);
      const following = collectEvents(ledger, { blockNumber: 0, txIndex: 0 }, () => false, 20_000).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect((await rejectionOf(ledger.submit('exit:Exit', [], ids.alice))).code).to.equal('LEDGER_UNAVAILABLE');
      expect((await rejectionOf(ledger.submit('Put', ['k2', 'v'], ids.alice))).code).to.equal('LEDGER_UNAVAILABLE');
      expect((await rejectionOf(ledger.height())).code).to.equal('LEDGER_UNAVAILABLE');
      const ended = await following;
      expect(ended).to.be.instanceOf(ZfcError);
      expect((ended as ZfcError).code).to.equal('LEDGER_UNAVAILABLE');
    } finally {
      await cleanup(); // closing a failed ledger ends at once
    }
  });

  /** The typed error an open in a fresh folder fails with. */
  async function openFailure(options: Omit<ThreadedLedgerOptions, 'dir'>): Promise<ZfcError> {
    const dir = await mkdtemp(join(tmpdir(), 'zfc-threaded-'));
    try {
      const opened = await openThreadedLedger({ dir, ...options }).catch((e: unknown) => e);
      if (!(opened instanceof ZfcError)) {
        if (opened && typeof (opened as { close?: unknown }).close === 'function') await (opened as ThreadedLedger).close();
        expect.fail(`expected a ZfcError, got ${String(opened)}`);
      }
      return opened;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('fails to open with LEDGER_UNAVAILABLE when the ledger thread stops while starting', async () => {
    expect((await openFailure({ contractsModule: require.resolve('./exit-on-load') })).code).to.equal('LEDGER_UNAVAILABLE');
  });

  it('fails to open with a typed error when the contracts cannot be loaded', async () => {
    expect((await openFailure({ contractsModule: KV_MODULE, contractsExport: 'noSuchExport' })).text).to.contain('noSuchExport');
  });
});
