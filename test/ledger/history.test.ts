/**
 * A key's history on the embedded ledger: each entry says who changed the key when, and a
 * write's value is read from its block (in level or in the block file), not kept a second time
 * in level. Entries that ledgers before this layout wrote (the value after the head) are still
 * read and verified; an entry that names a transaction which wrote no value to its key, or that
 * cannot be decoded, is LEDGER_CORRUPT, and verify names its block.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, openEmbeddedLedger, verifyLedger, type Identity, type LedgerStore } from '../../ledger-tools';
import { encodeHistory, encodeHistoryWithValue, historyPrefix, padNumber } from '../../ledger-tools/store';
import { contracts } from './kv-contract';
import { rejectionOf, withStore } from './suite';

/** Blocks of this many bytes or more go to the block file here, so the history below reads from both places. */
const FILE_FROM = 4096;
const LARGE = 'L'.repeat(20_000);

/** The stored history entries of `key`, newest first, with their level keys. */
async function storedEntries(store: LedgerStore, key: string): Promise<Array<[string, Buffer]>> {
  const prefix = historyPrefix(key);
  const out: Array<[string, Buffer]> = [];
  for await (const entry of store.db.iterator({ gte: prefix, lt: prefix + '~', reverse: true })) out.push(entry);
  return out;
}

