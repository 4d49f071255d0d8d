/**
 * Embedded ledger ingest: simple transactions per second (one Put each, through fabric-shim's
 * contract runtime, validated, sealed into Merkle blocks, each block one synced level batch)
 * at several block sizes, beside the ceiling measured in the same run on the same disk: raw
 * `level` writes of the same keys and values in synced batches of the same size. The ledger
 * writes more per transaction than the raw run (state, history, block, index), so the ratio
 * is the price of being a ledger.
 *
 * Run alone: `node .build/<you>/bench/ledger.bench.js`, or `npm run bench -- ledger`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { createCertificateAuthority, openEmbeddedLedger, type Identity } from '../ledger-tools';
import { contracts } from '../test/ledger/kv-contract';

const TXS = 30_000;
const BLOCK_SIZES = [10, 100, 500, 1000];
const GOAL_TPS = 20_000;

const keyOf = (i: number): string => `lot/09506000134352/L${String(i).padStart(8, '0')}`;
const valueOf = (i: number): string => `{"gtin":"09506000134352","lot":"L${i}","qty":${i % 1000},"unit":"KGM"}`;

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'zfc-bench-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Transactions per second of the embedded ledger with `inFlight` concurrent submits. */
async function ledgerRate(identity: Identity, blockSize: number, txs: number): Promise<number> {
  return inTempDir(async (dir) => {
    const ledger = await openEmbeddedLedger({ dir, contracts, batchSize: blockSize });
    const inFlight = Math.max(2 * blockSize, 256);
    let next = 0;
    const started = process.hrtime.bigint();
    const worker = async (): Promise<void> => {
      while (next < txs) {
        const i = next++;
        await ledger.submit('Put', [keyOf(i), valueOf(i)], identity);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await ledger.close();
    return txs / seconds;
  });
}

/** Writes per second of raw level: the same keys and values, synced batches of `blockSize`. */
async function rawLevelRate(blockSize: number, txs: number): Promise<number> {
  return inTempDir(async (dir) => {
    const db = new Level<string, string>(dir, { writeBufferSize: 32 * 1024 * 1024 });
    await db.open();
    const started = process.hrtime.bigint();
    for (let from = 0; from < txs; from += blockSize) {
      const batch = db.batch();
      for (let i = from; i < Math.min(txs, from + blockSize); i++) batch.put(keyOf(i), valueOf(i));
      await batch.write({ sync: true });
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await db.close();
    return txs / seconds;
  });
}

/** Runs the ledger ingest benchmark and prints its table. */
export async function run(): Promise<void> {
  const ca = await createCertificateAuthority('BenchMSP');
  const identity = await ca.issue({ commonName: 'bench', organizationalUnit: 'client' });
  await ledgerRate(identity, 500, 5_000); // warm-up: JIT, module loading
  const rows: string[] = [];
  let best = 0;
  for (const blockSize of BLOCK_SIZES) {
    const raw = await rawLevelRate(blockSize, TXS);
    const embedded = await ledgerRate(identity, blockSize, TXS);
    best = Math.max(best, embedded);
    rows.push(`| ${blockSize} | ${Math.round(embedded).toLocaleString('en')} | ${Math.round(raw).toLocaleString('en')} | ${(embedded / raw).toFixed(2)} |`);
  }
  process.stdout.write(`Embedded ledger ingest, ${TXS.toLocaleString('en')} simple transactions per run (Put of one ~70-byte value), durable blocks\n\n`);
  process.stdout.write('| block size | ledger tx/s | raw level writes/s (synced batches) | ledger / raw |\n|---:|---:|---:|---:|\n');
  process.stdout.write(`${rows.join('\n')}\n\n`);
  process.stdout.write(`best: ${Math.round(best).toLocaleString('en')} tx/s (goal ${GOAL_TPS.toLocaleString('en')}: ${best >= GOAL_TPS ? 'met' : 'NOT met'})\n`);
}

if (require.main === module) {
  run().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
