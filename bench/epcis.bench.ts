/**
 * EPCIS capture benchmark: events captured per second through `POST /epcis/capture` (a real
 * Koa server on 127.0.0.1, the `epcis` contract on the embedded ledger: schema validation,
 * identifier normalisation, event hash IDs, dedupe, lot rules), beside the embedded
 * ledger's raw ingest rate in the same run — the same events submitted as opaque JSON, one key
 * each, by a contract that does nothing else. Goal: capture at least half the raw rate.
 * Two more figures say where the difference goes: the raw rate for the capture's state shape
 * (one read and two writes per event: the dedupe read, the record and its time index key; the
 * identifier and bizStep indexes are the gateway projection's, not the ledger's), and the
 * contract's rate without HTTP.
 *
 * ZFC_EPCIS_EVENTS sets the events per measure (default 10,000); ZFC_EPCIS_BATCH the events per
 * document / transaction (default 500); ZFC_EPCIS_CONCURRENCY the documents in flight (4);
 * ZFC_EPCIS_ROUNDS the interleaved rounds whose medians are reported (3).
 * Run alone: `node .build/<you>/bench/epcis.bench.js` (or `npm run bench` for every bench).
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import Koa from 'koa';
import { canonicalBytes } from '../chaincode/canonical-json';
import { ZfcError } from '../chaincode/errors';
import { EpcisContract } from '../chaincode/epcis-contract';
import { identityHash, KEY } from '../chaincode/keys';
import { CaptureJobs } from '../gateway-api/epcis-capture-jobs';
import { createEpcisRouter } from '../gateway-api/epcis-routes';
import { LedgerEventStore } from '../gateway-api/epcis-store';
import { createCertificateAuthority, openEmbeddedLedger, type Identity, type Ledger } from '../ledger-tools';

const EVENTS = Number(process.env['ZFC_EPCIS_EVENTS'] ?? 10_000);
const BATCH = Number(process.env['ZFC_EPCIS_BATCH'] ?? 500);
const CONCURRENCY = Number(process.env['ZFC_EPCIS_CONCURRENCY'] ?? 4);
const ROUNDS = Number(process.env['ZFC_EPCIS_ROUNDS'] ?? 3);

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The baseline: stores each event as given under one key, and registers the bench caller. */
@Info({ title: 'raw', description: 'benchmark baseline' })
class RawContract extends Contract {
  constructor() {
    super('raw');
  }

  @Transaction()
  @Returns('string')
  async PutEvents(ctx: Context, eventsJson: string): Promise<string> {
    const events = JSON.parse(eventsJson) as unknown[];
    const txId = ctx.stub.getTxID();
    for (let i = 0; i < events.length; i++) await ctx.stub.putState(`raw|${txId}|${i}`, canonicalBytes(events[i]));
    return String(events.length);
  }

  /** The capture's state shape without its logic: per event one read and two writes. */
  @Transaction()
  @Returns('string')
  async PutIndexed(ctx: Context, eventsJson: string): Promise<string> {
    const events = JSON.parse(eventsJson) as Array<Record<string, unknown>>;
    const txId = ctx.stub.getTxID();
    await Promise.all(events.map((_, i) => ctx.stub.getState(`shape.e|${txId}|${i}`)));
    for (let i = 0; i < events.length; i++) {
      const e = events[i] ?? {};
      await ctx.stub.putState(`shape.e|${txId}|${i}`, canonicalBytes(e));
      await ctx.stub.putState(`shape.t|${String(e['eventTime'])}|${txId}|${i}`, Buffer.from(txId));
    }
    return String(events.length);
  }

  @Transaction()
  @Returns('string')
  async Register(ctx: Context, id: string): Promise<string> {
    const link = identityHash(ctx.clientIdentity.getMSPID(), ctx.clientIdentity.getID());
    await ctx.stub.putState(ctx.stub.createCompositeKey(KEY.participant, [id]), canonicalBytes({ id, name: id, role: 'distributor', status: 'active', identities: [] }));
    await ctx.stub.putState(ctx.stub.createCompositeKey(KEY.identity, [link]), canonicalBytes({ participant: id }));
    return id;
  }
}

