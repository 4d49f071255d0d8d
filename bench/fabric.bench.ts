/**
 * Fabric benchmark, on one local network (network/up in a temporary folder), in one run:
 * - transactions per second of the contract's single-event writes (RecordScans with one
 *   scan: one key, one history entry, one chaincode event), against the baseline of a
 *   minimal contract that only puts one key (test/fabric/put-contract.ts);
 * - events per second with batched scans (RecordScans with ZFC_FABRIC_BATCH scans each: one
 *   key per scan and, as they share kind, place and time, one EPCIS event listing them all),
 *   each scan counted as an event, against the baseline's one event per transaction; and how
 *   fast those transactions' chaincode events are read back through `ledger.events()`.
 * Writes are kept ZFC_FABRIC_CONCURRENCY in flight (default 32). Needs Fabric's programs on
 * PATH or in FABRIC_BIN; says so and stops otherwise.
 * Run alone: `npm run bench:fabric` (or `node .build/<you>/bench/fabric.bench.js`).
 */
import { join } from 'node:path';
import { x509IdOf } from '../chaincode/access';
import { gs1CheckDigit } from '../chaincode/gs1';
import { openFabricLedger } from '../ledger-tools/fabric-ledger';
import type { FabricParticipant } from '../ledger-tools/fabric-profile';
import type { Checkpoint, Ledger } from '../ledger-tools/ledger';
import { compiledRoot, missingFabricTools, startNetwork } from '../test/fabric/fabric-network';
import { log, runAlone } from './standalone';

const CONCURRENCY = Number(process.env['ZFC_FABRIC_CONCURRENCY'] ?? 32);
const SINGLE_TX = Number(process.env['ZFC_FABRIC_TX'] ?? 600);
const BATCH = Number(process.env['ZFC_FABRIC_BATCH'] ?? 200);
const BATCH_TX = Number(process.env['ZFC_FABRIC_BATCH_TX'] ?? 60);

const GTIN = withCheckDigit('0950600099001');
const LOT = 'BENCH1';
const SITE = withCheckDigit('695000999001');

function withCheckDigit(body: string): string {
  return `${body}${gs1CheckDigit(body)}`;
}

/** Runs `count` calls with `CONCURRENCY` in flight; returns calls per second. */
async function rate(count: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}

