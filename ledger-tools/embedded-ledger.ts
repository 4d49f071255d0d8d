/**
 * The embedded ledger: one process, one level folder, Fabric's execute-order-validate.
 *
 * submit: simulate the chaincode on committed state to a read/write set (execute), queue it for
 * the block cutter (order), then validate the block's transactions in order for MVCC and phantom
 * conflicts, seal the block (Merkle root, previous hash) and write it with all its effects in one
 * synced batch (validate and commit). The caller's promise settles when its block is durable.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { ZfcError } from '../chaincode/errors';
import { sealBlock, sha256Hex, GENESIS_PREVIOUS_HASH, type Block, type SealedBlock, type TransactionRecord } from './block';
import { BlockCutter } from './block-cutter';
import { BlockWriter } from './block-writer';
import { checkCall, checkCheckpoint, eventsAfter } from './call-check';
import { chaincodeError } from './chaincode-error';
import { ChaincodeHost, type ContractClass } from './chaincode-host';
import { EmbeddedStub, type Proposal, type SimulationResult } from './embedded-stub';
import { checkIdentity } from './identity-check';
import type { CallOptions, EventsOptions, Identity, Ledger, LedgerCapabilities, LedgerEvent, LedgerWrite, SubmitResult } from './ledger';
import { PendingWrites } from './pending-writes';
import type { KeyWrite } from './rwset';
import { LedgerStore, type StateWrite } from './store';
import { validateBlock } from './validator';

/** Options of {@link openEmbeddedLedger}. */
export interface EmbeddedLedgerOptions {
  /** The folder of the level database (created if missing). */
  readonly dir: string;
  /** fabric-contract-api classes: exactly what a chaincode's index exports as `contracts`. */
  readonly contracts: ReadonlyArray<ContractClass>;
  /** Fabric's BatchSize.MaxMessageCount: the most transactions in a block. Default 500. */
  readonly batchSize?: number;
  /** Fabric's BatchTimeout in ms; 0 (default) cuts as soon as the committer is free. */
  readonly batchTimeoutMs?: number;
  /** The source of transaction and block timestamps (for reproducible tests). */
  readonly clock?: () => Date;
  /** The channel name the chaincode sees. Default 'zfc'. */
  readonly channelId?: string;
  /** Blocks of at least this many bytes go to the block file, smaller ones into level (store.ts). Default {@link BLOCK_FILE_MIN_BYTES}. */
  readonly blockFileMinBytes?: number;
}

interface Endorsed {
  readonly record: Omit<TransactionRecord, 'validationCode'>;
  readonly certificate: string;
  readonly writes: readonly { key: string; value: Buffer | null }[];
  readonly payload: Buffer;
  resolve(result: SubmitResult): void;
  reject(error: Error): void;
}

interface PreparedBlock {
  readonly batch: readonly Endorsed[];
  readonly records: readonly TransactionRecord[];
  readonly sealed: SealedBlock;
  readonly writes: readonly StateWrite[];
}

interface Simulated extends SimulationResult {
  readonly proposal: Proposal;
  readonly payload: Buffer;
}

const DEFAULT_BATCH_SIZE = 500;

/**
 * Opens an embedded ledger in `options.dir`, running `options.contracts` in-process.
 *
 * @example
 * const ledger = await openEmbeddedLedger({ dir: './data/ledger', contracts: [TraceContract] });
 * const { payload, txId, blockNumber } = await ledger.submit('CreateLot', [json], producer);
 */
export async function openEmbeddedLedger(options: EmbeddedLedgerOptions): Promise<EmbeddedLedger> {
  const host = new ChaincodeHost(options.contracts);
  const store = await LedgerStore.open(options.dir, options.blockFileMinBytes !== undefined ? { blockFileMinBytes: options.blockFileMinBytes } : {});
  const height = await store.height();
  const lastHash = height === 0 ? GENESIS_PREVIOUS_HASH : (await store.block(height - 1)).hash;
  return new EmbeddedLedger(options, host, store, height, lastHash);
}

