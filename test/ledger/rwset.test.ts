/**
 * The read/write set builder orders keys by code point (as LevelDB orders their UTF-8 bytes)
 * however it sorts them: its fast path must agree with compareKeys on any keys.
 */
import { expect } from 'chai';
import { ReadWriteSetBuilder, sortedKeys } from '../../ledger-tools/rwset';
import { compareKeys } from '../../ledger-tools/state-key';
import { pick, seededRandom } from '../seeded-random';

const UNITS = ['a', 'b', 'z', '|', '~', '\u0000', '\u007f', '\u00ff', 'é', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\ufffd', '😀', '\u{10ffff}', '\ud800', '\udfff', '0', 'f'];

const NO_SURROGATES = UNITS.filter((u) => !/[\ud800-\udfff]/.test(u));

function key(rnd: () => number, units: readonly string[]): string {
  let out = pick(rnd, ['', 'epcis.e|', '\u0000lot\u0000', 'k/']);
  for (let i = Math.floor(rnd() * 6); i > 0; i--) out += pick(rnd, units);
  return out;
}

describe('Read/write set', () => {
  it('sorts keys exactly as compareKeys, with and without surrogates among them', () => {
    const rnd = seededRandom(65);
    for (let round = 0; round < 2000; round++) {
      const map = new Map<string, number>();
      const units = round % 2 === 0 ? UNITS : NO_SURROGATES;
      for (let i = Math.floor(rnd() * 40); i > 0; i--) map.set(key(rnd, units), i);
      const byBytes = [...map.keys()].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      const expected = [...map.keys()].sort(compareKeys);
      expect(sortedKeys(map)).to.deep.equal(expected);
      if (![...map.keys()].some((k) => /[\ud800-\udfff]/.test(k))) expect(expected).to.deep.equal(byBytes); // well-formed keys: as LevelDB sorts them
    }
  });

  it('builds reads and writes in key order with their versions and values', () => {
    const b = new ReadWriteSetBuilder();
    b.addRead('b', null);
    b.addRead('\ue000', { block: 1, tx: 2 });
    b.addRead('😀', { block: 3, tx: 4 });
    b.addWrite('z', Buffer.from('v'));
    b.addWrite('a', Buffer.alloc(0));
    const { rwset, values } = b.build();
    expect(rwset.reads).to.deep.equal([{ key: 'b', version: null }, { key: '\ue000', version: { block: 1, tx: 2 } }, { key: '😀', version: { block: 3, tx: 4 } }]);
    expect(rwset.writes).to.deep.equal([{ key: 'a', isDelete: true }, { key: 'z', isDelete: false, value: 'dg==' }]);
    expect(values).to.deep.equal([{ key: 'a', value: null }, { key: 'z', value: Buffer.from('v') }]);
  });
});
