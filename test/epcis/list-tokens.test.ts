/**
 * Every paged EPCIS list — capture jobs, named queries, the identifiers of a top-level resource,
 * as well as events — answers its next page with a sealed token that expires
 * (gateway-api/page-tokens.ts): the answer says when in GS1-Next-Page-Token-Expires, a token past
 * it is refused with that time, an altered token or another list's is refused, and the plain
 * tokens earlier versions issued are still taken. On a real HTTP server over an embedded ledger,
 * with a clock the test moves.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { EpcisSubscriptions } from '../../gateway-api/epcis-subscriptions';
import { PageTokens } from '../../gateway-api/page-tokens';
import { documentOf, objectEvent } from './fixtures';
import { openProjectionWorld, type ProjectionWorld } from './projection-world';
import { serveRouterAs } from './serve-router';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const START = new Date('2026-06-01T08:00:00.250Z');
/** A minute on from START, in whole seconds: what every token issued at START says. */
const EXPIRES = '2026-06-01T08:01:00Z';

describe('EPCIS list page tokens: sealed, expiring, each list its own', function () {
  this.timeout(120_000);
  let world: ProjectionWorld;
  let server: Server;
  let base: string;
  let now = START;

  const get = async (path: string): Promise<{ status: number; headers: Headers; body: Json }> => {
    const res = await fetch(base + path, { headers: { authorization: 'Bearer alice' } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  /** The token of a page's `Link` to the next one, if any. */
  const nextToken = (headers: Headers): string | undefined => /[?&]nextPageToken=([A-Za-z0-9_-]+)/.exec(headers.get('link') ?? '')?.[1];
  /** The names a list's page holds, whatever the list. */
  const namesOf = (body: Json): string[] => (Array.isArray(body) ? body.map((x: Json) => String(x['captureID'] ?? x['name'])) : (body['member'] as string[]));

  /** The lists, each as its path and a page size that leaves it three pages or more. */
  const LISTS = [
    { name: 'capture jobs', path: '/epcis/capture' },
    { name: 'named queries', path: '/epcis/queries' },
    { name: 'EPCs', path: '/epcis/epcs' },
  ];

  before(async () => {
    world = await openProjectionWorld('list-tokens', { clock: () => now, pageTokenLifetimeMs: 60_000 });
    const pageTokens = new PageTokens(randomBytes(32), 60_000, () => now);
    ({ base, server } = await serveRouterAs(world.alice, { store: world.store, subscriptions: new EpcisSubscriptions({ source: world.store }), pageTokens, clock: () => now }));
    for (let i = 0; i < 4; i++) {
      const doc = documentOf([objectEvent(i, { epcList: [`urn:epc:id:sgtin:0614141.107346.LT${i}`], readPoint: { id: `urn:epc:id:sgln:0614141.07346.${i}` } })]);
      const res = await fetch(`${base}/epcis/capture`, { method: 'POST', headers: { authorization: 'Bearer alice', 'content-type': 'application/ld+json' }, body: JSON.stringify(doc) });
      expect(res.status, await res.text()).to.equal(202);
    }
    for (const name of ['q-a', 'q-b', 'q-c', 'q-d']) {
      const res = await fetch(`${base}/epcis/queries`, { method: 'POST', headers: { authorization: 'Bearer alice', 'content-type': 'application/json' }, body: JSON.stringify({ name, query: { EQ_bizStep: ['shipping'] } }) });
      expect(res.status, await res.text()).to.equal(201);
    }
    for (let i = 0; i < 100; i++) {
      if ((await get('/epcis/capture?perPage=10')).body.every((j: Json) => j['running'] === false)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    await world.close();
  });

  for (const list of LISTS) {
    it(`pages the ${list.name} with sealed tokens and says when each expires, the pages adding up to the whole list`, async () => {
      now = START;
      const whole = await get(`${list.path}?perPage=100`);
      expect(whole.status).to.equal(200);
      expect([whole.headers.get('link'), whole.headers.get('gs1-next-page-token-expires')], 'one page: no token, no expiry').to.deep.equal([null, null]);
      const all = namesOf(whole.body);
      expect(all.length, 'enough for pages').to.be.at.least(4);
      const paged: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await get(`${list.path}?perPage=1${token ? `&nextPageToken=${token}` : ''}`);
        expect(page.status, JSON.stringify(page.body)).to.equal(200);
        paged.push(...namesOf(page.body));
        token = nextToken(page.headers);
        expect(page.headers.get('gs1-next-page-token-expires'), 'the expiry exactly while there is a next page').to.equal(token ? EXPIRES : null);
        if (token) expect(Buffer.from(token, 'base64url')[0], 'sealed, not a plain position').to.equal(2);
        pages++;
      } while (token && pages < 50);
      expect(paged).to.deep.equal(all);
    });
  }

  it('refuses a list token from its expiry on, naming when it expired', async () => {
    for (const list of LISTS) {
      now = START;
      const token = nextToken((await get(`${list.path}?perPage=1`)).headers) ?? '';
      now = new Date('2026-06-01T08:00:59.900Z');
      expect((await get(`${list.path}?perPage=1&nextPageToken=${token}`)).status, `${list.name}: a moment before`).to.equal(200);
      now = new Date('2026-06-01T08:01:00.000Z');
      const refused = await get(`${list.path}?perPage=1&nextPageToken=${token}`);
      expect([refused.status, refused.body['error']?.['code'], refused.body['error']?.['details']?.['expired']], list.name).to.deep.equal([400, 'INVALID_ARGUMENT', EXPIRES]);
    }
  });

  it('refuses an altered token and another list\'s, and still takes the plain tokens earlier versions issued', async () => {
    now = START;
    const tokens = new Map<string, string>();
    // the read points' and the EPCs' tokens have one form: only the list's own name in it opens it there
    for (const path of [...LISTS.map((l) => l.path), '/epcis/readPoints', '/epcis/events']) {
      const first = await get(`${path}?perPage=1`);
      tokens.set(path, nextToken(first.headers) ?? '');
    }
    for (const list of LISTS) {
      const own = tokens.get(list.path) ?? '';
      const bytes = Buffer.from(own, 'base64url');
      bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 1, bytes.length - 1);
      const altered = await get(`${list.path}?perPage=1&nextPageToken=${bytes.toString('base64url')}`);
      expect([altered.status, altered.body['error']?.['code']], `${list.name}: altered`).to.deep.equal([400, 'INVALID_ARGUMENT']);
      for (const [path, other] of tokens) {
        expect(other, `${path} has a next page`).to.not.equal('');
        if (path === list.path) continue;
        expect((await get(`${list.path}?perPage=1&nextPageToken=${other}`)).status, `${list.name} given the token of ${path}`).to.equal(400);
      }
    }
    // plain tokens of earlier versions: the jobs before a position, the queries after a name, the identifiers from a position
    const plain = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
    const jobs = namesOf((await get('/epcis/capture?perPage=100')).body);
    expect(namesOf((await get(`/epcis/capture?perPage=100&nextPageToken=${plain('c999999')}`)).body)).to.deep.equal(jobs);
    expect(namesOf((await get(`/epcis/queries?perPage=2&nextPageToken=${plain('q-a')}`)).body)).to.deep.equal(['q-b', 'q-c']);
    const epcs = namesOf((await get('/epcis/epcs?perPage=100')).body);
    expect(namesOf((await get(`/epcis/epcs?perPage=2&nextPageToken=${plain('epcs:1')}`)).body)).to.deep.equal(epcs.slice(1, 3));
    expect((await get(`/epcis/epcs?perPage=2&nextPageToken=${plain('readPoints:1')}`)).status, 'another list\'s plain token').to.equal(400);
  });
});

describe('PageTokens', () => {
  const key = randomBytes(32);
  /** A token sealed by hand under `key`: the form PageTokens writes, with any payload text. */
  const sealedByHand = (text: string, under = key): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', under, iv);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([2]), iv, cipher.getAuthTag(), body]).toString('base64url');
  };
  const codeOf = (f: () => unknown): string | undefined => {
    try {
      f();
      return undefined;
    } catch (err) {
      return (err as { code?: string }).code ?? (err as Error).name;
    }
  };

  it('opens what it sealed, without the expiry; a plain token is not its own', () => {
    const tokens = new PageTokens(key, 60_000, () => START);
    const { nextPageToken, nextPageTokenExpires } = tokens.seal({ j: 7 });
    expect(nextPageTokenExpires).to.equal(EXPIRES);
    expect(tokens.open(nextPageToken)).to.deep.equal({ j: 7 });
    expect(tokens.open(Buffer.from('c7', 'utf8').toString('base64url')), 'a plain token is left to its list').to.equal(undefined);
  });

  it('takes a token sealed before tokens expired, and refuses one altered, another key\'s, cut short, or not an object', () => {
    const tokens = new PageTokens(key, 60_000, () => START);
    expect(tokens.open(sealedByHand('{"j":3}')), 'sealed without an expiry').to.deep.equal({ j: 3 });
    expect(codeOf(() => tokens.open(sealedByHand('{"j":3}', randomBytes(32)))), 'another key').to.equal('INVALID_ARGUMENT');
    expect(codeOf(() => tokens.open(Buffer.from([2, 1, 2, 3]).toString('base64url'))), 'cut short').to.equal('INVALID_ARGUMENT');
    for (const text of ['[1,2]', '5', 'null', '{"j":1', '{"j":1,"x":"soon"}']) expect(codeOf(() => tokens.open(sealedByHand(text))), text).to.equal('INVALID_ARGUMENT');
  });

  it('refuses a key that is not 32 bytes and a lifetime that is not a second to ten years', () => {
    expect(codeOf(() => new PageTokens(randomBytes(16)))).to.equal('TypeError');
    for (const ms of [999, 1500.5, 3650 * 86_400_000 + 1, Number.NaN]) expect(codeOf(() => new PageTokens(key, ms)), String(ms)).to.equal('TypeError');
    expect(codeOf(() => new PageTokens(key, 3650 * 86_400_000))).to.equal(undefined);
  });
});
