/**
 * The event hash ID and identifier normalisation: the same event, however it is written (key
 * order, URN or Digital Link, CBV URN or bare word, time zone, namespace prefix), gets the same
 * ID; any change of what happened changes it; the record-keeping fields do not.
 */
import { expect } from 'chai';
import { ZfcError } from '../../chaincode/errors';
import { eventHashId, eventPreHash } from '../../chaincode/epcis-event-hash';
import { anyEpcs, eventIdentifiers } from '../../chaincode/epcis-identifiers';
import { example, exampleNames } from './fixtures';

const URN_EVENT = {
  type: 'ObjectEvent',
  eventTime: '2026-03-01T16:00:00.000+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'in_transit',
  epcList: ['urn:epc:id:sgtin:0614141.107346.2018', 'urn:epc:id:sgtin:0614141.107346.2017'],
  quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 200, uom: 'KGM' }],
  readPoint: { id: 'urn:epc:id:sgln:0614141.07346.1234' },
  sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:4012345.00225' }],
  'ex:note': { 'ex:grade': 'A' },
};

const DL_EVENT = {
  'ex2:note': { 'ex2:grade': 'A' },
  sourceList: [{ source: 'https://example.com/417/4012345002256', type: 'urn:epcglobal:cbv:sdt:owning_party' }],
  readPoint: { id: 'https://id.gs1.org/414/0614141073467/254/1234' },
  quantityList: [{ uom: 'KGM', quantity: 200.0, epcClass: 'https://shop.example.cn/01/04012345123456/10/998877' }],
  epcList: ['https://id.gs1.org/01/10614141073464/21/2017', 'https://id.gs1.org/01/10614141073464/21/2018'],
  disposition: 'urn:epcglobal:cbv:disp:in_transit',
  bizStep: 'urn:epcglobal:cbv:bizstep:shipping',
  action: 'OBSERVE',
  eventTimeZoneOffset: '+08:00',
  eventTime: '2026-03-01T08:00:00Z',
  type: 'ObjectEvent',
};

const CONTEXT_A = [{ ex: 'https://example.org/ext/' }];
const CONTEXT_B = [{ ex2: 'https://example.org/ext/' }];

