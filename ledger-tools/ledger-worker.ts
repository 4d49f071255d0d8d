/**
 * The embedded ledger's own thread: runs an {@link EmbeddedLedger} (endorsement, ordering,
 * validation, commit) for a {@link ThreadedLedger} in the main thread, as a Fabric peer runs
 * apart from the applications that call it.
 *
 * Messages (all structured-cloneable; see {@link ToWorker} and {@link FromWorker}):
 * - a call (submit, evaluate, height, block, events of blocks, transaction location, close) is
 *   answered once, by its id, with a value or a serialised error;
 * - once the main thread watches, every committed block's events are posted as the block is
 *   durable, and a submit is answered only after the events of its block were posted, so the
 *   main thread never learns of a block before it can have its events.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { ZfcError } from '../chaincode/errors';
import type { ContractClass } from './chaincode-host';
import { blockEvents, openEmbeddedLedger, type EmbeddedLedger } from './embedded-ledger';
import type { CallOptions, Identity, LedgerEvent } from './ledger';

/** What the worker is started with (`workerData`). */
export interface LedgerWorkerData {
  readonly dir: string;
  /** The module (a path `require` takes) that exports the contract classes… */
  readonly contractsModule: string;
  /** …under this name. */
  readonly contractsExport: string;
  readonly batchSize?: number;
  readonly batchTimeoutMs?: number;
  readonly channelId?: string;
}

/** A call from the main thread. */
export type WorkerCall =
  | { readonly op: 'submit' | 'evaluate'; readonly fn: string; readonly args: readonly string[]; readonly identity: Identity; readonly options?: CallOptions }
  | { readonly op: 'height' }
  | { readonly op: 'block'; readonly number: number }
  | { readonly op: 'blockEvents'; readonly from: number; readonly to: number }
  | { readonly op: 'txLocation'; readonly txId: string }
  | { readonly op: 'close' };

/** What the main thread posts: a call with its id, or the request to be sent committed blocks' events. */
export type ToWorker = { readonly id: number; readonly call: WorkerCall } | { readonly op: 'watch' };

/** A ZfcError (or any other error) as it crosses the thread boundary. */
export interface WireError {
  readonly code?: string;
  readonly text: string;
  readonly details?: unknown;
  readonly txId?: string;
}

/** What the worker posts. */
export type FromWorker =
  | { readonly op: 'ready'; readonly height: number }
  | { readonly op: 'failed'; readonly error: WireError }
  | { readonly op: 'answer'; readonly id: number; readonly value?: unknown; readonly error?: WireError }
  | { readonly op: 'committed'; readonly number: number; readonly events: readonly LedgerEvent[] };

/** The most blocks one blockEvents call reads. */
export const MAX_BLOCKS_PER_CALL = 16;

/** An error in a form that survives structured cloning. */
export function wireError(err: unknown): WireError {
  if (err instanceof ZfcError) return { code: err.code, text: err.text, details: err.details, ...(err.txId !== undefined ? { txId: err.txId } : {}) };
  return { text: err instanceof Error ? err.message : String(err) };
}

function post(message: FromWorker): void {
  try {
    parentPort?.postMessage(message);
  } catch (err) {
    // a value that cannot be cloned (never expected): answer with the reason instead of hanging the caller
    if (message.op === 'answer') parentPort?.postMessage({ op: 'answer', id: message.id, error: { code: 'INTERNAL', text: `the ledger thread could not send its answer: ${(err as Error).message}` } } satisfies FromWorker);
    else throw err;
  }
}

/** Serves one ledger until it is closed. */
class LedgerThread {
  /** Blocks below this number have had their events posted (while watching). */
  private postedHeight = 0;
  private watching = false;
  private readonly postWaiters: Array<{ height: number; resolve: () => void }> = [];
  private readonly stopWatching = new AbortController();

  constructor(private readonly ledger: EmbeddedLedger) {}

