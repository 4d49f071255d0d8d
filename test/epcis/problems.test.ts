/**
 * EPCIS refusals as the REST binding writes them: RFC 7807 problem details
 * (`application/problem+json`) whose `type` is the standard's exception for what went wrong —
 * with the project's own `error` (code, message, details) in the same body — and the same for
 * each error of a failed capture job. The rest of the gateway keeps its plain JSON errors.
 */
import { expect } from 'chai';
import { call, gln, removeDir, startTestGateway, withCheck, type Reply, type TestGateway } from '../gateway/support';
import { documentOf, objectEvent } from './fixtures';


describe('EPCIS errors as RFC 7807 problems of the standard\'s exception types', function () {
  this.timeout(60_000);
  let t: TestGateway;
  let shop = '';
  const as = (method: string, url: string, options: { body?: unknown; headers?: Record<string, string>; key?: string } = {}): Promise<Reply> =>
    call(t.gw.url, method, url, { key: shop, ...options });
  /** The reply is the problem given, with the project's error code beside it. */
  const problem = (r: Reply, status: number, type: string, code: string): void => {
    expect(r.status, r.text).to.equal(status);
    expect(r.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(r.body).to.include({ type: `epcisException:${type}`, status });
    expect(r.body.title).to.be.a('string').and.not.equal('');
    expect(r.body.detail).to.be.a('string').and.not.equal('');
    expect(r.body.error.code, r.text).to.equal(code);
    expect(r.headers.get('gs1-epcis-version')).to.equal('2.0.0');
  };

  before(async () => {
    t = await startTestGateway(undefined, { EPCIS_HTTP_CALLBACK_HOSTS: '127.0.0.1' });
    shop = (await call(t.gw.url, 'POST', '/v1/participants', { key: t.regulatorKey, body: { id: 'shop-p', name: 'Shop', role: 'retailer', licence: 'JY-P', gln: gln(71) } })).body.apiKey;
  });

  after(async () => {
    await t?.gw.close();
    if (t) await removeDir(t.dir);
  });

  it('names the exception of each kind of refusal', async () => {
    problem(await as('GET', '/epcis/events?EQ_colour=red'), 400, 'QueryParameterException', 'INVALID_ARGUMENT');
    const missing = await as('GET', '/epcis/events/urn:uuid:00000000-0000-4000-8000-000000000000');
    problem(missing, 404, 'NoSuchResourceException', 'EVENT_NOT_FOUND');
    expect(missing.body.instance).to.equal('/epcis/events/urn:uuid:00000000-0000-4000-8000-000000000000');
    problem(await as('GET', '/epcis/queries/nope'), 404, 'NoSuchNameException', 'NOT_FOUND');
    problem(await as('POST', '/epcis/queries/nope/subscriptions', { body: { dest: 'http://127.0.0.1:9/cb', signatureToken: 'x'.repeat(20), stream: true } }), 404, 'NoSuchNameException', 'NOT_FOUND');
    expect((await as('POST', '/epcis/queries', { body: { name: 'mine', query: { EQ_bizStep: 'shipping' } } })).status).to.equal(201);
    problem(await as('POST', '/epcis/queries', { body: { name: 'mine', query: {} } }), 409, 'ResourceAlreadyExistsException', 'CONFLICT');
    problem(await as('POST', '/epcis/queries', { body: { name: 'other', query: { EQ_colour: 'red' } } }), 400, 'QueryValidationException', 'INVALID_ARGUMENT');
    problem(await as('POST', '/epcis/queries/mine/subscriptions', { body: { dest: 'http://127.0.0.1:9/cb', signatureToken: 'x'.repeat(20) } }), 400, 'SubscriptionControlsException', 'INVALID_ARGUMENT');
    problem(await as('POST', '/epcis/capture', { body: '{}', headers: { 'content-type': 'text/plain' } }), 415, 'UnsupportedMediaTypeException', 'UNSUPPORTED_MEDIA_TYPE');
    problem(await as('POST', '/epcis/capture', { body: { type: 'EPCISDocument' } }), 400, 'ValidationException', 'INVALID_ARGUMENT');
    problem(await as('GET', '/epcis/events', { key: '' }), 401, 'SecurityException', 'UNAUTHENTICATED');
    problem(await as('GET', '/epcis/events', { headers: { 'GS1-EPCIS-Version': '1.2' } }), 406, 'NotAcceptableException', 'NOT_ACCEPTABLE');
    // EPCs are answered as Digital Links (the standard's default), as captured, or as URNs (an identifier of unknown company prefix length is 406: epc-urn.test.ts)
    problem(await as('GET', '/epcis/events', { headers: { 'GS1-EPC-Format': 'Sometimes' } }), 400, 'QueryParameterException', 'INVALID_ARGUMENT');
    for (const [asked, answered] of [['', 'Always_GS1_Digital_Link'], ['No_Preference', 'Always_GS1_Digital_Link'], ['Never_Translates', 'Never_Translates'], ['Always_EPC_URN', 'Always_EPC_URN']]) {
      const r = await as('GET', '/epcis/events', { headers: asked ? { 'GS1-EPC-Format': asked } : {} });
      expect(r.headers.get('gs1-epc-format'), asked).to.equal(answered);
    }
    // the rest of the gateway keeps its plain errors
    const plain = await as('GET', '/v1/lots/09506000134352/NOPE');
    expect(plain.headers.get('content-type')).to.match(/^application\/json/);
    expect(plain.body.type).to.equal(undefined);
  });

  it('writes each error of a failed capture job as a problem too', async () => {
    // a lot the ledger manages, which the shop holds none of: its captured shipment is refused in the contract
    const farm = (await call(t.gw.url, 'POST', '/v1/participants', { key: t.regulatorKey, body: { id: 'farm-p', name: 'Farm', role: 'producer', licence: 'SC-P', gln: gln(72) } })).body.apiKey;
    const RICE = withCheck('0695000000711');
    expect((await call(t.gw.url, 'POST', '/v1/products', { key: farm, body: { gtin: RICE, name: 'Rice', category: 'grain', unit: 'KGM', requiresTest: false } })).status).to.equal(201);
    expect((await call(t.gw.url, 'POST', '/v1/lots', { key: farm, body: { gtin: RICE, lot: 'P1', quantity: 10, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(72) } } })).status).to.equal(201);
    const shipping = objectEvent(2, { bizStep: 'shipping', epcList: [], quantityList: [{ epcClass: `https://id.gs1.org/01/${RICE}/10/P1`, quantity: 1, uom: 'KGM' }] });
    const r = await as('POST', '/epcis/capture', { body: documentOf([objectEvent(1), shipping]) });
    expect(r.status, r.text).to.equal(202);
    let job = (await as('GET', String(r.headers.get('location')))).body;
    for (let i = 0; i < 400 && job.running; i++) {
      await new Promise((res) => setTimeout(res, 25));
      job = (await as('GET', String(r.headers.get('location')))).body;
    }
    expect(job.success).to.equal(false);
    expect(job.errors).to.have.length(1);
    expect(job.errors[0]).to.include({ type: 'epcisException:SecurityException', status: 403, code: 'NOT_OWNER', path: '/epcisBody/eventList/1' });
    expect(job.errors[0].title).to.be.a('string').and.not.equal('');
  });

  it('a capture that proceeds (GS1-Capture-Error-Behaviour: proceed) records the accepted events and names each refused one as a problem', async () => {
    const RICE = withCheck('0695000000711'); // the farm's lot from the test above, which the shop holds none of
    const shipping = objectEvent(12, { bizStep: 'shipping', epcList: [], quantityList: [{ epcClass: `https://id.gs1.org/01/${RICE}/10/P1`, quantity: 1, uom: 'KGM' }] });
    const events = [objectEvent(10, { eventID: 'urn:uuid:0c0c0c0c-0000-4000-8000-000000000010' }), { ...objectEvent(11), action: 'TELEPORT' }, shipping, objectEvent(13, { eventID: 'urn:uuid:0c0c0c0c-0000-4000-8000-000000000013' })];
    const bad = await as('POST', '/epcis/capture', { body: documentOf(events), headers: { 'GS1-Capture-Error-Behaviour': 'greedy' } });
    problem(bad, 400, 'ValidationException', 'INVALID_ARGUMENT');
    const r = await as('POST', '/epcis/capture', { body: documentOf(events), headers: { 'GS1-Capture-Error-Behaviour': 'proceed' } });
    expect(r.status, r.text).to.equal(202);
    let job = (await as('GET', String(r.headers.get('location')))).body;
    for (let i = 0; i < 400 && job.running; i++) {
      await new Promise((res) => setTimeout(res, 25));
      job = (await as('GET', String(r.headers.get('location')))).body;
    }
    expect(job).to.include({ running: false, success: false, captureErrorBehaviour: 'proceed', captured: 2, duplicates: 0 });
    expect(job.errors.map((e: { path: string; code: string; type: string }) => [e.path, e.code, e.type])).to.deep.equal([
      ['/epcisBody/eventList/1', 'INVALID_ARGUMENT', 'epcisException:ValidationException'],
      ['/epcisBody/eventList/2', 'NOT_OWNER', 'epcisException:SecurityException'],
    ]);
    expect(job.errors[0].errors[0].path).to.equal('/epcisBody/eventList/1/action');
    for (const id of ['urn:uuid:0c0c0c0c-0000-4000-8000-000000000010', 'urn:uuid:0c0c0c0c-0000-4000-8000-000000000013']) {
      expect((await as('GET', `/epcis/events/${id}`)).status, id).to.equal(200);
    }
    // an envelope it cannot read is still refused on receipt
    problem(await as('POST', '/epcis/capture', { body: { ...documentOf(events), schemaVersion: 7 }, headers: { 'GS1-Capture-Error-Behaviour': 'proceed' } }), 400, 'ValidationException', 'INVALID_ARGUMENT');
  });

  it('answers discovery (OPTIONS) on every resource: what it allows, the versions spoken, and the capture limits', async () => {
    const capture = await as('OPTIONS', '/epcis/capture');
    expect(capture.status).to.equal(204);
    expect(capture.headers.get('allow')?.split(', ').sort()).to.deep.equal(['GET', 'HEAD', 'OPTIONS', 'POST']);
    expect(capture.headers.get('gs1-epcis-capture-limit')).to.equal('10000');
    expect(Number(capture.headers.get('gs1-epcis-capture-file-size-limit'))).to.be.greaterThan(1_000_000);
    expect(capture.headers.get('gs1-epcis-version')).to.equal('2.0.0');
    expect((await as('OPTIONS', '/epcis/queries/mine')).headers.get('allow')?.split(', ').sort()).to.deep.equal(['DELETE', 'GET', 'HEAD', 'OPTIONS']);
    expect((await as('OPTIONS', '/epcis/events/urn:uuid:x')).headers.get('allow')?.split(', ').sort()).to.deep.equal(['GET', 'HEAD', 'OPTIONS']);
    expect((await as('OPTIONS', '/epcis')).status).to.equal(204);
    problem(await as('OPTIONS', '/epcis/nothing/here'), 404, 'NoSuchResourceException', 'NOT_FOUND');
    problem(await as('OPTIONS', '/epcis/capture', { key: '' }), 401, 'SecurityException', 'UNAUTHENTICATED');
  });
});
