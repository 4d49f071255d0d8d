/**
 * Validation as a Fabric committer does it, in block order: a transaction is valid only if every
 * key it read still has the version it read (MVCC) and every range it read would return the same
 * keys and versions (phantoms), counting the writes of the valid transactions before it in the
 * same block. Invalid transactions stay in the block, marked, and change no state.
 */
import type { ValidationCode } from './block';
import { compareKeys, inRange } from './state-key';
import { sameVersion, type RangeRead, type ReadWriteSet, type Version } from './rwset';
import type { LedgerStore } from './store';
import type { PendingWrites } from './pending-writes';

/**
 * Validates the read/write sets of a block's transactions, in order, against the store plus
 * the writes of earlier blocks not yet durable (`pending`).
 */
export async function validateBlock(store: LedgerStore, blockNumber: number, rwsets: readonly ReadWriteSet[], pendingWrites?: PendingWrites): Promise<ValidationCode[]> {
  // Copied before any store read: a pending block that becomes durable (and leaves the overlay)
  // while the store is read must still be seen — in the copy if not yet in the store's snapshot.
  const pending = pendingWrites && pendingWrites.size > 0 ? new Map(pendingWrites) : undefined;
  const committed = await committedVersions(store, rwsets, pending);
  const overlay = new Map<string, Version | null>();
  const codes: ValidationCode[] = [];
  for (let i = 0; i < rwsets.length; i++) {
    const rwset = rwsets[i] as ReadWriteSet;
    const code = await validateOne(store, rwset, committed, overlay, pending);
    codes.push(code);
    if (code === 'VALID') {
      for (const w of rwset.writes) overlay.set(w.key, w.isDelete ? null : { block: blockNumber, tx: i });
    }
  }
  return codes;
}

async function committedVersions(store: LedgerStore, rwsets: readonly ReadWriteSet[], pending: ReadonlyMap<string, Version | null> | undefined): Promise<Map<string, Version | null>> {
  const result = new Map<string, Version | null>();
  const keys = new Set<string>();
  for (const rwset of rwsets) {
    for (const r of rwset.reads) {
      if (pending?.has(r.key)) result.set(r.key, pending.get(r.key) ?? null);
      else keys.add(r.key);
    }
  }
  const list = [...keys];
  const versions = await store.versions(list);
  list.forEach((k, i) => result.set(k, versions[i] ?? null));
  return result;
}

async function validateOne(
  store: LedgerStore,
  rwset: ReadWriteSet,
  committed: ReadonlyMap<string, Version | null>,
  overlay: ReadonlyMap<string, Version | null>,
  pending: ReadonlyMap<string, Version | null> | undefined,
): Promise<ValidationCode> {
  for (const read of rwset.reads) {
    const current = overlay.has(read.key) ? overlay.get(read.key) : committed.get(read.key);
    if (!sameVersion(current, read.version)) return 'MVCC_READ_CONFLICT';
  }
  for (const range of rwset.ranges) {
    if (!(await sameRange(store, range, pending ? [pending, overlay] : [overlay]))) return 'PHANTOM_READ_CONFLICT';
  }
  return 'VALID';
}

async function sameRange(store: LedgerStore, range: RangeRead, overlays: Iterable<[string, Version | null]>[]): Promise<boolean> {
  const includeEnd = !range.exhausted;
  const current = new Map((await store.scanVersions(range.startKey, range.endKey, includeEnd)).map((e) => [e.key, e.version]));
  for (const overlay of overlays) {
    for (const [key, version] of overlay) {
      const inside = inRange(key, range.startKey, range.endKey) || (includeEnd && key === range.endKey);
      if (!inside) continue;
      if (version) current.set(key, version);
      else current.delete(key);
    }
  }
  if (current.size !== range.reads.length) return false;
  const keys = [...current.keys()].sort(compareKeys);
  return range.reads.every((read, i) => read.key === keys[i] && sameVersion(read.version, current.get(read.key)));
}
