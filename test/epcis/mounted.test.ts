/**
 * The EPCIS router as `zfc start` mounts it (server.ts), not a test front: access rules by the
 * caller's participant, named queries and subscriptions switched on (plain-http callbacks only
 * to configured hosts), and the EPCIS routes and schemas in the gateway's own /openapi.json.
 */
import { expect } from 'chai';
import { lotUri, toEpcUrn } from '../../chaincode/digital-link';
import { EVENT_NAMES } from '../../chaincode/events';
import { call, gln, startTestGateway, withCheck, type TestGateway } from '../gateway/support';
import { ApiClient } from './api-client';

const TEA = withCheck('0695000000707');

describe('EPCIS as the gateway mounts it', function () {
  this.timeout(120_000);
  let t: TestGateway;
  const api = new ApiClient(() => t.gw.url);
  const keys = api.keys;
  const as = api.as.bind(api);

  before(async () => {
    t = await startTestGateway(undefined, { EPCIS_HTTP_CALLBACK_HOSTS: '127.0.0.1' });
    keys['samr'] = t.regulatorKey;
    await api.register('samr', [
      { id: 'tea-1', name: 'Tea Garden', role: 'producer', licence: 'SC-7', gln: gln(17) },
      { id: 'shop-7', name: 'Tea Shop', role: 'retailer', licence: 'JY-7', gln: gln(57) },
    ]);
    expect((await as('tea-1', 'POST', '/v1/products', { gtin: TEA, name: 'Longjing tea', category: 'tea', unit: 'KGM', requiresTest: false })).status).to.equal(201);
    expect((await as('tea-1', 'POST', '/v1/lots', { gtin: TEA, lot: 'T1', quantity: 10, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(17) } })).status).to.equal(201);
  });

  after(async () => {
    await t.stop();
  });

  it('applies access rules: a participant reads its own events, an unrelated one does not, a regulator reads all', async () => {
    const q = `/epcis/events?MATCH_anyEPCClass=${encodeURIComponent(toEpcUrn(lotUri(TEA, 'T1'), 7))}`;
    const list = async (who: string): Promise<unknown[]> => {
      const r = await as(who, 'GET', q);
      expect(r.status, r.text).to.equal(200);
      return r.body.epcisBody.queryResults.resultsBody.eventList;
    };
    expect(await list('tea-1')).to.have.length(1);
    expect(await list('samr')).to.have.length(1);
    expect(await list('shop-7')).to.deep.equal([]);
  });

  it('serves named queries and subscriptions, refusing plain-http callbacks to hosts not configured', async () => {
    const defined = await as('shop-7', 'POST', '/epcis/queries', { name: 'tea-recalls', query: { EQ_disposition: 'recalled' } });
    expect(defined.status, defined.text).to.equal(201);
    const refused = await as('shop-7', 'POST', '/epcis/queries/tea-recalls/subscriptions', { dest: 'http://10.0.0.1/cb', signatureToken: 'x'.repeat(20), stream: true });
    expect(refused.status).to.equal(400);
    expect(refused.body.error.details.errors[0].path).to.equal('/dest');
    const ok = await as('shop-7', 'POST', '/epcis/queries/tea-recalls/subscriptions', { dest: 'http://127.0.0.1:9/cb', signatureToken: 'x'.repeat(20), stream: true });
    expect(ok.status, ok.text).to.equal(201);
  });

  it('documents the EPCIS routes and schemas in /openapi.json', async () => {
    const doc = await call(t.gw.url, 'GET', '/openapi.json');
    expect(doc.status).to.equal(200);
    expect(doc.body.paths).to.include.keys('/epcis/capture', '/epcis/events', '/epcis/events/{eventID}', '/v1/trace/back');
    expect(doc.body.components.schemas).to.include.keys('EPCISDocument', 'EPCISQueryDocument', 'Error', 'TraceGraph');
  });

  it('names EpcisCaptured among the chaincode events', () => {
    expect(EVENT_NAMES).to.include('EpcisCaptured');
  });
});
