/**
 * The embedded ledger's filter of state keys: it may say "maybe" of an absent key but never "no"
 * of a stored one — on generated keys of every kind, and through the ledger, where every read
 * (present, deleted, never written; before and after a reopen) answers as a plain model of the
 * state says, while reads of keys never written mostly stop reaching LevelDB.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, openEmbeddedLedger, type EmbeddedLedger, type Identity } from '../../ledger-tools';
import { KeyFilter } from '../../ledger-tools/key-filter';
import { pick, seededRandom } from '../seeded-random';
import { contracts } from './kv-contract';

const ALPHABET = ['a', 'b', 'Z', '0', '9', '|', '~', '\u0000', '\u00ff', 'é', '中', '\ud83c\udf75', '\ud800', ' ', '.', '/'];

function keyOf(rnd: () => number): string {
  let k = '';
  const n = Math.floor(rnd() * 40);
  for (let i = 0; i < n; i++) k += pick(rnd, ALPHABET);
  return k;
}

describe('Key filter', () => {
  it('never rules out a key it was given, whatever the key, across its growth stages', () => {
    const rnd = seededRandom(7);
    const filter = new KeyFilter();
    const keys = new Set<string>(['', 'epcis.e|' + 'f'.repeat(64)]);
    while (keys.size < 300_000) keys.add(keyOf(rnd) + String(keys.size));
    const bytesBefore = filter.size.bytes;
    for (const k of keys) filter.add(k);
    filter.markLoaded();
    for (const k of keys) if (!filter.mayContain(k)) expect.fail(`ruled out a key it was given: ${JSON.stringify(k)}`);
    expect(filter.size.keys).to.equal(keys.size);
    expect(filter.size.bytes).to.be.greaterThan(bytesBefore * 4); // it grew past its first stage
  });

  it('rules out most keys it was never given, once loaded, and none before', () => {
    const filter = new KeyFilter();
    for (let i = 0; i < 50_000; i++) filter.add(`epcis.e|present-${i}`);
    const absent = Array.from({ length: 50_000 }, (_, i) => `epcis.e|absent-${i}`);
    expect(absent.every((k) => filter.mayContain(k)), 'before the stored keys are all in, every key may exist').to.equal(true);
    filter.markLoaded();
    const maybes = absent.filter((k) => filter.mayContain(k)).length;
    expect(maybes / absent.length).to.be.lessThan(0.03);
  });
});

describe('Embedded ledger with its key filter', function () {
  this.timeout(60_000);
  let alice: Identity;
  let dir = '';
  before(async () => {
    alice = await (await createCertificateAuthority('Org1MSP')).issue({ commonName: 'alice', organizationalUnit: 'client' });
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zfc-keyfilter-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Reads every key through the contract and compares with the model (undefined: absent). */
  async function checkReads(ledger: EmbeddedLedger, model: Map<string, string | undefined>): Promise<void> {
    await Promise.all(
      [...model].map(async ([key, value]) => {
        const read = await ledger.evaluate('Get', [key], alice).then(
          (bytes) => Buffer.from(bytes).toString('utf8'),
          (err: { code?: string }) => {
            if (err.code !== 'NOT_FOUND') throw err;
            return undefined;
          },
        );
        expect(read, `key ${JSON.stringify(key)}`).to.equal(value);
      }),
    );
  }

  it('answers every read as the state holds it (present, deleted, never written), before and after a reopen', async () => {
    const rnd = seededRandom(11);
    const model = new Map<string, string | undefined>();
    let ledger = await openEmbeddedLedger({ dir, contracts });
    try {
      await ledger.store.keysLoaded();
      for (let round = 0; round < 4; round++) {
        // writable keys: no separator, no lone surrogate (both refused on write, as on Fabric)
        const puts = Array.from({ length: 60 }, (_, i) => [`${keyOf(rnd)}#${round}-${i}`, `v${round}-${i}`] as const).filter(([k]) => !k.includes('\u0000') && !/\ud800(?![\udc00-\udfff])/.test(k));
        await Promise.all(puts.map(([k, v]) => ledger.submit('Put', [k, v], alice)));
        for (const [k, v] of puts) model.set(k, v);
        const present = [...model].filter(([, v]) => v !== undefined).map(([k]) => k);
        const gone = present.filter(() => rnd() < 0.2);
        for (const k of gone) {
          await ledger.submit('Delete', [k], alice);
          model.set(k, undefined);
        }
        for (let i = 0; i < 40; i++) model.set(`never-${round}-${i}-${keyOf(rnd)}`.split('\u0000').join(''), undefined);
        await checkReads(ledger, model);
      }
      await ledger.close();
      ledger = await openEmbeddedLedger({ dir, contracts });
      await checkReads(ledger, model); // possibly while the filter still loads: every read goes to LevelDB then
      await ledger.store.keysLoaded();
      expect(ledger.store.keyFilterState().loaded).to.equal(true);
      await checkReads(ledger, model);
    } finally {
      await ledger.close();
    }
  });

  it('reads a lone surrogate as LevelDB and Fabric do, as U+FFFD: the key filter never rules it out', async () => {
    const ledger = await openEmbeddedLedger({ dir, contracts });
    try {
      await ledger.store.keysLoaded();
      await ledger.submit('Put', ['tea\ufffd', 'v'], alice);
      expect(Buffer.from(await ledger.evaluate('Get', ['tea\ud800'], alice)).toString('utf8')).to.equal('v');
    } finally {
      await ledger.close();
    }
  });

  it('stops asking LevelDB about most keys that were never written, and keeps asking about those that were', async () => {
    const ledger = await openEmbeddedLedger({ dir, contracts });
    try {
      await ledger.store.keysLoaded();
      await Promise.all(Array.from({ length: 50 }, (_, i) => ledger.submit('Put', [`stored-${i}`, 'v'], alice)));
      const asked: string[] = [];
      const db = ledger.store.db;
      const getMany = db.getMany.bind(db);
      db.getMany = ((keys: string[], ...rest: unknown[]) => {
        asked.push(...keys);
        return (getMany as (...a: unknown[]) => unknown)(keys, ...rest);
      }) as typeof db.getMany;
      await Promise.all(Array.from({ length: 500 }, (_, i) => ledger.evaluate('Get', [`absent-${i}`], alice).catch(() => undefined)));
      expect(asked.filter((k) => k.includes('absent-')).length, 'absent keys asked of LevelDB').to.be.lessThan(25);
      await Promise.all(Array.from({ length: 50 }, (_, i) => ledger.evaluate('Get', [`stored-${i}`], alice)));
      expect(asked.filter((k) => k.includes('stored-')).length, 'stored keys asked of LevelDB').to.equal(50);
    } finally {
      await ledger.close();
    }
  });
});
