/**
 * The embedded ledger's storage: world state, key history, a transaction index, metadata and
 * the blocks (or, for large ones, where they are), in one level database, so that a block and its
 * effects go in one atomic, synced batch; large blocks in an append-only file beside it
 * (block-file.ts), written and synced before that batch. The batch is the commit point, so a
 * crash leaves either the whole block or none of it.
 *
 * Layout (utf8 keys, buffer values):
 *   s!<key>                      state: u32 block, u32 tx (big-endian), then the value bytes
 *   h!<len>:<key>!<block><tx>    history: "<txId>\n<timestamp>\n<2|1>\n": 2, a write, whose value is the one
 *                                the block's transaction wrote (read from the block, as a Fabric peer's
 *                                history does); 1, a delete. Ledgers before kept the value here too
 *                                (0, then the value bytes), which those entries still do
 *   b!<block>                    the block's canonical JSON, or, for a block of BLOCK_FILE_MIN_BYTES or
 *                                more, where it is in the block file (block-file.ts): "@<offset>,<length>"
 *   t!<txId>                     "<block>,<tx>"
 *   m!height                     the number of blocks
 *   m!blockfile                  where the last committed block of the block file ends
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { ZfcError } from '../chaincode/errors';
import { BLOCK_FILE, BlockFile, decodeLocation, encodeLocation, type BlockLocation, type StagedBlock } from './block-file';
import { KeyFilter } from './key-filter';
import { parseBlock, type Block, type SealedBlock } from './block';
import type { Version } from './rwset';
import type { HistoryEntry, RangeCursor, StateReader, VersionedEntry, VersionedValue } from './state-reader';

const STATE = 's!';
const STATE_END = 's"';
const BLOCK = 'b!';
const TX = 't!';
const HEIGHT = 'm!height';
/** Where the last committed block of the block file ends: written with every block that goes there. */
const BLOCK_FILE_END = 'm!blockfile';
const NUMBER_WIDTH = 12;
/** State keys read per step while the key filter loads. */
const LOAD_BATCH = 4096;

/** A level write. */
export type Op = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };

/** A state change of a valid transaction, ready to store. */
export interface StateWrite {
  readonly key: string;
  /** null for a delete. */
  readonly value: Buffer | null;
  readonly version: Version;
  readonly txId: string;
  readonly timestamp: string;
}

/** Where a transaction is: its block and its index there. */
export interface TxLocation {
  readonly block: number;
  readonly tx: number;
}

/** Zero-padded block or transaction number, so keys sort numerically. */
export function padNumber(n: number): string {
  return String(n).padStart(NUMBER_WIDTH, '0');
}

/** The level key of a state entry. */
export function stateKey(key: string): string {
  return STATE + key;
}

/** The level key prefix of a key's history (length-prefixed, so no key's prefix is another's). */
export function historyPrefix(key: string): string {
  return `h!${key.length}:${key}!`;
}

/** The level key of a block. */
export function blockKey(number: number): string {
  return BLOCK + padNumber(number);
}

/** The level key of a transaction's index entry. */
export function txKey(txId: string): string {
  return TX + txId;
}

/** Encodes a state entry: version header, then the value. */
export function encodeState(value: Buffer, version: Version): Buffer {
  const out = Buffer.allocUnsafe(8 + value.length);
  out.writeUInt32BE(version.block, 0);
  out.writeUInt32BE(version.tx, 4);
  value.copy(out, 8);
  return out;
}

/** Decodes a state entry. */
export function decodeState(stored: Uint8Array): VersionedValue {
  const buf = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (buf.length < 8) throw new ZfcError('LEDGER_CORRUPT', 'a state entry is shorter than its version header');
  return { version: { block: buf.readUInt32BE(0), tx: buf.readUInt32BE(4) }, value: buf.subarray(8) };
}

/** A history entry's kind: a write whose value is in its block, a delete, or (ledgers before) a write with its value. */
const IN_BLOCK = '2';
const DELETED = '1';
const WITH_VALUE = '0';

/**
 * Encodes a history entry: who changed the key when, and whether it was deleted. A write's value
 * is not repeated here (its block has it): every value was stored twice in level, and LevelDB's
 * compactions rewrote both copies again and again as the ledger grew.
 */
