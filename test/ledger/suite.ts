/**
 * The compliance suite of the Ledger port: every ledger implementation runs it with a factory
 * (as abstract-level's suite does). It checks, through the KV test contract, the semantics the
 * rest of the system relies on: state, composite keys, ranges and pagination, history, events
 * from checkpoints, MVCC and phantom conflicts, atomicity of failed transactions, identities,
 * typed errors. Keys are prefixed per test, so one ledger can serve the whole suite (a Fabric
 * network is not recreated per test). Optional behaviour is switched on by declared
 * capabilities, never skipped ad hoc.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZfcError } from '../../chaincode/errors';
import { createCertificateAuthority } from '../../ledger-tools/certificate-authority';
import type { Checkpoint, Identity, Ledger, LedgerEvent } from '../../ledger-tools/ledger';
import { LedgerStore } from '../../ledger-tools/store';

/** What a factory gives the suite. The ledger must run the KV test contract (test/ledger/kv-contract.ts). */
export interface LedgerFixture {
  readonly ledger: Ledger;
  /** An identity whose certificate carries the attribute role=tester. */
  readonly alice: Identity;
  /** Another identity, without a role attribute. */
  readonly bob: Identity;
  /** Closes the ledger and removes what the factory created. */
  cleanup(): Promise<void>;
}

