/**
 * The chaincode stub of the embedded ledger: the ChaincodeStub API a contract sees on Fabric
 * (state, ranges, composite keys, history, events, creator, transient data, timestamps), backed
 * by committed state and recording a read/write set instead of talking gRPC to a peer.
 *
 * Fabric semantics kept on purpose: reads see committed state only (not this transaction's own
 * writes); an empty value written is a delete; a missing key reads as an empty buffer; paginated
 * queries are for read-only transactions; rich queries are not available on LevelDB.
 */
import { createHash } from 'node:crypto';
import Long from 'long';
import { HistoryQueryIterator, StateQueryIterator, asyncIterablePromise, type KeyModification, type QueryKV } from './query-iterator';
import { ReadWriteSetBuilder, type ReadWriteSet } from './rwset';
import type { StateReader } from './state-reader';
import {
  EMPTY_KEY_SUBSTITUTE,
  MAX_UNICODE_RUNE,
  checkSimpleKey,
  checkWritableKey,
  createCompositeKey,
  splitCompositeKey,
} from './state-key';

/** What the chaincode is asked to do, and by whom. */
export interface Proposal {
  readonly txId: string;
  readonly nonce: Buffer;
  readonly channelId: string;
  readonly fn: string;
  readonly args: readonly string[];
  readonly mspId: string;
  readonly certificate: string;
  readonly timestamp: Date;
  readonly transient: ReadonlyMap<string, Uint8Array>;
}

/** A chaincode event set by the transaction. */
export interface ChaincodeEvent {
  readonly name: string;
  readonly payload: Buffer;
}

/** What a simulation produced besides the chaincode's response. */
export interface SimulationResult {
  readonly rwset: ReadWriteSet;
  /** The rwset's writes with their values as buffers (null for a delete). */
  readonly values: readonly { key: string; value: Buffer | null }[];
  readonly event: ChaincodeEvent | undefined;
}

const DEFAULT_QUERY_LIMIT = 100_000;

/** A ChaincodeStub for one simulation. */
export class EmbeddedStub {
  private readonly builder = new ReadWriteSetBuilder();
  private readonly iterators: StateQueryIterator[] = [];
  private readonly bufferArgs: Buffer[];
  private readonly stringArgs: string[];
  private readonly creator: { mspid: string; idBytes: Buffer };
  private event: ChaincodeEvent | undefined;
  private paginatedQueryDone = false;

  constructor(
    private readonly proposal: Proposal,
    private readonly state: StateReader,
  ) {
    this.stringArgs = [proposal.fn, ...proposal.args];
    this.bufferArgs = this.stringArgs.map(argumentBuffer);
    this.creator = { mspid: proposal.mspId, idBytes: certificateBytes(proposal.certificate) };
  }

  /** Ends the simulation: records still-open range queries and returns the read/write set. */
  finish(): SimulationResult {
    for (const iterator of this.iterators) iterator.finish();
    return { ...this.builder.build(), event: this.event };
  }

  /** Closes whatever query the chaincode left open, whether the simulation succeeded or not. */
  release(): void {
    for (const iterator of this.iterators) iterator.release();
  }

  // --- the invocation ---

  getArgs(): string[] {
    return this.stringArgs;
  }

  getStringArgs(): string[] {
    return this.stringArgs;
  }

  getBufferArgs(): Buffer[] {
    return this.bufferArgs;
  }

  getFunctionAndParameters(): { fcn: string; params: string[] } {
    return { fcn: this.proposal.fn, params: [...this.proposal.args] };
  }

  getTxID(): string {
    return this.proposal.txId;
  }

  getChannelID(): string {
    return this.proposal.channelId;
  }

  getCreator(): { mspid: string; idBytes: Buffer } {
    return this.creator;
  }

  getMspID(): string {
    const mspId = process.env['CORE_PEER_LOCALMSPID'];
    if (mspId === undefined) throw new Error('CORE_PEER_LOCALMSPID is unset in chaincode process');
    return mspId;
  }

  getTransient(): Map<string, Uint8Array> {
    return new Map(this.proposal.transient);
  }

  getTxTimestamp(): { seconds: Long; nanos: number } {
    const ms = this.proposal.timestamp.getTime();
    return { seconds: Long.fromNumber(Math.floor(ms / 1000), true), nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 };
  }