export function encodeHistory(write: StateWrite): Buffer {
  return historyEntry(write.txId, write.timestamp, write.value === null);
}

function historyEntry(txId: string, timestamp: string, deleted: boolean): Buffer {
  return Buffer.from(`${txId}\n${timestamp}\n${deleted ? DELETED : IN_BLOCK}\n`, 'utf8');
}

/** A history entry as ledgers before this layout wrote it: a write's value after the head. */
export function encodeHistoryWithValue(write: StateWrite): Buffer {
  const head = Buffer.from(`${write.txId}\n${write.timestamp}\n${write.value ? WITH_VALUE : DELETED}\n`, 'utf8');
  return write.value ? Buffer.concat([head, write.value]) : head;
}

/** A stored history entry, decoded: its value is absent when the block holds it. */
interface StoredHistory {
  readonly txId: string;
  readonly timestamp: string;
  readonly isDelete: boolean;
  readonly value?: Buffer;
}

/** Decodes a history entry of either layout. */
function decodeHistory(stored: Buffer): StoredHistory {
  const a = stored.indexOf(10);
  const b = stored.indexOf(10, a + 1);
  const c = stored.indexOf(10, b + 1);
  const [txId = '', timestamp = '', kind] = a < 0 || b < 0 || c < 0 ? [] : stored.subarray(0, c).toString('utf8').split('\n');
  if (kind === IN_BLOCK && c === stored.length - 1) return { txId, timestamp, isDelete: false };
  if (kind === DELETED && c === stored.length - 1) return { txId, timestamp, isDelete: true, value: Buffer.alloc(0) };
  if (kind === WITH_VALUE) return { txId, timestamp, isDelete: false, value: Buffer.from(stored.subarray(c + 1)) };
  throw new ZfcError('LEDGER_CORRUPT', 'a history entry is malformed');
}

/**
 * The level operations that store a sealed block's effects and where the block is (`location`,
 * in the block file; without it the block itself, as ledgers before the file kept it). The
 * writes of one transaction
 * share its version, txId and timestamp, so the parts of their entries that follow from those
 * (the history key's numbers, the history head, the state's version header) are made once per
 * transaction, not once per write: the bytes are those of {@link encodeState} and
 * {@link encodeHistory}.
 */
export function blockOperations(sealed: SealedBlock, writes: readonly StateWrite[], location?: BlockLocation): Op[] {
  const { header, transactions } = sealed.block;
  const ops: Op[] = [];
  let shared: SharedParts | undefined;
  for (const w of writes) {
    if (!shared || !shared.matches(w)) shared = new SharedParts(w);
    ops.push(w.value ? { type: 'put', key: stateKey(w.key), value: shared.state(w.value) } : { type: 'del', key: stateKey(w.key) });
    ops.push({ type: 'put', key: historyPrefix(w.key) + shared.historySuffix, value: shared.history(w.value) });
  }
  transactions.forEach((tx, i) => ops.push({ type: 'put', key: txKey(tx.txId), value: Buffer.from(`${header.number},${i}`) }));
  ops.push({ type: 'put', key: blockKey(header.number), value: location ? encodeLocation(location) : sealed.bytes });
  if (location) ops.push({ type: 'put', key: BLOCK_FILE_END, value: Buffer.from(String(location.offset + location.length), 'latin1') });
  ops.push({ type: 'put', key: HEIGHT, value: Buffer.from(String(header.number + 1)) });
  return ops;
}

/** What the entries of writes with the same version, txId and timestamp have in common. */
class SharedParts {
  readonly historySuffix: string;
  private readonly version: Version;
  private readonly txId: string;
  private readonly timestamp: string;
  private readonly versionHeader: Buffer;
  private readonly heads: [Buffer, Buffer];

  constructor(w: StateWrite) {
    this.version = w.version;
    this.txId = w.txId;
    this.timestamp = w.timestamp;
    this.historySuffix = padNumber(w.version.block) + padNumber(w.version.tx);
    this.versionHeader = Buffer.allocUnsafe(8);
    this.versionHeader.writeUInt32BE(w.version.block, 0);
    this.versionHeader.writeUInt32BE(w.version.tx, 4);
    this.heads = [historyEntry(w.txId, w.timestamp, false), historyEntry(w.txId, w.timestamp, true)];
  }

