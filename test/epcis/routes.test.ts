/**
 * The EPCIS REST routes on a real Koa server (127.0.0.1, port 0) over the embedded ledger:
 * capture jobs, single events, queries with the standard's parameters and headers, paging by
 * Link header, answers valid against GS1's schema and ours, and hostile or unauthenticated
 * requests refused clearly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ZfcError } from '../../chaincode/errors';
import { EpcisContract } from '../../chaincode/epcis-contract';
import { canonicalIdentifier } from '../../chaincode/epcis-identifiers';
import { validateEpcisQueryDocument } from '../../chaincode/epcis-validate';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { epcisOpenApi } from '../../gateway-api/epcis-openapi';
import { createEpcisRouter } from '../../gateway-api/epcis-routes';
import { EpcisSubscriptions } from '../../gateway-api/epcis-subscriptions';
import { LedgerEventStore } from '../../gateway-api/epcis-store';
import { createCertificateAuthority, openEmbeddedLedger, type EmbeddedLedger, type Identity } from '../../ledger-tools';
import { documentOf, example, exampleNames, objectEvent, officialSchema } from './fixtures';
import { SeedContract } from './seed-contract';
import { serveRouterAs } from './serve-router';

/** The fields whose identifiers an answer writes as Digital Links by default (GS1-EPC-Format). */
const IDENTIFIER_FIELDS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList', 'parentID', 'quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList', 'readPoint', 'bizLocation', 'sourceList', 'destinationList', 'bizTransactionList', 'transformationID'];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function without(obj: Json, keys: string[]): Json {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

