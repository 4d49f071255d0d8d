/**
 * The embedded ledger in a thread of its own (ledger-tools/ledger-worker.ts), behind the Ledger
 * port: the same blocks, state, events and errors as {@link openEmbeddedLedger} in the calling
 * thread, but endorsement and commit no longer share one core with the gateway's own work —
 * HTTP, authentication, the trace index and the EPCIS projection following the ledger. This is
 * how a Fabric peer stands apart from the applications that call it, and what lets a gateway
 * on two cores take in events as fast as the ledger commits them.
 *
 * Committed blocks' events cross once: the ledger thread posts each block's events when the
 * block is durable, and every follower here at the head shares those same objects (so payloads
 * are decoded once for all of them, see gateway-api/ledger-payload.ts). A follower further
 * behind asks the ledger thread for older blocks' events, a few blocks per call.
 *
 * The contracts are named by module (they are classes, which cannot be posted to a thread):
 * `contractsModule` is loaded in the ledger thread and its `contractsExport` is the list.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ZfcError, type ErrorCode, type ErrorDetails } from '../chaincode/errors';
import type { Block } from './block';
import { checkCall, checkCheckpoint, eventsAfter } from './call-check';
import { checkIdentity } from './identity-check';
import type { CallOptions, EventsOptions, Identity, Ledger, LedgerCapabilities, LedgerEvent, SubmitResult } from './ledger';
import { MAX_BLOCKS_PER_CALL, type FromWorker, type LedgerWorkerData, type ToWorker, type WireError, type WorkerCall } from './ledger-worker';
import type { TxLocation } from './store';

/** Options of {@link openThreadedLedger}. */
export interface ThreadedLedgerOptions {
  /** The folder of the level database (created if missing). */
  readonly dir: string;
  /** The module that exports the contract classes (a path `require` takes: absolute, or a package name). */
  readonly contractsModule: string;
  /** The name of the export: the list of contract classes. Default 'contracts'. */
  readonly contractsExport?: string;
  /** As {@link EmbeddedLedgerOptions.batchSize}. */
  readonly batchSize?: number;
  /** As {@link EmbeddedLedgerOptions.batchTimeoutMs}. */
  readonly batchTimeoutMs?: number;
  /** As {@link EmbeddedLedgerOptions.channelId}. */
  readonly channelId?: string;
}

/** Blocks' events kept here for followers at the head. */
const RECENT_BLOCKS = 8;

/**
 * Opens the embedded ledger in `options.dir` in a thread of its own.
 *
 * @example
 * const ledger = await openThreadedLedger({ dir: './data/ledger', contractsModule: require.resolve('../chaincode') });
 * const { txId, blockNumber } = await ledger.submit('CreateLot', [json], producer);
 */
