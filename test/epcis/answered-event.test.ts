/**
 * An answered event (chaincode/epcis-ledger.ts answeredEvent) is exactly what the object spread
 * it replaced gave — `{ ...event, eventID, recordTime, ...declared }` — field for field and in the
 * same order, for every event of GS1's examples and for the awkward cases: an event that already
 * names its eventID or recordTime, and a field named `__proto__`, which JSON.parse makes an own
 * field and a careless copy would turn into the copy's prototype.
 */
import { expect } from 'chai';
import { answeredEvent, copyOf, type StoredEpcisEvent } from '../../chaincode/epcis-ledger';
import { eventIdentifiers } from '../../chaincode/epcis-identifiers';
import { example, exampleNames, objectEvent } from './fixtures';

type Json = Record<string, unknown>;

function stored(event: Json, declared?: Json): StoredEpcisEvent {
  return {
    eventID: 'ni:///sha-256;0f0e?ver=CBV2.0',
    generatedID: true,
    recordTime: '2026-11-30T08:00:00.000Z',
    eventTime: '2026-03-01T08:00:00.000Z',
    capturedBy: 'P-1',
    txId: 'tx-1',
    ids: eventIdentifiers(objectEvent(0)),
    event,
    ...(declared ? { declaration: { errorDeclaration: declared, declaredBy: 'P-1', declaredAt: '2026-11-30T09:00:00.000Z', txId: 'tx-2' } } : {}),
  };
}

/** What answeredEvent gave before it was written out: the spread. */
function spread(s: StoredEpcisEvent): Json {
  const declared = s.declaration ? { errorDeclaration: s.declaration.errorDeclaration } : {};
  return { ...s.event, eventID: s.eventID, recordTime: s.recordTime, ...declared };
}

/** Field names and values in order, `__proto__` included (JSON.stringify writes own fields only). */
const inOrder = (o: Json): string => JSON.stringify(Object.keys(o).map((k) => [k, o[k]]));

describe('EPCIS: an answered event', () => {
  it('is the event with its eventID and recordTime after its own fields, as the spread gave it, for every GS1 example event', () => {
    let events = 0;
    for (const name of exampleNames()) {
      const doc = example(name);
      const list = (doc['epcisBody']?.['eventList'] ?? doc['epcisBody']?.['queryResults']?.['resultsBody']?.['eventList'] ?? []) as Json[];
      for (const event of list) {
        for (const declared of [undefined, { declarationTime: '2026-11-30T09:00:00.000Z', reason: 'incorrect_data' }]) {
          const s = stored(event, declared);
          const answer = answeredEvent(s);
          expect(inOrder(answer), name).to.equal(inOrder(spread(s)));
          expect(answer).to.deep.equal(spread(s));
          events++;
        }
      }
    }
    expect(events).to.be.greaterThan(20);
  });

  it('keeps an eventID or recordTime the event already names in its place, with the stored value', () => {
    const event = { eventID: 'urn:uuid:given', type: 'ObjectEvent', recordTime: '2020-01-01T00:00:00Z', eventTime: '2026-03-01T08:00:00Z' };
    const answer = answeredEvent(stored(event));
    expect(Object.keys(answer)).to.deep.equal(['eventID', 'type', 'recordTime', 'eventTime']);
    expect(answer['eventID']).to.equal('ni:///sha-256;0f0e?ver=CBV2.0');
    expect(answer['recordTime']).to.equal('2026-11-30T08:00:00.000Z');
    expect(event.recordTime).to.equal('2020-01-01T00:00:00Z'); // a copy: the stored event is untouched
  });

  it('keeps a field named __proto__ as an own field and the answer a plain object', () => {
    const event = JSON.parse('{"type":"ObjectEvent","__proto__":{"polluted":true},"eventTime":"2026-03-01T08:00:00Z"}') as Json;
    const answer = answeredEvent(stored(event));
    expect(Object.getPrototypeOf(answer)).to.equal(Object.prototype);
    expect((answer as { polluted?: unknown }).polluted).to.equal(undefined);
    expect(Object.keys(answer)).to.deep.equal(['type', '__proto__', 'eventTime', 'eventID', 'recordTime']);
    expect(inOrder(answer)).to.equal(inOrder(spread(stored(event))));
    const copy = copyOf(event);
    expect(Object.getPrototypeOf(copy)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).to.deep.equal({ polluted: true });
  });
});
