/**
 * A sorted list kept as a run of short sorted chunks, for the EPCIS projection's event lists
 * (every event, and the events of each identifier). One flat sorted array costs a shift of
 * every later element per insert, which grows with the ledger (a million events means moving
 * megabytes per captured event); here an insert moves at most one chunk, found by binary
 * search, and an insert at the end — the usual case, events arriving in time order — is a push.
 *
 * Order and answers are exactly those of one sorted array: a value goes before any equal to
 * it, and a walk from a probe starts at the first value after it.
 */

/** Most values in one chunk; a fuller chunk is split in two (or, at the end, a new one begun). */
export const CHUNK_SIZE = 1024;

/**
 * Values in `compare` order, with O(log n) search and inserts that move at most one chunk.
 *
 * @example
 * const list = new ChunkedSortedList<number>((a, b) => a - b);
 * list.insert(3); list.insert(1); list.insert(2);
 * [...list.after(1)]; // [2, 3]
 */
export class ChunkedSortedList<T> {
  /**
   * Never empty chunks; the last value of each is before (or equal to) the first of the next.
   * Made exactly of one chunk of one value by the first insert: most lists (one identifier's
   * events) stay that small, and an array grown by push reserves room for 16 more.
   */
  private chunks: T[][] = [];
  private count = 0;
  /**
   * Where the last insert went (chunk, index): the next value is looked for from there first.
   * Values often come in runs that land next to each other — events arriving in time order
   * from a second feed, or a back-fill, of a period already recorded — and a search from the
   * last place costs a comparison or two where one from the top costs a dozen or more.
   */
  private fingerChunk = -1;
  private fingerIndex = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** The number of values. */
  get size(): number {
    return this.count;
  }

  /** Inserts `value` in order, before any value equal to it. */
  insert(value: T): void {
    this.count++;
    const last = this.chunks[this.chunks.length - 1];
    if (!last) {
      this.chunks = [[value]];
      this.fingerChunk = -1;
      return;
    }
    if (this.compare(last[last.length - 1] as T, value) < 0) {
      if (last.length < CHUNK_SIZE) last.push(value);
      else this.chunks.push([value]);
      this.fingerChunk = -1; // appends need no finger
      return;
    }
    let c = this.fingerChunk;
    let chunk = this.chunks[c];
    let i: number;
    // the last insert's chunk is this value's when the value is after its first and not after its last
    if (chunk !== undefined && this.compare(chunk[0] as T, value) < 0 && this.compare(chunk[chunk.length - 1] as T, value) >= 0) {
      i = gallop(chunk, value, Math.min(this.fingerIndex, chunk.length - 1), this.compare);
    } else {
      c = this.chunkOf(value, false);
      chunk = this.chunks[c] as T[];
      i = indexIn(chunk, value, false, this.compare);
    }
    chunk.splice(i, 0, value);
    this.fingerChunk = c;
    this.fingerIndex = i;
    if (chunk.length > CHUNK_SIZE) {
      const half = chunk.length >> 1;
      this.chunks.splice(c + 1, 0, chunk.splice(half));
      if (i >= half) {
        this.fingerChunk = c + 1;
        this.fingerIndex = i - half;
      }
    }
  }

  /** Puts `next` in the place of `old` (found by identity; the two must compare equal). False if `old` is absent. */
  replace(old: T, next: T): boolean {
    for (let c = this.chunkOf(old, false); c < this.chunks.length; c++) {
      const chunk = this.chunks[c] as T[];
      for (let i = indexIn(chunk, old, false, this.compare); i < chunk.length; i++) {
        if (chunk[i] === old) {
          chunk[i] = next;
          return true;
        }
        if (this.compare(chunk[i] as T, old) !== 0) return false;
      }
    }
    return false;
  }

  /**
   * The values after `probe` (all of them without one), in order. The walk must end before the
   * list next changes (queries walk synchronously).
   */
  after(probe?: T): IterableIterator<T> {
    const c = probe === undefined ? 0 : this.chunkOf(probe, true);
    const i = probe === undefined || c >= this.chunks.length ? 0 : indexIn(this.chunks[c] as T[], probe, true, this.compare);
    return new Walk(this.chunks, c, i);
  }

