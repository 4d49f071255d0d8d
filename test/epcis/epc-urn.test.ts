/**
 * Answers in EPC URN form (`GS1-EPC-Format: Always_EPC_URN`). A URN puts a dot after the GS1
 * company prefix, whose length a Digital Link does not carry: the gateway takes it from GS1's
 * company prefix table (EPCIS_GCP_TABLE) or from any identifier of that company captured as a URN,
 * and refuses (406) an identifier whose length it knows from neither. Real gateway, real HTTP,
 * and again after a restart rebuilds what it learnt from the ledger.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { glnUri } from '../../chaincode/digital-link';
import { canonicalIdentifier } from '../../chaincode/epcis-identifiers';
import { ZfcError } from '../../chaincode/errors';
import { CompanyPrefixes, parsePrefixTable } from '../../gateway-api/company-prefixes';
import { ConfigError, loadConfig } from '../../gateway-api/config';
import { startGateway } from '../../gateway-api/server';
import { call, gln, removeDir, startTestGateway, withCheck, type Reply, type TestGateway } from '../gateway/support';
import { ApiClient } from './api-client';
import { signedWith, startCallbackReceiver, type CallbackReceiver, type Delivery } from './callback-receiver';
import { objectEvent } from './fixtures';

type Json = Record<string, unknown>;
const SHOP = gln(81);
/** A company no identifier was captured of as a URN, and that the table does not list. */
const UNKNOWN_ITEM = `https://id.gs1.org/01/${withCheck('0401234500000')}/21/U1`;
/** Another company that no table lists and no URN names: its identifiers never have a URN here. */
const NEVER_KNOWN_ITEM = `https://id.gs1.org/01/${withCheck('0071234500000')}/21/N1`;
const TOKEN = 'subscriber-token-0123456789';
const eventID = (n: number): string => `urn:uuid:7a0c0000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;

/** GS1's table's form: entries of prefix and company prefix length (this one written for the test). */
const TABLE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<GCPPrefixFormatList date="2026-11-01">
  <entry prefix="9506000" gcpLength="7"/>
  <entry gcpLength="9" prefix="6950000"/>
</GCPPrefixFormatList>`;

