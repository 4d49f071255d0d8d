/**
 * EPCIS capture benchmark: events captured per second through `POST /epcis/capture` on the
 * embedded ledger, beside the embedded ledger's raw ingest rate in the same run — the same events
 * submitted as opaque JSON, one key each, by a contract that does nothing else. Goal: capture at
 * least half the raw rate.
 *
 * Capture is measured three times:
 * - through the whole gateway as `npm start` runs it, in a process of its own (bench/gateway-process.ts;
 *   gateway-api/server.ts: API-key
 *   authentication, the capture job kept in the gateway's store, the `epcis` contract —
 *   validation, identifier normalisation, event hash IDs, dedupe reads, lot rules — and the job
 *   finishing only once the gateway's EPCIS projection has the events; the measure ends when the
 *   trace index, following the same blocks, has caught up), each sender waiting for its job to
 *   finish before it sends the next document; this is the figure the goal is about;
 * - the same, as a burst: each sender waits only for its 202 (a bulk sender with its backlog;
 *   the gateway's capture jobs take turns, epcis-capture-jobs.ts), until every job has finished;
 * - through the EPCIS router alone over the contract (no projection, no trace index, no job
 *   store), which says what the gateway's own followers cost.
 * Two more figures say where the rest goes: the raw rate for the capture's state shape (per event
 * one read and one write, one more write per document: the dedupe read, the event's record, the
 * capture's record), and the contract's rate without HTTP.
 *
 * Every ledger here, the baseline's and the gateway's, runs as `npm start` runs it: in a thread of
 * its own (ledger-tools/threaded-ledger.ts); ZFC_EPCIS_LEDGER_THREAD=false runs them in the calling
 * thread instead (the gateway with LEDGER_THREAD=false), to compare. The raw rate is measured on
 * both kinds of ledger, and the ratios are taken against the faster of the two: a thread hop that
 * slowed the baseline would otherwise flatter the ratio.
 *
 * After the rounds, the whole gateway captures once more while a reader asks GET /healthz every
 * 5 ms: its latency says how long a consumer's scan would wait behind captures (the median and
 * 90th percentile). That measure stays out of the ratio, as the baseline has no reader: the
 * reader's 200 requests a second cost the machine's two cores about a seventh of their time (the
 * sender's fetch about 0.5 ms of CPU each, the gateway about 0.2 ms), and ran inside the capture
 * measure until this version.
 *
 * The whole gateway runs in a process of its own (bench/gateway-process.ts), as it is deployed:
 * inside the bench's process it shared one heap, one garbage collector and the compiled code with
 * the baseline's ledgers and the in-process router, and was measured slower than it runs alone.
 * Its senders stay in the bench's process and learn that a job has ended over Node's IPC channel.
 *
 * Each measure starts once both processes are quiet (rounds.ts `quiet`: LevelDB's compactions,
 * sweeping and followers from the measure before have ended, or 20 s have passed), so that no
 * measure is charged for the leftovers of the one before; a longer measure would otherwise take
 * more of them.
 *
 * Each measure also reports the CPU time spent per event while it ran (every thread: the
 * ledger's, LevelDB's compactions, the garbage collector's helpers, the bench's own client; for
 * the whole gateway its process's and the bench's together). On a machine of few cores that is
 * what caps the rate: it says how much work each path does per event, where the rate mixes work
 * with waiting. It varies from run to run about as much as the rate (5-10% on a quiet two-core
 * machine). On Linux that time is also split by thread (/proc/<pid>/task): the ledger's own
 * thread, the main thread, and the rest (for the whole gateway, its process's threads). A thread
 * uses one core at a time, so the busiest thread bounds a path's rate on any machine, however
 * many cores it has; the ratio of the busiest threads says what the ratio would be if every
 * thread had a core to itself. The ledger's thread's wall time per event is split too (Linux's
 * schedstat): running, ready but waiting for a core, and idle — a path whose ledger idles is held
 * up by its own hand-offs, one whose ledger waits is short of cores. Last, the minor page faults
 * per event of the measured process (rounds.ts minorFaults): on a virtual machine each costs
 * microseconds, and long strings (V8 gives every string over ~128 KB fresh memory of its own) and
 * a growing heap make them; a path's faults say how much of its CPU time is spent taking memory.
 *
 * ZFC_EPCIS_EVENTS sets the events per measure (default 10,000); ZFC_EPCIS_BATCH the events per
 * document / transaction (default 500); ZFC_EPCIS_CONCURRENCY the documents in flight (4);
 * ZFC_EPCIS_ROUNDS the interleaved rounds whose medians are reported (3).
 * Run alone: `npm run bench -- epcis`.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Koa from 'koa';
import { CaptureJobs } from '../gateway-api/epcis-capture-jobs';
import { createEpcisRouter } from '../gateway-api/epcis-routes';
import { QUERY_SCAN } from '../gateway-api/epcis-projection';
import { LedgerEventStore } from '../gateway-api/epcis-store';
import { errorMiddleware } from '../gateway-api/error-middleware';
import { createCertificateAuthority, openEmbeddedLedger, openThreadedLedger, type Identity, type Ledger } from '../ledger-tools';
import { benchDocument, benchEvent } from './epcis-events';
import { GatewayProcess, type JobOutcome } from './gateway-process';
import { contracts } from './raw-contract';
import { median, minorFaults, quantile, quiet, threadSchedule, threadShares, threadTimes } from './rounds';
import { log, runAlone } from './standalone';

const EVENTS = Number(process.env['ZFC_EPCIS_EVENTS'] ?? 10_000);
const BATCH = Number(process.env['ZFC_EPCIS_BATCH'] ?? 500);
const CONCURRENCY = Number(process.env['ZFC_EPCIS_CONCURRENCY'] ?? 4);
const ROUNDS = Number(process.env['ZFC_EPCIS_ROUNDS'] ?? 3);
/** Whether every ledger of the bench runs in a thread of its own, as `npm start` runs it (LEDGER_THREAD). */
const THREAD = !/^(0|false|no|off)$/i.test(process.env['ZFC_EPCIS_LEDGER_THREAD'] ?? 'true');

