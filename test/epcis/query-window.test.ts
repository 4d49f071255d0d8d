/**
 * A query's eventTime window (GE_eventTime, LT_eventTime) is where the projection's scan starts
 * and stops (gateway-api/epcis-projection.ts): the answers must be exactly those of filtering
 * every event, in both orders, over every page, whatever the window's edges fall on — before
 * the first event, between two, on a time many events share, past the last — and with a page
 * token from before the window or from inside it. Generated windows from a fixed seed, against
 * the whole ledger's events filtered by hand.
 */
import { expect } from 'chai';
import type { EpcisQueryPlan } from '../../chaincode/epcis-match';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import type { EventOrder } from '../../gateway-api/epcis-query';
import type { Identity } from '../../ledger-tools';
import { seededRandom } from '../seeded-random';
import { openProjectionWorld, type ProjectionWorld } from './projection-world';
import { documentOf, objectEvent } from './fixtures';

describe('EPCIS queries with an eventTime window', function () {
  this.timeout(60_000);
  let world: ProjectionWorld;
  let alice: Identity;
  let store: ProjectedEventStore;
  /** Every event, as the unwindowed scan gives them: eventTime, then eventID. */
  let everything: Array<{ eventID: string; eventTime: string; item: boolean }>;
  const ITEM = 'https://id.gs1.org/01/10614141073464/21/W1';
  /** The i-th second of the events' hour, as a canonical time. */
  const at = (second: number): string => `2026-03-01T08:${String(Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000Z`;

  async function pages(plan: Partial<EpcisQueryPlan>, perPage: number, order: EventOrder, token = ''): Promise<string[]> {
    const out: string[] = [];
    for (let n = 0; n < 1000; n++) {
      const page = await store.query({ perPage, ...plan }, token, alice, undefined, order);
      expect(page.events.length, 'a page is never longer than perPage').to.be.at.most(perPage);
      out.push(...page.events.map((e) => e.eventID));
      token = page.nextPageToken;
      if (!token) return out;
      expect(page.events.length, 'a page with a next one is full').to.equal(perPage);
    }
    throw new Error('more than 1000 pages');
  }

  before(async () => {
    world = await openProjectionWorld('window');
    ({ alice, store } = world);
    // 240 events on 40 distinct seconds (six on each: ties decided by eventID), every third about one item
    const rnd = seededRandom(7);
    const events = Array.from({ length: 240 }, (_, i) => {
      const second = 100 + Math.floor(rnd() * 40) * 30;
      // the item's events differ by purchase order: equal events would be one (their content hash)
      return objectEvent(i, { eventTime: at(second), ...(i % 3 === 0 ? { epcList: ['urn:epc:id:sgtin:0614141.107346.W1'], bizTransactionList: [{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:0614141073467:${i}` }] } : {}) });
    });
    for (let i = 0; i < events.length; i += 60) await store.capture(validateEpcisDocument(documentOf(events.slice(i, i + 60))), alice);
    const all = await store.query({ perPage: 10_000 }, '', alice);
    everything = all.events.map((e) => ({ eventID: e.eventID, eventTime: e.eventTime, item: e.ids.epcList.includes(ITEM) }));
    expect(everything).to.have.length(240);
  });

  after(async () => {
    await world.close();
  });

  it('answers every window, in both orders and any page size, as filtering every event would', async () => {
    const rnd = seededRandom(11);
    const edges = [...new Set(everything.map((e) => e.eventTime))];
    // an edge: before everything, a time events share, between two of them, or past everything
    const edge = (): string => {
      const r = rnd();
      if (r < 0.1) return at(0);
      if (r < 0.2) return at(3000);
      const t = edges[Math.floor(rnd() * edges.length)] as string;
      return r < 0.6 ? t : at(Number(t.slice(14, 16)) * 60 + Number(t.slice(17, 19)) + 1);
    };
    let checked = 0;
    for (let n = 0; n < 60; n++) {
      const [a, b] = [edge(), edge()].sort() as [string, string];
      const window: Partial<EpcisQueryPlan> = { ...(rnd() < 0.8 ? { geEventTime: a } : {}), ...(rnd() < 0.8 ? { ltEventTime: b } : {}) };
      const item = rnd() < 0.3;
      const plan: Partial<EpcisQueryPlan> = { ...window, ...(item ? { epcs: [{ value: ITEM, prefix: false }] } : {}) };
      const perPage = [1, 3, 7, 50][Math.floor(rnd() * 4)] as number;
      const expected = everything.filter((e) => (!window.geEventTime || e.eventTime >= window.geEventTime) && (!window.ltEventTime || e.eventTime < window.ltEventTime) && (!item || e.item)).map((e) => e.eventID);
      for (const direction of ['ASC', 'DESC'] as const) {
        const want = direction === 'ASC' ? expected : [...expected].reverse();
        expect(await pages(plan, perPage, { by: 'eventTime', direction }), `${JSON.stringify(plan)} ${direction} perPage ${perPage}`).to.deep.equal(want);
        checked += want.length;
      }
    }
    expect(checked, 'the windows were not all empty').to.be.above(1000);
  });

  it('goes on from a page token, whether it lies before the window or inside it', async () => {
    const asc: EventOrder = { by: 'eventTime', direction: 'ASC' };
    const desc: EventOrder = { by: 'eventTime', direction: 'DESC' };
    const times = [...new Set(everything.map((e) => e.eventTime))];
    const [ge, lt] = [times[10] as string, times[30] as string];
    const inWindow = everything.filter((e) => e.eventTime >= ge && e.eventTime < lt).map((e) => e.eventID);
    // a token from an unwindowed query, taken at an event before the window (ascending) or after it (descending)
    const early = await store.query({ perPage: 5 }, '', alice, undefined, asc);
    expect(await pages({ geEventTime: ge, ltEventTime: lt }, 4, asc, early.nextPageToken)).to.deep.equal(inWindow);
    const late = await store.query({ perPage: 5 }, '', alice, undefined, desc);
    expect(await pages({ geEventTime: ge, ltEventTime: lt }, 4, desc, late.nextPageToken)).to.deep.equal([...inWindow].reverse());
    // a token from inside the window goes on after its event, not from the window's edge
    const first = await store.query({ perPage: 6, geEventTime: ge, ltEventTime: lt }, '', alice, undefined, asc);
    expect(await pages({ geEventTime: ge, ltEventTime: lt }, 4, asc, first.nextPageToken)).to.deep.equal(inWindow.slice(6));
  });
});