/** The embedded implementation of the {@link Ledger} port. Create one with {@link openEmbeddedLedger}. */
export class EmbeddedLedger implements Ledger {
  readonly kind = 'embedded' as const;
  readonly capabilities: LedgerCapabilities = { blocks: true };
  private readonly cutter: BlockCutter<Endorsed>;
  private readonly blocks = new EventEmitter();
  private readonly clock: () => Date;
  private readonly channelId: string;
  private closed = false;
  private inFlight = 0;
  private readonly pending = new PendingWrites();
  private sealedHeight: number;
  private sealedHash: string;
  private readonly writer: BlockWriter<PreparedBlock>;
  private failure: ZfcError | undefined;
  /** The newest block's events, so followers at the head need not read it back. */
  private recent: { number: number; events: LedgerEvent[] } | undefined;

  /** @internal use {@link openEmbeddedLedger}. */
  constructor(
    options: EmbeddedLedgerOptions,
    private readonly host: ChaincodeHost,
    /** The level store: for the ledger tools (verify, proof, inspect, export). */
    readonly store: LedgerStore,
    private committedHeight: number,
    lastHash: string,
  ) {
    this.sealedHeight = committedHeight;
    this.sealedHash = lastHash;
    this.clock = options.clock ?? (() => new Date());
    this.channelId = options.channelId ?? 'zfc';
    this.writer = new BlockWriter(store, { written: (g) => this.written(g), failed: (g, e) => this.writeFailed(g, e) });
    this.cutter = new BlockCutter(options.batchSize ?? DEFAULT_BATCH_SIZE, options.batchTimeoutMs ?? 0, (batch) => this.commitBlock(batch));
    this.blocks.setMaxListeners(0);
  }

  async submit(fn: string, args: readonly string[], identity: Identity, options?: CallOptions): Promise<SubmitResult> {
    const sim = await this.simulate(fn, args, identity, options);
    const { proposal, rwset, values, event, payload } = sim;
    const record: Omit<TransactionRecord, 'validationCode'> = {
      txId: proposal.txId,
      timestamp: proposal.timestamp.toISOString(),
      creator: { mspId: proposal.mspId, certificateHash: certificateHash(proposal.certificate) },
      fn: proposal.fn,
      args: [...proposal.args],
      rwset,
      response: payload.toString('base64'),
      event: event ? { name: event.name, payload: event.payload.toString('base64') } : null,
    };
    const certificate = proposal.certificate;
    return new Promise<SubmitResult>((resolve, reject) => this.cutter.add({ record, certificate, writes: values, payload, resolve, reject }));
  }

  async evaluate(fn: string, args: readonly string[], identity: Identity, options?: CallOptions): Promise<Uint8Array> {
    return (await this.simulate(fn, args, identity, options)).payload;
  }

  async height(): Promise<number> {
    return this.committedHeight;
  }

  /** A committed block, or BLOCK_NOT_FOUND. */
  async block(number: number): Promise<Block> {
    if (!Number.isInteger(number) || number < 0 || number >= this.committedHeight) {
      throw new ZfcError('BLOCK_NOT_FOUND', `no block ${number}`, { block: number });
    }
    return this.store.block(number);
  }

  events(options: EventsOptions = {}): AsyncIterable<LedgerEvent> {
    return this.followEvents(options);
  }