export async function openThreadedLedger(options: ThreadedLedgerOptions): Promise<ThreadedLedger> {
  const data: LedgerWorkerData = {
    dir: options.dir,
    contractsModule: options.contractsModule,
    contractsExport: options.contractsExport ?? 'contracts',
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.batchTimeoutMs !== undefined ? { batchTimeoutMs: options.batchTimeoutMs } : {}),
    ...(options.channelId !== undefined ? { channelId: options.channelId } : {}),
  };
  const worker = new Worker(path.join(__dirname, 'ledger-worker.js'), { workerData: data });
  const height = await new Promise<number>((resolve, reject) => {
    const settled = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: FromWorker): void => {
      if (m.op === 'ready') resolve(m.height);
      else if (m.op === 'failed') reject(errorOf(m.error));
      else return;
      settled();
    };
    const onError = (err: Error): void => {
      settled();
      reject(new ZfcError('LEDGER_UNAVAILABLE', `the ledger thread failed to start: ${err.message}`));
    };
    const onExit = (code: number): void => {
      settled();
      reject(new ZfcError('LEDGER_UNAVAILABLE', `the ledger thread stopped while starting (exit code ${code})`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  return new ThreadedLedger(worker, height);
}

/** The error a {@link WireError} stands for. */
function errorOf(wire: WireError): Error {
  if (wire.code === undefined) return new ZfcError('INTERNAL', wire.text);
  return new ZfcError(wire.code as ErrorCode, wire.text, (wire.details ?? {}) as ErrorDetails, wire.txId);
}

/** A buffer over the bytes a thread posted (a Uint8Array once cloned). */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A posted event with Buffers again where the ledger gave Buffers (payload and written values). */
function localEvent(event: LedgerEvent): LedgerEvent {
  const writes = event.writes?.map((w) => ({ key: w.key, value: w.value === null ? null : asBuffer(w.value) }));
  return { ...event, payload: asBuffer(event.payload), ...(writes ? { writes } : {}) };
}

/** The embedded ledger in its own thread. Create one with {@link openThreadedLedger}. */
export class ThreadedLedger implements Ledger {
  readonly kind = 'embedded' as const;
  readonly capabilities: LedgerCapabilities = { blocks: true };
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  /** The newest blocks' events, by block number. */
  private readonly recent = new Map<number, readonly LedgerEvent[]>();
  /** Blocks below this are committed, as far as this thread has heard. */
  private knownHeight: number;
  private watching = false;
  private closed = false;
  private failure: ZfcError | undefined;
  private readonly waiters = new Set<() => void>();

  /** @internal use {@link openThreadedLedger}. */
  constructor(
    private readonly worker: Worker,
    height: number,
  ) {
    this.knownHeight = height;
    worker.on('message', (m: FromWorker) => this.received(m));
    worker.on('error', (err) => this.fail(new ZfcError('LEDGER_UNAVAILABLE', `the ledger thread failed: ${err.message}`)));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new ZfcError('LEDGER_UNAVAILABLE', `the ledger thread stopped (exit code ${code})`));
    });
  }

  async submit(fn: string, args: readonly string[], identity: Identity, options?: CallOptions): Promise<SubmitResult> {
    this.checkOpen();
    checkCall(fn, args);
    const result = await this.call<SubmitResult>({ op: 'submit', fn, args, identity: plainIdentity(identity), ...(options ? { options } : {}) });
    this.heard(result.blockNumber + 1);
    return { ...result, payload: asBuffer(result.payload) };
  }

  async evaluate(fn: string, args: readonly string[], identity: Identity, options?: CallOptions): Promise<Uint8Array> {
    this.checkOpen();
    checkCall(fn, args);
    return asBuffer(await this.call<Uint8Array>({ op: 'evaluate', fn, args, identity: plainIdentity(identity), ...(options ? { options } : {}) }));
  }

  async height(): Promise<number> {
    const height = await this.call<number>({ op: 'height' });
    this.heard(height);
    return height;
  }

  /** A committed block, or BLOCK_NOT_FOUND. */
  block(number: number): Promise<Block> {
    return this.call<Block>({ op: 'block', number });
  }

  /** Where a transaction is (block and index), if committed. */
  txLocation(txId: string): Promise<TxLocation | undefined> {
    return this.call<TxLocation | undefined>({ op: 'txLocation', txId });
  }

  events(options: EventsOptions = {}): AsyncIterable<LedgerEvent> {
    return this.followEvents(options);
  }

  /** Commits what is queued, closes the store and ends the thread. Later calls fail with LEDGER_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true; // as the embedded ledger: from now on calls are refused and followers end
    this.wake();
    try {
      if (!this.failure) await this.send({ op: 'close' }); // what was submitted before is still committed
    } finally {
      await this.worker.terminate();
      // anything still unanswered (a follower's read-back raced the close) will not be answered now
      for (const waiting of this.pending.values()) waiting.reject(new ZfcError('LEDGER_CLOSED', 'the ledger is closed'));
      this.pending.clear();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new ZfcError('LEDGER_CLOSED', 'the ledger is closed');
    if (this.failure) throw this.failure;
  }

  private call<T>(call: WorkerCall): Promise<T> {
    try {
      this.checkOpen();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.send<T>(call);
  }

  private send<T>(call: WorkerCall): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, call } satisfies ToWorker);
    });
  }

  private received(m: FromWorker): void {
    if (m.op === 'answer') {
      const waiting = this.pending.get(m.id);
      if (!waiting) return;
      this.pending.delete(m.id);
      if (m.error) waiting.reject(errorOf(m.error));
      else waiting.resolve(m.value);
    } else if (m.op === 'committed') {
      this.recent.set(m.number, m.events.map(localEvent));
      this.recent.delete(m.number - RECENT_BLOCKS);
      this.heard(m.number + 1);
    }
  }

  /** The ledger thread said blocks below `height` are committed. */
  private heard(height: number): void {
    if (height <= this.knownHeight) return;
    this.knownHeight = height;
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private fail(error: ZfcError): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(this.failure);
    this.pending.clear();
    this.wake();
  }

  private async *followEvents(options: EventsOptions): AsyncGenerator<LedgerEvent> {
    const after = options.after;
    if (after !== undefined) checkCheckpoint(after);
    if (!this.watching && !this.closed && !this.failure) {
      this.watching = true;
      this.worker.postMessage({ op: 'watch' } satisfies ToWorker);
    }
    let next = after ? after.blockNumber : 0;
    let fetched: { from: number; blocks: readonly LedgerEvent[][] } | undefined;
    /**
     * The next blocks' events, asked for while the ones before are handed out: reading back a
     * long ledger (a rebuild at start) then keeps the ledger thread reading and this thread
     * applying at the same time, rather than each waiting for the other.
     */
    let ahead: { from: number; blocks: Promise<LedgerEvent[][]> } | undefined;
    const read = (from: number): { from: number; blocks: Promise<LedgerEvent[][]> } => {
      const blocks = this.call<LedgerEvent[][]>({ op: 'blockEvents', from, to: Math.min(this.knownHeight, from + MAX_BLOCKS_PER_CALL) });
      blocks.catch(() => undefined); // a read ahead that is never awaited (the stream ended first) fails unobserved
      return { from, blocks };
    };
    const ended = (): boolean => this.closed || this.failure !== undefined || options.signal?.aborted === true;
    while (!ended()) {
      while (next < this.knownHeight && !ended()) {
        let events = this.recent.get(next);
        if (!events) {
          if (!fetched || next < fetched.from || next >= fetched.from + fetched.blocks.length) {
            const reading = ahead?.from === next ? ahead : read(next);
            ahead = undefined;
            let blocks: LedgerEvent[][];
            try {
              blocks = await reading.blocks;
            } catch (err) {
              if (this.closed) return; // closed while reading back: the stream ends, as on close at the head
              throw err;
            }
            const following = next + blocks.length;
            if (blocks.length > 0 && following < this.knownHeight && !this.recent.has(following)) ahead = read(following);
            fetched = { from: next, blocks: blocks.map((b) => b.map(localEvent)) };
          }
          events = fetched.blocks[next - fetched.from];
          // the ledger thread is never behind what it told this thread: a missing block is a fault, not an empty block
          if (!events) throw new ZfcError('LEDGER_UNAVAILABLE', `the ledger thread did not return block ${next}`, { block: next });
        }
        yield* eventsAfter(events, after);
        options.onBlockEnd?.(next);
        next++;
      }
      if (next >= this.knownHeight) await this.change(options.signal);
    }
    if (this.failure && !this.closed && !options.signal?.aborted) throw this.failure;
  }

  /** Resolves when more blocks are known, on abort, on close or failure (at once if already ended). */
  private change(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || this.closed || this.failure) {
        resolve();
        return;
      }
      const done = (): void => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }
}

/** Only what the ledger thread needs of a checked identity (an identity may carry more than can be posted). */
function plainIdentity(identity: Identity): Identity {
  checkIdentity(identity);
  return { mspId: identity.mspId, certificate: identity.certificate, ...(identity.privateKey !== undefined ? { privateKey: identity.privateKey } : {}) };
}

