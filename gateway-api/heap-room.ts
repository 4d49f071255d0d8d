/**
 * The heap room EPCIS capture is refused without. The EPCIS event store and the trace graph
 * keep every event in memory (about 2 kB each), so a bulk sender could fill the heap: Node
 * would then abort, and every restart would abort again while catching up on the same events,
 * taking the consumer pages and recalls down with it. Instead, once the heap still in use after
 * a full garbage collection reaches the limit (CAPTURE_HEAP_LIMIT_MB, by default 70% of what
 * V8's old generation can keep, {@link heapShareMb}), new capture documents and events are
 * refused with 507 CAPTURE_NO_ROOM, which says how to give the gateway more heap; nothing of
 * them is recorded. A capture job that was admitted and waits for its turn is judged again when
 * the turn comes (epcis-capture-jobs.ts). The ledger's own transactions (`/v1`: shipments,
 * recalls) are never refused for it.
 *
 * The event store itself stops following the ledger at a higher limit (EPCIS_STORE_HEAP_LIMIT_MB,
 * {@link defaultStoreHeapLimitMb}), for events that come another way than capture here, and the
 * trace index at the highest (TRACE_INDEX_HEAP_LIMIT_MB, {@link defaultTraceIndexHeapLimitMb}),
 * for the ledger's own transactions, which are never refused for it.
 *
 * The heap in use right now counts garbage not yet collected (between full collections it can be
 * twice what is live), so the figure judged is the one read just after the last full collection.
 * V8 collects more often as the heap fills, so the figure follows the live heap where it matters.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import { ZfcError } from '../chaincode/errors';

const MIB = 1024 * 1024;

/** V8's largest semi-space on a 64-bit machine when `--max-semi-space-size` is not given, in MiB. */
const DEFAULT_SEMI_SPACE_MB = 16;

/**
 * The semi-space size this process was started with, in MiB: `--max-semi-space-size` on the
 * command line (bin/zfc.js gives 64) or in NODE_OPTIONS, the last one given; else V8's default.
 */
export function semiSpaceMb(argv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): number {
  const flags = [...nodeOptions.split(/\s+/), ...argv];
  let mb = DEFAULT_SEMI_SPACE_MB;
  for (let i = 0; i < flags.length; i++) {
    const m = /^--max[-_]semi[-_]space[-_]size(?:=(.*))?$/.exec(flags[i] ?? '');
    if (!m) continue;
    const n = Number(m[1] ?? flags[i + 1]);
    if (Number.isFinite(n) && n > 0) mb = n;
  }
  return mb;
}

/**
 * The heap the gateway's lasting data may grow to, in whole MiB: V8's old generation, which
 * `--max-old-space-size` sets. V8's heap limit also counts the young generation (three
 * semi-spaces: 192 MiB with bin/zfc.js's 64 MiB ones), where nothing stays; the event store and
 * the trace graph live in the old generation. A share of the whole limit could be more than the
 * old generation holds: 85% of a 512 MiB old generation's limit (704 MiB) is 598 MiB, and the
 * event store never stopped, the gateway aborted.
 */
export function heapLimitMb(): number {
  return Math.floor(heapLimitBytes() / MIB);
}

function heapLimitBytes(): number {
  return Math.max(MIB, v8.getHeapStatistics().heap_size_limit - youngGenerationBytes());
}

/** The young generation's part of V8's heap limit: three semi-spaces. */
function youngGenerationBytes(): number {
  return 3 * semiSpaceMb() * MIB;
}

/**
 * The default limit: 70% of what the old generation can keep ({@link heapShareMb}), in whole
 * MiB. A restart needs more than the running gateway did (it rebuilds the event store while the
 * trace graph loads). Measured: a gateway started as bin/zfc.js starts it (64 MiB semi-spaces)
 * with a 512 MiB old generation refused capture at 114,000 events (245 MiB live) and started again
 * in the same heap with all of them (ready in about 5 s, 300-310 MiB in use). With the limit taken
 * as 70% of V8's whole heap limit instead (492 MiB there), it captured past 200,000 events and aborted.
 */
export function defaultHeapLimitMb(): number {
  return heapShareMb(0.7);
}