  getDateTimestamp(): Date {
    return new Date(this.proposal.timestamp.getTime());
  }

  /** As Fabric: SHA-256 of nonce, creator and epoch (0), hex. */
  getBinding(): string {
    const epoch = Buffer.alloc(8);
    return createHash('sha256').update(this.proposal.nonce).update(this.creator.idBytes).update(epoch).digest('hex');
  }

  /** A minimal decoded signed proposal: enough to read the header fields a contract might log. */
  getSignedProposal(): unknown {
    return {
      signature: Buffer.alloc(0),
      proposal: {
        header: {
          channelHeader: { type: 3, txId: this.proposal.txId, channelId: this.proposal.channelId, epoch: 0, timestamp: this.getTxTimestamp() },
          signatureHeader: { creator: this.creator, nonce: this.proposal.nonce },
        },
        payload: { input: { args: this.bufferArgs }, transientMap: this.getTransient() },
      },
    };
  }

  // --- state ---

  async getState(key: string): Promise<Buffer> {
    const found = await this.state.get(key);
    this.builder.addRead(key, found ? found.version : null);
    return found ? found.value : Buffer.alloc(0);
  }

  async putState(key: string, value: Uint8Array | string): Promise<void> {
    this.checkWriteAllowed();
    checkWritableKey(key);
    this.builder.addWrite(key, toBuffer(value));
  }

  async deleteState(key: string): Promise<void> {
    this.checkWriteAllowed();
    checkWritableKey(key);
    this.builder.addWrite(key, null);
  }

  getStateByRange(startKey: string, endKey: string): Promise<StateQueryIterator> & AsyncIterable<QueryKV> {
    const start = startKey || EMPTY_KEY_SUBSTITUTE;
    return asyncIterablePromise<QueryKV, StateQueryIterator>(
      (async () => {
        checkSimpleKey(start);
        checkSimpleKey(endKey);
        return this.openRange(start, endKey ?? '');
      })(),
    );
  }

  getStateByRangeWithPagination(startKey: string, endKey: string, pageSize: number, bookmark?: string): PaginatedPromise {
    const start = startKey || EMPTY_KEY_SUBSTITUTE;
    return asyncIterablePromise<QueryKV, PaginatedResponse>(
      (async () => {
        checkSimpleKey(start);
        checkSimpleKey(endKey);
        return this.openPage(start, endKey ?? '', pageSize, bookmark);
      })(),
    );
  }

  getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<StateQueryIterator> & AsyncIterable<QueryKV> {
    return asyncIterablePromise<QueryKV, StateQueryIterator>(
      (async () => {
        const prefix = createCompositeKey(objectType, attributes);
        return this.openRange(prefix, prefix + MAX_UNICODE_RUNE);
      })(),
    );
  }

  getStateByPartialCompositeKeyWithPagination(objectType: string, attributes: string[], pageSize: number, bookmark?: string): PaginatedPromise {
    return asyncIterablePromise<QueryKV, PaginatedResponse>(
      (async () => {
        const prefix = createCompositeKey(objectType, attributes);
        return this.openPage(prefix, prefix + MAX_UNICODE_RUNE, pageSize, bookmark);
      })(),
    );
  }

  getHistoryForKey(key: string): Promise<HistoryQueryIterator> & AsyncIterable<KeyModification> {
    return asyncIterablePromise<KeyModification, HistoryQueryIterator>(
      this.state.history(key).then((entries) => new HistoryQueryIterator(entries)),
    );
  }

  getQueryResult(_query: string): Promise<never> {
    return Promise.reject(new Error('ExecuteQuery not supported for leveldb'));
  }

  getQueryResultWithPagination(_query: string, _pageSize: number, _bookmark?: string): Promise<never> {
    return Promise.reject(new Error('ExecuteQuery not supported for leveldb'));
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return createCompositeKey(objectType, attributes);
  }

  splitCompositeKey(compositeKey: string): { objectType: string | null; attributes: string[] } {
    return splitCompositeKey(compositeKey);
  }

  setEvent(name: string, payload: Uint8Array | string): void {
    if (typeof name !== 'string' || name === '') throw new Error('Event name must be a non-empty string');
    this.event = { name, payload: toBuffer(payload) };
  }