  matches(w: StateWrite): boolean {
    return w.txId === this.txId && w.timestamp === this.timestamp && w.version.block === this.version.block && w.version.tx === this.version.tx;
  }

  /** {@link encodeState} of the value at this version. */
  state(value: Buffer): Buffer {
    const out = Buffer.allocUnsafe(8 + value.length);
    this.versionHeader.copy(out, 0);
    value.copy(out, 8);
    return out;
  }

  /** {@link encodeHistory} of a write of this value (null: a delete): one buffer for every write of the transaction (level copies what it writes). */
  history(value: Buffer | null): Buffer {
    return this.heads[value ? 0 : 1];
  }
}

/**
 * The size from which a block goes to the block file. A block in the file costs its commit a
 * second sync (the file's, before level's), which small blocks, bound by syncs, feel; a block in
 * level is rewritten by compactions, which large blocks, bound by bytes, feel: the embedded
 * ledger's bench (small transactions) lost up to a third of its rate with every block in the
 * file, while capture's blocks of hundreds of EPCIS events spent 10-15% less CPU per event.
 */
export const BLOCK_FILE_MIN_BYTES = 512 * 1024;

/** The value that a block's transaction `index`, a valid one, wrote to `key` (what a history entry of today's layout names). */
function writtenValue(block: Block, index: number, key: string): Buffer {
  const tx = block.transactions[index];
  const write = tx?.validationCode === 'VALID' ? tx.rwset.writes.find((w) => w.key === key) : undefined;
  if (write?.value === undefined || write.isDelete) {
    const number = block.header.number;
    throw new ZfcError('LEDGER_CORRUPT', `the history of ${JSON.stringify(key)} names block ${number}, transaction ${index}, which wrote no value to it`, { key, block: number, tx: index });
  }
  return Buffer.from(write.value, 'base64');
}

/** A snapshot of a store's level database (for reads that must agree with each other). */
export type Snapshot = ReturnType<Level<string, Buffer>['snapshot']>;

/** Where the last committed block of the block file ends (0 for none): what {@link BLOCK_FILE_END} says. */
async function committedEnd(db: Level<string, Buffer>): Promise<number> {
  const stored = await db.get(BLOCK_FILE_END);
  const end = stored ? Number(stored.toString('latin1')) : 0;
  if (!Number.isSafeInteger(end) || end < 0) throw new ZfcError('LEDGER_CORRUPT', 'the block file\'s end on record is malformed');
  return end;
}

/** The level store of one embedded ledger. */
export class LedgerStore implements StateReader {
  /** The reads of the current turn, sent together (see {@link LedgerStore.get}). */
  private gets: { readonly keys: string[]; readonly values: Promise<(Buffer | undefined)[]> } | undefined;

  /** The state keys that may exist (key-filter.ts): reads of keys it rules out skip LevelDB. */
  private readonly keys = new KeyFilter();
  /** The load of the keys stored before this open, running in the background. */
  private loading: Promise<void> | undefined;
  private closing = false;

  private constructor(
    readonly db: Level<string, Buffer>,
    private readonly blocks: BlockFile,
    private readonly blockFileMinBytes: number,
  ) {}

