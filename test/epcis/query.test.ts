/**
 * The query interface's parameters parsed into a plan (identifiers normalised, CBV values in
 * any form, patterns as prefixes, unknown parameters refused), the shared matcher, and the
 * EPCISQueryDocument written from stored events (valid against GS1's schema and ours).
 */
import { expect } from 'chai';
import { ZfcError } from '../../chaincode/errors';
import { eventIdentifiers } from '../../chaincode/epcis-identifiers';
import type { StoredEpcisEvent } from '../../chaincode/epcis-ledger';
import { matchesPlan } from '../../chaincode/epcis-match';
import { validateEpcisQueryDocument } from '../../chaincode/epcis-validate';
import { parseEpcisQuery, queryDocument } from '../../gateway-api/epcis-query';
import { example, exampleNames, objectEvent, officialSchema } from './fixtures';

function stored(event: Record<string, unknown>, context: unknown = undefined): StoredEpcisEvent {
  return {
    eventID: `urn:uuid:${String(event['eventTime'])}`,
    generatedID: false,
    recordTime: '2026-06-01T00:00:00.000Z',
    eventTime: new Date(Date.parse(String(event['eventTime']))).toISOString(),
    capturedBy: 'P-1',
    txId: 'tx',
    ids: eventIdentifiers(event),
    ...(context !== undefined ? { context } : {}),
    event,
  };
}

function refusal(query: Record<string, string>): ZfcError {
  try {
    parseEpcisQuery(query);
  } catch (err) {
    expect(err).to.be.instanceOf(ZfcError);
    return err as ZfcError;
  }
  throw new Error('expected a refusal');
}

