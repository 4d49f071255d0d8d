/**
 * The ledger tools on a real embedded ledger: verify passes on an honest ledger and names the
 * block when one byte of a block, a transaction, a state value, a history entry or the index is
 * changed; proofs check with SHA-256 alone and fail when altered; export/import round-trips and
 * refuses an altered archive; the `zfc ledger` command reports and exits accordingly.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { MerkleTree } from 'merkletreejs';
import { canonicalJson } from '../../chaincode/canonical-json';
import {
  createCertificateAuthority,
  exportBlocks,
  importBlocks,
  inspectKey,
  merkleProof,
  merkleRoot,
  openEmbeddedLedger,
  proveTransaction,
  verifyLedger,
  verifyMerkleProof,
  verifyTransactionProof,
  type Identity,
  type TransactionProof,
} from '../../ledger-tools';
import { blockKey, stateKey, historyPrefix, padNumber, txKey } from '../../ledger-tools/store';
import { contracts } from './kv-contract';
import { rejectionOf, withStore } from './suite';

const run = promisify(execFile);
const CLI = join(__dirname, '../../cli/zfc.js');

/** Builds a small ledger with valid, invalid, deleting and composite-key transactions; returns a committed txId. */
async function buildLedger(dir: string, alice: Identity): Promise<{ txId: string; height: number }> {
  const ledger = await openEmbeddedLedger({ dir, contracts, batchSize: 4, batchTimeoutMs: 5 });
  await Promise.allSettled(Array.from({ length: 10 }, (_, i) => ledger.submit('Put', [`k${i % 4}`, `v${i}`], alice)));
  await Promise.allSettled([ledger.submit('Increment', ['n'], alice), ledger.submit('Increment', ['n'], alice)]);
  await ledger.submit('Delete', ['k0'], alice);
  await ledger.submit('PutComposite', ['lot', '["g","1"]', 'x'], alice);
  const { txId } = await ledger.submit('Put', ['k1', 'final'], alice);
  const height = await ledger.height();
  await ledger.close();
  return { txId, height };
}