describe('EPCIS answers in EPC URN form: company prefix lengths from GS1\'s table or from captured URNs', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let gw: TestGateway['gw'];
  let tableFile = '';
  let callback: CallbackReceiver;
  const api = new ApiClient(() => gw.url);
  const get = (url: string, format: string, accept?: string): Promise<Reply> =>
    call(gw.url, 'GET', url, { key: api.keys['samr'] as string, headers: { 'GS1-EPC-Format': format, ...(accept ? { accept } : {}) } });
  const eventsOf = (r: Reply): Json[] => r.body.epcisBody.queryResults.resultsBody.eventList as Json[];
  const byNumber = (events: Json[]): Map<number, Json> => new Map(events.map((e) => [Number(String(e['eventID']).slice(-2)), e]));

  before(async () => {
    tableFile = path.join(await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-gcp-')), 'gcpprefixformatlist.xml');
    await fs.promises.writeFile(tableFile, TABLE_XML);
    callback = await startCallbackReceiver('/deliveries');
    t = await startTestGateway(undefined, { EPCIS_GCP_TABLE: tableFile, EPCIS_HTTP_CALLBACK_HOSTS: '127.0.0.1' });
    gw = t.gw;
    api.keys['samr'] = t.regulatorKey;
    await api.register('samr', [
      { id: 'shop-u', name: 'Shop', role: 'retailer', licence: 'JY-U1', gln: SHOP },
      { id: 'dist-u', name: 'Distributor', role: 'distributor', licence: 'JY-U2', gln: gln(82) },
    ]);
    await api.captureOk('shop-u', [
      // captured as URNs: company 0614141 is learnt from them
      objectEvent(1, { eventID: eventID(1), readPoint: { id: glnUri(SHOP) } }),
      // the same company's item as a Digital Link, a lot of a company only the table lists, a party, a place of no GS1 key
      objectEvent(2, {
        eventID: eventID(2),
        epcList: ['https://id.gs1.org/01/10614141073464/21/X9'],
        quantityList: [{ epcClass: `https://id.gs1.org/01/${withCheck('0950600013435')}/10/L1`, quantity: 5, uom: 'KGM' }],
        sourceList: [{ type: 'owning_party', source: `https://id.gs1.org/417/${SHOP}` }],
        bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:88' }],
        readPoint: { id: 'https://example.org/rp/door-1' },
      }),
    ]);
    await api.captureOk('dist-u', [objectEvent(3, { eventID: eventID(3), epcList: [UNKNOWN_ITEM] })]);
  });

  after(async () => {
    await gw?.close();
    if (t) await removeDir(t.dir);
    if (tableFile) await removeDir(path.dirname(tableFile));
    await callback?.close();
  });

  const expectUrnAnswers = async (): Promise<void> => {
    const r = await get('/epcis/events?EQ_bizStep=receiving&MATCH_anyEPC=urn:epc:idpat:sgtin:0614141.107346.*', 'Always_EPC_URN');
    expect(r.status, r.text).to.equal(200);
    expect(r.headers.get('gs1-epc-format')).to.equal('Always_EPC_URN');
    const events = byNumber(eventsOf(r));
    expect([...events.keys()].sort()).to.deep.equal([1, 2]);
    expect(events.get(1)).to.deep.include({ epcList: ['urn:epc:id:sgtin:0614141.107346.2'], readPoint: { id: 'urn:epc:id:sgln:695000000.081.0' } });
    const two = events.get(2) as Json;
    expect(two['epcList'], 'a Digital Link of a company captured as a URN').to.deep.equal(['urn:epc:id:sgtin:0614141.107346.X9']);
    expect(two['quantityList'], 'a lot of a company the table lists').to.deep.equal([{ epcClass: 'urn:epc:class:lgtin:9506000.013435.L1', quantity: 5, uom: 'KGM' }]);
    expect(two['sourceList']).to.deep.equal([{ type: 'owning_party', source: 'urn:epc:id:pgln:695000000.081' }]);
    expect(two['bizTransactionList'], 'not a GS1 key: as captured').to.deep.equal([{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:88' }]);
    expect(two['readPoint'], 'a place of no GS1 key: as captured').to.deep.equal({ id: 'https://example.org/rp/door-1' });
    // every URN names what the Digital Link answer names
    const dl = byNumber(eventsOf(await get('/epcis/events?EQ_bizStep=receiving&MATCH_anyEPC=urn:epc:idpat:sgtin:0614141.107346.*', 'Always_GS1_Digital_Link')));
    for (const [n, e] of events) {
      const urns = [...(e['epcList'] as string[]), ...((e['quantityList'] as Json[] | undefined) ?? []).map((q) => q['epcClass'] as string)];
      const links = [...(dl.get(n)?.['epcList'] as string[]), ...((dl.get(n)?.['quantityList'] as Json[] | undefined) ?? []).map((q) => q['epcClass'] as string)];
      expect(urns.map((u) => canonicalIdentifier(u)), `event ${n}`).to.deep.equal(links);
    }
  };

  it('writes every GS1 key as an EPC URN, by the table or a captured URN of its company, and the rest as captured', async () => {
    await expectUrnAnswers();
  });

  it('refuses (406) an answer naming an identifier whose company prefix length it does not know, naming it; then learns it from a URN', async () => {
    const refused = await get(`/epcis/events/${encodeURIComponent(eventID(3))}`, 'Always_EPC_URN');
    expect(refused.status, refused.text).to.equal(406);
    expect(refused.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(refused.body).to.include({ type: 'epcisException:NotAcceptableException', status: 406 });
    expect(refused.body.error).to.deep.include({ code: 'NOT_ACCEPTABLE' });
    expect(refused.body.error.details).to.deep.include({ identifier: UNKNOWN_ITEM });
    // the other formats still answer it
    expect((await get(`/epcis/events/${encodeURIComponent(eventID(3))}`, 'Always_GS1_Digital_Link')).status).to.equal(200);
    // an identifier of that company captured as a URN teaches its prefix
    await api.captureOk('dist-u', [objectEvent(4, { eventID: eventID(4), epcList: ['urn:epc:id:sgtin:4012345.000000.U2'] })]);
    const answered = await get(`/epcis/events/${encodeURIComponent(eventID(3))}`, 'Always_EPC_URN');
    expect(answered.status, answered.text).to.equal(200);
    expect(eventsOf(answered)[0]?.['epcList']).to.deep.equal(['urn:epc:id:sgtin:4012345.000000.U1']);
  });

  it('lists the EPCs and answers in XML in URN form too', async () => {
    const epcs = await get('/epcis/epcs?perPage=100', 'Always_EPC_URN');
    expect(epcs.status, epcs.text).to.equal(200);
    expect(epcs.body.member).to.include.members(['urn:epc:id:sgtin:0614141.107346.X9', 'urn:epc:id:sgtin:4012345.000000.U1']);
    expect((epcs.body.member as string[]).filter((m) => m.startsWith('https://id.gs1.org/'))).to.deep.equal([]);
    const xml = await call(gw.url, 'GET', `/epcis/events/${encodeURIComponent(eventID(2))}`, { key: api.keys['samr'] as string, headers: { 'GS1-EPC-Format': 'Always_EPC_URN', accept: 'application/xml' } });
    expect(xml.status, xml.text).to.equal(200);
    expect(xml.text).to.include('<epc>urn:epc:id:sgtin:0614141.107346.X9</epc>');
    expect(xml.text).to.include('urn:epc:class:lgtin:9506000.013435.L1');
    expect(xml.text).to.not.include('https://id.gs1.org/');
  });

  /** Subscription IDs by the GS1-EPC-Format they were made with ('' for none). */
  const subscribed = new Map<string, string>();
  /** The delivery of subscription `format` carrying event `n`, once it has come. */
  const deliveryOf = async (format: string, n: number): Promise<{ delivery: Delivery; event: Json }> => {
    for (let i = 0; i < 400; i++) {
      for (const delivery of callback.deliveries) {
        const results = JSON.parse(delivery.body).epcisBody.queryResults;
        const event = (results.resultsBody.eventList as Json[]).find((e) => e['eventID'] === eventID(n));
        if (results.subscriptionID === subscribed.get(format) && event) return { delivery, event };
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no delivery of event ${n} to the ${format || 'default'} subscription`);
  };
  const inspecting = (n: number, extra: Json): Json => objectEvent(n, { eventID: eventID(n), bizStep: 'inspecting', ...extra });

  it('writes a subscription\'s deliveries as its GS1-EPC-Format asked, an identifier of unknown company prefix as its Digital Link', async () => {
    const as = (method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> => call(gw.url, method, url, { key: api.keys['samr'] as string, body, headers });
    expect((await as('POST', '/epcis/queries', { name: 'inspected', query: { EQ_bizStep: 'inspecting' } })).status).to.equal(201);
    for (const format of ['Always_EPC_URN', 'Never_Translates', '']) {
      const made = await as('POST', '/epcis/queries/inspected/subscriptions', { dest: callback.url, signatureToken: TOKEN, stream: true }, format ? { 'GS1-EPC-Format': format } : {});
      expect(made.status, made.text).to.equal(201);
      expect(made.headers.get('gs1-epc-format'), format).to.equal(format || 'Always_GS1_Digital_Link');
      expect(made.body['zfc:epcFormat'], 'shown on the subscription').to.equal(format || undefined);
      subscribed.set(format, made.body.subscriptionID);
    }
    const bad = await as('POST', '/epcis/queries/inspected/subscriptions', { dest: callback.url, signatureToken: TOKEN, stream: true }, { 'GS1-EPC-Format': 'Always_Barcode' });
    expect(bad.status, bad.text).to.equal(400);
    expect((await call(gw.url, 'GET', '/epcis/queries/inspected/subscriptions', { key: api.keys['samr'] as string })).body.subscriptions, 'nothing made by a refused request').to.have.length(3);

    await api.captureOk('shop-u', [
      inspecting(20, {
        epcList: ['https://id.gs1.org/01/10614141073464/21/I1', 'urn:epc:id:sgtin:0614141.107346.I2'],
        quantityList: [{ epcClass: `https://id.gs1.org/01/${withCheck('0950600013435')}/10/L2`, quantity: 2, uom: 'KGM' }],
        readPoint: { id: glnUri(SHOP) },
      }),
    ]);
    const urn = await deliveryOf('Always_EPC_URN', 20);
    expect(urn.event).to.deep.include({
      epcList: ['urn:epc:id:sgtin:0614141.107346.I1', 'urn:epc:id:sgtin:0614141.107346.I2'],
      quantityList: [{ epcClass: 'urn:epc:class:lgtin:9506000.013435.L2', quantity: 2, uom: 'KGM' }],
      readPoint: { id: 'urn:epc:id:sgln:695000000.081.0' },
    });
    expect(urn.delivery.headers['gs1-epc-format'], 'every identifier is a URN').to.equal('Always_EPC_URN');
    expect(signedWith(TOKEN, urn.delivery), 'signed over the URN body').to.equal(true);
    expect((await deliveryOf('Never_Translates', 20)).event['epcList'], 'as captured').to.deep.equal(['https://id.gs1.org/01/10614141073464/21/I1', 'urn:epc:id:sgtin:0614141.107346.I2']);
    const links = await deliveryOf('', 20);
    expect(links.event['epcList']).to.deep.equal(['https://id.gs1.org/01/10614141073464/21/I1', 'https://id.gs1.org/01/10614141073464/21/I2']);
    expect(links.delivery.headers['gs1-epc-format']).to.equal('Always_GS1_Digital_Link');

    // a company the gateway knows no prefix length of: still delivered, that identifier as its Digital Link, and the header says so
    await api.captureOk('dist-u', [inspecting(21, { epcList: [NEVER_KNOWN_ITEM, 'https://id.gs1.org/01/10614141073464/21/I3'] })]);
    const mixed = await deliveryOf('Always_EPC_URN', 21);
    expect(mixed.event['epcList']).to.deep.equal([NEVER_KNOWN_ITEM, 'urn:epc:id:sgtin:0614141.107346.I3']);
    expect(mixed.delivery.headers['gs1-epc-format']).to.equal('No_Preference');
    expect(signedWith(TOKEN, mixed.delivery)).to.equal(true);
  });

  it('answers the same after a restart rebuilds what it learnt from the ledger', async () => {
    await gw.close();
    gw = await startGateway(t.config);
    await expectUrnAnswers();
    expect(eventsOf(await get(`/epcis/events/${encodeURIComponent(eventID(3))}`, 'Always_EPC_URN'))[0]?.['epcList']).to.deep.equal(['urn:epc:id:sgtin:4012345.000000.U1']);
  });

  it('keeps a subscription\'s EPC form across the restart', async () => {
    await api.captureOk('shop-u', [inspecting(22, { epcList: ['https://id.gs1.org/01/10614141073464/21/I4'] })]);
    const after = await deliveryOf('Always_EPC_URN', 22);
    expect(after.event['epcList']).to.deep.equal(['urn:epc:id:sgtin:0614141.107346.I4']);
    expect(after.delivery.headers['gs1-epc-format']).to.equal('Always_EPC_URN');
    expect((await deliveryOf('', 22)).event['epcList']).to.deep.equal(['https://id.gs1.org/01/10614141073464/21/I4']);
  });

  it('will not start with a table it cannot read or that holds no good entry, naming EPCIS_GCP_TABLE', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-gcp-bad-'));
    try {
      const start = async (table: string): Promise<ConfigError> => {
        try {
          const running = await startGateway(loadConfig({ PORT: '0', HOST: '127.0.0.1', ZFC_DATA: path.join(dir, 'data'), EPCIS_GCP_TABLE: table }));
          await running.close();
        } catch (err) {
          if (err instanceof ConfigError) return err;
          throw err;
        }
        throw new Error(`started with ${table}`);
      };
      expect((await start(path.join(dir, 'missing.xml'))).message).to.match(/EPCIS_GCP_TABLE=.*missing\.xml.*cannot be read/);
      const empty = path.join(dir, 'empty.xml');
      await fs.promises.writeFile(empty, '<GCPPrefixFormatList/>');
      expect((await start(empty)).message).to.match(/EPCIS_GCP_TABLE: .*no entry/);
      const bad = path.join(dir, 'bad.json');
      await fs.promises.writeFile(bad, JSON.stringify({ '9506000': 7, '12ab': 7 }));
      expect((await start(bad)).message).to.match(/EPCIS_GCP_TABLE: .*12ab/);
      expect(fs.existsSync(path.join(dir, 'data', 'ledger')), 'nothing opened').to.equal(false);
    } finally {
      await removeDir(dir);
    }
  });
});