/** The documents' events; each series names other items, so no run's events are duplicates of another's. */
function documents(series: string): Array<Record<string, unknown>[]> {
  const docs: Array<Record<string, unknown>[]> = [];
  for (let i = 0; i < EVENTS; i += BATCH) docs.push(Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, j) => benchEvent(i + j, series)));
  return docs;
}

async function pool<T>(items: T[], worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await worker(items[next++] as T);
  }));
}

/**
 * Every measure sends text it encoded before its clock started: the sender's JSON encoding is
 * the client's work, not the ledger's or the gateway's.
 */
const asText = (docs: Array<Record<string, unknown>[]>, wrap: (events: Record<string, unknown>[]) => unknown): string[] => docs.map((d) => JSON.stringify(wrap(d)));
const countOf = (docs: Array<Record<string, unknown>[]>): number => docs.reduce((n, d) => n + d.length, 0);

async function rawRate(ledger: Ledger, who: Identity, docs: Array<Record<string, unknown>[]>, fn = 'raw:PutEvents'): Promise<number> {
  const bodies = asText(docs, (events) => events);
  const t = performance.now();
  await pool(bodies, async (body) => {
    await ledger.submit(fn, [body], who);
  });
  return countOf(docs) / ((performance.now() - t) / 1000);
}

async function directRate(ledger: Ledger, who: Identity, docs: Array<Record<string, unknown>[]>): Promise<number> {
  const bodies = asText(docs, benchDocument);
  const t = performance.now();
  await pool(bodies, async (body) => {
    await ledger.submit('epcis:CaptureEvents', [body], who);
  });
  return countOf(docs) / ((performance.now() - t) / 1000);
}

