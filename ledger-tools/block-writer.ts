/**
 * The last step of a commit: each sealed block starts its way to the block file as it is queued
 * (store.ts stageBlock), and blocks are committed in block order, those that are ready together
 * in one atomic, synced batch (group commit of blocks — each block is still
 * all-or-nothing, and a later block is never durable without the earlier ones). Once a write
 * fails nothing more is written: later blocks were sealed on top of the lost one.
 */
import type { SealedBlock } from './block';
import type { StagedBlock } from './block-file';
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
  private queue: Array<{ readonly block: T; readonly staged: StagedBlock | undefined }> = [];
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
    this.queue.push({ block, staged: this.failure ? undefined : this.store.stageBlock(block.sealed) }); // large blocks start on their way to the block file
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
        await this.store.commitBlocks(group.map(({ block, staged }) => ({ sealed: block.sealed, writes: block.writes, staged })));
      } catch (err) {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        this.events.failed(group.map((g) => g.block), this.failure);
        continue;
      }
      this.events.written(group.map((g) => g.block));
    }
  }
}