describe('company prefix lengths', () => {
  it('reads GS1\'s XML table and a JSON one, and refuses a malformed entry', () => {
    expect([...parsePrefixTable(TABLE_XML, 't.xml')]).to.deep.equal([['9506000', 7], ['6950000', 9]]);
    expect(Object.fromEntries(parsePrefixTable('{"0614141": 7, "45": "9"}', 't.json'))).to.deep.equal({ '0614141': 7, '45': 9 });
    // GS1's JSON form, and a range of no company prefix (length 0)
    const gs1Json = JSON.stringify({ GCPPrefixFormatList: { date: '2026-11-01', entry: [{ prefix: '9506000', gcpLength: 7 }, { prefix: '02', gcpLength: 0 }] } });
    expect(Object.fromEntries(parsePrefixTable(gs1Json, 't.json'))).to.deep.equal({ '9506000': 7, '02': 0 });
    for (const bad of ['{"0614141": 13}', '{"0614141": -1}', '{"x": 7}', '{"0614141": 7.5}', '<entry prefix="061" gcpLength="seven"/>', '<entry prefix="061"/>', '{', '[]', '', '{"GCPPrefixFormatList": {"entry": [{"prefix": 614141, "gcpLength": 7}]}}', '{"GCPPrefixFormatList": {}}']) {
      expect(() => parsePrefixTable(bad, 'bad'), bad).to.throw(ZfcError);
    }
  });

  it('takes the longest table entry first, then a company prefix seen in a URN, and writes nothing it does not know', () => {
    const prefixes = new CompanyPrefixes(new Map([['45', 9], ['4512', 8], ['02', 0]]));
    prefixes.learnFrom({ epcList: ['urn:epc:id:sgtin:4512345.012345.1', 'urn:epc:id:sgtin:0614141.107346.1', 'urn:epc:id:sgtin:0212345.012345.1'], ex: { deep: ['urn:epc:id:sscc:08600031.000000001'] } });
    expect(prefixes.lengthOf('021234501234'), 'a range GS1 gives no company prefix, whatever a URN said').to.equal(undefined);
    expect(prefixes.lengthOf('451234501234'), 'the table\'s longest entry over a learnt prefix').to.equal(8);
    expect(prefixes.lengthOf('450000000000')).to.equal(9);
    expect(prefixes.lengthOf('061414107346')).to.equal(7);
    expect(prefixes.lengthOf('086000310000'), 'learnt at any depth').to.equal(8);
    expect(prefixes.lengthOf('061414207346')).to.equal(undefined);
    expect(prefixes.urnOf(`https://id.gs1.org/00/${withCheck('10860003100000001')}`)).to.equal('urn:epc:id:sscc:08600031.100000001');
    expect(prefixes.urnOf('https://example.org/thing/1')).to.equal('https://example.org/thing/1');
    expect(prefixes.urnOf('urn:epcglobal:cbv:bt:0614141073467:1')).to.equal('urn:epcglobal:cbv:bt:0614141073467:1');
    expect(() => prefixes.urnOf(`https://id.gs1.org/01/${withCheck('0061414207346')}/21/9`)).to.throw(ZfcError).with.property('code', 'NOT_ACCEPTABLE');
  });
});
