/**
 * The EPCIS XML binding (gateway-api/epcis-xml.ts): documents of EPCIS 1.2 and 2.0 read into
 * exactly the JSON binding's document, which this project's schema and GS1's official JSON Schema
 * both accept; an event gets the same event hash ID whichever binding (and whichever XML
 * spelling) it came in; hostile and malformed XML is refused with the place named; query answers
 * written in XML (gateway-api/epcis-xml-write.ts) read back as the very events of every GS1
 * example; and through a real gateway, an XML capture is recorded, queried back in JSON and in
 * XML, and recognised as the same event when it is sent again as JSON.
 */
import { expect } from 'chai';
import { SaxesParser } from 'saxes';
import { cbvWord } from '../../chaincode/cbv';
import { eventHashId } from '../../chaincode/epcis-event-hash';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import { ZfcError } from '../../chaincode/errors';
import { epcisDocumentFromXml, epcisEventFromXml } from '../../gateway-api/epcis-xml';
import { cbvXmlFormatOf, queryDocumentXml, type CbvXmlFormat } from '../../gateway-api/epcis-xml-write';
import { call, removeDir, startTestGateway, type Reply, type TestGateway } from '../gateway/support';
import { documentOf, example, exampleNames, officialSchema } from './fixtures';
import { COLD_CHAIN_2_0, COLD_CHAIN_JSON, HARVEST_1_2, HARVEST_JSON } from './xml-documents';

type Json = Record<string, unknown>;

/** True when a text is well-formed, namespace-correct XML. */
function wellFormed(xml: string): boolean {
  const parser = new SaxesParser({ xmlns: true });
  let ok = true;
  parser.on('error', () => {
    ok = false;
  });
  parser.write(xml).close();
  return ok;
}

/** The refusal `fn` throws: an INVALID_ARGUMENT whose first error names `path`. */
function refusal(fn: () => unknown, path: RegExp, message: RegExp): ZfcError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'refused').to.be.instanceOf(ZfcError);
  const err = caught as ZfcError;
  expect(err.code).to.equal('INVALID_ARGUMENT');
  expect(err.message).to.match(message);
  const first = (err.details as { errors: Array<{ path: string; line?: number; column?: number }> }).errors[0];
  expect(first?.path).to.match(path);
  return err;
}

/** An EPCIS 2.0 document around `events` (XML), with `xmlns` declarations on the root. */
const xmlDocument = (events: string, xmlns = ''): string =>
  `<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" ${xmlns} schemaVersion="2.0" creationDate="2026-05-01T00:00:00Z"><EPCISBody><EventList>${events}</EventList></EPCISBody></epcis:EPCISDocument>`;

