/**
 * The per-transaction view of the ledger that rule modules use: typed reads and writes of
 * JSON records under composite keys, the transaction's ID and time, the caller, and the
 * EPCIS events the transaction records. Keeping the stub behind this one class keeps rule
 * modules small and makes every write canonical JSON.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalBytes } from './canonical-json';
import { ZfcError } from './errors';
import { checkKeyPart, compositeKey, type KeyType } from './keys';
import type { Participant } from './records';
import type { EpcisEvent } from './events';

type Stub = Context['stub'];

/** One key and its parsed record from a range read. */
export interface Entry<T> {
  readonly key: string;
  readonly attributes: readonly string[];
  readonly value: T;
}

/** A transaction in progress. */
export class Tx {
  readonly stub: Stub;
  readonly txId: string;
  /** The transaction timestamp, ISO 8601 UTC with milliseconds. */
  readonly time: string;
  /** The caller, once {@link Tx.setCaller} has run. */
  private callerRecord: Participant | undefined;
  /** EPCIS events recorded so far, in order. */
  readonly epcis: EpcisEvent[] = [];
  /**
   * This transaction's writes (null: deleted), so that its own reads see them, as rules expect,
   * and sent to the ledger once per key by {@link Tx.flush}: a batch of sales of one lot debits
   * its holding once per scan but writes it once (on Fabric each write is a round trip).
   */
  private readonly writes = new Map<string, Buffer | null>();
  /**
   * Values already read (state cannot change under a running transaction): a gate scan of a
   * thousand items of one lot reads the lot once, which on Fabric saves a round trip to the
   * peer per scan.
   */
  private readonly reads = new Map<string, Uint8Array | null>();
  /** Ranges already listed, as committed (as {@link reads}: a range cannot change under a running transaction either). */
  private readonly ranges = new Map<string, Promise<ReadonlyArray<readonly [string, Uint8Array]>>>();
  /** Lots this transaction touched, for their histories (`gtin\u0000lot` → ref). */
  readonly touched = new Map<string, { gtin: string; lot: string }>();

  constructor(readonly ctx: Context) {
    this.stub = ctx.stub;
    this.txId = ctx.stub.getTxID();
    this.time = txTime(ctx.stub);
  }

  /** The calling participant (set by access checks). */
  get caller(): Participant {
    if (!this.callerRecord) throw new TypeError('Tx.caller read before access was checked');
    return this.callerRecord;
  }

  /** The caller's participant ID, or '' before access was checked (Init). */
  get callerId(): string {
    return this.callerRecord?.id ?? '';
  }

  /** Remembers the participant the caller was mapped to (access.ts does this). */
  setCaller(participant: Participant): void {
    this.callerRecord = participant;
  }

  /** Notes that this transaction belongs in a lot's history. */
  touch(ref: { gtin: string; lot: string }): void {
    this.touched.set(`${ref.gtin}\u0000${ref.lot}`, { gtin: ref.gtin, lot: ref.lot });
  }

  /** The composite key of a record (parts checked for separators and control characters). */
  key(type: KeyType, parts: readonly string[]): string {
    return compositeKey(this.stub, type, parts);
  }

  /** Reads a record, or undefined if absent. */
  async get<T>(type: KeyType, parts: readonly string[]): Promise<T | undefined> {
    const key = this.key(type, parts);
    const bytes = this.writes.get(key) ?? (this.writes.has(key) ? null : await this.readState(key));
    if (!bytes || bytes.length === 0) return undefined;
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  }

  private async readState(key: string): Promise<Uint8Array | null> {
    const known = this.reads.get(key);
    if (known !== undefined) return known;
    const bytes = await this.stub.getState(key);
    const value = bytes && bytes.length > 0 ? bytes : null;
    this.reads.set(key, value);
    return value;
  }

  /** Reads a record that must exist, or throws the given not-found error. */
  async need<T>(type: KeyType, parts: readonly string[], error: () => ZfcError): Promise<T> {
    const value = await this.get<T>(type, parts);
    if (value === undefined) throw error();
    return value;
  }

