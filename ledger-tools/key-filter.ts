/**
 * Which world-state keys may exist: a Bloom filter, in memory, over every key the embedded
 * ledger's state has held, so that a read of a key that was never written is answered without
 * asking LevelDB.
 *
 * Why: creating a record means first reading that it is not there (a capture's duplicate check
 * of each eventID, a new lot, a new participant), and such reads are misses. LevelDB answers a
 * miss by consulting every table that might hold the key — a thread-pool round trip per batch of
 * reads — and charges each such multi-table read to a table, which LevelDB then compacts once
 * its allowance is spent ("seek compaction"). Under capture load those read-triggered compactions
 * were most of LevelDB's background work. The filter answers most misses in a few hundred
 * nanoseconds and leaves LevelDB to the keys that exist.
 *
 * A Bloom filter can say "maybe" of a key that is absent (about 1 in 100 here, and that read
 * just goes to LevelDB) but never "no" of a key that is present, so no read answers differently:
 * every key is added before the write that creates it is issued, and keys written before the
 * ledger was opened are loaded from the store before the filter is trusted. Until then (a few
 * seconds per million keys, in the background) every key "may exist". Deleted keys stay in the
 * filter (a delete makes a later read a miss that LevelDB answers).
 *
 * The filter grows in stages: when a stage holds its capacity, a stage four times larger takes
 * the new keys, and a key may exist if any stage may hold it.
 */

const BITS_PER_KEY = 10;
const PROBES = 7;
const FIRST_CAPACITY = 1 << 16;

interface Stage {
  readonly bits: Uint32Array;
  /** Bit count minus one (the bit count is a power of two). */
  readonly mask: number;
  readonly capacity: number;
  count: number;
}

function stage(capacity: number): Stage {
  let size = 32;
  while (size < capacity * BITS_PER_KEY) size *= 2;
  return { bits: new Uint32Array(size / 32), mask: size - 1, capacity, count: 0 };
}

/**
 * Two independent 32-bit hashes of a string's UTF-16 code units (FNV-1a, and a Murmur-style
 * mix), and whether it holds a surrogate code unit.
 */
function hashes(key: string): [number, number, boolean] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  let surrogate = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    surrogate ||= (c & 0xf800) === 0xd800;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, (b | 1) >>> 0, surrogate]; // an odd step visits every bit position
}

/** A growing Bloom filter of strings. */
export class KeyFilter {
  private readonly stages: Stage[] = [stage(FIRST_CAPACITY)];
  private loaded = false;

  /** Records that `key` may exist (before the write that creates it is issued). */
  add(key: string): void {
    let current = this.stages[this.stages.length - 1] as Stage;
    if (current.count >= current.capacity) {
      current = stage(current.capacity * 4);
      this.stages.push(current);
    }
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & current.mask;
      current.bits[bit >>> 5] = (current.bits[bit >>> 5] as number) | (1 << (bit & 31));
    }
    current.count++;
  }

  /**
   * False only if `key` was never added and the keys stored before the ledger opened are all in.
   * A key with surrogates may always exist: a lone surrogate reaches LevelDB as U+FFFD (as it
   * reaches a Fabric peer), so it can name a stored key other than itself.
   */
  mayContain(key: string): boolean {
    if (!this.loaded) return true;
    const [h1, h2, surrogate] = hashes(key);
    if (surrogate) return true;
    for (const s of this.stages) {
      let all = true;
      for (let i = 0; i < PROBES && all; i++) {
        const bit = (h1 + Math.imul(i, h2)) & s.mask;
        all = ((s.bits[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
      }
      if (all) return true;
    }
    return false;
  }

  /** Every key stored before the ledger opened has been added: "no" answers may be given from now on. */
  markLoaded(): void {
    this.loaded = true;
  }

  /** True once {@link markLoaded} was called. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** Keys added, and the filter's memory in bytes. */
  get size(): { keys: number; bytes: number } {
    return { keys: this.stages.reduce((n, s) => n + s.count, 0), bytes: this.stages.reduce((n, s) => n + s.bits.byteLength, 0) };
  }
}
