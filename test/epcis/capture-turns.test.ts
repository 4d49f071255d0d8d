/**
 * Capture jobs take turns (gateway-api/epcis-capture-jobs.ts): a few run in the ledger at once
 * (each until the ledger has committed its document), the others wait, each participant's in
 * order and the participants in turn; a document the waiting jobs
 * have no room for is refused (503 CAPTURE_BUSY, Retry-After) before anything is recorded. The
 * turns are checked on the job list itself, with work the test finishes by hand; the refusal
 * through a whole gateway, on its embedded ledger.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { Level } from 'level';
import type { ZfcError } from '../../chaincode/errors';
import { loadConfig } from '../../gateway-api/config';
import { CaptureJobs, savedOf, type CaptureCounts, type CaptureJob } from '../../gateway-api/epcis-capture-jobs';
import { EpcisRecords } from '../../gateway-api/epcis-records';
import { call, startTestGateway, withCheck, type Reply, type TestGateway } from '../gateway/support';
import { rejectionOf } from '../ledger/suite';
import { documentOf, objectEvent } from './fixtures';

/** Work that runs only when its turn comes, and ends when the test says. */
interface Held {
  readonly name: string;
  started: boolean;
  end(): void;
  readonly work: () => Promise<CaptureCounts>;
}

function held(name: string, log: string[]): Held {
  let release: () => void = () => undefined;
  const h: Held = {
    name,
    started: false,
    end: () => release(),
    work: async () => {
      h.started = true;
      log.push(name);
      await new Promise<void>((resolve) => (release = resolve));
      return { captured: 1, duplicates: 0 };
    },
  };
  return h;
}

/** Lets the jobs' promise chains run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The refusal of a synchronous call (rejectionOf takes promises). */
const busy = (fn: () => unknown): Promise<ZfcError> => rejectionOf(Promise.resolve().then(fn));