describe('EPCIS event hash ID', () => {
  it('has the ni:///sha-256;…?ver=CBV2.0 form', () => {
    expect(eventHashId(URN_EVENT, CONTEXT_A)).to.match(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  });

  it('is the same for the URN and Digital Link forms, any key order, CBV URNs, time zones and prefixes', () => {
    expect(eventPreHash(DL_EVENT, CONTEXT_B)).to.equal(eventPreHash(URN_EVENT, CONTEXT_A));
    expect(eventHashId(DL_EVENT, CONTEXT_B)).to.equal(eventHashId(URN_EVENT, CONTEXT_A));
  });

  it('writes the pre-hash string in the documented order and forms', () => {
    expect(eventPreHash(URN_EVENT, CONTEXT_A)).to.equal(
      'eventType=ObjectEventeventTime=2026-03-01T08:00:00.000ZeventTimeZoneOffset=+08:00' +
        'epcListepc=https://id.gs1.org/01/10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/21/2018' +
        'quantityListquantityElementepcClass=https://id.gs1.org/01/04012345123456/10/998877quantity=200uom=KGM' +
        'action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit' +
        'readPointid=https://id.gs1.org/414/0614141073467/254/1234' +
        'sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/4012345002256' +
        '{https://example.org/ext/}note{https://example.org/ext/}grade=A',
    );
  });

  it('takes extension keys and CURIE values named like Object\'s own properties as words, not as functions', () => {
    const odd = { type: 'ObjectEvent', eventTime: '2026-03-01T08:00:00Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE', 'constructor:x': 1, 'ex:a': 'toString:zz' };
    const pre = eventPreHash(odd, [{ ex: 'https://example.org/ext/' }]);
    expect(pre).to.not.match(/native code|function/);
    expect(pre).to.contain('constructor:x=1').and.to.contain('{https://example.org/ext/}a=toString:zz');
  });

  it('ignores eventID, recordTime, errorDeclaration, comments and @context', () => {
    const recorded = {
      ...URN_EVENT,
      eventID: 'urn:uuid:1',
      recordTime: '2026-03-02T00:00:00Z',
      errorDeclaration: { declarationTime: '2026-03-03T00:00:00Z', reason: 'incorrect_data' },
      'rdfs:comment': 'a note for people',
      '@context': 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
    };
    expect(eventHashId(recorded, CONTEXT_A)).to.equal(eventHashId(URN_EVENT, CONTEXT_A));
  });

  const CHANGES: Array<[string, Record<string, unknown>]> = [
    ['eventTime', { eventTime: '2026-03-01T16:00:00.001+08:00' }],
    ['action', { action: 'ADD' }],
    ['bizStep', { bizStep: 'receiving' }],
    ['one EPC', { epcList: ['urn:epc:id:sgtin:0614141.107346.2018'] }],
    ['a quantity', { quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 201, uom: 'KGM' }] }],
    ['an extension value', { 'ex:note': { 'ex:grade': 'B' } }],
    ['an added bizLocation', { bizLocation: { id: 'urn:epc:id:sgln:0614141.07346.0' } }],
    ['an added certificationInfo', { certificationInfo: 'https://cert.example.org/1' }],
  ];
  for (const [what, change] of CHANGES) {
    it(`changes when ${what} changes`, () => {
      expect(eventHashId({ ...URN_EVENT, ...change }, CONTEXT_A)).to.not.equal(eventHashId(URN_EVENT, CONTEXT_A));
    });
  }

  /**
   * Test vectors of GS1's reference generator (github.com/RalphTro/epcis-event-hash-generator,
   * MIT licence, tests/examples at commit 5d2f1c3): the event, its document's @context, and the
   * hash the reference computes. 39 of the 43 events of its JSON-LD examples agree; the others
   * use its configurable ignore list (repository-specific fields) or GS1 keys that
   * digital-link.ts does not convert (GINC, ITIP, UPUI, CPI patterns).
   */
  const REFERENCE: Array<[string, Record<string, unknown>, unknown, string]> = [
    ['a shipping ObjectEvent in EPC URNs', {
      type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit',
      epcList: ['urn:epc:id:sgtin:0614141.107346.2017', 'urn:epc:id:sgtin:0614141.107346.2018'],
      eventTime: '2022-02-16T20:33:31.116000-06:00', eventTimeZoneOffset: '-06:00',
      readPoint: { id: 'urn:epc:id:sgln:0614141.07346.1234' },
      bizTransactionList: [{ type: 'po', bizTransaction: 'http://transaction.acme.com/po/12345678' }],
    }, ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { gs1: 'https://gs1.org/voc/' }],
    'ni:///sha-256;ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2.0'],
    ['a user extension', {
      type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit',
      epcList: ['urn:epc:id:sgtin:0614141.107346.2017', 'urn:epc:id:sgtin:0614141.107346.2018'],
      eventTime: '2022-02-15T01:33:31.116000-06:00', eventTimeZoneOffset: '-06:00',
      readPoint: { id: 'urn:epc:id:sgln:0614141.07346.1234' },
      bizTransactionList: [{ type: 'po', bizTransaction: 'http://transaction.acme.com/po/12345678' }],
      'example:myField': 'myValue',
    }, ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: 'https://ns.example.com/epcis/' }, { rdfs: 'http://www.w3.org/2000/01/rdf-schema#' }],
    'ni:///sha-256;21dd1a31d0f157e383537b622583411b57f181f4bdec078ca8cce09f8f08d03a?ver=CBV2.0'],
    ['a 4th decimal of a second rounding up, on a custom domain', {
      type: 'ObjectEvent', eventTime: '2023-02-02T11:04:03.1415Z', eventTimeZoneOffset: '+01:00',
      epcList: ['https://id.gs1.de/00/040123451111111110'], action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit',
      readPoint: { id: 'https://id.gs1.de/414/4012345000115' },
    }, ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    'ni:///sha-256;af7658e711574363633f20b3dadc7bc4c13c6f612cf96d95e03c421c0e58f3c6?ver=CBV2.0'],
    ['sensor reports with CURIE values', {
      type: 'ObjectEvent', eventTime: '2022-04-07T10:00:00.000Z', eventTimeZoneOffset: '+01:00',
      epcList: ['https://id.example.com/8003/040123450007718765'], action: 'OBSERVE', bizStep: 'sensor_reporting',
      readPoint: { id: 'https://id.example.com/414/4012345000054' },
      sensorElementList: [{ sensorReport: [
        { type: 'gs1:Angle', value: 42.698334, component: 'cbv:Comp-latitude', uom: 'DD', coordinateReferenceSystem: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84' },
        { type: 'gs1:Angle', value: 23.319941, component: 'cbv:Comp-longitude', uom: 'DD', coordinateReferenceSystem: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84' },
      ] }],
    }, ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { cbv: 'https://ref.gs1.org/cbv/' }, { gs1: 'https://gs1.org/voc/' }],
    'ni:///sha-256;bb12b0e4a573819c15796579560efbe6bd5e337f5c8c5cdf81f983a39947f629?ver=CBV2.0'],
  ];
  for (const [what, event, context, expected] of REFERENCE) {
    it(`agrees with GS1's reference generator: ${what}`, () => {
      expect(eventHashId(event, context)).to.equal(expected);
    });
  }

  it('gives GS1\'s 9.6.4 TransformationEvent the same ID in its URN and Digital Link forms', () => {
    const urn = example('Example_9.6.4-TransformationEvent.jsonld');
    const dl = example('Example_9.6.4-TransformationEventWithDigitalLink.jsonld');
    expect(eventHashId(urn['epcisBody'].eventList[0], urn['@context'])).to.equal(eventHashId(dl['epcisBody'].eventList[0], dl['@context']));
  });

  it('hashes the other events of the twelve official examples to distinct IDs', () => {
    const ids = new Set<string>();
    let count = 0;
    for (const name of exampleNames().filter((n) => n !== 'Example_9.6.4-TransformationEventWithDigitalLink.jsonld')) {
      const doc = example(name);
      for (const e of doc['epcisBody'].eventList as Array<Record<string, unknown>>) {
        ids.add(eventHashId(e, doc['@context']));
        count++;
      }
    }
    expect(ids.size).to.equal(count);
  });
});

