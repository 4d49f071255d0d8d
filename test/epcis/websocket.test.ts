/**
 * EPCIS subscriptions over WebSockets (gateway-api/epcis-websocket.ts): a real `ws` client on
 * loopback opens `/epcis/queries/{name}/events?stream=true` on a whole gateway and is sent each
 * new matching event it may read as an EPCISQueryDocument; it reaches back with
 * initialRecordTime; a bad handshake gets the API's problem answer instead of an upgrade; a
 * subscriber whose handshake prefers XML is sent, and refused in, the XML binding;
 * removing the query closes the connection. On a bare server with small limits: a subscriber that
 * stops reading is closed (1013) rather than buffered without end, one that does not answer
 * pings is dropped, and one whose key is revoked is closed at the next ping.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import WebSocket from 'ws';
import { parseEpcisQuery } from '../../gateway-api/epcis-query';
import { epcisDocumentFromXml } from '../../gateway-api/epcis-xml';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import { EpcisSubscriptions } from '../../gateway-api/epcis-subscriptions';
import { ZfcError } from '../../chaincode/errors';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import { serveEpcisSockets } from '../../gateway-api/epcis-websocket';
import type { Identity } from '../../ledger-tools';
import { gln, startTestGateway, type TestGateway } from '../gateway/support';
import { ApiClient } from './api-client';
import { openProjectionWorld, type ProjectionWorld } from './projection-world';
import { documentOf, objectEvent } from './fixtures';
import { until } from '../until';

/** A subscriber's connection: the documents it was sent, how it closed, and the handshake's answer. */
interface Subscriber {
  readonly ws: WebSocket;
  readonly docs: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Each message as sent (docs holds those that are JSON). */
  readonly texts: string[];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** Opens a subscription; resolves once upgraded, or rejects with the handshake's status and body. */
function subscribe(base: string, path: string, key?: string, headers: Record<string, string> = {}): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + path, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
    const docs: Subscriber['docs'] = [];
    const texts: string[] = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.on('close', (code, reason) => done({ code, reason: reason.toString('utf8') })));
    ws.on('message', (data) => {
      const text = data.toString('utf8');
      texts.push(text);
      if (!text.startsWith('<')) docs.push(JSON.parse(text));
    });
    ws.on('upgrade', (res) => ws.once('open', () => resolve({ ws, docs, texts, closed, headers: res.headers })));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => reject(Object.assign(new Error(`handshake answered ${res.statusCode}`), { status: res.statusCode, body: body.startsWith('<') ? { xml: body } : JSON.parse(body || '{}'), headers: res.headers })));
    });
    ws.on('error', () => undefined);
  });
}