function event(i: number, series: string): Record<string, unknown> {
  const t = new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString();
  return {
    type: 'ObjectEvent',
    eventTime: t,
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: i % 2 === 0 ? 'shipping' : 'receiving',
    disposition: 'in_transit',
    epcList: [i % 2 === 0 ? `urn:epc:id:sgtin:0614141.107346.${series}${i}` : `https://id.gs1.org/01/10614141073464/21/${series}${i}`],
    readPoint: { id: 'urn:epc:id:sgln:0614141.07346.1234' },
    bizTransactionList: [{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:0614141073467:${i}` }],
    'ex:temperature': { 'ex:celsius': 4 + (i % 3) },
  };
}

/** The documents' events; each series names other items, so no run's events are duplicates of another's. */
function documents(series: string): Array<Record<string, unknown>[]> {
  const docs: Array<Record<string, unknown>[]> = [];
  for (let i = 0; i < EVENTS; i += BATCH) docs.push(Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, j) => event(i + j, series)));
  return docs;
}

const epcisDocument = (events: Record<string, unknown>[]): Record<string, unknown> => ({
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.org/ext/' }],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-03-01T00:00:00Z',
  epcisBody: { eventList: events },
});

async function pool<T>(items: T[], worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await worker(items[next++] as T);
  }));
}

async function rawRate(ledger: Ledger, who: Identity, docs: Array<Record<string, unknown>[]>, fn = 'raw:PutEvents'): Promise<number> {
  const t = performance.now();
  await pool(docs, async (events) => {
    await ledger.submit(fn, [JSON.stringify(events)], who);
  });
  return docs.reduce((n, d) => n + d.length, 0) / ((performance.now() - t) / 1000);
}

async function directRate(ledger: Ledger, who: Identity, docs: Array<Record<string, unknown>[]>): Promise<number> {
  const t = performance.now();
  await pool(docs, async (events) => {
    await ledger.submit('epcis:CaptureEvents', [JSON.stringify(epcisDocument(events))], who);
  });
  return docs.reduce((n, d) => n + d.length, 0) / ((performance.now() - t) / 1000);
}

/** Documents POSTed to /epcis/capture; each counts once its capture job has finished (awaited in process, not polled). */
async function captureRate(base: string, jobs: CaptureJobs, docs: Array<Record<string, unknown>[]>): Promise<number> {
  const t = performance.now();
  await pool(docs, async (events) => {
    const res = await fetch(`${base}/epcis/capture`, { method: 'POST', headers: { 'content-type': 'application/ld+json' }, body: JSON.stringify(epcisDocument(events)) });
    if (res.status !== 202) throw new Error(`capture answered ${res.status}: ${await res.text()}`);
    const { captureID } = (await res.json()) as { captureID: string };
    const job = jobs.get(captureID);
    await job?.done;
    if (!job || !job.success) throw new Error(`capture failed: ${JSON.stringify(job?.errors)}`);
  });
  return docs.reduce((n, d) => n + d.length, 0) / ((performance.now() - t) / 1000);
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-epcis-bench-'));
  const ledger = await openEmbeddedLedger({ dir: path.join(root, 'ledger'), contracts: [EpcisContract, RawContract] });
  const server = createServer();
  try {
    const who = await (await createCertificateAuthority('Org1MSP')).issue({ commonName: 'bench', organizationalUnit: 'client' });
    await ledger.submit('raw:Register', ['P-BENCH'], who);
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        const e = err instanceof ZfcError ? err : new ZfcError('INTERNAL');
        ctx.status = e.status;
        ctx.body = e.toJSON();
      }
    });
    const jobs = new CaptureJobs();
    const router = createEpcisRouter({ store: new LedgerEventStore(ledger), identityOf: () => who, jobs });
    app.use(router.routes());
    server.on('request', app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const warm = documents('W')[0] ?? [];
    await rawRate(ledger, who, [warm], 'raw:PutIndexed');
    await rawRate(ledger, who, [warm]); // compile schemas, load code paths, fill caches: every side
    await directRate(ledger, who, [documents('V')[0] ?? []]);
    await captureRate(base, jobs, [documents('U')[0] ?? []]);
    log(`epcis: ${EVENTS.toLocaleString('en')} events per measure, ${BATCH} per document, ${CONCURRENCY} in flight, ${ROUNDS} interleaved rounds (medians)`);
    const rates: Record<'raw' | 'shaped' | 'direct' | 'capture', number[]> = { raw: [], shaped: [], direct: [], capture: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // interleaved, so that a busy spell of a shared machine weighs on every measure alike
      rates.raw.push(await rawRate(ledger, who, documents(`R${r}-`)));
      rates.shaped.push(await rawRate(ledger, who, documents(`H${r}-`), 'raw:PutIndexed'));
      rates.direct.push(await directRate(ledger, who, documents(`D${r}-`)));
      rates.capture.push(await captureRate(base, jobs, documents(`C${r}-`)));
    }
    const raw = median(rates.raw);
    const shaped = median(rates.shaped);
    const direct = median(rates.direct);
    const capture = median(rates.capture);
    const each = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
    log(`  raw ledger ingest (opaque JSON, one key per event):   ${raw.toFixed(0)} events/s  [${each(rates.raw)}]`);
    log(`  raw, capture's state shape (1 read + 2 writes/event): ${shaped.toFixed(0)} events/s  [${each(rates.shaped)}]`);
    log(`  epcis:CaptureEvents submitted directly (no HTTP):     ${direct.toFixed(0)} events/s  [${each(rates.direct)}]`);
    log(`  POST /epcis/capture (validate, normalise, hash, index): ${capture.toFixed(0)} events/s  [${each(rates.capture)}]`);
    log(`  ratio capture / raw: ${(capture / raw).toFixed(2)} (goal ≥ 0.50); same-shape raw / raw: ${(shaped / raw).toFixed(2)}; direct / raw: ${(direct / raw).toFixed(2)}`);
  } finally {
    await new Promise((r) => server.close(r));
    await ledger.close();
    await fs.promises.rm(root, { recursive: true, force: true });
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (require.main === module) {
  run().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
