/**
 * A query page looks at a bounded number of events (gateway-api/epcis-projection.ts, QUERY_SCAN):
 * a query that matches few of many events is answered in slices, every matching event still
 * found once and in order by following the pages; page tokens are sealed, so a page that stops
 * at an event its reader may not read tells it nothing, and an altered token or another store's
 * is refused. Through the gateway, a token outlives a restart (its key is kept).
 */
import { expect } from 'chai';
import type { EpcisQueryPlan } from '../../chaincode/epcis-match';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import { startGateway } from '../../gateway-api/server';
import type { EmbeddedLedger, Identity } from '../../ledger-tools';
import { startTestGateway, type TestGateway } from '../gateway/support';
import { rejectionOf } from '../ledger/suite';
import { ApiClient } from './api-client';
import { openProjectionWorld, type ProjectionWorld } from './projection-world';
import { documentOf, objectEvent } from './fixtures';

describe('EPCIS query pages look at a bounded number of events', function () {
  this.timeout(120_000);
  let world: ProjectionWorld;
  let ledger: EmbeddedLedger;
  let alice: Identity;
  let store: ProjectedEventStore;
  /** The matching events' positions among 1,000 (eventTime order = capture order here). */
  const RARE = [5, 240, 241, 777, 999];

  before(async () => {
    world = await openProjectionWorld('scan', { scanLimit: 100 });
    ({ ledger, alice, store } = world);
    const events = Array.from({ length: 1000 }, (_, i) => objectEvent(i, { bizStep: RARE.includes(i) ? 'accepting' : 'storing' }));
    for (let i = 0; i < events.length; i += 250) await store.capture(validateEpcisDocument(documentOf(events.slice(i, i + 250))), alice);
  });

  after(async () => {
    await world.close();
  });

  /** Every page of a query: the events' times, and how many pages it took. */
  async function follow(plan: Partial<EpcisQueryPlan>, viewer?: string, direction: 'ASC' | 'DESC' = 'ASC'): Promise<{ times: string[]; pages: number; tokens: string[] }> {
    const times: string[] = [];
    const tokens: string[] = [];
    let token = '';
    for (let pages = 1; pages <= 100; pages++) {
      const page = await store.query({ perPage: 10, ...plan }, token, alice, viewer, { by: 'eventTime', direction });
      times.push(...page.events.map((e) => e.eventTime));
      token = page.nextPageToken;
      if (!token) return { times, pages, tokens };
      tokens.push(token);
    }
    throw new Error('more than 100 pages');
  }

  it('answers a query that matches few events in slices, finding each once and in order', async () => {
    const want = RARE.map((i) => objectEvent(i)['eventTime'] as string);
    const up = await follow({ bizSteps: ['accepting'] });
    expect(up.times).to.deep.equal(want);
    expect(up.pages, '1,000 events, 100 looked at a page').to.be.within(10, 11);
    const down = await follow({ bizSteps: ['accepting'] }, undefined, 'DESC');
    expect(down.times).to.deep.equal([...want].reverse());
    // a query that matches nothing ends after the last slice, with no token
    const none = await follow({ bizSteps: ['departing'] });
    expect(none).to.deep.include({ times: [], pages: 10 });
    // a page that fills before the limit is unchanged: ten events, the token after the tenth
    const first = await store.query({ perPage: 10, bizSteps: ['storing'] }, '', alice);
    expect(first.events).to.have.length(10);
  });

  it('seals its tokens: one that stops at an event the reader may not read tells it nothing', async () => {
    // P-B may read none of P-A's events: every page is empty, and every token stops at one of them
    const stranger = await follow({}, 'P-B');
    expect(stranger.times).to.deep.equal([]);
    expect(stranger.tokens.length).to.be.at.least(9);
    const everything = (await store.query({ perPage: 1000 }, '', alice)).events;
    for (const token of stranger.tokens) {
      const text = Buffer.from(token, 'base64url').toString('latin1');
      for (const e of everything.slice(0, 1000)) {
        expect(text.includes(e.eventID.slice(14, 40)), 'no event ID in a token').to.equal(false);
        expect(text.includes(e.eventTime.slice(0, 16)), 'no event time in a token').to.equal(false);
      }
    }
  });

  it('refuses a token altered or sealed by another store, and still takes a token of the earlier plain form', async () => {
    const page = await store.query({ perPage: 3 }, '', alice);
    const bytes = Buffer.from(page.nextPageToken, 'base64url');
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 1, bytes.length - 1); // one bit of the sealed text
    const refusal = async (token: string, s = store): Promise<string> => (await rejectionOf(s.query({ perPage: 3 }, token, alice))).code;
    expect(await refusal(bytes.toString('base64url'))).to.equal('INVALID_ARGUMENT');
    const other = await ProjectedEventStore.open(ledger);
    try {
      expect(await refusal(page.nextPageToken, other), 'sealed under another key').to.equal('INVALID_ARGUMENT');
    } finally {
      await other.close();
    }
    // a token from before sealing: the plain position of the last event given
    const third = page.events[2];
    const plain = Buffer.from(JSON.stringify({ t: third?.eventTime, id: third?.eventID }), 'utf8').toString('base64url');
    const next = await store.query({ perPage: 3 }, plain, alice);
    const sealed = await store.query({ perPage: 3 }, page.nextPageToken, alice);
    expect(next.events.map((e) => e.eventID)).to.deep.equal(sealed.events.map((e) => e.eventID));
  });

  it('seals the token\'s expiry in it, says when in nextPageTokenExpires, and refuses it from then on', async () => {
    let now = new Date('2026-06-01T08:00:00.250Z');
    const timed = await ProjectedEventStore.open(ledger, { clock: () => now, pageTokenLifetimeMs: 60_000 });
    try {
      const page = await timed.query({ perPage: 3 }, '', alice);
      expect(page.nextPageTokenExpires, 'a minute on, in whole seconds').to.equal('2026-06-01T08:01:00Z');
      now = new Date('2026-06-01T08:00:59.900Z');
      expect((await timed.query({ perPage: 3 }, page.nextPageToken, alice)).events, 'still usable').to.have.length(3);
      now = new Date('2026-06-01T08:01:00.000Z');
      const refused = await rejectionOf(timed.query({ perPage: 3 }, page.nextPageToken, alice));
      expect([refused.code, refused.details['expired']]).to.deep.equal(['INVALID_ARGUMENT', '2026-06-01T08:01:00Z']);
      expect(refused.message).to.match(/expired at 2026-06-01T08:01:00Z .*first page again/);
      // the last page has no token, so no expiry
      const last = await timed.query({ perPage: 1000 }, '', alice);
      expect([last.nextPageToken, last.nextPageTokenExpires]).to.deep.equal(['', undefined]);
      // a lifetime whose expiry could not be written as a date, or under a second, is a programmer's mistake
      for (const pageTokenLifetimeMs of [999, 1500.5, 3650 * 86_400_000 + 1]) expect(() => ProjectedEventStore.start(ledger, { pageTokenLifetimeMs }), String(pageTokenLifetimeMs)).to.throw(TypeError);
    } finally {
      await timed.close();
    }
  });

  describe('through the gateway', () => {
    let t: TestGateway;
    const api = new ApiClient(() => t.gw.url);

    after(async () => {
      await t.stop();
    });

    it('keeps its token key: a page token outlives a restart', async () => {
      t = await startTestGateway();
      api.keys['samr'] = t.regulatorKey;
      expect(await api.capture('samr', Array.from({ length: 30 }, (_, i) => objectEvent(i, { epcList: [`urn:epc:id:sgtin:0614141.107346.R${i}`] })))).to.include({ success: true });
      const first = await api.as('samr', 'GET', '/epcis/events?perPage=10');
      const link = first.headers.get('link') ?? '';
      const next = /nextPageToken=([A-Za-z0-9_-]+)/.exec(link)?.[1];
      expect(next, link).to.be.a('string');
      // when the token expires, as the standard's header says: a day from now, to the second
      const expires = first.headers.get('gs1-next-page-token-expires') ?? '';
      expect(expires).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(expires) - Date.now()).to.be.within(24 * 3600_000 - 60_000, 24 * 3600_000 + 1000);
      const all = await api.as('samr', 'GET', '/epcis/events?perPage=100');
      expect([all.headers.get('link'), all.headers.get('gs1-next-page-token-expires')], 'the last page: no token, no expiry').to.deep.equal([null, null]);
      await t.gw.close();
      t = { ...t, gw: await startGateway(t.config) };
      const second = await api.as('samr', 'GET', `/epcis/events?perPage=10&nextPageToken=${next}`);
      expect(second.status, second.text).to.equal(200);
      const times = (r: typeof first): string[] => (r.body.epcisBody.queryResults.resultsBody.eventList as Array<{ eventTime: string }>).map((e) => e.eventTime);
      expect(times(second)).to.have.length(10);
      expect((times(second)[0] ?? '') > (times(first).at(-1) ?? ''), 'the page after the first').to.equal(true);
    });
  });
});