  handle(message: ToWorker): void {
    if ('op' in message) {
      void this.watch();
      return;
    }
    this.answer(message.call).then(
      (value) => post({ op: 'answer', id: message.id, value }),
      (err: unknown) => post({ op: 'answer', id: message.id, error: wireError(err) }),
    );
  }

  private async answer(call: WorkerCall): Promise<unknown> {
    switch (call.op) {
      case 'submit': {
        const result = await this.ledger.submit(call.fn, call.args, call.identity, call.options);
        await this.posted(result.blockNumber + 1);
        return result;
      }
      case 'evaluate':
        return this.ledger.evaluate(call.fn, call.args, call.identity, call.options);
      case 'height':
        return this.ledger.height();
      case 'block':
        return this.ledger.block(call.number);
      case 'blockEvents': {
        const out: LedgerEvent[][] = [];
        const to = Math.min(call.to, call.from + MAX_BLOCKS_PER_CALL, await this.ledger.height());
        for (let n = call.from; n < to; n++) out.push(blockEvents(await this.ledger.block(n)));
        return out;
      }
      case 'txLocation':
        return this.ledger.store.txLocation(call.txId);
      case 'close':
        this.stopWatching.abort();
        await this.ledger.close();
        for (const w of this.postWaiters.splice(0)) w.resolve();
        return undefined;
    }
  }

  /** Resolves once the events of every block below `height` were posted (at once when not watching). */
  private posted(height: number): Promise<void> {
    if (!this.watching || this.postedHeight >= height) return Promise.resolve();
    return new Promise((resolve) => this.postWaiters.push({ height, resolve }));
  }

  /** Posts each block's events as it is committed, from the current height on. */
  private async watch(): Promise<void> {
    if (this.watching) return;
    this.watching = true;
    const from = await this.ledger.height();
    this.postedHeight = from;
    let events: LedgerEvent[] = [];
    const after = from > 0 ? { blockNumber: from - 1, txIndex: Number.MAX_SAFE_INTEGER } : undefined;
    const onBlockEnd = (number: number): void => {
      if (number < from) return; // the block before `from`: only where following starts
      post({ op: 'committed', number, events });
      events = [];
      this.postedHeight = number + 1;
      for (let i = this.postWaiters.length - 1; i >= 0; i--) {
        const w = this.postWaiters[i];
        if (w && w.height <= this.postedHeight) {
          this.postWaiters.splice(i, 1);
          w.resolve();
        }
      }
    };
    try {
      for await (const event of this.ledger.events({ ...(after ? { after } : {}), signal: this.stopWatching.signal, onBlockEnd })) events.push(event);
    } catch (err) {
      // the ledger failed under the follower: callers waiting for their block are answered anyway
      this.watching = false;
      for (const w of this.postWaiters.splice(0)) w.resolve();
      process.stderr.write(`zfc ledger thread: following committed blocks stopped: ${(err as Error).message}\n`);
    }
  }
}

async function main(data: LedgerWorkerData): Promise<void> {
  let ledger: EmbeddedLedger;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = (require(data.contractsModule) as Record<string, unknown>)[data.contractsExport];
    if (!Array.isArray(exported)) throw new ZfcError('INVALID_ARGUMENT', `${data.contractsModule} exports no contract list named ${data.contractsExport}`);
    ledger = await openEmbeddedLedger({
      dir: data.dir,
      contracts: exported as ContractClass[],
      ...(data.batchSize !== undefined ? { batchSize: data.batchSize } : {}),
      ...(data.batchTimeoutMs !== undefined ? { batchTimeoutMs: data.batchTimeoutMs } : {}),
      ...(data.channelId !== undefined ? { channelId: data.channelId } : {}),
    });
  } catch (err) {
    post({ op: 'failed', error: wireError(err) });
    return;
  }
  const thread = new LedgerThread(ledger);
  parentPort?.on('message', (message: ToWorker) => thread.handle(message));
  post({ op: 'ready', height: await ledger.height() });
}

if (parentPort) void main(workerData as LedgerWorkerData);
