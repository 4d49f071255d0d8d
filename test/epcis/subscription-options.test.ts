/**
 * The rest of the standard's subscription interface, on the gateway as `npm start` runs it
 * (subscriptions following the ledger), with a real callback server on loopback:
 * - `initialRecordTime`: a mill that subscribes late is sent the matching events recorded since
 *   that time first, in ledger order, then new ones, each exactly once;
 * - `schedule` (and `reportIfEmpty`): reports at the schedule's times of what matched since the
 *   last report, one document for what arrived together; an empty report only when asked for;
 *   none at times the schedule does not match; pending events survive a restart;
 * - `GET /queries` lists the named queries, paged; `DELETE /queries/{name}` (its owner only)
 *   removes the query and its subscriptions, and nothing is delivered for them after.
 */
import { expect } from 'chai';
import { startGateway } from '../../gateway-api/server';
import { call, gln, removeDir, startTestGateway, withCheck, type Reply, type TestGateway } from '../gateway/support';
import { eventIDsOf, signedWith, startCallbackReceiver, type CallbackReceiver, type Delivery } from './callback-receiver';
import { documentOf, objectEvent, officialSchema } from './fixtures';
import { until } from '../until';

const TOKEN = 'mill-eight-signing-token-0808';
const id = (n: number): string => `urn:uuid:6a1d2e3f-4b5c-4d6e-8f70-80000000${String(n).padStart(4, '0')}`;
const shipping = (n: number): Record<string, unknown> => objectEvent(800 + n, { eventID: id(n), bizStep: 'shipping' });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('EPCIS subscriptions: initialRecordTime, schedules, and the queries collection', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let gw: TestGateway['gw'];
  const callbacks: Record<string, CallbackReceiver> = {};
  const keys: Record<string, string> = {};
  const as = (who: string, method: string, url: string, body?: unknown): Promise<Reply> =>
    call(gw.url, method, url, { key: keys[who] as string, ...(body !== undefined ? { body } : {}) });
  const delivered = (at: string): string[] => (callbacks[at] as CallbackReceiver).deliveries.flatMap(eventIDsOf);
  const capture = async (who: string, events: unknown[]): Promise<void> => {
    const r = await as(who, 'POST', '/epcis/capture', documentOf(events));
    expect(r.status, r.text).to.equal(202);
    await until(async () => !(await as(who, 'GET', String(r.headers.get('location')))).body.running);
  };
  const subscribe = async (who: string, query: string, at: string, options: Record<string, unknown>): Promise<Reply> => {
    const r = await as(who, 'POST', `/epcis/queries/${query}/subscriptions`, { dest: (callbacks[at] as CallbackReceiver).url, signatureToken: TOKEN, ...options });
    expect(r.status, r.text).to.equal(201);
    return r;
  };
  /** The recordTime the ledger gave an event. */
  const recordTimeOf = async (eventID: string): Promise<string> => (await as('samr', 'GET', `/epcis/events/${encodeURIComponent(eventID)}`)).body.epcisBody.queryResults.resultsBody.eventList[0].recordTime;

  before(async () => {
    for (const at of ['late', 'scheduled', 'empty', 'never', 'removed', 'held']) callbacks[at] = await startCallbackReceiver(`/${at}`);
    t = await startTestGateway(undefined, { EPCIS_HTTP_CALLBACK_HOSTS: '127.0.0.1' });
    gw = t.gw;
    keys['samr'] = t.regulatorKey;
    for (const p of [
      { id: 'mill-8', name: 'Rice Mill', role: 'producer', licence: 'SC-8', gln: gln(81) },
      { id: 'other-8', name: 'Unrelated Farm', role: 'producer', licence: 'SC-88', gln: gln(82) },
    ]) {
      keys[p.id] = (await as('samr', 'POST', '/v1/participants', p)).body.apiKey;
    }
    for (const name of ['shipments-8', 'nothing-8', 'gone-8']) {
      const query = name === 'nothing-8' ? { EQ_bizStep: 'destroying' } : { EQ_bizStep: 'shipping' };
      expect((await as(name === 'gone-8' ? 'other-8' : 'mill-8', 'POST', '/epcis/queries', { name, query })).status).to.equal(201);
    }
  });

  after(async () => {
    await gw?.close();
    if (t) await removeDir(t.dir);
    for (const c of Object.values(callbacks)) await c.close();
  });

  it('a late subscription is sent what was recorded since its initialRecordTime first, in ledger order, then new events, each once', async () => {
    for (const n of [1, 2, 3]) await capture('mill-8', [shipping(n)]); // three transactions, three record times
    await capture('other-8', [shipping(4)]); // another company's: the mill may not read it
    const since = await recordTimeOf(id(2));
    const sub = await subscribe('mill-8', 'shipments-8', 'late', { stream: true, initialRecordTime: since.replace('Z', '+00:00') });
    expect(sub.body).to.include({ stream: true, initialRecordTime: since });
    await capture('mill-8', [shipping(5)]);
    await until(() => delivered('late').includes(id(5)));
    await sleep(300); // time for a repeat to show
    expect(delivered('late')).to.deep.equal([id(2), id(3), id(5)]);
    expect((callbacks['late'] as CallbackReceiver).deliveries.every((d) => signedWith(TOKEN, d))).to.equal(true);
    // an initialRecordTime still to come: nothing recorded before it is sent
    const future = await subscribe('mill-8', 'shipments-8', 'never', { stream: true, initialRecordTime: '2999-01-01T00:00:00Z' });
    await capture('mill-8', [shipping(6)]);
    await until(() => delivered('late').includes(id(6)));
    await sleep(300); // time for a wrong delivery to show
    expect((callbacks['never'] as CallbackReceiver).deliveries, 'nothing recorded before its initialRecordTime').to.have.length(0);
    expect((await as('mill-8', 'DELETE', `/epcis/queries/shipments-8/subscriptions/${future.body.subscriptionID}`)).status).to.equal(204);
  });

  it('a scheduled subscription reports at its times what matched since the last report; an empty report only with reportIfEmpty', async () => {
    const every = await subscribe('mill-8', 'shipments-8', 'scheduled', { schedule: { second: '[0-59]' } });
    expect(every.body).to.include({ reportIfEmpty: false });
    expect(every.body.schedule).to.deep.equal({ second: '[0-59]' });
    expect(every.body.stream).to.equal(undefined);
    const nextMonth = String(((new Date().getUTCMonth() + 1) % 12) + 1);
    const never = await subscribe('mill-8', 'shipments-8', 'never', { schedule: { month: nextMonth, dayOfMonth: '1', hour: '0', minute: '0', second: '0' }, reportIfEmpty: true });
    await subscribe('mill-8', 'nothing-8', 'empty', { schedule: { second: '[0-59]' }, reportIfEmpty: true });
    await capture('mill-8', [shipping(7), shipping(8)]);
    await until(() => delivered('scheduled').includes(id(8)));
    const scheduled = (callbacks['scheduled'] as CallbackReceiver).deliveries;
    expect(scheduled.map(eventIDsOf), 'one report of what arrived together').to.deep.equal([[id(7), id(8)]]);
    const doc = JSON.parse((scheduled[0] as Delivery).body);
    expect(officialSchema()(doc), JSON.stringify(officialSchema().errors)).to.equal(true);
    expect(doc.epcisBody.queryResults).to.include({ queryName: 'shipments-8', subscriptionID: every.body.subscriptionID });
    await until(() => (callbacks['empty'] as CallbackReceiver).deliveries.length > 0);
    const empty = JSON.parse(((callbacks['empty'] as CallbackReceiver).deliveries[0] as Delivery).body);
    expect(empty.epcisBody.queryResults.resultsBody.eventList).to.deep.equal([]);
    expect(officialSchema()(empty), JSON.stringify(officialSchema().errors)).to.equal(true);
    await sleep(1500); // a second and more of due times with nothing new
    expect(scheduled, 'no empty report without reportIfEmpty').to.have.length(1);
    expect((callbacks['never'] as CallbackReceiver).deliveries, 'nothing, not even an empty report, at times its schedule does not match').to.have.length(0);
    const read = await as('mill-8', 'GET', `/epcis/queries/shipments-8/subscriptions/${every.body.subscriptionID}`);
    expect(read.body).to.include({ delivered: 1 });
    expect(read.body.lastDelivery).to.include({ eventID: id(8), events: 2, outcome: 'delivered' });
    expect(read.body.lastNotifiedAt).to.equal(read.body.lastDelivery.at);
    expect((await as('mill-8', 'DELETE', `/epcis/queries/shipments-8/subscriptions/${never.body.subscriptionID}`)).status).to.equal(204);
  });

  it('keeps what matched for a scheduled report across a restart', async () => {
    const nextMonth = String(((new Date().getUTCMonth() + 1) % 12) + 1);
    const later = await subscribe('mill-8', 'shipments-8', 'never', { schedule: { month: nextMonth } });
    const path = `/epcis/queries/shipments-8/subscriptions/${later.body.subscriptionID}`;
    await capture('mill-8', [shipping(9)]);
    await until(() => delivered('scheduled').includes(id(9)));
    await gw.close();
    gw = await startGateway(t.config);
    const read = await as('mill-8', 'GET', path);
    expect(read.body).to.include({ delivered: 0 });
    expect(read.body.schedule).to.deep.equal({ month: nextMonth });
    // what it holds for its next report is on record (d| records) under its ID
    const pending = await gw.store.epcis.list<{ eventID: string }>(`d|${later.body.subscriptionID}|`);
    expect(pending.map(([, e]) => e.eventID)).to.deep.equal([id(9)]);
    expect((await as('mill-8', 'DELETE', path)).status).to.equal(204);
    expect(await gw.store.epcis.list(`d|${later.body.subscriptionID}|`)).to.deep.equal([]);
  });

  it('lists the named queries, paged, and removes one with its subscriptions (its owner only)', async () => {
    const first = await as('mill-8', 'GET', '/epcis/queries?perPage=2');
    expect(first.status, first.text).to.equal(200);
    expect(first.body.map((q: { name: string }) => q.name)).to.deep.equal(['gone-8', 'nothing-8']);
    expect(first.body[1].query).to.deep.equal({ EQ_bizStep: 'destroying' });
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.get('link')))?.[1] ?? '';
    const second = await as('mill-8', 'GET', next);
    expect(second.body.map((q: { name: string }) => q.name)).to.deep.equal(['shipments-8']);
    expect(second.headers.get('link')).to.equal(null);
    expect((await as('mill-8', 'GET', '/epcis/queries?nextPageToken=bm90IGEgbmFtZSE')).status).to.equal(400);
    expect((await as('mill-8', 'GET', '/epcis/queries?colour=red')).status).to.equal(400);

    const sub = await as('other-8', 'POST', '/epcis/queries/gone-8/subscriptions', { dest: (callbacks['removed'] as CallbackReceiver).url, signatureToken: TOKEN, stream: true });
    expect(sub.status, sub.text).to.equal(201);
    expect((await as('mill-8', 'DELETE', '/epcis/queries/gone-8')).status).to.equal(403);
    expect((await as('other-8', 'DELETE', '/epcis/queries/gone-8')).status).to.equal(204);
    expect((await as('other-8', 'GET', '/epcis/queries/gone-8')).status).to.equal(404);
    expect((await as('other-8', 'GET', `/epcis/queries/gone-8/subscriptions/${sub.body.subscriptionID}`)).status).to.equal(404);
    expect((await as('other-8', 'DELETE', '/epcis/queries/gone-8')).status).to.equal(404);
    await capture('other-8', [shipping(10)]);
    await capture('mill-8', [shipping(11)]);
    await until(() => delivered('scheduled').includes(id(11))); // the live subscription to another query has it
    expect(delivered('removed'), 'nothing for a removed query').to.deep.equal([]);
    expect((await as('other-8', 'POST', '/epcis/queries', { name: 'gone-8', query: { EQ_bizStep: 'receiving' } })).status, 'the name is free again').to.equal(201);
  });

  it('zfc:heldBySubscriber: a shop that subscribes to every recall is called only for what it holds, whatever it holds by then', async () => {
    const OIL = withCheck('0695000000868');
    keys['shop-8'] = (await as('samr', 'POST', '/v1/participants', { id: 'shop-8', name: 'Corner Shop', role: 'retailer', licence: 'JY-88', gln: gln(83) })).body.apiKey;
    expect((await as('mill-8', 'POST', '/v1/products', { gtin: OIL, name: 'Rice bran oil', category: 'oil', unit: 'LTR', requiresTest: false })).status).to.equal(201);
    for (const lot of ['L1', 'L2']) expect((await as('mill-8', 'POST', '/v1/lots', { gtin: OIL, lot, quantity: 100, unit: 'LTR', productionDate: '2026-04-01', origin: { gln: gln(81) } })).status).to.equal(201);
    expect((await as('shop-8', 'POST', '/epcis/queries', { name: 'recalls-8', query: { EQ_disposition: 'recalled' } })).status).to.equal(201);
    const sub = await subscribe('shop-8', 'recalls-8', 'held', { stream: true, 'zfc:heldBySubscriber': true });
    expect(sub.body['zfc:heldBySubscriber']).to.equal(true);
    // the shop comes to hold L1 only after it subscribed
    expect((await as('mill-8', 'POST', '/v1/shipments', { shipmentId: 'SH-8', to: 'shop-8', lines: [{ gtin: OIL, lot: 'L1', quantity: 10 }], origin: { gln: gln(81) } })).status).to.equal(201);
    expect((await as('shop-8', 'POST', '/v1/shipments/SH-8/receipt', { location: { gln: gln(83) } })).status).to.equal(201);
    expect((await as('samr', 'POST', '/v1/recalls', { recallId: 'RC-L2', lots: [{ gtin: OIL, lot: 'L2' }], reason: 'rancid', class: 'II' })).status).to.equal(201);
    expect((await as('samr', 'POST', '/v1/recalls', { recallId: 'RC-L1', lots: [{ gtin: OIL, lot: 'L1' }], reason: 'rancid', class: 'II' })).status).to.equal(201);
    const held = callbacks['held'] as CallbackReceiver;
    await until(() => held.deliveries.length > 0);
    await sleep(500); // time for the other recall to show, were it sent
    const recalled = held.deliveries.map((d) => (JSON.parse(d.body).epcisBody.queryResults.resultsBody.eventList as Array<Record<string, unknown>>).map((e) => e['zfc:recallId']));
    expect(recalled).to.deep.equal([['RC-L1']]);
    // refused where it cannot be meant
    expect((await as('shop-8', 'POST', '/epcis/queries/recalls-8/subscriptions', { dest: held.url, signatureToken: TOKEN, stream: true, 'zfc:heldBySubscriber': 'yes' })).status).to.equal(400);
  });
});
