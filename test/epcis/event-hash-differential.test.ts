/**
 * The event hash and identifier collection against the implementation they replaced
 * (event-hash-reference.ts, identifiers through the full parsers): on GS1's example events and
 * on thousands of generated ones — valid and hostile times, identifiers in every form, CBV
 * words, URNs and CURIEs, user extensions nested with arrays and nulls, keys that are also
 * names of Object.prototype — the pre-hash string is the same character for character, and the
 * identifiers (or the error naming the bad field) are the same.
 */
import { expect } from 'chai';
import { ZfcError } from '../../chaincode/errors';
import { eventHashId, eventPreHash } from '../../chaincode/epcis-event-hash';
import { eventIdentifiers } from '../../chaincode/epcis-identifiers';
import { referenceHashId, referenceIdentifiers, referencePreHash } from './event-hash-reference';
import { example, exampleNames } from './fixtures';
import { pick, seededRandom as random } from '../seeded-random';

type Json = Record<string, unknown>;

/** What a call gave: its result as JSON text, or its error. */
function outcome(fn: () => unknown): unknown {
  try {
    return { ok: JSON.stringify(fn()) };
  } catch (err) {
    if (err instanceof ZfcError) return { code: err.code, message: err.message, details: err.details };
    return { thrown: String(err) };
  }
}

function expectSame(event: Json, context: unknown, what: string): void {
  expect(outcome(() => eventPreHash(event, context)), `pre-hash of ${what}`).to.deep.equal(outcome(() => referencePreHash(event, context)));
  expect(outcome(() => eventIdentifiers(event, '/e')), `identifiers of ${what}`).to.deep.equal(outcome(() => referenceIdentifiers(event, '/e')));
}


function digits(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rnd() * 10));
  return s;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Times in the canonical form (in and out of range), with offsets, more or fewer decimals, and not times at all. */
function time(rnd: () => number): unknown {
  const y = pick(rnd, ['2026', '2024', '0000', '9999', '1970']);
  const mo = two(Math.floor(rnd() * 14));
  const d = two(Math.floor(rnd() * 33));
  const h = two(Math.floor(rnd() * 26));
  const mi = two(Math.floor(rnd() * 61));
  const s = two(Math.floor(rnd() * 61));
  const base = `${y}-${mo}-${d}T${h}:${mi}`;
  const frac = pick(rnd, ['', '.1', '.12', `.${digits(rnd, 3)}`, `.${digits(rnd, 3)}`, `.${digits(rnd, 4)}`, `.${digits(rnd, 6)}`, '.9999']);
  const zone = pick(rnd, ['Z', 'Z', 'Z', '+08:00', '-06:00', '+14:00', 'z', '']);
  const forms = [`${base}:${s}${frac}${zone}`, `${base}:${s}${frac}${zone}`, `${base}${zone}`, ` ${base}:${s}.000Z `, `${base}:${s}${frac}${zone}\n`, 'yesterday', 1700000000, null];
  return pick(rnd, forms);
}

function identifier(rnd: () => number): unknown {
  const cp = digits(rnd, 7);
  const serial = pick(rnd, [digits(rnd, 4), `S${digits(rnd, 6)}`, 'a.b-c_d', '20%2F17', 'x|y', '\u4e2d', 'A'.repeat(21), '']);
  return pick(rnd, [
    `urn:epc:id:sgtin:${cp}.${digits(rnd, 6)}.${serial}`,
    `urn:epc:id:sgtin:0614141.107346.${serial}`,
    `https://id.gs1.org/01/10614141073464/21/${serial}`,
    `https://example.com/shop/01/09506000134352/10/${serial}`,
    `https://id.gs1.org/01/1061414107346${digits(rnd, 1)}/21/${serial}`,
    `urn:epc:class:lgtin:4012345.012345.${serial}`,
    `urn:epc:id:sscc:0614141.${digits(rnd, 10)}`,
    `urn:epc:id:sgln:0614141.07346.${pick(rnd, ['0', '1234', serial])}`,
    `https://id.gs1.org/414/0614141073467${pick(rnd, ['', '/254/1', '/254/x%2F'])}`,
    `urn:epc:id:pgln:4012345.00225`,
    `https://example.com/417/4012345002256`,
    `HTTPS://ID.GS1.ORG/01/10614141073464/21/${serial}`,
    `urn:uuid:${digits(rnd, 8)}`,
    'https://example.com/assets/42',
    `  urn:epc:id:sgtin:0614141.107346.${serial}  `,
    'urn:epc:id:grai:0614141.12345.400',
    'urn:epc:idpat:sgtin:0614141.107346.*',
    'ex:thing',
    42,
    null,
  ]);
}