/**
 * The default heap, in whole MiB, live after a full collection, at which the EPCIS event store
 * stops following the ledger (EPCIS_STORE_HEAP_LIMIT_MB): 85% of what the old generation can
 * keep. Capture stops before it (70%); the store gets there only by events that came another way (a restart
 * with a smaller heap, other organisations' captures on a shared Fabric channel). Stopping there,
 * the gateway goes on serving all but /epcis, where it would otherwise abort at every start.
 */
export function defaultStoreHeapLimitMb(): number {
  return heapShareMb(0.85);
}

/**
 * The default heap, in MiB, live after a full collection, at which the trace index stops
 * following the ledger and loading its graph (TRACE_INDEX_HEAP_LIMIT_MB): 90% of what the old
 * generation can keep, above the event store's 85%, so that the store, which grows with every
 * EPCIS event, stops first and the index goes on for the ledger's own transactions. There the
 * gateway answers traces, lots and consumer pages 503 TRACE_INDEX_FULL and goes on recording
 * (the contract applies the ledger's rules, recalls included), where it would otherwise abort,
 * and abort again at every start while it loads the same graph.
 */
export function defaultTraceIndexHeapLimitMb(): number {
  return heapShareMb(0.9);
}

/**
 * A share of what the old generation can keep ({@link heapLimitMb}) once room is left for the
 * young generation's size above it, in whole MiB. The figure judged is read after a full
 * collection, and before the next one scavenges can promote up to what the young generation
 * holds (192 MiB with bin/zfc.js's semi-spaces). On a 4 GiB old generation that room is a twentieth;
 * on a small one with large semi-spaces it is most of it: with a 256 MiB old generation and 64
 * MiB semi-spaces, the event store's 85% of the old generation left 38 MiB, and a restart aborted
 * while the store caught up.
 */
function heapShareMb(share: number): number {
  const usable = heapLimitBytes() - youngGenerationBytes();
  return Math.max(1, Math.floor((usable * share) / MIB));
}

/** A check that there is room below `limitMb` of live heap (for the event store's `room` option). */
export function heapRoomBelow(limitMb: number): () => boolean {
  watchFullCollections();
  return () => liveAfterFullGc < limitMb * MIB;
}

/** Bytes in use after the last full collection (0: none yet); one observer for the process. */
let liveAfterFullGc = 0;
let observer: PerformanceObserver | undefined;

function watchFullCollections(): void {
  if (observer) return;
  observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) liveAfterFullGc = v8.getHeapStatistics().used_heap_size;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** The heap in use after the last full garbage collection, in bytes (0 before the first). */
export function heapLiveBytes(): number {
  watchFullCollections();
  return liveAfterFullGc;
}

/** Refuses EPCIS capture while the live heap is at or above a limit, and says so once per spell. */
export class HeapRoom {
  private refusing = false;
  private readonly hasRoom: () => boolean;

  /** `limitMb`: the live heap, in MiB, at which capture is refused; `log` is told when refusals start and stop. */
  constructor(
    private readonly limitMb: number,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    if (!Number.isSafeInteger(limitMb) || limitMb < 1) throw new TypeError('limitMb must be a positive whole number');
    this.hasRoom = heapRoomBelow(limitMb);
  }

  /**
   * Returns when there is room to capture; otherwise throws.
   *
   * @throws ZfcError CAPTURE_NO_ROOM (507) while the heap live after the last full collection is at or above the limit.
   */
  assertRoom(): void {
    const full = !this.hasRoom();
    const live = heapLiveBytes();
    if (full !== this.refusing) {
      this.refusing = full;
      this.log(full
        ? `[epcis] refusing captures: ${Math.round(live / MIB)} MiB of heap live after the last full collection, at or above CAPTURE_HEAP_LIMIT_MB=${this.limitMb}; give Node more heap (NODE_OPTIONS=--max-old-space-size=<MiB>) and raise the limit`
        : `[epcis] taking captures again: ${Math.round(live / MIB)} MiB of heap live, below CAPTURE_HEAP_LIMIT_MB=${this.limitMb}`);
    }
    if (!full) return;
    throw new ZfcError('CAPTURE_NO_ROOM', `the gateway keeps every EPCIS event in memory and its heap is full (${Math.round(live / MIB)} MiB live, limit ${this.limitMb} MiB): nothing was recorded; the operator must give it more heap`, {
      heapLiveBytes: live,
      limitBytes: this.limitMb * MIB,
    });
  }
}