describe('Ledger tools', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: Identity;
  let built: { txId: string; height: number };

  before(async () => {
    const ca = await createCertificateAuthority('Org1MSP');
    alice = await ca.issue({ commonName: 'alice', organizationalUnit: 'client' });
    dir = await mkdtemp(join(tmpdir(), 'zfc-tools-'));
    built = await buildLedger(dir, alice);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('verify', () => {
    it('passes on an honest ledger', async () => {
      const report = await withStore(dir, (store) => verifyLedger(store));
      expect(report.problems).to.deep.equal([]);
      expect(report).to.include({ ok: true, height: built.height, firstBadBlock: null });
      expect(report.transactions).to.be.greaterThan(10);
    });

    it('finds any one changed byte of a stored block and names that block', async () => {
      await withStore(dir, async (store) => {
        const target = 2;
        const original = (await store.blockBytes(target)) as Buffer;
        const positions = Array.from({ length: 40 }, (_, i) => Math.floor((i * original.length) / 40));
        try {
          for (const pos of positions) {
            const tampered = Buffer.from(original);
            tampered[pos] = (tampered[pos] as number) ^ 0x01;
            await store.db.put(blockKey(target), tampered);
            const report = await verifyLedger(store);
            expect(report.ok, `byte ${pos}`).to.equal(false);
            expect(report.firstBadBlock, `byte ${pos}`).to.equal(target);
          }
        } finally {
          await store.db.put(blockKey(target), original);
        }
        expect((await verifyLedger(store)).ok).to.equal(true);
      });
    });

    it("finds a changed transaction argument and names the transaction's block", async () => {
      await withStore(dir, async (store) => {
        const original = (await store.blockBytes(1)) as Buffer;
        const text = original.toString('utf8');
        const at = text.indexOf('"args":["k');
        const tampered = Buffer.from(text.slice(0, at) + '"args":["K' + text.slice(at + 10), 'utf8');
        await store.db.put(blockKey(1), tampered);
        try {
          const report = await verifyLedger(store);
          expect(report.firstBadBlock).to.equal(1);
          expect(report.problems.map((p) => p.message).join('\n')).to.match(/Merkle root/);
        } finally {
          await store.db.put(blockKey(1), original);
        }
      });
    });

    it('finds one changed byte of a state value and names the block that wrote it', async () => {
      await withStore(dir, async (store) => {
        const current = await store.get('k2');
        const original = (await store.db.get(stateKey('k2'))) as Buffer;
        const tampered = Buffer.from(original);
        tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0x20;
        await store.db.put(stateKey('k2'), tampered);
        const report = await verifyLedger(store);
        await store.db.put(stateKey('k2'), original);
        expect(report.ok).to.equal(false);
        expect(report.firstBadBlock).to.equal(current?.version.block);
      });
    });

    it('finds a state key no block wrote, a changed history entry and a wrong index entry', async () => {
      await withStore(dir, async (store) => {
        await store.db.put(stateKey('forged'), Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]), Buffer.from('x')]));
        expect((await verifyLedger(store)).firstBadBlock).to.equal(1);
        await store.db.del(stateKey('forged'));

        const k1 = await store.get('k1');
        const hKey = historyPrefix('k1') + padNumber(k1?.version.block ?? 0) + padNumber(k1?.version.tx ?? 0);
        const hOriginal = (await store.db.get(hKey)) as Buffer;
        await store.db.put(hKey, Buffer.concat([hOriginal, Buffer.from('!')]));
        expect((await verifyLedger(store)).firstBadBlock).to.equal(k1?.version.block);
        await store.db.put(hKey, hOriginal);

        await store.db.put(txKey(built.txId), Buffer.from('0,0'));
        const report = await verifyLedger(store);
        expect(report.ok).to.equal(false);
        expect(report.firstBadBlock).to.equal(built.height - 1);
        await store.db.put(txKey(built.txId), Buffer.from(`${built.height - 1},0`));
        expect((await verifyLedger(store)).ok).to.equal(true);
      });
    });

    it('finds a missing block', async () => {
      await withStore(dir, async (store) => {
        const original = (await store.blockBytes(3)) as Buffer;
        await store.db.del(blockKey(3));
        try {
          expect((await verifyLedger(store)).firstBadBlock).to.equal(3);
        } finally {
          await store.db.put(blockKey(3), original);
        }
      });
    });
  });

  describe('proofs', () => {
    it('proves a transaction with a proof that SHA-256 alone checks', async () => {
      const proof = await withStore(dir, (store) => proveTransaction(store, built.txId));
      expect(proof.blockNumber).to.equal(built.height - 1);
      expect(verifyTransactionProof(proof)).to.deep.equal({ valid: true, problems: [] });
      expect(verifyTransactionProof(proof, proof.blockHash).valid).to.equal(true);
      expect(verifyTransactionProof(proof, '00'.repeat(32)).valid).to.equal(false);
    });

    it('fails a proof whose transaction, path, header or hash was altered', async () => {
      const proof = await withStore(dir, (store) => proveTransaction(store, built.txId));
      const altered: TransactionProof[] = [
        { ...proof, transaction: { ...proof.transaction, args: ['k1', 'forged'] } },
        { ...proof, header: { ...proof.header, timestamp: '2000-01-01T00:00:00.000Z' } },
        { ...proof, blockHash: proof.blockHash.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
        { ...proof, txHash: '00'.repeat(32) },
        { ...proof, txId: '11'.repeat(32) },
      ];
      for (const p of altered) expect(verifyTransactionProof(p).valid).to.equal(false);
      expect(verifyTransactionProof({ ...proof, header: null } as unknown as TransactionProof).valid).to.equal(false);
    });

    it('answers TX_NOT_FOUND for an unknown transaction', async () => {
      const err = await withStore(dir, (store) => rejectionOf(proveTransaction(store, 'ab'.repeat(32))));
      expect(err.code).to.equal('TX_NOT_FOUND');
    });

    it('builds Merkle paths that agree with merkletreejs for every leaf of trees of 1 to 9 leaves', () => {
      const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
      for (let size = 1; size <= 9; size++) {
        const leaves = Array.from({ length: size }, (_, i) => createHash('sha256').update(`tx${i}`).digest('hex'));
        const root = merkleRoot(leaves);
        const tree = new MerkleTree(leaves.map((h) => Buffer.from(h, 'hex')), sha256);
        if (size > 1) expect(root).to.equal(tree.getRoot().toString('hex'));
        leaves.forEach((leaf, i) => {
          const steps = merkleProof(leaves, i);
          expect(verifyMerkleProof(leaf, steps, root), `size ${size} leaf ${i}`).to.equal(true);
          expect(verifyMerkleProof(leaves[(i + 1) % size] as string, steps, root) && size > 1).to.equal(false);
        });
      }
    });
  });

  describe('golden vectors', () => {
    it('reproduces the transaction hashes, Merkle root and block hash of the fixture block', async () => {
      const fixture = JSON.parse(await readFile(join(repoRoot(), 'test/fixtures/ledger-block.json'), 'utf8')) as {
        blockNdjson: string;
        txHashes: string[];
        merkleRoot: string;
        blockHash: string;
      };
      const importDir = await mkdtemp(join(tmpdir(), 'zfc-golden-'));
      try {
        const report = await importBlocks(importDir, Readable.from([fixture.blockNdjson]));
        expect(report.ok).to.equal(true);
        await withStore(importDir, async (store) => {
          const block = JSON.parse(((await store.blockBytes(0)) as Buffer).toString('utf8')) as { hash: string; header: { merkleRoot: string } };
          expect(block.hash).to.equal(fixture.blockHash);
          expect(block.header.merkleRoot).to.equal(fixture.merkleRoot);
          expect(merkleRoot(fixture.txHashes)).to.equal(fixture.merkleRoot);
          const txs = (JSON.parse(fixture.blockNdjson) as { transactions: unknown[] }).transactions;
          expect(txs.map((tx) => createHash('sha256').update(canonicalJson(tx)).digest('hex'))).to.deep.equal(fixture.txHashes);
          const proof = await proveTransaction(store, JSON.parse(fixture.blockNdjson).transactions[1].txId);
          expect(proof.txHash).to.equal(fixture.txHashes[1]);
        });
      } finally {
        await rm(importDir, { recursive: true, force: true });
      }
    });
  });

  describe('export and import', () => {
    it('round-trips byte for byte and rebuilds the same state', async () => {
      const lines: Buffer[] = [];
      await withStore(dir, async (store) => {
        for await (const line of exportBlocks(store)) lines.push(line);
      });
      expect(lines).to.have.length(built.height);
      const copy = await mkdtemp(join(tmpdir(), 'zfc-import-'));
      try {
        const report = await importBlocks(copy, Readable.from([Buffer.concat(lines).toString('utf8')]).pipe(new PassThrough()));
        expect(report.ok).to.equal(true);
        await withStore(copy, async (store) => {
          for (let n = 0; n < built.height; n++) expect((await store.blockBytes(n))?.toString('utf8')).to.equal(lines[n]?.toString('utf8').trimEnd());
          expect((await inspectKey(store, 'k1')).history).to.have.length.greaterThan(1);
        });
        expect((await rejectionOf(importBlocks(copy, Readable.from([lines[0]?.toString('utf8') ?? ''])))).code).to.equal('INVALID_STATE');
      } finally {
        await rm(copy, { recursive: true, force: true });
      }
    });

    it('refuses an archive with an altered block, naming it, and keeps only the blocks before it', async () => {
      const lines: string[] = [];
      await withStore(dir, async (store) => {
        for await (const line of exportBlocks(store)) lines.push(line.toString('utf8'));
      });
      lines[2] = (lines[2] as string).replace('"validationCode":"VALID"', '"validationCode":"MVCC_READ_CONFLICT"');
      const copy = await mkdtemp(join(tmpdir(), 'zfc-import-'));
      try {
        const err = await rejectionOf(importBlocks(copy, Readable.from(lines.map((l) => l))));
        expect(err.code).to.equal('LEDGER_CORRUPT');
        expect(err.details['block']).to.equal(2);
        expect(await withStore(copy, (store) => store.height())).to.equal(2);
      } finally {
        await rm(copy, { recursive: true, force: true });
      }
    });
  });

  describe('zfc ledger (command line)', () => {
    const zfc = (args: string[]) => run(process.execPath, ['-e', `require(${JSON.stringify(CLI)}).main(process.argv)`, '--', 'zfc', ...args]);

    it('verifies, proves and checks a proof, exiting 0', async () => {
      const verify = await zfc(['ledger', 'verify', '--dir', dir]);
      expect(verify.stdout).to.match(/^ok: \d+ blocks/);
      const proofFile = join(dir, '..', `proof-${process.pid}.json`);
      try {
        await zfc(['ledger', 'proof', built.txId, '--dir', dir, '--out', proofFile]);
        const checked = await zfc(['ledger', 'verify-proof', proofFile]);
        expect(checked.stdout).to.match(/^valid: transaction/);
        const proof = JSON.parse(await readFile(proofFile, 'utf8')) as TransactionProof;
        await writeFile(proofFile, JSON.stringify({ ...proof, transaction: { ...proof.transaction, fn: 'Delete' } }));
        const failed = await rejectionOf2(zfc(['ledger', 'verify-proof', proofFile]));
        expect(failed.code).to.equal(1);
        expect(failed.stdout).to.match(/INVALID proof/);
      } finally {
        await rm(proofFile, { force: true });
      }
    });

    it('exits 1 naming the first bad block when verify fails, and on unknown blocks', async () => {
      const original = await withStore(dir, async (store) => (await store.blockBytes(1)) as Buffer);
      await withStore(dir, (store) => store.db.put(blockKey(1), Buffer.from(original.toString('utf8').replace('"fn":"Put"', '"fn":"Pot"'))));
      try {
        const failed = await rejectionOf2(zfc(['ledger', 'verify', '--dir', dir]));
        expect(failed.code).to.equal(1);
        expect(failed.stdout).to.match(/first bad block: 1/);
      } finally {
        await withStore(dir, (store) => store.db.put(blockKey(1), original));
      }
      const missing = await rejectionOf2(zfc(['ledger', 'inspect', 'block', '999', '--dir', dir]));
      expect(missing.stderr).to.match(/BLOCK_NOT_FOUND/);
    });
  });
});

async function rejectionOf2(p: Promise<unknown>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: number; stdout: string; stderr: string };
  }
  throw new Error('expected the command to fail');
}

/** The repository root: the first folder up from here that holds package.json (works from dist/ and .build/). */
function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) d = join(d, '..');
  return d;
}