/**
 * POSTs one document and gives the capture job's ID from the 202. Through node:http rather than
 * fetch: the senders share the machine's cores with the gateway, and fetch spent about twice the
 * CPU per document (7 against 4 µs of the sender's CPU per event, scratch drivers alternating
 * the two on this machine), which the gateway's figure then paid for in cores. The raw baselines
 * have no client at all.
 */
function postCapture(agent: Agent, url: string, headers: Record<string, string>, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 202) reject(new Error(`capture answered ${res.statusCode ?? '?'}: ${text}`));
        else resolve((JSON.parse(text) as { captureID: string }).captureID);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Documents POSTed to /epcis/capture at `base` (with `key` as the API key, if any); each counts
 * once its capture job has finished (`jobEnd`: awaited, not polled), and the measure ends when
 * `settled` (if given) says every follower of the ledger has caught up. Each of the CONCURRENCY
 * senders waits for its job to finish before it sends the next document; with `burst`, only for
 * the 202 (a bulk sender with its backlog: the gateway's jobs take turns), and the measure ends
 * when every job has finished.
 */
async function captureRate(base: string, jobEnd: (captureID: string) => Promise<JobOutcome>, docs: Array<Record<string, unknown>[]>, key?: string, settled?: () => Promise<boolean>, readLatencies?: number[], burst = false): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/ld+json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
  const bodies = asText(docs, benchDocument);
  let capturing = true;
  const reader = readLatencies
    ? (async () => {
        while (capturing) {
          const t0 = performance.now();
          const res = await fetch(`${base}/healthz`);
          await res.arrayBuffer();
          readLatencies.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 5));
        }
      })()
    : undefined;
  const t = performance.now();
  const sent: Array<Promise<void>> = [];
  // keep-alive connections of this measure only (one a sender): kept from one measure to the next, a connection sat idle
  // past the server's keep-alive timeout (5 s) through the quiet waits, and a POST sent as the server closed it failed
  // with "socket hang up"
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let elapsed: number;
  try {
    await pool(bodies, async (body) => {
      const captureID = await postCapture(agent, `${base}/epcis/capture`, headers, body);
      const finished = jobEnd(captureID).then((job) => {
        if (!job.success) throw new Error(`capture failed: ${JSON.stringify(job.errors)}`);
      });
      if (burst) sent.push(finished);
      else await finished;
    });
    await Promise.all(sent);
    while (settled && !(await settled())) await new Promise((r) => setTimeout(r, 5));
    elapsed = performance.now() - t;
  } finally {
    agent.destroy(); // its idle connections would otherwise hold the router's server open at the end
  }
  capturing = false;
  await reader;
  return countOf(docs) / (elapsed / 1000);
}


/** The end of an in-process capture job. */
async function jobIn(jobs: CaptureJobs, captureID: string): Promise<JobOutcome> {
  const job = jobs.get(captureID);
  if (!job) throw new Error(`no capture job ${captureID}`);
  await job.done;
  return job;
}