/** Reads the batched transactions' events back from a checkpoint; returns events per second. */
async function readBack(ledger: Ledger, after: Checkpoint, ids: ReadonlySet<string>): Promise<{ events: number }> {
  const controller = new AbortController();
  const started = process.hrtime.bigint();
  let seen = 0;
  for await (const event of ledger.events({ after, signal: controller.signal })) {
    if (ids.has(event.txId) && ++seen === ids.size) break;
  }
  controller.abort();
  return { events: seen / (Number(process.hrtime.bigint() - started) / 1e9) };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function participant(id: string, role: string, who: FabricParticipant, gln: string): string {
  return JSON.stringify({
    id, name: `${id} bench`, role, licence: `LIC-${id}`, gln,
    identities: [{ mspId: who.mspId, id: x509IdOf(who.mspId, who.certificate) }],
  });
}

/** Initialises the contract with a regulator, a producer, a product and a large lot. */
async function seed(zfc: Ledger, p: Readonly<Record<string, FabricParticipant>>): Promise<void> {
  const need = (name: string): FabricParticipant => {
    const found = p[name];
    if (!found) throw new Error(`no ${name} identity`);
    return found;
  };
  await zfc.submit('Init', [JSON.stringify({ regulator: JSON.parse(participant('samr', 'regulator', need('regulator'), withCheckDigit('695000999002'))) })], need('regulator-admin'));
  await zfc.submit('RegisterParticipant', [participant('farm', 'producer', need('farm'), withCheckDigit('695000999003'))], need('regulator'));
  await zfc.submit('RegisterProduct', [JSON.stringify({ gtin: GTIN, name: 'bench wheat', category: 'grain', unit: 'KGM', requiresTest: false })], need('farm'));
  await zfc.submit('CreateLot', [JSON.stringify({ gtin: GTIN, lot: LOT, quantity: 1_000_000, unit: 'KGM', productionDate: '2026-01-01', origin: { gln: SITE } })], need('farm'));
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const missing = missingFabricTools();
  if (missing.length > 0) {
    log(`fabric: skipped — Fabric's programs (${missing.join(', ')}) are not on PATH or in FABRIC_BIN (see network/README.md)`);
    return;
  }
  const root = compiledRoot();
  log('fabric: starting a network (1 orderer, 3 organisations, majority endorsement)');
  const net = await startNetwork({
    chaincodes: { zfc: join(root, 'chaincode', 'index.js'), put: join(root, 'test', 'fabric', 'put-contract.js') },
    portBase: 29000,
  });
  const zfc = await openFabricLedger(net.network.ledgerOptions('zfc'));
  const put = await openFabricLedger(net.network.ledgerOptions('put'));
  try {
    const farm = net.network.participants['farm'] as FabricParticipant;
    await seed(zfc, net.network.participants);
    const scan = { kind: 'check', gtin: GTIN, lot: LOT, location: { gln: SITE } };
    const one = JSON.stringify({ scans: [scan] });
    const many = JSON.stringify({ scans: Array.from({ length: BATCH }, () => scan) });
    // Warm the chaincode servers, the peers' caches and the gateway connections.
    await rate(4 * CONCURRENCY, (i) => put.submit('Put', [`warm-${i}`, 'v'], farm));
    await rate(4 * CONCURRENCY, () => zfc.submit('RecordScans', [one], farm));

    // Two interleaved rounds of all three, so that drift in the shared machine's load hits each alike
    // (the batched runs are short: measured once, after the others, a busy spell decided the ratio).
    log(`fabric: ${SINGLE_TX} transactions per single run, ${BATCH_TX} per batched run, ${CONCURRENCY} in flight, two rounds`);
    const bases: number[] = [];
    const singles: number[] = [];
    const batches: number[] = [];
    let from: Checkpoint = { blockNumber: 0, txIndex: 0 };
    let batchIds: string[] = [];
    for (let round = 0; round < 2; round++) {
      bases.push(await rate(SINGLE_TX, (i) => put.submit('Put', [`k-${round}-${i}`, 'v'], farm)));
      singles.push(await rate(SINGLE_TX, () => zfc.submit('RecordScans', [one], farm)));
      from = { blockNumber: (await zfc.height()) - 1, txIndex: Number.MAX_SAFE_INTEGER };
      const ids: string[] = (batchIds = []);
      batches.push(await rate(BATCH_TX, async () => ids.push((await zfc.submit('RecordScans', [many], farm)).txId)));
    }
    const baseline = mean(bases);
    const single = mean(singles);
    const batchedTx = mean(batches);
    const events = batchedTx * BATCH;
    const read = await readBack(zfc, from, new Set(batchIds)); // the last round's

    log(`  baseline, put one key + one event:   ${baseline.toFixed(1)} tx/s (runs: ${bases.map((b) => b.toFixed(1)).join(', ')})`);
    log(`  contract, RecordScans with one scan: ${single.toFixed(1)} tx/s (runs: ${singles.map((b) => b.toFixed(1)).join(', ')}) = ${(single / baseline).toFixed(2)}x baseline (goal >= 0.8x)`);
    log(`  contract, RecordScans with ${BATCH} scans: ${batchedTx.toFixed(1)} tx/s (runs: ${batches.map((b) => b.toFixed(1)).join(', ')}), ${events.toFixed(0)} events/s = ${(events / baseline).toFixed(1)}x baseline events/s (goal >= 20x)`);
    log(`  reading them back through events(): ${read.events.toFixed(0)} chaincode events/s, ${(read.events * BATCH).toFixed(0)} scans/s`);
  } finally {
    await zfc.close();
    await put.close();
    await net.down();
  }
}

runAlone(module, run);