describe('EPCIS capture jobs take turns', function () {
  this.timeout(120_000);

  it('runs two at once; the others wait, each participant in order and the participant served longest ago first', async () => {
    const jobs = new CaptureJobs(undefined, undefined, { running: 2 });
    const log: string[] = [];
    const [a1, a2, a3, a4, b1, c1] = ['a1', 'a2', 'a3', 'a4', 'b1', 'c1'].map((n) => held(n, log)) as [Held, Held, Held, Held, Held, Held];
    const started: CaptureJob[] = [];
    for (const [h, owner] of [[a1, 'A'], [a2, 'A'], [a3, 'A'], [a4, 'A'], [b1, 'B'], [c1, 'C']] as const) started.push(jobs.start(1, h.work, undefined, 'rollback', { owner }));
    await settle();
    expect(log).to.deep.equal(['a1', 'a2']);
    expect(jobs.stats()).to.deep.include({ running: 2, waiting: 4 });
    expect(started.every((j) => j.running)).to.equal(true); // a waiting job is unfinished, as the standard's job says
    // and successful so far: GS1's binding reads running with success false as "an error occurred, rolling back"
    expect(started.map((j) => j.success)).to.deep.equal([true, true, true, true, true, true]);
    a1.end();
    await settle();
    expect(log, 'B has waited since before A was last served').to.deep.equal(['a1', 'a2', 'b1']);
    a2.end();
    await settle();
    expect(log).to.deep.equal(['a1', 'a2', 'b1', 'c1']);
    b1.end();
    await settle();
    expect(log, "A's next, in the order sent").to.deep.equal(['a1', 'a2', 'b1', 'c1', 'a3']);
    c1.end();
    a3.end();
    await settle();
    a4.end();
    await Promise.all(started.map((j) => j.done));
    expect(log).to.deep.equal(['a1', 'a2', 'b1', 'c1', 'a3', 'a4']);
    expect(started.map((j) => j.success)).to.deep.equal([true, true, true, true, true, true]);
    expect(jobs.stats()).to.deep.equal({ running: 0, waiting: 0, pendingBytes: 0 });
  });

  it("ends a job's turn in the ledger once its document is committed, while the job waits for the rest of its work", async () => {
    const jobs = new CaptureJobs(undefined, undefined, { running: 1 });
    const log: string[] = [];
    /** Work that commits, then settles (or fails), each when the test says. */
    const staged = (name: string): { commit(): void; end(fail?: boolean): void; work: (committed: () => void) => Promise<CaptureCounts> } => {
      let commit: () => void = () => undefined;
      let end: (fail?: boolean) => void = () => undefined;
      return {
        commit: () => commit(),
        end: (fail) => end(fail),
        work: async (committed) => {
          log.push(name);
          await new Promise<void>((resolve) => (commit = resolve));
          committed();
          committed(); // twice: still one turn
          await new Promise<void>((resolve, reject) => (end = (fail) => (fail ? reject(new Error('follower failed')) : resolve())));
          return { captured: 1, duplicates: 0 };
        },
      };
    };
    const [a, b] = [staged('a'), staged('b')];
    const c = held('c', log); // work that never says it committed
    const [ja, jb, jc] = [a, b, c].map((s, i) => jobs.start(1, s.work, undefined, 'rollback', { owner: ['A', 'B', 'C'][i] as string })) as [CaptureJob, CaptureJob, CaptureJob];
    await settle();
    expect(log).to.deep.equal(['a']);
    a.commit();
    await settle();
    expect(log, 'b executes while a waits for its followers').to.deep.equal(['a', 'b']);
    expect(ja.running, 'a is unfinished until its work settles').to.equal(true);
    expect(jobs.stats()).to.deep.include({ running: 1, waiting: 1 });
    b.commit();
    await settle();
    expect(log).to.deep.equal(['a', 'b', 'c']);
    a.end(true); // a failure after the commit frees no second turn
    b.end();
    await Promise.all([ja.done, jb.done]);
    expect(ja.success).to.equal(false);
    expect(jb.success).to.equal(true);
    expect(jobs.stats()).to.deep.include({ running: 1, waiting: 0 });
    const d = held('d', log);
    const jd = jobs.start(1, d.work, undefined, 'rollback', { owner: 'D' });
    await settle();
    expect(log, 'c holds the one turn until it settles').to.deep.equal(['a', 'b', 'c']);
    c.end();
    await jc.done;
    await settle();
    expect(log).to.deep.equal(['a', 'b', 'c', 'd']);
    d.end();
    await jd.done;
    expect(jobs.stats()).to.deep.equal({ running: 0, waiting: 0, pendingBytes: 0 });
  });

  it('refuses a document the unfinished jobs have no room for, in all or for its sender, and records nothing of it', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-epcis-turns-'));
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    try {
      const records = new EpcisRecords(db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' }));
      const jobs = new CaptureJobs(undefined, records, { running: 1, pendingBytes: 1000 });
      const log: string[] = [];
      const big = held('big', log);
      // a document larger than the limit is taken when nothing is unfinished
      const first = jobs.start(1, big.work, { document: 'a' }, 'rollback', { owner: 'A', bytes: 1500 });
      await jobs.recorded(first);
      let e = await busy(() => jobs.start(1, held('x', log).work, { document: 'x' }, 'rollback', { owner: 'B', bytes: 1 }));
      expect(e.code).to.equal('CAPTURE_BUSY');
      expect(e.status).to.equal(503);
      expect(e.details).to.include({ pendingBytes: 1500, documentBytes: 1, limitBytes: 1000 });
      expect(e.details['retryAfterSeconds']).to.be.within(1, 60);
      big.end();
      await first.done;

      const a1 = held('a1', log);
      const j1 = jobs.start(1, a1.work, { document: 'a1' }, 'rollback', { owner: 'A', bytes: 400 });
      // A already holds 400 of its half (500): 200 more is past it; B, holding nothing, gets in
      e = await busy(() => jobs.start(1, held('a2', log).work, { document: 'a2' }, 'rollback', { owner: 'A', bytes: 200 }));
      expect(e.message).to.match(/this participant/);
      expect(e.details).to.include({ participantPendingBytes: 400 });
      const b1 = held('b1', log);
      const j2 = jobs.start(1, b1.work, { document: 'b1' }, 'rollback', { owner: 'B', bytes: 400 });
      // 400 + 400 + 300 is past the limit, whoever sends it
      e = await busy(() => jobs.start(1, held('c1', log).work, { document: 'c1' }, 'rollback', { owner: 'C', bytes: 300 }));
      expect(e.message).to.match(/the gateway/);
      expect(() => jobs.admit({ owner: 'C', bytes: 200 }), 'what fits is admitted').not.to.throw();
      await records.settled();
      const onRecord = (await records.listText('w|')).map(([, w]) => (savedOf(w) as { document: string }).document).sort();
      expect(onRecord, 'the refused documents are nowhere on record').to.deep.equal(['a1', 'b1']);
      expect(jobs.stats()).to.deep.equal({ running: 1, waiting: 1, pendingBytes: 800 });
      a1.end();
      await j1.done;
      await settle();
      b1.end();
      await j2.done;
      expect(jobs.stats().pendingBytes).to.equal(0);
      expect(log).to.deep.equal(['big', 'a1', 'b1']);

      // a sender's share is what its unfinished jobs hold: one of two ending frees its part
      const [d1, d2] = [held('d1', log), held('d2', log)];
      const k1 = jobs.start(1, d1.work, { document: 'd1' }, 'rollback', { owner: 'D', bytes: 200 });
      const k2 = jobs.start(1, d2.work, { document: 'd2' }, 'rollback', { owner: 'D', bytes: 200 });
      expect(() => jobs.admit({ owner: 'D', bytes: 250 }), '400 held, 650 is past the half').to.throw(/this participant/);
      await settle();
      d1.end();
      await k1.done;
      expect(() => jobs.admit({ owner: 'D', bytes: 250 }), '200 held: 450 is within it').not.to.throw();
      await settle();
      d2.end();
      await k2.done;
    } finally {
      await db.close();
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });

  it('runs jobs taken up after a restart in turns too', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-epcis-turns-'));
    try {
      let db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
      let records = new EpcisRecords(db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' }));
      const before = new CaptureJobs(undefined, records, { running: 3 });
      for (const d of ['d1', 'd2', 'd3']) before.start(1, () => new Promise(() => undefined), { document: d, owner: 'A' }, 'rollback', { owner: 'A', bytes: 10 });
      before.close();
      await records.settled();
      await db.close();

      db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
      records = new EpcisRecords(db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' }));
      const after = new CaptureJobs(undefined, records, { running: 1 });
      const log: string[] = [];
      const works = new Map<string, Held>();
      await after.restore<{ document: string; owner: string }>((saved) => {
        const h = held(saved.document, log);
        works.set(saved.document, h);
        return h.work;
      }, (saved) => saved.owner);
      await settle();
      expect(log, 'one at a time').to.have.length(1);
      expect(after.stats()).to.deep.include({ running: 1, waiting: 2 });
      for (let i = 0; i < 3; i++) {
        works.get(log[i] as string)?.end();
        await new Promise((r) => setTimeout(r, 20));
      }
      expect([...log].sort()).to.deep.equal(['d1', 'd2', 'd3']);
      await records.settled();
      expect(await records.listText('w|'), 'each ended: no work left on record').to.deep.equal([]);
      await db.close();
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });

  it('takes its limits from CAPTURE_CONCURRENCY and CAPTURE_PENDING_BYTES, and stops a start on a bad one naming it', () => {
    expect(loadConfig({})).to.include({ captureConcurrency: 2, capturePendingBytes: 128 * 1024 * 1024 });
    expect(loadConfig({ CAPTURE_CONCURRENCY: '3', CAPTURE_PENDING_BYTES: String(8 * 1024 * 1024) })).to.include({ captureConcurrency: 3, capturePendingBytes: 8 * 1024 * 1024 });
    expect(() => loadConfig({ CAPTURE_CONCURRENCY: '0' })).to.throw(/CAPTURE_CONCURRENCY="0": must be a whole number from 1 to 64/);
    expect(() => loadConfig({ CAPTURE_PENDING_BYTES: '1k' })).to.throw(/CAPTURE_PENDING_BYTES="1k"/);
    expect(() => new CaptureJobs(undefined, undefined, { running: 0 })).to.throw(TypeError);
  });

  describe('through the gateway', () => {
    let t: TestGateway;
    const keys: Record<string, string> = {};
    const capture = (who: string, body: unknown): Promise<Reply> => call(t.gw.url, 'POST', '/epcis/capture', { key: keys[who] as string, body });
    /** A document of `n` events naming items `from`…; about 240 bytes an event. */
    const doc = (from: number, n: number): Record<string, unknown> => documentOf(Array.from({ length: n }, (_, i) => objectEvent(from + i)));
    const finished = async (who: string, location: string): Promise<Record<string, unknown>> => {
      for (let i = 0; i < 600; i++) {
        const job = await call(t.gw.url, 'GET', location, { key: keys[who] as string });
        if (job.body.running === false) return job.body as Record<string, unknown>;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${location} did not finish`);
    };
    /** The status answered to a capture that declares `length` bytes (and sends none of them). */
    const declaring = (who: string, length: number): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.request(`${t.gw.url}/epcis/capture`, { method: 'POST', headers: { authorization: `Bearer ${keys[who]}`, 'content-type': 'application/json', 'content-length': String(length) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', reject);
        req.flushHeaders();
      });
    const eventsNaming = async (who: string, i: number): Promise<number> => {
      const r = await call(t.gw.url, 'GET', `/epcis/events?MATCH_epc=${encodeURIComponent(`urn:epc:id:sgtin:0614141.107346.${i + 1}`)}`, { key: keys[who] as string });
      expect(r.status).to.equal(200);
      return (r.body.epcisBody.queryResults.resultsBody.eventList as unknown[]).length;
    };

    before(async () => {
      // 4 MiB in all, 2 MiB a participant; a document of 5,000 events is about 1.2 MB, of 10,000 about 2.4 MB
      t = await startTestGateway(undefined, { CAPTURE_PENDING_BYTES: String(4 * 1024 * 1024) });
      keys['samr'] = t.regulatorKey;
      for (const [id, n] of [['dist-1', 71], ['shop-1', 72], ['farm-1', 73]] as const) {
        const r = await call(t.gw.url, 'POST', '/v1/participants', { key: t.regulatorKey, body: { id, name: id, role: 'distributor', licence: `L-${n}`, gln: withCheck(`69500000${n}00`) } });
        expect(r.status, r.text).to.equal(201);
        keys[id] = r.body.apiKey;
      }
    });

    after(async () => {
      await t.stop();
    });

    it('refuses with 503 CAPTURE_BUSY and Retry-After what has no room, records none of it, and takes another participant in meanwhile', async () => {
      // alone, a document past a participant's half is taken
      const first = await capture('dist-1', doc(0, 10_000));
      expect(first.status, first.text).to.equal(202);
      // while it is captured, the same sender's next is past its half; another sender's fits, and a third's is past the whole
      const again = await capture('dist-1', doc(10_000, 5000));
      const other = await capture('shop-1', doc(15_000, 5000));
      const third = await capture('farm-1', doc(20_000, 5000));
      expect(again.status, again.text).to.equal(503);
      expect(again.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(again.body).to.include({ type: 'epcisException:ImplementationException', status: 503 });
      expect(again.body.error.code).to.equal('CAPTURE_BUSY');
      expect(again.body.error.details.limitBytes).to.equal(4 * 1024 * 1024);
      expect(Number(again.headers.get('retry-after'))).to.be.within(1, 60);
      expect(other.status, other.text).to.equal(202);
      expect(third.status, 'past the 4 MiB in all').to.equal(503);
      expect(third.body.error.message).to.match(/the gateway/);
      expect(await declaring('farm-1', 65 * 1024 * 1024), 'a body past the size limit is 413 however busy the gateway is').to.equal(413);
      const metrics = await call(t.gw.url, 'GET', '/metrics');
      expect(metrics.text).to.match(/^zfc_epcis_capture_pending_bytes \d+/m).and.to.match(/^zfc_epcis_capture_jobs_running \d/m).and.to.match(/^zfc_epcis_capture_jobs_waiting \d/m);

      expect(await finished('dist-1', first.headers.get('location') as string)).to.include({ success: true, captured: 10_000 });
      expect(await finished('shop-1', other.headers.get('location') as string)).to.include({ success: true, captured: 5000 });
      expect(await eventsNaming('samr', 10_000), 'the refused documents left nothing').to.equal(0);
      expect(await eventsNaming('samr', 20_000)).to.equal(0);
      expect(await eventsNaming('samr', 15_000)).to.equal(1);
      // sent again once there is room, it is captured
      const retried = await capture('dist-1', doc(10_000, 5000));
      expect(retried.status, retried.text).to.equal(202);
      expect(await finished('dist-1', retried.headers.get('location') as string)).to.include({ success: true, captured: 5000 });
      expect(await eventsNaming('samr', 10_000)).to.equal(1);
      expect((await call(t.gw.url, 'GET', '/metrics')).text).to.match(/^zfc_epcis_capture_pending_bytes 0$/m);
    });
  });
});