describe('EPCIS query parameters', () => {
  it('parses every supported parameter into a plan with canonical identifiers', () => {
    const { plan, pageToken } = parseEpcisQuery({
      eventType: 'ObjectEvent,AggregationEvent',
      GE_eventTime: '2026-03-01T16:00:00+08:00',
      LT_eventTime: '2026-03-02T00:00:00Z',
      GE_recordTime: '2026-03-01T00:00:00Z',
      EQ_bizStep: ['urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-receiving'],
      EQ_disposition: 'in_transit',
      EQ_readPoint: 'urn:epc:id:sgln:0614141.07346.1234',
      EQ_bizLocation: 'https://example.cn/414/0614141073467',
      MATCH_epc: 'urn:epc:id:sgtin:0614141.107346.2017',
      MATCH_anyEPC: 'urn:epc:idpat:sgtin:0614141.107346.*',
      MATCH_parentID: 'urn:epc:id:sscc:0614141.1234567890',
      MATCH_inputEPC: 'https://id.gs1.org/01/10614141073464/21/1',
      MATCH_outputEPC: 'https://id.gs1.org/01/10614141073464/21/2',
      MATCH_epcClass: 'urn:epc:class:lgtin:4012345.012345.998877',
      EQ_eventID: 'urn:uuid:1',
      perPage: '25',
      nextPageToken: 'ZXBjaXMudA',
    });
    expect(pageToken).to.equal('ZXBjaXMudA');
    expect(plan).to.deep.equal({
      perPage: 25,
      eventTypes: ['ObjectEvent', 'AggregationEvent'],
      geEventTime: '2026-03-01T08:00:00.000Z',
      ltEventTime: '2026-03-02T00:00:00.000Z',
      geRecordTime: '2026-03-01T00:00:00.000Z',
      bizSteps: ['shipping', 'receiving'],
      dispositions: ['in_transit'],
      readPoints: ['https://id.gs1.org/414/0614141073467/254/1234'],
      bizLocations: ['https://id.gs1.org/414/0614141073467'],
      epcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/2017', prefix: false }],
      anyEpcs: [{ value: 'https://id.gs1.org/01/10614141073464', prefix: true }],
      parentIDs: [{ value: 'https://id.gs1.org/00/106141412345678908', prefix: false }],
      inputEpcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/1', prefix: false }],
      outputEpcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/2', prefix: false }],
      epcClasses: [{ value: 'https://id.gs1.org/01/04012345123456/10/998877', prefix: false }],
      eventIDs: ['urn:uuid:1'],
    });
  });

  it('parses the typed families, actions, transformation IDs and error declarations, CBV values in any form', () => {
    const { plan } = parseEpcisQuery({
      EQ_bizTransaction_po: 'urn:epc:id:gdti:0614141.00001.1618034,http://transaction.acme.com/po/12345678',
      'EQ_bizTransaction_urn:epcglobal:cbv:btt:desadv': 'urn:epcglobal:cbv:bt:0614141073467:1152',
      'EQ_bizTransaction_https://example.org/tt/contract': 'https://example.org/contracts/7',
      EQ_source_location: 'urn:epc:id:sgln:4012345.00225.0',
      'EQ_destination_https://ref.gs1.org/cbv/SDT-owning_party': 'https://example.cn/417/0614141007776',
      EQ_action: 'ADD,DELETE',
      EQ_transformationID: 'urn:epc:id:gdti:0614141.12345.400',
      EXISTS_errorDeclaration: '',
      EQ_errorReason: 'https://ref.gs1.org/cbv/ER-incorrect_data',
      EQ_correctiveEventID: 'urn:uuid:9',
    });
    expect(plan).to.deep.equal({
      perPage: 100,
      bizTransactions: [
        { type: 'po', values: ['https://id.gs1.org/253/06141410000121618034', 'http://transaction.acme.com/po/12345678'] },
        { type: 'desadv', values: ['urn:epcglobal:cbv:bt:0614141073467:1152'] },
        { type: 'https://example.org/tt/contract', values: ['https://example.org/contracts/7'] },
      ],
      sources: [{ type: 'location', values: ['https://id.gs1.org/414/4012345002256'] }],
      destinations: [{ type: 'owning_party', values: ['https://id.gs1.org/417/0614141007776'] }],
      actions: ['ADD', 'DELETE'],
      transformationIDs: ['https://id.gs1.org/253/0614141123452400'],
      errorDeclared: true,
      errorReasons: ['incorrect_data'],
      correctiveEventIDs: ['urn:uuid:9'],
    });
    expect(parseEpcisQuery({ EXISTS_errorDeclaration: 'true' }).plan).to.deep.equal({ perPage: 100, errorDeclared: true });
  });

  it('orders by eventTime, recordTime or an extension field: orderBy alone is latest first, as the standard says, and orderDirection alone sets the direction', () => {
    expect(parseEpcisQuery({ orderBy: 'eventTime' }).order).to.deep.equal({ by: 'eventTime', direction: 'DESC' });
    expect(parseEpcisQuery({ orderBy: 'eventTime', orderDirection: 'ASC' }).order).to.deep.equal({ by: 'eventTime', direction: 'ASC' });
    expect(parseEpcisQuery({ orderDirection: 'DESC' }).order).to.deep.equal({ by: 'eventTime', direction: 'DESC' });
    expect(parseEpcisQuery({ orderBy: 'recordTime' }).order).to.deep.equal({ by: 'recordTime', direction: 'DESC' });
    expect(parseEpcisQuery({ orderBy: 'ex:temperature', orderDirection: 'ASC' }).order).to.deep.equal({ by: 'field', field: { name: 'ex:temperature' }, direction: 'ASC' });
    expect(parseEpcisQuery({ orderBy: 'ex:temperature' }, {}, { ex: 'https://example.org/ext/' }).order).to.deep.equal({ by: 'field', field: { name: 'ex:temperature', iri: 'https://example.org/ext/temperature' }, direction: 'DESC' });
    expect(parseEpcisQuery({ orderBy: 'https://example.org/ext/temperature' }).order).to.deep.equal({ by: 'field', field: { name: 'https://example.org/ext/temperature', iri: 'https://example.org/ext/temperature' }, direction: 'DESC' });
    expect(parseEpcisQuery({ MATCH_epc: 'urn:epc:id:sgtin:0614141.107346.2017' }).order).to.equal(undefined);
  });

  const BAD: Array<[string, Record<string, string>]> = [
    ['an unknown parameter', { EQ_colour: 'red' }],
    ['an unknown event type', { eventType: 'TeleportEvent' }],
    ['a time without a zone', { GE_eventTime: '2026-03-01T08:00:00' }],
    ['two lower bounds', { GE_eventTime: '2026-03-01T08:00:00Z,2026-03-02T08:00:00Z' }],
    ['perPage zero', { perPage: '0' }],
    ['perPage too large', { perPage: '1001' }],
    ['a malformed GS1 identifier', { MATCH_epc: 'urn:epc:id:sgtin:0614141.107346' }],
    ['a forged page token', { nextPageToken: '../../etc' }],
    ['an empty value', { EQ_bizStep: '' }],
    ['a business transaction type outside the CBV that is not a URI', { EQ_bizTransaction_purchase: 'urn:x:1' }],
    ['a CBV URI that is no business transaction type', { 'EQ_bizTransaction_urn:epcglobal:cbv:btt:teleport': 'urn:x:1' }],
    ['a source type of another vocabulary', { 'EQ_source_urn:epcglobal:cbv:btt:po': 'urn:epc:id:sgln:4012345.00225.0' }],
    ['a typed family without a type', { EQ_destination_: 'urn:epc:id:sgln:4012345.00225.0' }],
    ['a malformed GS1 identifier as a source', { EQ_source_location: 'urn:epc:id:sgln:4012345.00225' }],
    ['an action outside the standard', { EQ_action: 'MOVE' }],
    ['a value for EXISTS_errorDeclaration', { EXISTS_errorDeclaration: 'false' }],
    ['an order by a standard field other than the two times', { orderBy: 'quantity' }],
    ['an order by something that names no field', { orderBy: 'ex temperature' }],
    ['eventCountLimit without orderBy (EPCIS 8.2.7.1)', { eventCountLimit: '3' }],
    ['a direction outside the standard', { orderDirection: 'UP' }],
    ['two directions', { orderDirection: 'ASC,DESC' }],
  ];
  for (const [what, query] of BAD) {
    it(`refuses ${what}, naming the parameter`, () => {
      const err = refusal(query);
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.details['errors']).to.have.nested.property('[0].path', `/query/${Object.keys(query)[0]}`);
    });
  }
});

