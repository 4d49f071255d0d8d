/* eslint-disable @typescript-eslint/no-explicit-any -- tests reach into arbitrary JSON documents to mutate them */
/**
 * The project's EPCIS 2.0 schema against GS1's: every official example passes both; each
 * mutation that GS1's schema rejects is rejected by ours too, with an error naming the field;
 * hostile documents (10,000 events, deep extensions, huge strings) fail fast and clearly.
 */
import { expect } from 'chai';
import { ZfcError } from '../../chaincode/errors';
import { EPCIS_LIMITS, validateEpcisDocument, validateEpcisEvent } from '../../chaincode/epcis-validate';
import { documentOf, example, exampleNames, objectEvent, officialSchema } from './fixtures';

type Doc = Record<string, any>;

function ourErrors(doc: unknown): Array<{ path: string; message: string }> {
  try {
    validateEpcisDocument(doc);
    return [];
  } catch (err) {
    expect(err).to.be.instanceOf(ZfcError);
    const e = err as ZfcError;
    expect(e.code).to.equal('INVALID_ARGUMENT');
    return e.details['errors'] as Array<{ path: string; message: string }>;
  }
}

describe('EPCIS schema: official examples', () => {
  it('finds the twelve official example documents', () => {
    expect(exampleNames()).to.have.length(12);
  });
  for (const name of exampleNames()) {
    it(`accepts ${name} with both the official schema and ours`, () => {
      const doc = example(name);
      const official = officialSchema();
      expect(official(doc), JSON.stringify(official.errors)).to.equal(true);
      expect(ourErrors(doc)).to.deep.equal([]);
    });
  }
});

