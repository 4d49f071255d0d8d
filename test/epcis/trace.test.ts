/**
 * Captured events join the trace graph: a farm, a mill and a shop record a chain ONLY through
 * `POST /epcis/capture` (commissioning, shipping with a destination list, receiving with a source
 * list, a transformation into items and a lot, packing onto a pallet), naming the same things in
 * EPC URNs and in Digital Links on other domains. /v1/trace answers back and forward through
 * it, one node per thing whichever form named it, and a rebuild of the index answers the same.
 */
import { expect } from 'chai';
import { itemUri, lotUri, partyUri, ssccUri, toEpcUrn } from '../../chaincode/digital-link';
import { startGateway } from '../../gateway-api/server';
import { call, gln, removeDir, startTestGateway, withCheck, type Reply, type TestGateway } from '../gateway/support';
import type { TraceGraph } from '../../gateway-api/trace-model';
import { ApiClient, traceIndexed } from './api-client';

const WHEAT = withCheck('0695000000910');
const FLOUR = withCheck('0695000000920');
const BUNS = withCheck('0695000000930');
const PALLET = withCheck('16950000000009999');
const urn = (uri: string): string => toEpcUrn(uri, 7);
const elsewhere = (uri: string): string => uri.replace('https://id.gs1.org', 'https://scan.example.com/gs1');
const at = (h: number): Record<string, string> => ({ eventTime: `2026-07-01T0${h}:00:00Z`, eventTimeZoneOffset: '+08:00' });
type Graph = TraceGraph;