  /** Writes a record as canonical JSON (sent to the ledger by {@link Tx.flush}). */
  put(type: KeyType, parts: readonly string[], value: unknown): Promise<void> {
    this.writes.set(this.key(type, parts), canonicalBytes(value));
    return Promise.resolve();
  }

  /**
   * The writes so far, to go back to: the returned function drops every write made since (a
   * capture that proceeds past a refused event keeps none of that event's writes).
   */
  savepoint(): () => void {
    const saved = new Map(this.writes);
    return () => {
      this.writes.clear();
      for (const [key, bytes] of saved) this.writes.set(key, bytes);
    };
  }

  /** Deletes a record (sent to the ledger by {@link Tx.flush}). */
  del(type: KeyType, parts: readonly string[]): Promise<void> {
    this.writes.set(this.key(type, parts), null);
    return Promise.resolve();
  }

  /**
   * Sends the transaction's writes to the ledger, each key once with its last value, in the
   * order each key was first written (deterministic); then forgets them. A transaction that
   * writes calls it once, when its rules have run: nothing reaches the ledger before. All are
   * handed to the stub at once: Fabric's shim still sends them one by one, in this order, but
   * each as soon as the peer answered the one before, not after a turn of the event loop.
   */
  async flush(): Promise<void> {
    const writes = [...this.writes];
    this.writes.clear();
    for (const [key, bytes] of writes) this.reads.set(key, bytes);
    await Promise.all(writes.map(([key, bytes]) => (bytes === null ? this.stub.deleteState(key) : this.stub.putState(key, bytes))));
  }

  /**
   * Every committed record under a partial composite key, in key order, at most `limit` (this
   * transaction's own writes are not seen, as on Fabric). A range is read from the ledger once per
   * transaction, however many rules list it; each call gets its own decoded records.
   */
  async list<T>(type: KeyType, parts: readonly string[], limit = 100_000): Promise<Entry<T>[]> {
    const checked = parts.map((p) => checkKeyPart(p));
    const id = JSON.stringify([type, checked, limit]);
    let range = this.ranges.get(id);
    if (!range) this.ranges.set(id, (range = this.readRange(type, checked, limit)));
    return (await range).map(([key, value]) => this.entry<T>(key, value));
  }

  private async readRange(type: KeyType, parts: readonly string[], limit: number): Promise<ReadonlyArray<readonly [string, Uint8Array]>> {
    const iterator = await this.stub.getStateByPartialCompositeKey(type, [...parts]);
    const out: Array<readonly [string, Uint8Array]> = [];
    try {
      for (;;) {
        const res = await iterator.next();
        if (res.value && out.length < limit) out.push([res.value.key, res.value.value]);
        if (res.done || out.length >= limit) break;
      }
    } finally {
      await iterator.close();
    }
    return out;
  }

  /** One page of records under a partial key (reads only: Fabric refuses paging in updates). */
  async page<T>(type: KeyType, parts: readonly string[], pageSize: number, bookmark: string): Promise<{ entries: Entry<T>[]; bookmark: string }> {
    const { iterator, metadata } = await this.stub.getStateByPartialCompositeKeyWithPagination(type, parts.map((p) => checkKeyPart(p)), pageSize, bookmark);
    const entries: Entry<T>[] = [];
    try {
      for (;;) {
        const res = await iterator.next();
        if (res.value) entries.push(this.entry<T>(res.value.key, res.value.value));
        if (res.done) break;
      }
    } finally {
      await iterator.close();
    }
    return { entries, bookmark: entries.length < pageSize ? '' : (metadata?.bookmark ?? '') };
  }

  private entry<T>(key: string, value: Uint8Array): Entry<T> {
    const { attributes } = this.stub.splitCompositeKey(key);
    return { key, attributes, value: JSON.parse(Buffer.from(value).toString('utf8')) as T };
  }
}

/** The transaction timestamp as ISO 8601 UTC (deterministic: the proposal's time). */
export function txTime(stub: Stub): string {
  const ts = stub.getTxTimestamp();
  const raw = ts.seconds as unknown;
  const seconds = typeof raw === 'number' ? raw : Number(String(raw));
  const ms = seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}
