/**
 * Restart benchmark: how long the whole gateway takes to open again over a ledger that holds many
 * captured EPCIS events, beside the embedded ledger's own open in the same run, and how much heap
 * the gateway then holds per event.
 *
 * The gateway keeps two views of the ledger in memory: the EPCIS projection, rebuilt from every
 * block at each start, and the trace index's graph, loaded from its own database. Both grow with
 * the ledger, so a restart's time and the heap grow with it; the figures say by how much, and the
 * heap figure says roughly how many events fit under Node's heap limit.
 *
 * The ledger is filled once through `POST /epcis/capture` of the whole gateway (as npm start runs
 * it, ledger in its own thread). Then, in interleaved rounds: the ledger alone opened in its own
 * thread and asked its height (the part of a start that does not grow with the views), and the
 * whole gateway opened until it listens (the index loaded: everything but /epcis is served) and
 * until it is ready (the EPCIS projection caught up).
 *
 * ZFC_RESTART_EVENTS sets the events captured (default 100,000; 500 per document);
 * ZFC_RESTART_ROUNDS the rounds whose medians are reported (3).
 * Run alone: `npm run bench -- restart`.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { gs1CheckDigit } from '../chaincode/gs1';
import { initialiseRegulator } from '../gateway-api/bootstrap';
import { loadConfig, type GatewayConfig } from '../gateway-api/config';
import { heapLimitMb } from '../gateway-api/heap-room';
import { listen, openGateway } from '../gateway-api/server';
import { openThreadedLedger } from '../ledger-tools';
import { benchDocument, benchEvent } from './epcis-events';
import { collectGarbage, median } from './rounds';
import { log, runAlone } from './standalone';

const EVENTS = Number(process.env['ZFC_RESTART_EVENTS'] ?? 100_000);
const ROUNDS = Number(process.env['ZFC_RESTART_ROUNDS'] ?? 3);
const BATCH = 500;

const configOf = (dataDir: string): GatewayConfig => loadConfig({ PORT: '0', HOST: '127.0.0.1', ZFC_DATA: dataDir, RATE_LIMIT: '1000000', RATE_BURST: '1000000' });

/** Captures EVENTS events through the whole gateway, four documents in flight, and closes it. */
async function fill(dataDir: string): Promise<void> {
  const config = configOf(dataDir);
  const parts = await openGateway(config);
  const running = await listen(parts, config);
  await parts.epcisReady;
  try {
    const { key } = await initialiseRegulator(running, { id: 'samr', name: 'Bench Regulator', licence: 'REG-BENCH', gln: `695000000001${gs1CheckDigit('695000000001')}` });
    const headers = { 'content-type': 'application/ld+json', authorization: `Bearer ${key}` };
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < EVENTS) {
        const from = next;
        next += BATCH;
        const events = Array.from({ length: Math.min(BATCH, EVENTS - from) }, (_, j) => benchEvent(from + j, 'S'));
        const res = await fetch(`${running.url}/epcis/capture`, { method: 'POST', headers, body: JSON.stringify(benchDocument(events)) });
        if (res.status !== 202) throw new Error(`capture answered ${res.status}: ${await res.text()}`);
        const job = parts.captureJobs.get(((await res.json()) as { captureID: string }).captureID);
        await job?.done;
        if (!job?.success) throw new Error(`capture failed: ${JSON.stringify(job?.errors)}`);
      }
    }));
    while (!(await parts.index.caughtUp(parts.ledger))) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await running.close();
  }
}

/** Seconds to open the ledger alone in its own thread and read its height. */
async function ledgerOpen(dataDir: string): Promise<number> {
  const t = performance.now();
  const ledger = await openThreadedLedger({ dir: path.join(dataDir, 'ledger'), contractsModule: require.resolve('../chaincode') });
  await ledger.height();
  const seconds = (performance.now() - t) / 1000;
  await ledger.close();
  return seconds;
}

/**
 * Seconds for the whole gateway to open and listen (serving all but /epcis), then to be ready
 * (the EPCIS event store caught up too), and the heap it then uses.
 */
async function gatewayOpen(dataDir: string): Promise<{ listening: number; seconds: number; heap: number }> {
  const config = configOf(dataDir);
  collectGarbage(); // so that the heap in use is what is live (not what the fill left to collect)
  const t = performance.now();
  const parts = await openGateway(config);
  const running = await listen(parts, config);
  const listening = (performance.now() - t) / 1000;
  await parts.epcisReady;
  const seconds = (performance.now() - t) / 1000;
  collectGarbage();
  const heap = v8.getHeapStatistics().used_heap_size;
  await running.close();
  return { listening, seconds, heap };
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-restart-bench-'));
  try {
    const empty = path.join(root, 'empty');
    const full = path.join(root, 'full');
    const filled = performance.now();
    await fill(full);
    log(`restart: ${EVENTS.toLocaleString('en')} events captured through the whole gateway in ${((performance.now() - filled) / 1000).toFixed(1)} s; ${ROUNDS} interleaved rounds (medians)`);
    const emptyHeap = (await gatewayOpen(empty)).heap; // also warms the code paths
    const ledger: number[] = [];
    const gateway: number[] = [];
    const listening: number[] = [];
    const heaps: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ledger.push(await ledgerOpen(full));
      const g = await gatewayOpen(full);
      gateway.push(g.seconds);
      listening.push(g.listening);
      heaps.push(g.heap);
    }
    const each = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(', ');
    const perEvent = (median(heaps) - emptyHeap) / EVENTS;
    const limit = heapLimitMb() * 1024 * 1024; // the old generation, where the events stay (heap-room.ts)
    log(`  the ledger alone, opened in its own thread:        ${median(ledger).toFixed(2)} s  [${each(ledger)}]`);
    log(`  the whole gateway, opened until it listens:        ${median(listening).toFixed(2)} s  [${each(listening)}]  (it serves all but /epcis from then on)`);
    log(`  the whole gateway, opened until it is ready:       ${median(gateway).toFixed(2)} s  [${each(gateway)}]  (${((median(gateway) - median(ledger)) * 1e6 / EVENTS).toFixed(1)} µs per event more; the EPCIS event store caught up)`);
    log(`  heap in use once open: ${(median(heaps) / 1e6).toFixed(0)} MB, ${(emptyHeap / 1e6).toFixed(0)} MB of it with no events: about ${(perEvent / 1000).toFixed(1)} kB per event, so about ${(((limit - emptyHeap) / perEvent) / 1e6).toFixed(1)} million events under this process's old-generation limit of ${(limit / 1e6).toFixed(0)} MB (capture is refused before: heap-room.ts)`);
    log(`  ratio whole gateway / ledger alone: ${(median(gateway) / median(ledger)).toFixed(1)}`);
  } finally {
    await fs.promises.rm(root, { recursive: true, force: true });
  }
}

runAlone(module, run);