/** Each mutation of an official example, with the JSON pointer our error must name. */
const MUTATIONS: Array<{ name: string; file: string; path: string; mutate: (d: Doc) => void }> = [
  { name: 'unknown event type', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/type', mutate: (d) => { d.epcisBody.eventList[0].type = 'TeleportEvent'; } },
  { name: 'missing event type', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/type', mutate: (d) => { delete d.epcisBody.eventList[0].type; } },
  { name: 'bad action', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/1/action', mutate: (d) => { d.epcisBody.eventList[1].action = 'MOVE'; } },
  { name: 'missing action', file: 'Example_9.6.3-AggregationEvent.jsonld', path: '/epcisBody/eventList/0/action', mutate: (d) => { delete d.epcisBody.eventList[0].action; } },
  { name: 'bad eventTime', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/eventTime', mutate: (d) => { d.epcisBody.eventList[0].eventTime = '2005-13-45T25:00:00Z'; } },
  { name: 'missing eventTime', file: 'Example_9.6.2-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/eventTime', mutate: (d) => { delete d.epcisBody.eventList[0].eventTime; } },
  { name: 'bad eventTimeZoneOffset', file: 'Example_9.6.2-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/eventTimeZoneOffset', mutate: (d) => { d.epcisBody.eventList[0].eventTimeZoneOffset = '+25:00'; } },
  { name: 'quantity as a string', file: 'object_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/quantityList/0/quantity', mutate: (d) => { d.epcisBody.eventList[0].quantityList[0].quantity = '200'; } },
  { name: 'quantity without epcClass', file: 'object_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/quantityList/0/epcClass', mutate: (d) => { delete d.epcisBody.eventList[0].quantityList[0].epcClass; } },
  { name: 'lower-case uom', file: 'object_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/quantityList/0/uom', mutate: (d) => { d.epcisBody.eventList[0].quantityList[0].uom = 'kilogram'; } },
  { name: 'EPC as a number', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/epcList/1', mutate: (d) => { d.epcisBody.eventList[0].epcList[1] = 42; } },
  { name: 'epcList as a string', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/epcList', mutate: (d) => { d.epcisBody.eventList[0].epcList = 'urn:epc:id:sgtin:0614141.107346.2017'; } },
  { name: 'bizStep in the CBV URN namespace but not a bare word', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/bizStep', mutate: (d) => { d.epcisBody.eventList[0].bizStep = 'urn:epcglobal:cbv:bizstep:teleporting'; } },
  { name: 'disposition not a CBV word nor a URI', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/disposition', mutate: (d) => { d.epcisBody.eventList[0].disposition = 'on the truck'; } },
  { name: 'readPoint without id', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/readPoint/id', mutate: (d) => { d.epcisBody.eventList[0].readPoint = {}; } },
  { name: 'un-namespaced unknown field', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/colour', mutate: (d) => { d.epcisBody.eventList[0].colour = 'red'; } },
  { name: 'ilmd on an OBSERVE event', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList/0/action', mutate: (d) => { d.epcisBody.eventList[0].ilmd = { 'example:grade': 'A' }; } },
  { name: 'AssociationEvent without parentID', file: 'aggregation_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/parentID', mutate: (d) => { d.epcisBody.eventList[0].type = 'AssociationEvent'; delete d.epcisBody.eventList[0].parentID; } },
  { name: 'TransactionEvent without bizTransactionList', file: 'transaction_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/bizTransactionList', mutate: (d) => { delete d.epcisBody.eventList[0].bizTransactionList; } },
  { name: 'TransformationEvent with inputs but no outputs', file: 'Example_9.6.4-TransformationEvent.jsonld', path: '/epcisBody/eventList/0', mutate: (d) => { const e = d.epcisBody.eventList[0]; delete e.outputEPCList; delete e.outputQuantityList; delete e.transformationID; } },
  { name: 'ObjectEvent with no what', file: 'Example_9.6.2-ObjectEvent.jsonld', path: '/epcisBody/eventList/0', mutate: (d) => { const e = d.epcisBody.eventList[0]; delete e.epcList; delete e.quantityList; } },
  { name: 'source without type', file: 'object_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/sourceList/0/type', mutate: (d) => { delete d.epcisBody.eventList[0].sourceList[0].type; } },
  { name: 'sensorElement without sensorReport', file: 'object_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/sensorElementList/0/sensorReport', mutate: (d) => { delete d.epcisBody.eventList[0].sensorElementList[0].sensorReport; } },
  { name: 'sensor value as a string', file: 'object_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/value', mutate: (d) => { d.epcisBody.eventList[0].sensorElementList[0].sensorReport[0].value = 'warm'; } },
  { name: 'errorDeclaration without declarationTime', file: 'object_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/errorDeclaration/declarationTime', mutate: (d) => { delete d.epcisBody.eventList[0].errorDeclaration.declarationTime; } },
  { name: 'persistentDisposition with an unknown key', file: 'object_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/persistentDisposition/toggle', mutate: (d) => { d.epcisBody.eventList[0].persistentDisposition = { toggle: ['active'] }; } },
  { name: 'certificationInfo as a number', file: 'object_event_all_possible_fields.jsonld', path: '/epcisBody/eventList/0/certificationInfo', mutate: (d) => { d.epcisBody.eventList[0].certificationInfo = 7; } },
  { name: 'document without @context', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/@context', mutate: (d) => { delete d['@context']; } },
  { name: 'document without schemaVersion', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/schemaVersion', mutate: (d) => { delete d.schemaVersion; } },
  { name: 'eventList not an array', file: 'Example_9.6.1-ObjectEvent.jsonld', path: '/epcisBody/eventList', mutate: (d) => { d.epcisBody.eventList = {}; } },
];

describe('EPCIS schema: mutations rejected by both schemas', () => {
  for (const m of MUTATIONS) {
    it(`rejects: ${m.name}`, () => {
      const doc = example(m.file);
      m.mutate(doc);
      expect(officialSchema()(doc), 'the official schema must reject it too').to.equal(false);
      const errors = ourErrors(doc);
      expect(errors.map((e) => e.path)).to.include(m.path);
      for (const e of errors) expect(e.message).to.be.a('string').and.not.equal('');
    });
  }

  it('lists every rejected event of a document, each by its position', () => {
    const events = [0, 1, 2, 3, 4].map((i) => objectEvent(i));
    (events[1] as Doc)['action'] = 'NOPE';
    delete (events[3] as Doc)['eventTime'];
    const errors = ourErrors(documentOf(events)).map((e) => e.path);
    expect(errors).to.include('/epcisBody/eventList/1/action');
    expect(errors).to.include('/epcisBody/eventList/3/eventTime');
    expect(errors.some((p) => p.startsWith('/epcisBody/eventList/0/'))).to.equal(false);
  });

  it('refuses a malformed EPC URN (stricter than the official schema) at its field', () => {
    const doc = documentOf([objectEvent(0, { epcList: ['urn:epc:id:sgtin'] })]);
    expect(ourErrors(doc).map((e) => e.path)).to.include('/epcisBody/eventList/0/epcList/0');
  });

  it('requires @context on a standalone event but not inside a document', () => {
    expect(() => validateEpcisEvent(objectEvent(0))).to.throw(ZfcError).with.property('code', 'INVALID_ARGUMENT');
    expect(validateEpcisEvent(objectEvent(0), { standalone: false })).to.have.property('type', 'ObjectEvent');
    expect(validateEpcisEvent({ '@context': 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', ...objectEvent(0) })).to.have.property('type');
  });
});

describe('EPCIS schema: user extensions', () => {
  function nested(depth: number): unknown {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = { 'ex:level': v };
    return v;
  }

  it('keeps namespaced extensions at the event, ilmd and sensor levels', () => {
    const doc = example('object_event_all_possible_fields.jsonld');
    const before = JSON.stringify(doc);
    validateEpcisDocument(doc);
    expect(JSON.stringify(doc)).to.equal(before);
  });

  it('accepts extensions nested 20 deep (both schemas)', () => {
    const doc = documentOf([objectEvent(0, { 'ex:deep': nested(20) })]);
    expect(officialSchema()(doc)).to.equal(true);
    expect(ourErrors(doc)).to.deep.equal([]);
  });

  it(`refuses extensions nested deeper than ${EPCIS_LIMITS.maxDepth} levels, naming where`, () => {
    const doc = documentOf([objectEvent(0, { 'ex:deep': nested(40) })]);
    const [error] = ourErrors(doc);
    expect(error?.path).to.match(/^\/epcisBody\/eventList\/0\/ex:deep(\/ex:level)+$/);
    expect(error?.message).to.match(/nested deeper than 32/);
  });

  it('refuses extensions nested 100,000 deep without overflowing the stack', () => {
    const [error] = ourErrors(documentOf([objectEvent(0, { 'ex:deep': nested(100_000) })]));
    expect(error?.message).to.match(/nested deeper/);
  });

  it('refuses a string longer than the limit, naming it', () => {
    const doc = documentOf([objectEvent(0, { 'ex:note': 'x'.repeat(EPCIS_LIMITS.maxStringLength + 1) })]);
    expect(ourErrors(doc)).to.deep.equal([{ path: '/epcisBody/eventList/0/ex:note', message: `is longer than ${EPCIS_LIMITS.maxStringLength} characters` }]);
  });

  it('escapes JSON pointer segments (~ and /) in error paths', () => {
    const doc = documentOf([objectEvent(0, { 'a/b~c': 1 })]);
    expect(ourErrors(doc).map((e) => e.path)).to.include('/epcisBody/eventList/0/a~1b~0c');
  });
});

describe('EPCIS schema: 10,000 events', () => {
  it('accepts a document of exactly 10,000 events (both schemas)', () => {
    const doc = documentOf(Array.from({ length: 10_000 }, (_, i) => objectEvent(i)));
    expect(ourErrors(doc)).to.deep.equal([]);
    expect(officialSchema()(doc)).to.equal(true);
  });

  it('refuses 10,001 events as too large, with one clear error, before validating any event', () => {
    const events = Array.from({ length: 10_001 }, (_, i) => objectEvent(i));
    (events[5] as Doc)['action'] = 'NOPE'; // never reached: the count fails first
    let caught: ZfcError | undefined;
    try {
      validateEpcisDocument(documentOf(events));
    } catch (err) {
      caught = err as ZfcError;
    }
    expect(caught?.code).to.equal('PAYLOAD_TOO_LARGE');
    expect(caught?.status).to.equal(413);
    expect(caught?.details['errors']).to.deep.equal([
      { path: '/epcisBody/eventList', message: 'has 10001 events; at most 10000 are accepted in one document' },
    ]);
  });

  it('caps the reported errors of a document full of bad events', () => {
    const events = Array.from({ length: 10_000 }, (_, i) => objectEvent(i, { action: 'NOPE' }));
    let caught: ZfcError | undefined;
    try {
      validateEpcisDocument(documentOf(events));
    } catch (err) {
      caught = err as ZfcError;
    }
    expect(caught?.code).to.equal('INVALID_ARGUMENT');
    expect((caught?.details['errors'] as unknown[]).length).to.equal(EPCIS_LIMITS.maxReportedErrors);
  });
});
