/**
 * `orderBy` as EPCIS 2.0 §8.2.7.1 has it: eventTime, recordTime, or a top-level extension field
 * of type Int, Float, Time or String (numbers by value, times as instants, text by code point),
 * either direction, over pages whose tokens keep their place while events arrive; and the rules
 * around it (eventCountLimit needs orderBy; a token of one order is refused by another; a field
 * order that would sort too much is a QueryTooComplexException).
 */
import { expect } from 'chai';
import type { StoredEpcisEvent } from '../../chaincode/epcis-ledger';
import { compareCodePoints, orderValue } from '../../chaincode/epcis-match';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import { ZfcError } from '../../chaincode/errors';
import { problemOf } from '../../gateway-api/epcis-problems';
import { extensionPrefixes, parseEpcisQuery } from '../../gateway-api/epcis-query';
import { call, removeDir, startTestGateway, type Reply, type TestGateway } from '../gateway/support';
import { ApiClient } from './api-client';
import { documentOf, objectEvent } from './fixtures';
import { openProjectionWorld, type ProjectionWorld } from './projection-world';

/** Event `i`'s ID: IDs sort as their numbers do. */
const id = (i: number): string => `urn:uuid:0a0a0a0a-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`;
const LOT = 'urn:epc:class:lgtin:4012345.012345.998877';

/**
 * Ten events in three captures an hour apart. Their eventTimes run the other way (the first
 * capture's are latest), so recordTime order is not eventTime order. Each carries some of:
 * `ex:grade` (numbers, one written as text, a tie, one an object), `ex:packed` (times in three
 * offsets), `ex:label` (text on both sides of U+FFFF).
 */
const CAPTURES: ReadonlyArray<ReadonlyArray<{ i: number; at: number; fields: Record<string, unknown> }>> = [
  [
    { i: 0, at: 40, fields: { 'ex:grade': 7, 'ex:label': 'Zebra' } },
    { i: 1, at: 41, fields: { 'ex:grade': '12', 'ex:packed': '2026-03-01T10:00:00+08:00' } },
    { i: 2, at: 42, fields: { 'ex:grade': 3.5, 'ex:label': '\u{1D538}' } },
    { i: 3, at: 43, fields: { 'ex:grade': -1 } },
  ],
  [
    { i: 4, at: 1, fields: { 'ex:grade': 7, 'ex:packed': '2026-03-01T03:00:00Z', 'ex:label': 'apple' } },
    { i: 5, at: 2, fields: {} },
    { i: 6, at: 3, fields: { 'ex:grade': { 'ex:value': 1 }, 'ex:label': '\uFFDA' } },
    { i: 7, at: 0, fields: { 'ex:grade': 100, 'ex:packed': '2026-03-01T01:30:00-01:00' } },
  ],
  [
    { i: 8, at: 20, fields: { 'ex:grade': 0, 'ex:label': 'Äpfel' } },
    { i: 9, at: 21, fields: {} },
  ],
];
const HOUR = 3_600_000;
const CAPTURED_AT = [1, 2, 3].map((h) => new Date(Date.UTC(2026, 2, 2) + h * HOUR).toISOString());