/** The EPCIS router alone over the contract, on the bench's own ledger. */
async function startRouter(ledger: Ledger, who: Identity): Promise<{ base: string; jobs: CaptureJobs; server: Server }> {
  const app = new Koa();
  app.use(errorMiddleware());
  const jobs = new CaptureJobs();
  const router = createEpcisRouter({ store: new LedgerEventStore(ledger), identityOf: () => who, jobs });
  app.use(router.routes());
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, jobs, server };
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-epcis-bench-'));
  const dir = path.join(root, 'ledger');
  const ledger = THREAD ? await openThreadedLedger({ dir, contractsModule: require.resolve('./raw-contract') }) : await openEmbeddedLedger({ dir, contracts });
  // the baseline on the other kind of ledger (in the calling thread, or in its own)
  const otherDir = path.join(root, 'ledger-other');
  const other = THREAD ? await openEmbeddedLedger({ dir: otherDir, contracts }) : await openThreadedLedger({ dir: otherDir, contractsModule: require.resolve('./raw-contract') });
  let router: Awaited<ReturnType<typeof startRouter>> | undefined;
  let gateway: GatewayProcess | undefined;
  try {
    const who = await (await createCertificateAuthority('Org1MSP')).issue({ commonName: 'bench', organizationalUnit: 'client' });
    await ledger.submit('raw:Register', ['P-BENCH'], who);
    await other.submit('raw:Register', ['P-BENCH'], who);
    router = await startRouter(ledger, who);
    gateway = await GatewayProcess.start(path.join(root, 'gateway'), THREAD);
    const gw = gateway;
    const viaRouterAt = router;
    const routerJob = (id: string): Promise<JobOutcome> => jobIn(viaRouterAt.jobs, id);
    const gatewayJob = (id: string): Promise<JobOutcome> => gw.job(id);
    // the trace index follows the gateway's ledger on its own: a measure ends once it has caught up
    const indexed = (): Promise<boolean> => gw.caughtUp();
    log(`epcis: ${EVENTS.toLocaleString('en')} events per measure, ${BATCH} per document, ${CONCURRENCY} in flight, ${ROUNDS} interleaved rounds (medians) after a warm-up round of every measure; every ledger ${THREAD ? 'in a thread of its own, as npm start runs it' : 'in the calling thread (ZFC_EPCIS_LEDGER_THREAD=false)'}`);
    type Measure = 'raw' | 'rawOther' | 'shaped' | 'direct' | 'router' | 'gateway' | 'burst';
    const rates: Record<Measure, number[]> = { raw: [], rawOther: [], shaped: [], direct: [], router: [], gateway: [], burst: [] };
    const cpu: Record<Measure, number[]> = { raw: [], rawOther: [], shaped: [], direct: [], router: [], gateway: [], burst: [] };
    const threads: Record<Measure, Array<{ main: number; busiest: number; rest: number }>> = { raw: [], rawOther: [], shaped: [], direct: [], router: [], gateway: [], burst: [] };
    /** The ledger's thread's time per event, µs: running, ready but waiting for a core, and idle (the rest of the wall time). */
    const ledgerTime: Record<Measure, Array<{ run: number; wait: number; idle: number }>> = { raw: [], rawOther: [], shaped: [], direct: [], router: [], gateway: [], burst: [] };
    /** Minor page faults per event of the measured process (the gateway's for its measures, the bench's for the others). */
    const faults: Record<Measure, number[]> = { raw: [], rawOther: [], shaped: [], direct: [], router: [], gateway: [], burst: [] };
    /**
     * Runs one measure, keeping its rate, the CPU time spent per event meanwhile (every thread: a
     * steadier figure than the rate on a shared machine), and that time by thread. For a measure
     * of the gateway's process (`pid`), the CPU time is that process's and the bench's (the
     * sender's) together, and the threads are the gateway's.
     */
    const quietWaits: number[] = [];
    let warmingUp = true;
    const measure = async (k: Measure, run: () => Promise<number>, pid = process.pid): Promise<void> => {
      const waited = await quiet([process.pid, gw.pid]);
      const before = process.cpuUsage();
      const threadsBefore = threadTimes(pid);
      const scheduleBefore = threadSchedule(pid);
      const faultsBefore = minorFaults(pid);
      const rate = await run();
      const faultsAfter = minorFaults(pid);
      const used = process.cpuUsage(before);
      const threadsAfter = threadTimes(pid);
      const scheduleAfter = threadSchedule(pid);
      if (warmingUp) return;
      quietWaits.push(waited);
      rates[k].push(rate);
      if (faultsBefore !== undefined && faultsAfter !== undefined) faults[k].push((faultsAfter - faultsBefore) / EVENTS);
      const shares = threadsBefore && threadsAfter ? threadShares(threadsBefore, threadsAfter, pid) : undefined;
      const elsewhere = shares && pid !== process.pid ? shares.main + shares.busiest + shares.rest : 0;
      cpu[k].push((used.user + used.system + elsewhere) / EVENTS);
      if (shares) threads[k].push({ main: shares.main / EVENTS, busiest: shares.busiest / EVENTS, rest: shares.rest / EVENTS });
      const [s0, s1] = [scheduleBefore?.get(shares?.busiestTid ?? -1), scheduleAfter?.get(shares?.busiestTid ?? -1)];
      if (s0 && s1) {
        const [runUs, waitUs] = [(s1.run - s0.run) / EVENTS, (s1.wait - s0.wait) / EVENTS];
        ledgerTime[k].push({ run: runUs, wait: waitUs, idle: Math.max(0, 1e6 / rate - runUs - waitUs) });
      }
    };
    const readLatencies: number[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      // round 0 warms every measure up (compiles the schemas and the code paths, fills the caches) and is not counted;
      // the rounds are interleaved, so that a busy spell of a shared machine weighs on every measure alike
      warmingUp = r === 0;
      await measure('raw', () => rawRate(ledger, who, documents(`R${r}-`)));
      await measure('rawOther', () => rawRate(other, who, documents(`Q${r}-`)));
      await measure('shaped', () => rawRate(ledger, who, documents(`H${r}-`), 'raw:PutShaped'));
      await measure('direct', () => directRate(ledger, who, documents(`D${r}-`)));
      await measure('router', () => captureRate(viaRouterAt.base, routerJob, documents(`C${r}-`)));
      await measure('gateway', () => captureRate(gw.url, gatewayJob, documents(`G${r}-`), gw.key, indexed), gw.pid);
      await measure('burst', () => captureRate(gw.url, gatewayJob, documents(`B${r}-`), gw.key, indexed, undefined, true), gw.pid);
    }
    const [rawHere, rawOther, shaped, direct, viaRouter, viaGateway, burst] = (['raw', 'rawOther', 'shaped', 'direct', 'router', 'gateway', 'burst'] as const).map((k) => median(rates[k])) as [number, number, number, number, number, number, number];
    const raw = Math.max(rawHere, rawOther);
    const each = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
    const perEvent = (k: Measure): string => `${median(cpu[k]).toFixed(0)} µs/event`;
    const kinds = THREAD ? ['in its own thread', 'in the calling thread'] : ['in the calling thread', 'in its own thread'];
    log(`  raw ledger ingest (opaque JSON, one key per event), ledger ${kinds[0]}: ${rawHere.toFixed(0)} events/s  [${each(rates.raw)}]; CPU ${perEvent('raw')}`);
    log(`  raw ledger ingest, ledger ${kinds[1]}: ${rawOther.toFixed(0)} events/s  [${each(rates.rawOther)}]; CPU ${perEvent('rawOther')}`);
    log(`  raw, capture's state shape (1 read + 1 write per event):   ${shaped.toFixed(0)} events/s  [${each(rates.shaped)}]; CPU ${perEvent('shaped')}`);
    log(`  epcis:CaptureEvents submitted directly (no HTTP):          ${direct.toFixed(0)} events/s  [${each(rates.direct)}]; CPU ${perEvent('direct')}`);
    log(`  POST /epcis/capture, EPCIS router over the contract:       ${viaRouter.toFixed(0)} events/s  [${each(rates.router)}]; CPU ${perEvent('router')}`);
    log(`  POST /epcis/capture, whole gateway (auth, jobs, projection, trace index): ${viaGateway.toFixed(0)} events/s  [${each(rates.gateway)}]; CPU ${perEvent('gateway')}`);
    log(`  POST /epcis/capture, whole gateway, a burst (senders wait only for the 202; jobs take turns): ${burst.toFixed(0)} events/s  [${each(rates.burst)}]; CPU ${perEvent('burst')}`);
    log(`  waited for both processes to be quiet before each measure: median ${(median(quietWaits) / 1000).toFixed(1)} s, at most ${(Math.max(...quietWaits) / 1000).toFixed(1)} s`);
    await quiet([process.pid, gw.pid]);
    const withReader = await captureRate(gw.url, gatewayJob, documents('L-'), gw.key, indexed, readLatencies);
    log(`  GET /healthz while the whole gateway captures (one more measure, not in the ratio): median ${quantile(readLatencies, 0.5).toFixed(1)} ms, 90th percentile ${quantile(readLatencies, 0.9).toFixed(1)} ms (${readLatencies.length} reads); capture meanwhile ${withReader.toFixed(0)} events/s`);
    log(`  ratio capture / raw (the faster raw, ${raw.toFixed(0)} events/s): whole gateway ${(viaGateway / raw).toFixed(2)} (a burst ${(burst / raw).toFixed(2)}), router ${(viaRouter / raw).toFixed(2)} (goal ≥ 0.50); same-shape raw / raw ${(shaped / raw).toFixed(2)}; direct / raw ${(direct / raw).toFixed(2)}`);
    // what the captured events are read back at: the last minute of the events' hours (the scan starts at the window's edge)
    // against a query that matches nothing: one page of it (it looks at QUERY_SCAN events at most), and every page of it
    {
      /** Milliseconds to read a query's pages (the first `pages` of them, or all), averaged over 20 reads. */
      const readMs = async (query: string, pages = Infinity): Promise<{ ms: number; pages: number }> => {
        const t = performance.now();
        let read = 0;
        for (let i = 0; i < 20; i++) {
          let url = `/epcis/events?${query}`;
          for (read = 0; url && read < pages; read++) {
            const res = await fetch(`${gw.url}${url}`, { headers: { authorization: `Bearer ${gw.key}` } });
            if (res.status !== 200) throw new Error(`query answered ${res.status}: ${await res.text()}`);
            await res.arrayBuffer();
            url = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? '';
          }
        }
        return { ms: (performance.now() - t) / 20, pages: read };
      };
      const lastMinute = new Date(Date.UTC(2026, 2, 1) + (EVENTS - 60) * 1000).toISOString();
      const window = await readMs(`GE_eventTime=${encodeURIComponent(lastMinute)}&perPage=100`, 1);
      const page = await readMs('EQ_bizStep=accepting', 1);
      const all = await readMs('EQ_bizStep=accepting');
      // the standard's extremal queries (orderBy, eventCountLimit=1): by recordTime (a list kept in that order) and by an
      // extension field (no list: each page sorts the candidates, here those of a window of eventTime), beside eventTime
      const lastHours = new Date(Date.UTC(2026, 2, 1) + Math.max(0, EVENTS - 5000) * 1000).toISOString();
      const candidates = await gw.countSince(lastHours);
      const latestRecorded = await readMs('orderBy=recordTime&eventCountLimit=1', 1);
      const latestByTime = await readMs(`GE_eventTime=${encodeURIComponent(lastHours)}&orderBy=eventTime&eventCountLimit=1`, 1);
      const warmest = await readMs(`GE_eventTime=${encodeURIComponent(lastHours)}&orderBy=ex:temperature&eventCountLimit=1`, 1);
      log(`  extremal queries (eventCountLimit=1): the last recorded (orderBy=recordTime) ${latestRecorded.ms.toFixed(1)} ms; in the last ${Math.min(EVENTS, 5000)} s of eventTime (${candidates.toLocaleString('en')} events), the latest (orderBy=eventTime) ${latestByTime.ms.toFixed(1)} ms, the warmest (orderBy=ex:temperature, sorting them all) ${warmest.ms.toFixed(1)} ms; ratio warmest / latest ${(warmest.ms / latestByTime.ms).toFixed(1)}`);
      log(`  GET /epcis/events on the whole gateway's ${(await gw.size()).toLocaleString('en')} events: the last minute (GE_eventTime, a page of 100) ${window.ms.toFixed(1)} ms; a query matching none, a page (${QUERY_SCAN.toLocaleString('en')} events looked at at most) ${page.ms.toFixed(1)} ms, all ${all.pages} of its pages ${all.ms.toFixed(1)} ms; ratio last minute / every page ${(window.ms / all.ms).toFixed(2)}`);
    }
    if ((['raw', 'direct', 'gateway'] as const).every((k) => faults[k].length > 0)) {
      // each fault is a first touch of fresh memory: on a VM it costs microseconds, and a path that makes long strings
      // (V8 puts any string over ~128 KB in memory of its own) or grows its heap pays it again and again
      log(`  page faults per event (minor, the measured process's, median): raw ${median(faults.raw).toFixed(2)}, the contract directly ${median(faults.direct).toFixed(2)}, whole gateway ${median(faults.gateway).toFixed(2)} (its own process)`);
    }
    log(`  CPU per event (the process's, every thread, median) whole gateway / raw in its own thread: ${(median(cpu.gateway) / median(cpu[THREAD ? 'raw' : 'rawOther'])).toFixed(2)}; direct / raw: ${(median(cpu.direct) / median(cpu[THREAD ? 'raw' : 'rawOther'])).toFixed(2)}`);
    if (THREAD && threads.raw.length > 0 && threads.gateway.length > 0) {
      // Where the CPU time goes, thread by thread. A thread runs on one core at a time, so the busiest one bounds the rate
      // however many cores the machine has; on a machine of few cores the sum of them all does (the figure above).
      const byThread = (k: Measure): { main: number; ledger: number; rest: number } => ({
        main: median(threads[k].map((t) => t.main)), ledger: median(threads[k].map((t) => t.busiest)), rest: median(threads[k].map((t) => t.rest)),
      });
      const [r, d, g] = [byThread('raw'), byThread('direct'), byThread('gateway')];
      const fmt = (t: { main: number; ledger: number; rest: number }): string => `the ledger's thread ${t.ledger.toFixed(0)}, the main thread ${t.main.toFixed(0)}, the others together ${t.rest.toFixed(0)}`;
      log(`  CPU µs per event by thread (median; the ledger's thread is the busiest other than the main one; the others are V8's GC helpers, LevelDB's compactions, libuv's pool): raw ${fmt(r)}; the contract directly ${fmt(d)}; whole gateway ${fmt(g)}`);
      log(`  ratio raw's busiest thread / the whole gateway's busiest thread: ${(Math.max(r.main, r.ledger) / Math.max(g.main, g.ledger)).toFixed(2)} (the ratio if every thread had a core to itself; ${os.cpus().length} cores here)`);
      if ((['raw', 'direct', 'gateway'] as const).every((k) => ledgerTime[k].length > 0)) {
        // where the ledger's thread spends an event's wall time: a path bound by its cores waits for one; a path bound by
        // its hand-offs (the gateway's HTTP, its followers, its senders) leaves its ledger idle
        const spent = (k: Measure): string => {
          const t = ledgerTime[k];
          const [run, wait, idle] = [median(t.map((x) => x.run)), median(t.map((x) => x.wait)), median(t.map((x) => x.idle))];
          return `running ${run.toFixed(0)}, waiting for a core ${wait.toFixed(0)}, idle ${idle.toFixed(0)}`;
        };
        log(`  the ledger's thread, µs per event (median; /proc schedstat): raw ${spent('raw')}; the contract directly ${spent('direct')}; whole gateway ${spent('gateway')}`);
      }
    }
  } finally {
    if (router) await new Promise((r) => router?.server.close(r));
    await gateway?.close();
    await ledger.close();
    await other.close();
    await fs.promises.rm(root, { recursive: true, force: true });
  }
}

runAlone(module, run);
