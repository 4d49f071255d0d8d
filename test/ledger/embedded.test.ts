/**
 * The embedded ledger: the compliance suite, then what only the embedded ledger promises —
 * block cutting, validation codes recorded in blocks, the hash chain, persistence across
 * reopen, closing, identities from the test CA, and Fabric's key encoding.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from '@peculiar/x509';
import { canonicalJson } from '../../chaincode/canonical-json';
import {
  CertificateAuthority,
  createCertificateAuthority,
  createCompositeKey,
  openEmbeddedLedger,
  splitCompositeKey,
  blockEvents,
  blockHash,
  merkleRoot,
  transactionHash,
  type EmbeddedLedger,
  type EmbeddedLedgerOptions,
  type Identity,
} from '../../ledger-tools';
import { compareKeys } from '../../ledger-tools/state-key';
import { transactionJson } from '../../ledger-tools/transaction-json';
import { contracts } from './kv-contract';
import { collectEvents, ledgerComplianceSuite, rejectionOf, shownWrites, suiteIdentities, tempLedger } from './suite';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** A fresh embedded ledger in a temporary folder. */
function freshLedger(options: Partial<EmbeddedLedgerOptions> = {}): Promise<{ ledger: EmbeddedLedger; dir: string; cleanup(): Promise<void> }> {
  return tempLedger('zfc-ledger-', (dir) => openEmbeddedLedger({ dir, contracts, ...options }));
}

ledgerComplianceSuite({
  name: 'embedded',
  factory: async () => {
    const { ledger, cleanup } = await freshLedger();
    return { ledger, ...(await suiteIdentities()), cleanup };
  },
});

