/**
 * The query language's result limits (EPCIS 2.0 §8.2.7.1), over pages: `eventCountLimit` gives
 * at most the first N matching events in the answer's order whatever the page size, and
 * `maxEventCount` refuses a query that matches more than N (QueryTooLargeException, 413) rather
 * than answer part of it.
 */
import { expect } from 'chai';
import { call, removeDir, startTestGateway, type Reply, type TestGateway } from '../gateway/support';
import { documentOf, objectEvent } from './fixtures';

const N = 25;

describe('EPCIS query limits: eventCountLimit and maxEventCount', function () {
  this.timeout(60_000);
  let t: TestGateway;
  const get = (url: string): Promise<Reply> => call(t.gw.url, 'GET', url, { key: t.regulatorKey });
  const ids = (r: Reply): string[] => (r.body.epcisBody.queryResults.resultsBody.eventList as Array<{ eventID: string }>).map((e) => e.eventID);
  const next = (r: Reply): string | undefined => /<([^>]+)>; rel="next"/.exec(String(r.headers.get('link') ?? ''))?.[1];
  /** Every page from `url` on: the eventIDs, and the size of each page. */
  const pages = async (url: string): Promise<{ all: string[]; sizes: number[] }> => {
    const all: string[] = [];
    const sizes: number[] = [];
    for (let at: string | undefined = url; at !== undefined; ) {
      const r = await get(at);
      expect(r.status, r.text).to.equal(200);
      all.push(...ids(r));
      sizes.push(ids(r).length);
      at = next(r);
    }
    return { all, sizes };
  };
  const eventID = (i: number): string => `urn:uuid:1a1a1a1a-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`;

  before(async () => {
    t = await startTestGateway();
    // in eventTime order: event i at 08:00:i
    const r = await call(t.gw.url, 'POST', '/epcis/capture', { key: t.regulatorKey, body: documentOf(Array.from({ length: N }, (_, i) => objectEvent(i, { eventID: eventID(i), bizStep: 'inspecting' }))) });
    expect(r.status, r.text).to.equal(202);
    for (let i = 0; i < 400 && (await get(String(r.headers.get('location')))).body.running; i++) await new Promise((res) => setTimeout(res, 25));
  });

  after(async () => {
    await t?.gw.close();
    if (t) await removeDir(t.dir);
  });

  it('eventCountLimit: the first N events, whatever the pages, in either order', async () => {
    const first7 = Array.from({ length: 7 }, (_, i) => eventID(i));
    expect(await pages('/epcis/events?EQ_bizStep=inspecting&eventCountLimit=7&perPage=3&orderBy=eventTime&orderDirection=ASC')).to.deep.equal({ all: first7, sizes: [3, 3, 1] });
    expect(await pages('/epcis/events?EQ_bizStep=inspecting&eventCountLimit=5&perPage=10&orderBy=eventTime&orderDirection=ASC')).to.deep.equal({ all: first7.slice(0, 5), sizes: [5] });
    expect((await pages('/epcis/events?EQ_bizStep=inspecting&eventCountLimit=100&perPage=10&orderBy=recordTime')).all).to.have.length(N);
    const latest = await pages('/epcis/events?EQ_bizStep=inspecting&eventCountLimit=4&perPage=3&orderBy=eventTime');
    expect(latest.all).to.deep.equal([24, 23, 22, 21].map(eventID));
  });

  it('maxEventCount: a query that matches more is refused whole; one within it is answered', async () => {
    const over = await get(`/epcis/events?EQ_bizStep=inspecting&maxEventCount=${N - 1}&perPage=5`);
    expect(over.status, over.text).to.equal(413);
    expect(over.body).to.include({ type: 'epcisException:QueryTooLargeException', status: 413 });
    expect(over.body.error.code).to.equal('QUERY_TOO_LARGE');
    expect((await pages(`/epcis/events?EQ_bizStep=inspecting&maxEventCount=${N}&perPage=10`)).sizes).to.deep.equal([10, 10, 5]);
    expect((await get('/epcis/events?EQ_bizStep=shipping&maxEventCount=0')).status).to.equal(200); // none match: within 0
  });

  it('refuses what they cannot mean', async () => {
    for (const q of ['eventCountLimit=0', 'eventCountLimit=-1', 'eventCountLimit=1.5', 'eventCountLimit=x', 'maxEventCount=10001', 'maxEventCount=1|2', 'eventCountLimit=5&maxEventCount=5', 'eventCountLimit=5']) {
      const r = await get(`/epcis/events?${q}${q.startsWith('eventCountLimit') && q !== 'eventCountLimit=5' ? '&orderBy=eventTime' : ''}`);
      expect(r.status, q).to.equal(400);
      expect(r.body.type, q).to.equal('epcisException:QueryParameterException');
    }
    expect((await get('/epcis/events?eventCountLimit=5&orderBy=eventTime&nextPageToken=bm90LWEtdG9rZW4')).status).to.equal(400);
  });
});