describe('EPCIS orderBy: eventTime, recordTime and extension fields', function () {
  this.timeout(60_000);
  let world: ProjectionWorld;
  let now = Date.parse(CAPTURED_AT[0] as string);

  const capture = async (events: Array<{ i: number; at: number; fields: Record<string, unknown> }>, at: number): Promise<void> => {
    now = at;
    await world.store.capture(validateEpcisDocument(documentOf(events.map((e) => objectEvent(e.at, { eventID: id(e.i), quantityList: [{ epcClass: LOT, quantity: 1 }], ...e.fields })))), world.alice);
  };

  /** Every page of a query (its parameters as the REST binding takes them): the events' numbers, and the page sizes. */
  async function follow(params: Record<string, string>, headers: Record<string, string> = {}, between?: (page: number) => Promise<void>): Promise<{ order: number[]; sizes: number[] }> {
    const { plan, order } = parseEpcisQuery(params, {}, extensionPrefixes(headers['GS1-Extensions']));
    const out: number[] = [];
    const sizes: number[] = [];
    let token = '';
    for (let page = 1; page <= 50; page++) {
      const answer = await world.store.query(plan, token, world.alice, undefined, order);
      out.push(...answer.events.map((e: StoredEpcisEvent) => Number(e.eventID.slice(-2))));
      sizes.push(answer.events.length);
      token = answer.nextPageToken;
      if (!token) return { order: out, sizes };
      await between?.(page);
    }
    throw new Error('more than 50 pages');
  }

  before(async () => {
    world = await openProjectionWorld('order', { fieldOrderLimit: 12 }, () => new Date(now));
    for (let c = 0; c < CAPTURES.length; c++) await capture([...(CAPTURES[c] ?? [])], Date.parse(CAPTURED_AT[c] as string));
  });

  after(async () => {
    await world?.close();
  });

  it('orders by recordTime either way, over pages, within a recordTime window, and for one identifier', async () => {
    const all = await follow({ orderBy: 'recordTime', orderDirection: 'ASC', perPage: '3' });
    expect(all).to.deep.equal({ order: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], sizes: [3, 3, 3, 1] });
    // not eventTime order, which the default still is
    expect((await follow({ perPage: '100' })).order).to.deep.equal([7, 4, 5, 6, 8, 9, 0, 1, 2, 3]);
    expect((await follow({ orderBy: 'recordTime', perPage: '4' })).order, 'DESC by default').to.deep.equal([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect((await follow({ orderBy: 'recordTime', orderDirection: 'ASC', GE_recordTime: CAPTURED_AT[1] as string, perPage: '2' })).order).to.deep.equal([4, 5, 6, 7, 8, 9]);
    expect((await follow({ orderBy: 'recordTime', LT_recordTime: CAPTURED_AT[2] as string, perPage: '3' })).order).to.deep.equal([7, 6, 5, 4, 3, 2, 1, 0]);
    // one identifier's events (kept in eventTime order) are put in recordTime order for the query
    expect((await follow({ MATCH_epcClass: LOT, orderBy: 'recordTime', orderDirection: 'ASC', perPage: '4' })).order).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await follow({ MATCH_epc: 'urn:epc:id:sgtin:0614141.107346.41', orderBy: 'recordTime' })).order).to.deep.equal([0]);
  });

  it('orders by a number field: numbers by value (text that is one too), ties by eventTime, events without one last', async () => {
    const asc = await follow({ orderBy: 'ex:grade', orderDirection: 'ASC', perPage: '3' });
    // -1, 0, 3.5, 7 (eventTime 08:00:01), 7 (08:00:40), "12", 100; then without: 5, 6 (an object), 9 in eventTime order
    expect(asc).to.deep.equal({ order: [3, 8, 2, 4, 0, 1, 7, 5, 6, 9], sizes: [3, 3, 3, 1] });
    const desc = await follow({ orderBy: 'ex:grade', perPage: '4' });
    expect(desc.order).to.deep.equal([7, 1, 0, 4, 2, 8, 3, 9, 6, 5]);
    // with the other conditions, and the first N of the order (eventCountLimit is applied by the route over these pages)
    expect((await follow({ orderBy: 'ex:grade', GE_eventTime: '2026-03-01T08:00:20.000Z', perPage: '2' })).order).to.deep.equal([1, 0, 2, 8, 3, 9]);
  });

  it('orders by a time field as instants, and a text field by code point, whatever the prefix is called', async () => {
    // 10:00+08:00 = 02:00Z < 01:30-01:00 = 02:30Z < 03:00Z (as text they sort the other way)
    expect((await follow({ orderBy: 'ex:packed', orderDirection: 'ASC', perPage: '2' })).order.slice(0, 3)).to.deep.equal([1, 7, 4]);
    // 'Zebra' < 'apple' < 'Äpfel' < U+FFDA < U+1D538 (UTF-16 code units would put U+1D538 before U+FFDA)
    expect((await follow({ orderBy: 'ex:label', orderDirection: 'ASC' })).order.slice(0, 5)).to.deep.equal([0, 4, 8, 6, 2]);
    // the query's own prefix for the namespace (GS1-Extensions), and the field's full IRI
    const byOwnPrefix = await follow({ orderBy: 'mine:label', orderDirection: 'ASC' }, { 'GS1-Extensions': 'mine=https://example.org/ext/' });
    expect(byOwnPrefix.order.slice(0, 5)).to.deep.equal([0, 4, 8, 6, 2]);
    expect((await follow({ orderBy: 'https://example.org/ext/label', orderDirection: 'ASC' })).order.slice(0, 5)).to.deep.equal([0, 4, 8, 6, 2]);
    // a prefix of another namespace names another field: nothing has it
    expect((await follow({ orderBy: 'mine:label', orderDirection: 'ASC' }, { 'GS1-Extensions': 'mine=https://other.example/' })).order).to.deep.equal([7, 4, 5, 6, 8, 9, 0, 1, 2, 3]);
  });

  it('keeps its place between pages while events arrive: later pages hold what sorts after the last one given', async () => {
    const arrived = [{ i: 10, at: 50, fields: { 'ex:grade': -5 } }, { i: 11, at: 51, fields: { 'ex:grade': 50 } }];
    const seen = await follow({ orderBy: 'ex:grade', orderDirection: 'ASC', perPage: '2', LT_eventTime: '2026-03-01T09:00:00Z' }, {}, async (page) => {
      if (page === 1) await capture(arrived, Date.parse(CAPTURED_AT[2] as string) + HOUR);
    });
    // -5 sorts before the first page's last (0): not given; 50 sorts between "12" and 100: given there
    expect(seen.order).to.deep.equal([3, 8, 2, 4, 0, 1, 11, 7, 5, 6, 9]);
  });

  it('refuses a token of another order, a field order that would sort too much, and eventCountLimit without orderBy', async () => {
    const { plan, order } = parseEpcisQuery({ orderBy: 'recordTime', perPage: '2' });
    const first = await world.store.query(plan, '', world.alice, undefined, order);
    expect(first.nextPageToken).to.not.equal('');
    for (const other of [undefined, parseEpcisQuery({ orderBy: 'ex:grade' }).order, parseEpcisQuery({ orderBy: 'ex:label' }).order]) {
      const err = await world.store.query(plan, first.nextPageToken, world.alice, undefined, other).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ZfcError).and.to.include({ code: 'INVALID_ARGUMENT' });
    }
    // twelve events at most (this store's limit): all of them (two more now) is too many; a window of them is not
    await capture([{ i: 12, at: 3700, fields: {} }, { i: 13, at: 3701, fields: {} }], Date.parse(CAPTURED_AT[2] as string) + 2 * HOUR);
    const all = parseEpcisQuery({ orderBy: 'ex:grade' });
    const tooMuch = await world.store.query(all.plan, '', world.alice, undefined, all.order).then(() => undefined, (e: unknown) => e);
    expect(tooMuch).to.be.instanceOf(ZfcError).and.to.include({ code: 'QUERY_TOO_COMPLEX', status: 413 });
    expect(problemOf(tooMuch as ZfcError, 'GET', '/epcis/events')).to.include({ type: 'epcisException:QueryTooComplexException', status: 413 });
    const windowed = parseEpcisQuery({ orderBy: 'ex:grade', LT_eventTime: '2026-03-01T08:00:30Z' });
    expect((await world.store.query(windowed.plan, '', world.alice, undefined, windowed.order)).events.map((e) => e.eventID)).to.deep.equal([7, 4, 8, 9, 6, 5].map(id));
    // the parser's refusals
    for (const [params, name] of [
      [{ eventCountLimit: '1' }, 'eventCountLimit'],
      [{ eventCountLimit: '1', orderDirection: 'DESC' }, 'eventCountLimit'],
      [{ orderBy: 'quantity' }, 'orderBy'],
      [{ orderBy: 'ex:grade', orderDirection: 'UP' }, 'orderDirection'],
      [{ orderBy: 'urn:x:y' }, 'orderBy'],
    ] as const) {
      expect(parseError(params), JSON.stringify(params)).to.include({ path: `/query/${name}` });
    }
    expect(parseEpcisQuery({ eventCountLimit: '1', orderBy: 'eventTime' }).limits).to.deep.equal({ eventCountLimit: 1 });
  });
});

