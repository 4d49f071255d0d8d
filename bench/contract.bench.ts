/**
 * The contract on the embedded ledger, beside a baseline measured in the same run: the least
 * a transaction can do (put one key and emit one event, test/fabric/put-contract.ts) on an
 * identical ledger. Reports transactions per second of the contract's single-scan writes and
 * of a typical custody write (Ship + Receive over 256 lots, MVCC conflicts retried), and
 * events per second of batched scans, each
 * as a ratio to the baseline. Interleaved rounds, so load drift on a shared machine hits all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contracts, x509IdOf } from '../chaincode';
import { gs1CheckDigit } from '../chaincode/gs1';
import { createCertificateAuthority, openEmbeddedLedger, type Identity, type Ledger } from '../ledger-tools';
import { PutContract } from '../test/fabric/put-contract';
import { log } from './standalone';

const CONCURRENCY = 64;
const SINGLE_TX = 1500;
const BATCH = 500;
const BATCH_TX = 10;
const ROUNDS = 2;
/** Lots the custody writes spread over (ships of one holder's one lot conflict, as on Fabric). */
const LOTS = 256;

const check = (body: string): string => `${body}${gs1CheckDigit(body)}`;
const GTIN = check('0950600099001');
const SITE = check('695000999001');

async function rate(count: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

let conflicts = 0;

/** Retries a submit refused for an MVCC conflict, as the gateway does. */
async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if ((err as { code?: string }).code !== 'MVCC_READ_CONFLICT') throw err;
      conflicts++;
    }
  }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

interface Cast { admin: Identity; samr: Identity; farm: Identity; dist: Identity }

async function seed(zfc: Ledger, cast: Cast): Promise<void> {
  const p = (id: string, role: string, who: Identity, gln: string) => ({ id, name: id, role, licence: `L-${id}`, gln, identities: [{ mspId: who.mspId, id: x509IdOf(who.mspId, who.certificate) }] });
  await zfc.submit('Init', [JSON.stringify({ regulator: p('samr', 'regulator', cast.samr, check('695000999002')) })], cast.admin);
  await zfc.submit('RegisterParticipant', [JSON.stringify(p('farm', 'producer', cast.farm, check('695000999003')))], cast.samr);
  await zfc.submit('RegisterParticipant', [JSON.stringify(p('dist', 'distributor', cast.dist, check('695000999004')))], cast.samr);
  await zfc.submit('RegisterProduct', [JSON.stringify({ gtin: GTIN, name: 'bench wheat', category: 'grain', unit: 'KGM', requiresTest: false })], cast.farm);
  await zfc.submit('CreateLot', [JSON.stringify({ gtin: GTIN, lot: 'BENCH', quantity: 1e9, unit: 'KGM', productionDate: '2026-01-01', origin: { gln: SITE } })], cast.farm);
  await Promise.all(Array.from({ length: LOTS }, (_, i) => zfc.submit('CreateLot', [JSON.stringify({ gtin: GTIN, lot: `BENCH${i}`, quantity: 1e6, unit: 'KGM', productionDate: '2026-01-01', origin: { gln: SITE } })], cast.farm)));
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const dirs = [await mkdtemp(path.join(tmpdir(), 'zfc-bench-put-')), await mkdtemp(path.join(tmpdir(), 'zfc-bench-zfc-'))];
  const put = await openEmbeddedLedger({ dir: dirs[0] as string, contracts: [PutContract] });
  const zfc = await openEmbeddedLedger({ dir: dirs[1] as string, contracts });
  try {
    const regulatorCa = await createCertificateAuthority('RegulatorMSP');
    const orgCa = await createCertificateAuthority('ProducersMSP');
    const cast: Cast = {
      admin: await regulatorCa.issue({ commonName: 'Admin@regulator', organizationalUnit: 'admin' }),
      samr: await regulatorCa.issue({ commonName: 'samr', organizationalUnit: 'client' }),
      farm: await orgCa.issue({ commonName: 'farm', organizationalUnit: 'client' }),
      dist: await orgCa.issue({ commonName: 'dist', organizationalUnit: 'client' }),
    };
    await seed(zfc, cast);
    const scan = { kind: 'check', gtin: GTIN, lot: 'BENCH', location: { gln: SITE } };
    const one = JSON.stringify({ scans: [scan] });
    const many = JSON.stringify({ scans: Array.from({ length: BATCH }, () => scan) });
    await rate(200, (i) => put.submit('Put', [`warm-${i}`, 'v'], cast.farm));
    await rate(200, () => zfc.submit('RecordScans', [one], cast.farm));
    log(`embedded ledger, ${CONCURRENCY} in flight, ${SINGLE_TX} transactions per run, ${ROUNDS} interleaved rounds`);
    const base: number[] = [];
    const single: number[] = [];
    const custody: number[] = [];
    const batched: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      base.push(await rate(SINGLE_TX, (i) => put.submit('Put', [`k-${round}-${i}`, 'v'], cast.farm)));
      single.push(await rate(SINGLE_TX, () => zfc.submit('RecordScans', [one], cast.farm)));
      custody.push(await rate(SINGLE_TX / 2, async (i) => {
        const shipmentId = `B-${round}-${i}`;
        const lot = `BENCH${i % LOTS}`;
        await retried(() => zfc.submit('Ship', [JSON.stringify({ shipmentId, to: 'dist', lines: [{ gtin: GTIN, lot, quantity: 1 }], origin: { gln: SITE } })], cast.farm));
        await retried(() => zfc.submit('Receive', [JSON.stringify({ shipmentId, location: { gln: SITE } })], cast.dist));
      }) * 2);
      batched.push(await rate(BATCH_TX, () => zfc.submit('RecordScans', [many], cast.farm)) * BATCH);
    }
    const b = mean(base);
    log(`  baseline (put one key, one event): ${b.toFixed(0)} tx/s (runs: ${base.map((x) => x.toFixed(0)).join(', ')})`);
    log(`  RecordScans, one scan:            ${mean(single).toFixed(0)} tx/s = ${(mean(single) / b).toFixed(2)}x baseline`);
    log(`  Ship then Receive (one lot):      ${mean(custody).toFixed(0)} tx/s = ${(mean(custody) / b).toFixed(2)}x baseline (${conflicts} MVCC conflicts retried)`);
    log(`  RecordScans, ${BATCH} scans per tx:    ${mean(batched).toFixed(0)} events/s = ${(mean(batched) / b).toFixed(1)}x baseline tx/s`);
  } finally {
    await put.close();
    await zfc.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}