/** The handshake's refusal: its status and problem body. */
async function refused(attempt: Promise<Subscriber>): Promise<{ status: number; body: Record<string, any>; headers: Record<string, unknown> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    const s = await attempt;
    s.ws.close();
  } catch (err) {
    return err as { status: number; body: Record<string, any>; headers: Record<string, unknown> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  throw new Error('the handshake was upgraded');
}

/** The events of every document a subscriber was sent, by their EPC. */
const epcsOf = (s: Subscriber): string[] => s.docs.flatMap((d) => (d['epcisBody'].queryResults.resultsBody.eventList as Array<{ epcList: string[] }>).flatMap((e) => e.epcList));

const item = (n: number): string => `https://id.gs1.org/01/10614141073464/21/WS${n}`;
const urnOf = (n: number): string => `urn:epc:id:sgtin:0614141.107346.WS${n}`;

describe('EPCIS subscriptions over WebSockets', function () {
  this.timeout(120_000);

  describe('on the gateway', () => {
    let t: TestGateway;
    const api = new ApiClient(() => t.gw.url);
    const shipping = (n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => objectEvent(n, { bizStep: 'shipping', epcList: [urnOf(n)], ...extra });

    before(async () => {
      t = await startTestGateway();
      api.keys['samr'] = t.regulatorKey;
      await api.register('samr', [
        { id: 'dist-w', name: 'Distributor', role: 'distributor', licence: 'L-81', gln: gln(81) },
        { id: 'shop-w', name: 'Shop', role: 'retailer', licence: 'L-82', gln: gln(82) },
        { id: 'farm-w', name: 'Farm', role: 'producer', licence: 'L-83', gln: gln(83) },
      ]);
      expect((await api.as('dist-w', 'POST', '/epcis/queries', { name: 'shipped-w', query: { EQ_bizStep: 'shipping' } })).status).to.equal(201);
    });

    after(async () => {
      await t.stop();
    });

    it('streams each new matching event the subscriber may read, as an EPCISQueryDocument naming the query and subscription', async () => {
      const dist = await subscribe(t.gw.url, '/epcis/queries/shipped-w/events?stream=true', api.keys['dist-w']);
      const shop = await subscribe(t.gw.url, '/epcis/queries/shipped-w/events?stream=true', api.keys['shop-w']);
      const regulator = await subscribe(t.gw.url, '/epcis/queries/shipped-w/events?stream=true', api.keys['samr']);
      expect(dist.headers['gs1-epcis-version']).to.equal('2.0.0');
      // the farm ships to nobody named; the distributor ships twice and receives once, one shipment naming the shop as its owning party
      expect(await api.capture('farm-w', [shipping(4)])).to.include({ success: true });
      const job = await api.capture('dist-w', [shipping(1), objectEvent(2, { bizStep: 'receiving', epcList: [urnOf(2)] }), shipping(3, { destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln(82)}` }] })]);
      expect(job['success'], JSON.stringify(job['errors'])).to.equal(true);
      await until(() => epcsOf(dist).length >= 2 && epcsOf(shop).length >= 2 && epcsOf(regulator).length >= 3);
      await new Promise((r) => setTimeout(r, 200)); // anything more would have come by now
      expect(epcsOf(dist), 'the query matches shipping only; the farm never named the distributor').to.deep.equal([item(1), item(3)]);
      expect(epcsOf(shop), "the distributor named the shop, so the shop reads the distributor's events; never the farm's").to.deep.equal([item(1), item(3)]);
      expect(epcsOf(regulator), 'a regulator reads all').to.deep.equal([item(4), item(1), item(3)]);
      regulator.ws.close();
      const [doc] = dist.docs;
      expect(doc).to.include({ type: 'EPCISQueryDocument', schemaVersion: '2.0' });
      expect(doc?.['epcisBody'].queryResults).to.include({ queryName: 'shipped-w' });
      expect(doc?.['epcisBody'].queryResults.subscriptionID).to.be.a('string').and.not.equal(shop.docs[0]?.['epcisBody'].queryResults.subscriptionID);
      // a connection's subscription is the connection's: not listed with the callbacks
      expect((await api.as('dist-w', 'GET', '/epcis/queries/shipped-w/subscriptions')).body).to.deep.equal({ subscriptions: [] });
      dist.ws.close();
      shop.ws.close();
      await Promise.all([dist.closed, shop.closed]);
    });

    it('first sends what matched since initialRecordTime, then each new event', async () => {
      const before = new Date(Date.now() - 60_000).toISOString();
      const job = await api.capture('dist-w', [shipping(10), shipping(11)]);
      expect(job['success']).to.equal(true);
      const late = await subscribe(t.gw.url, `/epcis/queries/shipped-w/events?stream=true&initialRecordTime=${encodeURIComponent(before)}`, api.keys['dist-w']);
      await until(() => epcsOf(late).includes(item(11)));
      expect(await api.capture('dist-w', [shipping(12)])).to.include({ success: true });
      await until(() => epcsOf(late).includes(item(12)));
      const got = epcsOf(late);
      expect(got.slice(-3), 'the backlog first, in ledger order, then the new one').to.deep.equal([item(10), item(11), item(12)]);
      expect(new Set(got).size, 'nothing twice').to.equal(got.length);
      late.ws.close();
      await late.closed;
    });

    it('follows many transactions without piling up listeners (each waited-for transaction lets go of the close signal)', async () => {
      const warnings: string[] = [];
      const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
      process.on('warning', onWarning);
      try {
        const sub = await subscribe(t.gw.url, '/epcis/queries/shipped-w/events?stream=true', api.keys['dist-w']);
        for (let n = 0; n < 15; n++) expect(await api.capture('dist-w', [shipping(300 + n)])).to.include({ success: true });
        await until(() => epcsOf(sub).length === 15);
        await new Promise((r) => setImmediate(r)); // a warning is emitted on the next tick
        expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).to.deep.equal([]);
        sub.ws.close();
        await sub.closed;
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('answers a bad handshake with the API problem instead of upgrading', async () => {
      const path = '/epcis/queries/shipped-w/events?stream=true';
      const noKey = await refused(subscribe(t.gw.url, path));
      expect(noKey.status).to.equal(401);
      expect(noKey.body).to.include({ type: 'epcisException:SecurityException' });
      expect(noKey.body['error'].code).to.equal('UNAUTHENTICATED');
      const unknown = await refused(subscribe(t.gw.url, '/epcis/queries/no-such/events?stream=true', api.keys['dist-w']));
      expect(unknown.status).to.equal(404);
      expect(unknown.body).to.include({ type: 'epcisException:NoSuchNameException' });
      for (const query of ['stream=maybe', 'stream=true&minute=5', 'minute=61', '', 'stream=true&EQ_bizStep=receiving', 'stream=true&stream=true', 'stream=true&initialRecordTime=yesterday']) {
        const bad = await refused(subscribe(t.gw.url, `/epcis/queries/shipped-w/events?${query}`, api.keys['dist-w']));
        expect(bad.status, query).to.equal(400);
        expect(bad.body, query).to.include({ type: 'epcisException:SubscriptionControlsException' });
        expect(bad.body['error'].code, query).to.equal('INVALID_ARGUMENT');
      }
      const version = await refused(subscribe(t.gw.url, path, api.keys['dist-w'], { 'GS1-EPCIS-Version': '1.2' }));
      expect(version.status).to.equal(406);
      const elsewhere = await refused(subscribe(t.gw.url, '/epcis/events', api.keys['dist-w']));
      expect(elsewhere.status).to.equal(404);
    });

    it('sends the XML binding\'s query documents, and refuses in XML, to a subscriber whose handshake prefers XML', async () => {
      const xml = await subscribe(t.gw.url, '/epcis/queries/shipped-w/events?stream=true', api.keys['dist-w'], { accept: 'application/xml', 'GS1-CBV-XML-Format': 'Always_Web_URI' });
      const json = await subscribe(t.gw.url, '/epcis/queries/shipped-w/events?stream=true', api.keys['dist-w']);
      expect(await api.capture('dist-w', [shipping(400), shipping(401)])).to.include({ success: true });
      await until(() => epcsOf(json).length === 2 && xml.texts.length > 0 && xml.texts.join('').split('<ObjectEvent>').length === 3);
      expect(xml.docs, 'no JSON to an XML subscriber').to.deep.equal([]);
      for (const text of xml.texts) expect(text).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<epcisq:EPCISQueryDocument /);
      const events = xml.texts.flatMap((text) => (epcisDocumentFromXml(text)['epcisBody'] as { eventList: Array<Record<string, unknown>> }).eventList);
      expect(events.flatMap((e) => e['epcList'] as string[])).to.deep.equal([item(400), item(401)]);
      expect(events.map((e) => e['bizStep'])).to.deep.equal(['https://ref.gs1.org/cbv/BizStep-shipping', 'https://ref.gs1.org/cbv/BizStep-shipping']);
      expect(xml.texts[0]).to.include('<queryName>shipped-w</queryName><subscriptionID>');
      xml.ws.close();
      json.ws.close();
      await Promise.all([xml.closed, json.closed]);
      const unknown = await refused(subscribe(t.gw.url, '/epcis/queries/no-such/events?stream=true', api.keys['dist-w'], { accept: 'application/xml' }));
      expect(unknown.status).to.equal(404);
      expect(unknown.headers['content-type']).to.equal('application/problem+xml');
      expect(unknown.body['xml']).to.match(/<epcis:EPCISException [^>]*><type>epcisException:NoSuchNameException<\/type>/);
      const badForm = await refused(subscribe(t.gw.url, '/epcis/queries/shipped-w/events?stream=true', api.keys['dist-w'], { accept: 'application/xml', 'GS1-CBV-XML-Format': 'Sometimes' }));
      expect(badForm.status).to.equal(400);
      expect(badForm.body['xml']).to.include('GS1-CBV-XML-Format');
    });

    it('writes EPCs as the handshake\'s GS1-EPC-Format asks: EPC URNs, as captured, or Digital Links by default', async () => {
      const path = '/epcis/queries/shipped-w/events?stream=true';
      const urns = await subscribe(t.gw.url, path, api.keys['dist-w'], { 'GS1-EPC-Format': 'Always_EPC_URN' });
      const asCaptured = await subscribe(t.gw.url, path, api.keys['dist-w'], { 'GS1-EPC-Format': 'Never_Translates' });
      const links = await subscribe(t.gw.url, path, api.keys['dist-w']);
      // one shipped as a Digital Link, one as a URN (this company's prefix is known from the URNs captured before)
      expect(await api.capture('dist-w', [shipping(410, { epcList: [item(410)] }), shipping(411)])).to.include({ success: true });
      await until(() => [urns, asCaptured, links].every((s) => epcsOf(s).length === 2));
      expect(epcsOf(urns)).to.deep.equal([urnOf(410), urnOf(411)]);
      expect(epcsOf(asCaptured)).to.deep.equal([item(410), urnOf(411)]);
      expect(epcsOf(links)).to.deep.equal([item(410), item(411)]);
      for (const s of [urns, asCaptured, links]) s.ws.close();
      await Promise.all([urns.closed, asCaptured.closed, links.closed]);
      const bad = await refused(subscribe(t.gw.url, path, api.keys['dist-w'], { 'GS1-EPC-Format': 'Always_Barcode' }));
      expect(bad.status).to.equal(400);
      expect(bad.body['error'].message).to.include('GS1-EPC-Format');
    });

    it('takes a schedule instead of stream, and closes the connection when the named query is removed', async () => {
      expect((await api.as('shop-w', 'POST', '/epcis/queries', { name: 'shop-w-daily', query: { EQ_bizStep: 'receiving' } })).status).to.equal(201);
      const daily = await subscribe(t.gw.url, '/epcis/queries/shop-w-daily/events?hour=1&minute=5&reportIfEmpty=true', api.keys['shop-w']);
      expect((await api.as('dist-w', 'DELETE', '/epcis/queries/shop-w-daily')).status, 'another participant\'s query').to.equal(403);
      expect((await api.as('shop-w', 'DELETE', '/epcis/queries/shop-w-daily')).status).to.equal(204);
      const { code, reason } = await daily.closed;
      expect(code).to.equal(1000);
      expect(reason).to.match(/shop-w-daily was removed/);
    });
  });

  describe('on a bare server with small limits', () => {
    let world: ProjectionWorld;
    let alice: Identity;
    let store: ProjectedEventStore;
    let subs: EpcisSubscriptions;
    /** One server that never pings in a test's time, one that pings every 200 ms. */
    let server: Server;
    let sockets: ReturnType<typeof serveEpcisSockets>;
    let base: string;
    let pinging: Server;
    let pinged: ReturnType<typeof serveEpcisSockets>;
    let pingBase: string;
    /** Authorization headers the pinging server no longer takes (a key revoked while its connection is open). */
    const revoked = new Set<string>();

    before(async () => {
      world = await openProjectionWorld('ws');
      ({ alice, store } = world);
      subs = new EpcisSubscriptions({ source: store });
      await subs.define('all', parseEpcisQuery({ perPage: '1000' }).plan, {}, 'P-A');
      const listening = async (): Promise<[Server, string]> => {
        const s = createServer((_req, res) => res.end());
        await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
        return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`];
      };
      [server, base] = await listening();
      sockets = serveEpcisSockets(server, { subscriptions: subs, authenticate: async () => 'P-A', maxBufferedBytes: 256 * 1024, pingMs: 600_000 });
      [pinging, pingBase] = await listening();
      pinged = serveEpcisSockets(pinging, {
        subscriptions: subs,
        pingMs: 200,
        authenticate: async (authorization) => {
          if (revoked.has(authorization ?? '')) throw new ZfcError('UNAUTHENTICATED', 'the API key is unknown or revoked');
          return 'P-A';
        },
      });
    });

    after(async () => {
      sockets.close();
      pinged.close();
      await new Promise((r) => server.close(r));
      await new Promise((r) => pinging.close(r));
      await subs.close();
      await world.close();
    });

    it('closes a subscriber that stops reading (1013) once what waits for it passes the limit', async () => {
      const slow = await subscribe(base, '/epcis/queries/all/events?stream=true', 'zfc_x');
      (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      // each event a message of about 4 KB: far more than the sockets' kernel buffers hold (a few MB)
      const pad = 'x'.repeat(3000);
      const sent = 6000;
      for (let i = 0; i < sent; i += 1500) await store.capture(validateEpcisDocument(documentOf(Array.from({ length: 1500 }, (_, j) => objectEvent(100_000 + i + j, { 'ex:note': pad })))), alice);
      await until(() => sockets.connections() === 0); // closing: the close frame waits behind what the subscriber has not read
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const { code } = await slow.closed;
      expect(code).to.equal(1013);
      expect(slow.docs.length, 'it was not sent everything').to.be.below(sent);
      // its subscription ended with it: a new connection is sent only what comes after
      const fresh = await subscribe(base, '/epcis/queries/all/events?stream=true', 'zfc_x');
      await store.capture(validateEpcisDocument(documentOf([objectEvent(200_000)])), alice);
      await until(() => fresh.docs.length === 1);
      fresh.ws.close();
      await fresh.closed;
    });

    it('drops a subscriber that does not answer pings', async () => {
      const silent = await subscribe(pingBase, '/epcis/queries/all/events?stream=true', 'zfc_x');
      const answering = await subscribe(pingBase, '/epcis/queries/all/events?stream=true', 'zfc_x');
      (silent.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // it never reads the pings, so never answers
      await until(() => pinged.connections() === 1, 5000);
      await new Promise((r) => setTimeout(r, 600)); // three more pings: the one that answers stays
      expect(pinged.connections()).to.equal(1);
      silent.ws.terminate();
      answering.ws.close();
      await answering.closed;
    });

    it('closes a connection whose API key is revoked, at the next ping (1008)', async () => {
      const kept = await subscribe(pingBase, '/epcis/queries/all/events?stream=true', 'zfc_kept');
      const lost = await subscribe(pingBase, '/epcis/queries/all/events?stream=true', 'zfc_lost');
      revoked.add('Bearer zfc_lost');
      const { code, reason } = await lost.closed;
      expect(code).to.equal(1008);
      expect(reason).to.match(/revoked/);
      expect(pinged.connections(), 'the other key stays').to.equal(1);
      kept.ws.close();
      await kept.closed;
    });
  });
});