  // --- not offered by the embedded ledger ---

  async invokeChaincode(): Promise<never> {
    throw new Error('invokeChaincode is not supported by the embedded ledger');
  }

  async setStateValidationParameter(): Promise<never> {
    throw new Error('key-level endorsement policies are not supported by the embedded ledger');
  }

  async getStateValidationParameter(): Promise<never> {
    throw new Error('key-level endorsement policies are not supported by the embedded ledger');
  }

  async getPrivateData(): Promise<never> {
    throw new Error('private data is not supported by the embedded ledger');
  }

  async putPrivateData(): Promise<never> {
    throw new Error('private data is not supported by the embedded ledger');
  }

  async deletePrivateData(): Promise<never> {
    throw new Error('private data is not supported by the embedded ledger');
  }

  // --- internals ---

  private checkWriteAllowed(): void {
    if (this.paginatedQueryDone) {
      throw new Error(`txid [${this.proposal.txId}]: Transaction has already performed a paginated query. Writes are not allowed`);
    }
  }

  private openRange(startKey: string, endKey: string): StateQueryIterator {
    const iterator = new StateQueryIterator(this.state.range(startKey, endKey), startKey, endKey, (r) => this.builder.addRange(r));
    this.iterators.push(iterator);
    return iterator;
  }

  private async openPage(startKey: string, endKey: string, pageSize: number, bookmark: string | undefined): Promise<PaginatedResponse> {
    if (this.builder.hasWrites) {
      throw new Error(`txid [${this.proposal.txId}]: Paginated queries are supported only in a read-only transaction`);
    }
    this.paginatedQueryDone = true;
    const limit = Number.isInteger(pageSize) && pageSize > 0 ? pageSize : DEFAULT_QUERY_LIMIT;
    const from = bookmark ? bookmark : startKey;
    const cursor = this.state.range(from, endKey);
    const entries = await cursor.nextPage(limit + 1);
    const next = entries.length > limit ? entries.pop() : undefined;
    const page = { entries, exhausted: next === undefined };
    const iterator = new StateQueryIterator(cursor, from, endKey, (r) => this.builder.addRange(r), page);
    this.iterators.push(iterator);
    return { iterator, metadata: { fetchedRecordsCount: entries.length, bookmark: next ? next.key : '' } };
  }
}

/** What a paginated query resolves to, as in fabric-shim. */
export interface PaginatedResponse {
  readonly iterator: StateQueryIterator;
  readonly metadata: { readonly fetchedRecordsCount: number; readonly bookmark: string };
}

type PaginatedPromise = Promise<PaginatedResponse> & AsyncIterable<QueryKV>;

/** The text each argument buffer was encoded from, where decoding the buffer gives that text back. */
const argumentTexts = new WeakMap<Buffer, string>();

type MaybeWellFormed = { isWellFormed?: () => boolean };

/** An argument's UTF-8 bytes, remembering its text when it round-trips (no lone surrogate). */
function argumentBuffer(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if ((text as MaybeWellFormed).isWellFormed?.() === true) argumentTexts.set(bytes, text);
  return bytes;
}

/**
 * `bytes.toString('utf8')`, without decoding when `bytes` is an embedded stub's argument buffer
 * whose text round-trips: the text the proposal carried. The host's serializer decodes each
 * string parameter before any contract code runs (so before anyone could write into the
 * buffer), and a capture's parameter is a whole EPCISDocument, encoded a moment before.
 */
export function decodeArgument(bytes: Buffer): string {
  return argumentTexts.get(bytes) ?? bytes.toString('utf8');
}

const certificateBuffers = new Map<string, Buffer>();

/** A certificate's PEM bytes, kept for the few certificates callers reuse (a copy per call is waste). */
function certificateBytes(pem: string): Buffer {
  let bytes = certificateBuffers.get(pem);
  if (!bytes) {
    bytes = Buffer.from(pem, 'utf8');
    if (certificateBuffers.size >= 1000) certificateBuffers.clear();
    certificateBuffers.set(pem, bytes);
  }
  return bytes;
}

function toBuffer(value: Uint8Array | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new TypeError('value must be a Uint8Array or a string');
}
