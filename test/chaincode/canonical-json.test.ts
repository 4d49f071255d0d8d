/**
 * canonicalJson's fast path gives exactly the bytes of the plain recursive definition (sorted
 * keys, no whitespace, JSON.stringify for scalars), and its errors still name the place of a
 * value JSON cannot carry.
 */
import { expect } from 'chai';
import { canonicalJson } from '../../chaincode/canonical-json';

/** The definition, written the obvious way. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    return `{${entries.map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

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

describe('canonical JSON', () => {
  it('gives the bytes of the plain definition for a thousand varied values', () => {
    for (let i = 1; i <= 1000; i++) {
      const v = sample(i * 7919);
      expect(canonicalJson(v), JSON.stringify(v)).to.equal(reference(v));
    }
    expect(canonicalJson({ b: 1, a: [true, null], c: { z: 'x', y: undefined } })).to.equal('{"a":[true,null],"b":1,"c":{"z":"x"}}');
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
