/**
 * The chunked sorted list against the plain sorted array it replaces: the same random inserts
 * (many equal keys, runs in order, runs in reverse, enough to split chunks many times) must
 * give the same values in the same order, the same walks from any probe, and the same
 * replacements.
 */
import { expect } from 'chai';
import { CHUNK_SIZE, ChunkedSortedList } from '../../gateway-api/chunked-sorted-list';
import { seededRandom as random } from '../seeded-random';

interface Entry {
  readonly key: number;
  readonly n: number;
}

const byKey = (a: Entry, b: Entry): number => a.key - b.key;

/** The reference: one sorted array, each value spliced in before any equal to it. */
class SortedArray {
  readonly values: Entry[] = [];

  insert(v: Entry): void {
    this.values.splice(this.firstAfter(v, false), 0, v);
  }

  after(probe: Entry): Entry[] {
    return this.values.slice(this.firstAfter(probe, true));
  }

  /** The values before `probe`, last first. */
  before(probe: Entry): Entry[] {
    return this.values.slice(0, this.firstAfter(probe, false)).reverse();
  }

  replace(old: Entry, next: Entry): boolean {
    const i = this.values.indexOf(old);
    if (i < 0) return false;
    this.values[i] = next;
    return true;
  }

  private firstAfter(probe: Entry, inclusive: boolean): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = byKey(this.values[mid] as Entry, probe);
      if (c < 0 || (inclusive && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

describe('ChunkedSortedList against a sorted array', () => {
  for (const seed of [1, 7, 42]) {
    it(`gives the same order, walks and replacements after random inserts (seed ${seed})`, () => {
      const rnd = random(seed);
      const list = new ChunkedSortedList<Entry>(byKey);
      const ref = new SortedArray();
      let n = 0;
      const add = (key: number): void => {
        const v = { key, n: n++ };
        list.insert(v);
        ref.insert(v);
      };
      for (let round = 0; round < 12; round++) {
        const mode = round % 4;
        const base = Math.floor(rnd() * 5000);
        for (let i = 0; i < 700; i++) {
          if (mode === 0) add(Math.floor(rnd() * 5000)); // anywhere
          else if (mode === 1) add(base + i); // a run in order (appends when past the end)
          else if (mode === 2) add(base + 700 - i); // a run in reverse
          else add(Math.floor(rnd() * 40) * 125); // few keys, many equal values
        }
      }
      expect(list.size).to.equal(ref.values.length);
      expect([...list]).to.deep.equal(ref.values);
      expect([...list].every((v, i) => v === ref.values[i]), 'same values, by identity').to.equal(true);
      for (let p = 0; p < 200; p++) {
        const probe = { key: Math.floor(rnd() * 5200) - 100, n: -1 };
        const expected = ref.after(probe);
        expect([...list.after(probe)]).to.deep.equal(expected);
        // a scan stopped at the k-th value sees the same values, and knows whether more follow
        const k = Math.floor(rnd() * (expected.length + 2));
        const seen: Entry[] = [];
        const more = list.scanAfter(probe, (v) => seen.push(v) === k);
        expect(seen).to.deep.equal(expected.slice(0, Math.max(k, 0) || expected.length));
        expect(more).to.equal(k > 0 && k < expected.length);
        // and backwards: the values before the probe, last first
        const earlier = ref.before(probe);
        const back: Entry[] = [];
        const precede = list.scanBefore(probe, (v) => back.push(v) === k);
        expect(back).to.deep.equal(earlier.slice(0, Math.max(k, 0) || earlier.length));
        expect(precede).to.equal(k > 0 && k < earlier.length);
      }
      const all: Entry[] = [];
      const none = list.scanBefore(undefined, (v) => {
        all.push(v);
        return false;
      });
      expect(none).to.equal(false);
      expect(all).to.deep.equal([...ref.values].reverse());
      for (let r = 0; r < 300; r++) {
        const old = ref.values[Math.floor(rnd() * ref.values.length)] as Entry;
        const next = { key: old.key, n: -old.n - 1 };
        expect(list.replace(old, next)).to.equal(ref.replace(old, next));
      }
      expect([...list].every((v, i) => v === ref.values[i]), 'same values after replacements').to.equal(true);
      expect(list.replace({ key: 10, n: -99 }, { key: 10, n: -100 })).to.equal(false);
    });
  }

  it('gives the same order when feeds of one period arrive one after another, each in order (inserts next to the last one)', () => {
    // as a repository receives a second system's events of days it already holds, or a back-fill:
    // each feed in time order, its values landing among the earlier feeds', with ties (equal keys)
    const rnd = random(3);
    const list = new ChunkedSortedList<Entry>(byKey);
    const ref = new SortedArray();
    let n = 0;
    for (let feed = 0; feed < 8; feed++) {
      const stride = 1 + (feed % 3);
      const from = Math.floor(rnd() * 500);
      for (let key = from; key < from + 3000; key += stride) {
        // now and then a value out of the run (anywhere), or the same key twice
        const k = rnd() < 0.05 ? Math.floor(rnd() * 4000) : key;
        for (let twice = rnd() < 0.1 ? 2 : 1; twice > 0; twice--) {
          const v = { key: k, n: n++ };
          list.insert(v);
          ref.insert(v);
        }
      }
    }
    expect(ref.values.length, 'enough to split chunks').to.be.above(CHUNK_SIZE * 8);
    expect([...list].every((v, i) => v === ref.values[i]), 'same values in the same order, by identity').to.equal(true);
    expect(list.size).to.equal(ref.values.length);
  });

  it('appends in order into full chunks, and walks from probes before, between and after them', () => {
    const list = new ChunkedSortedList<Entry>(byKey);
    const total = CHUNK_SIZE * 3 + 5;
    for (let i = 0; i < total; i++) list.insert({ key: i * 2, n: i });
    expect(list.size).to.equal(total);
    expect([...list.after({ key: -1, n: 0 })]).to.have.length(total);
    expect([...list.after({ key: CHUNK_SIZE * 2 - 1, n: 0 })][0]).to.deep.equal({ key: CHUNK_SIZE * 2, n: CHUNK_SIZE });
    expect([...list.after({ key: CHUNK_SIZE * 2, n: 0 })][0]).to.deep.equal({ key: CHUNK_SIZE * 2 + 2, n: CHUNK_SIZE + 1 });
    expect([...list.after({ key: total * 2, n: 0 })]).to.deep.equal([]);
  });

  it('is empty to begin with', () => {
    const list = new ChunkedSortedList<Entry>(byKey);
    expect([...list]).to.deep.equal([]);
    expect(list.scanBefore(undefined, () => true)).to.equal(false);
    expect(list.scanBefore({ key: 1, n: 0 }, () => true)).to.equal(false);
    expect([...list.after({ key: 1, n: 0 })]).to.deep.equal([]);
    expect(list.replace({ key: 1, n: 0 }, { key: 1, n: 1 })).to.equal(false);
  });
});