const WORDS = ['shipping', 'receiving', 'in_transit', 'urn:epcglobal:cbv:bizstep:shipping', 'urn:epcglobal:cbv:disp:active', 'urn:epcglobal:cbv:btt:po',
  'urn:epcglobal:cbv:sdt:owning_party', 'urn:epcglobal:cbv:er:x', 'urn:epcglobal:cbv:bt:1:2', 'cbv:BizStep-shipping', 'gs1:Temperature', 'ex:custom', 'ex2:/x',
  'https://ref.gs1.org/cbv/Disp-active', 'po', 'Temperature', ' shipping ', 'ship ping', 'constructor', 'toString', 'urn:x', 'ex:a\nb', 'ex:\nb', 'tipo\u00e9', '', 3.5, true, false, null];

function word(rnd: () => number): unknown {
  return pick(rnd, WORDS);
}

const KEYS = ['ex:a', 'ex:time', 'ex:someTime', 'ex:timeOffset', 'ex2:b', 'gs1:c', 'cbv:d', 'urn:e', 'constructor', '__PROTO__', 'toString',
  'rdfs:comment', 'comment', 'bizStep', 'sourceList.type', 'eventTime', 'type', 'set', 'sourceList', 'plain', 'eventID'];

/** A user extension value: scalars of every kind, objects and arrays, nested up to `depth`. */
function extensionValue(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth > 0 && r < 0.25) {
    const out: Json = {};
    for (let i = Math.floor(rnd() * 4); i > 0; i--) out[pick(rnd, KEYS)] = extensionValue(rnd, depth - 1);
    return out;
  }
  if (depth > 0 && r < 0.4) return Array.from({ length: Math.floor(rnd() * 4) }, () => extensionValue(rnd, depth - 1));
  if (r < 0.55) return time(rnd);
  if (r < 0.75) return identifier(rnd);
  return word(rnd);
}

function list<T>(rnd: () => number, max: number, make: () => T): T[] {
  return Array.from({ length: Math.floor(rnd() * (max + 1)) }, make);
}

function maybe(rnd: () => number, event: Json, key: string, make: () => unknown, p = 0.4): void {
  if (rnd() < p) event[key] = make();
}

function quantity(rnd: () => number): Json {
  const q: Json = { epcClass: identifier(rnd) };
  if (rnd() < 0.7) q['quantity'] = pick(rnd, [200, 200.0, 1.5, 0, -1, '7']);
  if (rnd() < 0.6) q['uom'] = pick(rnd, ['KGM', 'EA', ' KGM ']);
  if (rnd() < 0.1) q['ex:x'] = extensionValue(rnd, 1);
  return q;
}

function typed(rnd: () => number, id: string): Json {
  const e: Json = { [id]: identifier(rnd) };
  if (rnd() < 0.8) e['type'] = word(rnd);
  return e;
}

function sensorElement(rnd: () => number): Json {
  const e: Json = {};
  if (rnd() < 0.7) e['sensorMetadata'] = { time: time(rnd), deviceID: identifier(rnd), bizRules: word(rnd), 'ex:m': extensionValue(rnd, 1) };
  e['sensorReport'] = list(rnd, 3, () => {
    const r: Json = { type: word(rnd), value: pick(rnd, [42.698334, 4, -0.5, '3']), uom: pick(rnd, ['CEL', 'DD']) };
    if (rnd() < 0.5) r['component'] = pick(rnd, ['latitude', 'cbv:Comp-longitude', 'x y']);
    if (rnd() < 0.3) r['time'] = time(rnd);
    if (rnd() < 0.3) r['exception'] = word(rnd);
    return r;
  });
  if (rnd() < 0.2) e['ex:s'] = extensionValue(rnd, 2);
  return e;
}

