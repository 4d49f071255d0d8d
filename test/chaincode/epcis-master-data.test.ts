/**
 * The `epcis` contract records the master data a captured document's header declares: each
 * vocabulary element per declaring participant, its identifier and children canonical (URN and
 * Digital Link alike), a participant's later declaration in place of its own earlier one and
 * never of another's; a malformed or repeated element refuses the capture. Read back as the
 * gateway's followers read it: from the capture's chaincode event and its transaction's writes.
 */
import { expect } from 'chai';
import { glnUri, toEpcUrn } from '../../chaincode/digital-link';
import { decodeEpcisCaptured } from '../../chaincode/epcis-capture';
import { masterDataKey, type MasterDataRecord } from '../../chaincode/epcis-master-data';
import { actor, expectCode, openWorld, type World } from './support';
import { buildChain } from './chain';

type Json = Record<string, unknown>;
const BIZ_LOCATION = 'urn:epcglobal:epcis:vtype:BusinessLocation';

describe('chaincode: EPCIS master data in a captured document\'s header', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    await buildChain(w);
  });
  after(async () => w?.close());

  const documentOf = (elements: Json[], events: Json[] = []): Json => ({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-02T00:00:00Z',
    epcisHeader: { epcisMasterData: { vocabularyList: [{ type: BIZ_LOCATION, vocabularyElementList: elements }] } },
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
});