describe('EPCIS capture joins the trace graph', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let gw: TestGateway['gw'];
  const api = new ApiClient(() => gw.url);
  const keys = api.keys;
  const as = api.as.bind(api);
  const capture = (who: string, events: unknown[]): Promise<unknown> => api.captureOk(who, events);
  const indexed = (): Promise<void> => traceIndexed(gw);
  const trace = (direction: 'back' | 'forward', params: string, status = 200): Promise<Graph> => api.trace('samr', direction, params, status);
  const lots = (g: Graph): string[] => g.lots.map((l) => `${l.gtin}/${l.lot}`).sort();

  before(async () => {
    t = await startTestGateway();
    gw = t.gw;
    keys['samr'] = t.regulatorKey;
    await api.register('samr', [
      { id: 'farm-9', name: 'Wheat Farm', role: 'producer', licence: 'SC-91', gln: gln(91) },
      { id: 'mill-9', name: 'Mill', role: 'processor', licence: 'SC-92', gln: gln(92) },
    ]);
    await capture('farm-9', [
      { type: 'ObjectEvent', ...at(1), action: 'ADD', bizStep: 'commissioning', epcList: [],
        quantityList: [{ epcClass: urn(lotUri(WHEAT, 'W9')), quantity: 500, uom: 'KGM' }], bizLocation: { id: urn(`https://id.gs1.org/414/${gln(91)}`) } },
      { type: 'ObjectEvent', ...at(2), action: 'OBSERVE', bizStep: 'shipping', epcList: [],
        quantityList: [{ epcClass: elsewhere(lotUri(WHEAT, 'W9')), quantity: 200, uom: 'KGM' }],
        destinationList: [{ type: 'owning_party', destination: urn(partyUri(gln(92))) }] },
      // in the same document, an event about something else: no trace of the wheat shows it
      { type: 'ObjectEvent', ...at(2), action: 'OBSERVE', bizStep: 'inspecting', epcList: [urn(itemUri(FLOUR, 'other-1'))] },
    ]);
    await capture('mill-9', [
      // the business step as its CBV Web URI: the same custody hop as the bare word
      { type: 'ObjectEvent', ...at(3), action: 'OBSERVE', bizStep: 'https://ref.gs1.org/cbv/BizStep-receiving', epcList: [],
        quantityList: [{ epcClass: urn(lotUri(WHEAT, 'W9')), quantity: 200, uom: 'KGM' }],
        sourceList: [{ type: 'owning_party', source: elsewhere(partyUri(gln(91))) }] },
      { type: 'TransformationEvent', ...at(4),
        inputQuantityList: [{ epcClass: elsewhere(lotUri(WHEAT, 'W9')), quantity: 200, uom: 'KGM' }],
        outputEPCList: [elsewhere(itemUri(BUNS, 'K1')), urn(itemUri(BUNS, 'K2'))],
        outputQuantityList: [{ epcClass: urn(lotUri(FLOUR, 'FL1')), quantity: 150, uom: 'KGM' }] },
      { type: 'AggregationEvent', ...at(5), action: 'ADD', bizStep: 'packing', parentID: urn(ssccUri(PALLET)),
        childEPCs: [urn(itemUri(BUNS, 'K1')), elsewhere(itemUri(BUNS, 'K2'))] },
    ]);
    await indexed();
  });

  after(async () => {
    await gw?.close();
    if (t) await removeDir(t.dir);
  });

  it('traces an item back, named by URN or by Digital Link, to the farm lot and its custody hops', async () => {
    const byUrn = await trace('back', `code=${encodeURIComponent(urn(itemUri(BUNS, 'K2')))}`);
    const byLink = await trace('back', `code=${encodeURIComponent(elsewhere(itemUri(BUNS, 'K2')))}`);
    expect(lots(byUrn)).to.deep.equal([`${BUNS}/#K2`, `${WHEAT}/W9`].sort());
    expect(lots(byLink)).to.deep.equal(lots(byUrn));
    expect(byUrn.edges.map((e) => `${e.from.lot}>${e.to.lot}`)).to.deep.equal(['W9>#K2']);
    const hops = byUrn.hops.map((h) => `${h.kind}:${h.from}>${h.to}`);
    expect(hops).to.include.members([`ship:farm-9>${gln(92)}`, `receive:${gln(91)}>mill-9`]);
  });

  it('exports a trace through captured events as EPCIS, and as CSV and DOT', async () => {
    const code = `code=${encodeURIComponent(urn(itemUri(BUNS, 'K2')))}`;
    const doc = await as('samr', 'GET', `/v1/trace/back?${code}&format=epcis`);
    expect(doc.status, doc.text).to.equal(200);
    const list = doc.body.epcisBody.queryResults.resultsBody.eventList as Array<Record<string, unknown>>;
    expect(list.map((e) => `${String(e['type'])}/${String(e['bizStep'] ?? '')}`)).to.deep.equal(['ObjectEvent/commissioning', 'ObjectEvent/shipping', 'ObjectEvent/https://ref.gs1.org/cbv/BizStep-receiving', 'TransformationEvent/', 'AggregationEvent/packing']);
    for (const format of ['csv', 'dot']) expect((await as('samr', 'GET', `/v1/trace/back?${code}&format=${format}`)).status).to.equal(200);
    // EPCs as GS1-EPC-Format asks, as the EPCIS query interface writes them: here every GS1 key as the URN of its Digital Link
    const identifiers = (r: Reply): string[] => (r.body.epcisBody.queryResults.resultsBody.eventList as Array<Record<string, any>>) // eslint-disable-line @typescript-eslint/no-explicit-any
      .flatMap((e) => [...(e['epcList'] ?? []), ...(e['childEPCs'] ?? []), ...(e['outputEPCList'] ?? []), ...[...(e['quantityList'] ?? []), ...(e['inputQuantityList'] ?? [])].map((q: { epcClass: string }) => q.epcClass), ...(e['parentID'] ? [e['parentID']] : [])]);
    const exported = (format: string): Promise<Reply> => call(gw.url, 'GET', `/v1/trace/back?${code}&format=epcis`, { key: keys['samr'] as string, headers: { 'GS1-EPC-Format': format } });
    const links = identifiers(doc);
    const urns = await exported('Always_EPC_URN');
    expect(urns.status, urns.text).to.equal(200);
    expect(urns.headers.get('gs1-epc-format')).to.equal('Always_EPC_URN');
    expect(links.length).to.be.greaterThan(5);
    expect(identifiers(urns)).to.deep.equal(links.map(urn));
    const asCaptured = identifiers(await exported('Never_Translates'));
    expect(asCaptured.filter((id) => id.startsWith('https://scan.example.com/')), 'the other domain\'s Digital Links, as captured').to.not.deep.equal([]);
    expect((await exported('Always_QR')).status).to.equal(400);
  });

  it('traces the farm lot forward to every output of the transformation, and a pallet back to the farm', async () => {
    const forward = await trace('forward', `gtin=${WHEAT}&lot=W9`);
    expect(lots(forward)).to.deep.equal([`${BUNS}/#K1`, `${BUNS}/#K2`, `${FLOUR}/FL1`, `${WHEAT}/W9`].sort());
    const pallet = await trace('back', `code=${encodeURIComponent(elsewhere(ssccUri(PALLET)))}`);
    expect(lots(pallet)).to.deep.equal([`${BUNS}/#K1`, `${BUNS}/#K2`, `${WHEAT}/W9`].sort());
  });

  it('joins an item the ledger commissioned to its real lot when a capture names it', async () => {
    const OIL = withCheck('0695000000940');
    const CASE = withCheck('16950000000009998');
    expect((await as('farm-9', 'POST', '/v1/products', { gtin: OIL, name: 'Rapeseed oil', category: 'oil', unit: 'LTR', requiresTest: false })).status).to.equal(201);
    expect((await as('farm-9', 'POST', '/v1/lots', { gtin: OIL, lot: 'RO1', quantity: 10, unit: 'LTR', productionDate: '2026-06-01', origin: { gln: gln(91) } })).status).to.equal(201);
    expect((await as('farm-9', 'POST', `/v1/lots/${OIL}/RO1/items`, { serials: ['N1'] })).status).to.equal(201);
    await capture('farm-9', [
      { type: 'AggregationEvent', ...at(6), action: 'ADD', bizStep: 'packing', parentID: elsewhere(ssccUri(CASE)), childEPCs: [urn(itemUri(OIL, 'N1'))] },
      { type: 'ObjectEvent', ...at(7), action: 'OBSERVE', bizStep: 'shipping', epcList: [elsewhere(itemUri(OIL, 'N1'))],
        destinationList: [{ type: 'owning_party', destination: urn(partyUri(gln(92))) }] },
    ]);
    await indexed();
    const fromCase = await trace('back', `sscc=${CASE}`);
    expect(lots(fromCase)).to.deep.equal([`${OIL}/RO1`]);
    const forward = await trace('forward', `gtin=${OIL}&lot=RO1`);
    expect(forward.hops.map((h) => `${h.kind}:${h.lot.lot}:${h.to}`)).to.include(`ship:RO1:${gln(92)}`);
  });

  it('gives identical answers after the index is rebuilt from the ledger, and after a restart loads it from disk', async () => {
    const queries: Array<['back' | 'forward', string]> = [
      ['back', `code=${encodeURIComponent(urn(itemUri(BUNS, 'K1')))}`],
      ['forward', `gtin=${WHEAT}&lot=W9`],
      ['back', `sscc=${PALLET}`],
      ['forward', `gtin=${withCheck('0695000000940')}&lot=RO1`],
    ];
    const before = await Promise.all(queries.map(([d, q]) => trace(d, q)));
    await gw.index.rebuild(gw.ledger, 300);
    const rebuilt = await Promise.all(queries.map(([d, q]) => trace(d, q)));
    expect(rebuilt).to.deep.equal(before);
    await gw.close();
    gw = await startGateway(t.config);
    const reopened = await Promise.all(queries.map(([d, q]) => trace(d, q)));
    expect(reopened).to.deep.equal(before);
  });
});
