/* eslint-disable @typescript-eslint/no-explicit-any -- the test reads arbitrary JSON answers */
/**
 * Requests Node's HTTP parser refuses before the app sees them (gateway-api/client-errors.ts) are
 * answered with typed bodies like every other refusal: a URL past the limit (a query too large
 * for a URL) is 414, under /epcis the standard's URITooLongException; oversized headers 431;
 * a request that is not HTTP 400. Real gateway, real sockets.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import { call, startTestGateway, type TestGateway } from './support';

/** Sends raw bytes and reads the whole answer (the server closes the connection). */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** The status, headers (lower-cased names) and JSON body of a raw answer. */
function parsed(answer: string): { status: number; headers: Map<string, string>; body: any } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

describe('gateway: requests the HTTP parser refuses', function () {
  this.timeout(60_000);
  let t: TestGateway;
  before(async () => {
    t = await startTestGateway();
  });
  after(async () => {
    await t.stop();
  });

  it('answers a query too long for a URL with 414, as the EPCIS binding\'s URITooLongException, without echoing it', async () => {
    const long = 'x'.repeat(20_000);
    const r = await call(t.gw.url, 'GET', `/epcis/events?EQ_bizStep=${long}`, { key: t.regulatorKey });
    expect(r.status, r.text).to.equal(414);
    expect(r.headers.get('content-type')).to.equal('application/problem+json');
    expect(r.headers.get('GS1-EPCIS-Version')).to.equal('2.0.0');
    expect(r.body).to.include({ type: 'epcisException:URITooLongException', status: 414, instance: '/epcis/events' });
    expect(r.body.error.code).to.equal('URI_TOO_LONG');
    expect(r.body.error.message).to.include('POST /epcis/queries');
    expect(r.text).to.not.include('xxxxxxxx');
  });

  it('answers oversized headers with 431 and the project\'s error, outside /epcis too', async () => {
    const r = await call(t.gw.url, 'GET', '/v1/lots/06951234000356/L1', { key: t.regulatorKey, headers: { 'x-padding': 'p'.repeat(20_000) } });
    expect(r.status, r.text).to.equal(431);
    expect(r.headers.get('content-type')).to.equal('application/json');
    expect(r.body).to.deep.equal({ error: { code: 'HEADERS_TOO_LARGE', message: 'the request line and headers together are longer than this server reads (16 KiB)', details: {} } });
  });

  it('answers bytes that are not HTTP with 400 naming the parser\'s reason, and goes on serving', async () => {
    const answer = parsed(await raw(t.gw.url, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(answer.status).to.equal(400);
    expect(answer.headers.get('connection')).to.equal('close');
    expect(answer.body.error.code).to.equal('INVALID_ARGUMENT');
    expect(answer.body.error.details.reason).to.match(/^HPE_/);
    const epcis = parsed(await raw(t.gw.url, `GET /epcis/events?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect([epcis.status, epcis.body.type]).to.deep.equal([414, 'epcisException:URITooLongException']);
    expect((await call(t.gw.url, 'GET', '/healthz')).status).to.equal(200);
  });
});
