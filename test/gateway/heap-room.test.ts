/* eslint-disable @typescript-eslint/no-explicit-any -- the test reads arbitrary JSON answers */
/**
 * EPCIS capture is refused, recording nothing, once the heap live after a full garbage collection
 * reaches CAPTURE_HEAP_LIMIT_MB (gateway-api/heap-room.ts): a bulk sender gets a typed 507 that
 * says what to do, instead of filling the heap until Node aborts. Reads and the ledger's own
 * routes go on. Real gateways; the full collection is forced, so the figure judged is known.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { Level } from 'level';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { ConfigError, loadConfig } from '../../gateway-api/config';
import { CaptureJobs } from '../../gateway-api/epcis-capture-jobs';
import { defaultHeapLimitMb, defaultStoreHeapLimitMb, defaultTraceIndexHeapLimitMb, HeapRoom, heapLimitMb, heapLiveBytes, semiSpaceMb } from '../../gateway-api/heap-room';
import { startGateway } from '../../gateway-api/server';
import { call, fullCollection, metric, removeDir, startTestGateway, type TestGateway } from './support';

const document = (serial: string): unknown => ({
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-03-01T00:00:00Z',
  epcisBody: { eventList: [{ type: 'ObjectEvent', eventTime: '2026-03-01T08:00:00Z', eventTimeZoneOffset: '+08:00', action: 'OBSERVE', bizStep: 'inspecting', epcList: [`urn:epc:id:sgtin:0614141.107346.${serial}`] }] },
});

/** One event to POST alone, with its @context. */
const eventOf = (serial: string): unknown => {
  const doc = document(serial) as { '@context': unknown; epcisBody: { eventList: Record<string, unknown>[] } };
  return { '@context': doc['@context'], ...doc.epcisBody.eventList[0] };
};

