/**
 * The read/write set of a simulated transaction, as Fabric records it: each key read with the
 * version it had, each range query with the keys it returned, each key written or deleted.
 * Validation compares the reads with the state at commit time (MVCC and phantom checks).
 */
import { compareKeys } from './state-key';

/** A key's version: the block and transaction that last wrote it (Fabric's "height"). */
export interface Version {
  readonly block: number;
  readonly tx: number;
}

/** A key read, with its version at simulation time (null: the key did not exist). */
export interface KeyRead {
  readonly key: string;
  readonly version: Version | null;
}

/** A range query as executed: validation re-runs it and expects the same keys and versions. */
export interface RangeRead {
  readonly startKey: string;
  /** The end of the range; when not exhausted, the last key read (inclusive). */
  readonly endKey: string;
  /** True if the iterator reached the end of the range (`endKey` exclusive), false if it stopped early. */
  readonly exhausted: boolean;
  readonly reads: readonly KeyRead[];
}

/** A key written (value base64) or deleted. */
export interface KeyWrite {
  readonly key: string;
  readonly isDelete: boolean;
  /** The new value, base64; absent for a delete. */
  readonly value?: string;
}

/** A transaction's read/write set, keys sorted by code point as Fabric sorts them. */
export interface ReadWriteSet {
  readonly reads: readonly KeyRead[];
  readonly ranges: readonly RangeRead[];
  readonly writes: readonly KeyWrite[];
}

/** Two versions are the same (both absent counts as the same). */
export function sameVersion(a: Version | null | undefined, b: Version | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.block === b.block && a.tx === b.tx;
}

/** Accumulates what a simulation reads and writes. */
export class ReadWriteSetBuilder {
  private readonly reads = new Map<string, Version | null>();
  private readonly writes = new Map<string, Buffer | null>();
  private readonly ranges: RangeRead[] = [];

  addRead(key: string, version: Version | null): void {
    this.reads.set(key, version);
  }

  addRange(range: RangeRead): void {
    this.ranges.push(range);
  }

  /** A write of an empty value is a delete, as on Fabric. */
  addWrite(key: string, value: Buffer | null): void {
    this.writes.set(key, value && value.length > 0 ? value : null);
  }

  get hasWrites(): boolean {
    return this.writes.size > 0;
  }

  /** The read/write set, and the written values as buffers (null for a delete), in key order. */
  build(): { rwset: ReadWriteSet; values: { key: string; value: Buffer | null }[] } {
    const reads = sortedKeys(this.reads).map((key): KeyRead => ({ key, version: this.reads.get(key) ?? null }));
    const values = sortedKeys(this.writes).map((key) => ({ key, value: this.writes.get(key) ?? null }));
    const writes = values.map(({ key, value }): KeyWrite => (value ? { key, isDelete: false, value: value.toString('base64') } : { key, isDelete: true }));
    return { rwset: { reads, ranges: this.ranges, writes }, values };
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A map's keys in code point order ({@link compareKeys}). Without surrogates, code point order
 * is UTF-16 code unit order, which `Array#sort` without a comparator gives natively: a capture
 * reads and writes hundreds of keys, and calling a comparator for each comparison cost more than
 * checking every key once.
 */
export function sortedKeys(map: ReadonlyMap<string, unknown>): string[] {
  const keys = [...map.keys()];
  for (const key of keys) if (SURROGATE.test(key)) return keys.sort(compareKeys);
  return keys.sort();
}