describe('Embedded ledger', function () {
  this.timeout(30_000);
  let ids: { alice: Identity; bob: Identity };
  before(async () => {
    ids = await suiteIdentities();
  });

  describe('blocks', () => {
    it('cuts a block as soon as BatchSize transactions wait', async () => {
      const { ledger, cleanup } = await freshLedger({ batchSize: 3, batchTimeoutMs: 60_000 });
      try {
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => ledger.submit('Put', [`k${i}`, 'v'], ids.alice)));
        expect(results.map((r) => r.blockNumber).sort()).to.deep.equal([0, 0, 0, 1, 1, 1]);
        expect((await ledger.block(0)).header.txCount).to.equal(3);
        expect((await ledger.block(1)).header.txCount).to.equal(3);
      } finally {
        await cleanup();
      }
    });

    it('cuts a smaller block when BatchTimeout passes', async () => {
      const { ledger, cleanup } = await freshLedger({ batchSize: 100, batchTimeoutMs: 30 });
      try {
        const r = await ledger.submit('Put', ['k', 'v'], ids.alice);
        expect(r.blockNumber).to.equal(0);
        expect((await ledger.block(0)).header.txCount).to.equal(1);
      } finally {
        await cleanup();
      }
    });

    it('chains blocks by hash and seals each with the Merkle root of its transaction hashes', async () => {
      const { ledger, cleanup } = await freshLedger();
      try {
        for (let i = 0; i < 3; i++) await ledger.submit('Put', [`k${i}`, `v${i}`], ids.alice);
        let previous = '0'.repeat(64);
        for (let n = 0; n < 3; n++) {
          const block = await ledger.block(n);
          expect(block.header.number).to.equal(n);
          expect(block.header.previousHash).to.equal(previous);
          expect(block.hash).to.equal(blockHash(block.header));
          expect(block.header.merkleRoot).to.equal(merkleRoot(block.transactions.map(transactionHash)));
          const tx = block.transactions[0];
          expect(tx?.creator.mspId).to.equal('Org1MSP');
          expect(block.certificates[tx?.creator.certificateHash ?? '']).to.equal(ids.alice.certificate);
          expect(tx?.args).to.deep.equal([`k${n}`, `v${n}`]);
          expect(tx?.rwset.writes).to.deep.equal([{ key: `k${n}`, isDelete: false, value: Buffer.from(`v${n}`).toString('base64') }]);
          previous = block.hash;
        }
        expect((await rejectionOf(ledger.block(3))).code).to.equal('BLOCK_NOT_FOUND');
      } finally {
        await cleanup();
      }
    });

    it('records an MVCC-invalid transaction in its block, marked, without its writes', async () => {
      const { ledger, cleanup } = await freshLedger();
      try {
        const [first, second] = await Promise.allSettled([ledger.submit('Increment', ['c'], ids.alice), ledger.submit('Increment', ['c'], ids.alice)]);
        expect(first.status).to.equal('fulfilled');
        expect(second.status).to.equal('rejected');
        const err = (second as PromiseRejectedResult).reason as { code: string; txId: string; details: { blockNumber: number; txIndex: number } };
        expect(err.code).to.equal('MVCC_READ_CONFLICT');
        const block = await ledger.block(err.details.blockNumber);
        expect(block.transactions[err.details.txIndex]?.validationCode).to.equal('MVCC_READ_CONFLICT');
        expect(block.transactions[err.details.txIndex]?.txId).to.equal(err.txId);
        expect(text(await ledger.evaluate('Get', ['c'], ids.alice))).to.equal('1');
        const history = JSON.parse(text(await ledger.evaluate('History', ['c'], ids.alice))) as unknown[];
        expect(history).to.have.length(1);
      } finally {
        await cleanup();
      }
    });

    it('validates each block against the writes of earlier blocks still being written (no lost update)', async () => {
      // one transaction per block: block N+1 is validated while block N is being synced
      const { ledger, cleanup } = await freshLedger({ batchSize: 1 });
      try {
        const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => ledger.submit('Increment', ['c'], ids.alice)));
        const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
        expect(ok).to.be.at.least(1).and.below(12);
        for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as { code: string }).code).to.equal('MVCC_READ_CONFLICT');
        expect(text(await ledger.evaluate('Get', ['c'], ids.alice))).to.equal(String(ok));
        expect(await ledger.height()).to.equal(12);
      } finally {
        await cleanup();
      }
    });

    it('marks a range read changed by an earlier transaction of the same block as PHANTOM_READ_CONFLICT', async () => {
      // a long timeout: each block below is cut by count (2), so the insert and the count share one
      const { ledger, cleanup } = await freshLedger({ batchSize: 2, batchTimeoutMs: 60_000 });
      try {
        await Promise.all([ledger.submit('Put', ['r/1', '1'], ids.alice), ledger.submit('Put', ['x', 'x'], ids.alice)]);
        const insert = ledger.submit('Put', ['r/2', '2'], ids.alice);
        const count = ledger.submit('CountRange', ['r/', 'r0', 'count'], ids.alice);
        await insert;
        expect((await rejectionOf(count)).code).to.equal('PHANTOM_READ_CONFLICT');
        expect((await rejectionOf(ledger.evaluate('Get', ['count'], ids.alice))).code).to.equal('NOT_FOUND');
      } finally {
        await cleanup();
      }
    });

    it('stamps transactions with the injected clock', async () => {
      const clock = () => new Date('2026-01-02T03:04:05.678Z');
      const { ledger, cleanup } = await freshLedger({ clock });
      try {
        const r = await ledger.submit('TxInfo', [], ids.alice);
        expect(JSON.parse(text(r.payload))).to.include({ date: '2026-01-02T03:04:05.678Z', seconds: 1767323045, nanos: 678_000_000 });
        expect((await ledger.block(0)).transactions[0]?.timestamp).to.equal('2026-01-02T03:04:05.678Z');
      } finally {
        await cleanup();
      }
    });
  });

  describe('persistence and closing', () => {
    it('reopens with the same blocks, state and history, and goes on chaining', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'zfc-ledger-'));
      try {
        const first = await openEmbeddedLedger({ dir, contracts });
        await first.submit('Put', ['a', '1'], ids.alice);
        const lastHash = (await first.block(0)).hash;
        await first.close();
        const second = await openEmbeddedLedger({ dir, contracts });
        expect(await second.height()).to.equal(1);
        expect(text(await second.evaluate('Get', ['a'], ids.alice))).to.equal('1');
        const r = await second.submit('Put', ['a', '2'], ids.alice);
        expect(r.blockNumber).to.equal(1);
        expect((await second.block(1)).header.previousHash).to.equal(lastHash);
        await second.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("hands followers each event's writes at the head and read back from disk after a reopen, the same", async () => {
      const dir = await mkdtemp(join(tmpdir(), 'zfc-ledger-'));
      try {
        const first = await openEmbeddedLedger({ dir, contracts });
        await first.submit('Put', ['gone', 'soon'], ids.alice);
        const entries = [{ key: 'w/b', value: 'two' }, { key: 'gone', value: null }, { key: 'w/a', value: 'ένα' }];
        const expected = [{ key: 'gone', value: null }, { key: 'w/a', value: 'ένα' }, { key: 'w/b', value: 'two' }];
        const following = collectEvents(first, undefined, (evs) => evs.some((e) => e.eventName === 'kv.write'));
        const r = await first.submit('Write', [JSON.stringify(entries)], ids.alice);
        const atHead = (await following).find((e) => e.txId === r.txId);
        expect(shownWrites(atHead)).to.deep.equal(expected);
        expect(Buffer.isBuffer(atHead?.writes?.[1]?.value)).to.equal(true);
        await first.close();
        const second = await openEmbeddedLedger({ dir, contracts });
        try {
          const fromDisk = (await collectEvents(second, undefined, (evs) => evs.some((e) => e.txId === r.txId))).find((e) => e.txId === r.txId);
          expect(shownWrites(fromDisk)).to.deep.equal(expected);
          expect(blockEvents(await second.block(r.blockNumber)).map(shownWrites)).to.deep.equal([expected]);
        } finally {
          await second.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('commits what was submitted before close, then refuses calls with LEDGER_CLOSED and ends event streams', async () => {
      const { ledger, cleanup } = await freshLedger({ batchTimeoutMs: 200 });
      const pending = ledger.submit('Put', ['a', '1'], ids.alice);
      const stream = collectEvents(ledger, undefined, () => false, 10_000);
      await new Promise((r) => setTimeout(r, 20));
      await ledger.close();
      expect((await pending).blockNumber).to.equal(0);
      expect(await stream).to.be.an('array'); // ended without an error (a consumer resumes from its checkpoint)
      expect((await rejectionOf(ledger.submit('Put', ['b', '1'], ids.alice))).code).to.equal('LEDGER_CLOSED');
      expect((await rejectionOf(ledger.evaluate('Get', ['a'], ids.alice))).code).to.equal('LEDGER_CLOSED');
      await cleanup();
    });

    it('stops taking blocks after a failed write: its callers and later ones get LEDGER_UNAVAILABLE', async () => {
      const { ledger, cleanup } = await freshLedger();
      try {
        await ledger.submit('Put', ['a', '1'], ids.alice);
        await ledger.store.db.close(); // the disk goes away under the ledger
        const first = await rejectionOf(ledger.submit('Put', ['b', '1'], ids.alice));
        expect(first.code).to.equal('LEDGER_UNAVAILABLE');
        expect(first.txId).to.match(/^[0-9a-f]{64}$/);
        expect((await rejectionOf(ledger.submit('Put', ['c', '1'], ids.alice))).code).to.equal('LEDGER_UNAVAILABLE');
        expect(await ledger.height()).to.equal(1);
      } finally {
        await cleanup();
      }
    });

    it('refuses an identity without a parseable certificate (UNAUTHENTICATED), before the chaincode runs', async () => {
      const { ledger, cleanup } = await freshLedger();
      try {
        const bad = { mspId: 'Org1MSP', certificate: '-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n' };
        expect((await rejectionOf(ledger.submit('Put', ['a', '1'], bad))).code).to.equal('UNAUTHENTICATED');
        expect((await rejectionOf(ledger.submit('Put', ['a', '1'], { mspId: '', certificate: ids.alice.certificate }))).code).to.equal('UNAUTHENTICATED');
        expect(await ledger.height()).to.equal(0);
      } finally {
        await cleanup();
      }
    });
  });

  describe('hostile input', () => {
    it('refuses an empty key, missing arguments, junk JSON and wrong types, and changes nothing', async () => {
      const { ledger, cleanup } = await freshLedger();
      try {
        expect((await rejectionOf(ledger.submit('Put', ['', 'v'], ids.alice))).code).to.equal('ENDORSEMENT_FAILED');
        expect((await rejectionOf(ledger.submit('Put', ['k'], ids.alice))).code).to.equal('ENDORSEMENT_FAILED');
        expect((await rejectionOf(ledger.submit('PutMany', ['{not json'], ids.alice))).code).to.equal('ENDORSEMENT_FAILED');
        expect((await rejectionOf(ledger.submit('Put', ['k', 'v'], null as unknown as Identity))).code).to.equal('UNAUTHENTICATED');
        expect((await rejectionOf(ledger.submit(42 as unknown as string, [], ids.alice))).code).to.equal('INVALID_ARGUMENT');
        expect((await rejectionOf(ledger.submit('Put', null as unknown as string[], ids.alice))).code).to.equal('INVALID_ARGUMENT');
        expect(await ledger.height()).to.equal(0);
        for (const after of [{ blockNumber: Number.NaN, txIndex: 0 }, { blockNumber: -1, txIndex: 0 }, { blockNumber: 0 }, 'block 3']) {
          const err = await rejectionOf(collectEvents(ledger, after as never, () => true, 1000));
          expect(err.code, JSON.stringify(after)).to.equal('INVALID_ARGUMENT');
        }
      } finally {
        await cleanup();
      }
    });
  });

  describe('certificate authority', () => {
    it('issues P-256 certificates signed by the CA, and survives a save and load as PEM', async () => {
      const ca = await createCertificateAuthority('Org3MSP');
      const saved = await ca.toPem();
      const loaded = await CertificateAuthority.fromPem(saved);
      const id = await loaded.issue({ commonName: 'carol', organizationalUnit: 'admin', attributes: { role: 'regulator' } });
      const cert = new X509Certificate(id.certificate);
      const caCert = new X509Certificate(ca.certificate);
      expect(cert.issuer).to.equal(caCert.subject);
      expect(await cert.verify({ publicKey: caCert.publicKey, signatureOnly: true })).to.equal(true);
      expect(cert.subject).to.include('CN=carol').and.include('OU=admin');
      expect(id.privateKey).to.match(/^-----BEGIN PRIVATE KEY-----/);
      expect(id.mspId).to.equal('Org3MSP');
    });
  });

  describe('Fabric encodings', () => {
    it('builds and splits composite keys exactly as fabric-shim does', () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ShimStub = require('fabric-shim/lib/stub') as { prototype: { createCompositeKey(t: string, a: string[]): string; splitCompositeKey(k: string): unknown } };
      const cases: [string, string[]][] = [['lot', ['09506000134352', 'ABC1']], ['x', []], ['类型', ['属性', '\u{1F34E}']]];
      for (const [type, attrs] of cases) {
        const key = createCompositeKey(type, attrs);
        expect(key).to.equal(ShimStub.prototype.createCompositeKey(type, attrs));
        expect(splitCompositeKey(key)).to.deep.equal(ShimStub.prototype.splitCompositeKey(key));
      }
      expect(createCompositeKey('lot', ['g', 'l'])).to.equal('\u0000lot\u0000g\u0000l\u0000');
    });

    it('orders keys by code point, as their UTF-8 bytes sort in LevelDB', () => {
      const keys = ['a', 'b', '\u00ff', '\uffff', '\u{10000}', '\u{10ffff}', '\ue000', 'ab', '', '\u0000', '\ud7ff'];
      const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect([...keys].sort(compareKeys)).to.deep.equal(byBytes);
    });

    it('writes transaction JSON byte for byte as canonicalJson does', async () => {
      const { ledger, cleanup } = await freshLedger({ batchSize: 10, batchTimeoutMs: 20 });
      try {
        await ledger.submit('PutMany', [JSON.stringify([{ key: 'r/1', value: 'é"\\' }, { key: 'r/2', value: '2' }])], ids.alice);
        await Promise.allSettled([
          ledger.submit('CountRange', ['r/', 'r0', 'c'], ids.alice),
          ledger.submit('Delete', ['r/1'], ids.alice),
          ledger.submit('Increment', ['n'], ids.alice),
          ledger.submit('Increment', ['n'], ids.alice),
        ]);
        for (let n = 0; n < (await ledger.height()); n++) {
          for (const tx of (await ledger.block(n)).transactions) expect(transactionJson(tx)).to.equal(canonicalJson(tx));
        }
      } finally {
        await cleanup();
      }
    });
  });
});