/** One generated event: every field the hash orders, the typed lists, ilmd and extensions, each present at random. */
function generatedEvent(rnd: () => number): Json {
  const event: Json = { type: pick(rnd, ['ObjectEvent', 'AggregationEvent', 'TransformationEvent', 'TransactionEvent', 'AssociationEvent']) };
  maybe(rnd, event, 'eventTime', () => time(rnd), 0.9);
  maybe(rnd, event, 'eventTimeZoneOffset', () => pick(rnd, ['+08:00', '-06:00', ' +01:00 ']), 0.8);
  maybe(rnd, event, 'certificationInfo', () => pick(rnd, ['https://cert.example.org/1', ['a', 'b']]), 0.1);
  maybe(rnd, event, 'parentID', () => identifier(rnd), 0.2);
  for (const key of ['epcList', 'inputEPCList', 'childEPCs', 'outputEPCList']) maybe(rnd, event, key, () => list(rnd, 3, () => identifier(rnd)), key === 'epcList' ? 0.7 : 0.2);
  for (const key of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) maybe(rnd, event, key, () => list(rnd, 3, () => quantity(rnd)), 0.2);
  maybe(rnd, event, 'action', () => pick(rnd, ['OBSERVE', 'ADD', 'DELETE', ' ADD']), 0.8);
  maybe(rnd, event, 'transformationID', () => identifier(rnd), 0.1);
  maybe(rnd, event, 'bizStep', () => word(rnd), 0.8);
  maybe(rnd, event, 'disposition', () => word(rnd), 0.6);
  maybe(rnd, event, 'persistentDisposition', () => ({ set: list(rnd, 2, () => word(rnd)), unset: list(rnd, 2, () => word(rnd)) }), 0.15);
  maybe(rnd, event, 'readPoint', () => (rnd() < 0.9 ? { id: identifier(rnd), ...(rnd() < 0.2 ? { 'ex:rp': extensionValue(rnd, 1) } : {}) } : 'not an object'), 0.7);
  maybe(rnd, event, 'bizLocation', () => ({ id: identifier(rnd) }), 0.3);
  maybe(rnd, event, 'sensorElementList', () => list(rnd, 2, () => sensorElement(rnd)), 0.15);
  maybe(rnd, event, 'bizTransactionList', () => list(rnd, 3, () => typed(rnd, 'bizTransaction')), 0.5);
  maybe(rnd, event, 'sourceList', () => list(rnd, 2, () => typed(rnd, 'source')), 0.3);
  maybe(rnd, event, 'destinationList', () => list(rnd, 2, () => typed(rnd, 'destination')), 0.3);
  maybe(rnd, event, 'ilmd', () => extensionValue(rnd, 3), 0.2);
  maybe(rnd, event, 'recordTime', () => time(rnd), 0.1);
  maybe(rnd, event, 'errorDeclaration', () => ({ declarationTime: time(rnd), reason: word(rnd) }), 0.05);
  maybe(rnd, event, '@context', () => ({ ex2: 'https://example.org/two/', urn: 'https://urn.example/' }), 0.05);
  for (let i = Math.floor(rnd() * 4); i > 0; i--) event[pick(rnd, KEYS)] = extensionValue(rnd, 3);
  // through JSON, as captured: `__proto__` becomes an own key, as JSON.parse makes it
  return JSON.parse(JSON.stringify(event).replace(/"__PROTO__"/g, '"__proto__"')) as Json;
}

const CONTEXTS: unknown[] = [
  undefined,
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.org/ext/' }],
  [{ ex: 'https://example.org/ext/', ex2: 'https://example.org/ext/' }, { cbv: 'https://other.example/cbv#', gs1: 'https://gs1.org/voc/' }],
  [{ ex: 'https://example.org/ext/', urn: 'https://urn.example/', https: 'https://never/' }],
  [{ ex: 'https://example.org/ext/', e: 42, f: null }, null, 'x'],
];

describe('EPCIS event hash and identifiers: same output as before their speed work', () => {
  it('on every event of GS1\'s example documents', () => {
    let count = 0;
    for (const name of exampleNames()) {
      const doc = example(name);
      for (const e of doc['epcisBody'].eventList as Json[]) {
        expectSame(e, doc['@context'], `${name} event ${count}`);
        expect(eventHashId(e, doc['@context'])).to.equal(referenceHashId(e, doc['@context']));
        count++;
      }
    }
    expect(count).to.be.greaterThan(12);
  });

  it('on 4,000 generated events, valid and hostile', () => {
    const rnd = random(7707);
    const seen = new Set<string>();
    for (let i = 0; i < 4_000; i++) {
      const event = generatedEvent(rnd);
      const context = pick(rnd, CONTEXTS);
      expectSame(event, context, JSON.stringify(event));
      seen.add(JSON.stringify(outcome(() => eventHashId(event, context))));
    }
    expect(seen.size).to.be.greaterThan(3_900); // the events differ, and so do their IDs
  });

  it('on the same event captured twice: a second, cached normalisation gives the same string', () => {
    const rnd = random(99);
    for (let i = 0; i < 200; i++) {
      const event = generatedEvent(rnd);
      const first = eventPreHash(event, CONTEXTS[2]);
      expect(eventPreHash(event, CONTEXTS[2])).to.equal(first);
      expect(first).to.equal(referencePreHash(event, CONTEXTS[2]));
    }
  });
});
