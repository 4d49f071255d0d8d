/**
 * A subscription that reaches back (initialRecordTime) while the subscriptions' own follower of
 * the ledger lags the projection: the events the projection had applied are sent from it when
 * subscribing, and when the follower then reaches the same transactions it does not send them
 * again. The lag is made real: the projection follows a real embedded ledger, and the follower is
 * held at the projection's `applied` until the test lets it go. And the bounds on what one
 * participant keeps: named queries and subscriptions (memory, and outbound calls).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Level } from 'level';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import { EpcisRecords, type JsonSection } from '../../gateway-api/epcis-records';
import { EpcisSubscriptions, MAX_QUERIES_PER_OWNER, MAX_SUBSCRIPTIONS_PER_OWNER } from '../../gateway-api/epcis-subscriptions';
import { parseEpcisQuery } from '../../gateway-api/epcis-query';
import { actor, expectCode, openWorld, type World } from '../chaincode/support';
import { eventIDsOf, startCallbackReceiver, type CallbackReceiver } from './callback-receiver';
import { documentOf, objectEvent } from './fixtures';

const TOKEN = 'lagging-follower-token-0001';
const id = (n: number): string => `urn:uuid:0b1c2d3e-4f50-4617-8a9b-70000000${String(n).padStart(4, '0')}`;

describe('EPCIS subscriptions: reaching back while the follower lags the projection', function () {
  this.timeout(60_000);
  let w: World;
  let dir: string;
  let db: Level<string, unknown>;
  let projection: ProjectedEventStore;
  let subs: EpcisSubscriptions;
  let callback: CallbackReceiver;
  let release: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  /** What 'dist' holds, as a lagging holdings index would tell it, and the gate it catches up at. */
  let holding = false;
  /** The follower has asked to wait for the holdings; and whether it asked what is held before they caught up. */
  let askedToWait = false;
  let holdingsBehind = false;
  let askedTooEarly = false;
  let releaseHoldings: () => void = () => undefined;
  let holdingsGate: Promise<void> = Promise.resolve();

  before(async () => {
    w = await openWorld();
    dir = await mkdtemp(path.join(tmpdir(), 'zfc-sub-lag-'));
    db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    callback = await startCallbackReceiver('/lag');
    projection = await ProjectedEventStore.open(w.ledger);
    // the projection as the subscriptions' source, except that the follower waits at the gate
    const source = {
      listen: projection.listen.bind(projection),
      visible: projection.visible.bind(projection),
      recordedSince: projection.recordedSince.bind(projection),
      applied: async (txId: string) => {
        await gate;
        await projection.applied(txId);
      },
    };
    const records = new EpcisRecords(db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' }) as unknown as JsonSection);
    subs = new EpcisSubscriptions({
      source, records, ledger: w.ledger, allowDestination: (u) => u.hostname === '127.0.0.1', backoffMs: 20,
      holds: (participant) => {
        if (holdingsBehind) askedTooEarly = true;
        return participant === 'dist' && holding;
      },
      holdingsAt: () => {
        askedToWait = true;
        return holdingsGate;
      },
    });
    await subs.restore();
    await subs.define('shipped', parseEpcisQuery({ EQ_bizStep: 'shipping' }).plan, { EQ_bizStep: 'shipping' }, 'dist');
    // a subscription from the start, so that the follower reads each capture (with none it skips them unread)
    await subs.define('destroyed', parseEpcisQuery({ EQ_bizStep: 'destroying' }).plan, { EQ_bizStep: 'destroying' }, 'dist');
    await subs.subscribe('destroyed', { dest: callback.url, signatureToken: TOKEN, stream: true }, 'dist');
  });

  after(async () => {
    release();
    releaseHoldings();
    await subs?.close();
    await projection?.close();
    await db?.close();
    await w?.close();
    await callback?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sends what the projection had applied once, and new events after it', async () => {
    gate = new Promise((resolve) => (release = resolve));
    const capture = (n: number) => w.submit('epcis:CaptureEvents', documentOf([objectEvent(900 + n, { eventID: id(n), bizStep: 'shipping' })]), actor(w, 'dist'));
    await capture(1);
    await capture(2);
    for (let i = 0; i < 200 && !(await projection.get(id(2))); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await projection.get(id(2)), 'the projection has applied both').to.not.equal(undefined);
    // the follower is held at the first of them: the subscription reaches back to both from the projection
    await subs.subscribe('shipped', { dest: callback.url, signatureToken: TOKEN, stream: true, initialRecordTime: '2026-01-01T00:00:00Z' }, 'dist');
    release();
    await capture(3);
    for (let i = 0; i < 400 && !callback.deliveries.flatMap(eventIDsOf).includes(id(3)); i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200)); // time for a repeat to show
    expect(callback.deliveries.flatMap(eventIDsOf)).to.deep.equal([id(1), id(2), id(3)]);
  });

  it('asks what a subscriber holds only once the holdings have caught up with the event', async () => {
    await subs.define('recalled', parseEpcisQuery({ EQ_bizStep: 'shipping', EQ_disposition: 'recalled' }).plan, { EQ_bizStep: 'shipping', EQ_disposition: 'recalled' }, 'dist');
    const sub = await subs.subscribe('recalled', { dest: callback.url, signatureToken: TOKEN, stream: true, 'zfc:heldBySubscriber': true }, 'dist');
    /** What this subscription was sent (the callback serves the other subscriptions too). */
    const sent = (): string[] => callback.deliveries.filter((d) => JSON.parse(d.body).epcisBody.queryResults.subscriptionID === sub.subscriptionID).flatMap(eventIDsOf);
    holdingsGate = new Promise((resolve) => (releaseHoldings = resolve));
    holdingsBehind = true;
    await w.submit('epcis:CaptureEvents', documentOf([objectEvent(960, { eventID: id(60), bizStep: 'shipping', disposition: 'recalled', epcList: ['urn:epc:id:sgtin:0614141.107346.960'] })]), actor(w, 'dist'));
    for (let i = 0; i < 400 && !askedToWait; i++) await new Promise((r) => setTimeout(r, 10)); // the follower has reached the event
    expect(askedToWait, 'the follower waited for the holdings').to.equal(true);
    holding = true; // the holdings reach the event only now
    holdingsBehind = false;
    releaseHoldings();
    for (let i = 0; i < 400 && !sent().includes(id(60)); i++) await new Promise((r) => setTimeout(r, 10));
    expect(sent()).to.deep.equal([id(60)]);
    expect(askedTooEarly, 'what the subscriber holds was asked before the holdings caught up').to.equal(false);
  });

  it('keeps at most MAX_SUBSCRIPTIONS_PER_OWNER subscriptions and MAX_QUERIES_PER_OWNER named queries per participant', async () => {
    const queries = subs.queriesPage('', 1000).queries;
    const mine = queries.flatMap((q) => subs.subscriptionsOf(q.name, 'dist')).length;
    for (let i = mine; i < MAX_SUBSCRIPTIONS_PER_OWNER; i++) await subs.subscribe('destroyed', { dest: callback.url, signatureToken: TOKEN, stream: true }, 'dist');
    await expectCode(subs.subscribe('destroyed', { dest: callback.url, signatureToken: TOKEN, stream: true }, 'dist'), 'INVALID_STATE');
    await subs.subscribe('destroyed', { dest: callback.url, signatureToken: TOKEN, stream: true }, 'shop'); // another participant's count is its own
    const plan = parseEpcisQuery({}).plan;
    for (let i = queries.filter((q) => q.owner === 'dist').length; i < MAX_QUERIES_PER_OWNER; i++) await subs.define(`q-${i}`, plan, {}, 'dist');
    await expectCode(subs.define('one-too-many', plan, {}, 'dist'), 'INVALID_STATE');
    await subs.removeQuery(`q-${MAX_QUERIES_PER_OWNER - 1}`, 'dist');
    await subs.define('one-more', plan, {}, 'dist');
  });
});
