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
        'sourceListsource=https://id.gs1.org/417/4012345002256type=https://ref.gs1.org/cbv/SDT-owning_party' +
        '{https://example.org/ext/}note{https://example.org/ext/}grade=A',
    );
  });

  it('ignores eventID, recordTime, errorDeclaration, certificationInfo and @context', () => {
    const recorded = {
      ...URN_EVENT,
      eventID: 'urn:uuid:1',
      recordTime: '2026-03-02T00:00:00Z',
      errorDeclaration: { declarationTime: '2026-03-03T00:00:00Z', reason: 'incorrect_data' },
      certificationInfo: 'https://cert.example.org/1',
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
  ];
  for (const [what, change] of CHANGES) {
    it(`changes when ${what} changes`, () => {
      expect(eventHashId({ ...URN_EVENT, ...change }, CONTEXT_A)).to.not.equal(eventHashId(URN_EVENT, CONTEXT_A));
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
