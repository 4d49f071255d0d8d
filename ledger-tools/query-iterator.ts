/**
 * Query iterators that behave like fabric-shim's: `next()` resolves `{ value, done }`, `close()`
 * ends the query, and the promise a stub method returns is itself async-iterable (closing the
 * iterator when a `for await` loop finishes or breaks). A state iterator records what the
 * chaincode consumed as a range read, so validation can detect phantoms.
 */
import type { RangeRead, KeyRead } from './rwset';
import type { HistoryEntry, RangeCursor, VersionedEntry } from './state-reader';

const PAGE = 100;

/** A key and value from a state query, as fabric-shim returns it. */
export interface QueryKV {
  readonly key: string;
  readonly value: Buffer;
}

/** A history entry, as fabric-shim returns it. */
export interface KeyModification {
  readonly txId: string;
  readonly value: Buffer;
  readonly isDelete: boolean;
  readonly timestamp: { seconds: number; nanos: number };
}

interface ShimIterator<T> {
  next(): Promise<IteratorResult<T, undefined>>;
  close(): Promise<void>;
}

/**
 * Iterates a key range, recording each key it returns. A paginated query passes its whole page
 * up front (the peer reads the page before answering, so the page is what was read).
 */
export class StateQueryIterator implements ShimIterator<QueryKV> {
  private buffer: VersionedEntry[] = [];
  private readonly reads: KeyRead[] = [];
  private readonly paged: boolean;
  private finished = false;
  private exhausted = false;
  private closed = false;

  constructor(
    private readonly cursor: RangeCursor,
    private readonly startKey: string,
    private readonly endKey: string,
    private readonly record: (range: RangeRead) => void,
    page?: { entries: VersionedEntry[]; exhausted: boolean },
  ) {
    this.paged = page !== undefined;
    if (page) {
      this.buffer = [...page.entries];
      for (const e of page.entries) this.reads.push({ key: e.key, version: e.version });
      this.exhausted = page.exhausted;
    }
  }

  async next(): Promise<IteratorResult<QueryKV, undefined>> {
    if (this.buffer.length === 0 && !this.exhausted && !this.paged && !this.finished) {
      this.buffer = await this.cursor.nextPage(PAGE);
      if (this.buffer.length === 0) this.exhausted = true;
    }
    const entry = this.buffer.shift();
    if (!entry) return { done: true, value: undefined };
    if (!this.paged) this.reads.push({ key: entry.key, version: entry.version });
    return { done: false, value: { key: entry.key, value: entry.value } };
  }

  async close(): Promise<void> {
    this.finish();
    if (this.closed) return;
    this.closed = true;
    await this.cursor.close();
  }

  /** Closes the underlying cursor if the chaincode left it open (the simulation is over). */
  release(): void {
    this.close().catch(() => undefined);
  }

  /** Records the range as read so far (once): up to the last key read, or to its end if exhausted. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const last = this.reads[this.reads.length - 1];
    const endKey = !this.exhausted && last ? last.key : this.endKey;
    this.record({ startKey: this.startKey, endKey, exhausted: this.exhausted, reads: this.reads });
  }
}

/** Iterates a key's history, newest first. */
export class HistoryQueryIterator implements ShimIterator<KeyModification> {
  private index = 0;

  constructor(private readonly entries: readonly HistoryEntry[]) {}

  async next(): Promise<IteratorResult<KeyModification, undefined>> {
    const entry = this.entries[this.index++];
    if (!entry) return { done: true, value: undefined };
    const ms = Date.parse(entry.timestamp);
    const timestamp = { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
    return { done: false, value: { txId: entry.txId, value: entry.value, isDelete: entry.isDelete, timestamp } };
  }

  async close(): Promise<void> {
    this.index = this.entries.length;
  }
}

/**
 * As fabric-shim's convertToAsyncIterator: makes the promise of an iterator (or of an object
 * holding one in `iterator`) iterable with `for await`, closing the iterator at the end.
 */
export function asyncIterablePromise<T, P extends ShimIterator<T> | { iterator: ShimIterator<T> }>(
  promise: Promise<P>,
): Promise<P> & AsyncIterable<T> {
  const iterable = promise as Promise<P> & AsyncIterable<T>;
  iterable[Symbol.asyncIterator] = () => {
    let iterator: ShimIterator<T> | undefined;
    return {
      next: async () => {
        if (!iterator) {
          const resolved = await promise;
          iterator = 'iterator' in resolved ? resolved.iterator : resolved;
        }
        const result = await iterator.next();
        if (result.done) await iterator.close();
        return result as IteratorResult<T>;
      },
      return: async () => {
        if (iterator) await iterator.close();
        return { done: true, value: undefined };
      },
    };
  };
  return iterable;
}