describe('EPCIS query matching and answers', () => {
  const urn = stored(objectEvent(0, { bizStep: 'shipping' }));
  const dl = stored(objectEvent(2, { epcList: ['https://shop.example.cn/01/10614141073464/21/2'], bizStep: 'receiving', disposition: 'in_progress' }));

  it('matches a URN query against a Digital Link event and a pattern against every serial', () => {
    const { plan } = parseEpcisQuery({ MATCH_epc: 'urn:epc:id:sgtin:0614141.107346.2' });
    expect([urn, dl].filter((e) => matchesPlan(e, plan))).to.deep.equal([dl]);
    const pattern = parseEpcisQuery({ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.107346.*' }).plan;
    expect([urn, dl].filter((e) => matchesPlan(e, pattern))).to.have.length(2);
    const both = parseEpcisQuery({ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.107346.*', EQ_disposition: 'in_progress' }).plan;
    expect([urn, dl].filter((e) => matchesPlan(e, both))).to.deep.equal([dl]);
  });

  it('gives every event the same frozen empty list for each identifier list it lacks, and its own list otherwise', () => {
    const a = eventIdentifiers(objectEvent(0));
    const b = eventIdentifiers(objectEvent(1, { sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00001' }] }));
    expect(a.childEPCs).to.equal(b.childEPCs).and.deep.equal([]);
    expect(Object.isFrozen(a.sources)).to.equal(true);
    expect(b.sources).to.deep.equal(['https://id.gs1.org/417/0614141000012']).and.not.equal(a.sources);
    expect(a.epcList).to.not.equal(b.epcList);
  });

  it('writes an EPCISQueryDocument valid against GS1\'s schema and ours, with the events\' namespaces', () => {
    const ext = stored(objectEvent(3, { 'ex:grade': 'A' }), [{ ex: 'https://example.org/ext/' }]);
    const clash = stored(objectEvent(4, { 'ex:grade': 'B' }), [{ ex: 'https://other.example/' }]);
    const doc = queryDocument([urn, ext, clash], '2026-06-01T00:00:00.000Z');
    expect(officialSchema()(doc), JSON.stringify(officialSchema().errors)).to.equal(true);
    validateEpcisQueryDocument(doc);
    expect(doc['@context']).to.deep.equal(['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.org/ext/' }]);
    const list = (doc['epcisBody'] as { queryResults: { resultsBody: { eventList: Array<Record<string, unknown>> } } }).queryResults.resultsBody.eventList;
    expect(list[2]?.['@context']).to.deep.equal([{ ex: 'https://other.example/' }]);
    expect(list[0]).to.include({ eventID: urn.eventID, recordTime: urn.recordTime });
  });
});

describe('EPCIS query matching over GS1\'s examples: business transactions, sources and destinations, actions, error declarations', () => {
  // every event of every official example, named `file[index]`
  const all = exampleNames().flatMap((name) =>
    (example(name)['epcisBody'].eventList as Array<Record<string, unknown>>).map((event, i) => ({ label: `${name.replace('.jsonld', '')}[${i}]`, stored: stored(event) })),
  );
  const matching = (query: Record<string, string>): string[] => {
    const { plan } = parseEpcisQuery(query);
    return all.filter((e) => matchesPlan(e.stored, plan)).map((e) => e.label);
  };
  const ALL_FIELDS = ['aggregation_event_all_possible_fields[0]', 'object_event_all_possible_fields[0]', 'transaction_event_all_possible_fields[0]', 'transformation_event_all_possible_fields[0]'];

  it('finds events by a business transaction of a type, the URN and Digital Link forms alike, and never by a value of another type', () => {
    expect(matching({ EQ_bizTransaction_desadv: 'urn:epcglobal:cbv:bt:0614141073467:1152' })).to.deep.equal(['Example_9.6.1-ObjectEvent[1]', 'Example_9.6.1-ObjectEventWithDigitalLink[1]']);
    expect(matching({ EQ_bizTransaction_po: 'http://transaction.acme.com/po/12345678' })).to.have.length(4);
    // the examples name the GDTI by URN; the query by Digital Link
    expect(matching({ EQ_bizTransaction_po: 'https://id.gs1.org/253/06141410000121618034' })).to.deep.equal(ALL_FIELDS);
    expect(matching({ EQ_bizTransaction_desadv: 'urn:epc:id:gdti:0614141.00001.1618034' })).to.deep.equal([]);
    // two types: both must be there
    expect(matching({ EQ_bizTransaction_po: 'http://transaction.acme.com/po/12345678', EQ_bizTransaction_desadv: 'urn:epcglobal:cbv:bt:0614141073467:1152' })).to.have.length(2);
  });

  it('finds events by a source or destination of a type', () => {
    expect(matching({ EQ_source_possessing_party: 'https://id.gs1.org/414/4012345000016' })).to.deep.equal(['Example_9.6.2-ObjectEvent[0]', 'Example_9.6.2-ObjectEventWithDigitalLink[0]']);
    expect(matching({ EQ_source_location: 'urn:epc:id:sgln:4012345.00225.0' })).to.have.length(6);
    expect(matching({ EQ_destination_owning_party: 'urn:epc:id:pgln:0614141.00777' })).to.deep.equal(ALL_FIELDS);
    expect(matching({ EQ_destination_possessing_party: 'urn:epc:id:sgln:0614141.00777.0' })).to.deep.equal([]); // that GLN is their location
  });

  it('finds events by action and by transformationID', () => {
    expect(matching({ EQ_action: 'ADD' })).to.deep.equal(['object_event_all_possible_fields[0]', 'transaction_event_all_possible_fields[0]']);
    expect(matching({ EQ_action: 'OBSERVE' })).to.have.length(9);
    expect(matching({ EQ_transformationID: 'https://id.gs1.org/253/0614141123452400' })).to.deep.equal(['transformation_event_all_possible_fields[0]']);
  });

  it('finds events declared erroneous, by reason and corrective event, whether declared at capture or later', () => {
    expect(matching({ EXISTS_errorDeclaration: '' })).to.deep.equal(ALL_FIELDS);
    expect(matching({ EQ_errorReason: 'urn:epcglobal:cbv:er:incorrect_data' })).to.deep.equal(ALL_FIELDS);
    expect(matching({ EQ_errorReason: 'did_not_occur' })).to.deep.equal([]);
    expect(matching({ EQ_correctiveEventID: 'ni:///sha-256;fec9667280c4710a3fa9558b7bc8ddc2ced0dc442d87f82becae24bb6ca6a46f?ver=CBV2.0' })).to.deep.equal(ALL_FIELDS);
    const later = { ...stored(objectEvent(7)), declaration: { errorDeclaration: { declarationTime: '2026-06-02T00:00:00.000Z', reason: 'did_not_occur' }, declaredBy: 'P-1', declaredAt: '2026-06-02T00:00:00.000Z', txId: 'tx2' } };
    const plain = stored(objectEvent(8));
    for (const [query, expected] of [[{ EXISTS_errorDeclaration: 'true' }, [later]], [{ EQ_errorReason: 'did_not_occur' }, [later]], [{ EQ_errorReason: 'incorrect_data' }, []]] as const) {
      const { plan } = parseEpcisQuery(query);
      expect([later, plain].filter((e) => matchesPlan(e, plan)), JSON.stringify(query)).to.deep.equal(expected);
    }
  });
});