describe('EPCIS identifier normalisation', () => {
  it('gives one canonical Digital Link for each identifier, whichever form it came in', () => {
    const a = eventIdentifiers(URN_EVENT);
    const b = eventIdentifiers(DL_EVENT);
    expect(a).to.deep.equal(b);
    expect(a.epcList).to.deep.equal(['https://id.gs1.org/01/10614141073464/21/2017', 'https://id.gs1.org/01/10614141073464/21/2018']);
    expect(a.epcClasses).to.deep.equal(['https://id.gs1.org/01/04012345123456/10/998877']);
    expect(a.readPoint).to.equal('https://id.gs1.org/414/0614141073467/254/1234');
    expect(a.sources).to.deep.equal(['https://id.gs1.org/417/4012345002256']);
  });

  it('normalises parents, children, inputs and outputs', () => {
    for (const name of exampleNames()) {
      const doc = example(name);
      for (const e of doc['epcisBody'].eventList as Array<Record<string, unknown>>) {
        for (const id of anyEpcs(eventIdentifiers(e))) expect(id).to.not.match(/^urn:epc:id:/);
      }
    }
  });

  it('leaves the event as captured untouched', () => {
    const copy = JSON.parse(JSON.stringify(URN_EVENT)) as Record<string, unknown>;
    eventIdentifiers(copy);
    eventHashId(copy, CONTEXT_A);
    expect(copy).to.deep.equal(URN_EVENT);
  });

  it('refuses a malformed GS1 identifier, naming its field', () => {
    const bad = { ...URN_EVENT, epcList: ['urn:epc:id:sgtin:0614141.107346.2017', 'https://id.gs1.org/01/10614141073465/21/1'] };
    try {
      eventIdentifiers(bad, '/epcisBody/eventList/4');
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(ZfcError);
      expect((err as ZfcError).code).to.equal('INVALID_ARGUMENT');
      expect((err as ZfcError).details['errors']).to.have.nested.property('[0].path', '/epcisBody/eventList/4/epcList/1');
    }
  });
});