  /** Commits what is queued, then closes the store. Later calls fail with LEDGER_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.inFlight > 0) await new Promise((r) => setImmediate(r));
    await this.cutter.drain();
    await this.writer.idle();
    this.blocks.emit('block');
    await this.store.close();
  }

  // --- execute ---

  private async simulate(fn: string, args: readonly string[], identity: Identity, options: CallOptions | undefined): Promise<Simulated> {
    this.checkOpen();
    checkCall(fn, args);
    checkIdentity(identity);
    const proposal = this.proposal(fn, args, identity, options);
    const stub = new EmbeddedStub(proposal, this.store);
    this.inFlight++;
    try {
      const response = await this.host.invoke(stub);
      if (response.status !== 200) throw chaincodeError(response.message ?? '', proposal.txId);
      return { proposal, payload: Buffer.from(response.payload ?? []), ...stub.finish() };
    } catch (err) {
      if (err instanceof ZfcError) throw err;
      throw new ZfcError('ENDORSEMENT_FAILED', (err as Error).message, {}, proposal.txId);
    } finally {
      stub.release();
      this.inFlight--;
    }
  }

  private proposal(fn: string, args: readonly string[], identity: Identity, options: CallOptions | undefined): Proposal {
    const nonce = nextNonce();
    // Fabric derives the ID as SHA-256(nonce ‖ creator); any 256 unpredictable bits are as unique.
    const txId = nonce.toString('hex');
    const transient = new Map(Object.entries(options?.transient ?? {}));
    return { txId, nonce, channelId: this.channelId, fn, args: [...args], mspId: identity.mspId, certificate: identity.certificate, timestamp: this.clock(), transient };
  }

  // --- order, validate, commit ---

  /**
   * Validates and seals a block and queues it for the writer, without waiting for its write: the
   * next blocks are validated and sealed during this one's fsync, and blocks that wait for the
   * disk together are written together. Writes stay in block order.
   */
  private async commitBlock(batch: Endorsed[]): Promise<void> {
    let prepared: PreparedBlock;
    try {
      prepared = await this.prepareBlock(batch);
    } catch (err) {
      rejectAll(batch, err);
      return;
    }
    await this.writer.add(prepared);
  }

  private async prepareBlock(batch: Endorsed[]): Promise<PreparedBlock> {
    if (this.failure) throw this.failure;
    const number = this.sealedHeight;
    const codes = await validateBlock(this.store, number, batch.map((e) => e.record.rwset), this.pending);
    const records: TransactionRecord[] = batch.map((e, i) => ({ ...e.record, validationCode: codes[i] ?? 'VALID' }));
    const sealed = sealBlock(number, this.sealedHash, this.clock().toISOString(), records, blockCertificates(batch));
    const writes = stateWrites(batch, records, number);
    this.pending.add(number, writes.map((w) => ({ key: w.key, version: w.value ? w.version : null })));
    this.sealedHeight = number + 1;
    this.sealedHash = sealed.block.hash;
    return { batch, records, sealed, writes };
  }

  /** Blocks are durable: tell their callers and the event followers. */
  private written(group: readonly PreparedBlock[]): void {
    for (const { batch, records, sealed, writes } of group) {
      const number = sealed.block.header.number;
      this.recent = { number, events: eventsOf(sealed.block, (i) => (batch[i] as Endorsed).writes) };
      this.committedHeight = number + 1;
      this.pending.settle(number, writes.map((w) => w.key));
      settle(batch, records, number);
    }
    this.blocks.emit('block');
  }

  /** Blocks could not be written; later blocks were sealed on top of them, so the ledger stops taking blocks. */
  private writeFailed(group: readonly PreparedBlock[], error: Error): void {
    const first = group[0]?.sealed.block.header.number;
    this.failure ??= error instanceof ZfcError ? error : new ZfcError('LEDGER_UNAVAILABLE', `block ${first} could not be written: ${error.message}`);
    for (const { batch } of group) rejectAll(batch, this.failure);
  }

  // --- events ---

  private async *followEvents(options: EventsOptions): AsyncGenerator<LedgerEvent> {
    const after = options.after;
    if (after !== undefined) checkCheckpoint(after);
    let next = after ? after.blockNumber : 0;
    while (!this.closed && !options.signal?.aborted) {
      while (next < this.committedHeight && !this.closed && !options.signal?.aborted) {
        const events = this.recent?.number === next ? this.recent.events : blockEvents(await this.store.block(next));
        yield* eventsAfter(events, after);
        options.onBlockEnd?.(next);
        next++;
      }
      if (next >= this.committedHeight) await this.nextBlock(options.signal);
    }
  }

