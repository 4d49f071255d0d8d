/**
 * QR benchmark: codes per second (our 1-bit PNG beside `qrcode`'s own PNG renderer as the
 * baseline, and SVG), identifiers parsed per second, label-sheet throughput for a sheet of
 * thousands, and the resolver's consumer page under autocannon on loopback beside a static file
 * of the same size served by the same server (the server runs in a worker thread so the load
 * generator does not share its event loop).
 *
 * ZFC_QR_BENCH_SECONDS sets each timed phase (default 3), ZFC_QR_BENCH_LABELS the sheet size
 * (default 5000), ZFC_QR_BENCH_PHASES which phases run (default codes,labels,resolver). Run alone: `node .build/<you>/bench/qr.bench.js`.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Koa from 'koa';
import QRCode from 'qrcode';
import { parseIdentifier } from '../chaincode/digital-link';
import {
  createResolverRouter, findCjkFont, labelRequest, packageLink, qrPng, qrSvg, writeLabelSheet, DEFAULT_IMAGE_OPTIONS,
} from '../qr-service';
import { fixtureSource, GTIN } from '../test/qr/fixture-source';
import { median } from './rounds';
import { log, runAlone } from './standalone';

const SECONDS = Number(process.env['ZFC_QR_BENCH_SECONDS'] ?? 3);
const LABELS = Number(process.env['ZFC_QR_BENCH_LABELS'] ?? 5000);
const PHASES = (process.env['ZFC_QR_BENCH_PHASES'] ?? 'codes,labels,resolver').split(',');
const BASE = 'https://zfc.example.cn';
const ROUNDS = 3;
const PAGE_PATH = `/01/${GTIN}/10/LJ2026A/21/000001?17=271002`;

function link(i: number): string {
  return packageLink(BASE, { gtin: GTIN, lot: 'LJ2026A', serial: String(100000 + i), expiry: '2027-10-02' });
}

/** Throughput by the wall clock, and per second of this thread's CPU time (immune to other load). */
interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

