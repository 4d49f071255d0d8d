/**
 * Subscriptions and capture jobs outlive a restart of the gateway (`zfc start`'s own mount,
 * kept in its level store): a shop subscribes to recalls of a lot it holds, the gateway is
 * restarted, a regulator recalls the lot through /v1/recalls, and the shop's server on loopback
 * is called with a body whose HMAC signature verifies, after a failed first attempt is retried.
 * A delivery still failing when the gateway stops is made after it starts again; a capture
 * job's answer is still there; an unfinished job runs again from its saved document.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { Level } from 'level';
import { lotUri, toEpcUrn } from '../../chaincode/digital-link';
import { CaptureJobs, savedOf } from '../../gateway-api/epcis-capture-jobs';
import { EpcisRecords } from '../../gateway-api/epcis-records';
import { startGateway } from '../../gateway-api/server';
import { call, gln, removeDir, startTestGateway, withCheck, type Reply, type TestGateway } from '../gateway/support';
import { ApiClient } from './api-client';
import { signedWith, startCallbackReceiver, type CallbackReceiver, type Delivery } from './callback-receiver';
import { documentOf, objectEvent } from './fixtures';
import { until } from '../until';

const OIL = withCheck('0695000000615');
const TOKEN = 'corner-shop-signing-token-42';

const verified = (d: Delivery): boolean => signedWith(TOKEN, d);

describe('EPCIS subscriptions and capture jobs across a gateway restart', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let gw: TestGateway['gw'];
  /** The shop's server: its deliveries, and the status it answers with, per attempt. */
  let callback: CallbackReceiver;
  const keys: Record<string, string> = {};
  const as = (who: string, method: string, url: string, body?: unknown): Promise<Reply> =>
    call(gw.url, method, url, { key: keys[who] as string, ...(body !== undefined ? { body } : {}) });
  const restart = async (): Promise<void> => {
    await gw.close();
    gw = await startGateway(t.config);
  };
  const recalledLots = (d: Delivery): string[] =>
    (JSON.parse(d.body).epcisBody.queryResults.resultsBody.eventList as Array<{ quantityList?: Array<{ epcClass: string }> }>).flatMap((e) => (e.quantityList ?? []).map((q) => q.epcClass));

  before(async () => {
    callback = await startCallbackReceiver('/recalls');
    t = await startTestGateway(undefined, { EPCIS_HTTP_CALLBACK_HOSTS: '127.0.0.1' });
    gw = t.gw;
    keys['samr'] = t.regulatorKey;
    for (const p of [
      { id: 'mill-4', name: 'Oil Mill', role: 'producer', licence: 'SC-4', gln: gln(41) },
      { id: 'shop-4', name: 'Corner Shop', role: 'retailer', licence: 'JY-4', gln: gln(44) },
    ]) {
      keys[p.id] = (await as('samr', 'POST', '/v1/participants', p)).body.apiKey;
    }
    expect((await as('mill-4', 'POST', '/v1/products', { gtin: OIL, name: 'Peanut oil', category: 'oil', unit: 'LTR', requiresTest: false })).status).to.equal(201);
    for (const lot of ['P1', 'P2']) {
      const r = await as('mill-4', 'POST', '/v1/lots', { gtin: OIL, lot, quantity: 100, unit: 'LTR', productionDate: '2026-04-01', origin: { gln: gln(41) } });
      expect(r.status, r.text).to.equal(201);
    }
  });

  after(async () => {
    await gw?.close();
    if (t) await removeDir(t.dir);
    await callback?.close();
  });

  it('calls the shop, signed, for a recall issued after a restart (retrying a failed first attempt)', async () => {
    const classes = ['P1', 'P2'].map((l) => toEpcUrn(lotUri(OIL, l), 7));
    expect((await as('shop-4', 'POST', '/epcis/queries', { name: 'held-oil-recalls', query: { EQ_disposition: 'recalled', MATCH_anyEPCClass: classes } })).status).to.equal(201);
    const sub = await as('shop-4', 'POST', '/epcis/queries/held-oil-recalls/subscriptions', { dest: callback.url, signatureToken: TOKEN, stream: true });
    expect(sub.status, sub.text).to.equal(201);

    await restart();
    const query = await as('shop-4', 'GET', '/epcis/queries/held-oil-recalls');
    expect(query.status, query.text).to.equal(200);
    expect(query.body.subscriptions).to.equal(1);

    let attempts = 0;
    callback.answer = () => (++attempts === 1 ? 503 : 200);
    const recall = await as('samr', 'POST', '/v1/recalls', { recallId: 'RC-P1', lots: [{ gtin: OIL, lot: 'P1' }], reason: 'solvent residue', class: 'II' });
    expect(recall.status, recall.text).to.equal(201);
    await until(() => callback.deliveries.some((d) => d.status === 200));
    expect(callback.deliveries.map((d) => d.status)).to.deep.equal([503, 200]);
    const d = callback.deliveries[1] as Delivery;
    expect(verified(d)).to.equal(true);
    expect(verified({ ...d, body: d.body.replace('RC-P1', 'RC-P9') })).to.equal(false);
    expect(JSON.parse(d.body).epcisBody.queryResults).to.include({ queryName: 'held-oil-recalls', subscriptionID: sub.body.subscriptionID });
    expect(recalledLots(d)).to.include(lotUri(OIL, 'P1'));
  });

  it('makes a delivery left undone at shutdown once the gateway is back', async () => {
    callback.deliveries.length = 0;
    callback.answer = () => 503;
    const recall = await as('samr', 'POST', '/v1/recalls', { recallId: 'RC-P2', lots: [{ gtin: OIL, lot: 'P2' }], reason: 'label error', class: 'III' });
    expect(recall.status, recall.text).to.equal(201);
    await until(() => callback.deliveries.length >= 1);
    await gw.close(); // retries still pending
    callback.answer = () => 200;
    const failedBefore = callback.deliveries.length;
    gw = await startGateway(t.config);
    await until(() => callback.deliveries.some((d) => d.status === 200));
    expect(callback.deliveries.length).to.be.greaterThan(failedBefore);
    const d = callback.deliveries.find((x) => x.status === 200) as Delivery;
    expect(verified(d)).to.equal(true);
    expect(d.body).to.include('RC-P2').and.not.include('RC-P1');
  });

  it('answers a capture job captured before the restart', async () => {
    const r = await as('mill-4', 'POST', '/epcis/capture', documentOf([objectEvent(7)]));
    expect(r.status, r.text).to.equal(202);
    const location = String(r.headers.get('location'));
    for (let i = 0; i < 500 && (await as('mill-4', 'GET', location)).body.running; i++) await new Promise((res) => setTimeout(res, 20));
    await restart();
    const job = await as('mill-4', 'GET', location);
    expect(job.status, job.text).to.equal(200);
    expect(job.body).to.include({ running: false, success: true, captured: 1, eventCount: 1 });
  });

  it('lists each participant its own capture jobs, newest first, paged, before and after a restart', async () => {
    const link = (r: Reply): string | undefined => /<([^>]+)>; rel="next"/.exec(String(r.headers.get('link') ?? ''))?.[1];
    /** Every page of `who`'s jobs, `perPage` at a time: the captureIDs in order, and the page sizes. */
    const listed = async (who: string, perPage: number): Promise<{ ids: string[]; sizes: number[] }> => {
      const ids: string[] = [];
      const sizes: number[] = [];
      for (let at: string | undefined = `/epcis/capture?perPage=${perPage}`; at; ) {
        const r = await as(who, 'GET', at);
        at = link(r);
        expect(r.status, r.text).to.equal(200);
        expect(r.body, 'a JSON array of jobs').to.be.an('array');
        for (const job of r.body as Array<Record<string, unknown>>) expect(job, 'no owner in a job').to.not.have.property('owner');
        ids.push(...(r.body as Array<{ captureID: string }>).map((j) => j.captureID));
        sizes.push((r.body as unknown[]).length);
      }
      return { ids, sizes };
    };
    const earlier = (await listed('mill-4', 1000)).ids;
    const api = new ApiClient(() => gw.url);
    Object.assign(api.keys, keys);
    const captureOne = async (who: string, i: number): Promise<string> => (await api.captureOk(who, [objectEvent(i)]))['captureID'] as string;
    const mine = [await captureOne('mill-4', 30), await captureOne('mill-4', 31), await captureOne('mill-4', 32)];
    const shops = await captureOne('shop-4', 33);
    const expected = [...[...mine].reverse(), ...earlier];
    const byTwo = await listed('mill-4', 2);
    expect(byTwo.ids).to.deep.equal(expected);
    expect(byTwo.sizes.slice(0, -1).every((n) => n === 2), 'full pages but the last').to.equal(true);
    expect((await listed('shop-4', 100)).ids).to.deep.equal([shops]);
    // nor read by its ID: another's job is answered as an absent one
    const theirs = await as('shop-4', 'GET', `/epcis/capture/${mine[0]}`);
    expect(theirs.status, theirs.text).to.equal(404);
    expect(theirs.body.detail).to.equal((await as('shop-4', 'GET', '/epcis/capture/no-such-job')).body.detail);
    expect((await as('mill-4', 'GET', `/epcis/capture/${mine[0]}`)).status).to.equal(200);
    expect(earlier.length, 'the earlier tests\' job is listed too').to.be.at.least(1);
    // what the list says of a job is what the job's own resource says
    const first = await as('mill-4', 'GET', '/epcis/capture?perPage=1');
    expect(first.body[0]).to.deep.equal((await as('mill-4', 'GET', `/epcis/capture/${mine[2]}`)).body);
    await restart();
    expect((await listed('mill-4', 2)).ids, 'the same list after a restart').to.deep.equal(expected);
    expect((await listed('shop-4', 100)).ids).to.deep.equal([shops]);
    for (const bad of ['/epcis/capture?perPage=0', '/epcis/capture?nextPageToken=bm9wZQ', '/epcis/capture?running=true', '/epcis/capture?perPage=1&perPage=2']) {
      const r = await as('mill-4', 'GET', bad);
      expect(r.status, bad).to.equal(400);
      expect(r.body.type, bad).to.equal('epcisException:QueryParameterException');
    }
    expect((await call(gw.url, 'GET', '/epcis/capture')).status).to.equal(401);
    // the list is JSON only: a client that takes only XML is told so; one that takes anything gets JSON
    const xmlOnly = await call(gw.url, 'GET', '/epcis/capture', { key: keys['mill-4'] as string, headers: { accept: 'application/xml' } });
    expect([xmlOnly.status, xmlOnly.headers.get('content-type')], xmlOnly.text).to.deep.equal([406, 'application/problem+xml']); // the refusal itself in XML, which the client takes
    expect(xmlOnly.text).to.include('NotAcceptableException');
    const anything = await call(gw.url, 'GET', '/epcis/capture', { key: keys['mill-4'] as string, headers: { accept: 'application/xml;q=0.9, */*;q=0.1' } });
    expect([anything.status, String(anything.headers.get('content-type'))], anything.text).to.deep.equal([200, 'application/json; charset=utf-8']);
  });

  it('has a job and its work on record before answering 202, and never lets a late "running" write outlive "finished"', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-epcis-jobs-'));
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    try {
      // a real store on a slow disk: the first write, whatever its kind, takes 150 ms, later ones none
      const section = db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' });
      let slow = true;
      const later = <T>(write: () => Promise<T>): Promise<T> => {
        const delay = slow ? 150 : 0;
        slow = false;
        return new Promise((r) => setTimeout(r, delay)).then(write);
      };
      const records = new (class extends EpcisRecords {
        override batch(ops: Parameters<EpcisRecords['batch']>[0]): Promise<void> {
          return later(() => super.batch(ops));
        }
        override put(key: string, value: unknown): Promise<void> {
          return later(() => super.put(key, value));
        }
        override del(key: string, prefix?: boolean): Promise<void> {
          return later(() => super.del(key, prefix));
        }
      })(section);
      const jobs = new CaptureJobs(undefined, records);
      // a job whose work ends at once, while its first write is still on the slow disk: its "finished" must stand
      const job = jobs.start(1, async () => ({ captured: 1, duplicates: 0 }), { document: 'doc-2' });
      await jobs.recorded(job);
      expect(await records.get(`j|${job.captureID}`), 'job on record when 202 is sent').to.be.an('object');
      await job.done;
      for (let i = 0; i < 50 && (await records.get<{ running: boolean }>(`j|${job.captureID}`))?.running !== false; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 200)); // any late write would have landed by now
      expect(await records.get(`j|${job.captureID}`)).to.include({ running: false, success: true, captured: 1 });
      expect(await records.getText(`w|${job.captureID}`)).to.equal(undefined);
      // a job still running when 202 is sent has its work on record too (the work waits for the test: no race with its end)
      let finish: () => void = () => undefined;
      const working = new Promise<void>((resolve) => (finish = resolve));
      const running = jobs.start(1, async () => {
        await working;
        return { captured: 1, duplicates: 0 };
      }, { document: 'doc-3' });
      await jobs.recorded(running);
      expect(await records.get(`j|${running.captureID}`)).to.include({ running: true });
      expect(savedOf((await records.getText(`w|${running.captureID}`)) ?? '')).to.deep.equal({ document: 'doc-3' });
      finish();
      await running.done;
      for (let i = 0; i < 50 && (await records.getText(`w|${running.captureID}`)) !== undefined; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await records.getText(`w|${running.captureID}`), 'its work is gone once it ended').to.equal(undefined);
    } finally {
      await db.close();
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });

  it('runs a job the gateway stopped in the middle of again, from its saved work', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-epcis-jobs-'));
    try {
      let db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
      let records = new EpcisRecords(db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' }));
      const first = new CaptureJobs(undefined, records);
      const stuck = first.start(3, () => new Promise(() => undefined), { document: 'doc-1' });
      first.close();
      await records.settled();
      await db.close();

      db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
      records = new EpcisRecords(db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' }));
      // a job an earlier version recorded as running, when a job said success false until it ended
      const legacy = { captureID: 'legacy-1', createdAt: '2026-01-01T00:00:00.000Z', running: true, success: false, captureErrorBehaviour: 'rollback', eventCount: 1, errors: [], owner: 'P-1' };
      await records.batch([{ type: 'put', key: 'j|legacy-1', value: legacy }, { type: 'put', key: 'w|legacy-1', value: { document: 'doc-2' } }]);
      const again = new CaptureJobs(undefined, records);
      const reran: unknown[] = [];
      let releaseLegacy: () => void = () => undefined;
      await again.restore<{ document: string }>((saved) => async () => {
        reran.push(saved);
        if (saved.document === 'doc-2') await new Promise<void>((resolve) => (releaseLegacy = resolve));
        return { captured: 2, duplicates: 1 };
      });
      const job = again.get(stuck.captureID);
      await job?.done;
      expect(reran).to.deep.equal([{ document: 'doc-2' }, { document: 'doc-1' }]);
      expect(job).to.include({ running: false, success: true, captured: 2, duplicates: 1, eventCount: 3 });
      // running again, it is successful so far, whatever its record said
      expect(again.get('legacy-1', 'P-1')).to.include({ running: true, success: true });
      releaseLegacy();
      await again.get('legacy-1', 'P-1')?.done;
      expect(again.get('legacy-1', 'P-1')).to.include({ running: false, success: true });
      await records.settled();
      expect(await records.listText('w|')).to.deep.equal([]);
      await db.close();
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });
});