  /** Resolves at the next committed block, on abort, or at once if already aborted (a follower may abort while it holds an event). */
  private nextBlock(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || this.closed) {
        resolve();
        return;
      }
      const done = (): void => {
        this.blocks.off('block', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.blocks.on('block', done);
      signal?.addEventListener('abort', done);
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new ZfcError('LEDGER_CLOSED', 'the ledger is closed');
  }
}

const NONCE_SIZE = 32;
let noncePool = Buffer.alloc(0);

/** A fresh random nonce, cut from a pool refilled 1000 nonces at a time. */
function nextNonce(): Buffer {
  if (noncePool.length < NONCE_SIZE) noncePool = randomBytes(NONCE_SIZE * 1000);
  const nonce = noncePool.subarray(0, NONCE_SIZE);
  noncePool = noncePool.subarray(NONCE_SIZE);
  return nonce;
}

const certificateHashes = new Map<string, string>();

/**
 * SHA-256 of a certificate's PEM text, remembered for the few certificates callers reuse: how a
 * block names the creator of each transaction (`creator.certificateHash`).
 */
export function certificateHash(pem: string): string {
  let hash = certificateHashes.get(pem);
  if (hash === undefined) {
    hash = sha256Hex(pem);
    if (certificateHashes.size >= 1000) certificateHashes.clear();
    certificateHashes.set(pem, hash);
  }
  return hash;
}

function blockCertificates(batch: readonly Endorsed[]): Record<string, string> {
  const certificates: Record<string, string> = {};
  for (const e of batch) certificates[e.record.creator.certificateHash] = e.certificate;
  return certificates;
}

function stateWrites(batch: readonly Endorsed[], records: readonly TransactionRecord[], block: number): StateWrite[] {
  const writes: StateWrite[] = [];
  records.forEach((record, tx) => {
    if (record.validationCode !== 'VALID') return;
    const version = { block, tx };
    for (const w of (batch[tx] as Endorsed).writes) writes.push({ key: w.key, value: w.value, version, txId: record.txId, timestamp: record.timestamp });
  });
  return writes;
}

function rejectAll(batch: readonly Endorsed[], err: unknown): void {
  const error = err instanceof ZfcError ? err : new ZfcError('LEDGER_UNAVAILABLE', `the block could not be committed: ${(err as Error).message}`);
  for (const e of batch) e.reject(error.withTxId(e.record.txId));
}

function settle(batch: readonly Endorsed[], records: readonly TransactionRecord[], blockNumber: number): void {
  records.forEach((record, i) => {
    const e = batch[i] as Endorsed;
    if (record.validationCode === 'VALID') e.resolve({ payload: e.payload, txId: record.txId, blockNumber });
    else e.reject(new ZfcError(record.validationCode, undefined, { blockNumber, txIndex: i }, record.txId));
  });
}

/** The chaincode events of a block's valid transactions, each with its write set (values decoded from the block). */
export function blockEvents(block: Block): LedgerEvent[] {
  return eventsOf(block, (i) => (block.transactions[i] as TransactionRecord).rwset.writes.map(decodedWrite));
}

function decodedWrite(w: KeyWrite): LedgerWrite {
  return { key: w.key, value: w.isDelete || w.value === undefined ? null : Buffer.from(w.value, 'base64') };
}

/**
 * The chaincode events of a block's valid transactions, with the write sets `writesOf` gives
 * (by transaction index): at the head they are the endorsed buffers, not decoded again.
 */
function eventsOf(block: Block, writesOf: (txIndex: number) => readonly LedgerWrite[]): LedgerEvent[] {
  const events: LedgerEvent[] = [];
  block.transactions.forEach((tx, txIndex) => {
    if (tx.validationCode !== 'VALID' || !tx.event) return;
    events.push({
      blockNumber: block.header.number,
      txIndex,
      txId: tx.txId,
      eventName: tx.event.name,
      payload: Buffer.from(tx.event.payload, 'base64'),
      timestamp: tx.timestamp,
      writes: writesOf(txIndex),
    });
  });
  return events;
}
