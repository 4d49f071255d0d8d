/**
 * Trace benchmark: trace back (a shop's item → every origin) and trace forward (a farm lot →
 * every shop) on a synthetic chain of one million events, answered by the trace index and by
 * SQLite with recursive CTEs over an indexed edge table, on the same data in the same run.
 *
 * ZFC_TRACE_EVENTS sets the size (default 1,000,000); ZFC_TRACE_QUERIES the samples per query.
 * Run alone: `node .build/<you>/bench/trace.bench.js` (or `npm run bench` for every bench).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceIndex, factSeq } from '../gateway-api/trace-index';
import { IndexResolverSource } from '../gateway-api/index-resolver-source';
import { TraceGraphStore } from '../gateway-api/trace-graph';
import { MAX_NOTICES } from '../qr-service';
import type { Fact, PositionedFact, TraceGraph } from '../gateway-api/trace-model';
import { buildChain, prng, type ChainEvent } from './trace-chain';
import { SqliteTrace, type SqlTrace } from './trace-sqlite';
import { median } from './rounds';
import { log, runAlone } from './standalone';

const EVENTS = Number(process.env['ZFC_TRACE_EVENTS'] ?? 1_000_000);
const QUERIES = Number(process.env['ZFC_TRACE_QUERIES'] ?? 300);
const BATCH = 10_000;

interface Timing {
  p50: number;
  p99: number;
  mean: number;
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-trace-bench-'));
  try {
    await bench(dir);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

async function bench(dir: string): Promise<void> {
  log(`trace: generating a synthetic chain of ${EVENTS.toLocaleString('en')} events`);
  let t = now();
  const batches: PositionedFact[][] = [];
  let current: PositionedFact[] = [];
  let n = 0;
  const shipmentIds = new Set<string>();
  const shape = buildChain(EVENTS, (e: ChainEvent) => {
    const at = { blockNumber: Math.floor(n / 100), txIndex: n % 100 };
    const timestamp = new Date(Date.UTC(2026, 4, 1) + n * 1000).toISOString();
    e.facts.forEach((f, i) => current.push({ ...f, txId: `tx${n}`, timestamp, seq: factSeq(at, i) } as PositionedFact));
    for (const f of e.facts) if (f.type === 'hop' && f.kind === 'ship' && f.shipmentId) shipmentIds.add(f.shipmentId);
    n += 1;
    if (n % BATCH === 0) {
      batches.push(current);
      current = [];
    }
  });
  if (current.length > 0) batches.push(current);
  const facts = batches.reduce((s, b) => s + b.length, 0);
  log(`  ${n.toLocaleString('en')} events, ${facts.toLocaleString('en')} facts; ${shape.farms} farms, ${shape.processors} processors, ${shape.distributors} distributors, ${shape.shops} shops, ${shape.farmLots.length} farm lots (${secs(t)})`);

  t = now();
  let index = await TraceIndex.open({ dir: path.join(dir, 'index') });
  for (const [i, b] of batches.entries()) {
    const last = b[b.length - 1] as PositionedFact;
    const [block, tx] = last.seq.split('.');
    await index.applyPositioned(b, { blockNumber: Number(block), txIndex: Number(tx) });
    if (i % 20 === 19) log(`  index: ${((i + 1) * BATCH).toLocaleString('en')} events`);
  }
  const indexLoad = secs(t);
  log(`  loaded into the trace index (level + memory) in ${indexLoad}; heap ${heapMb()} MB`);

  t = now();
  await index.close();
  index = await TraceIndex.open({ dir: path.join(dir, 'index') });
  const reopen = secs(t);
  log(`  reopened the index (graph loaded from level) in ${reopen}; heap ${heapMb()} MB`);

  t = now();
  const sql = new SqliteTrace(path.join(dir, 'trace.sqlite'));
  for (const b of batches) sql.load(b);
  log(`  loaded into SQLite in ${secs(t)}`);
  batches.length = 0;

  const rnd = prng(7);
  const backStarts = Array.from({ length: QUERIES }, () => shape.shopItems[Math.floor(rnd() * shape.shopItems.length)] as { gtin: string; lot: string; serial: string });
  const fwdStarts = Array.from({ length: QUERIES }, () => shape.farmLots[Math.floor(rnd() * shape.farmLots.length)] as { gtin: string; lot: string });

  let mismatches = check(index, sql, backStarts, fwdStarts);
  for (const s of fwdStarts.slice(0, 50)) {
    const g = index.traceForward({ lot: s }, '');
    const d = await index.traceOnDisk('forward', s);
    if (d.lots !== g.lots.length || d.edges !== g.edges.length || d.hops !== g.hops.length) mismatches += 1;
  }
  // Alternate the two engines query by query, so a burst of load on the machine hits both alike.
  const [back, backSql] = timePair(backStarts, (s) => index.traceBack({ item: s }, `${s.gtin}/${s.lot}/${s.serial}`), (s) => sql.traceBack(s.gtin, s.lot));
  const [fwd, fwdSql] = timePair(fwdStarts, (s) => index.traceForward({ lot: s }, `${s.gtin}/${s.lot}`), (s) => sql.traceForward(s.gtin, s.lot));
  const backDisk = await timeAsync(backStarts, (s) => index.traceOnDisk('back', s));
  const fwdDisk = await timeAsync(fwdStarts, (s) => index.traceOnDisk('forward', s));
  const sizeB = avg(backStarts.map((s) => index.traceBack({ item: s }, '').lots.length));
  const sizeF = fwdStarts.map((s) => index.traceForward({ lot: s }, ''));

  log(`  trace back: ${sizeB.toFixed(1)} lots per answer on average; trace forward: ${avg(sizeF.map((g) => g.lots.length)).toFixed(1)} lots, ${avg(sizeF.map((g) => g.hops.length)).toFixed(0)} hops, ${avg(sizeF.map((g) => new Set(g.holders.map((h) => h.participant)).size)).toFixed(0)} holders`);
  log(`  ${QUERIES} queries each; answers compared with SQLite: ${mismatches === 0 ? 'identical counts' : `${mismatches} MISMATCHES`}`);
  log('  query            index p50   index p99   sqlite p50  sqlite p99  p99 ratio (sqlite/index)');
  row('trace back', back, backSql);
  row('trace forward', fwd, fwdSql);
  log('  the same index answered from level range scans alone (no memory graph), for comparison:');
  log(`  trace back      p50 ${backDisk.p50.toFixed(3)} ms  p99 ${backDisk.p99.toFixed(3)} ms (${(backDisk.p99 / back.p99).toFixed(1)}× the memory graph's p99)`);
  log(`  trace forward   p50 ${fwdDisk.p50.toFixed(3)} ms  p99 ${fwdDisk.p99.toFixed(3)} ms (${(fwdDisk.p99 / fwd.p99).toFixed(1)}× the memory graph's p99)`);
  log(`  goals: p99 back ≤ 10 ms ${back.p99 <= 10 ? 'met' : 'MISSED'}; p99 forward ≤ 100 ms ${fwd.p99 <= 100 ? 'met' : 'MISSED'}; faster than SQLite on both ${back.p99 < backSql.p99 && fwd.p99 < fwdSql.p99 ? 'yes' : 'NO'}`);
  // the regulator's inspection plan (one pass over every lot, shipment and recall) beside the
  // pass over every lot that /v1/warnings already makes (lots shipped without a passing test)
  // with signals to find: a recall of 10 farm lots and every lot made from them, and failed tests of 100 more
  const recalled = shape.farmLots.slice(0, 10);
  const risky: Fact[] = [{ type: 'recall', recallId: 'RC-BENCH', lots: recalled, reason: 'bench', issuer: 'regulator' }];
  for (const start of recalled) for (const l of index.traceForward({ lot: start }, '').lots) risky.push({ type: 'status', lotRef: { gtin: l.gtin, lot: l.lot }, status: 'recalled', recallId: 'RC-BENCH' });
  for (const [i, lotRef] of shape.farmLots.slice(10, 110).entries()) risky.push({ type: 'test', lotRef, testId: `T-FAIL-${i}`, lab: 'lab-0', verdict: 'fail' });
  await index.applyFacts(risky, { blockNumber: Math.ceil(n / 100) + 1, txIndex: 0, txId: 'tx-risk', timestamp: new Date(Date.UTC(2026, 11, 1)).toISOString() });
  const asOf = new Date(Date.UTC(2027, 0, 1)).toISOString();
  const planned = index.inspectionPlan({ asOf, overdueDays: 7, limit: 50 });
  const [planMs, passMs] = [medianMs(() => index.inspectionPlan({ asOf, overdueDays: 7, limit: 50 })), medianMs(() => index.untestedShipped())];
  log(`  inspection plan over ${index.lotCount.toLocaleString('en')} lots (${planned.total} sites with a signal): ${planMs.toFixed(1)} ms, beside the untested-lots pass of /v1/warnings ${passMs.toFixed(1)} ms (median of 5 each; ratio ${(planMs / passMs).toFixed(1)})`);
  // GET /v1/shipments beside GET /v1/shipments/{id}: a shop's inbox of shipments in transit (empty: every synthetic
  // shipment is received) and its first page of what it received, from its own list of shipments; and a regulator's
  // first page of everyone's, one pass over every shipment
  const someShipment = shipmentIds.values().next().value as string;
  const [inboxMs, pageMs, allMs, oneMs] = [
    medianMs(() => index.shipments({ participant: 'shop-0', direction: 'incoming', status: 'in_transit' })),
    medianMs(() => index.shipments({ participant: 'shop-0', direction: 'incoming', limit: 50 })),
    medianMs(() => index.shipments({ limit: 50 })),
    medianMs(() => index.shipment(someShipment)),
  ];
  const shopShipments = index.shipments({ participant: 'shop-0', direction: 'incoming', limit: 500 }).shipments.length;
  // the public recall notices (/recalls) of the recall above: built once per recall change, then kept
  const notices = new IndexResolverSource(index);
  let t0 = performance.now();
  const built = await notices.recalls(MAX_NOTICES);
  const buildMs = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < 100; i++) await notices.recalls(MAX_NOTICES);
  const keptMs = (performance.now() - t0) / 100;
  const reached = built.reduce((n, r) => n + r.products.reduce((m, p) => m + p.lots.length + p.moreLots, 0), 0);
  log(`  recall notices (${built.length} recall reaching ${reached.toLocaleString('en')} lots): built in ${buildMs.toFixed(1)} ms, then answered from what was built in ${keptMs.toFixed(3)} ms until a recall changes`);
  // GET /v1/recalls/{id}: the same recall with its progress (per lot reached: sold, destroyed, held and by whom, in transit)
  const progressMs = medianMs(() => index.recall('RC-BENCH'));
  const withProgress = index.recall('RC-BENCH');
  const stillHeld = withProgress.progress.lots.filter((l) => l.held > 0).length;
  log(`  a recall's progress (GET /v1/recalls/{id}, ${withProgress.progress.lots.length.toLocaleString('en')} lots, ${stillHeld.toLocaleString('en')} still held): ${progressMs.toFixed(1)} ms (median of 5), ${(JSON.stringify(withProgress).length / 1024).toFixed(0)} KiB of JSON`);
  const wide = await widePages(index, 20_000, Math.ceil(n / 100) + 2);
  log(`  a complete recall reaching ${wide.lots.toLocaleString('en')} lots, each shipped, received and destroyed (closed out), a page of 50 at a time: the first page after the index changed ${wide.firstMs.toFixed(1)} ms (whether it is closed out looks at every lot), the next pages until it changes again ${wide.nextMs.toFixed(2)} ms (median of 5 each; ratio ${(wide.firstMs / wide.nextMs).toFixed(0)}); ${(wide.pageBytes / 1024).toFixed(0)} KiB of JSON a page`);
  // GET /v1/holdings: a shop's own stock (its lots), the recalled stock of everyone, and everyone's first page (every lot's holders)
  const [shopStockMs, recalledStockMs, allStockMs] = [
    medianMs(() => index.holdings({ participant: 'shop-0' })),
    medianMs(() => index.holdings({ status: 'recalled' })),
    medianMs(() => index.holdings({ limit: 50 })),
  ];
  const recalledHeld = index.holdings({ status: 'recalled', limit: 500 }).holdings.length;
  const [lotsPageMs, productPageMs] = [medianMs(() => index.searchLots({ limit: 50 })), medianMs(() => index.searchLots({ product: shape.farmLots[0]?.gtin as string, limit: 50 }))];
  log(`  GET /v1/lots: the first page of 50 of all ${index.lotCount.toLocaleString('en')} lots ${lotsPageMs.toFixed(2)} ms; of one product's ${productPageMs.toFixed(2)} ms (median of 5 each)`);
  log(`  stock: shop-0's own ${shopStockMs.toFixed(1)} ms; every holder of recalled lots (${recalledHeld}${recalledHeld === 500 ? '+' : ''} entries) ${recalledStockMs.toFixed(1)} ms; everyone's first page of 50 ${allStockMs.toFixed(1)} ms (median of 5 each)`);
  const [recalledMs, heldMs] = [wideStatusMs(20_000, 'RC-WIDE'), wideStatusMs(20_000, '')];
  log(`  a recall reaching 20,000 lots: their status facts applied in ${recalledMs.toFixed(0)} ms, beside the same lots put on hold (no recall to note them in) ${heldMs.toFixed(0)} ms; ratio ${(recalledMs / heldMs).toFixed(1)}`);
  log(`  shipments (${shipmentIds.size.toLocaleString('en')}): shop-0's inbox, in transit, ${inboxMs.toFixed(3)} ms; its first page of 50 (of ${shopShipments}${shopShipments === 500 ? '+' : ''} received) ${pageMs.toFixed(3)} ms; a regulator's first page of all ${allMs.toFixed(1)} ms; one shipment by ID ${oneMs.toFixed(3)} ms (median of 5 each)`);
  sql.close();
  await index.close();
}

function check(index: TraceIndex, sql: SqliteTrace, back: { gtin: string; lot: string; serial: string }[], fwd: { gtin: string; lot: string }[]): number {
  let bad = 0;
  const same = (g: TraceGraph, s: SqlTrace): boolean =>
    g.lots.length === s.lots && g.edges.length === s.edges && g.hops.length === s.hops && (g.direction === 'back' || g.holders.length === s.holders);
  for (const s of back) if (!same(index.traceBack({ item: s }, ''), sql.traceBack(s.gtin, s.lot))) bad += 1;
  for (const s of fwd) if (!same(index.traceForward({ lot: s }, ''), sql.traceForward(s.gtin, s.lot))) bad += 1;
  return bad;
}

function timePair<T>(starts: readonly T[], a: (s: T) => unknown, b: (s: T) => unknown): [Timing, Timing] {
  for (const s of starts.slice(0, 20)) {
    a(s);
    b(s);
  }
  const msA: number[] = [];
  const msB: number[] = [];
  const once = (fn: (s: T) => unknown, s: T): number => {
    const t = process.hrtime.bigint();
    fn(s);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  for (const s of starts) {
    msA.push(once(a, s));
    msB.push(once(b, s));
  }
  return [timing(msA), timing(msB)];
}

function timing(ms: number[]): Timing {
  ms.sort((x, y) => x - y);
  const at = (q: number): number => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] as number;
  return { p50: at(0.5), p99: at(0.99), mean: avg(ms) };
}

async function timeAsync<T>(starts: readonly T[], fn: (s: T) => Promise<unknown>): Promise<Timing> {
  for (const s of starts.slice(0, 20)) await fn(s);
  const ms: number[] = [];
  for (const s of starts) {
    const t = process.hrtime.bigint();
    await fn(s);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return timing(ms);
}

function row(name: string, idx: Timing, sql: Timing): void {
  const f = (x: number): string => `${x.toFixed(3)} ms`.padStart(11);
  log(`  ${name.padEnd(15)} ${f(idx.p50)} ${f(idx.p99)} ${f(sql.p50)} ${f(sql.p99)}  ${(sql.p99 / idx.p99).toFixed(1)}× (p50 ${(sql.p50 / idx.p50).toFixed(1)}×)`);
}

/**
 * A complete recall reaching `n` new lots of `index`, each shipped to a shop, received and
 * destroyed there (so that the recall is closed out, and finding so looks at every lot), then
 * its progress read a page at a time: the first page after any change to the index (which
 * works out whether it is closed out), and a next page until the index changes again.
 */