describe('EPCIS routes over HTTP', function () {
  this.timeout(120_000);
  let dir: string;
  let ledger: EmbeddedLedger;
  let alice: Identity;
  let server: Server;
  let base: string;

  const call = async (method: string, path: string, body?: unknown, auth = 'Bearer alice', headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(auth ? { authorization: auth } : {}), ...(body !== undefined ? { 'content-type': 'application/ld+json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
  };

  const settle = async (location: string): Promise<Json> => {
    for (let i = 0; i < 600; i++) {
      const job = await call('GET', location);
      if (!job.body['running']) return job.body;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('capture job did not finish');
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zfc-epcis-http-'));
    ledger = await openEmbeddedLedger({ dir, contracts: [EpcisContract, SeedContract] });
    const ca = await createCertificateAuthority('Org1MSP');
    alice = await ca.issue({ commonName: 'alice', organizationalUnit: 'client' });
    await ledger.submit('seed:Participant', [JSON.stringify({ id: 'P-ALICE', name: 'Alice Foods', role: 'retailer', status: 'active', identities: [] })], alice);
    ({ base, server } = await serveRouterAs(alice, { store: new LedgerEventStore(ledger) }));
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('captures every official example through POST /epcis/capture and queries each event back field by field', async () => {
    for (const name of exampleNames()) {
      const doc = example(name);
      const res = await call('POST', '/epcis/capture', doc);
      expect(res.status, name).to.equal(202);
      expect(res.headers.get('GS1-EPCIS-Version')).to.equal('2.0.0');
      const job = await settle(res.headers.get('location') ?? '');
      expect(job['success'], JSON.stringify(job['errors'])).to.equal(true);
      for (const event of doc['epcisBody'].eventList as Json[]) {
        if (typeof event['eventID'] !== 'string') continue;
        // as captured, when asked (GS1-EPC-Format: Never_Translates): field by field
        const got = await call('GET', `/epcis/events/${encodeURIComponent(event['eventID'])}`, undefined, 'Bearer alice', { 'GS1-EPC-Format': 'Never_Translates' });
        expect(got.status).to.equal(200);
        expect(got.headers.get('GS1-EPC-Format')).to.equal('Never_Translates');
        expect(officialSchema()(got.body), JSON.stringify(officialSchema().errors)).to.equal(true);
        validateEpcisQueryDocument(got.body);
        const answered = got.body['epcisBody'].queryResults.resultsBody.eventList[0] as Json;
        expect(without(answered, ['recordTime', '@context']), name).to.deep.equal(without(event, ['recordTime']));
        // by default, the standard's: every EPC, class, place and party as a canonical GS1 Digital Link, the rest as captured
        const dl = await call('GET', `/epcis/events/${encodeURIComponent(event['eventID'])}`);
        expect(dl.headers.get('GS1-EPC-Format')).to.equal('Always_GS1_Digital_Link');
        expect(officialSchema()(dl.body), JSON.stringify(officialSchema().errors)).to.equal(true);
        const linked = dl.body['epcisBody'].queryResults.resultsBody.eventList[0] as Json;
        expect(linked['epcList'] ?? [], name).to.deep.equal(((event['epcList'] as string[] | undefined) ?? []).map((e) => canonicalIdentifier(e, '')));
        expect((linked['readPoint'] as Json | undefined)?.['id'], name).to.equal((event['readPoint'] as Json | undefined)?.['id'] === undefined ? undefined : canonicalIdentifier(String((event['readPoint'] as Json)['id']), ''));
        expect(without(linked, [...IDENTIFIER_FIELDS, '@context']), name).to.deep.equal(without(answered, [...IDENTIFIER_FIELDS, '@context']));
      }
    }
  });

  it('writes EPCs as Digital Links by default: GS1\'s first example, by hand', async () => {
    const id = 'ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0';
    const got = await call('GET', `/epcis/events/${encodeURIComponent(id)}`);
    expect(got.status).to.equal(200);
    const e = got.body['epcisBody'].queryResults.resultsBody.eventList[0] as Json;
    expect(e['epcList']).to.deep.equal(['https://id.gs1.org/01/10614141073464/21/2017', 'https://id.gs1.org/01/10614141073464/21/2018']); // urn:epc:id:sgtin:0614141.107346.2017, .2018
    expect(e['readPoint']).to.deep.equal({ id: 'https://id.gs1.org/414/0614141073467/254/1234' }); // urn:epc:id:sgln:0614141.07346.1234
    expect(e['bizTransactionList']).to.deep.equal([{ type: 'po', bizTransaction: 'http://transaction.acme.com/po/12345678' }]); // not a GS1 key: as captured
  });

  it('answers the official examples by business transaction, source, destination, action and error declaration', async () => {
    const events = async (query: string): Promise<Json[]> => {
      const res = await call('GET', `/epcis/events?${query}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body['epcisBody'].queryResults.resultsBody.eventList as Json[];
    };
    const desadv = await events(`EQ_bizTransaction_desadv=${encodeURIComponent('urn:epcglobal:cbv:bt:0614141073467:1152')}`);
    expect(desadv).to.have.length(2); // Example 9.6.1's second event, in its URN and its Digital Link document
    for (const e of desadv) expect(e['bizTransactionList']).to.deep.include({ type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:1152' });
    // the examples name the GDTI by URN; asked by Digital Link
    const po = await events(`EQ_bizTransaction_po=${encodeURIComponent('https://id.gs1.org/253/06141410000121618034')}`);
    expect(po.map((e) => e['type']).sort()).to.deep.equal(['AggregationEvent', 'ObjectEvent', 'TransactionEvent', 'TransformationEvent']);
    expect(await events(`EQ_source_possessing_party=${encodeURIComponent('urn:epc:id:sgln:4012345.00001.0')}&EQ_destination_location=${encodeURIComponent('https://id.gs1.org/414/0614141007776')}`)).to.have.length(2);
    const declared = await events('EXISTS_errorDeclaration&EQ_action=ADD');
    expect(declared.map((e) => e['type']).sort()).to.deep.equal(['ObjectEvent', 'TransactionEvent']);
    for (const e of declared) expect(e['errorDeclaration']).to.have.property('reason', 'incorrect_data');
    expect(await events('EQ_errorReason=did_not_occur')).to.deep.equal([]);
    const refused = await call('GET', '/epcis/events?EQ_bizTransaction_purchase=urn%3Ax%3A1');
    expect(refused.status).to.equal(400);
    expect(refused.body['error'].details.errors[0].path).to.equal('/query/EQ_bizTransaction_purchase');
  });

  it('speaks EPCIS and CBV 2.0.0, says so on every answer, and refuses a request for another version with 406', async () => {
    const get = (headers: Record<string, string>) => fetch(`${base}/epcis/events?perPage=1`, { headers: { authorization: 'Bearer alice', ...headers } });
    for (const ok of [{ 'GS1-EPCIS-Version': '2.0.0' }, { 'GS1-EPCIS-Version': '2.0' }, { 'GS1-EPCIS-Min': '1.2.0', 'GS1-EPCIS-Max': '2.1.0' }, { 'GS1-CBV-Version': '2.0.0' }]) {
      expect((await get(ok)).status, JSON.stringify(ok)).to.equal(200);
    }
    for (const [headers, header] of [[{ 'GS1-EPCIS-Version': '1.2' }, 'GS1-EPCIS-Version'], [{ 'GS1-EPCIS-Min': '2.0.1' }, 'GS1-EPCIS-Min'], [{ 'GS1-EPCIS-Max': '1.2.0' }, 'GS1-EPCIS-Max'], [{ 'GS1-CBV-Version': '2.1.0' }, 'GS1-CBV-Version']] as const) {
      const res = await get(headers);
      expect(res.status, JSON.stringify(headers)).to.equal(406);
      const body = (await res.json()) as Json;
      expect(body['error']).to.deep.include({ code: 'NOT_ACCEPTABLE' });
      expect(body['error'].details.header).to.equal(header);
      expect(res.headers.get('GS1-EPCIS-Max'), 'a refusal says what is spoken').to.equal('2.0.0');
    }
    expect((await get({ 'GS1-EPCIS-Version': 'two' })).status).to.equal(400);
    // the root says what is served (no named queries on this router: it has no subscriptions)
    const root = await call('GET', '/epcis');
    expect(root.body).to.deep.include({ type: 'Collection' });
    expect(root.body['member']).to.deep.equal(['capture', 'events', 'eventTypes', 'bizSteps', 'dispositions', 'epcs', 'readPoints', 'bizLocations']);
  });

  it('answers GET /epcis/events as an EPCISQueryDocument with the standard headers', async () => {
    const res = await call('GET', '/epcis/events?eventType=AggregationEvent');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/application\/ld\+json/);
    expect(res.headers.get('GS1-CBV-Version')).to.equal('2.0.0');
    expect(res.body['type']).to.equal('EPCISQueryDocument');
    expect(officialSchema()(res.body)).to.equal(true);
    const events = res.body['epcisBody'].queryResults.resultsBody.eventList as Json[];
    expect(events.length).to.be.greaterThan(0);
    for (const e of events) expect(e['type']).to.equal('AggregationEvent');
  });

  it('traces one item across URN and Digital Link events, by MATCH_epc and /epcis/epcs/{epc}/events', async () => {
    const doc = documentOf([
      objectEvent(0, { epcList: ['urn:epc:id:sgtin:0614141.107346.T1'], bizStep: 'shipping', eventTime: '2026-05-01T00:00:00Z' }),
      objectEvent(1, { epcList: ['https://retail.example.cn/01/10614141073464/21/T1'], bizStep: 'receiving', eventTime: '2026-05-02T00:00:00Z' }),
      { type: 'AggregationEvent', action: 'ADD', eventTime: '2026-05-03T00:00:00Z', eventTimeZoneOffset: '+08:00', bizStep: 'packing', parentID: 'urn:epc:id:sscc:0614141.7777777777', childEPCs: ['https://id.gs1.org/01/10614141073464/21/T1'] },
    ]);
    const job = await settle((await call('POST', '/epcis/capture', doc)).headers.get('location') ?? '');
    expect(job['success']).to.equal(true);
    const byUrn = await call('GET', `/epcis/events?MATCH_epc=${encodeURIComponent('urn:epc:id:sgtin:0614141.107346.T1')}`);
    expect((byUrn.body['epcisBody'].queryResults.resultsBody.eventList as Json[]).map((e) => e['bizStep'])).to.deep.equal(['shipping', 'receiving', 'packing']);
    const byDl = await call('GET', `/epcis/epcs/${encodeURIComponent('https://id.gs1.org/01/10614141073464/21/T1')}/events`);
    expect((byDl.body['epcisBody'].queryResults.resultsBody.eventList as Json[]).map((e) => e['bizStep'])).to.deep.equal(['shipping', 'receiving', 'packing']);
    const byParent = await call('GET', `/epcis/events?MATCH_parentID=${encodeURIComponent('urn:epc:id:sscc:0614141.7777777777')}`);
    expect(byParent.body['epcisBody'].queryResults.resultsBody.eventList).to.have.length(1);
    const window = await call('GET', '/epcis/events?EQ_bizStep=receiving,packing&GE_eventTime=2026-05-02T00:00:00Z&LT_eventTime=2026-05-03T00:00:00Z');
    expect((window.body['epcisBody'].queryResults.resultsBody.eventList as Json[]).map((e) => e['bizStep'])).to.deep.equal(['receiving']);
  });

  it('pages with perPage and a Link header until every event was seen once', async () => {
    const doc = documentOf(Array.from({ length: 5 }, (_, i) => objectEvent(200 + i, { bizStep: 'cycle_counting' })));
    await settle((await call('POST', '/epcis/capture', doc)).headers.get('location') ?? '');
    let path: string | undefined = '/epcis/events?EQ_bizStep=cycle_counting&perPage=2';
    const ids: string[] = [];
    while (path) {
      const res = await call('GET', path);
      ids.push(...(res.body['epcisBody'].queryResults.resultsBody.eventList as Json[]).map((e) => String(e['eventID'])));
      path = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    expect(ids).to.have.length(5);
    expect(new Set(ids).size).to.equal(5);
  });

  it('POST /epcis/events: 201 with Location, 200 for the same event again', async () => {
    const event = { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.org/ext/' }], ...objectEvent(300, { 'ex:temperature': { 'ex:celsius': 4 } }) };
    const first = await call('POST', '/epcis/events', event);
    expect(first.status).to.equal(201);
    const location = first.headers.get('location') ?? '';
    expect(location).to.match(/^\/epcis\/events\/ni%3A%2F%2F%2Fsha-256%3B/);
    const again = await call('POST', '/epcis/events', event);
    expect(again.status).to.equal(200);
    const got = await call('GET', location);
    expect(got.body['@context']).to.deep.include({ ex: 'https://example.org/ext/' });
    expect(got.body['epcisBody'].queryResults.resultsBody.eventList[0]['ex:temperature']).to.deep.equal({ 'ex:celsius': 4 });
  });

  it('reports a capture refused by the ledger\'s rules in the job: which event and why', async () => {
    await ledger.submit('seed:Product', [JSON.stringify({ gtin: '04012345123456', name: 'Rice' })], alice);
    await ledger.submit('seed:Lot', [JSON.stringify({ gtin: '04012345123456', lot: 'HTTP-RC', status: 'recalled', recall: { recallId: 'R-9' } })], alice);
    const doc = documentOf([objectEvent(400), objectEvent(401, { bizStep: 'retail_selling', quantityList: [{ epcClass: 'https://id.gs1.org/01/04012345123456/10/HTTP-RC', quantity: 1, uom: 'EA' }] })]);
    const job = await settle((await call('POST', '/epcis/capture', doc)).headers.get('location') ?? '');
    expect(job['success']).to.equal(false);
    expect(job['errors']).to.have.length(1);
    expect(job['errors'][0]).to.include({ code: 'LOT_RECALLED', path: '/epcisBody/eventList/1' });
    const none = await call('GET', `/epcis/events?MATCH_epc=${encodeURIComponent('urn:epc:id:sgtin:0614141.107346.401')}`);
    expect(none.body['epcisBody'].queryResults.resultsBody.eventList).to.deep.equal([]);
  });

  it('refuses hostile and malformed requests clearly', async () => {
    const invalid = await call('POST', '/epcis/capture', documentOf([objectEvent(0, { action: 'FLY' })]));
    expect(invalid.status).to.equal(400);
    expect(invalid.body['error'].details.errors[0]).to.deep.equal({ path: '/epcisBody/eventList/0/action', message: 'must be one of OBSERVE, ADD, DELETE' });
    const tooMany = await call('POST', '/epcis/capture', documentOf(Array.from({ length: 10_001 }, (_, i) => objectEvent(i))));
    expect(tooMany.status).to.equal(413);
    expect(tooMany.body['error'].code).to.equal('PAYLOAD_TOO_LARGE');
    const unknown = await fetch(`${base}/epcis/capture`, { method: 'POST', headers: { authorization: 'Bearer alice', 'content-type': 'application/json', 'GS1-Capture-Error-Behaviour': 'greedy' }, body: JSON.stringify(documentOf([objectEvent(0)])) });
    expect(unknown.status).to.equal(400);
    expect((await call('POST', '/epcis/capture', '{"type":')).status).to.equal(400);
    expect((await call('GET', '/epcis/events?colour=red')).body['error'].details.errors[0].path).to.equal('/query/colour');
    expect((await call('GET', '/epcis/events?GE_eventTime=yesterday')).status).to.equal(400);
    expect((await call('GET', '/epcis/events?perPage=100000')).status).to.equal(400);
    expect((await call('GET', `/epcis/events?MATCH_epc=${encodeURIComponent('https://id.gs1.org/01/10614141073465/21/1')}`)).status).to.equal(400);
    expect((await call('GET', '/epcis/events/urn%3Auuid%3Anope')).status).to.equal(404);
    expect((await call('GET', '/epcis/capture/nope')).status).to.equal(404);
    expect((await call('GET', '/epcis/events', undefined, '')).status).to.equal(401);
    // a store without an index of identifiers (the contract's) lists vocabularies, not identifiers
    const epcs = await call('GET', '/epcis/epcs');
    expect(epcs.status).to.equal(501);
    expect(epcs.body['error'].code).to.equal('NOT_IMPLEMENTED');
    expect((await call('GET', '/epcis/dispositions')).body['member']).to.include('recalled');
    expect((await call('GET', '/epcis/dispositions', undefined, '')).status).to.equal(401);
    // nor does it keep events in time order
    expect((await call('GET', '/epcis/events?orderBy=eventTime')).body['error'].code).to.equal('NOT_IMPLEMENTED');
    // a page token holds nothing to release: the binding's optional DELETE says so (501), to a caller it knows
    const release = await call('DELETE', '/epcis/nextPageToken/abc');
    expect(release.status).to.equal(501);
    expect(release.body).to.include({ type: 'epcisException:ImplementationException' });
    expect((await call('DELETE', '/epcis/nextPageToken/abc', undefined, '')).status).to.equal(401);
  });
});

describe('EPCIS routes in OpenAPI', () => {
  it('documents every route the router serves, and nothing else', () => {
    const router = createEpcisRouter({
      store: {} as never,
      identityOf: () => {
        throw new ZfcError('UNAUTHENTICATED');
      },
      subscriptions: new EpcisSubscriptions({ source: { listen: () => () => undefined } }),
    });
    const served = new Set<string>();
    let discovery = 0;
    for (const layer of router.stack) {
      const path = String(layer.path).replace(/:([A-Za-z]+)/g, '{$1}');
      if (layer.methods.length === 1 && layer.methods[0] === 'OPTIONS') {
        discovery++; // OPTIONS on every resource: one catch-all route
        continue;
      }
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) served.add(`${method} ${path}`);
    }
    expect(discovery, 'the discovery routes').to.equal(2);
    for (const entry of [...served]) served.add(`OPTIONS ${entry.slice(entry.indexOf(' ') + 1)}`);
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(epcisOpenApi().paths)) for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`);
    expect([...documented].sort()).to.deep.equal([...served].sort());
  });

  it('carries the project\'s EPCIS schemas, which compile together', () => {
    const { schemas } = epcisOpenApi();
    const ajv = new Ajv({ strict: false, discriminator: true });
    addFormats(ajv);
    for (const s of Object.values(schemas)) ajv.addSchema(s as object);
    const validate = ajv.getSchema(String((schemas['EPCISDocument'] as { $id: string }).$id));
    expect(validate?.(example('Example_9.6.1-ObjectEvent.jsonld'))).to.equal(true);
  });
});