/** Options of {@link ledgerComplianceSuite}. */
export interface LedgerSuiteOptions {
  readonly name: string;
  readonly factory: () => Promise<LedgerFixture>;
  /** Per-test timeout in ms (a real network is slower). Default 20 s. */
  readonly timeoutMs?: number;
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const json = <T>(bytes: Uint8Array): T => JSON.parse(text(bytes)) as T;

/** The suite's two callers, from two organisations' test CAs: alice (role=tester) and bob (no role). */
export async function suiteIdentities(): Promise<{ alice: Identity; bob: Identity }> {
  const org1 = await createCertificateAuthority('Org1MSP');
  const org2 = await createCertificateAuthority('Org2MSP');
  return {
    alice: await org1.issue({ commonName: 'alice', organizationalUnit: 'client', attributes: { role: 'tester' } }),
    bob: await org2.issue({ commonName: 'bob', organizationalUnit: 'client' }),
  };
}

/** A ledger opened by `open` in a fresh temporary folder, and how to close it and remove the folder. */
export async function tempLedger<L extends Ledger>(prefix: string, open: (dir: string) => Promise<L>): Promise<{ ledger: L; dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const ledger = await open(dir);
  return {
    ledger,
    dir,
    cleanup: async () => {
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` on the embedded ledger store in `dir` (opened for it, created unless `create` is false), and closes it. */
export async function withStore<T>(dir: string, fn: (store: LedgerStore) => Promise<T>, create = true): Promise<T> {
  const store = await LedgerStore.open(dir, { create });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The rejection of `promise`, which must be a ZfcError. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ZfcError> {
  try {
    await promise;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(ZfcError);
    return err as ZfcError;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/** Collects events (after a checkpoint) until `done` says so or `ms` pass. */
export async function collectEvents(ledger: Ledger, after: Checkpoint | undefined, done: (events: LedgerEvent[]) => boolean, ms = 15_000): Promise<LedgerEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const events: LedgerEvent[] = [];
  try {
    for await (const event of ledger.events(after ? { after, signal: controller.signal } : { signal: controller.signal })) {
      events.push(event);
      if (done(events)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

/** An event's writes with their values as text, to compare (undefined if it has none). */
export function shownWrites(event: LedgerEvent | undefined): Array<{ key: string; value: string | null }> | undefined {
  return event?.writes?.map((w) => ({ key: w.key, value: w.value === null ? null : text(w.value) }));
}

/** The checkpoint just before block `n`: events from block n on. */
function beforeBlock(n: number): Checkpoint | undefined {
  return n === 0 ? undefined : { blockNumber: n - 1, txIndex: Number.MAX_SAFE_INTEGER };
}

function isBefore(a: Checkpoint, b: Checkpoint): boolean {
  return a.blockNumber < b.blockNumber || (a.blockNumber === b.blockNumber && a.txIndex < b.txIndex);
}

/**
 * Registers the compliance suite for one ledger implementation.
 *
 * @example
 * ledgerComplianceSuite({ name: 'embedded', factory: async () => ({ ledger, alice, bob, cleanup }) });
 */
export function ledgerComplianceSuite(options: LedgerSuiteOptions): void {
  describe(`Ledger compliance: ${options.name}`, function () {
    this.timeout(options.timeoutMs ?? 20_000);
    let fx: LedgerFixture;
    let p: string;

    before(async function () {
      this.timeout(Math.max(options.timeoutMs ?? 20_000, 120_000));
      fx = await options.factory();
    });
    after(async () => {
      if (fx) await fx.cleanup();
    });
    beforeEach(() => {
      p = `t${randomBytes(5).toString('hex')}-`;
    });

    const put = (key: string, value: string) => fx.ledger.submit('Put', [key, value], fx.alice);
    const get = async (key: string) => text(await fx.ledger.evaluate('Get', [key], fx.alice));

    describe('state', () => {
      it('declares what it is and what it can do', () => {
        expect(['embedded', 'fabric']).to.include(fx.ledger.kind);
        expect(fx.ledger.capabilities.blocks).to.be.a('boolean');
      });

      it('commits a submit and reads it back; the result names the transaction and its block', async () => {
        const h0 = await fx.ledger.height();
        const result = await put(`${p}a`, 'apple');
        expect(text(result.payload)).to.equal('apple');
        expect(result.txId).to.match(/^[0-9a-f]{64}$/);
        expect(result.blockNumber).to.be.a('number').at.least(h0);
        expect(await fx.ledger.height()).to.be.greaterThan(result.blockNumber);
        expect(await get(`${p}a`)).to.equal('apple');
      });

      it('counts in its height the block of a submit it has just committed, whichever member submitted it', async () => {
        // on Fabric each member's submit is endorsed, and its commit awaited, on a peer of its own organisation
        for (let i = 0; i < 10; i++) {
          const result = await fx.ledger.submit('Put', [`${p}height${i}`, String(i)], i % 2 === 0 ? fx.alice : fx.bob);
          expect(await fx.ledger.height(), `after submit ${i}`).to.be.greaterThan(result.blockNumber);
        }
      });

      it('overwrites and deletes', async () => {
        await put(`${p}k`, 'one');
        await put(`${p}k`, 'two');
        expect(await get(`${p}k`)).to.equal('two');
        await fx.ledger.submit('Delete', [`${p}k`], fx.alice);
        const err = await rejectionOf(get(`${p}k`));
        expect(err.code).to.equal('NOT_FOUND');
        expect(err.details).to.deep.equal({ key: `${p}k` });
      });

      it('keeps unicode keys and values intact', async () => {
        const key = `${p}果蔬-\u{1F34E}`;
        const value = 'Zhe 浙食链 ✓ \u{1F34E} "quoted" \\ back';
        await put(key, value);
        expect(await get(key)).to.equal(value);
      });

      it('evaluate commits nothing', async () => {
        const payload = await fx.ledger.evaluate('Put', [`${p}e`, 'x'], fx.alice);
        expect(text(payload)).to.equal('x');
        expect((await rejectionOf(get(`${p}e`))).code).to.equal('NOT_FOUND');
      });

      it('hands the chaincode the transaction ID the caller gets', async () => {
        const result = await fx.ledger.submit('TxInfo', [], fx.alice);
        const info = json<{ txId: string; date: string; seconds: number; nanos: number }>(result.payload);
        expect(info.txId).to.equal(result.txId);
        expect(Math.floor(Date.parse(info.date) / 1000)).to.equal(info.seconds);
      });

      it('passes transient data to the chaincode', async () => {
        const payload = await fx.ledger.evaluate('GetTransient', ['secret'], fx.alice, { transient: { secret: Buffer.from('s3cr3t') } });
        expect(text(payload)).to.equal('s3cr3t');
      });
    });

    describe('composite keys and ranges', () => {
      it('finds composite keys by partial key, in order, split back into attributes', async () => {
        const type = `${p}lot`;
        await fx.ledger.submit('PutComposite', [type, '["g2","B"]', 'v3'], fx.alice);
        await fx.ledger.submit('PutComposite', [type, '["g1","B"]', 'v2'], fx.alice);
        await fx.ledger.submit('PutComposite', [type, '["g1","A"]', 'v1'], fx.alice);
        const g1 = json<{ objectType: string; attributes: string[]; value: string }[]>(await fx.ledger.evaluate('QueryComposite', [type, '["g1"]'], fx.alice));
        expect(g1).to.deep.equal([
          { objectType: type, attributes: ['g1', 'A'], value: 'v1' },
          { objectType: type, attributes: ['g1', 'B'], value: 'v2' },
        ]);
        const all = json<unknown[]>(await fx.ledger.evaluate('QueryComposite', [type, '[]'], fx.alice));
        expect(all).to.have.length(3);
      });

      it('keeps composite keys out of simple-key ranges', async () => {
        await fx.ledger.submit('PutMany', [JSON.stringify(['a', 'b', 'c', 'd'].map((k) => ({ key: `${p}${k}`, value: k })))], fx.alice);
        await fx.ledger.submit('PutComposite', [`${p}b`, '["x"]', 'composite'], fx.alice);
        const range = json<{ key: string; value: string }[]>(await fx.ledger.evaluate('Range', [`${p}b`, `${p}d`], fx.alice));
        expect(range).to.deep.equal([
          { key: `${p}b`, value: 'b' },
          { key: `${p}c`, value: 'c' },
        ]);
      });

      it('pages through a range with bookmarks', async () => {
        const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => `${p}${k}`);
        await fx.ledger.submit('PutMany', [JSON.stringify(keys.map((key) => ({ key, value: key })))], fx.alice);
        const seen: string[] = [];
        let bookmark = '';
        for (let page = 0; page < 5; page++) {
          const r = json<{ records: { key: string }[]; bookmark: string; fetched: number }>(
            await fx.ledger.evaluate('RangePage', [`${p}a`, `${p}z`, '2', bookmark], fx.alice),
          );
          expect(r.fetched).to.equal(r.records.length);
          seen.push(...r.records.map((x) => x.key));
          bookmark = r.bookmark;
          if (!bookmark) break;
        }
        expect(seen).to.deep.equal(keys);
      });

      it('pages through composite keys with bookmarks', async () => {
        const type = `${p}item`;
        for (const serial of ['1', '2', '3']) await fx.ledger.submit('PutComposite', [type, JSON.stringify(['lot', serial]), serial], fx.alice);
        const first = json<{ records: string[][]; bookmark: string }>(await fx.ledger.evaluate('QueryCompositePage', [type, '["lot"]', '2', ''], fx.alice));
        expect(first.records).to.deep.equal([
          ['lot', '1'],
          ['lot', '2'],
        ]);
        expect(first.bookmark).to.not.equal('');
        const second = json<{ records: string[][]; bookmark: string }>(await fx.ledger.evaluate('QueryCompositePage', [type, '["lot"]', '2', first.bookmark], fx.alice));
        expect(second.records).to.deep.equal([['lot', '3']]);
      });

      it('refuses writes after a paginated query, as Fabric does', async () => {
        const err = await rejectionOf(fx.ledger.submit('PageThenPut', [`${p}w`, 'v'], fx.alice));
        expect(err.code).to.equal('ENDORSEMENT_FAILED');
        expect(err.message).to.match(/paginated/i);
        expect((await rejectionOf(get(`${p}w`))).code).to.equal('NOT_FOUND');
      });
    });

    describe('history', () => {
      it('lists every committed change of a key, newest first, deletes included', async () => {
        const r1 = await put(`${p}h`, 'v1');
        const r2 = await put(`${p}h`, 'v2');
        const r3 = await fx.ledger.submit('Delete', [`${p}h`], fx.alice);
        const history = json<{ txId: string; value: string; isDelete: boolean }[]>(await fx.ledger.evaluate('History', [`${p}h`], fx.alice));
        expect(history.map((h) => h.txId)).to.deep.equal([r3.txId, r2.txId, r1.txId]);
        expect(history.map((h) => h.isDelete)).to.deep.equal([true, false, false]);
        expect(history[1]?.value).to.equal('v2');
      });
    });

    describe('events', () => {
      it('delivers committed events in order, from a checkpoint, and keeps following', async () => {
        const a = await put(`${p}a`, '1');
        const b = await put(`${p}b`, '2');
        const mine = (events: LedgerEvent[]) => events.filter((e) => e.eventName === 'kv.put' && text(e.payload).includes(p));
        const fromA = mine(await collectEvents(fx.ledger, beforeBlock(a.blockNumber), (evs) => mine(evs).length >= 2));
        expect(fromA.map((e) => e.txId)).to.deep.equal([a.txId, b.txId]);
        const [ea, eb] = fromA as [LedgerEvent, LedgerEvent];
        expect(json(ea.payload)).to.deep.equal({ key: `${p}a`, value: '1' });
        expect(ea.blockNumber).to.equal(a.blockNumber);
        expect(isBefore(ea, eb)).to.equal(true);
        expect(Number.isNaN(Date.parse(ea.timestamp))).to.equal(false);

        // strictly after A's checkpoint: A is not delivered again; C, submitted while following, is
        const following = collectEvents(fx.ledger, { blockNumber: ea.blockNumber, txIndex: ea.txIndex }, (evs) => mine(evs).length >= 2);
        const c = await put(`${p}c`, '3');
        expect(mine(await following).map((e) => e.txId)).to.deep.equal([b.txId, c.txId]);
      });

      it('ends the iteration when aborted while the follower holds the newest event, with no new block to wake it', async () => {
        const last = await put(`${p}z`, 'last');
        const abort = new AbortController();
        let held: LedgerEvent | undefined;
        const after = beforeBlock(last.blockNumber);
        for await (const e of fx.ledger.events({ ...(after ? { after } : {}), signal: abort.signal })) {
          if (e.txId !== last.txId) continue;
          held = e;
          abort.abort(); // the iteration must now end by itself (a hang here is this test's timeout)
        }
        expect(held?.txId).to.equal(last.txId);
      });

      it("hands each event its transaction's writes, in write-set order (by key), a delete as null", async () => {
        await put(`${p}w0`, 'gone soon');
        const entries = [{ key: `${p}w/b`, value: 'two' }, { key: `${p}w0`, value: null }, { key: `${p}w/a`, value: 'один' }];
        const r = await fx.ledger.submit('Write', [JSON.stringify(entries)], fx.alice);
        const events = await collectEvents(fx.ledger, beforeBlock(r.blockNumber), (evs) => evs.some((e) => e.txId === r.txId));
        const event = events.find((e) => e.txId === r.txId);
        expect(event?.eventName).to.equal('kv.write');
        expect(shownWrites(event)).to.deep.equal([
          { key: `${p}w/a`, value: 'один' },
          { key: `${p}w/b`, value: 'two' },
          { key: `${p}w0`, value: null },
        ]);
        const single = await put(`${p}w1`, 'one');
        const later = await collectEvents(fx.ledger, beforeBlock(single.blockNumber), (evs) => evs.some((e) => e.txId === single.txId));
        expect(shownWrites(later.find((e) => e.txId === single.txId))).to.deep.equal([{ key: `${p}w1`, value: 'one' }]);
      });

      it('emits no event for a failed transaction', async () => {
        await rejectionOf(fx.ledger.submit('PutThenFail', [`${p}f`, 'x'], fx.alice));
        const marker = await put(`${p}m`, 'marker');
        const events = await collectEvents(fx.ledger, beforeBlock(Math.max(0, marker.blockNumber - 1)), (evs) => evs.some((e) => e.txId === marker.txId));
        expect(events.some((e) => text(e.payload).includes(`${p}f`))).to.equal(false);
      });
    });

    describe('concurrency', () => {
      it('never loses an update: concurrent read-modify-writes conflict (MVCC_READ_CONFLICT) instead', async () => {
        const n = 5;
        const outcomes = await Promise.allSettled(Array.from({ length: n }, () => fx.ledger.submit('Increment', [`${p}n`], fx.alice)));
        const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
        for (const o of outcomes) {
          if (o.status === 'rejected') {
            expect(o.reason).to.be.instanceOf(ZfcError);
            expect((o.reason as ZfcError).code).to.equal('MVCC_READ_CONFLICT');
            expect((o.reason as ZfcError).txId).to.match(/^[0-9a-f]{64}$/);
          }
        }
        expect(ok).to.be.at.least(1);
        expect(await get(`${p}n`)).to.equal(String(ok));
      });

      it('detects phantoms: a range read that an earlier transaction in the order changed is invalid', async () => {
        await fx.ledger.submit('PutMany', [JSON.stringify([{ key: `${p}r/1`, value: '1' }, { key: `${p}r/2`, value: '2' }])], fx.alice);
        const insert = put(`${p}r/3`, '3');
        const count = fx.ledger.submit('CountRange', [`${p}r/`, `${p}r0`, `${p}count`], fx.alice);
        const [ins, cnt] = await Promise.allSettled([insert, count]);
        expect(ins.status).to.equal('fulfilled');
        const inserted = (ins as PromiseFulfilledResult<{ txId: string; blockNumber: number }>).value;
        if (cnt.status === 'rejected') {
          expect((cnt.reason as ZfcError).code).to.equal('PHANTOM_READ_CONFLICT');
          return;
        }
        // valid: its count must match its place in the order relative to the insert
        const counted = cnt.value;
        const first = Math.min(inserted.blockNumber, counted.blockNumber);
        const events = await collectEvents(fx.ledger, beforeBlock(first), (evs) => [inserted.txId, counted.txId].every((id) => evs.some((e) => e.txId === id)));
        const ei = events.find((e) => e.txId === inserted.txId) as LedgerEvent;
        const ec = events.find((e) => e.txId === counted.txId) as LedgerEvent;
        expect(text(counted.payload)).to.equal(isBefore(ei, ec) ? '3' : '2');
      });
    });

    describe('failures', () => {
      it('a failed transaction changes nothing and keeps its typed error and details', async () => {
        const err = await rejectionOf(fx.ledger.submit('PutThenFail', [`${p}x`, 'v'], fx.alice));
        expect(err.code).to.equal('CONFLICT');
        expect(err.details).to.deep.equal({ key: `${p}x` });
        expect((await rejectionOf(get(`${p}x`))).code).to.equal('NOT_FOUND');
      });

      it('a plain chaincode error is ENDORSEMENT_FAILED with its message', async () => {
        const err = await rejectionOf(fx.ledger.submit('FailPlain', ['the scale is broken'], fx.alice));
        expect(err.code).to.equal('ENDORSEMENT_FAILED');
        expect(err.message).to.include('the scale is broken');
      });

      it('an unknown transaction is UNKNOWN_TRANSACTION', async () => {
        expect((await rejectionOf(fx.ledger.submit('NoSuchFunction', [], fx.alice))).code).to.equal('UNKNOWN_TRANSACTION');
        expect((await rejectionOf(fx.ledger.evaluate('NoSuchContract:Fn', [], fx.alice))).code).to.equal('UNKNOWN_TRANSACTION');
      });

      it("runs the contract's before hook: it can refuse a transaction", async () => {
        const err = await rejectionOf(put('blocked-1', 'v'));
        expect(err.code).to.equal('FORBIDDEN');
        expect(err.details).to.deep.equal({ key: 'blocked-1' });
      });

      it("runs the contract's after hook: its failure undoes the transaction", async () => {
        const err = await rejectionOf(put(`${p}v`, 'veto-by-after-hook'));
        expect(err.code).to.equal('FORBIDDEN');
        expect((await rejectionOf(get(`${p}v`))).code).to.equal('NOT_FOUND');
      });

      it('refuses malformed calls with INVALID_ARGUMENT', async () => {
        expect((await rejectionOf(fx.ledger.submit('', [], fx.alice))).code).to.equal('INVALID_ARGUMENT');
        expect((await rejectionOf(fx.ledger.submit('Put', [`${p}a`, 42 as unknown as string], fx.alice))).code).to.equal('INVALID_ARGUMENT');
        expect((await rejectionOf(fx.ledger.evaluate('Get', 'nope' as unknown as string[], fx.alice))).code).to.equal('INVALID_ARGUMENT');
      });
    });

    describe('identities', () => {
      it('shows the caller to the chaincode through ctx.clientIdentity, attributes included', async () => {
        const a = json<{ mspId: string; id: string; role: string | null; creatorMspId: string; idBytesArePem: boolean }>(await fx.ledger.evaluate('WhoAmI', [], fx.alice));
        expect(a.mspId).to.equal(fx.alice.mspId);
        expect(a.creatorMspId).to.equal(fx.alice.mspId);
        expect(a.id).to.match(/^x509::\/.*CN=.+::\/.*CN=.+$/);
        expect(a.role).to.equal('tester');
        expect(a.idBytesArePem).to.equal(true);
        const b = json<{ mspId: string; id: string; role: string | null }>(await fx.ledger.evaluate('WhoAmI', [], fx.bob));
        expect(b.mspId).to.equal(fx.bob.mspId);
        expect(b.role).to.equal(null);
        expect(b.id).to.not.equal(a.id);
      });
    });
  });
}
