/**
 * The last step of a commit: sealed blocks are written in block order, and blocks that are ready
 * together go in one atomic, synced batch (group commit of blocks — each block is still
 * all-or-nothing, and a later block is never durable without the earlier ones). Once a write
 * fails nothing more is written: later blocks were sealed on top of the lost one.
 */
import type { SealedBlock } from './block';
import type { LedgerStore, StateWrite } from './store';

/** What the writer needs of a prepared block. */
export interface WritableBlock {
  readonly sealed: SealedBlock;
  readonly writes: readonly StateWrite[];
}

/** Callbacks of a {@link BlockWriter}. */
export interface BlockWriterEvents<T> {
  /** The blocks are durable (in order). */
  written(group: readonly T[]): void;
  /** The blocks were not written, and none after them will be. */
  failed(group: readonly T[], error: Error): void;
}

const MAX_GROUP = 16;

/** Writes blocks in order, grouping those that wait. */
export class BlockWriter<T extends WritableBlock> {
  private queue: T[] = [];
  private running: Promise<void> | undefined;
  private waiting: (() => void)[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly store: LedgerStore,
    private readonly events: BlockWriterEvents<T>,
    /** How many blocks may wait beyond the group being written before `add` waits. */
    private readonly maxQueued = MAX_GROUP,
  ) {}

  /** Queues a block for writing; resolves when there is room for another (not when it is written). */
  async add(block: T): Promise<void> {
    this.queue.push(block);
    this.kick();
    while (this.queue.length >= this.maxQueued) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Resolves when everything queued has been written (or failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, MAX_GROUP);
      for (const wake of this.waiting.splice(0)) wake();
      try {
        if (this.failure) throw this.failure;
        await this.store.commitBlocks(group);
      } catch (err) {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        this.events.failed(group, this.failure);
        continue;
      }
      this.events.written(group);
    }
  }
}
