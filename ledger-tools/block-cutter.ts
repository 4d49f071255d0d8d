/**
 * The ordering step: endorsed transactions queue here and are cut into blocks like Fabric's
 * BatchSize/BatchTimeout — a block as soon as `batchSize` transactions wait, or when the oldest
 * waiting one has waited `batchTimeoutMs`. One block is committed at a time; whatever arrives
 * meanwhile waits and goes into the next block (group commit).
 */

/** Cuts queued items into batches and commits them one batch at a time. */
export class BlockCutter<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private timedOut = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly batchSize: number,
    private readonly batchTimeoutMs: number,
    private readonly commit: (batch: T[]) => Promise<void>,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError('batchSize must be a positive integer');
    if (!Number.isFinite(batchTimeoutMs) || batchTimeoutMs < 0) throw new TypeError('batchTimeoutMs must be zero or more');
  }

  /** Queues an item; it is committed in a later batch. */
  add(item: T): void {
    this.queue.push(item);
    if (this.queue.length >= this.batchSize) this.kick();
    else this.startTimer();
  }

  /** Cuts and commits everything queued; resolves when done. */
  async drain(): Promise<void> {
    this.timedOut = true;
    this.kick();
    while (this.running) await this.running;
  }

  private startTimer(): void {
    if (this.timer || this.timedOut) return;
    const fire = (): void => {
      this.timer = undefined;
      this.timedOut = true;
      this.kick();
    };
    this.timer = this.batchTimeoutMs === 0 ? setImmediate(fire) : setTimeout(fire, this.batchTimeoutMs);
  }

  private stopTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    this.timedOut = false;
  }

  private kick(): void {
    if (this.running) return;
    // commit() settles its own items' promises; a failure must not stop later batches.
    this.running = this.loop()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.ready()) this.kick();
      });
  }

  private ready(): boolean {
    return this.queue.length >= this.batchSize || (this.timedOut && this.queue.length > 0);
  }

  private async loop(): Promise<void> {
    while (this.ready()) {
      const batch = this.queue.splice(0, this.batchSize);
      if (this.queue.length === 0) this.stopTimer();
      await this.commit(batch);
      if (this.queue.length > 0) this.startTimer();
    }
  }
}