async function widePages(index: TraceIndex, n: number, firstBlock: number): Promise<{ lots: number; firstMs: number; nextMs: number; pageBytes: number }> {
  const gtin = '09506000134369';
  const facts: Fact[] = [{ type: 'recall', recallId: 'RC-PAGES', lots: [{ gtin, lot: 'WP0' }], reason: 'bench', issuer: 'regulator', status: 'complete' }];
  for (let i = 0; i < n; i++) {
    const lotRef = { gtin, lot: `WP${i}` };
    const shop = `shop-${i % 50}`;
    facts.push(
      { type: 'lot', kind: 'commissioning', gtin, lot: lotRef.lot, producer: 'farm-0', quantity: 10, unit: 'KGM', location: '', productionDate: '2026-05-01' },
      { type: 'hop', kind: 'ship', lotRef, from: 'farm-0', to: shop, quantity: 10, unit: 'KGM', shipmentId: `SH-WP${i}` },
      { type: 'hop', kind: 'receive', lotRef, from: 'farm-0', to: shop, quantity: 10, unit: 'KGM', shipmentId: `SH-WP${i}` },
      { type: 'hop', kind: 'dispose', lotRef, from: shop, to: '', quantity: 10, unit: 'KGM' },
      { type: 'status', lotRef, status: 'recalled', recallId: 'RC-PAGES' },
    );
  }
  const at = (block: number, txId: string): { blockNumber: number; txIndex: number; txId: string; timestamp: string } => ({ blockNumber: block, txIndex: 0, txId, timestamp: '2026-05-02T00:00:00.000Z' });
  let block = firstBlock;
  for (let i = 0; i < facts.length; i += 5000) await index.applyFacts(facts.slice(i, i + 5000), at(block++, `tx-pages-${i}`)); // a transaction's facts are numbered in 4 digits
  const first = index.recall('RC-PAGES');
  if (!first.progress.closedOut || first.affectedCount !== n) throw new Error(`the wide recall is not closed out over ${n} lots: ${first.affectedCount}`);
  const firstMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    await index.applyFacts([{ type: 'product', gtin, name: `touched ${i}` }], at(block++, `tx-touch-${i}`)); // any change at all
    const t = performance.now();
    index.recall('RC-PAGES');
    firstMs.push(performance.now() - t);
  }
  const cursor = first.progress.next as string;
  return { lots: first.affectedCount, firstMs: median(firstMs), nextMs: medianMs(() => index.recall('RC-PAGES', { cursor })), pageBytes: JSON.stringify(first).length };
}