describe('gateway: EPCIS capture refused when the heap is full', function () {
  this.timeout(60_000);

  it('reads the heap after a full collection, and says once when refusals start', async () => {
    heapLiveBytes(); // watching from now on
    await fullCollection();
    const live = heapLiveBytes();
    expect(live).to.be.greaterThan(1024 * 1024);
    const lines: string[] = [];
    const full = new HeapRoom(1, (l) => lines.push(l));
    for (let i = 0; i < 3; i++) {
      try {
        full.assertRoom();
        expect.fail('a heap above the limit must refuse');
      } catch (err: any) {
        expect(err.code).to.equal('CAPTURE_NO_ROOM');
        expect(err.status).to.equal(507);
        expect(err.details.limitBytes).to.equal(1024 * 1024);
        expect(err.details.heapLiveBytes).to.be.at.least(live * 0.5);
      }
    }
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include('CAPTURE_HEAP_LIMIT_MB=1').and.include('--max-old-space-size');
    const roomy = new HeapRoom(1024 * 1024, (l) => lines.push(l));
    roomy.assertRoom();
    expect(lines).to.have.length(1);
    expect(() => new HeapRoom(0)).to.throw(TypeError);
  });

  it('takes its limits as shares of the old generation, where what the gateway keeps lives, not of the young generation too', () => {
    // this process: V8's whole limit less three semi-spaces
    expect(heapLimitMb()).to.equal(Math.floor(getHeapStatistics().heap_size_limit / (1024 * 1024)) - 3 * semiSpaceMb());
    // other processes, as bin/zfc.js and NODE_OPTIONS start them: the limit is exactly --max-old-space-size
    /** [the heap limit, and the capture, event store and trace index defaults] of a process started with `args`. */
    const limitsIn = (args: string[], env: Record<string, string> = {}): number[] => {
      const m = JSON.stringify(require.resolve('../../gateway-api/heap-room'));
      const r = spawnSync(process.execPath, [...args, '-e', `const h = require(${m}); process.stdout.write(JSON.stringify([h.heapLimitMb(), h.defaultHeapLimitMb(), h.defaultStoreHeapLimitMb(), h.defaultTraceIndexHeapLimitMb()]))`], { env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      return JSON.parse(r.stdout) as number[];
    };
    // 128 MiB less 48 MiB of young generation (16 MiB semi-spaces): 80 MiB to share
    expect(limitsIn(['--max-old-space-size=128'])).to.deep.equal([128, 56, 68, 72]);
    // npm start's 64 MiB semi-spaces: 192 MiB of young generation, 320 MiB to share (measured: capture was
    // refused at 114,000 events, and a restart in the same heap was ready with all of them)
    expect(limitsIn(['--max-old-space-size=512', '--max-semi-space-size=64'])).to.deep.equal([512, 224, 272, 288]);
    expect(limitsIn(['--max-old-space-size=512'], { NODE_OPTIONS: '--max-semi-space-size=32' })).to.deep.equal([512, 291, 353, 374]);
    // semi-spaces as large as the old generation leave nothing to share: every limit is 1 MiB and stops at once
    expect(limitsIn(['--max-old-space-size=64', '--max-semi-space-size=64'])).to.deep.equal([64, 1, 1, 1]);
    // how the semi-space size is read: the last one given wins, the command line after NODE_OPTIONS
    expect(semiSpaceMb([], '')).to.equal(16);
    expect(semiSpaceMb(['--max-semi-space-size=64'], '--max-semi-space-size=8')).to.equal(64);
    expect(semiSpaceMb(['--max_semi_space_size', '8'], '')).to.equal(8);
    expect(semiSpaceMb([], '--inspect --max-semi-space-size=32')).to.equal(32);
    expect(semiSpaceMb(['--max-semi-space-size=lots'], '')).to.equal(16);
  });

  it('defaults to 70% of the heap limit and refuses a limit that is not a positive whole number of MiB', () => {
    expect(loadConfig({}).captureHeapLimitMb).to.equal(defaultHeapLimitMb());
    const usable = heapLimitMb() - 3 * semiSpaceMb(); // the old generation less room for the young one to promote into
    expect(defaultHeapLimitMb()).to.equal(Math.floor(usable * 0.7)); // as documented: room to restart
    expect(loadConfig({ CAPTURE_HEAP_LIMIT_MB: '512' }).captureHeapLimitMb).to.equal(512);
    for (const bad of ['0', '-1', '1.5', 'lots']) expect(() => loadConfig({ CAPTURE_HEAP_LIMIT_MB: bad }), bad).to.throw(ConfigError, 'CAPTURE_HEAP_LIMIT_MB');
    // a limit the heap cannot reach would never refuse: Node aborts first
    for (const name of ['CAPTURE_HEAP_LIMIT_MB', 'EPCIS_STORE_HEAP_LIMIT_MB', 'TRACE_INDEX_HEAP_LIMIT_MB']) {
      expect(() => loadConfig({ [name]: String(heapLimitMb()) }), name).to.throw(ConfigError, `${name}=${heapLimitMb()}: must be below this process's heap limit`);
      expect(loadConfig({ [name]: String(heapLimitMb() - 1) })).to.be.an('object');
    }
    expect(loadConfig({}).epcisStoreHeapLimitMb).to.equal(defaultStoreHeapLimitMb());
    // the trace index stops last: after capture is refused and after the event store stopped
    expect(loadConfig({}).traceIndexHeapLimitMb).to.equal(defaultTraceIndexHeapLimitMb());
    expect(defaultTraceIndexHeapLimitMb()).to.equal(Math.floor(usable * 0.9));
    expect(defaultTraceIndexHeapLimitMb()).to.be.greaterThan(defaultStoreHeapLimitMb());
    expect(loadConfig({ TRACE_INDEX_HEAP_LIMIT_MB: '600' }).traceIndexHeapLimitMb).to.equal(600);
    for (const bad of ['0', '1.5', 'lots']) expect(() => loadConfig({ TRACE_INDEX_HEAP_LIMIT_MB: bad }), bad).to.throw(ConfigError, 'TRACE_INDEX_HEAP_LIMIT_MB');
  });

  it('fails a job admitted while there was room whose turn comes once the heap is full, running none of it', async () => {
    const MIB = 1024 * 1024;
    heapLiveBytes();
    await fullCollection();
    const limitMb = Math.ceil(heapLiveBytes() / MIB) + 48; // room now; not once 64 MiB more is live
    const lines: string[] = [];
    const jobs = new CaptureJobs(undefined, undefined, { running: 1, room: new HeapRoom(limitMb, (l) => lines.push(l)) });
    let release: (() => void) | undefined;
    const ahead = jobs.start(1, () => new Promise((resolve) => (release = () => resolve({ captured: 1, duplicates: 0 }))));
    let ran = 0;
    const work = async (): Promise<{ captured: number; duplicates: number }> => {
      ran++;
      return { captured: 1, duplicates: 0 };
    };
    const waiting = jobs.start(1, work);
    await new Promise((resolve) => setImmediate(resolve));
    expect(jobs.stats()).to.deep.include({ running: 1, waiting: 1 });
    let ballast: number[][] | undefined = Array.from({ length: 64 }, () => new Array<number>(131_072).fill(0.5)); // 64 MiB of doubles
    await fullCollection();
    expect(heapLiveBytes()).to.be.at.least(limitMb * MIB);
    release?.();
    await Promise.all([ahead.done, waiting.done]);
    expect(ballast.length).to.equal(64); // live until here
    expect(ahead.success, 'the job that was running ends as it would').to.equal(true);
    expect(waiting.success).to.equal(false);
    expect(waiting.running).to.equal(false);
    expect(waiting.errors).to.have.length(1);
    expect(waiting.errors[0]).to.deep.include({ code: 'CAPTURE_NO_ROOM', status: 507 });
    expect(ran, 'nothing of the waiting job ran').to.equal(0);
    expect(lines).to.have.length(1);
    ballast = undefined;
    await fullCollection();
    const later = jobs.start(1, work);
    await later.done;
    expect(later.success, 'with room again, a job runs').to.equal(true);
    expect(ran).to.equal(1);
    expect(jobs.stats()).to.deep.equal({ running: 0, waiting: 0, pendingBytes: 0 });
  });

  describe('a gateway whose event store stopped for lack of heap', () => {
    let t: TestGateway;
    before(async () => {
      heapLiveBytes();
      await fullCollection(); // the heap figure is known (and above 1 MiB) before the store follows anything
      t = await startTestGateway(undefined, { EPCIS_STORE_HEAP_LIMIT_MB: '1' });
    });
    after(async () => {
      await t.stop();
    });

    it('answers /epcis and /readyz with 503 EPCIS_STORE_FULL and goes on serving the rest', async () => {
      const q = await call(t.gw.url, 'GET', '/epcis/events', { key: t.regulatorKey });
      expect(q.status, q.text).to.equal(503);
      expect(q.body).to.include({ type: 'epcisException:ImplementationException', status: 503 });
      expect(q.body.error.code).to.equal('EPCIS_STORE_FULL');
      expect(q.body.error.message).to.include('restart it with more heap');
      expect(q.headers.get('retry-after')).to.equal(null); // not a wait: the operator must act
      const capture = await call(t.gw.url, 'POST', '/epcis/capture', { key: t.regulatorKey, body: document('S1'), headers: { 'content-type': 'application/ld+json' } });
      expect(capture.status, capture.text).to.equal(503);
      expect(capture.body.error.code).to.equal('EPCIS_STORE_FULL');
      const ready = await call(t.gw.url, 'GET', '/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.body.error.code).to.equal('EPCIS_STORE_FULL');
      expect((await call(t.gw.url, 'GET', '/healthz')).status).to.equal(200);
      const lots = await call(t.gw.url, 'GET', '/v1/lots', { key: t.regulatorKey });
      expect(lots.status, lots.text).to.equal(200);
      expect(metric((await call(t.gw.url, 'GET', '/metrics')).text, 'zfc_epcis_store_stopped')).to.equal(1);
    });
  });

  describe('through the whole gateway', () => {
    let full: TestGateway;
    let roomy: TestGateway;
    before(async () => {
      full = await startTestGateway(undefined, { CAPTURE_HEAP_LIMIT_MB: '1' });
      roomy = await startTestGateway(undefined, { CAPTURE_HEAP_LIMIT_MB: String(heapLimitMb() - 1) });
      await fullCollection();
    });
    after(async () => {
      for (const t of [full, roomy]) {
        await t.stop();
      }
    });

    it('refuses a capture document and a single event with 507, as the binding\'s ImplementationException, recording nothing', async () => {
      const before = metric((await call(full.gw.url, 'GET', '/metrics')).text, 'zfc_epcis_events');
      const doc = await call(full.gw.url, 'POST', '/epcis/capture', { key: full.regulatorKey, body: document('H1'), headers: { 'content-type': 'application/ld+json' } });
      expect(doc.status, doc.text).to.equal(507);
      expect(doc.headers.get('content-type')).to.equal('application/problem+json');
      expect(doc.body).to.include({ type: 'epcisException:ImplementationException', status: 507, instance: '/epcis/capture' });
      expect(doc.body.error.code).to.equal('CAPTURE_NO_ROOM');
      expect(doc.body.error.message).to.include('heap');
      const one = await call(full.gw.url, 'POST', '/epcis/events', { key: full.regulatorKey, body: eventOf('H2') });
      expect(one.status, one.text).to.equal(507);
      expect(one.body.error.code).to.equal('CAPTURE_NO_ROOM');
      const jobs = await call(full.gw.url, 'GET', '/epcis/capture', { key: full.regulatorKey });
      expect(jobs.status).to.equal(200);
      expect(jobs.body).to.deep.equal([]); // no job was made
      const metrics = (await call(full.gw.url, 'GET', '/metrics')).text;
      expect(metric(metrics, 'zfc_epcis_events')).to.equal(before);
      expect(metric(metrics, 'zfc_capture_heap_limit_bytes')).to.equal(1024 * 1024);
      expect(metric(metrics, 'zfc_heap_live_bytes')).to.be.greaterThan(1024 * 1024);
      expect(metric(metrics, 'zfc_epcis_store_stopped')).to.equal(0); // its store follows on: only capture is refused
    });

    it('fails, at its turn after a restart without room, a job it took with room and was stopped in the middle of, running none of it', async () => {
      const t = await startTestGateway();
      try {
        await t.gw.close();
        // what the gateway keeps of a job it took and was stopped in the middle of: the job, running, and its work
        const db = new Level<string, unknown>(path.join(t.dir, 'gateway'), { valueEncoding: 'json' });
        const records = db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' });
        const job = { captureID: 'room-1', createdAt: '2026-03-01T00:00:00.000Z', running: true, success: true, captureErrorBehaviour: 'rollback', eventCount: 1, errors: [], owner: 'samr' };
        const regulator = await db.sublevel<string, unknown>('wallet', { valueEncoding: 'json' }).get('samr');
        expect(regulator, "the regulator's identity").to.be.an('object');
        await records.batch([
          { type: 'put', key: 'j|room-1', value: job },
          { type: 'put', key: 'w|room-1', value: { document: JSON.stringify(document('H5')), identity: regulator, owner: 'samr' } },
        ]);
        await db.close();
        await fullCollection();
        const gw = await startGateway({ ...t.config, captureHeapLimitMb: 1 });
        try {
          let reply = await call(gw.url, 'GET', '/epcis/capture/room-1', { key: t.regulatorKey });
          for (const end = Date.now() + 20_000; reply.body?.running !== false && Date.now() < end; ) {
            await new Promise((resolve) => setTimeout(resolve, 25));
            reply = await call(gw.url, 'GET', '/epcis/capture/room-1', { key: t.regulatorKey });
          }
          expect(reply.status, reply.text).to.equal(200);
          expect(reply.body).to.include({ running: false, success: false });
          expect(reply.body.errors).to.have.length(1);
          expect(reply.body.errors[0]).to.include({ code: 'CAPTURE_NO_ROOM', status: 507 });
          expect(metric((await call(gw.url, 'GET', '/metrics')).text, 'zfc_epcis_events'), 'nothing of it recorded').to.equal(0);
        } finally {
          await gw.close();
        }
      } finally {
        await removeDir(t.dir);
      }
    });

    it('still answers queries and health checks, and a gateway with room still captures', async () => {
      expect((await call(full.gw.url, 'GET', '/epcis/events?EQ_bizStep=inspecting', { key: full.regulatorKey })).status).to.equal(200);
      expect((await call(full.gw.url, 'GET', '/healthz')).status).to.equal(200);
      const doc = await call(roomy.gw.url, 'POST', '/epcis/capture', { key: roomy.regulatorKey, body: document('H3'), headers: { 'content-type': 'application/ld+json' } });
      expect(doc.status, doc.text).to.equal(202);
      const one = await call(roomy.gw.url, 'POST', '/epcis/events', { key: roomy.regulatorKey, body: eventOf('H4') });
      expect(one.status, one.text).to.equal(201);
    });
  });
});
