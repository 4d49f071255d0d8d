/**
 * EPCIS inside the real gateway: API keys, the embedded ledger with the registered contracts,
 * and the main contract's own records. A lot created and recalled through /v1 refuses a captured
 * sale of one of its items; and an item is traced forward and back through events that arrived
 * only by capture, written half in EPC URNs and half in Digital Links on other domains.
 */
import { expect } from 'chai';
import { itemUri, lotUri, ssccUri, toEpcUrn } from '../../chaincode/digital-link';
import { call, gln, startTestGateway, withCheck, type TestGateway } from '../gateway/support';
import { ApiClient, traceIndexed } from './api-client';
import { documentOf, objectEvent, officialSchema } from './fixtures';
import { startEpcisFront, type EpcisFront } from './gateway-front';

const RICE = withCheck('0695000000301');
const urn = (uri: string): string => toEpcUrn(uri, 7);
const elsewhere = (uri: string): string => uri.replace('https://id.gs1.org', 'https://shop.example.cn/dl');

describe('EPCIS in the gateway', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let front: EpcisFront;

  /** /v1 on the gateway; /epcis on the front with access rules. */
  const api = new ApiClient((url) => (url.startsWith('/epcis') ? front.url : t.gw.url));
  const keys = api.keys;
  const as = api.as.bind(api);
  const capture = api.capture.bind(api);
  const events = async (who: string, query: string): Promise<Array<Record<string, any>>> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await as(who, 'GET', `/epcis/events?${query}`);
    expect(r.status, r.text).to.equal(200);
    return r.body.epcisBody.queryResults.resultsBody.eventList;
  };

  before(async () => {
    t = await startTestGateway();
    keys['samr'] = t.regulatorKey;
    front = await startEpcisFront(t);
    await api.register('samr', [
      { id: 'farm-1', name: 'Rice Farm', role: 'producer', licence: 'SC-1', gln: gln(11) },
      { id: 'shop-1', name: 'Corner Shop', role: 'retailer', licence: 'JY-1', gln: gln(51) },
      { id: 'shop-9', name: 'Far Away Shop', role: 'retailer', licence: 'JY-9', gln: gln(59) },
    ]);
  });

  after(async () => {
    await front.close();
    await t.stop();
  });

  it('is mounted by the gateway itself, behind its API keys', async () => {
    expect((await call(t.gw.url, 'GET', '/epcis/events')).status).to.equal(401);
    expect((await call(front.url, 'GET', '/epcis/events')).status).to.equal(401);
    const own = await call(t.gw.url, 'GET', '/epcis/events?perPage=1', { key: keys['samr'] as string });
    expect(own.status, own.text).to.equal(200);
    expect(own.headers.get('GS1-EPCIS-Version')).to.equal('2.0.0');
    expect(own.body.type).to.equal('EPCISQueryDocument');
  });

  it('records the same events captured several times at once a single time, and ends every capture well: the later ones find them recorded', async () => {
    // a client that retried while its first request was still in flight: the copies lose a read conflict to the first, and are run again
    for (const size of [1, 300]) {
      const doc = documentOf(Array.from({ length: size }, (_, i) => objectEvent(i, { epcList: [`urn:epc:id:sgtin:0614141.107346.R${size}-${i}`] })));
      const jobs = await Promise.all([1, 2, 3].map(async () => {
        const r = await call(t.gw.url, 'POST', '/epcis/capture', { key: keys['farm-1'] as string, body: doc });
        expect(r.status, r.text).to.equal(202);
        for (let i = 0; i < 500; i++) {
          const job = await call(t.gw.url, 'GET', String(r.headers.get('location')), { key: keys['farm-1'] as string });
          if (!job.body.running) return job.body as { success: boolean; captured: number; duplicates: number; errors: unknown[] };
          await new Promise((res) => setTimeout(res, 20));
        }
        throw new Error('capture job did not finish');
      }));
      expect(jobs.map((j) => j.success), JSON.stringify(jobs.map((j) => j.errors))).to.deep.equal([true, true, true]);
      expect(jobs.map((j) => `${j.captured}+${j.duplicates}`).sort()).to.deep.equal([`${size}+0`, `0+${size}`, `0+${size}`].sort());
    }
    const single = { '@context': documentOf([])['@context'], ...objectEvent(7, { eventID: 'urn:uuid:2f0c9a4e-8b1d-4c7e-9f3a-5d6e7f8a9b0c', epcList: ['urn:epc:id:sgtin:0614141.107346.R-single'] }) };
    const answers = await Promise.all([1, 2, 3].map(() => call(t.gw.url, 'POST', '/epcis/events', { key: keys['farm-1'] as string, body: single })));
    expect(answers.map((a) => a.status).sort(), answers.map((a) => a.text).join('\n')).to.deep.equal([200, 200, 201]);
  });

  it('refuses a captured sale of an item whose lot was recalled through /v1, and records the sale before it', async () => {
    expect((await as('farm-1', 'POST', '/v1/products', { gtin: RICE, name: 'Rice', category: 'grain', unit: 'KGM', requiresTest: false })).status).to.equal(201);
    expect((await as('farm-1', 'POST', '/v1/lots', { gtin: RICE, lot: 'R1', quantity: 100, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(11) } })).status).to.equal(201);
    expect((await as('farm-1', 'POST', `/v1/lots/${RICE}/R1/items`, { serials: ['S1', 'S2'] })).status).to.equal(201);

    // only a holder sells by capture: the shop holds none of R1 until the farm's shipment arrives
    const early = await capture('shop-1', [objectEvent(1, { bizStep: 'retail_selling', epcList: [urn(itemUri(RICE, 'S1'))] })]);
    expect(early['errors'][0]).to.include({ code: 'NOT_OWNER', path: '/epcisBody/eventList/0' });
    expect((await as('farm-1', 'POST', '/v1/shipments', { shipmentId: 'SH-R1', to: 'shop-1', lines: [{ gtin: RICE, lot: 'R1', quantity: 10 }], origin: { gln: gln(11) } })).status).to.equal(201);
    expect((await as('shop-1', 'POST', '/v1/shipments/SH-R1/receipt', { location: { gln: gln(51) } })).status).to.equal(201);
    const sold = await capture('shop-1', [objectEvent(1, { bizStep: 'retail_selling', epcList: [urn(itemUri(RICE, 'S1'))] })]);
    expect(sold['success'], JSON.stringify(sold['errors'])).to.equal(true);

    const recall = await as('samr', 'POST', '/v1/recalls', { recallId: 'RC-R1', lots: [{ gtin: RICE, lot: 'R1' }], reason: 'aflatoxin', class: 'I' });
    expect(recall.status, recall.text).to.equal(201);

    const refused = await capture('shop-1', [objectEvent(2, { bizStep: 'retail_selling', epcList: [elsewhere(itemUri(RICE, 'S2'))] })]);
    expect(refused['success']).to.equal(false);
    expect(refused['errors'][0]).to.include({ code: 'LOT_RECALLED', path: '/epcisBody/eventList/0' });
    const shipLot = await capture('shop-1', [objectEvent(3, { bizStep: 'shipping', epcList: [], quantityList: [{ epcClass: urn(lotUri(RICE, 'R1')), quantity: 5, uom: 'KGM' }] })]);
    expect(shipLot['errors'][0]).to.include({ code: 'LOT_RECALLED' });

    const s1 = await events('shop-1', `MATCH_epc=${encodeURIComponent(itemUri(RICE, 'S1'))}&EQ_bizStep=retail_selling`);
    expect(s1).to.have.length(1);
    expect(s1[0]?.['epcList']).to.deep.equal([itemUri(RICE, 'S1')]); // captured as a URN, answered as a Digital Link (GS1-EPC-Format's default)
    expect(await events('shop-1', `MATCH_epc=${encodeURIComponent(urn(itemUri(RICE, 'S2')))}&EQ_bizStep=retail_selling`)).to.deep.equal([]);
  });

  it('lets a capture make a managed product\'s lots only as the contract would, and never one the ledger already has: the trace keeps who made it', async () => {
    const OIL = withCheck('0695000000810');
    expect((await as('farm-1', 'POST', '/v1/products', { gtin: OIL, name: 'Oil', category: 'oil', unit: 'KGM', requiresTest: false })).status).to.equal(201);
    expect((await as('farm-1', 'POST', '/v1/lots', { gtin: OIL, lot: 'O1', quantity: 100, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(11) } })).status).to.equal(201);
    const commission = (n: number, lot: string): Record<string, unknown> =>
      objectEvent(n, { action: 'ADD', bizStep: 'commissioning', epcList: [], quantityList: [{ epcClass: urn(lotUri(OIL, lot)), quantity: 999, uom: 'KGM' }] });
    const byShop = await capture('shop-1', [commission(10, 'O1')]);
    expect(byShop['errors'][0]).to.include({ code: 'NOT_OWNER', path: '/epcisBody/eventList/0' });
    // transforming into a lot of the product is a processor's or producer's, as TransformLots, whoever owns the product
    const transform = (lot: string): Record<string, unknown> => ({
      type: 'TransformationEvent', eventTime: '2026-03-01T09:00:00Z', eventTimeZoneOffset: '+08:00',
      inputQuantityList: [{ epcClass: lotUri(RICE, 'R9'), quantity: 5, uom: 'KGM' }], outputQuantityList: [{ epcClass: lotUri(OIL, lot), quantity: 5, uom: 'KGM' }],
    });
    expect((await capture('shop-1', [transform('O2')]))['errors'][0]).to.include({ code: 'FORBIDDEN', path: '/epcisBody/eventList/0' });
    await api.register('samr', [{ id: 'mill-1', name: 'Oil Mill', role: 'processor', licence: 'SC-3', gln: gln(31) }]);
    expect((await capture('mill-1', [transform('O1')]))['errors'][0]).to.include({ code: 'LOT_EXISTS' });
    expect((await capture('mill-1', [transform('O2')]))['success']).to.equal(true);
    const again = await capture('farm-1', [commission(11, 'O1')]);
    expect(again['errors'][0]).to.include({ code: 'LOT_EXISTS', path: '/epcisBody/eventList/0' });
    // the owner's new lot, by capture alone: recorded, and the trace shows it as the owner's
    expect((await capture('farm-1', [commission(12, 'O3')]))['success']).to.equal(true);
    await traceIndexed(t.gw);
    const lots = async (lot: string): Promise<unknown[]> => (await api.trace('samr', 'back', `gtin=${OIL}&lot=${lot}`)).lots.map((l) => `${l.lot}:${l.producer}:${l.quantity}`);
    expect(await lots('O1')).to.deep.equal(['O1:farm-1:100']);
    expect(await lots('O3')).to.deep.equal(['O3:farm-1:999']);
  });

  it('serves the EPCIS events the main contract recorded, beside captured ones, valid against GS1\'s schema', async () => {
    const r = await as('samr', 'GET', `/epcis/events?MATCH_anyEPCClass=${encodeURIComponent(urn(lotUri(RICE, 'R1')))}&perPage=50`);
    expect(r.status, r.text).to.equal(200);
    expect(officialSchema()(r.body), JSON.stringify(officialSchema().errors)).to.equal(true);
    const list = r.body.epcisBody.queryResults.resultsBody.eventList as Array<Record<string, unknown>>;
    expect(list.map((e) => e['bizStep'])).to.include('commissioning'); // recorded by CreateLot
    expect(list.map((e) => e['disposition'])).to.include('recalled'); // recorded by IssueRecall
    const native = list.find((e) => e['bizStep'] === 'commissioning');
    const byId = await as('samr', 'GET', `/epcis/events/${encodeURIComponent(String(native?.['eventID']))}`);
    expect(byId.status).to.equal(200);
    // the farm's own commissioning event is not the unrelated shop's to read; the recall is public
    const stranger = await as('shop-9', 'GET', `/epcis/events?MATCH_anyEPCClass=${encodeURIComponent(urn(lotUri(RICE, 'R1')))}&perPage=50`);
    const seen = stranger.body.epcisBody.queryResults.resultsBody.eventList as Array<Record<string, unknown>>;
    expect(seen.map((e) => e['disposition'])).to.deep.equal(['recalled']);
    expect((await as('shop-9', 'GET', `/epcis/events/${encodeURIComponent(String(native?.['eventID']))}`)).status).to.equal(404);
  });

  it('traces forward and back through events that arrived only by capture, mixing URNs and Digital Links', async () => {
    const FLOUR = withCheck('0695000000402');
    const BREAD = withCheck('0695000000501');
    const PALLET = withCheck('16950000000000001');
    const pallet = urn(ssccUri(PALLET));
    const job = await capture('farm-1', [
      { type: 'TransformationEvent', eventTime: '2026-06-01T08:00:00Z', eventTimeZoneOffset: '+08:00', bizStep: 'commissioning',
        inputQuantityList: [{ epcClass: urn(lotUri(FLOUR, 'F7')), quantity: 50, uom: 'KGM' }],
        outputEPCList: [elsewhere(itemUri(BREAD, 'B1')), urn(itemUri(BREAD, 'B2'))] },
      { type: 'AggregationEvent', eventTime: '2026-06-01T09:00:00Z', eventTimeZoneOffset: '+08:00', action: 'ADD', bizStep: 'packing',
        parentID: pallet, childEPCs: [urn(itemUri(BREAD, 'B1')), elsewhere(itemUri(BREAD, 'B2'))] },
      objectEvent(0, { eventTime: '2026-06-01T10:00:00Z', bizStep: 'shipping', epcList: [elsewhere(ssccUri(PALLET))],
        destinationList: [{ type: 'owning_party', destination: `urn:epc:id:pgln:6950000.00051` }] }),
    ]);
    expect(job['success'], JSON.stringify(job['errors'])).to.equal(true);

    // forward: flour lot → bread items → pallet → shipment
    expect(await events('shop-1', `MATCH_epcClass=${encodeURIComponent(lotUri(FLOUR, 'F7'))}`)).to.have.length(0); // quantityList and childQuantityList only
    const made = await events('shop-1', `MATCH_inputEPCClass=${encodeURIComponent(elsewhere(lotUri(FLOUR, 'F7')))}`);
    expect(made).to.have.length(1);
    const transformation = made[0];
    const bread = (transformation?.['outputEPCList'] as string[]).map((x) => x.replace('https://shop.example.cn/dl', 'https://id.gs1.org'));
    const packed = await events('shop-1', `MATCH_epc=${encodeURIComponent(urn(bread[0] ?? ''))}&eventType=AggregationEvent`);
    expect(packed).to.have.length(1);
    const shipped = await events('shop-1', `MATCH_epc=${encodeURIComponent(String(packed[0]?.['parentID']))}&EQ_bizStep=shipping`);
    expect(shipped).to.have.length(1);
    expect(shipped[0]?.['destinationList']).to.deep.equal([{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln(51)}` }]); // captured as urn:epc:id:pgln:6950000.00051

    // a participant that is no trading partner of the farm sees none of it
    expect(await events('shop-9', `MATCH_anyEPC=${encodeURIComponent(urn(bread[0] ?? ''))}`)).to.deep.equal([]);

    // back: item B2, named by Digital Link → the pallet it was packed on → the transformation that made it
    const b2 = encodeURIComponent(elsewhere(itemUri(BREAD, 'B2')));
    const history = await events('shop-1', `MATCH_anyEPC=${b2}`);
    expect(history.map((e) => e['type'])).to.deep.equal(['TransformationEvent', 'AggregationEvent']);
    const outputs = await events('shop-1', `MATCH_outputEPC=${b2}`);
    expect(outputs[0]?.['inputQuantityList']).to.deep.equal([{ epcClass: lotUri(FLOUR, 'F7'), quantity: 50, uom: 'KGM' }]); // captured as a URN, answered as a Digital Link

    // latest first, one per page, following the Link header
    const latestFirst: string[] = [];
    for (let at: string | undefined = `/epcis/events?MATCH_anyEPC=${b2}&orderBy=eventTime&perPage=1`; at; ) {
      const r = await as('shop-1', 'GET', at);
      expect(r.status, r.text).to.equal(200);
      latestFirst.push(...r.body.epcisBody.queryResults.resultsBody.eventList.map((e: Record<string, unknown>) => String(e['type'])));
      at = /<([^>]+)>; rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
    }
    expect(latestFirst).to.deep.equal(['AggregationEvent', 'TransformationEvent']);
  });

  it('lets the parties an event names read its recorder\'s events, and never the recorder theirs on its word alone', async () => {
    // participants of their own, so that no other test's trades give them a reader
    await api.register('samr', [
      { id: 'shop-7', name: 'Victim Shop', role: 'retailer', licence: 'JY-7', gln: gln(57) },
      { id: 'shop-8', name: 'Nosy Shop', role: 'retailer', licence: 'JY-8', gln: gln(58) },
      { id: 'shop-6', name: 'Third Shop', role: 'retailer', licence: 'JY-6', gln: gln(56) },
    ]);
    const SALT = withCheck('0695000000709');
    const own = (n: number): string => urn(itemUri(SALT, `S${n}`));
    const mine = (who: string, n: number, extra: Record<string, unknown> = {}): Promise<unknown> => api.captureOk(who, [objectEvent(n, { eventTime: `2026-07-01T0${n}:00:00Z`, epcList: [own(n)], ...extra })]);
    const sees = async (who: string, n: number): Promise<boolean> => (await events(who, `MATCH_epc=${encodeURIComponent(own(n))}`)).length === 1;
    await mine('shop-7', 1); // the victim's private event
    // shop-8 names shop-7 as the owning party of a shipment, uninvited
    await mine('shop-8', 2, { bizStep: 'shipping', destinationList: [{ type: 'owning_party', destination: urn(`https://id.gs1.org/417/${gln(57)}`) }] });
    expect(await sees('shop-8', 1), 'naming shop-7 gives shop-8 none of shop-7\'s events').to.equal(false);
    expect(await sees('shop-7', 2), 'shop-7 reads the event that named it').to.equal(true);
    // once shop-7 names shop-8 in an event of its own (it received the goods), shop-8 reads shop-7's events: partners both ways
    await mine('shop-7', 3, { bizStep: 'receiving', sourceList: [{ type: 'owning_party', source: `https://id.gs1.org/417/${gln(58)}` }] });
    expect(await sees('shop-8', 1)).to.equal(true);
    expect(await sees('shop-8', 3)).to.equal(true);
    expect(await sees('shop-6', 1), 'and no third party').to.equal(false);
  });

  it('names a native shipment as the business transaction of its shipping and receiving events: one query finds both', async () => {
    expect((await as('farm-1', 'POST', '/v1/lots', { gtin: RICE, lot: 'R2', quantity: 100, unit: 'KGM', productionDate: '2026-04-02', origin: { gln: gln(11) } })).status).to.equal(201);
    const ship = await as('farm-1', 'POST', '/v1/shipments', { shipmentId: 'SH-R2:1', to: 'shop-1', lines: [{ gtin: RICE, lot: 'R2', quantity: 10 }], origin: { gln: gln(11) } });
    expect(ship.status, ship.text).to.equal(201);
    const receipt = await as('shop-1', 'POST', `/v1/shipments/${encodeURIComponent('SH-R2:1')}/receipt`, { location: { gln: gln(51) } });
    expect(receipt.status, receipt.text).to.equal(201);
    const query = `EQ_bizTransaction_desadv=${encodeURIComponent('urn:zfc:shipment:SH-R2:1')}`;
    expect((await events('shop-1', query)).map((e) => e['bizStep'])).to.deep.equal(['shipping', 'receiving']);
    expect(await events('shop-9', query)).to.deep.equal([]); // no partner of either
  });

  it('receives a native shipment by the shop\'s own captured receiving event: the shipment received and the goods held, in the trace once', async () => {
    const ship = await as('farm-1', 'POST', '/v1/shipments', { shipmentId: 'SH-R2:2', to: 'shop-1', lines: [{ gtin: RICE, lot: 'R2', quantity: 20 }], origin: { gln: gln(11) } });
    expect(ship.status, ship.text).to.equal(201);
    const job = await api.captureOk('shop-1', [{
      ...objectEvent(0, { eventTime: '2026-06-02T08:00:00Z', bizStep: 'receiving', epcList: [], bizLocation: { id: `urn:epc:id:sgln:6950000.00051.0` } }),
      quantityList: [{ epcClass: urn(lotUri(RICE, 'R2')), quantity: 15, uom: 'KGM' }],
      bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:zfc:shipment:SH-R2:2' }],
    }]);
    expect(job['captured']).to.equal(1);
    await traceIndexed(t.gw);
    const shipment = await as('shop-1', 'GET', `/v1/shipments/${encodeURIComponent('SH-R2:2')}`);
    expect(shipment.status, shipment.text).to.equal(200);
    expect(shipment.body).to.deep.include({ status: 'received', from: 'farm-1', to: 'shop-1' });
    expect(shipment.body.received).to.deep.equal([{ lot: { gtin: RICE, lot: 'R2' }, quantity: 15, unit: 'KGM' }]);
    const lot = await as('shop-1', 'GET', `/v1/lots/${RICE}/R2`);
    expect(lot.body.holders.find((h: { participant: string }) => h.participant === 'shop-1')?.holding).to.equal(25); // 10 by Receive, 15 by the capture
    const hops = (await as('samr', 'GET', `/v1/lots/${RICE}/R2/history`)).body.events.filter((e: { type: string; fact: { kind: string; shipmentId?: string } }) => e.type === 'hop' && e.fact.kind === 'receive');
    expect(hops.map((e: { fact: { shipmentId?: string; quantity: number } }) => [e.fact.shipmentId, e.fact.quantity])).to.deep.equal([['SH-R2:1', 10], ['SH-R2:2', 15]]); // one hop per receipt, named by the shipment
  });

  it('ships and receives on the ledger with EPCIS events alone, a hop each in the trace, named by the shipment', async () => {
    const shop = urn(`https://id.gs1.org/417/${gln(51)}`);
    const desadv = [{ type: 'desadv', bizTransaction: 'urn:zfc:shipment:SH-R2:3' }];
    const lines = [{ epcClass: urn(lotUri(RICE, 'R2')), quantity: 5, uom: 'KGM' }];
    await api.captureOk('farm-1', [{ ...objectEvent(0, { eventTime: '2026-06-03T08:00:00Z', bizStep: 'shipping', epcList: [], bizLocation: { id: 'urn:epc:id:sgln:6950000.00011.0' } }), quantityList: lines, bizTransactionList: desadv, destinationList: [{ type: 'owning_party', destination: shop }] }]);
    await traceIndexed(t.gw);
    expect((await as('shop-1', 'GET', `/v1/shipments/${encodeURIComponent('SH-R2:3')}`)).body).to.deep.include({ status: 'in_transit', from: 'farm-1', to: 'shop-1' });
    await api.captureOk('shop-1', [{ ...objectEvent(0, { eventTime: '2026-06-03T12:00:00Z', bizStep: 'receiving', epcList: [], bizLocation: { id: 'urn:epc:id:sgln:6950000.00051.0' } }), quantityList: lines, bizTransactionList: desadv }]);
    await traceIndexed(t.gw);
    expect((await as('shop-1', 'GET', `/v1/shipments/${encodeURIComponent('SH-R2:3')}`)).body.status).to.equal('received');
    const holders = (await as('samr', 'GET', `/v1/lots/${RICE}/R2`)).body.holders as Array<{ participant: string; holding: number }>;
    expect(Object.fromEntries(holders.map((h) => [h.participant, h.holding]))).to.deep.equal({ 'farm-1': 65, 'shop-1': 30 });
    const hops = (await as('samr', 'GET', `/v1/lots/${RICE}/R2/history`)).body.events.filter((e: { type: string; fact: { shipmentId?: string } }) => e.type === 'hop' && e.fact.shipmentId === 'SH-R2:3');
    expect(hops.map((e: { fact: { kind: string; quantity: number } }) => [e.fact.kind, e.fact.quantity])).to.deep.equal([['ship', 5], ['receive', 5]]);
  });

  it('lists the top-level resources: EPCs and read points only as far as the caller may read their events, paged; vocabularies; each one\'s events', async () => {
    const BREAD = withCheck('0695000000501');
    const PALLET = withCheck('16950000000000001');
    const ours = [itemUri(BREAD, 'B1'), itemUri(BREAD, 'B2'), ssccUri(PALLET)];
    const collection = async (who: string, path: string): Promise<{ member: string[]; next?: string }> => {
      const r = await as(who, 'GET', path);
      expect(r.status, r.text).to.equal(200);
      expect(r.body.type).to.equal('Collection');
      expect(r.headers.get('GS1-EPCIS-Version')).to.equal('2.0.0');
      const next = /<([^>]+)>; rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
      return { member: r.body.member as string[], ...(next ? { next } : {}) };
    };
    const everything = async (who: string, path: string): Promise<string[]> => {
      const all: string[] = [];
      for (let at: string | undefined = path; at; ) {
        const page: { member: string[]; next?: string } = await collection(who, at);
        all.push(...page.member);
        at = page.next;
      }
      return all;
    };
    // the farm's capture named the bread items (URN and Digital Link on another domain) and the pallet: listed once each, canonical
    const seenByShop = await everything('shop-1', '/epcis/epcs?perPage=1');
    for (const id of ours) expect(seenByShop.filter((x) => x === id), id).to.have.length(1);
    expect(new Set(seenByShop).size).to.equal(seenByShop.length);
    expect(seenByShop).to.not.include(lotUri(withCheck('0695000000402'), 'F7')); // a class the transformation consumed is no EPC
    expect(await everything('shop-1', '/epcis/epcs')).to.deep.equal(seenByShop); // pages add up to the one list
    const stranger = await everything('shop-9', '/epcis/epcs?perPage=2');
    for (const id of ours) expect(stranger).to.not.include(id);
    expect(await everything('samr', '/epcis/epcs')).to.include.members(seenByShop); // a regulator reads every event
    const readPoint = 'https://id.gs1.org/414/0614141073467'; // urn:epc:id:sgln:0614141.07346.0, the shipment's
    expect(await everything('shop-1', '/epcis/readPoints')).to.include(readPoint);
    expect(await everything('shop-9', '/epcis/readPoints')).to.not.include(readPoint);

    expect((await collection('shop-1', '/epcis/eventTypes')).member).to.deep.equal(['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent']);
    expect((await collection('shop-1', '/epcis/bizSteps')).member).to.include('shipping');
    expect((await collection('shop-1', '/epcis')).member).to.include.members(['capture', 'events', 'epcs', 'queries']);
    expect((await collection('shop-1', `/epcis/readPoints/${encodeURIComponent('urn:epc:id:sgln:0614141.07346.0')}`)).member).to.deep.equal(['events']);
    const packings = await as('shop-1', 'GET', `/epcis/eventTypes/AggregationEvent/events?MATCH_epc=${encodeURIComponent(urn(itemUri(BREAD, 'B1')))}`);
    expect(packings.body.epcisBody.queryResults.resultsBody.eventList.map((e: Record<string, unknown>) => e['bizStep'])).to.deep.equal(['packing']);
    const shippedHere = await as('shop-1', 'GET', `/epcis/readPoints/${encodeURIComponent('urn:epc:id:sgln:0614141.07346.0')}/events?EQ_bizStep=shipping&MATCH_epc=${encodeURIComponent(ssccUri(PALLET))}`);
    expect(shippedHere.body.epcisBody.queryResults.resultsBody.eventList).to.have.length(1);
    const byStep = await as('shop-9', 'GET', `/epcis/bizSteps/${encodeURIComponent('https://ref.gs1.org/cbv/BizStep-packing')}/events?MATCH_epc=${encodeURIComponent(urn(itemUri(BREAD, 'B1')))}`);
    expect(byStep.body.epcisBody.queryResults.resultsBody.eventList).to.deep.equal([]); // the access rule holds here too

    // refused clearly
    expect((await as('shop-1', 'GET', '/epcis/eventTypes/TeleportEvent/events')).status).to.equal(404);
    const badEpc = await as('shop-1', 'GET', `/epcis/epcs/${encodeURIComponent('urn:epc:id:sgtin:0614141.107346')}`);
    expect(badEpc.status).to.equal(400);
    expect(badEpc.body.error.details.errors[0].path).to.equal('/path/epc');
    expect((await as('shop-1', 'GET', '/epcis/bizSteps/flying/events')).status).to.equal(400);
    for (const junk of ['hello', '%00', `urn%3Ax%3A${'y'.repeat(3000)}`, '%E4%B8%AD']) expect((await as('shop-1', 'GET', `/epcis/readPoints/${junk}/events`)).status, junk.slice(0, 20)).to.equal(400);
    expect((await as('shop-1', 'GET', '/epcis/eventTypes/ObjectEvent/events?eventType=AggregationEvent')).status).to.equal(400);
    expect((await as('shop-1', 'GET', '/epcis/epcs?nextPageToken=cmVhZFBvaW50czow')).status).to.equal(400); // another resource's token
    expect((await as('shop-1', 'GET', '/epcis/eventTypes?perPage=5')).status).to.equal(400);
  });
});