describe('Ledger key history', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: Identity;
  const txIds: string[] = [];

  beforeEach(async () => {
    alice = await (await createCertificateAuthority('Org1MSP')).issue({ commonName: 'alice', organizationalUnit: 'client' });
    dir = await mkdtemp(join(tmpdir(), 'zfc-history-'));
    const ledger = await openEmbeddedLedger({ dir, contracts, blockFileMinBytes: FILE_FROM });
    txIds.length = 0;
    try {
      for (const [fn, args] of [['Put', ['k', 'v1']], ['Put', ['other', 'o1']], ['Put', ['k', LARGE]], ['Delete', ['k']], ['Put', ['k', 'é|\u0000v4']]] as const) {
        txIds.push((await ledger.submit(fn, [...args], alice)).txId);
      }
    } finally {
      await ledger.close();
    }
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const expected = (): Array<{ txId: string; isDelete: boolean; value: string }> => [
    { txId: txIds[4] as string, isDelete: false, value: 'é|\u0000v4' },
    { txId: txIds[3] as string, isDelete: true, value: '' },
    { txId: txIds[2] as string, isDelete: false, value: LARGE },
    { txId: txIds[0] as string, isDelete: false, value: 'v1' },
  ];
  const read = async (store: LedgerStore, key = 'k'): Promise<Array<{ txId: string; isDelete: boolean; value: string }>> =>
    (await store.history(key)).map((h) => ({ txId: h.txId, isDelete: h.isDelete, value: h.value.toString('utf8') }));

  it('keeps no value in level: each write\'s is read back from its block, in level or in the block file', async () => {
    await withStore(dir, async (store) => {
      const entries = await storedEntries(store, 'k');
      expect(entries).to.have.length(4);
      for (const [, value] of entries) expect(value.length).to.be.below(120); // the 20,000-byte value is not among them
      expect(await read(store)).to.deep.equal(expected());
      expect((await verifyLedger(store)).ok).to.equal(true);
    });
    // the contract API reads the same history
    const ledger = await openEmbeddedLedger({ dir, contracts, blockFileMinBytes: FILE_FROM });
    try {
      const history = JSON.parse(Buffer.from(await ledger.evaluate('History', ['k'], alice)).toString('utf8')) as unknown;
      expect(history).to.deep.equal(expected().map(({ txId, value, isDelete }) => ({ isDelete, txId, value })));
    } finally {
      await ledger.close();
    }
  });

  it('reads and verifies the entries of ledgers before, which kept the value in level', async () => {
    await withStore(dir, async (store) => {
      const history = await store.history('k');
      const entries = await storedEntries(store, 'k');
      // rewrite every entry as earlier ledgers wrote it
      for (const [i, [levelKey]] of entries.entries()) {
        const h = history[i];
        if (!h) throw new Error('an entry is missing');
        await store.db.put(levelKey, encodeHistoryWithValue({ key: 'k', value: h.isDelete ? null : h.value, version: { block: 0, tx: 0 }, txId: h.txId, timestamp: h.timestamp }));
      }
      expect((await storedEntries(store, 'k')).some(([, v]) => v.length > 20_000)).to.equal(true);
      expect(await read(store)).to.deep.equal(expected());
      expect((await verifyLedger(store)).ok).to.equal(true);

      // an earlier entry whose value was changed is caught
      const [levelKey, original] = entries[2] as [string, Buffer];
      const changed = await store.db.get(levelKey) as Buffer;
      changed[changed.length - 1] = 'M'.charCodeAt(0);
      await store.db.put(levelKey, changed);
      const report = await verifyLedger(store);
      expect(report.ok).to.equal(false);
      expect(report.firstBadBlock).to.equal(Number(levelKey.slice(-24, -12)));
      await store.db.put(levelKey, original);
    });
  });

  it('refuses, as LEDGER_CORRUPT, an entry naming a transaction that wrote no value to the key, and one it cannot decode', async () => {
    await withStore(dir, async (store) => {
      const [[, newest]] = (await storedEntries(store, 'k')) as [[string, Buffer]];
      // the transaction that wrote only `other`: an entry of `k` there names a write that is not in its block
      const [[otherKey]] = (await storedEntries(store, 'other')) as [[string, Buffer]];
      const forged = historyPrefix('k') + otherKey.slice(historyPrefix('other').length);
      await store.db.put(forged, newest);
      const refusal = await rejectionOf(store.history('k'));
      expect(refusal).to.include({ code: 'LEDGER_CORRUPT' });
      expect((refusal as { details?: unknown }).details).to.deep.include({ key: 'k' });
      const report = await verifyLedger(store);
      expect(report.ok).to.equal(false);
      expect(report.firstBadBlock).to.equal(Number(forged.slice(-24, -12)));
      await store.db.del(forged);

      const [levelKey, original] = (await storedEntries(store, 'k'))[3] as [string, Buffer];
      for (const garbage of [Buffer.from('no newlines'), Buffer.from('tx\n2026-01-01T00:00:00.000Z\n2\ntrailing'), Buffer.from('tx\nt\n7\n')]) {
        await store.db.put(levelKey, garbage);
        expect(await rejectionOf(store.history('k'))).to.include({ code: 'LEDGER_CORRUPT' });
        expect((await verifyLedger(store)).ok).to.equal(false);
      }
      await store.db.put(levelKey, original);
      expect(await read(store)).to.deep.equal(expected());
    });
  });

  it('refuses, as LEDGER_CORRUPT, an entry naming an invalid transaction, whose writes were never applied', async () => {
    // two increments of one counter read the same version: one of them is invalid (MVCC), though its block holds its write
    const ledger = await openEmbeddedLedger({ dir, contracts, blockFileMinBytes: FILE_FROM, batchSize: 4, batchTimeoutMs: 5 });
    let invalid: string | undefined;
    try {
      const outcomes = await Promise.allSettled([ledger.submit('Increment', ['n'], alice), ledger.submit('Increment', ['n'], alice)]);
      invalid = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as { txId?: string }).txId] : []))[0];
    } finally {
      await ledger.close();
    }
    expect(invalid, 'one increment is invalid').to.be.a('string');
    await withStore(dir, async (store) => {
      const at = await store.txLocation(invalid as string);
      if (!at) throw new Error('the invalid transaction is not in the index');
      const block = await store.block(at.block);
      expect(block.transactions[at.tx]?.validationCode).to.not.equal('VALID');
      expect(block.transactions[at.tx]?.rwset.writes.map((w) => w.key)).to.deep.equal(['n']);
      expect(await store.history('n')).to.have.length(1);
      await store.db.put(historyPrefix('n') + padNumber(at.block) + padNumber(at.tx), encodeHistory({ key: 'n', value: Buffer.from('1'), version: { block: at.block, tx: at.tx }, txId: invalid as string, timestamp: block.transactions[at.tx]?.timestamp ?? '' }));
      expect(await rejectionOf(store.history('n'))).to.include({ code: 'LEDGER_CORRUPT' });
      expect((await verifyLedger(store)).firstBadBlock).to.equal(at.block);
    });
  });
});