/**
 * Milliseconds to apply `n` status facts to a fresh graph of `n` lots: `recalled` under recall
 * `recallId` (each lot noted as reached), or `on_hold` with none.
 */
function wideStatusMs(n: number, recallId: string): number {
  const graph = new TraceGraphStore();
  const at = (i: number): { txId: string; timestamp: string; seq: string } => ({ txId: `tx${i}`, timestamp: '2026-05-01T00:00:00.000Z', seq: String(i).padStart(12, '0') });
  const gtin = '09506000134352';
  for (let i = 0; i < n; i++) graph.apply({ type: 'lot', kind: 'commissioning', gtin, lot: `W${i}`, producer: 'farm-0', quantity: 1, unit: 'EA', ...at(i) });
  if (recallId) graph.apply({ type: 'recall', recallId, lots: [{ gtin, lot: 'W0' }], reason: 'bench', issuer: 'regulator', ...at(n) });
  const t = performance.now();
  for (let i = 0; i < n; i++) graph.apply({ type: 'status', lotRef: { gtin, lot: `W${i}` }, status: recallId ? 'recalled' : 'on_hold', ...(recallId ? { recallId } : {}), ...at(n + 1 + i) });
  return performance.now() - t;
}

/** The median of five timings of `fn`, in milliseconds. */
function medianMs(fn: () => unknown): number {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

function avg(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function now(): bigint {
  return process.hrtime.bigint();
}

function secs(t: bigint): string {
  return `${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s`;
}

function heapMb(): number {
  return Math.round(process.memoryUsage().heapUsed / 1e6);
}

runAlone(module, run);
