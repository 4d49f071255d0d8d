/**
 * The embedded ledger keeps its large blocks in an append-only file beside level, and level only
 * where each is (a threshold of 0 puts every block there): such blocks are in the file byte for
 * byte and nowhere in level; smaller blocks stay in level, beside those in the file; what a crash
 * leaves past the last committed block is named by no block, and new blocks go after it; blocks
 * staged together land one after another; a block file shorter than what level says was
 * committed refuses to open for writing; and a ledger written before the file (its blocks in
 * level, no file) is read, verified, exported and extended.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCK_FILE, BlockFile } from '../../ledger-tools/block-file';
import { createCertificateAuthority, exportBlocks, openEmbeddedLedger, verifyLedger, type Identity } from '../../ledger-tools';
import { BLOCK_FILE_MIN_BYTES, blockKey } from '../../ledger-tools/store';
import { contracts } from './kv-contract';
import { rejectionOf, withStore } from './suite';

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
    const ledger = await openEmbeddedLedger({ dir, contracts, batchSize: 3, batchTimeoutMs: 2, blockFileMinBytes: 0 });
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

  it(`puts blocks of ${BLOCK_FILE_MIN_BYTES} bytes or more in the file, smaller ones in level, and reads both`, async () => {
    const dir = join(root, 'mixed');
    const ledger = await openEmbeddedLedger({ dir, contracts });
    const small = await ledger.submit('Put', ['small', 'value'], alice);
    const big = await ledger.submit('Put', ['big', 'x'.repeat(BLOCK_FILE_MIN_BYTES)], alice);
    const after = await ledger.submit('Put', ['small-after', 'value'], alice);
    await ledger.close();
    const blocks = await blocksOf(dir);
    expect(blocks[small.blockNumber]?.entry.startsWith('{')).to.equal(true);
    expect(blocks[big.blockNumber]?.entry).to.match(/^@0,\d+$/);
    expect(blocks[after.blockNumber]?.entry.startsWith('{')).to.equal(true);
    expect((await stat(join(dir, BLOCK_FILE))).size).to.equal(Buffer.byteLength(blocks[big.blockNumber]?.bytes ?? ''));
    await withStore(dir, async (store) => {
      expect((await verifyLedger(store)).problems).to.deep.equal([]);
      expect((await store.get('big'))?.value.length).to.equal(BLOCK_FILE_MIN_BYTES);
    });
  });

  it('writes after what a crash left past the last committed block, which no block names', async () => {
    const dir = await fresh(6);
    const before = await blocksOf(dir);
    const left = '{"hash":"a block whose level batch never happened"';
    await appendFile(join(dir, BLOCK_FILE), left);
    const size = (await stat(join(dir, BLOCK_FILE))).size;
    const ledger = await openEmbeddedLedger({ dir, contracts, blockFileMinBytes: 0 });
    const { blockNumber } = await ledger.submit('Put', ['after', 'the crash'], alice);
    await ledger.close();
    const after = await blocksOf(dir);
    expect(after.slice(0, before.length)).to.deep.equal(before);
    expect(after[blockNumber]?.entry).to.match(new RegExp(`^@${size},\\d+$`));
    expect((await readFile(join(dir, BLOCK_FILE))).toString('utf8')).to.include(left); // nothing is cut off
    await withStore(dir, async (store) => {
      expect((await verifyLedger(store)).problems).to.deep.equal([]);
      expect((await store.get('after'))?.value.toString('utf8')).to.equal('the crash');
    });
  });

  it('writes blocks staged together one after another, each readable once durable', async () => {
    const path = join(root, 'bare');
    const texts = ['{"a":1}', '{"b":"é😀"}', '{"c":[3]}'];
    const file = await BlockFile.open(path, 0, true);
    try {
      const staged = texts.map((t) => file.stage(Buffer.from(t, 'utf8'))); // no write awaited before the next is staged
      expect(staged.map((s) => s.location)).to.deep.equal([
        { offset: 0, length: 7 },
        { offset: 7, length: Buffer.byteLength(texts[1] as string) },
        { offset: 7 + Buffer.byteLength(texts[1] as string), length: 9 },
      ]);
      await Promise.all(staged.map((s) => s.durable));
      for (const [i, s] of staged.entries()) expect((await file.read(s.location)).toString('utf8')).to.equal(texts[i]);
    } finally {
      await file.close();
    }
    expect((await readFile(path)).toString('utf8')).to.equal(texts.join(''));
    // many at once, of many sizes: the pool writes them in any order, each lands where it was staged
    const many = await BlockFile.open(join(root, 'many'), 0, true);
    try {
      const blocks = Array.from({ length: 64 }, (_, i) => Buffer.from(`{"n":${i},"pad":"${'x'.repeat((i * 7919) % 40_000)}"}`));
      const out = blocks.map((b) => many.stage(b));
      await Promise.all(out.map((s) => s.durable));
      for (const [i, s] of out.entries()) expect((await many.read(s.location)).equals(blocks[i] as Buffer), `block ${i}`).to.equal(true);
    } finally {
      await many.close();
    }
    // reopened with only the first committed, the next block still goes after all of them
    const again = await BlockFile.open(path, 7, true);
    try {
      expect(again.stage(Buffer.from('{}')).location.offset).to.equal(Buffer.byteLength(texts.join('')));
    } finally {
      await again.close();
    }
  });

  it('refuses to open for writing when the file lost committed blocks (cut short or gone); verify names the first one', async () => {
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
    // with the file gone altogether: the same, from the first block
    await rm(join(dir, BLOCK_FILE));
    expect((await rejectionOf(openEmbeddedLedger({ dir, contracts }))).code).to.equal('LEDGER_CORRUPT');
    expect(existsSync(join(dir, BLOCK_FILE)), 'the refused open created no file').to.equal(false);
    await withStore(dir, async (store) => {
      const report = await verifyLedger(store);
      expect(report.firstBadBlock).to.equal(0);
      expect(report.problems[0]?.message).to.match(/block 0 cannot be read: .*no block file/);
    }, false);
  });

  it('reads, verifies, exports and extends a ledger whose blocks are in level, as ledgers were written before the file', async () => {
    const dir = await fresh(7);
    const blocks = await blocksOf(dir);
    // the layout before the file: each block's bytes under its key, no block file
    await withStore(dir, async (store) => {
      for (const [i, b] of blocks.entries()) await store.db.put(blockKey(i), Buffer.from(b.bytes, 'utf8'));
      await store.db.del('m!blockfile');
    });
    await rm(join(dir, BLOCK_FILE));
    const exported: Buffer[] = [];
    await withStore(dir, async (store) => {
      expect((await verifyLedger(store)).problems).to.deep.equal([]);
      for await (const line of exportBlocks(store)) exported.push(line);
    }, false);
    expect(exported.map((l) => l.toString('utf8').trimEnd())).to.deep.equal(blocks.map((b) => b.bytes));
    const ledger = await openEmbeddedLedger({ dir, contracts, blockFileMinBytes: 0 });
    const { blockNumber } = await ledger.submit('Put', ['new', 'block'], alice);
    await ledger.close();
    const after = await blocksOf(dir);
    expect(after.slice(0, blocks.length).map((b) => b.entry.startsWith('{'))).to.deep.equal(blocks.map(() => true));
    expect(after[blockNumber]?.entry).to.match(/^@0,\d+$/);
    await withStore(dir, async (store) => expect((await verifyLedger(store)).problems).to.deep.equal([]));
  });
});
