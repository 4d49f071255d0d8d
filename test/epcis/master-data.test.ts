/**
 * Master data captured in a document's header (the REST binding: "EPCIS master data can be
 * captured in the header (`epcisHeader`) of an EPCISDocument"), and the queries that read it:
 * WD_bizLocation / WD_readPoint (a location or any direct or indirect descendant), HASATTR_ and
 * EQ_ATTR_. A shop declares its site's dock and shelves; a distribution centre's event at the
 * shop's dock is inside the shop's site by the shop's declaration; another participant's
 * declaration that its own yard is inside the shop's site, or of another name for the shop's
 * dock, changes no answer; a location of no participant's GLN is described by the recorder's own
 * declarations. Vocabulary may also come alone, in an XML EPCISMasterDataDocument. Real gateway,
 * real HTTP, and again after a restart rebuilds the store.
 */
import { expect } from 'chai';
import { glnUri, toEpcUrn } from '../../chaincode/digital-link';
import { epcisDocumentFromXml } from '../../gateway-api/epcis-xml';
import { startGateway } from '../../gateway-api/server';
import { gln, removeDir, startTestGateway, type TestGateway } from '../gateway/support';
import { ApiClient } from './api-client';
import { startCallbackReceiver, type CallbackReceiver } from './callback-receiver';
import { documentOf, objectEvent } from './fixtures';

type Json = Record<string, unknown>;
const BIZ_LOCATION = 'urn:epcglobal:epcis:vtype:BusinessLocation';
const READ_POINT = 'urn:epcglobal:epcis:vtype:ReadPoint';
const NAME = 'urn:epcglobal:cbv:mda#name';

const SHOP = gln(301);
const DC = gln(302);
const ROGUE = gln(303);
/** The shop's site and its places, as canonical Digital Links. */
const SITE = glnUri(SHOP);
const DOCK = glnUri(SHOP, 'dock1');
const SHELF = glnUri(SHOP, 'shelfA');
const SHELF_1 = glnUri(SHOP, 'shelfA1');
const DOOR = glnUri(SHOP, 'door-rp');
const ROGUE_YARD = glnUri(ROGUE, 'yard');
/** Locations of no participant's GLN. */
const YARD = 'https://example.org/loc/yard';
const BAY = 'https://example.org/loc/yard/bay-3';

const element = (id: string, children?: string[], name?: string): Json => ({
  id, ...(children ? { children } : {}), ...(name !== undefined ? { attributes: [{ id: NAME, attribute: name }] } : {}),
});
const withMasterData = (events: Json[], vocabularies: Array<[string, Json[]]>): Json => ({
  ...documentOf(events),
  epcisHeader: { epcisMasterData: { vocabularyList: vocabularies.map(([type, list]) => ({ type, vocabularyElementList: list })) } },
});
const at = (n: number, bizLocation: string, readPoint?: string): Json =>
  objectEvent(n, { eventID: `urn:uuid:3a57e2d0-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`, bizLocation: { id: bizLocation }, ...(readPoint ? { readPoint: { id: readPoint } } : { readPoint: undefined }) });