  /**
   * Calls `visit` with each value after `probe` (every value without one), in order, until it
   * returns true; then tells whether any value follows the one it stopped at (false when the
   * values ran out first). The cheapest walk: no iterator result per value.
   */
  scanAfter(probe: T | undefined, visit: (value: T) => boolean): boolean {
    let c = probe === undefined ? 0 : this.chunkOf(probe, true);
    let i = probe === undefined || c >= this.chunks.length ? 0 : indexIn(this.chunks[c] as T[], probe, true, this.compare);
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c] as T[];
      for (; i < chunk.length; i++) {
        if (visit(chunk[i] as T)) return i + 1 < chunk.length || c + 1 < this.chunks.length;
      }
    }
    return false;
  }

  /**
   * {@link scanAfter} backwards: calls `visit` with each value before `probe` (every value
   * without one), last first, until it returns true; then tells whether any value precedes the
   * one it stopped at.
   */
  scanBefore(probe: T | undefined, visit: (value: T) => boolean): boolean {
    if (this.chunks.length === 0) return false;
    let c = probe === undefined ? this.chunks.length - 1 : this.chunkOf(probe, false);
    let i = probe === undefined ? (this.chunks[c] as T[]).length - 1 : indexIn(this.chunks[c] as T[], probe, false, this.compare) - 1;
    for (; c >= 0; c--, i = c >= 0 ? (this.chunks[c] as T[]).length - 1 : -1) {
      const chunk = this.chunks[c] as T[];
      for (; i >= 0; i--) {
        if (visit(chunk[i] as T)) return i > 0 || c > 0;
      }
    }
    return false;
  }

  /** Every value, in order. */
  [Symbol.iterator](): IterableIterator<T> {
    return this.after();
  }

  /**
   * The first chunk holding a value after `probe` (`inclusive`) or not before it; the number of
   * chunks if there is none. Without `inclusive`, the last chunk stands for "none" when it exists.
   */
  private chunkOf(probe: T, inclusive: boolean): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const chunk = this.chunks[mid] as T[];
      const c = this.compare(chunk[chunk.length - 1] as T, probe);
      if (c < 0 || (inclusive && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return inclusive ? lo : Math.max(0, Math.min(lo, this.chunks.length - 1));
  }
}

/** A walk over the chunks from a position (a plain iterator: a generator costs several times more per value). */
class Walk<T> implements IterableIterator<T> {
  constructor(
    private readonly chunks: readonly (readonly T[])[],
    private c: number,
    private i: number,
  ) {}

  next(): IteratorResult<T, undefined> {
    while (this.c < this.chunks.length) {
      const chunk = this.chunks[this.c] as readonly T[];
      if (this.i < chunk.length) return { value: chunk[this.i++] as T, done: false };
      this.c++;
      this.i = 0;
    }
    return { value: undefined, done: true };
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }
}

/**
 * {@link indexIn} of `probe` (not inclusive) searched from `from`, in steps that double, then by
 * halves: the first index whose value is not before `probe`. The list's first value must be
 * before `probe` and its last not before it, so the index is one of the list's.
 */
function gallop<T>(list: readonly T[], probe: T, from: number, compare: (a: T, b: T) => number): number {
  let lo: number; // list[lo - 1] is before probe
  let hi: number; // list[hi] is not before it
  if (compare(list[from] as T, probe) < 0) {
    lo = from + 1;
    hi = list.length - 1;
    for (let step = 1; lo + step - 1 < hi; step *= 2) {
      if (compare(list[lo + step - 1] as T, probe) >= 0) {
        hi = lo + step - 1;
        break;
      }
      lo += step;
    }
  } else {
    hi = from;
    lo = 1;
    for (let step = 1; hi - step > 0; step *= 2) {
      if (compare(list[hi - step] as T, probe) < 0) {
        lo = hi - step + 1;
        break;
      }
      hi -= step;
    }
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(list[mid] as T, probe) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index in `list` of the first value after `probe` (`inclusive`) or not before it. */
function indexIn<T>(list: readonly T[], probe: T, inclusive: boolean, compare: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compare(list[mid] as T, probe);
    if (c < 0 || (inclusive && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
