/**
 * A subscription to what its subscriber holds (`zfc:heldBySubscriber`: a shop's recalls) when the
 * holdings cannot be told. Once the trace index stopped for lack of heap (a 503, TRACE_INDEX_FULL)
 * every event the subscription matches and its owner may read is sent: a recall notice too many
 * rather than one late, and the other subscriptions go on. Any other failure of the holdings
 * stops the subscriptions' follower at that event, and a restart whose holdings answer follows
 * on from the position it kept, losing nothing. Real embedded ledger, real level database, real
 * callback server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Level } from 'level';
import { ZfcError } from '../../chaincode/errors';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import { EpcisRecords, type JsonSection } from '../../gateway-api/epcis-records';
import { EpcisSubscriptions } from '../../gateway-api/epcis-subscriptions';
import { parseEpcisQuery } from '../../gateway-api/epcis-query';
import { actor, openWorld, type World } from '../chaincode/support';
import { eventIDsOf, startCallbackReceiver, type CallbackReceiver } from './callback-receiver';
import { documentOf, objectEvent } from './fixtures';
import { until } from '../until';

const TOKEN = 'holdings-stopped-token-0001';
const id = (n: number): string => `urn:uuid:0b1c2d3e-4f50-4617-8a9b-71000000${String(n).padStart(4, '0')}`;

describe('EPCIS subscriptions: what a subscriber holds cannot be told', function () {
  this.timeout(60_000);
  let w: World;
  let dir: string;
  let db: Level<string, unknown>;
  let projection: ProjectedEventStore;
  let callback: CallbackReceiver;
  const open: EpcisSubscriptions[] = [];

  before(async () => {
    w = await openWorld();
    dir = await mkdtemp(path.join(tmpdir(), 'zfc-sub-held-'));
    db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    callback = await startCallbackReceiver('/held');
    projection = await ProjectedEventStore.open(w.ledger);
  });

  after(async () => {
    for (const s of open) await s.close();
    await projection?.close();
    await db?.close();
    await w?.close();
    await callback?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Subscriptions kept in the records section `section`, whose holdings answer with `holds`. */
  async function subscriptions(section: string, holds: (participant: string) => boolean): Promise<EpcisSubscriptions> {
    const records = new EpcisRecords(db.sublevel<string, unknown>(section, { valueEncoding: 'json' }) as unknown as JsonSection);
    const subs = new EpcisSubscriptions({ source: projection, records, ledger: w.ledger, allowDestination: (u) => u.hostname === '127.0.0.1', backoffMs: 20, holds, holdingsAt: async () => undefined });
    open.push(subs);
    await subs.restore();
    return subs;
  }

  const sentTo = (subscriptionID: string): string[] => callback.deliveries.filter((d) => JSON.parse(d.body).epcisBody.queryResults.subscriptionID === subscriptionID).flatMap(eventIDsOf);
  const recall = (n: number, by: string) => w.submit('epcis:CaptureEvents', documentOf([objectEvent(970 + n, { eventID: id(n), bizStep: 'shipping', disposition: 'recalled', epcList: [`urn:epc:id:sgtin:0614141.107346.97${n}`] })]), actor(w, by));

  it('sends every event a held-by-subscriber subscription matches and may read while the index cannot tell (503), and the others go on', async () => {
    let asked = 0;
    const subs = await subscriptions('unknown', () => {
      asked++;
      throw new ZfcError('TRACE_INDEX_FULL', 'the trace index stopped at block 9');
    });
    await subs.define('recalled', parseEpcisQuery({ EQ_disposition: 'recalled' }).plan, { EQ_disposition: 'recalled' }, 'shop');
    const held = await subs.subscribe('recalled', { dest: callback.url, signatureToken: TOKEN, stream: true, 'zfc:heldBySubscriber': true }, 'shop');
    const all = await subs.subscribe('recalled', { dest: callback.url, signatureToken: TOKEN, stream: true }, 'shop');
    await recall(1, 'shop');
    await recall(2, 'shop-b'); // not the shop's to read: never sent to it, whatever it holds
    await recall(3, 'shop');
    await until(() => sentTo(held.subscriptionID).includes(id(3)) && sentTo(all.subscriptionID).includes(id(3)));
    await new Promise((r) => setTimeout(r, 200)); // time for a repeat or a stray to show
    expect(sentTo(held.subscriptionID)).to.deep.equal([id(1), id(3)]);
    expect(sentTo(all.subscriptionID)).to.deep.equal([id(1), id(3)]);
    expect(asked, 'the holdings were asked for each event the shop may read').to.equal(2);
  });

  it('stops at the event on any other failure of the holdings, and sends it after a restart whose holdings answer', async () => {
    let asked = 0;
    const first = await subscriptions('failing', () => {
      asked++;
      throw new Error('a bug in the holdings');
    });
    await first.define('recalled', parseEpcisQuery({ EQ_disposition: 'recalled' }).plan, { EQ_disposition: 'recalled' }, 'dist');
    const sub = await first.subscribe('recalled', { dest: callback.url, signatureToken: TOKEN, stream: true, 'zfc:heldBySubscriber': true }, 'dist');
    await recall(4, 'dist');
    await until(() => asked > 0);
    await recall(5, 'dist'); // after the follower stopped: never looked at by it
    await new Promise((r) => setTimeout(r, 300)); // time for a delivery to show, if one were made
    expect(asked, 'the follower stopped at the first event it could not judge').to.equal(1);
    expect(sentTo(sub.subscriptionID)).to.deep.equal([]);
    await first.close();

    const again = await subscriptions('failing', (participant) => participant === 'dist');
    expect(again.subscriptionsOf('recalled', 'dist').map((s) => s.subscriptionID)).to.deep.equal([sub.subscriptionID]);
    await until(() => sentTo(sub.subscriptionID).length >= 2);
    await new Promise((r) => setTimeout(r, 200)); // time for a repeat to show
    expect(sentTo(sub.subscriptionID)).to.deep.equal([id(4), id(5)]);
  });
});
