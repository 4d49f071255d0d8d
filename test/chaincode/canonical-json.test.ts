/**
 * canonicalJson's fast path gives exactly the bytes of the plain recursive definition (sorted
 * keys, no whitespace, JSON.stringify for scalars), and its errors still name the place of a
 * value JSON cannot carry.
 */
import { expect } from 'chai';
import { canonicalJson } from '../../chaincode/canonical-json';
import { referenceCanonicalJson as reference } from '../canonical-reference';
import { pick, seededRandom } from '../seeded-random';


/** A deterministic pseudo-random JSON value (no Math.random: the same cases every run). */
function sample(seed: number, depth = 0): unknown {
  let s = seed;
  const next = (): number => (s = (s * 1103515245 + 12345) % 2147483648);
  const kind = next() % (depth > 3 ? 5 : 7);
  const text = (): string => ['', 'a', 'Zé', '"q"', '\\', '\u0000\u001f', '😀', 'b|c', '10'][next() % 9] as string;
  switch (kind) {
    case 0: return null;
    case 1: return next() % 2 === 0;
    case 2: return [0, -0, 1.5, -2e21, 1e-7, 123456789012345680000, 7][next() % 7];
    case 3: return text();
    case 4: return text() + String(next() % 1000);
    case 5: return Array.from({ length: next() % 4 }, (_, i) => sample(next() + i, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = next() % 5; i > 0; i--) o[text() + String(next() % 3)] = sample(next(), depth + 1);
      if (next() % 4 === 0) o['absent'] = undefined;
      return o;
    }
  }
}


/** Pieces of hostile text: everything JSON.stringify escapes or might, and what it leaves alone. */
const PIECES = ['a', 'Z', '"', '\\', '/', '\u0000', '\u0008', '\t', '\n', '\u001f', ' ', '\u007f', '\u0080', 'é', '\u2028', '\u2029', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '😀', '\ue000', '\ufeff', '\uffff', '10', '-1', '01', '1.5', '__proto__', 'constructor', 'toString'];

function hostileText(rnd: () => number, max: number): string {
  let out = '';
  for (let i = Math.floor(rnd() * max); i > 0; i--) out += pick(rnd, PIECES);
  return out;
}

/** A JSON value as JSON.parse makes it (own __proto__ keys, integer-like keys), of hostile text. */
function hostileValue(rnd: () => number, depth: number): unknown {
  const kind = Math.floor(rnd() * (depth > 3 ? 4 : 7));
  switch (kind) {
    case 0: return pick(rnd, [null, true, false]);
    case 1: return pick(rnd, [0, -0, 1, -1.5, 1e21, 1e-7, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE]);
    case 2:
    case 3: return hostileText(rnd, rnd() < 0.05 ? 400 : 6);
    case 4: return Array.from({ length: Math.floor(rnd() * 4) }, () => hostileValue(rnd, depth + 1));
    default: {
      const size = rnd() < 0.1 ? 40 : Math.floor(rnd() * 6);
      const members: string[] = [];
      for (let i = 0; i < size; i++) members.push(`${JSON.stringify(rnd() < 0.02 ? 'k'.repeat(200) + hostileText(rnd, 3) : hostileText(rnd, 3))}:${JSON.stringify(hostileValue(rnd, depth + 1))}`);
      const obj = JSON.parse(`{${members.join(',')}}`) as Record<string, unknown>;
      return rnd() < 0.2 ? Object.assign(Object.create(null) as Record<string, unknown>, obj) : obj;
    }
  }
}

describe('canonical JSON', () => {
  it('gives the bytes of the plain definition for a thousand varied values', () => {
    for (let i = 1; i <= 1000; i++) {
      const v = sample(i * 7919);
      expect(canonicalJson(v), JSON.stringify(v)).to.equal(reference(v));
    }
    expect(canonicalJson({ b: 1, a: [true, null], c: { z: 'x', y: undefined } })).to.equal('{"a":[true,null],"b":1,"c":{"z":"x"}}');
  });

  it('gives the bytes of the plain definition for hostile text, keys and shapes (20,000 generated values)', () => {
    const rnd = seededRandom(2028);
    for (let i = 0; i < 20_000; i++) {
      const v = hostileValue(rnd, 0);
      expect(canonicalJson(v), JSON.stringify(v)).to.equal(reference(v));
    }
    // more distinct keys than are remembered, then the first ones again
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}\u2028"${i}`, i]));
    expect(canonicalJson(many)).to.equal(reference(many));
    expect(canonicalJson({ k0: 1, 'k1\u2028"1': 2 })).to.equal(reference({ k0: 1, 'k1\u2028"1': 2 }));
  });

  it('still names where a value cannot be encoded', () => {
    expect(() => canonicalJson({ a: [1, { b: Number.NaN }] })).to.throw(TypeError, 'non-finite number at $.a[1].b');
    expect(() => canonicalJson({ a: { d: new Date(0) } })).to.throw(TypeError, 'only plain objects can be encoded (at $.a.d)');
    expect(() => canonicalJson([1, () => 1])).to.throw(TypeError, 'cannot encode function at $[1]');
    expect(() => canonicalJson({ n: 10n })).to.throw(TypeError, 'cannot encode bigint at $.n');
    // eslint-disable-next-line no-sparse-arrays
    expect(() => canonicalJson({ a: [1, , 2] })).to.throw(TypeError, 'array hole at $.a[1]');
  });
});