/** Calls `fn` with a fresh index for `SECONDS` seconds. */
async function rate(fn: (i: number) => unknown): Promise<Rate> {
  for (let i = 0; i < 50; i++) await fn(i);
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let n = 0;
  let t = start;
  while (t < end) {
    for (let k = 0; k < 20; k++) await fn(n++);
    t = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: n / (Number(t - start) / 1e9), cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

function both(r: Rate): string {
  return `${fmt(r.wall)}/s wall, ${fmt(r.cpu)} per CPU-second`;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

async function codes(): Promise<void> {
  const o = DEFAULT_IMAGE_OPTIONS;
  const baseline = await rate((i) => QRCode.toBuffer(link(i), { type: 'png', width: o.size, margin: o.margin, errorCorrectionLevel: o.ecl }));
  const png = await rate((i) => qrPng(link(i)));
  const svg = await rate((i) => qrSvg(link(i)));
  log(`qr: PNG ${o.size}px codes: ${both(png)} (goal ≥ 1,000/s) — qrcode's own PNG renderer ${both(baseline)}; ratio ${(png.cpu / baseline.cpu).toFixed(1)}×`);
  log(`qr: SVG codes: ${both(svg)}`);
  const urns = Array.from({ length: 1000 }, (_, i) => `urn:epc:id:sgtin:9506000.013435.${100000 + i}`);
  const links = Array.from({ length: 1000 }, (_, i) => link(i));
  const parseUrn = await rate((i) => parseIdentifier(urns[i % 1000] as string));
  const parseLink = await rate((i) => parseIdentifier(links[i % 1000] as string));
  log(`qr: identifiers parsed: EPC URN ${both(parseUrn)}; Digital Link ${both(parseLink)}`);
}

async function labels(): Promise<void> {
  let font;
  try {
    font = findCjkFont();
  } catch (err) {
    log(`qr: label sheet skipped: ${(err as Error).message.split('\n')[0]}`);
    return;
  }
  const request = labelRequest({
    productNameZh: '西湖龙井茶 特级 250克', productNameEn: 'West Lake Longjing Tea, Special Grade, 250 g',
    gtin: GTIN, lot: 'LJ2026A', expiry: '2027-10-02', serialRange: { from: 1, to: LABELS, width: 6 },
  }, LABELS);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const summary = await writeLabelSheet(request, sink, { baseUrl: BASE, font });
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  log(`qr: label sheet of ${fmt(summary.labels)} labels: ${summary.pages} pages, ${(summary.bytes / 1048576).toFixed(2)} MB (${Math.round(summary.bytes / summary.labels)} bytes/label); `
    + `${secs.toFixed(2)} s = ${fmt(summary.labels / secs)} labels/s wall, ${fmt(summary.labels / cpuSecs)} per CPU-second`);
}

// ------------------------------------------------------------------------------------------
// Resolver vs static file under load

async function serve(staticFile: string): Promise<number> {
  const app = new Koa();
  app.silent = true; // autocannon hangs up mid-response when a run ends; that is not news
  app.use(async (ctx, next) => {
    if (ctx.path !== '/static/page.html') return next();
    const stat = await fs.promises.stat(staticFile);
    ctx.type = 'text/html; charset=utf-8';
    ctx.length = stat.size;
    ctx.set('Last-Modified', stat.mtime.toUTCString());
    ctx.body = fs.createReadStream(staticFile);
  });
  app.use(createResolverRouter({ baseUrl: BASE, source: fixtureSource(), today: () => '2026-05-01' }).routes());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'qr-bench-server') {
  void serve((workerData as { staticFile: string }).staticFile).then((port) => parentPort?.postMessage(port));
}

interface CannonResult {
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string>): Promise<CannonResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as (o: object) => Promise<CannonResult>;
  return autocannon({ url, connections: 10, duration: Math.max(2, SECONDS), headers });
}

async function resolver(): Promise<void> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-qr-bench-'));
  const worker = new Worker(__filename, { workerData: { role: 'qr-bench-server', staticFile: path.join(dir, 'page.html') } });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const url = `http://127.0.0.1:${port}`;
    const headers = { accept: 'text/html', 'accept-language': 'zh-CN' };
    const page = await (await fetch(url + PAGE_PATH, { headers })).text();
    await fs.promises.writeFile(path.join(dir, 'page.html'), page);
    // Interleaved rounds, medians: the machine is shared, so load drifts during a run.
    const runs: Record<'static' | 'page' | 'json', CannonResult[]> = { static: [], page: [], json: [] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.static.push(await load(`${url}/static/page.html`, headers));
      runs.page.push(await load(url + PAGE_PATH, headers));
      runs.json.push(await load(url + PAGE_PATH, { accept: 'application/json' }));
    }
    const rps = (k: keyof typeof runs): number => median(runs[k].map((r) => r.requests.average));
    const p99 = (k: keyof typeof runs): number => median(runs[k].map((r) => r.latency.p99));
    const failures = Object.values(runs).flat().reduce((n, r) => n + r.non2xx + r.errors, 0);
    const ratios = runs.page.map((r, i) => r.requests.average / (runs.static[i] as CannonResult).requests.average);
    log(`qr: loopback, 10 connections, ${ROUNDS} interleaved rounds of ${Math.max(2, SECONDS)} s, medians${failures > 0 ? ` (${failures} failed requests!)` : ''}`);
    log(`qr: static file (${fmt(page.length)} bytes) req/s: ${fmt(rps('static'))}, p99 ${p99('static')} ms`);
    log(`qr: resolver consumer page req/s: ${fmt(rps('page'))}, p99 ${p99('page')} ms; ratio to static per round ${ratios.map((r) => r.toFixed(2)).join(', ')} (goal ≥ 0.5)`);
    log(`qr: resolver linkset JSON req/s: ${fmt(rps('json'))}, p99 ${p99('json')} ms`);
  } finally {
    await worker.terminate();
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  log(`qr: benchmark (${SECONDS} s per phase, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  if (PHASES.includes('codes')) await codes();
  if (PHASES.includes('labels')) await labels();
  if (PHASES.includes('resolver')) await resolver();
}

if (isMainThread) runAlone(module, run);
