/**
 * What a simulation may read: committed world state, ranges of it, and the history of a key.
 * The level store implements it; simulations never see uncommitted writes (as on Fabric, a
 * transaction does not read its own writes).
 */
import type { Version } from './rwset';

/** A committed value and its version. */
export interface VersionedValue {
  readonly value: Buffer;
  readonly version: Version;
}

/** A key, its committed value and version. */
export interface VersionedEntry extends VersionedValue {
  readonly key: string;
}

/** A cursor over a key range, read page by page. */
export interface RangeCursor {
  /** Up to `n` further entries; fewer (possibly none) at the end of the range. */
  nextPage(n: number): Promise<VersionedEntry[]>;
  close(): Promise<void>;
}

/** One committed change of a key, newest first in a history. */
export interface HistoryEntry {
  readonly txId: string;
  /** Transaction timestamp, ISO 8601. */
  readonly timestamp: string;
  readonly isDelete: boolean;
  readonly value: Buffer;
}

/** Read access to committed state. */
export interface StateReader {
  get(key: string): Promise<VersionedValue | undefined>;
  /** Keys in [startKey, endKey); an empty endKey means no upper bound. */
  range(startKey: string, endKey: string): RangeCursor;
  /** Committed changes of `key`, newest first. */
  history(key: string): Promise<HistoryEntry[]>;
}