describe('EPCIS XML binding', function () {
  this.timeout(120_000);

  /** `xml` reads into exactly `json`, which this project's schema and GS1's official one both accept. */
  const readsAs = (xml: string, json: Json): void => {
    const doc = epcisDocumentFromXml(xml);
    expect(doc).to.deep.equal(json);
    expect(() => validateEpcisDocument(doc)).not.to.throw();
    const official = officialSchema();
    expect(official(doc), JSON.stringify(official.errors)).to.equal(true);
  };

  it('reads an EPCIS 1.2 document, its extension wrappers unwrapped, into the JSON binding both schemas accept', () => {
    readsAs(HARVEST_1_2, HARVEST_JSON);
  });

  it('reads an EPCIS 2.0 document with sensor data, master data, an SBDH and namespaces in every awkward form', () => {
    readsAs(COLD_CHAIN_2_0, COLD_CHAIN_JSON);
  });

  it('gives an event the same event hash ID in XML as in JSON, whatever the XML spelling; another event another', () => {
    const json: Json = {
      type: 'ObjectEvent',
      eventTime: '2026-05-01T08:00:00.000Z',
      eventTimeZoneOffset: '+08:00',
      epcList: ['urn:epc:id:sgtin:0695000.030100.R9', 'urn:epc:id:sgtin:0695000.030100.R8'],
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'in_progress',
      readPoint: { id: 'urn:epc:id:sgln:0695000.00051.0' },
      bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0695000000110:PO-9' }],
      quantityList: [{ epcClass: 'urn:epc:class:lgtin:0695000.030100.LOT-B', quantity: 12, uom: 'KGM' }],
      'ex:check': { 'ex:by': 'QA', 'ex:ok': 'yes' },
    };
    const context = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://checks.example.com/' }];
    const fromJson = eventHashId(json, context);
    // EPCIS 2.0, the document's prefix, URNs for the CBV words
    const modern = xmlDocument(
      `<ObjectEvent><eventTime>2026-05-01T08:00:00.000Z</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:0695000.030100.R9</epc><epc>urn:epc:id:sgtin:0695000.030100.R8</epc></epcList>
        <action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep><disposition>urn:epcglobal:cbv:disp:in_progress</disposition>
        <readPoint><id>urn:epc:id:sgln:0695000.00051.0</id></readPoint>
        <bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">urn:epcglobal:cbv:bt:0695000000110:PO-9</bizTransaction></bizTransactionList>
        <quantityList><quantityElement><epcClass>urn:epc:class:lgtin:0695000.030100.LOT-B</epcClass><quantity>12</quantity><uom>KGM</uom></quantityElement></quantityList>
        <ex:check><ex:by>QA</ex:by><ex:ok>yes</ex:ok></ex:check></ObjectEvent>`,
      'xmlns:ex="https://checks.example.com/"',
    );
    // EPCIS 1.2 wrappers, another prefix for the same namespace declared on the element, other orders, CDATA, whitespace
    const legacy = `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2026-05-01T00:00:00Z">
      <EPCISBody><EventList><ObjectEvent>
        <eventTime> 2026-05-01T08:00:00.000Z </eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:0695000.030100.R8</epc><epc><![CDATA[urn:epc:id:sgtin:0695000.030100.R9]]></epc></epcList>
        <action>OBSERVE</action><bizStep>receiving</bizStep><disposition>in_progress</disposition>
        <readPoint><id>urn:epc:id:sgln:0695000.00051.0</id></readPoint>
        <bizTransactionList><bizTransaction type="po">urn:epcglobal:cbv:bt:0695000000110:PO-9</bizTransaction></bizTransactionList>
        <extension><quantityList><quantityElement><epcClass>urn:epc:class:lgtin:0695000.030100.LOT-B</epcClass><quantity>12.0</quantity><uom>KGM</uom></quantityElement></quantityList></extension>
        <q:check xmlns:q="https://checks.example.com/"><q:ok>yes</q:ok><q:by>QA</q:by></q:check>
      </ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`;
    for (const xml of [modern, legacy]) {
      const doc = epcisDocumentFromXml(xml);
      expect(eventHashId((doc['epcisBody'] as { eventList: Json[] }).eventList[0] as Json, doc['@context'])).to.equal(fromJson);
    }
    const other = epcisDocumentFromXml(modern.replace('<ex:ok>yes</ex:ok>', '<ex:ok>no</ex:ok>'));
    expect(eventHashId((other['epcisBody'] as { eventList: Json[] }).eventList[0] as Json, other['@context'])).not.to.equal(fromJson);
  });

  it('reads one event: an event element on its own, or a document of exactly one', () => {
    const bare = '<AggregationEvent><eventTime>2026-03-01T09:00:00Z</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset><parentID>urn:epc:id:sscc:0695000.0000000001</parentID><childEPCs><epc>urn:epc:id:sgtin:0695000.030100.R1</epc><epc>urn:epc:id:sgtin:0695000.030100.R2</epc></childEPCs><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep></AggregationEvent>';
    const expected = { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], ...(HARVEST_JSON.epcisBody.eventList[1] as Json) };
    expect(epcisEventFromXml(bare)).to.deep.equal(expected);
    expect(epcisEventFromXml(xmlDocument(bare))).to.deep.equal(expected);
    refusal(() => epcisEventFromXml(xmlDocument(bare + bare)), /EPCISDocument$/, /a single event is wanted, and the document holds 2/);
  });

  it('refuses malformed and hostile XML, naming the place, and never expands an entity', () => {
    const event = (inner: string): string => xmlDocument(`<ObjectEvent><eventTime>2026-05-01T08:00:00Z</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset><action>OBSERVE</action>${inner}</ObjectEvent>`);
    const broken = refusal(() => epcisDocumentFromXml('<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2">\n<EPCISBody></EventList>'), /EPCISDocument/, /not well-formed XML: unexpected close tag/);
    expect((broken.details as { errors: Array<{ line: number }> }).errors[0]?.line).to.equal(2);
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`;
    refusal(() => epcisDocumentFromXml(laughs + event('<bizStep>&lol3;</bizStep>').replace(/^<\?xml[^>]*\?>/, '')), /bizStep/, /not well-formed XML: undefined entity/);
    const external = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
    refusal(() => epcisDocumentFromXml(external + event('<bizStep>&xxe;</bizStep>').replace(/^<\?xml[^>]*\?>/, '')), /bizStep/, /undefined entity/);
    const deep = `${'<ex:a>'.repeat(100)}x${'</ex:a>'.repeat(100)}`;
    refusal(() => epcisDocumentFromXml(event(deep).replace('<epcis:EPCISDocument ', '<epcis:EPCISDocument xmlns:ex="https://e.example/" ')), /ex:a/, /nested more than 64 elements deep/);
    refusal(() => epcisDocumentFromXml('<EPCISDocument><EPCISBody/></EPCISDocument>'), /^\/EPCISDocument$/, /root element must be an EPCISDocument/);
    const many = event(`<ex:x xmlns:ex="https://e.example/">${'<ex:a/>'.repeat(1_000_000)}</ex:x>`);
    refusal(() => epcisDocumentFromXml(many), /ex:x$/, /holds more than 1,000,000 elements/);
    refusal(() => epcisDocumentFromXml(xmlDocument('<ex:Event xmlns:ex="https://e.example/"/>')), /ex:Event$/, /the EventList holds EPCIS events, not \{https:\/\/e.example\/\}Event/);
    refusal(() => epcisDocumentFromXml(event('<constructor>x</constructor>')), /ObjectEvent\/constructor$/, /unknown element constructor/);
    refusal(() => epcisDocumentFromXml(event('<sensorElementList><sensorElement><sensorReport __proto__="x" type="Temperature"/></sensorElement></sensorElementList>')), /sensorReport$/, /no attribute __proto__/);
    refusal(() => epcisDocumentFromXml(xmlDocument('<QuantityEvent><eventTime>2026-05-01T08:00:00Z</eventTime></QuantityEvent>')), /QuantityEvent$/, /withdrawn in EPCIS 2.0/);
    refusal(() => epcisDocumentFromXml(event('<colour>red</colour>')), /ObjectEvent\/colour$/, /unknown element colour in ObjectEvent/);
    refusal(() => epcisDocumentFromXml(event('<epcList>urn:epc:id:sgtin:0695000.030100.R1</epcList>')), /epcList$/, /holds epc elements, not text/);
    refusal(() => epcisDocumentFromXml(event('<epcList><epc>a</epc><id>b</id></epcList>')), /epcList\/id$/, /epc elements only/);
    refusal(() => epcisDocumentFromXml(event('<bizStep>a</bizStep><bizStep>b</bizStep>')), /bizStep\[2\]$/, /bizStep may appear once/);
    refusal(() => epcisDocumentFromXml('<?xml version="1.0" encoding="ISO-8859-1"?>' + event('').replace(/^<\?xml[^>]*\?>/, '')), /^\/$/, /encoding="ISO-8859-1"; send the document as UTF-8/);
    refusal(() => epcisDocumentFromXml(event('<ex:v xmlns:ex="https://e.example/">text<ex:w/></ex:v>')), /ex:v$/, /mixes text and elements/);
    refusal(() => epcisDocumentFromXml('   '), /^\/$/, /not well-formed XML: document must contain a root element/);
  });

  /** An EPCISQueryDocument of events, as the gateway's answers hold them. */
  const answerOf = (events: unknown[], context: unknown): Json => ({
    '@context': context,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: '2026-06-01T00:00:00Z',
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
  });

  it('writes answers in XML that read back as the very events, for every GS1 example and both XML documents', () => {
    const names = exampleNames();
    expect(names).to.have.length(12);
    for (const name of names) {
      const doc = example(name);
      const back = epcisDocumentFromXml(queryDocumentXml(answerOf(doc['epcisBody'].eventList, doc['@context'])));
      expect((back['epcisBody'] as Json)['eventList'], name).to.deep.equal(doc['epcisBody'].eventList);
    }
    for (const [xml, json] of [[HARVEST_1_2, HARVEST_JSON], [COLD_CHAIN_2_0, COLD_CHAIN_JSON]] as const) {
      const events = (epcisDocumentFromXml(xml)['epcisBody'] as { eventList: Json[] }).eventList;
      const back = epcisDocumentFromXml(queryDocumentXml(answerOf(events, json['@context'])));
      expect((back['epcisBody'] as Json)['eventList']).to.deep.equal(json.epcisBody.eventList);
    }
  });

  it('writes each event\'s fields in its XSD order, escapes what XML must, and keeps what has no XML form as a comment', () => {
    const event: Json = {
      'ex:note': 'a < b & "c" ]]> \u0001 中',
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      epcList: ['urn:epc:id:sgtin:0695000.030100.R1'],
      eventTimeZoneOffset: '+08:00',
      eventTime: '2026-06-01T00:00:00Z',
      readPoint: { id: 'urn:epc:id:sgln:0695000.00011.0' },
      sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: 4, 'ex:where': 'door "left"' }] }],
      odd: { kept: true },
      'ex:nested': [['a', 'b']],
    };
    const xml = queryDocumentXml(answerOf([event], ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://ex.example/' }]));
    const order = [...xml.matchAll(/<(eventTime|eventTimeZoneOffset|epcList|action|bizStep|readPoint|sensorElementList|ex:note)[ >]/g)].map((m) => m[1]);
    expect(order).to.deep.equal(['eventTime', 'eventTimeZoneOffset', 'epcList', 'action', 'bizStep', 'readPoint', 'sensorElementList', 'ex:note']);
    expect(xml).to.include('<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>');
    expect(xml).to.include('type="https://gs1.org/voc/Temperature"');
    expect(xml).to.include('<!-- no XML form: {"odd":{"kept":true}} -->');
    expect(xml).to.include('<!-- no XML form: {"ex:nested":["a","b"]} -->');
    const back = (epcisDocumentFromXml(xml)['epcisBody'] as { eventList: Json[] }).eventList[0] as Json;
    expect(back['ex:note']).to.equal('a < b & "c" ]]> \uFFFD 中');
    expect((back['sensorElementList'] as Json[])[0]).to.deep.equal({ sensorReport: [{ type: 'Temperature', value: 4, 'ex:where': 'door "left"' }] });
    expect(back).to.not.have.property('odd');
  });

  it('writes CBV values as the reader asks (GS1-CBV-XML-Format): words as URNs by default, every CBV value as its URN or its Web URI', () => {
    const event: Json = {
      type: 'ObjectEvent',
      action: 'OBSERVE',
      eventTime: '2026-06-01T00:00:00Z',
      eventTimeZoneOffset: '+08:00',
      epcList: ['urn:epc:id:sgtin:0695000.030100.R1'],
      bizStep: 'shipping',
      disposition: 'https://ref.gs1.org/cbv/Disp-in_transit', // captured as a Web URI
      bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:6950000000019:PO-1' }],
      sourceList: [{ type: 'urn:epcglobal:cbv:sdt:owning_party', source: 'urn:epc:id:pgln:0695000.00001' }], // a URN, as JSON never holds one, but a stored value might
      persistentDisposition: { set: ['completeness_verified'] },
      errorDeclaration: { declarationTime: '2026-06-02T00:00:00Z', reason: 'incorrect_data' },
    };
    const outside: Json = { ...event, eventTime: '2026-06-01T01:00:00Z', bizStep: 'https://steps.example/grading', disposition: 'urn:example:disp:fine' };
    const write = (format?: CbvXmlFormat): string => queryDocumentXml(answerOf([event, outside], 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'), format);
    const values = (xml: string): string[] => [...xml.matchAll(/<(?:bizStep|disposition|set|reason)>([^<]+)</g), ...xml.matchAll(/ type="([^"]+)"/g)].map((m) => m[1] as string);
    expect(write()).to.equal(write('Never_Translates'));
    expect(values(write())).to.deep.equal([
      'urn:epcglobal:cbv:er:incorrect_data', 'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/Disp-in_transit', 'urn:epcglobal:cbv:disp:completeness_verified',
      'urn:epcglobal:cbv:er:incorrect_data', 'https://steps.example/grading', 'urn:example:disp:fine', 'urn:epcglobal:cbv:disp:completeness_verified',
      'urn:epcglobal:cbv:btt:po', 'urn:epcglobal:cbv:sdt:owning_party', 'urn:epcglobal:cbv:btt:po', 'urn:epcglobal:cbv:sdt:owning_party',
    ]);
    expect(values(write('Always_URN'))).to.deep.equal([
      'urn:epcglobal:cbv:er:incorrect_data', 'urn:epcglobal:cbv:bizstep:shipping', 'urn:epcglobal:cbv:disp:in_transit', 'urn:epcglobal:cbv:disp:completeness_verified',
      'urn:epcglobal:cbv:er:incorrect_data', 'https://steps.example/grading', 'urn:example:disp:fine', 'urn:epcglobal:cbv:disp:completeness_verified',
      'urn:epcglobal:cbv:btt:po', 'urn:epcglobal:cbv:sdt:owning_party', 'urn:epcglobal:cbv:btt:po', 'urn:epcglobal:cbv:sdt:owning_party',
    ]);
    expect(values(write('Always_Web_URI'))).to.deep.equal([
      'https://ref.gs1.org/cbv/ER-incorrect_data', 'https://ref.gs1.org/cbv/BizStep-shipping', 'https://ref.gs1.org/cbv/Disp-in_transit', 'https://ref.gs1.org/cbv/Disp-completeness_verified',
      'https://ref.gs1.org/cbv/ER-incorrect_data', 'https://steps.example/grading', 'urn:example:disp:fine', 'https://ref.gs1.org/cbv/Disp-completeness_verified',
      'https://ref.gs1.org/cbv/BTT-po', 'https://ref.gs1.org/cbv/SDT-owning_party', 'https://ref.gs1.org/cbv/BTT-po', 'https://ref.gs1.org/cbv/SDT-owning_party',
    ]);
    // in every form, the same business step and disposition to whoever reads it
    for (const format of ['Never_Translates', 'Always_URN', 'Always_Web_URI'] as const) {
      const [back] = (epcisDocumentFromXml(write(format))['epcisBody'] as { eventList: Json[] }).eventList;
      expect([cbvWord('BizStep', back?.['bizStep']), cbvWord('Disp', back?.['disposition']), cbvWord('BTT', (back?.['bizTransactionList'] as Json[])[0]?.['type'])], format).to.deep.equal(['shipping', 'in_transit', 'po']);
    }
    expect(cbvXmlFormatOf(undefined)).to.equal('Never_Translates');
    expect(cbvXmlFormatOf(' No_Preference ')).to.equal('Never_Translates');
    expect(cbvXmlFormatOf('Always_Web_URI')).to.equal('Always_Web_URI');
    refusal(() => cbvXmlFormatOf('always_urn'), /^\/headers\/GS1-CBV-XML-Format$/, /GS1-CBV-XML-Format is No_Preference, Always_Web_URI, Always_URN or Never_Translates/);
  });

  describe('through the gateway', () => {
    let t: TestGateway;
    const as = (method: string, url: string, body?: string, type = 'application/xml'): Promise<Reply> =>
      call(t.gw.url, method, url, { key: t.regulatorKey, ...(body !== undefined ? { body, headers: { 'content-type': type } } : {}) });
    /** Follows a capture job until it ends. */
    const finished = async (r: Reply): Promise<Json> => {
      expect(r.status, r.text).to.equal(202);
      for (let i = 0; i < 500; i++) {
        const job = await as('GET', String(r.headers.get('location')));
        if (!job.body.running) return job.body as Json;
        await new Promise((res) => setTimeout(res, 20));
      }
      throw new Error('capture job did not finish');
    };
    const count = async (): Promise<number> => (await as('GET', '/epcis/events?perPage=1000')).body.epcisBody.queryResults.resultsBody.eventList.length;

    before(async () => {
      t = await startTestGateway();
    });

    after(async () => {
      await t?.gw.close();
      if (t) await removeDir(t.dir);
    });

    it('captures an XML document, answers its events in JSON, and knows them again when they come as JSON', async () => {
      const job = await finished(await as('POST', '/epcis/capture', HARVEST_1_2));
      expect(job, JSON.stringify(job)).to.include({ success: true, eventCount: 4, captured: 4, duplicates: 0 });
      const r = await as('GET', `/epcis/events?EQ_bizStep=commissioning&MATCH_epc=${encodeURIComponent('urn:epc:id:sgtin:0695000.030100.R1')}`);
      expect(r.status, r.text).to.equal(200);
      const [harvest] = r.body.epcisBody.queryResults.resultsBody.eventList as Json[];
      expect(harvest).to.include({ eventID: 'urn:uuid:6f1c0d2e-0000-4000-8000-000000000001', bizStep: 'commissioning', 'zfc:grower': 'Wang & Sons 王氏' });
      expect(harvest?.['ilmd']).to.deep.equal(HARVEST_JSON.epcisBody.eventList[0]?.ilmd);
      // the same events in the JSON binding: recorded once, whichever binding carried them first
      const again = await finished(await as('POST', '/epcis/capture', JSON.stringify(HARVEST_JSON), 'application/ld+json'));
      expect(again, JSON.stringify(again)).to.include({ success: true, captured: 0, duplicates: 4 });
      expect(await count()).to.equal(4);
    });

    it('answers queries in XML to a reader that asks for it, the same events as in JSON', async () => {
      const query = `/epcis/events?MATCH_anyEPC=${encodeURIComponent('urn:epc:id:sgtin:0695000.030100.R1')}`;
      const json = await as('GET', query);
      expect(json.status, json.text).to.equal(200);
      const xml = await call(t.gw.url, 'GET', query, { key: t.regulatorKey, headers: { accept: 'application/xml' } });
      expect(xml.status, xml.text).to.equal(200);
      expect(xml.headers.get('content-type')).to.match(/^application\/xml/);
      expect(xml.headers.get('vary')).to.match(/accept/i);
      expect(xml.text).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<epcisq:EPCISQueryDocument /);
      const events = json.body.epcisBody.queryResults.resultsBody.eventList as Json[];
      expect(events.length).to.be.greaterThan(2);
      expect((epcisDocumentFromXml(xml.text)['epcisBody'] as Json)['eventList']).to.deep.equal(events);
      const id = String(events[0]?.['eventID']);
      const one = await call(t.gw.url, 'GET', `/epcis/events/${encodeURIComponent(id)}`, { key: t.regulatorKey, headers: { accept: 'text/xml;q=1, application/json;q=0.5' } });
      expect(one.headers.get('content-type')).to.match(/^text\/xml/);
      expect(epcisEventFromXml(one.text)['eventID']).to.equal(id);
      const prefersJson = await call(t.gw.url, 'GET', query, { key: t.regulatorKey, headers: { accept: 'application/json, application/xml;q=0.5' } });
      expect(prefersJson.headers.get('content-type')).to.match(/^application\/ld\+json/);
      // the CBV form an XML reader asks for, named in the answer; a JSON answer keeps values as captured
      const web = await call(t.gw.url, 'GET', query, { key: t.regulatorKey, headers: { accept: 'application/xml', 'GS1-CBV-XML-Format': 'Always_Web_URI' } });
      expect(web.status, web.text).to.equal(200);
      expect(web.headers.get('gs1-cbv-xml-format')).to.equal('Always_Web_URI');
      expect(web.text).to.include('<bizStep>https://ref.gs1.org/cbv/BizStep-commissioning</bizStep>').and.not.match(/urn:epcglobal:cbv:(?:bizstep|disp|btt|sdt|er):/);
      expect(xml.headers.get('gs1-cbv-xml-format')).to.equal('Never_Translates');
      const jsonWeb = await call(t.gw.url, 'GET', query, { key: t.regulatorKey, headers: { 'GS1-CBV-XML-Format': 'Always_Web_URI' } });
      expect(jsonWeb.headers.get('gs1-cbv-xml-format')).to.equal('Never_Translates');
      expect(jsonWeb.body.epcisBody.queryResults.resultsBody.eventList).to.deep.equal(events);
      const unknown = await call(t.gw.url, 'GET', query, { key: t.regulatorKey, headers: { accept: 'application/xml', 'GS1-CBV-XML-Format': 'Sometimes' } });
      expect(unknown.status, unknown.text).to.equal(400);
      expect(unknown.headers.get('content-type')).to.match(/^application\/problem\+xml/);
      expect(unknown.text).to.include('GS1-CBV-XML-Format');
    });

    it('answers capture jobs as the XML binding\'s EPCISCaptureJob to a reader that prefers XML, errors included', async () => {
      const headers = { 'content-type': 'application/xml', accept: 'application/xml' };
      const conflicting = HARVEST_1_2.replace('urn:epcglobal:cbv:disp:active', 'urn:epcglobal:cbv:disp:inactive'); // the first event's eventID, another event
      const accepted = await call(t.gw.url, 'POST', '/epcis/capture', { key: t.regulatorKey, body: conflicting, headers });
      expect(accepted.status, accepted.text).to.equal(202);
      expect(accepted.headers.get('content-type')).to.match(/^application\/xml/);
      const id = /captureID="([^"]+)"/.exec(accepted.text)?.[1] ?? '';
      expect(accepted.headers.get('location')).to.equal(`/epcis/capture/${id}`);
      let xml = '';
      for (let i = 0; i < 500 && !/running="false"/.test(xml); i++) {
        await new Promise((res) => setTimeout(res, 20));
        xml = (await call(t.gw.url, 'GET', `/epcis/capture/${id}`, { key: t.regulatorKey, headers: { accept: 'application/xml' } })).text;
      }
      expect(wellFormed(xml)).to.equal(true);
      expect(xml).to.match(/<epcis:EPCISCaptureJob xmlns:epcis="urn:epcglobal:epcis:xsd:2" [^>]*running="false" success="false" captureID="/);
      expect(xml).to.match(/<captureErrorBehaviour>rollback<\/captureErrorBehaviour><createdAt>[^<]+<\/createdAt><finishedAt>[^<]+<\/finishedAt><errors><error><type>epcisException:[A-Za-z]+<\/type><title>[^<]+<\/title><status>409<\/status><detail>[^<]+<\/detail><zfc:code>EVENT_ID_CONFLICT<\/zfc:code>/);
      expect(xml).to.include('<zfc:eventCount>4</zfc:eventCount>');
      const json = await as('GET', `/epcis/capture/${id}`);
      expect(json.headers.get('content-type')).to.match(/^application\/json/);
      expect(json.body).to.include({ captureID: id, running: false, success: false });
    });

    it('captures one XML event at /epcis/events, and refuses bad XML and other media types, recording nothing', async () => {
      const before = await count();
      const one = await as('POST', '/epcis/events', COLD_CHAIN_2_0.replace(/<ObjectEvent>[\s\S]*<\/ObjectEvent>/, ''));
      expect(one.status, one.text).to.equal(201);
      expect(one.headers.get('location')).to.match(/^\/epcis\/events\/ni%3A%2F%2F%2Fsha-256%3B[0-9a-f]{64}/);
      const bad = await as('POST', '/epcis/capture', HARVEST_1_2.replace('</epcList>', '</epcLis>'));
      expect(bad.status, bad.text).to.equal(400);
      expect(bad.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(bad.body.type).to.equal('epcisException:ValidationException');
      expect(bad.body.error.details.errors[0]).to.include({ line: 13 });
      // well-formed, but its JSON form breaks the schema: the schema's pointer into it
      const invalid = await as('POST', '/epcis/capture', HARVEST_1_2.replace('<action>ADD</action>', '<action>MOVE</action>'));
      expect(invalid.status, invalid.text).to.equal(400);
      expect(JSON.stringify(invalid.body.error.details)).to.include('/epcisBody/eventList/0/action');
      // a reader that prefers XML gets the refusal as the XML binding's EPCISException
      const badXml = await call(t.gw.url, 'POST', '/epcis/capture', { key: t.regulatorKey, body: HARVEST_1_2.replace('</epcList>', '</epcLis>'), headers: { 'content-type': 'application/xml', accept: 'application/xml' } });
      expect(badXml.status).to.equal(400);
      expect(badXml.headers.get('content-type')).to.match(/^application\/problem\+xml/);
      expect(wellFormed(badXml.text)).to.equal(true);
      expect(badXml.text).to.match(/<epcis:EPCISException [^>]*><type>epcisException:ValidationException<\/type><title>[^<]+<\/title><status>400<\/status><detail>[^<]*not well-formed[^<]*<\/detail><instance>\/epcis\/capture<\/instance><zfc:code>INVALID_ARGUMENT<\/zfc:code><zfc:details>/);
      const plain = await as('POST', '/epcis/capture', HARVEST_1_2, 'text/plain');
      expect(plain.status, plain.text).to.equal(415);
      expect(await count()).to.equal(before + 1);
      // a JSON capture is untouched by all this
      const json = await finished(await as('POST', '/epcis/capture', JSON.stringify(documentOf([{ ...(HARVEST_JSON.epcisBody.eventList[3] as Json), eventTime: '2026-03-03T10:00:00Z' }])), 'application/json'));
      expect(json).to.include({ success: true, captured: 1 });
    });
  });
});
