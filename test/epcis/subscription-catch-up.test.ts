/**
 * A subscription misses nothing while the gateway is down and repeats nothing across a clean
 * restart: a mill subscribes to its shipments, one is delivered live, the gateway stops, events
 * are captured straight on the embedded ledger in the same data folder (the mill's shipments and
 * receipts, and another company's shipment the mill may not read), the gateway starts again and
 * the mill's server on loopback receives exactly the missed shipments, in ledger order, signed.
 * Delivery counts and the last delivery are read back through the API across restarts, and a
 * subscriber that asked for XML is sent the same events in XML throughout.
 */
import { expect } from 'chai';
import { openLedger } from '../../gateway-api/ledger-factory';
import { startGateway } from '../../gateway-api/server';
import type { Identity } from '../../ledger-tools/ledger';
import { call, gln, removeDir, startTestGateway, type Reply, type TestGateway } from '../gateway/support';
import { epcisDocumentFromXml } from '../../gateway-api/epcis-xml';
import { eventIDsOf, signedWith, startCallbackReceiver, type CallbackReceiver, type Delivery } from './callback-receiver';
import { documentOf, objectEvent } from './fixtures';
import { until } from '../until';

const TOKEN = 'mill-five-signing-token-0042';
const id = (n: number): string => `urn:uuid:3f0c9d4e-1b2a-4c5d-8e9f-50000000${String(n).padStart(4, '0')}`;
const shipping = (n: number): Record<string, unknown> => objectEvent(n, { eventID: id(n), bizStep: 'shipping' });

const verified = (d: Delivery): boolean => signedWith(TOKEN, d);

/** The eventIDs of a delivery in the XML binding (which it must be, as text/xml). */
const xmlEventIDsOf = (d: Delivery): string[] => {
  expect(d.headers['content-type']).to.equal('text/xml'); // the media type the subscriber asked for
  return ((epcisDocumentFromXml(d.body)['epcisBody'] as { eventList: Array<{ eventID: string }> }).eventList).map((e) => e.eventID);
};

describe('EPCIS subscriptions catch up on what was committed while the gateway was down', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let gw: TestGateway['gw'];
  let callback: CallbackReceiver;
  /** The same query's subscriber that asked for XML: its deliveries stay XML across restarts. */
  let xmlCallback: CallbackReceiver;
  let path = '';
  const keys: Record<string, string> = {};
  const as = (who: string, method: string, url: string, body?: unknown): Promise<Reply> =>
    call(gw.url, method, url, { key: keys[who] as string, ...(body !== undefined ? { body } : {}) });
  const delivered = (): string[] => callback.deliveries.flatMap(eventIDsOf);
  const deliveredXml = (): string[] => xmlCallback.deliveries.flatMap(xmlEventIDsOf);
  const subscription = async (): Promise<Record<string, any>> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await as('mill-5', 'GET', path);
    expect(r.status, r.text).to.equal(200);
    return r.body;
  };
  const capture = async (who: string, events: unknown[]): Promise<void> => {
    const r = await as(who, 'POST', '/epcis/capture', documentOf(events));
    expect(r.status, r.text).to.equal(202);
    await until(async () => !(await as(who, 'GET', String(r.headers.get('location')))).body.running);
  };

  before(async () => {
    callback = await startCallbackReceiver('/shipments');
    xmlCallback = await startCallbackReceiver('/shipments.xml');
    t = await startTestGateway(undefined, { EPCIS_HTTP_CALLBACK_HOSTS: '127.0.0.1' });
    gw = t.gw;
    keys['samr'] = t.regulatorKey;
    for (const p of [
      { id: 'mill-5', name: 'Flour Mill', role: 'producer', licence: 'SC-5', gln: gln(55) },
      { id: 'other-5', name: 'Unrelated Farm', role: 'producer', licence: 'SC-6', gln: gln(56) },
    ]) {
      keys[p.id] = (await as('samr', 'POST', '/v1/participants', p)).body.apiKey;
    }
    expect((await as('mill-5', 'POST', '/epcis/queries', { name: 'my-shipments', query: { EQ_bizStep: 'shipping' } })).status).to.equal(201);
    const sub = await as('mill-5', 'POST', '/epcis/queries/my-shipments/subscriptions', { dest: callback.url, signatureToken: TOKEN, stream: true });
    expect(sub.status, sub.text).to.equal(201);
    path = `/epcis/queries/my-shipments/subscriptions/${sub.body.subscriptionID}`;
    const xml = await call(gw.url, 'POST', '/epcis/queries/my-shipments/subscriptions', { key: keys['mill-5'] as string, body: { dest: xmlCallback.url, signatureToken: TOKEN, stream: true }, headers: { accept: 'text/xml' } });
    expect(xml.status, xml.text).to.equal(201);
  });

  after(async () => {
    await gw?.close();
    if (t) await removeDir(t.dir);
    await callback?.close();
    await xmlCallback?.close();
  });

  it('delivers live, and keeps the delivery count and last delivery across a restart', async () => {
    await capture('mill-5', [shipping(1)]);
    await until(async () => (await subscription()).delivered === 1);
    await gw.close();
    gw = await startGateway(t.config);
    const sub = await subscription();
    expect(sub).to.include({ delivered: 1, failed: 0 });
    expect(sub['lastDelivery']).to.include({ eventID: id(1), outcome: 'delivered', status: 200 });
    expect(delivered()).to.deep.equal([id(1)]);
    expect((await as('other-5', 'GET', path)).status).to.equal(403);
    expect((await as('other-5', 'GET', '/epcis/queries/my-shipments/subscriptions')).body.subscriptions).to.deep.equal([]);
  });

  it('delivers exactly the matching events committed while it was down, then new ones, each once', async () => {
    const identities: Record<string, Identity> = {};
    for (const who of ['mill-5', 'other-5']) identities[who] = (await gw.store.keys.authenticate(`Bearer ${keys[who] as string}`)).identity;
    await gw.close();

    const opened = await openLedger(t.config);
    try {
      const receiving = objectEvent(3, { eventID: id(3) }); // the mill's, but not a shipment
      await opened.ledger.submit('epcis:CaptureEvents', [JSON.stringify(documentOf([shipping(2), receiving, shipping(4)]))], identities['mill-5'] as Identity);
      await opened.ledger.submit('epcis:CaptureEvents', [JSON.stringify(documentOf([shipping(5)]))], identities['other-5'] as Identity); // not the mill's to read
    } finally {
      await opened.ledger.close();
    }

    gw = await startGateway(t.config);
    await capture('mill-5', [shipping(6)]); // deliveries keep ledger order: once this arrives, every earlier one has
    await until(() => delivered().includes(id(6)));
    expect(delivered()).to.deep.equal([id(1), id(2), id(4), id(6)]);
    expect(callback.deliveries.every(verified)).to.equal(true);
    await until(async () => (await subscription()).delivered === 4);

    await gw.close(); // a clean restart with nothing new: nothing is delivered again
    gw = await startGateway(t.config);
    await capture('mill-5', [shipping(7)]);
    await until(() => delivered().includes(id(7)));
    expect(delivered()).to.deep.equal([id(1), id(2), id(4), id(6), id(7)]);
    await until(async () => (await subscription()).delivered === 5);
    // the subscriber that asked for XML was sent the same events, in XML, before and after every restart
    await until(() => deliveredXml().includes(id(7)));
    expect(deliveredXml()).to.deep.equal([id(1), id(2), id(4), id(6), id(7)]);
    expect(xmlCallback.deliveries.every(verified)).to.equal(true);
  });
});
