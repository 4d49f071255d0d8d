/**
 * Named queries and subscriptions in the real gateway: a shop subscribes to recalls of a lot
 * it holds and is called, on a real HTTP server on loopback, when a regulator issues the recall
 * through /v1; the delivery is an EPCISQueryDocument whose HMAC-SHA256 signature verifies, and
 * a failed delivery is retried, and the shop reads its subscription back with the delivery count
 * and how the last delivery went (others cannot). A subscriber that asks for XML is sent the XML
 * binding's query document, signed alike. Bad callbacks, tokens and names are refused.
 */
import { expect } from 'chai';
import { lotUri, toEpcUrn } from '../../chaincode/digital-link';
import { call, gln, startTestGateway, withCheck, type Reply, type TestGateway } from '../gateway/support';
import { ZFC_EPCIS_NAMESPACE } from '../../chaincode/epcis-event';
import { epcisDocumentFromXml } from '../../gateway-api/epcis-xml';
import { signedWith, startCallbackReceiver, type CallbackReceiver, type Delivery } from './callback-receiver';
import { officialSchema } from './fixtures';
import { startEpcisFront, type EpcisFront } from './gateway-front';

const OIL = withCheck('0695000000608');
const TOKEN = 'shop-secret-token-0123456789';


describe('EPCIS subscriptions', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let front: EpcisFront;
  let callback: CallbackReceiver;
  const keys: Record<string, string> = {};
  /** /v1 on the gateway; /epcis on the front with subscriptions. */
  const as = (who: string, method: string, url: string, body?: unknown): Promise<Reply> =>
    call(url.startsWith('/epcis') ? front.url : t.gw.url, method, url, { key: keys[who] as string, ...(body !== undefined ? { body } : {}) });

  before(async () => {
    callback = await startCallbackReceiver('/epcis-callback');
    callback.answer = (n) => (n === 0 ? 503 : 200); // the first delivery fails: it must be retried

    t = await startTestGateway();
    keys['samr'] = t.regulatorKey;
    front = await startEpcisFront(t, { allowDestination: (u) => u.hostname === '127.0.0.1', backoffMs: 50, attempts: 4 });
    for (const p of [
      { id: 'mill-1', name: 'Oil Mill', role: 'producer', licence: 'SC-9', gln: gln(19) },
      { id: 'shop-1', name: 'Corner Shop', role: 'retailer', licence: 'JY-1', gln: gln(51) },
      { id: 'shop-2', name: 'Other Shop', role: 'retailer', licence: 'JY-2', gln: gln(52) },
    ]) {
      keys[p.id] = (await as('samr', 'POST', '/v1/participants', p)).body.apiKey;
    }
    expect((await as('mill-1', 'POST', '/v1/products', { gtin: OIL, name: 'Peanut oil', category: 'oil', unit: 'LTR', requiresTest: false })).status).to.equal(201);
    expect((await as('mill-1', 'POST', '/v1/lots', { gtin: OIL, lot: 'O1', quantity: 100, unit: 'LTR', productionDate: '2026-04-01', origin: { gln: gln(19) } })).status).to.equal(201);
  });

  after(async () => {
    await front.close();
    await t.stop();
    await callback?.close();
  });

  it('calls a shop back, signed, when a lot it subscribed to is recalled (retrying a failed delivery)', async () => {
    const defined = await as('shop-1', 'POST', '/epcis/queries', {
      name: 'my-recalls',
      query: { EQ_disposition: 'recalled', MATCH_anyEPCClass: [toEpcUrn(lotUri(OIL, 'O1'), 7)] },
    });
    expect(defined.status, defined.text).to.equal(201);
    expect(defined.headers.get('location')).to.equal('/epcis/queries/my-recalls');
    const sub = await as('shop-1', 'POST', '/epcis/queries/my-recalls/subscriptions', { dest: callback.url, signatureToken: TOKEN, stream: true });
    expect(sub.status, sub.text).to.equal(201);

    expect((await as('samr', 'POST', '/v1/recalls', { recallId: 'RC-OIL', lots: [{ gtin: OIL, lot: 'O1' }], reason: 'aflatoxin B1', class: 'I' })).status).to.equal(201);

    for (let i = 0; i < 200 && callback.deliveries.filter((r) => r.status === 200).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(callback.deliveries.map((r) => r.status)).to.deep.equal([503, 200]);
    const delivery = callback.deliveries[1] as Delivery;
    expect(delivery.body).to.equal(callback.deliveries[0]?.body);
    expect(signedWith(TOKEN, delivery)).to.equal(true);
    const doc = JSON.parse(delivery.body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(officialSchema()(doc), JSON.stringify(officialSchema().errors)).to.equal(true);
    expect(doc['epcisBody'].queryResults).to.include({ queryName: 'my-recalls', subscriptionID: sub.body.subscriptionID });
    const [event] = doc['epcisBody'].queryResults.resultsBody.eventList as Array<Record<string, unknown>>;
    expect(event?.['disposition']).to.equal('recalled');

    const events = await as('shop-1', 'GET', '/epcis/queries/my-recalls/events');
    expect(events.body.epcisBody.queryResults.resultsBody.eventList).to.have.length(1);

    // its owner reads the subscription back with its counts and how the last delivery went
    const path = `/epcis/queries/my-recalls/subscriptions/${sub.body.subscriptionID}`;
    for (let i = 0; i < 200 && (await as('shop-1', 'GET', path)).body.delivered !== 1; i++) await new Promise((r) => setTimeout(r, 25));
    const read = await as('shop-1', 'GET', path);
    expect(read.status, read.text).to.equal(200);
    expect(read.body).to.include({ subscriptionID: sub.body.subscriptionID, delivered: 1, failed: 0 });
    expect(read.body.lastDelivery).to.include({ eventID: event?.['eventID'], outcome: 'delivered', status: 200 });
    expect((await as('shop-1', 'GET', '/epcis/queries/my-recalls/subscriptions')).body.subscriptions).to.have.length(1);
    expect((await as('shop-2', 'GET', '/epcis/queries/my-recalls/subscriptions')).body.subscriptions).to.deep.equal([]);
    expect((await as('shop-2', 'GET', path)).status).to.equal(403);
    expect((await as('shop-1', 'GET', '/epcis/queries/my-recalls/subscriptions/nope')).status).to.equal(404);
  });

  it('delivers in the XML binding, signed over the XML, to a subscriber whose Accept prefers XML, its CBV values as it asked', async () => {
    const q = await as('shop-1', 'POST', '/epcis/queries', { name: 'my-recalls-xml', query: { EQ_disposition: 'recalled', MATCH_anyEPCClass: [toEpcUrn(lotUri(OIL, 'O2'), 7)] } });
    expect(q.status, q.text).to.equal(201);
    const subscribe = (headers: Record<string, string>): Promise<Reply> =>
      call(front.url, 'POST', '/epcis/queries/my-recalls-xml/subscriptions', { key: keys['shop-1'] as string, body: { dest: callback.url, signatureToken: TOKEN, stream: true }, headers });
    // a CBV form the standard does not define is refused, and no subscription is made
    const bad = await subscribe({ accept: 'application/xml', 'GS1-CBV-XML-Format': 'Always_Words' });
    expect(bad.status, bad.text).to.equal(400);
    expect(bad.headers.get('content-type')).to.match(/^application\/problem\+xml/);
    expect(bad.text).to.include('<zfc:code>INVALID_ARGUMENT</zfc:code>');
    const sub = await subscribe({ accept: 'application/xml, application/json;q=0.5', 'GS1-CBV-XML-Format': 'Always_Web_URI' });
    expect(sub.status, sub.text).to.equal(201);
    expect(sub.headers.get('content-type')).to.match(/^application\/json/); // the binding's one form of a subscription
    expect(sub.body['zfc:deliveryFormat']).to.deep.equal({ mediaType: 'application/xml', cbv: 'Always_Web_URI' });
    expect((await as('shop-1', 'GET', '/epcis/queries/my-recalls-xml/subscriptions')).body.subscriptions).to.have.length(1);

    callback.deliveries.length = 0;
    callback.answer = () => 200;
    expect((await as('mill-1', 'POST', '/v1/lots', { gtin: OIL, lot: 'O2', quantity: 50, unit: 'LTR', productionDate: '2026-04-02', origin: { gln: gln(19) } })).status).to.equal(201);
    expect((await as('samr', 'POST', '/v1/recalls', { recallId: 'RC-OIL-2', lots: [{ gtin: OIL, lot: 'O2' }], reason: 'aflatoxin B1', class: 'I' })).status).to.equal(201);
    for (let i = 0; i < 200 && callback.deliveries.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(callback.deliveries.map((d) => d.status)).to.deep.equal([200]);
    const delivery = callback.deliveries[0] as Delivery;
    expect(delivery.headers['content-type']).to.equal('application/xml');
    expect(delivery.headers['gs1-cbv-xml-format']).to.equal('Always_Web_URI');
    expect(signedWith(TOKEN, delivery)).to.equal(true);
    expect(delivery.body).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<epcisq:EPCISQueryDocument /);
    expect(delivery.body).to.include(`<subscriptionID>${sub.body.subscriptionID}</subscriptionID>`);
    expect(delivery.body).to.include('<disposition>https://ref.gs1.org/cbv/Disp-recalled</disposition>');
    // the very events the query answers in JSON, their CBV values in the form asked for
    const events = (await as('shop-1', 'GET', '/epcis/queries/my-recalls-xml/events')).body.epcisBody.queryResults.resultsBody.eventList as Array<Record<string, unknown>>;
    expect(events).to.have.length(1);
    const delivered = (epcisDocumentFromXml(delivery.body)['epcisBody'] as { eventList: Array<Record<string, unknown>> }).eventList;
    const asWebUris = ({ '@context': context, ...e }: Record<string, unknown>): Record<string, unknown> => {
      expect(context).to.deep.include({ zfc: ZFC_EPCIS_NAMESPACE }); // the event's own context: its element's namespaces in XML
      return { ...e, bizStep: `https://ref.gs1.org/cbv/BizStep-${String(e['bizStep'])}`, disposition: `https://ref.gs1.org/cbv/Disp-${String(e['disposition'])}` };
    };
    expect(delivered).to.deep.equal(events.map(asWebUris));
  });

  it('refuses bad names, callbacks and tokens, and another participant\'s unsubscribe', async () => {
    expect((await as('shop-1', 'POST', '/epcis/queries', { name: 'my-recalls', query: {} })).status).to.equal(409);
    expect((await as('shop-1', 'POST', '/epcis/queries', { name: '../x', query: {} })).status).to.equal(400);
    expect((await as('shop-1', 'POST', '/epcis/queries', { name: 'q2', query: { EQ_colour: 'red' } })).status).to.equal(400);
    expect((await as('shop-1', 'POST', '/epcis/queries', { name: 'q3', query: { perPage: '5' } })).status).to.equal(400);
    expect((await as('shop-1', 'POST', '/epcis/queries', { name: 'q3', query: { eventCountLimit: '5' } })).status).to.equal(400); // an answer's shape, not which events
    expect((await as('shop-1', 'POST', '/epcis/queries', { name: 'q3', query: { EQ_bizStep: 'shipping', orderBy: 'eventTime' } })).status).to.equal(400); // its /events takes an order
    const meta = await as('shop-1', 'POST', '/epcis/queries/my-recalls/subscriptions', { dest: 'http://169.254.169.254/latest', signatureToken: TOKEN });
    expect(meta.status).to.equal(400);
    expect(meta.body.error.details.errors[0].path).to.equal('/dest');
    expect((await as('shop-1', 'POST', '/epcis/queries/my-recalls/subscriptions', { dest: callback.url, signatureToken: 'short' })).status).to.equal(400);
    expect((await as('shop-1', 'POST', '/epcis/queries/nope/subscriptions', { dest: callback.url, signatureToken: TOKEN })).status).to.equal(404);
    // a subscription says how it reports: a stream, or a schedule (the standard's rule, so none streams by accident)
    const refused = async (body: Record<string, unknown>, path: string): Promise<void> => {
      const r = await as('shop-1', 'POST', '/epcis/queries/my-recalls/subscriptions', { dest: callback.url, signatureToken: TOKEN, ...body });
      expect(r.status, r.text).to.equal(400);
      expect(r.body.error.details.errors[0].path, r.text).to.equal(path);
    };
    await refused({}, '/stream');
    await refused({ stream: false }, '/stream');
    await refused({ stream: true, schedule: { minute: '5' } }, '/stream');
    await refused({ stream: true, reportIfEmpty: true }, '/reportIfEmpty');
    await refused({ schedule: { hour: '24' } }, '/schedule/hour');
    await refused({ schedule: { minute: '[30-10]' } }, '/schedule/minute');
    await refused({ schedule: { minute: 5 } }, '/schedule/minute');
    await refused({ schedule: { weekday: '1' } }, '/schedule/weekday');
    await refused({ schedule: { hour: '1' }, reportIfEmpty: 'yes' }, '/reportIfEmpty');
    await refused({ stream: true, initialRecordTime: 'yesterday' }, '/initialRecordTime');
    await refused({ stream: true, initialRecordTime: '2026-03-01T00:00:00' }, '/initialRecordTime'); // no offset: whose midnight?
    expect((await as('shop-1', 'GET', '/epcis/queries/my-recalls/subscriptions')).body.subscriptions).to.have.length(1);
    const mine = await as('shop-1', 'POST', '/epcis/queries/my-recalls/subscriptions', { dest: callback.url, signatureToken: TOKEN, stream: true });
    expect((await as('shop-2', 'DELETE', `/epcis/queries/my-recalls/subscriptions/${mine.body.subscriptionID}`)).status).to.equal(403);
    expect((await as('shop-1', 'DELETE', `/epcis/queries/my-recalls/subscriptions/${mine.body.subscriptionID}`)).status).to.equal(204);
    expect((await call(front.url, 'GET', '/epcis/queries/my-recalls')).status).to.equal(401);
  });
});
