/**
 * The embedded ledger keeps its blocks in an append-only file beside level, and level only where
 * each block is: blocks are in the file byte for byte and nowhere in level; what a crash leaves
 * past the last committed block is cut off when the ledger opens, and the next commit goes there;
 * a block file shorter than what level says was committed refuses to open for writing; and a
 * ledger written before the file (its blocks in level) is read, verified, exported and extended.
 */
import { expect } from 'chai';
import { appendFile, mkdtemp, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCK_FILE, BlockFile } from '../../ledger-tools/block-file';
import { createCertificateAuthority, exportBlocks, LedgerStore, openEmbeddedLedger, verifyLedger, type Identity } from '../../ledger-tools';
import { blockKey } from '../../ledger-tools/store';
import { contracts } from './kv-contract';
import { rejectionOf } from './suite';

async function withStore<T>(dir: string, fn: (store: LedgerStore) => Promise<T>, create = true): Promise<T> {
  const store = await LedgerStore.open(dir, { create });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Every block's level entry and bytes, in order. */
async function blocksOf(dir: string): Promise<Array<{ entry: string; bytes: string }>> {
  return withStore(dir, async (store) => {
    const out: Array<{ entry: string; bytes: string }> = [];
    for (let n = 0; n < (await store.height()); n++) {
      out.push({ entry: ((await store.db.get(blockKey(n))) as Buffer).toString('latin1'), bytes: ((await store.blockBytes(n)) as Buffer).toString('utf8') });
    }
    return out;
  });
}

describe('Embedded ledger block file', function () {
  this.timeout(60_000);
  let root: string;
  let alice: Identity;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'zfc-blockfile-'));
    alice = await (await createCertificateAuthority('Org1MSP')).issue({ commonName: 'alice', organizationalUnit: 'client' });
  });
  after(async () => rm(root, { recursive: true, force: true }));

  let n = 0;
  const fresh = async (puts: number): Promise<string> => {
    const dir = join(root, `l${++n}`);
    const ledger = await openEmbeddedLedger({ dir, contracts, batchSize: 3, batchTimeoutMs: 2 });
    await Promise.all(Array.from({ length: puts }, (_, i) => ledger.submit('Put', [`k${i}`, `value ${i} é 😀`], alice)));
    await ledger.close();
    return dir;
  };

  it('keeps each block once, in the file, and in level only where it is', async () => {
    const dir = await fresh(10);
    const blocks = await blocksOf(dir);
    expect(blocks.length).to.be.greaterThan(3);
    const file = await readFile(join(dir, BLOCK_FILE));
    let offset = 0;
    for (const b of blocks) {
      const length = Buffer.byteLength(b.bytes);
      expect(b.entry).to.equal(`@${offset},${length}`);
      expect(JSON.parse(b.bytes)).to.have.property('hash');
      expect(file.subarray(offset, offset + length).toString('utf8')).to.equal(b.bytes);
      offset += length;
    }
    expect(file.length).to.equal(offset);
    // no block's text is anywhere in level
    await withStore(dir, async (store) => {
      for await (const [, v] of store.db.iterator()) expect(v.toString('latin1')).to.not.include('"previousHash"');
    });
  });

  it('cuts off what a crash left past the last committed block, and commits over it', async () => {
    const dir = await fresh(6);
    const before = await blocksOf(dir);
    const size = (await stat(join(dir, BLOCK_FILE))).size;
    await appendFile(join(dir, BLOCK_FILE), '{"hash":"a block whose level batch never happened"');
    const ledger = await openEmbeddedLedger({ dir, contracts });
    expect((await stat(join(dir, BLOCK_FILE))).size).to.equal(size);
    const { blockNumber } = await ledger.submit('Put', ['after', 'the crash'], alice);
    await ledger.close();
    const after = await blocksOf(dir);
    expect(after.slice(0, before.length)).to.deep.equal(before);
    expect(after[blockNumber]?.entry).to.match(new RegExp(`^@${size},\\d+$`));
    await withStore(dir, async (store) => {
      expect((await verifyLedger(store)).problems).to.deep.equal([]);
      expect((await store.get('after'))?.value.toString('utf8')).to.equal('the crash');
    });
  });

  it('writes a block that was never committed over again: the next write takes its place', async () => {
    const path = join(root, 'bare');
    const file = await BlockFile.open(path, 0, true);
    try {
      const [first] = await file.write([Buffer.from('{"a":1}')]);
      file.committed([first as { offset: number; length: number }]);
      const [lost] = await file.write([Buffer.from('{"lost":"its level batch failed"}')]);
      const [next, second] = await file.write([Buffer.from('{"b":2}'), Buffer.from('{"c":3}')]);
      expect(next).to.deep.equal({ offset: lost?.offset, length: 7 });
      file.committed([next as { offset: number; length: number }, second as { offset: number; length: number }]);
      expect((await file.read(next as { offset: number; length: number })).toString()).to.equal('{"b":2}');
      expect((await file.read(second as { offset: number; length: number })).toString()).to.equal('{"c":3}');
    } finally {
      await file.close();
    }
  });

  it('refuses to open for writing when the file lost committed blocks; verify names the first one', async () => {
    const dir = await fresh(10);
    const blocks = await blocksOf(dir);
    expect(blocks.length).to.be.greaterThan(3);
    const cut = Number(/^@(\d+),/.exec(blocks[2]?.entry ?? '')?.[1]);
    await truncate(join(dir, BLOCK_FILE), cut + 5);
    const err = await rejectionOf(openEmbeddedLedger({ dir, contracts }));
    expect(err.code).to.equal('LEDGER_CORRUPT');
    expect((await stat(join(dir, BLOCK_FILE))).size, 'nothing cut off').to.equal(cut + 5);
    await withStore(dir, async (store) => {
      const report = await verifyLedger(store);
      expect(report.firstBadBlock).to.equal(2);
      expect(report.problems[0]?.message).to.match(/block 2 cannot be read/);
    }, false);
  });

  it('reads, verifies, exports and extends a ledger whose blocks are in level, as ledgers were written before the file', async () => {
    const dir = await fresh(7);
    const blocks = await blocksOf(dir);
    // the layout before the file: each block's bytes under its key, no block file
    await withStore(dir, async (store) => {
      for (const [i, b] of blocks.entries()) await store.db.put(blockKey(i), Buffer.from(b.bytes, 'utf8'));
    });
    await rm(join(dir, BLOCK_FILE));
    const exported: Buffer[] = [];
    await withStore(dir, async (store) => {
      expect((await verifyLedger(store)).problems).to.deep.equal([]);
      for await (const line of exportBlocks(store)) exported.push(line);
    }, false);
    expect(exported.map((l) => l.toString('utf8').trimEnd())).to.deep.equal(blocks.map((b) => b.bytes));
    const ledger = await openEmbeddedLedger({ dir, contracts });
    const { blockNumber } = await ledger.submit('Put', ['new', 'block'], alice);
    await ledger.close();
    const after = await blocksOf(dir);
    expect(after.slice(0, blocks.length).map((b) => b.entry.startsWith('{'))).to.deep.equal(blocks.map(() => true));
    expect(after[blockNumber]?.entry).to.match(/^@0,\d+$/);
    await withStore(dir, async (store) => expect((await verifyLedger(store)).problems).to.deep.equal([]));
  });
});