describe('EPCIS master data: locations declared in the header, and the queries that read them', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let gw: TestGateway['gw'];
  const api = new ApiClient(() => gw.url);
  /** The numbers of the events a query as the regulator answers (each event's eventID ends in its number). */
  const numbers = async (query: Record<string, string>): Promise<number[]> => {
    const r = await api.as('samr', 'GET', `/epcis/events?${new URLSearchParams(query).toString()}`);
    expect(r.status, r.text).to.equal(200);
    return (r.body.epcisBody.queryResults.resultsBody.eventList as Json[]).map((e) => Number(String(e['eventID']).slice(-2))).sort((a, b) => a - b);
  };

  before(async () => {
    t = await startTestGateway(undefined, { EPCIS_HTTP_CALLBACK_HOSTS: '127.0.0.1' });
    gw = t.gw;
    api.keys['samr'] = t.regulatorKey;
    await api.register('samr', [
      { id: 'shop-1', name: 'Shop', role: 'retailer', licence: 'JY-301', gln: SHOP },
      { id: 'dc-1', name: 'Distribution Centre', role: 'distributor', licence: 'JY-302', gln: DC },
      { id: 'rogue-1', name: 'Rogue Trader', role: 'distributor', licence: 'JY-303', gln: ROGUE },
    ]);
    // the shop: its site holds the dock and shelf A, shelf A holds shelf A1 (URN and Digital Link forms mixed); its door is a read point of the site
    const shop = await api.captureDocument('shop-1', withMasterData([at(1, DOCK, DOOR), at(2, toEpcUrn(SHELF_1, 7), SHELF_1)], [
      [BIZ_LOCATION, [element(toEpcUrn(SITE, 7), [toEpcUrn(DOCK, 7), SHELF], 'Shop, Xuhui'), element(SHELF, [SHELF_1]), element(DOCK, undefined, 'Dock 1'), element(SHELF_1, undefined, 'Shelf A1')]],
      [READ_POINT, [element(SITE, [DOOR])]],
    ]));
    expect(shop).to.deep.include({ success: true, captured: 2, masterDataElements: 5 });
    // the distribution centre unloads at the shop's dock, and declares its own yard (no participant's GLN)
    await api.captureOk('dc-1', [at(3, DOCK)]);
    await api.captureDocument('dc-1', withMasterData([at(5, BAY)], [[BIZ_LOCATION, [element(YARD, [BAY])]]]));
    // the rogue declares its yard inside the shop's site, and other names for the shop's site and dock, then records at its yard
    await api.captureDocument('rogue-1', withMasterData([at(4, ROGUE_YARD)], [[BIZ_LOCATION, [element(SITE, [ROGUE_YARD], 'Rogue Site'), element(DOCK, undefined, 'Rogue Dock'), element(ROGUE_YARD, undefined, 'Dock 1')]]]));
    // the shop records at the bay of the DC's yard, which the shop never declared
    await api.captureOk('shop-1', [at(6, BAY)]);
  });

  after(async () => {
    await gw.close();
    await removeDir(t.dir);
  });

  const expectAnswers = async (): Promise<void> => {
    expect(await numbers({ WD_bizLocation: toEpcUrn(SITE, 7) }), 'within the site, by its owner\'s declarations only').to.deep.equal([1, 2, 3]);
    expect(await numbers({ EQ_bizLocation: SITE }), 'at the site itself').to.deep.equal([]);
    expect(await numbers({ WD_bizLocation: SHELF }), 'within shelf A').to.deep.equal([2]);
    expect(await numbers({ WD_bizLocation: `${SHELF}|${YARD}` }), 'a list: within either').to.deep.equal([2, 5]);
    expect(await numbers({ WD_readPoint: SITE }), 'read points have their own vocabulary').to.deep.equal([1]);
    expect(await numbers({ WD_bizLocation: YARD }), 'no owner: the recorder\'s own declarations').to.deep.equal([5]);
    expect(await numbers({ HASATTR_bizLocation: NAME }), 'named by their owners').to.deep.equal([1, 2, 3, 4]);
    expect(await numbers({ [`EQ_ATTR_bizLocation_${NAME}`]: 'Dock 1' }), 'the dock (its owner\'s name) and the rogue\'s own yard').to.deep.equal([1, 3, 4]);
    expect(await numbers({ [`EQ_ATTR_bizLocation_${NAME}`]: 'Rogue Dock' })).to.deep.equal([]);
    expect(await numbers({ [`EQ_ATTR_bizLocation_${NAME}`]: 'Shelf A1|Shop, Xuhui', WD_bizLocation: SITE })).to.deep.equal([2]);
  };

  it('answers WD_, HASATTR_ and EQ_ATTR_ by the owner\'s declarations (the recorder\'s for a location of no participant\'s GLN)', async () => {
    await expectAnswers();
  });

  it('answers the same after a restart rebuilds the event store from the ledger', async () => {
    await gw.close();
    gw = await startGateway(t.config);
    await expectAnswers();
  });

  it('takes a participant\'s later declaration of an element in place of its earlier one', async () => {
    const job = await api.captureDocument('shop-1', withMasterData([], [[BIZ_LOCATION, [element(SHELF)]]]));
    expect(job).to.deep.include({ success: true, captured: 0, masterDataElements: 1 });
    expect(await numbers({ WD_bizLocation: SITE }), 'shelf A1 is no longer inside shelf A').to.deep.equal([1, 3]);
    expect(await numbers({ WD_bizLocation: SHELF })).to.deep.equal([]);
  });

  it('delivers to a subscription of a site what is recorded anywhere within it, by the master data known when each event is matched', async () => {
    const callback: CallbackReceiver = await startCallbackReceiver('/site');
    try {
      expect((await api.as('shop-1', 'POST', '/epcis/queries', { name: 'my-site', query: { WD_bizLocation: SITE } })).status).to.equal(201);
      const sub = await api.as('shop-1', 'POST', '/epcis/queries/my-site/subscriptions', { dest: callback.url, signatureToken: 'token-of-32-characters-or-more-0001', stream: true });
      expect(sub.status, sub.text).to.equal(201);
      // a new shelf, declared with its first event: the declaration is applied before the event is matched
      const shelfB = glnUri(SHOP, 'shelfB');
      await api.captureDocument('shop-1', withMasterData([at(8, shelfB), at(9, ROGUE_YARD)], [[BIZ_LOCATION, [element(SITE, [DOCK, SHELF, shelfB])]]]));
      await api.captureOk('rogue-1', [at(10, ROGUE_YARD)]);
      await api.captureOk('shop-1', [at(11, DOCK)]);
      for (let i = 0; i < 200 && callback.deliveries.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 200)); // time for a wrong delivery (the rogue's yard) to arrive
      const delivered = callback.deliveries.flatMap((d) => (JSON.parse(d.body).epcisBody.queryResults.resultsBody.eventList as Json[]).map((e) => Number(String(e['eventID']).slice(-2))));
      expect(delivered.sort((a, b) => a - b)).to.deep.equal([8, 11]);
    } finally {
      await callback.close();
    }
  });

  it('takes vocabulary alone in an EPCISMasterDataDocument (XML), recorded as a header\'s would be', async () => {
    const ORCHARD = 'https://example.org/loc/orchard';
    const ROW = `${ORCHARD}/row-7`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<epcismd:EPCISMasterDataDocument xmlns:epcismd="urn:epcglobal:epcis-masterdata:xsd:1" schemaVersion="1.2" creationDate="2026-05-01T08:00:00Z">
  <EPCISBody><VocabularyList>
    <Vocabulary type="${BIZ_LOCATION}"><VocabularyElementList>
      <VocabularyElement id="${ORCHARD}">
        <attribute id="https://example.org/mda/address"><ex:Address xmlns:ex="https://example.org/ns"><Street>1 Orchard Road</Street></ex:Address></attribute>
        <children><id>${ROW}</id></children>
      </VocabularyElement>
    </VocabularyElementList></Vocabulary>
  </VocabularyList></EPCISBody>
</epcismd:EPCISMasterDataDocument>`;
    const read = epcisDocumentFromXml(xml);
    const address = { id: 'https://example.org/mda/address', attribute: { 'ex:Address': { 'ex:Street': '1 Orchard Road' } } }; // the attribute's id names it: no part of its value
    expect(read['epcisHeader']).to.deep.equal({ epcisMasterData: { vocabularyList: [{ type: BIZ_LOCATION, vocabularyElementList: [{ id: ORCHARD, attributes: [address], children: [ROW] }] }] } });
    expect(read['@context']).to.deep.equal(['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.org/ns' }]);
    expect(read['epcisBody']).to.deep.equal({ eventList: [] });
    expect(await api.captureDocument('dc-1', xml, 'application/xml')).to.deep.include({ success: true, eventCount: 0, captured: 0, masterDataElements: 1 });
    await api.captureOk('dc-1', [at(21, ROW)]);
    expect(await numbers({ WD_bizLocation: ORCHARD }), 'within the orchard, by the master data document alone').to.deep.equal([21]);
  });

  it('refuses a document with a malformed or repeated element (the job names it), and an attribute field it keeps none of', async () => {
    // as a malformed identifier in an event, judged where identifiers are made canonical: the job fails, naming the field
    const pathOf = (job: Json): unknown => (job['errors'] as Array<{ path?: string }>)[0]?.path;
    const bad = await api.captureDocument('shop-1', withMasterData([at(7, DOCK)], [[BIZ_LOCATION, [element('urn:epc:id:sgln:0614141.07346')]]]));
    expect(bad['success'], JSON.stringify(bad)).to.equal(false);
    expect(pathOf(bad), JSON.stringify(bad)).to.equal('/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/0/id');
    const twice = await api.captureDocument('shop-1', withMasterData([at(7, DOCK)], [[BIZ_LOCATION, [element(DOCK), element(toEpcUrn(DOCK, 7))]]]));
    expect(twice['success'], JSON.stringify(twice)).to.equal(false);
    expect(pathOf(twice), JSON.stringify(twice)).to.equal('/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/1/id');
    expect(await numbers({ EQ_eventID: 'urn:uuid:3a57e2d0-0000-4000-8000-000000000007' }), 'nothing of either was captured').to.deep.equal([]);
    const field = await api.as('samr', 'GET', '/epcis/events?EQ_ATTR_epcClass_x=1');
    expect(field.status, field.text).to.equal(400);
    expect(field.body.error.details.errors[0].path).to.equal('/query/EQ_ATTR_epcClass_x');
  });
});