  /** Opens the store in `dir`, creating it unless `create` is false (the tools only read existing ledgers). */
  static async open(dir: string, { create = true, blockFileMinBytes = BLOCK_FILE_MIN_BYTES }: { create?: boolean; blockFileMinBytes?: number } = {}): Promise<LedgerStore> {
    if (!create && !existsSync(join(dir, 'CURRENT'))) throw new ZfcError('LEDGER_UNAVAILABLE', `there is no ledger in ${dir}`, { dir });
    // A larger write buffer than LevelDB's 4 MB: blocks are big sequential writes, and fewer
    // memtable flushes mean fewer compaction stalls under sustained ingest.
    const db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer', writeBufferSize: 32 * 1024 * 1024, createIfMissing: create });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new ZfcError('LEDGER_UNAVAILABLE', `cannot open the ledger in ${dir}: ${cause}`, { dir });
    }
    let blocks: BlockFile;
    try {
      blocks = await BlockFile.open(join(dir, BLOCK_FILE), await committedEnd(db), create);
    } catch (err) {
      await db.close();
      throw err;
    }
    const store = new LedgerStore(db, blocks, blockFileMinBytes);
    store.loading = store.loadKeys();
    return store;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.loading;
    await this.db.close();
    await this.blocks.close();
  }

  /** The number of committed blocks. */
  async height(): Promise<number> {
    const stored = await this.db.get(HEIGHT);
    return stored ? Number(stored.toString('utf8')) : 0;
  }

  /**
   * The committed value of a key. Reads asked for in the same turn of the event loop (a
   * contract's `Promise.all` of getState, or several transactions simulated together) go to
   * level as one getMany: each separate get crosses to level's thread pool and back, and that
   * round trip, not the lookup, was their cost.
   */
  get(key: string): Promise<VersionedValue | undefined> {
    if (!this.keys.mayContain(key)) return Promise.resolve(undefined);
    let batch = this.gets;
    if (!batch) {
      const keys: string[] = [];
      batch = this.gets = { keys, values: Promise.resolve().then(() => this.readBatch(keys)) };
    }
    const i = batch.keys.push(stateKey(key)) - 1;
    return batch.values.then((values) => {
      const stored = values[i];
      return stored ? decodeState(stored) : undefined;
    });
  }

  private readBatch(keys: readonly string[]): Promise<(Buffer | undefined)[]> {
    this.gets = undefined; // reads asked for from now on form the next batch
    return this.db.getMany(keys as string[]);
  }

  /** The committed versions of `keys` (null where absent), in one read. */
  async versions(keys: readonly string[]): Promise<(Version | null)[]> {
    const asked = keys.filter((k) => this.keys.mayContain(k));
    if (asked.length === 0) return keys.map(() => null);
    const stored = await this.db.getMany(asked.map(stateKey));
    const found = new Map<string, Version | null>(asked.map((k, i) => [k, stored[i] ? decodeState(stored[i] as Buffer).version : null]));
    return keys.map((k) => found.get(k) ?? null);
  }

  /** Whether reads may already skip LevelDB for keys the filter rules out, and how big it is (for tests and tools). */
  keyFilterState(): { loaded: boolean; keys: number; bytes: number } {
    return { loaded: this.keys.isLoaded, ...this.keys.size };
  }

  /** Resolves once the keys stored before this open are in the filter (or the store closed first). */
  async keysLoaded(): Promise<void> {
    await this.loading;
  }

  /** Adds every stored state key to the filter, a batch at a time, then trusts its answers. */
  private async loadKeys(): Promise<void> {
    const it = this.db.keys({ gte: STATE, lt: STATE_END });
    try {
      for (let batch = await it.nextv(LOAD_BATCH); batch.length > 0 && !this.closing; batch = await it.nextv(LOAD_BATCH)) {
        for (const k of batch) this.keys.add(k.slice(STATE.length));
      }
      if (!this.closing) this.keys.markLoaded();
    } catch {
      // the store failed or closed under the load: the filter stays unloaded, and every read goes to LevelDB
    } finally {
      await it.close().catch(() => undefined);
    }
  }

  range(startKey: string, endKey: string): RangeCursor {
    const iterator = this.db.iterator({ gte: stateKey(startKey), lt: endKey === '' ? STATE_END : stateKey(endKey) });
    return {
      nextPage: async (n: number) => {
        const out: VersionedEntry[] = [];
        while (out.length < n) {
          const entries = await iterator.nextv(n - out.length);
          if (entries.length === 0) break;
          for (const [k, v] of entries) out.push({ key: k.slice(STATE.length), ...decodeState(v) });
        }
        return out;
      },
      close: () => iterator.close(),
    };
  }

  /** Every key and version in [startKey, endKey] (endKey included when `includeEnd`), for validation. */
  async scanVersions(startKey: string, endKey: string, includeEnd: boolean): Promise<{ key: string; version: Version }[]> {
    const upper = endKey === '' ? { lt: STATE_END } : includeEnd ? { lte: stateKey(endKey) } : { lt: stateKey(endKey) };
    const out: { key: string; version: Version }[] = [];
    for await (const [k, v] of this.db.iterator({ gte: stateKey(startKey), ...upper })) {
      out.push({ key: k.slice(STATE.length), version: decodeState(v).version });
    }
    return out;
  }

  /**
   * The committed changes of `key`, newest first. A write's value is read from its block, so a
   * key changed in many large blocks costs as many block reads (the entries of one block are
   * next to each other, and share one read): history is for audits and the inspect tool, not for
   * hot paths (no contract of this project asks it).
   */
  async history(key: string): Promise<HistoryEntry[]> {
    const prefix = historyPrefix(key);
    const out: HistoryEntry[] = [];
    let last: { number: number; block: Block } | undefined;
    for await (const [k, stored] of this.db.iterator({ gte: prefix, lt: prefix + '~', reverse: true })) {
      const entry = decodeHistory(stored);
      if (entry.value) {
        out.push({ ...entry, value: entry.value });
        continue;
      }
      const number = Number(k.slice(prefix.length, prefix.length + NUMBER_WIDTH));
      if (last?.number !== number) last = { number, block: await this.block(number) };
      out.push({ ...entry, value: writtenValue(last.block, Number(k.slice(prefix.length + NUMBER_WIDTH)), key) });
    }
    return out;
  }

  /** Stores a block and its effects in one atomic, synced batch. */
  async commit(sealed: SealedBlock, writes: readonly StateWrite[]): Promise<void> {
    await this.commitBlocks([{ sealed, writes }]);
  }

  /**
   * Starts writing a sealed block of {@link BLOCK_FILE_MIN_BYTES} or more to the block file (after
   * those staged before it); pass what it returns to {@link commitBlocks} with the block. Undefined
   * for a smaller block: its commit puts it in level.
   */
  stageBlock(sealed: SealedBlock): StagedBlock | undefined {
    return sealed.bytes.length >= this.blockFileMinBytes ? this.blocks.stage(sealed.bytes) : undefined;
  }

  /**
   * Stores consecutive blocks, in order: once the bytes of those in the block file are durable,
   * their locations (the others themselves) and all their effects in one atomic, synced level
   * batch, the commit point. A block given without `staged` is staged here ({@link stageBlock}'s
   * undefined, given, keeps it in level).
   */
  async commitBlocks(blocks: readonly { sealed: SealedBlock; writes: readonly StateWrite[]; staged?: StagedBlock | undefined }[]): Promise<void> {
    const staged = blocks.map((b) => ('staged' in b ? b.staged : this.stageBlock(b.sealed)));
    await Promise.all(staged.map((s) => s?.durable));
    const batch = this.db.batch();
    blocks.forEach(({ sealed, writes }, i) => {
      for (const w of writes) this.keys.add(w.key); // before the write is issued: the filter never says no to a stored key
      for (const op of blockOperations(sealed, writes, staged[i]?.location)) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
    });
    await batch.write({ sync: true });
  }

  /** A block's stored bytes, or undefined; as of `snapshot` if given (one of this store's db). */
  async blockBytes(number: number, snapshot?: Snapshot): Promise<Buffer | undefined> {
    const stored = await this.db.get(blockKey(number), snapshot ? { snapshot } : {});
    if (!stored) return undefined;
    const location = decodeLocation(stored);
    return location ? this.blocks.read(location) : stored;
  }

  /** A block, or a BLOCK_NOT_FOUND error. */
  async block(number: number): Promise<Block> {
    const bytes = await this.blockBytes(number);
    if (!bytes) throw new ZfcError('BLOCK_NOT_FOUND', `no block ${number}`, { block: number });
    return parseBlock(bytes);
  }

  /** Where a transaction is, or undefined. */
  async txLocation(txId: string): Promise<TxLocation | undefined> {
    const stored = await this.db.get(txKey(txId));
    if (!stored) return undefined;
    const [block, tx] = stored.toString('utf8').split(',').map(Number);
    return { block: block ?? 0, tx: tx ?? 0 };
  }
}
