/**
 * Writes of blocks that are sealed but not yet durable. The committer validates block N+1 while
 * block N is still being written (its fsync overlaps the next block's CPU work), so validation
 * must see block N's writes before the store does: this overlay holds them until N is durable.
 */
import type { Version } from './rwset';

interface Pending {
  readonly version: Version | null;
  readonly block: number;
}

/** Key versions written by sealed, not yet durable blocks (null: deleted). */
export class PendingWrites {
  private readonly entries = new Map<string, Pending>();

  /** Records block `block`'s writes (later blocks replace earlier ones). */
  add(block: number, writes: Iterable<{ key: string; version: Version | null }>): void {
    for (const w of writes) this.entries.set(w.key, { version: w.version, block });
  }

  /** Forgets block `block`'s writes once it is durable (keeping any a later block made since). */
  settle(block: number, keys: Iterable<string>): void {
    for (const key of keys) if (this.entries.get(key)?.block === block) this.entries.delete(key);
  }

  /** Every pending key and version. */
  *[Symbol.iterator](): IterableIterator<[string, Version | null]> {
    for (const [key, p] of this.entries) yield [key, p.version];
  }

  get size(): number {
    return this.entries.size;
  }
}