describe('EPCIS orderBy over more events than a page keeps while it looks', function () {
  this.timeout(60_000);
  let world: ProjectionWorld;
  const N = 3000;
  /** Event i's grade: a permutation of 0..N-1, so that capture order says nothing of grade order. */
  const grade = (i: number): number => (i * 7919) % N;

  before(async () => {
    world = await openProjectionWorld('order-many');
    for (let i = 0; i < N; i += 500) {
      const events = Array.from({ length: 500 }, (_, j) => objectEvent(i + j, { eventID: `urn:uuid:0b0b0b0b-0000-4000-8000-${String(i + j).padStart(12, '0')}`, 'ex:grade': grade(i + j) }));
      await world.store.capture(validateEpcisDocument(documentOf(events)), world.alice);
    }
  });

  after(async () => {
    await world?.close();
  });

  it('gives each page exactly the next events in the order, one at a time or a thousand', async () => {
    const grades = async (params: Record<string, string>, pages: number): Promise<number[]> => {
      const { plan, order } = parseEpcisQuery(params);
      const out: number[] = [];
      let token = '';
      for (let p = 0; p < pages; p++) {
        const page = await world.store.query(plan, token, world.alice, undefined, order);
        out.push(...page.events.map((e) => e.event['ex:grade'] as number));
        token = page.nextPageToken;
        if (!token) break;
      }
      return out;
    };
    expect(await grades({ orderBy: 'ex:grade', orderDirection: 'ASC', perPage: '1' }, 5)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(await grades({ orderBy: 'ex:grade', perPage: '2' }, 3)).to.deep.equal([N - 1, N - 2, N - 3, N - 4, N - 5, N - 6]);
    expect(await grades({ orderBy: 'ex:grade', orderDirection: 'ASC', perPage: '1000' }, 10)).to.deep.equal(Array.from({ length: N }, (_, i) => i));
  });
});

describe('EPCIS orderBy values', () => {
  const valueOf = (v: unknown): unknown => orderValue({ eventID: 'x', eventTime: '', recordTime: '', ids: {} as never, event: { 'ex:f': v }, context: [{ ex: 'https://example.org/ext/' }] }, { name: 'ex:f' });

  it('reads numbers, times and text, and nothing else, as a field of one value', () => {
    expect(valueOf(4)).to.deep.equal({ n: 4 });
    expect(valueOf('-4.5e2')).to.deep.equal({ n: -450 });
    expect(valueOf('1e999'), 'not a finite number: text').to.deep.equal({ s: '1e999' });
    expect(valueOf('2026-03-01T10:00:00+08:00')).to.deep.equal({ t: '2026-03-01T02:00:00.000Z' });
    expect(valueOf('grade A')).to.deep.equal({ s: 'grade A' });
    for (const none of [true, null, { 'ex:v': 1 }, [1, 2]]) expect(valueOf(none), JSON.stringify(none)).to.equal(undefined);
    expect(compareCodePoints('\uFFDA', '\u{1D538}')).to.be.below(0);
    expect(compareCodePoints('\u{1D538}', '\uFFDA')).to.be.above(0);
    expect(compareCodePoints('b', 'ab')).to.be.above(0);
    expect(compareCodePoints('a', 'ab')).to.be.below(0);
  });
});

/** The one error the parser gives for `params`. */
function parseError(params: Record<string, string>): unknown {
  try {
    parseEpcisQuery(params);
  } catch (err) {
    return ((err as ZfcError).details['errors'] as unknown[])[0];
  }
  throw new Error(`${JSON.stringify(params)} parsed`);
}

describe('EPCIS orderBy through the REST binding', function () {
  this.timeout(60_000);
  let t: TestGateway;
  const get = (url: string, headers: Record<string, string> = {}): Promise<Reply> => call(t.gw.url, 'GET', url, { key: t.regulatorKey, headers });
  const ids = (r: Reply): string[] => (r.body.epcisBody.queryResults.resultsBody.eventList as Array<{ eventID: string }>).map((e) => e.eventID);

  before(async () => {
    t = await startTestGateway();
    const api = new ApiClient(() => t.gw.url);
    api.keys['samr'] = t.regulatorKey;
    for (const events of CAPTURES) await api.captureOk('samr', events.map((e) => objectEvent(e.at, { eventID: id(e.i), ...e.fields })));
  });

  after(async () => {
    await t?.gw.close();
    if (t) await removeDir(t.dir);
  });

  it('answers the extremal queries the standard describes, and refuses what it must', async () => {
    // the latest recorded, the highest grade, the earliest packed: orderBy, orderDirection, eventCountLimit=1
    expect(ids(await get('/epcis/events?orderBy=recordTime&eventCountLimit=1'))).to.deep.equal([id(9)]);
    expect(ids(await get('/epcis/events?orderBy=ex:grade&eventCountLimit=1'))).to.deep.equal([id(7)]);
    expect(ids(await get('/epcis/events?orderBy=x:packed&orderDirection=ASC&eventCountLimit=1', { 'GS1-Extensions': 'x=https://example.org/ext/' }))).to.deep.equal([id(1)]);
    // pages follow through the Link header, in the order asked
    const seen: string[] = [];
    for (let at: string | undefined = '/epcis/events?orderBy=ex:grade&orderDirection=ASC&perPage=4'; at; ) {
      const r = await get(at);
      expect(r.status, r.text).to.equal(200);
      seen.push(...ids(r));
      at = /<([^>]+)>; rel="next"/.exec(String(r.headers.get('link') ?? ''))?.[1];
    }
    expect(seen).to.deep.equal([3, 8, 2, 4, 0, 1, 7, 5, 6, 9].map(id));
    const hostile = [
      ['/epcis/events?eventCountLimit=1', 'eventCountLimit'],
      ['/epcis/events?orderBy=ex%20grade', 'orderBy'],
      ['/epcis/events?orderBy=eventTime&orderBy=recordTime', 'orderBy'],
      ['/epcis/events?orderBy=', 'orderBy'],
      [`/epcis/events?orderBy=${encodeURIComponent('https://example.org/' + 'x'.repeat(3000))}`, 'orderBy'],
      [`/epcis/events?orderBy=${encodeURIComponent('ex:gr\u00e4de')}`, 'orderBy'],
      [`/epcis/events?orderBy=${encodeURIComponent('ex:a\u001fb')}`, 'orderBy'],
    ];
    for (const [url, name] of hostile) {
      const r = await get(url as string);
      expect(r.status, r.text).to.equal(400);
      expect(r.body).to.include({ type: 'epcisException:QueryParameterException' });
      expect(r.body.error.details.errors[0].path, url).to.equal(`/query/${name}`);
    }
    // and the next answer is as before
    expect(ids(await get('/epcis/events?orderBy=recordTime&eventCountLimit=1'))).to.deep.equal([id(9)]);
  });
});
