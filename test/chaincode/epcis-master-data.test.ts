/**
 * The `epcis` contract records the master data a captured document's header declares: each
 * vocabulary element per declaring participant, its identifier and children canonical (URN and
 * Digital Link alike), a participant's later declaration in place of its own earlier one and
 * never of another's; a malformed or repeated element refuses the capture. Read back as the
 * gateway's followers read it: from the capture's chaincode event and its transaction's writes.
 * The contract's own QueryEvents answers the master data conditions (WD_, HASATTR_, EQ_ATTR_)
 * from world state, believing a location's owner (else the recorder) as the gateway's store does.
 */
import { expect } from 'chai';
import { glnUri, toEpcUrn } from '../../chaincode/digital-link';
import { decodeEpcisCaptured } from '../../chaincode/epcis-capture';
import { masterDataKey, type MasterDataRecord } from '../../chaincode/epcis-master-data';
import { actor, expectCode, openWorld, type World } from './support';
import { buildChain } from './chain';

type Json = Record<string, unknown>;
const BIZ_LOCATION = 'urn:epcglobal:epcis:vtype:BusinessLocation';
const READ_POINT = 'urn:epcglobal:epcis:vtype:ReadPoint';
const NAME = 'urn:epcglobal:cbv:mda#name';

describe('chaincode: EPCIS master data in a captured document\'s header', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    await buildChain(w);
  });
  after(async () => w?.close());

  const documentOf = (elements: Json[], events: Json[] = [], readPoints: Json[] = []): Json => ({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-02T00:00:00Z',
    epcisHeader: { epcisMasterData: { vocabularyList: [{ type: BIZ_LOCATION, vocabularyElementList: elements }, ...(readPoints.length > 0 ? [{ type: READ_POINT, vocabularyElementList: readPoints }] : [])] } },
    epcisBody: { eventList: events },
  });
  /** Captures as `who`; returns the master data its followers read (the chaincode event and the writes), and its writes' keys. */
  async function capture(who: string, document: Json): Promise<{ records: MasterDataRecord[]; keys: string[]; count?: number }> {
    const result = await w.submit<{ txId: string; masterDataElements?: number }>('epcis:CaptureEvents', document, actor(w, who));
    const ac = new AbortController();
    try {
      for await (const e of w.ledger.events({ signal: ac.signal })) {
        if (e.txId !== result.txId) continue;
        const decoded = decodeEpcisCaptured(e.payload, e.writes);
        return { records: [...(decoded?.body.masterData ?? [])], keys: (e.writes ?? []).map((x) => x.key), ...(result.masterDataElements !== undefined ? { count: result.masterDataElements } : {}) };
      }
    } finally {
      ac.abort();
    }
    throw new Error(`no event of ${result.txId}`);
  }

  it('records each element per declaring participant, identifiers canonical, and a later declaration in place of the participant\'s own', async () => {
    const site = glnUri(actor(w, 'shop').gln);
    const dock = glnUri(actor(w, 'shop').gln, 'dock1');
    const first = await capture('shop', documentOf([{ id: toEpcUrn(site, 7), children: [toEpcUrn(dock, 7), dock], attributes: [{ id: 'urn:epcglobal:cbv:mda#name', attribute: 'Shop' }] }]));
    expect(first.count).to.equal(1);
    expect(first.records).to.have.length(1);
    expect(first.records[0]).to.deep.include({ type: BIZ_LOCATION, id: site, children: [dock], declaredBy: 'shop', attributes: [{ id: 'urn:epcglobal:cbv:mda#name', attribute: 'Shop' }] });
    expect(first.keys).to.include(masterDataKey(BIZ_LOCATION, site, 'shop'));
    // another participant's declaration of the same element is its own key; the shop's again replaces the shop's
    const other = await capture('dist', documentOf([{ id: site, children: [] }]));
    expect(other.keys).to.include(masterDataKey(BIZ_LOCATION, site, 'dist'));
    expect(other.keys).to.not.include(masterDataKey(BIZ_LOCATION, site, 'shop'));
    const again = await capture('shop', documentOf([{ id: site }]));
    expect(again.keys).to.include(masterDataKey(BIZ_LOCATION, site, 'shop'));
    expect(again.records[0]).to.not.have.property('children');
  });

  it('refuses a malformed or repeated element, naming it, and writes nothing', async () => {
    const height = await w.ledger.height();
    const malformed = await expectCode(w.submit('epcis:CaptureEvents', documentOf([{ id: 'urn:epc:id:sgln:0614141.07346' }]), actor(w, 'shop')), 'INVALID_ARGUMENT');
    expect(malformed.details['errors']).to.have.nested.property('[0].path', '/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/0/id');
    const site = glnUri(actor(w, 'shop').gln);
    const twice = await expectCode(w.submit('epcis:CaptureEventsProceeding', documentOf([{ id: site }, { id: toEpcUrn(site, 7) }]), actor(w, 'shop')), 'INVALID_ARGUMENT');
    expect(twice.details['errors']).to.have.nested.property('[0].path', '/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/1/id');
    expect(await w.ledger.height()).to.equal(height);
  });

  it('answers WD_ and the ATTR_ conditions in QueryEvents by the owner\'s declarations, else the recorder\'s', async () => {
    const shop = actor(w, 'shop');
    const dist = actor(w, 'dist');
    const site = glnUri(shop.gln, 'q-site');
    const dock = glnUri(shop.gln, 'q-dock');
    const shelf = glnUri(shop.gln, 'q-shelf');
    const shelf1 = glnUri(shop.gln, 'q-shelf1');
    const door = glnUri(shop.gln, 'q-door');
    const distYard = glnUri(dist.gln, 'q-yard');
    // locations of no participant's GLN: described by the recorder's own declarations
    const yard = 'https://example.org/loc/q-yard';
    const bay = 'https://example.org/loc/q-yard/bay-3';
    const at = (n: number, bizLocation: string, readPoint?: string): Json => ({
      type: 'ObjectEvent', eventID: `urn:uuid:6f1f0000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`, eventTime: '2026-03-02T10:00:00Z', eventTimeZoneOffset: '+08:00',
      action: 'OBSERVE', epcList: [`urn:epc:id:sgtin:0614141.107346.MDQ${n}`], bizStep: 'inspecting', bizLocation: { id: bizLocation }, ...(readPoint ? { readPoint: { id: readPoint } } : {}),
    });
    const named = (id: string, name: string, children?: string[]): Json => ({ id, ...(children ? { children } : {}), attributes: [{ id: NAME, attribute: name }] });
    // the shop: its site holds the dock and the shelf (the dock in URN form), the shelf holds shelf 1; the site's door is a read point of it
    await capture('shop', documentOf([named(site, 'Shop Q', [toEpcUrn(dock, 7), shelf]), { id: shelf, children: [shelf1] }, named(dock, 'Dock Q')], [at(1, dock, door), at(2, shelf1)], [{ id: site, children: [door] }]));
    // the distributor puts its own yard inside the shop's site and renames the shop's dock (believed by no one), and declares an ownerless yard
    await capture('dist', documentOf([{ id: site, children: [distYard] }, named(dock, 'Not the dock'), { id: yard, children: [bay] }], [at(3, dock), at(4, distYard), at(5, bay)]));
    await capture('shop', documentOf([], [at(6, bay)]));
    const numbers = async (plan: Json): Promise<number[]> => {
      const bytes = await w.ledger.evaluate('epcis:QueryEvents', [JSON.stringify({ perPage: 100, ...plan }), ''], actor(w, 'samr').identity);
      const page = JSON.parse(Buffer.from(bytes).toString('utf8')) as { events: Array<{ eventID: string }>; nextPageToken: string };
      expect(page.nextPageToken).to.equal('');
      return page.events.map((e) => e.eventID).filter((id) => id.startsWith('urn:uuid:6f1f0000-')).map((id) => Number(id.slice(-2))).sort((a, b) => a - b);
    };
    expect(await numbers({ bizLocationsWithin: [site] })).to.deep.equal([1, 2, 3]);
    expect(await numbers({ bizLocationsWithin: [shelf] })).to.deep.equal([2]);
    expect(await numbers({ readPointsWithin: [site] })).to.deep.equal([1]);
    expect(await numbers({ bizLocationsWithin: [yard] })).to.deep.equal([5]);
    expect(await numbers({ attributes: [{ field: 'bizLocation', names: [NAME] }] })).to.deep.equal([1, 3]);
    expect(await numbers({ attributes: [{ field: 'bizLocation', names: [NAME], values: ['Dock Q'] }] })).to.deep.equal([1, 3]);
    expect(await numbers({ attributes: [{ field: 'bizLocation', names: [NAME], values: ['Not the dock'] }] })).to.deep.equal([]);
    // with other conditions, and by eventID
    expect(await numbers({ bizLocationsWithin: [site], attributes: [{ field: 'bizLocation', names: [NAME] }] })).to.deep.equal([1, 3]);
    expect(await numbers({ eventIDs: ['urn:uuid:6f1f0000-0000-4000-8000-000000000002', 'urn:uuid:6f1f0000-0000-4000-8000-000000000004'], bizLocationsWithin: [site] })).to.deep.equal([2]);
  });
});
