/**
 * The trace index: a projection of committed chaincode events into its own level database,
 * answered from an in-memory graph loaded from it.
 *
 * It follows `ledger.events()` from its stored checkpoint, so it survives restarts; it can be
 * deleted and rebuilt from the ledger to the same answers (facts carry their ledger position,
 * and every list is kept in that order). Nothing here is a business rule: the chaincode
 * decides, the index remembers what was decided.
 *
 * @example
 * const index = await TraceIndex.open({ dir: path.join(dataDir, 'index'), project });
 * void index.follow(ledger);
 * const graph = index.traceBack({ lot: { gtin, lot } }, `${gtin}/${lot}`);
 */
import type { Checkpoint, Ledger, LedgerEvent } from '../ledger-tools/ledger';
import { isAfter } from '../ledger-tools/call-check';
import { tryParseIdentifier } from '../chaincode/digital-link';
import { ZfcError } from '../chaincode/errors';
import { cloneWarning, type ItemWarning, type ScanPoint } from '../qr-service';
import { TraceGraphStore, type LotNode, type TraceStart, holdersOf, itemCodeParts, traceStartOf } from './trace-graph';
import { flat } from './string-pool';
import { TraceStore } from './trace-store';
import { planInspections, type DivertedItem, type InspectionPlan, type PlanOptions } from './inspection-plan';
import { type Fact, type LotRef, type PositionedFact, type TraceGraph, type LotView, type HolderView, lotKey } from './trace-model';

/**
 * Turns one chaincode event into the facts the index keeps. The facts are handed over: fresh
 * objects shared with nothing, which the index completes with their ledger position in place
 * (copying every fact was the index's largest own cost per captured event). A fact that is
 * not extensible (frozen) is copied instead.
 */
export type Projection = (event: LedgerEvent) => readonly Fact[];

/** Options of {@link TraceIndex.open}. */
export interface TraceIndexOptions {
  /** The index's own level database folder. */
  readonly dir: string;
  /** How chaincode events become facts (projection.ts); without it, only applyFacts feeds the index. */
  readonly project?: Projection;
  /**
   * Asked before each batch of stored facts the graph loads and each batch of ledger events it
   * applies: false when the heap has no room for more (heap-room.ts). The index then stops
   * ({@link TraceIndex.stopped}): it follows the ledger no further and refuses every answer
   * drawn from its graph with 503 TRACE_INDEX_FULL, rather than fill the heap until Node aborts
   * (and aborts again at every start, loading the same graph). Default: always room.
   */
  readonly room?: () => boolean;
  /** False: open without loading the stored graph, for a {@link TraceIndex.rebuild} that replaces it (`zfc ledger reindex`). Default true. */
  readonly load?: boolean;
  /** Told once, in a line, when the index stops for lack of heap. Default: the gateway's standard error. */
  readonly log?: (line: string) => void;
}

/** A lot with what a lot page needs: holders, lineage, custody, warnings. */
export interface LotDetail extends LotView {
  readonly statusReason: string;
  /** When the lot entered its current status (empty while active since creation). */
  readonly statusAt: string;
  readonly originName: string;
  readonly recallId: string;
  readonly holders: readonly (HolderView & { holding: number })[];
  readonly inputs: readonly { lot: LotRef; quantity: number; unit: string; txId: string }[];
  readonly outputs: readonly { lot: LotRef; quantity: number; unit: string; txId: string }[];
  readonly warnings: readonly { kind: string; message: string; txId: string; timestamp: string }[];
  readonly scans: number;
}

/** A shipment: who shipped what to whom, and what was received (in transit until then). */
export interface ShipmentView {
  readonly shipmentId: string;
  readonly status: 'in_transit' | 'received';
  readonly from: string;
  readonly to: string;
  readonly lines: readonly { lot: LotRef; quantity: number; unit: string }[];
  readonly received: readonly { lot: LotRef; quantity: number; unit: string }[];
  readonly shippedAt: string;
  /** Empty while in transit. */
  readonly receivedAt: string;
  readonly txIds: readonly string[];
  /** `return`: the lots go back to their producer (Ship's `purpose`), recalled or held as they may be; absent for an ordinary shipment. */
  readonly purpose?: 'return';
}

/** A participant as the directory lists it, with its site's latest inspection (outcome and date; the findings stay on the ledger). */
export interface ParticipantEntry {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly gln: string;
  readonly status: string;
  readonly inspection?: { readonly outcome: string; readonly inspectedAt: string };
}

/** A search over the participants or the products: those matching, by ID (or GTIN), a page at a time. */
export interface DirectoryQuery {
  /** Participants: of this role; products: registered by this participant. */
  readonly role?: string;
  readonly status?: string;
  readonly owner?: string;
  readonly limit?: number;
  /** The `next` of a previous page. */
  readonly cursor?: string;
}

/** A recall as a list shows it: the lots it named, and how many lots it reached. */
export interface RecallSummary {
  readonly recallId: string;
  readonly status: string;
  readonly lots: readonly LotRef[];
  readonly affectedCount: number;
  readonly reason: string;
  readonly recallClass: string;
  readonly issuer: string;
  readonly txId: string;
  readonly timestamp: string;
}

/** What one participant holds of one lot now (its stock), with the lot's status. */
export interface HoldingEntry {
  readonly participant: string;
  readonly lot: LotRef;
  readonly product: string;
  readonly quantity: number;
  readonly unit: string;
  /** The lot's status: `active`, `on_hold` or `recalled`. */
  readonly status: string;
  /** The recall or hold's reason and recall, when not active. */
  readonly statusReason?: string;
  readonly recallId?: string;
}

/** A search over shipments. */
export interface ShipmentQuery {
  /** Shipments from or to this participant (all when absent). */
  readonly participant?: string;
  /** With a participant: only those to it (`incoming`) or from it (`outgoing`). */
  readonly direction?: 'incoming' | 'outgoing';
  readonly status?: 'in_transit' | 'received';
  readonly limit?: number;
  /** The `next` of a previous page. */
  readonly cursor?: string;
}

/** A search over lots. */
export interface LotQuery {
  readonly product?: string;
  readonly producer?: string;
  readonly holder?: string;
  readonly status?: string;
  readonly limit?: number;
  /** The `next` of a previous page. */
  readonly cursor?: string;
}

/** An item code flagged as possibly cloned: scanned too far apart for the time between. */
export interface CloneFlag {
  /** `gtin/serial`. */
  readonly code: string;
  readonly warning: ItemWarning;
  /** The scan that completed the impossible journey. */
  readonly at: string;
}

/** Anonymous scans of an item after its holder recorded it destroyed or disposed of. */
interface DestroyedSeen {
  readonly firstAt: string;
  readonly lastAt: string;
  readonly scans: number;
  /** The last place a scan gave (a located scan), if any did. */
  readonly lastPlace?: { readonly lat: number; readonly lon: number };
}

/** A warning as GET /v1/warnings lists it (its lot, when the index knows one). */
type WarningEntry = { kind: string; lot: LotRef | undefined; message: string; details: Record<string, unknown>; txId: string; timestamp: string };

/** How many located anonymous scans of one item are kept to compare the next against. */
const SCAN_POINTS_KEPT = 20;

/** The most events applied in one level batch while catching up. */
const BATCH_EVENTS = 2000;

const PAUSE = Symbol('pause');

/** Resolves with PAUSE after `ms` (at the next turn of the event loop for 0; never for undefined). */
function pause(ms: number | undefined): Promise<typeof PAUSE> {
  if (ms === undefined) return new Promise(() => undefined);
  return new Promise((resolve) => (ms === 0 ? setImmediate(() => resolve(PAUSE)) : setTimeout(() => resolve(PAUSE), ms).unref()));
}


/** A sortable ledger position for the i-th fact of a transaction. */
export function factSeq(at: Checkpoint, i: number): string {
  return seqAt(seqPrefix(at), i);
}

/** The i-th fact's position after its transaction's {@link seqPrefix}: one flat string, as the graph keeps one for every hop (a concatenation would keep its parts too). */
function seqAt(prefix: string, i: number): string {
  return flat(prefix + String(i).padStart(4, '0'));
}

/** The part of {@link factSeq} common to every fact of a transaction. */
function seqPrefix(at: Checkpoint): string {
  return `${String(at.blockNumber).padStart(10, '0')}.${String(at.txIndex).padStart(6, '0')}.`;
}

/** A projected fact with its position, set in place (see {@link Projection}) unless it is frozen. */
function positioned(f: Fact, e: LedgerEvent, seq: string): PositionedFact {
  if (!Object.isExtensible(f)) return { ...f, txId: e.txId, timestamp: e.timestamp, seq } as PositionedFact;
  const p = f as Fact & { txId: string; timestamp: string; seq: string };
  p.txId = e.txId;
  p.timestamp = e.timestamp;
  p.seq = seq;
  return p as PositionedFact;
}

/** The trace index. */
export class TraceIndex {
  private graph = new TraceGraphStore();
  /** The lots' keys in order, as of a graph and its count of lots (lots are never removed). */
  private sortedLots?: { readonly graph: TraceGraphStore; readonly size: number; readonly keys: string[] };
  private last: Checkpoint | undefined;
  /** Who waits for a transaction to be applied: told true once it is, false if the index stops first. */
  private readonly waiters = new Map<string, ((applied: boolean) => void)[]>();
  private readonly applied = new Set<string>();
  private readonly publicScans = new Map<string, number>();
  private readonly scanPoints = new Map<string, ScanPoint[]>();
  private readonly clones = new Map<string, CloneFlag>();
  /** Anonymous scans of items recorded destroyed, by code (`gtin/serial`). */
  private readonly destroyedSeen = new Map<string, DestroyedSeen>();
  /** The anonymous scan counts being written, in order (awaited on close). */
  private scanWrites: Promise<void> = Promise.resolve();
  private following: AbortController | undefined;
  /** The last block whose every event has been handed to the index (the ledger's block-end signal). */
  private endedBlock = -1;
  /** The last block whose every event has been applied. */
  private processedBlock = -1;
  /** Events handed to the index and not yet applied. */
  private unapplied = 0;

  private stoppedError: ZfcError | undefined;

  private constructor(
    private readonly store: TraceStore,
    private readonly project: Projection | undefined,
    private readonly room: () => boolean,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Opens the index in `dir` and loads its graph into memory. A graph the heap has no room for
   * (`room`) is not loaded: the index opens stopped ({@link stopped}).
   */
  static async open(options: TraceIndexOptions): Promise<TraceIndex> {
    const store = await TraceStore.open(options.dir);
    const index = new TraceIndex(store, options.project, options.room ?? (() => true), options.log ?? ((line) => process.stderr.write(`[gateway] ${line}\n`)));
    index.last = await store.checkpoint();
    if (index.last) index.olderLayout = await store.isOlderLayout();
    else await store.markLayout(); // a new store is of this layout
    if (options.load === false) return index;
    const loaded = await store.load(index.graph, index.room);
    if (!loaded.complete) {
      index.graph = new TraceGraphStore(); // what was loaded answers nothing right: its heap goes back
      index.halt(`while loading its graph (after ${loaded.facts} stored facts)`);
      return index;
    }
    for (const [code, n] of await store.publicScans()) index.publicScans.set(code, n);
    for (const [code, points] of await store.publicEntries('D|')) index.scanPoints.set(code, points as ScanPoint[]);
    for (const [code, flag] of await store.publicEntries('E|')) index.clones.set(code, flag as CloneFlag);
    for (const [code, seen] of await store.publicEntries('Ed|')) index.destroyedSeen.set(code, seen as DestroyedSeen);
    return index;
  }

  /**
   * True when the store on disk was written by an earlier layout (TraceStore.isOlderLayout): its
   * answers may be wrong until {@link rebuild} (the gateway rebuilds it before following).
   */
  olderLayout = false;

  /**
   * Why the index stopped for lack of heap (TRACE_INDEX_FULL), saying where; undefined while it
   * can answer. Its graph would miss facts from there on, so it answers nothing drawn from it.
   */
  get stopped(): ZfcError | undefined {
    return this.stoppedError;
  }

  /** Throws {@link stopped}, if the index stopped: every answer drawn from the graph asks first. */
  private available(): void {
    if (this.stoppedError) throw this.stoppedError;
  }

  /**
   * Stops the index for lack of heap (`where` it stopped): follows no further, says so once,
   * and lets every waiter go (told that its transaction was not applied).
   */
  private halt(where: string, details: Record<string, unknown> = {}): void {
    if (this.stoppedError) return;
    this.stoppedError = new ZfcError('TRACE_INDEX_FULL', `the trace index stopped ${where}: the gateway's heap has no room for more (TRACE_INDEX_HEAP_LIMIT_MB); restart it with more heap (NODE_OPTIONS=--max-old-space-size=<MiB>)`, {
      ...details,
      checkpoint: this.last ?? null,
    });
    this.log(`${this.stoppedError.text}; traces, lots and consumer pages answer 503 TRACE_INDEX_FULL until then, the ledger's own rules go on`);
    this.stop();
    for (const list of this.waiters.values()) for (const w of list) w(false);
    this.waiters.clear();
  }

  /** The last ledger position applied. */
  get checkpoint(): Checkpoint | undefined {
    return this.last;
  }

  /** The number of lots known. */
  get lotCount(): number {
    return this.graph.lots.size;
  }

  /** Applies facts at a ledger position: written durably with the checkpoint, then to memory. */
  async applyFacts(facts: readonly Fact[], at: Checkpoint & { txId: string; timestamp: string }): Promise<void> {
    const positioned = facts.map((f, i) => ({ ...f, txId: at.txId, timestamp: at.timestamp, seq: factSeq(at, i) }) as PositionedFact);
    await this.store.write(positioned, { blockNumber: at.blockNumber, txIndex: at.txIndex });
    for (const f of positioned) this.graph.apply(f);
    this.last = { blockNumber: at.blockNumber, txIndex: at.txIndex };
  }

  /** Applies many already-positioned facts in one batch (bulk loads and benchmarks). */
  async applyPositioned(facts: readonly PositionedFact[], checkpoint: Checkpoint): Promise<void> {
    await this.store.write(facts, checkpoint);
    for (const f of facts) this.graph.apply(f);
    this.last = checkpoint;
  }

  /** Applies one committed chaincode event (skipping those at or before the checkpoint). */
  async apply(event: LedgerEvent): Promise<void> {
    await this.applyEvents([event]);
  }

  /**
   * Applies committed events in ledger order as one atomic batch with the checkpoint after the
   * last; events at or before the checkpoint are skipped, so a replay is harmless.
   */
  async applyEvents(events: readonly LedgerEvent[]): Promise<void> {
    const facts: PositionedFact[] = [];
    let last: LedgerEvent | undefined;
    for (const e of events) {
      if (this.last && !isAfter(e, this.last)) continue;
      const projected = this.project ? this.project(e) : [];
      const prefix = seqPrefix(e);
      for (let i = 0; i < projected.length; i++) facts.push(positioned(projected[i] as Fact, e, seqAt(prefix, i)));
      last = e;
    }
    if (!last) return;
    await this.store.write(facts, { blockNumber: last.blockNumber, txIndex: last.txIndex });
    for (const f of facts) this.graph.apply(f);
    this.last = { blockNumber: last.blockNumber, txIndex: last.txIndex };
    for (const e of events) this.settle(e.txId);
  }

  /** Follows the ledger's events from the checkpoint until {@link stop} or the ledger closes. */
  async follow(ledger: Ledger): Promise<void> {
    if (this.stoppedError) return;
    this.following?.abort();
    const ac = new AbortController();
    this.following = ac;
    const onBlockEnd = (n: number): void => {
      this.endedBlock = Math.max(this.endedBlock, n);
    };
    const opts = this.last ? { after: this.last, signal: ac.signal, onBlockEnd } : { signal: ac.signal, onBlockEnd };
    try {
      await this.consume(ledger.events(opts), {});
    } catch (err) {
      if (!ac.signal.aborted && !(err instanceof ZfcError && err.code === 'LEDGER_CLOSED')) throw err;
    }
  }

  /**
   * Reads events and applies them in batches: whatever has arrived by the time the source
   * pauses, at most {@link BATCH_EVENTS} at once. Catching up on a long ledger is then a few
   * hundred level writes rather than one per event. Ends when the source ends, when nothing
   * arrives for `idleMs`, or at a pause once `until` says the last applied block is enough.
   */
  private async consume(source: AsyncIterable<LedgerEvent>, options: { idleMs?: number; until?: (lastBlock: number) => boolean }): Promise<number> {
    const it = source[Symbol.asyncIterator]();
    let pending: LedgerEvent[] = [];
    let n = 0;
    /** Applies what is pending, if the heap has room for it; false once the index stopped. */
    const flush = async (): Promise<boolean> => {
      if (!this.stoppedError && !this.room()) {
        const block = (pending[0] as LedgerEvent).blockNumber;
        this.halt(`at block ${block}`, { stoppedAtBlock: block });
      }
      if (this.stoppedError) return false;
      // Every event of a block up to `through` was handed out before its block-end signal: it is in this batch or applied.
      const through = this.endedBlock;
      const batch = pending;
      pending = [];
      await this.applyEvents(batch);
      this.unapplied -= batch.length;
      this.processedBlock = Math.max(this.processedBlock, through);
      n += batch.length;
      return true;
    };
    let next = it.next();
    try {
      for (;;) {
        // The first event may take a while (opening blocks on a busy machine): wait longer for it.
        const idle = options.idleMs !== undefined && n === 0 ? options.idleMs * 5 : options.idleMs;
        const r = await Promise.race([next, pending.length > 0 ? pause(0) : pause(idle)]);
        if (r === PAUSE) {
          if (pending.length === 0) break; // idle for idleMs
          if (!(await flush())) break;
          if (options.until && options.until(this.appliedThrough())) break;
          continue;
        }
        if (r.done) break;
        pending.push(r.value);
        this.unapplied++;
        next = it.next();
        if (pending.length >= BATCH_EVENTS && !(await flush())) break;
      }
      if (pending.length > 0 && !this.stoppedError) await flush();
    } finally {
      if (pending.length > 0) {
        // stopped with events handed out but not applied: their blocks are not processed
        this.unapplied -= pending.length;
        this.endedBlock = this.processedBlock;
      }
      void it.return?.(undefined);
    }
    return n;
  }

  /** Stops following. */
  stop(): void {
    this.following?.abort();
    this.following = undefined;
  }

  /**
   * Resolves once the index has applied the ledger through the event at `at` (or after
   * `timeoutMs`, returning false): what it answers then includes that event's facts. An event at
   * or before the checkpoint is applied; a later one is waited for by its transaction.
   */
  async reached(at: Checkpoint & { readonly txId: string }, timeoutMs = 5000): Promise<boolean> {
    if (this.last !== undefined && !isAfter(at, this.last)) return true;
    return this.waitFor(at.txId, timeoutMs);
  }

  /**
   * Resolves when the event of `txId` has been applied (or after `timeoutMs`, returning false;
   * at once with false once the index stopped, which applies nothing more).
   */
  async waitFor(txId: string, timeoutMs = 5000): Promise<boolean> {
    if (this.applied.has(txId)) return true;
    if (this.stoppedError) return false;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const list = this.waiters.get(txId) ?? [];
      list.push((applied) => {
        clearTimeout(timer);
        resolve(applied);
      });
      this.waiters.set(txId, list);
    });
  }

  private settle(txId: string): void {
    this.applied.add(txId);
    if (this.applied.size > 10_000) this.applied.delete(this.applied.values().next().value as string);
    const list = this.waiters.get(txId);
    if (!list) return;
    this.waiters.delete(txId);
    for (const w of list) w(true);
  }

  /**
   * The last block the index has processed: its events applied, and blocks without chaincode
   * events (configuration blocks, invalid transactions) passed; -1 before the first.
   */
  appliedThrough(): number {
    const ended = this.unapplied === 0 ? this.endedBlock : this.processedBlock;
    return Math.max(ended, this.processedBlock, this.last?.blockNumber ?? -1);
  }

  /** True when the index has processed the ledger up to its height (its last block). */
  async caughtUp(ledger: Ledger): Promise<boolean> {
    const height = await ledger.height();
    return this.appliedThrough() >= height - 1;
  }

  /**
   * Deletes the index and replays every event of the ledger up to its current height.
   * Blocks whose transactions emitted nothing end the replay after `idleMs` without events.
   */
  async rebuild(ledger: Ledger, idleMs = 1000): Promise<number> {
    this.stop();
    await this.store.clear();
    this.stoppedError = undefined; // a fresh graph, judged anew as it grows
    this.graph = new TraceGraphStore();
    this.last = undefined;
    this.endedBlock = -1;
    this.processedBlock = -1;
    this.unapplied = 0;
    const height = await ledger.height();
    if (height === 0) return this.rebuilt(0);
    const ac = new AbortController();
    const onBlockEnd = (n: number): void => {
      this.endedBlock = Math.max(this.endedBlock, n);
    };
    try {
      return await this.rebuilt(await this.consume(ledger.events({ signal: ac.signal, onBlockEnd }), { idleMs, until: (block) => block >= height - 1 }));
    } finally {
      ac.abort();
    }
  }

  /** A finished rebuild: the store is of this code's layout. */
  private async rebuilt(events: number): Promise<number> {
    await this.store.markLayout();
    this.olderLayout = false;
    return events;
  }

  /** The lots a start names (a lot, an item, an SSCC); LOT_NOT_FOUND etc. when none. */
  resolve(start: TraceStart): LotNode[] {
    this.available();
    const nodes = this.graph.resolve(start);
    if (nodes.length > 0) return nodes;
    if ('lot' in start) throw new ZfcError('LOT_NOT_FOUND', `lot ${start.lot.gtin}/${start.lot.lot} not found`, { ...start.lot });
    if ('item' in start) throw new ZfcError('ITEM_NOT_FOUND', `item ${start.item.gtin}/${start.item.serial} not found`, { ...start.item });
    throw new ZfcError('CONTAINER_NOT_FOUND', `logistic unit ${start.sscc} not found`, { sscc: start.sscc });
  }

  /** Every input lot back to the origins, with producers, tests and custody hops. */
  traceBack(start: TraceStart, code: string): TraceGraph {
    return this.graph.traceBack(code, this.resolve(start));
  }

  /** Every downstream lot and holder, with quantities and sales. */
  traceForward(start: TraceStart, code: string): TraceGraph {
    return this.graph.traceForward(code, this.resolve(start));
  }

  /** The same trace answered from the level database alone (range scans, no memory graph): counts only. */
  traceOnDisk(direction: 'back' | 'forward', start: LotRef): Promise<{ lots: number; edges: number; hops: number }> {
    this.available();
    return this.store.walk(direction, start);
  }

  /** A lot's page: status, holders and what they hold now, lineage, tests, warnings. */
  lot(ref: LotRef): LotDetail {
    this.available();
    const node = this.graph.lots.get(lotKey(ref));
    if (!node || !node.fact) throw new ZfcError('LOT_NOT_FOUND', `lot ${ref.gtin}/${ref.lot} not found`, { gtin: ref.gtin, lot: ref.lot });
    return {
      ...this.graph.lotView(node, 0),
      statusReason: node.statusReason,
      statusAt: node.statusAt,
      originName: node.fact.originName ?? '',
      recallId: node.recallId,
      holders: holdings(node),
      inputs: node.inputs.map((e) => ({ lot: e.view.from, quantity: e.view.quantity, unit: e.view.unit, txId: e.view.txId })),
      outputs: node.outputs.map((e) => ({ lot: e.view.to, quantity: e.view.quantity, unit: e.view.unit, txId: e.view.txId })),
      warnings: this.graph.warnings
        .filter((w) => w.lotRef && lotKey(w.lotRef) === node.key)
        .map((w) => ({ kind: w.kind, message: w.message, txId: w.txId, timestamp: w.timestamp })),
      scans: node.scans,
    };
  }

  /** A lot's events in ledger order: creation, inputs, outputs, custody, tests, status, scans. */
  async history(ref: LotRef, scanLimit = 1000): Promise<{ seq: string; type: string; txId: string; timestamp: string; fact: PositionedFact }[]> {
    this.available();
    const node = this.graph.lots.get(lotKey(ref));
    if (!node || !node.fact) throw new ZfcError('LOT_NOT_FOUND', `lot ${ref.gtin}/${ref.lot} not found`, { gtin: ref.gtin, lot: ref.lot });
    const facts: PositionedFact[] = [node.fact];
    for (const e of [...node.inputs, ...node.outputs]) {
      facts.push({ type: 'input', from: e.view.from, to: e.view.to, quantity: e.view.quantity, unit: e.view.unit, txId: e.view.txId, timestamp: e.view.timestamp, seq: e.seq });
    }
    for (const { view: h, seq } of node.hops) {
      facts.push({ type: 'hop', kind: h.kind, lotRef: h.lot, from: h.from, to: h.to, quantity: h.quantity, unit: h.unit, shipmentId: h.shipmentId, location: h.location, txId: h.txId, timestamp: h.timestamp, seq });
    }
    facts.push(...node.tests);
    facts.push(...(await this.store.scansOf(ref, scanLimit)));
    facts.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    return facts.map((f) => ({ seq: f.seq, type: f.type, txId: f.txId, timestamp: f.timestamp, fact: f }));
  }

  /**
   * Whether `participant` holds some of a lot the identifiers name now (canonical Digital Links:
   * a lot, an item's lot, or the lots a case or pallet carries), as the trace shows holdings.
   */
  holdsAny(participant: string, identifiers: Iterable<string>): boolean {
    this.available();
    for (const id of identifiers) {
      const parsed = tryParseIdentifier(id);
      const start = parsed && traceStartOf(parsed);
      if (!start) continue;
      for (const node of this.graph.resolve(start)) {
        if (holdings(node).some((h) => h.participant === participant && h.holding > 0)) return true;
      }
    }
    return false;
  }

  /** Lots matching a query, in key order, a page at a time. */
  searchLots(q: LotQuery): { lots: LotView[]; next: string | undefined } {
    this.available();
    const limit = pageLimit(q.limit);
    // lots in key order from the cursor on, until the page is full and one more says there is a next
    const keys = q.holder !== undefined ? this.graph.lotKeysTouchedBy(q.holder) : this.lotKeysInOrder();
    const page: LotNode[] = [];
    let more = false;
    for (let i = q.cursor === undefined ? 0 : lowerBound(keys, q.cursor); i < keys.length; i++) {
      const node = this.graph.lots.get(keys[i] as string);
      if (!node?.fact || (q.cursor !== undefined && node.key <= q.cursor)) continue;
      if (q.product !== undefined && node.ref.gtin !== q.product) continue;
      if (q.producer !== undefined && node.fact.producer !== q.producer) continue;
      if (q.status !== undefined && node.status !== q.status) continue;
      if (q.holder !== undefined && !holdings(node).some((h) => h.participant === q.holder && h.holding > 0)) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(node);
    }
    return { lots: page.map((n) => this.graph.lotView(n, 0)), next: more ? page[page.length - 1]?.key : undefined };
  }

  /**
   * One page of stock: what each participant holds now (quantity above zero), by lot then
   * participant; of one participant (its own lots: made or received) or of all, and of lots in one
   * status (`recalled`: the recalled stock still out there, and where).
   */
  holdings(q: { participant?: string; status?: string; limit?: number; cursor?: string }): { holdings: HoldingEntry[]; next: string | undefined } {
    this.available();
    const limit = pageLimit(q.limit);
    // lots in key order, from the cursor's lot on; a lot's holders are counted only until the page is full and one more says there is a next
    const keys = q.participant !== undefined ? this.graph.lotKeysTouchedBy(q.participant) : this.lotKeysInOrder();
    // a cursor is the last entry's lot key and holder: `gtin|lot|participant` (neither a lot code nor an ID holds `|`)
    const cursor = q.cursor ?? '';
    const cut = cursor.lastIndexOf('|');
    const [cursorLot, cursorHolder] = cut >= 0 ? [cursor.slice(0, cut), cursor.slice(cut + 1)] : [cursor, ''];
    let i = q.cursor === undefined ? 0 : lowerBound(keys, cursorLot);
    const found: HoldingEntry[] = [];
    let next: string | undefined;
    for (; i < keys.length && next === undefined; i++) {
      const node = this.graph.lots.get(keys[i] as string);
      const status = node?.status || 'active';
      if (!node?.fact || (q.status !== undefined && status !== q.status)) continue;
      const held = holdings(node)
        .filter((h) => h.holding > 0 && (q.participant === undefined || h.participant === q.participant) && (node.key !== cursorLot || h.participant > cursorHolder))
        .sort((a, b) => (a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : 0));
      for (const h of held) {
        if (found.length === limit) {
          const last = found[found.length - 1] as HoldingEntry;
          next = `${lotKey(last.lot)}|${last.participant}`;
          break;
        }
        found.push({
          participant: h.participant, lot: node.ref, product: this.graph.products.get(node.ref.gtin)?.name ?? '', quantity: h.holding, unit: h.unit || node.fact.unit, status,
          ...(status !== 'active' ? { statusReason: node.statusReason, ...(node.recallId ? { recallId: node.recallId } : {}) } : {}),
        });
      }
    }
    return { holdings: found, next };
  }

  /** Every lot's key, in key order: sorted once for each lot added, not for every page of stock. */
  private lotKeysInOrder(): string[] {
    const graph = this.graph;
    if (this.sortedLots?.graph !== graph || this.sortedLots.size !== graph.lots.size) this.sortedLots = { graph, size: graph.lots.size, keys: [...graph.lots.keys()].sort() };
    return this.sortedLots.keys;
  }

  /**
   * One page of shipments in the order they were shipped (oldest first: what waits longest to be
   * received comes first), at most `limit` (1-500, default 50); `next` goes on after the page.
   */
  shipments(q: ShipmentQuery): { shipments: ShipmentView[]; next: string | undefined } {
    this.available();
    const limit = pageLimit(q.limit);
    const found: Array<{ seq: string; id: string }> = [];
    const match = (id: string): void => {
      const hops = this.graph.shipments.get(id) ?? [];
      const first = hops.find((h) => h.view.kind === 'ship'); // hops are in ledger order
      if (!first || (q.cursor !== undefined && first.seq <= q.cursor)) return;
      const { from, to } = first.view;
      if (q.participant !== undefined) {
        const incoming = to === q.participant;
        const outgoing = from === q.participant;
        if (q.direction === 'incoming' ? !incoming : q.direction === 'outgoing' ? !outgoing : !incoming && !outgoing) return;
      }
      if (q.status !== undefined && this.isReceived(id) !== (q.status === 'received')) return;
      found.push({ seq: first.seq, id });
    };
    if (q.participant !== undefined) {
      // a participant's own shipments (each once), put in order here: a few, however many everyone has
      for (const id of new Set(this.graph.shipmentsOf.get(q.participant))) match(id);
      found.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    } else {
      // everyone's, already in order: from the cursor until the page is full and one more says there is a next
      const seen = new Set<string>();
      for (const id of this.graph.shipmentsInOrder(q.cursor)) {
        if (seen.has(id)) continue;
        seen.add(id);
        match(id);
        if (found.length > limit) break;
      }
    }
    const page = found.slice(0, limit);
    return { shipments: page.map((f) => this.shipment(f.id)), next: found.length > limit ? page[page.length - 1]?.seq : undefined };
  }

  /** A shipment: who shipped what to whom, and what was received (in transit until then). */
  shipment(id: string): ShipmentView {
    this.available();
    const hops = this.graph.shipments.get(id)?.map((h) => h.view) ?? [];
    const ship = hops.filter((h) => h.kind === 'ship');
    const first = ship[0];
    if (!first) throw new ZfcError('SHIPMENT_NOT_FOUND', `shipment ${id} not found`, { shipmentId: id });
    const receipt = hops.filter((h) => h.kind === 'receive');
    const line = (h: { lot: LotRef; quantity: number; unit: string }): { lot: LotRef; quantity: number; unit: string } => ({ lot: h.lot, quantity: h.quantity, unit: h.unit });
    return {
      shipmentId: id,
      status: receipt.length > 0 ? 'received' : 'in_transit',
      from: first.from,
      to: first.to,
      lines: ship.map(line),
      received: receipt.map(line),
      shippedAt: first.timestamp,
      receivedAt: receipt[0]?.timestamp ?? '',
      txIds: [...new Set(hops.map((h) => h.txId))],
      ...(first.purpose === 'return' ? { purpose: first.purpose } : {}),
    };
  }

  /**
   * A recall with the lots it reached, and what became of them ({@link RecallProgress}): both a
   * page of lots at a time, in key order (`limit` 1-500, default 50; `cursor` the page's
   * `next`), as a recall may reach tens of thousands of lots; `affectedCount` and `closedOut`
   * over them all.
   */
  recall(id: string, page: { limit?: number; cursor?: string } = {}): { recallId: string; status: string; lots: LotRef[]; affected: LotRef[]; affectedCount: number; reason: string; recallClass: string; issuer: string; txId: string; timestamp: string; progress: RecallProgress } {
    const r = this.recallNamed(id);
    const keys = this.recallKeys(id, r.affected);
    const { lots, next, keys: onPage } = this.progressPage(keys, page);
    // the lots reached, a page at a time like their progress: a recall may reach tens of thousands
    const affected = onPage.map((k) => r.affected.get(k) as LotRef);
    const progress: RecallProgress = { closedOut: r.status === 'complete' && this.closedOut(id, keys), lots, ...(next !== undefined ? { next } : {}) };
    return { recallId: r.recallId, status: r.status ?? '', lots: [...r.lots], affected, affectedCount: keys.length, reason: r.reason, recallClass: r.recallClass ?? '', issuer: r.issuer, txId: r.txId, timestamp: r.timestamp, progress };
  }

  /**
   * A page of what became of a recall's lots ({@link recall}'s `progress.lots`, paged alike),
   * without the look at every lot that `closedOut` takes: what a reader of every page (the
   * recall's CSV) asks page after page.
   */
  recallLots(id: string, page: { limit?: number; cursor?: string } = {}): Pick<RecallProgress, 'lots' | 'next'> {
    const { lots, next } = this.progressPage(this.recallKeys(id, this.recallNamed(id).affected), page);
    return { lots, ...(next !== undefined ? { next } : {}) };
  }

  /** Each recall's lot keys in order, as of a graph and the recall's count of lots (a recall never loses a lot it reached). */
  private readonly sortedRecallKeys = new Map<string, { readonly graph: TraceGraphStore; readonly size: number; readonly keys: string[] }>();

  /** A recall's lot keys in order, sorted once for as long as it reaches no further lot: not again for each page. */
  private recallKeys(id: string, affected: ReadonlyMap<string, LotRef>): string[] {
    const known = this.sortedRecallKeys.get(id);
    if (known && known.graph === this.graph && known.size === affected.size) return known.keys;
    const keys = [...affected.keys()].sort();
    this.sortedRecallKeys.set(id, { graph: this.graph, size: affected.size, keys });
    return keys;
  }

  /** Whether each complete recall was closed out, as of a graph and its count of facts applied. */
  private readonly closedOutAsOf = new Map<string, { readonly graph: TraceGraphStore; readonly facts: number; readonly closedOut: boolean }>();

  /**
   * Whether nothing of any lot of a complete recall is left out there, held or on its way: a
   * look at every lot (stopping at the first still out), taken again only once the graph has
   * changed, so a regulator paging through tens of thousands of lots pays for it once.
   */
  private closedOut(id: string, keys: readonly string[]): boolean {
    const known = this.closedOutAsOf.get(id);
    if (known && known.graph === this.graph && known.facts === this.graph.factsApplied) return known.closedOut;
    const closedOut = !keys.some((k) => {
      const node = this.graph.lots.get(k);
      return node !== undefined && (holdings(node).some((h) => h.holding > 0) || this.inTransit(node) > 0);
    });
    this.closedOutAsOf.set(id, { graph: this.graph, facts: this.graph.factsApplied, closedOut });
    return closedOut;
  }

  /** A recall by ID, once the index is available. @throws ZfcError RECALL_NOT_FOUND */
  private recallNamed(id: string): NonNullable<ReturnType<TraceGraphStore['recalls']['get']>> {
    this.available();
    const r = this.graph.recalls.get(id);
    if (!r) throw new ZfcError('RECALL_NOT_FOUND', `recall ${id} not found`, { recallId: id });
    return r;
  }

  /** The progress of the lots of sorted `keys` after `page.cursor`, at most `page.limit`, and the key the page ends at when more follow. */
  private progressPage(keys: readonly string[], page: { limit?: number; cursor?: string }): Pick<RecallProgress, 'lots' | 'next'> & { keys: readonly string[] } {
    const limit = pageLimit(page.limit);
    const from = page.cursor === undefined ? 0 : lowerBound(keys, `${page.cursor}\u0000`);
    const lots: RecallProgress['lots'][number][] = [];
    let i = from;
    for (; i < keys.length && lots.length < limit; i++) {
      const node = this.graph.lots.get(keys[i] as string);
      if (node) lots.push(this.lotProgress(node));
    }
    const next = i < keys.length ? keys[i - 1] : undefined;
    return { lots, keys: keys.slice(from, i), ...(next !== undefined ? { next } : {}) };
  }

  /** What of a lot is on its way: its shipments not received yet. */
  private inTransit(node: LotNode): number {
    let quantity = 0;
    for (const { view: h } of node.hops) if (h.kind === 'ship' && !this.isReceived(h.shipmentId)) quantity += h.quantity;
    return round(quantity);
  }

  /** Whether a shipment has been received (in full or short). */
  private isReceived(shipmentId: string): boolean {
    return (this.graph.shipments.get(shipmentId) ?? []).some((h) => h.view.kind === 'receive');
  }

  /** What became of one lot: made, sold, destroyed, held now (by whom) and on its way. */
  private lotProgress(node: LotNode): RecallProgress['lots'][number] {
    const held = holdings(node);
    const inTransit = this.inTransit(node);
    const sum = (f: (h: (typeof held)[number]) => number): number => round(held.reduce((n, h) => n + f(h), 0));
    return {
      lot: node.ref, unit: node.fact?.unit ?? held[0]?.unit ?? '', produced: node.fact?.quantity ?? 0,
      sold: sum((h) => h.sold), disposed: sum((h) => h.disposed), consumed: round(node.outputs.reduce((n, e) => n + e.view.quantity, 0)),
      held: sum((h) => Math.max(0, h.holding)), inTransit,
      holders: held.filter((h) => h.holding > 0).map((h) => ({ participant: h.participant, holding: h.holding })),
    };
  }

  /**
   * One page of the recalls, newest first, at most `limit` (1-500, default 50): each with the lots
   * it named and how many it reached (the whole list at {@link recall}); `next` goes on after it.
   */
  recalls(q: { status?: string; limit?: number; cursor?: string }): { recalls: RecallSummary[]; next: string | undefined } {
    this.available();
    const limit = pageLimit(q.limit);
    const found = [...this.graph.recalls.values()].filter((r) => (q.cursor === undefined || r.seq < q.cursor) && (q.status === undefined || (r.status ?? '') === q.status));
    found.sort((a, b) => (a.seq < b.seq ? 1 : a.seq > b.seq ? -1 : 0));
    const page = found.slice(0, limit);
    return {
      recalls: page.map((r) => ({
        recallId: r.recallId, status: r.status ?? '', lots: [...r.lots], affectedCount: r.affected.size, reason: r.reason, recallClass: r.recallClass ?? '', issuer: r.issuer, txId: r.txId, timestamp: r.timestamp,
      })),
      next: found.length > limit ? page[page.length - 1]?.seq : undefined,
    };
  }

  /** Changes whenever a recall does (issued, progressed, reached another lot), or the index is rebuilt: what to cache recall notices by. */
  recallsVersion(): string {
    return this.graph.recallsVersion;
  }

  /** Every warning, in ledger order. */
  warnings(): WarningEntry[] {
    this.available();
    return this.graph.warnings.map((w) => ({ kind: w.kind, lot: w.lotRef, message: w.message, details: { ...(w.details ?? {}) }, txId: w.txId, timestamp: w.timestamp }));
  }

  /** Lots shipped without any passing test: one warning each, at the first shipment. */
  untestedShipped(): { kind: string; lot: LotRef; message: string; details: Record<string, unknown>; txId: string; timestamp: string }[] {
    this.available();
    const out: { kind: string; lot: LotRef; message: string; details: Record<string, unknown>; txId: string; timestamp: string }[] = [];
    for (const node of this.graph.lots.values()) {
      const ship = node.hops.find((h) => h.view.kind === 'ship')?.view;
      if (!ship || node.tests.some((t) => t.verdict === 'pass')) continue;
      const message = `lot ${node.ref.gtin}/${node.ref.lot} was shipped without a passing test`;
      out.push({ kind: 'untested_shipped', lot: node.ref, message, details: { shipmentId: ship.shipmentId, to: ship.to }, txId: ship.txId, timestamp: ship.timestamp });
    }
    return out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  }

  /** Which sites a regulator should inspect first, and why (inspection-plan.ts). */
  inspectionPlan(options: PlanOptions): InspectionPlan {
    this.available();
    // an item counts once, with its scans of either kind: the public's, and participants' on the ledger
    const byCode = new Map<string, DivertedItem>();
    const add = (code: string, lot: LotRef | undefined, disposal: { holder: string; txId: string }, scans: number, lastScanAt: string): void => {
      const known = byCode.get(code);
      if (known) byCode.set(code, { ...known, scans: known.scans + scans, lastScanAt: lastScanAt > known.lastScanAt ? lastScanAt : known.lastScanAt });
      else byCode.set(code, { holder: disposal.holder, code, ...(lot ? { lot } : {}), txId: disposal.txId, scans, lastScanAt });
    };
    for (const { code, lot, disposal, scans: seen } of this.sinceDisposal(this.destroyedSeen)) add(code, lot, disposal, seen.scans, seen.lastAt);
    for (const { code, lot, disposal, scans: handled } of this.sinceDisposal(this.graph.handledSinceDisposal())) add(code, lot, disposal, handled.scans, handled.lastAt);
    return planInspections(this.graph, holdings, options, [...byCode.values()]);
  }

  /** One page of the participants, by ID: the network's directory (who to ship to, who is suspended). */
  participants(q: DirectoryQuery): { participants: ParticipantEntry[]; next: string | undefined } {
    this.available();
    const { page, next } = pageOf(this.graph.participants.values(), (p) => p.id, q, (p) => (q.role === undefined || p.role === q.role) && (q.status === undefined || (p.status ?? 'active') === q.status));
    return {
      participants: page.map((p) => {
        const inspection = this.graph.inspectionSummary(p.id);
        return { id: p.id, name: p.name, role: p.role, gln: p.gln ?? '', status: p.status ?? 'active', ...(inspection ? { inspection } : {}) };
      }),
      next,
    };
  }

  /** One page of the products, by GTIN. */
  products(q: DirectoryQuery): { products: Array<{ gtin: string; name: string; owner: string; unit: string }>; next: string | undefined } {
    this.available();
    const { page, next } = pageOf(this.graph.products.values(), (p) => p.gtin, q, (p) => q.owner === undefined || p.owner === q.owner);
    return { products: page.map((p) => ({ gtin: p.gtin, name: p.name, owner: p.owner ?? '', unit: p.unit ?? '' })), next };
  }

  /** A product as the index knows it. */
  product(gtin: string): { gtin: string; name: string; owner: string; unit: string } | undefined {
    this.available();
    const p = this.graph.products.get(gtin);
    return p ? { gtin, name: p.name, owner: p.owner ?? '', unit: p.unit ?? '' } : undefined;
  }

  /** A labelled item recorded destroyed or disposed of (`gtin/serial`): who held it and when; undefined for any other. */
  disposedItem(code: string): { holder: string; timestamp: string; txId: string } | undefined {
    this.available();
    return this.graph.disposedItems.get(code);
  }

  /** The lot an item serial was commissioned under, if any. */
  itemLot(gtin: string, serial: string): LotRef | undefined {
    this.available();
    return this.graph.itemLot(gtin, serial)?.ref;
  }

  /**
   * Counts an anonymous (consumer) scan of a code: kept in the index's database, never on the
   * ledger, and kept across a rebuild (which replaces only what the ledger can give back).
   * With `point` (where and when, for an item code `gtin/serial`), the scan is also compared
   * with the item's recent located scans: an impossible journey flags the code as a possible
   * clone ({@link cloneFlags}). A scan of an item its holder had recorded destroyed is kept
   * apart too ({@link destroyedItemWarnings}): a diverted package surfacing. Returns the count so
   * far; the writes are not awaited (a count must never slow a scan).
   */
  countPublicScan(code: string, point?: ScanPoint): number {
    this.available();
    const n = (this.publicScans.get(code) ?? 0) + 1;
    this.publicScans.set(code, n);
    this.queueWrite(() => this.store.putPublicScans(code, n));
    if (point) this.locateScan(code, point);
    if (this.graph.disposedItems.has(code)) this.seenDestroyed(code, point);
    return n;
  }

  private seenDestroyed(code: string, point: ScanPoint | undefined): void {
    const before = this.destroyedSeen.get(code);
    const at = point?.at ?? new Date().toISOString();
    const place = point ? { lat: point.lat, lon: point.lon } : before?.lastPlace;
    const seen: DestroyedSeen = { firstAt: before?.firstAt ?? at, lastAt: at, scans: (before?.scans ?? 0) + 1, ...(place ? { lastPlace: place } : {}) };
    this.destroyedSeen.set(code, seen);
    this.queueWrite(() => this.store.putDestroyedSeen(code, seen));
  }

  /**
   * Every item scanned anonymously after its holder recorded it destroyed or disposed of, as
   * warnings (kind `destroyed_item_scanned`), by the last scan: who disposed of it and when,
   * how often and when it was scanned since, and the last place a scan gave; and every such
   * item a participant handled on the ledger since (`destroyed_item_handled`: who, how, where,
   * how often): a scan (a receipt, a check) or a captured EPCIS event shipping, receiving or
   * selling it; a package said to be destroyed that is back in the chain.
   */
  destroyedItemWarnings(): WarningEntry[] {
    this.available();
    const out: WarningEntry[] = this.sinceDisposal(this.destroyedSeen).map(({ code, gtin, serial, lot, disposal, scans: seen }) => {
      const holder = this.graph.participantView(disposal.holder).name;
      return {
        kind: 'destroyed_item_scanned', lot,
        message: `item ${code}, recorded destroyed or disposed of by ${holder} on ${disposal.timestamp.slice(0, 10)}, was scanned by the public ${seen.scans} time(s) since, last on ${seen.lastAt.slice(0, 10)}`,
        details: { gtin, serial, disposedBy: disposal.holder, disposedAt: disposal.timestamp, scans: seen.scans, firstScanAt: seen.firstAt, lastScanAt: seen.lastAt, ...(seen.lastPlace ? { lastPlace: seen.lastPlace } : {}) },
        txId: disposal.txId, timestamp: seen.lastAt,
      };
    });
    for (const { code, gtin, serial, lot, disposal, scans: handled } of this.sinceDisposal(this.graph.handledSinceDisposal())) {
      const holder = this.graph.participantView(disposal.holder).name;
      const by = this.graph.participantView(handled.participant).name;
      out.push({
        kind: 'destroyed_item_handled', lot,
        message: `item ${code}, recorded destroyed or disposed of by ${holder} on ${disposal.timestamp.slice(0, 10)}, was handled on the ledger ${handled.scans} time(s) since${handled.captured > 0 ? ` (${handled.captured} in EPCIS events captured from its handlers' own systems)` : ''}, last by ${by} (${handled.kind}${handled.location ? ` at ${handled.location}` : ''}${handled.eventID !== undefined ? `, EPCIS event ${handled.eventID}` : ''}) on ${handled.lastAt.slice(0, 10)}`,
        details: {
          gtin, serial, disposedBy: disposal.holder, disposedAt: disposal.timestamp, disposalTxId: disposal.txId,
          scannedBy: handled.participant, scanKind: handled.kind, ...(handled.location ? { location: handled.location } : {}),
          scans: handled.scans, capturedEvents: handled.captured, ...(handled.eventID !== undefined ? { eventID: handled.eventID } : {}),
          firstScanAt: handled.firstAt, lastScanAt: handled.lastAt,
        },
        txId: handled.txId, timestamp: handled.lastAt,
      });
    }
    return out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  }

  /**
   * Each item of `entries` (by code, `gtin/serial`) with its disposal and its lot, in the entries'
   * order; none for an item whose disposal the graph lacks (a rebuild from another ledger): the
   * anonymous scans since a disposal ({@link destroyedSeen}) and participants' on the ledger
   * (TraceGraphStore.handledDestroyed) alike.
   */
  private sinceDisposal<T>(entries: Iterable<[string, T]>): { code: string; gtin: string; serial: string; lot: LotRef | undefined; disposal: { holder: string; timestamp: string; txId: string }; scans: T }[] {
    return [...entries].flatMap(([code, scans]) => {
      const disposal = this.graph.disposedItems.get(code);
      if (!disposal) return [];
      const [gtin, serial] = itemCodeParts(code);
      return [{ code, gtin, serial, lot: this.graph.itemLot(gtin, serial)?.ref, disposal, scans }];
    });
  }

  private locateScan(code: string, point: ScanPoint): void {
    const recent = this.scanPoints.get(code) ?? [];
    const warning = cloneWarning(recent, point);
    const points = [...recent, point].slice(-SCAN_POINTS_KEPT);
    this.scanPoints.set(code, points);
    this.queueWrite(() => this.store.putScanPoints(code, points));
    if (warning && !this.clones.has(code)) {
      const flag: CloneFlag = { code, warning, at: point.at };
      this.clones.set(code, flag);
      this.queueWrite(() => this.store.putCloneFlag(code, flag));
    }
  }

  private queueWrite(write: () => Promise<void>): void {
    this.scanWrites = this.scanWrites.then(write).catch(() => undefined);
  }

  /** The possible-clone flag of an item code (`gtin/serial`), if any. */
  cloneFlag(code: string): CloneFlag | undefined {
    this.available();
    return this.clones.get(code);
  }

  /** Every item code flagged as a possible clone, as warnings (kind `possible_clone`), by time flagged. */
  cloneWarnings(): WarningEntry[] {
    this.available();
    const out = [...this.clones.values()].map((f) => {
      const [gtin, serial] = itemCodeParts(f.code);
      return { kind: 'possible_clone', lot: this.itemLot(gtin, serial), message: f.warning.message.en, details: { gtin, serial, code: f.warning.code, zh: f.warning.message.zh }, txId: '', timestamp: f.at };
    });
    return out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  }

  /** How often a code was scanned anonymously. */
  publicScanCount(code: string): number {
    this.available();
    return this.publicScans.get(code) ?? 0;
  }

  /**
   * The item serials commissioned under a lot, in commissioning order: `limit` of them from
   * `offset` (ranges are expanded only as far as the page needs), and how many there are.
   */
  async lotSerials(ref: LotRef, offset: number, limit: number): Promise<{ serials: string[]; total: number }> {
    this.available();
    const serials: string[] = [];
    let total = 0;
    const take = (s: string): void => {
      if (total >= offset && serials.length < limit) serials.push(s);
      total++;
    };
    for (const f of await this.store.itemFacts(ref.gtin)) {
      if (f.type !== 'items' || f.lotRef.lot !== ref.lot) continue;
      for (const s of f.serials ?? []) take(s);
      const r = f.range;
      if (!r) continue;
      const first = Math.max(r.from, r.from + (offset - total));
      const skipped = Math.min(first - r.from, r.to - r.from + 1);
      total += skipped;
      for (let n = r.from + skipped; n <= r.to; n++) {
        if (serials.length >= limit) {
          total += r.to - n + 1;
          break;
        }
        take(r.prefix + String(n).padStart(r.width ?? 0, '0'));
      }
    }
    return { serials, total };
  }

  /** A participant's name and role as the index knows them. */
  participant(id: string): { id: string; name: string; role: string; gln: string } {
    this.available();
    return this.graph.participantView(id);
  }

  /**
   * A site's latest inspection (by when it took place), as the public may see it: when, by whom
   * and its outcome; the findings stay on the ledger (GetInspection).
   */
  latestInspection(participant: string): { inspectionId: string; inspectedAt: string; outcome: string; inspector: string } | undefined {
    this.available();
    const i = this.graph.inspections.get(participant);
    return i ? { inspectionId: i.inspectionId, inspectedAt: i.inspectedAt, outcome: i.outcome, inspector: i.inspector } : undefined;
  }

  /** A product's name, if known. */
  productName(gtin: string): string | undefined {
    this.available();
    return this.graph.products.get(gtin)?.name;
  }

  async close(): Promise<void> {
    this.stop();
    await this.scanWrites;
    await this.store.close();
  }
}


/**
 * What became of a recall's lots, as a regulator closes a recall out: for each lot it reached,
 * what was made of it, sold to consumers (before the recall: a sale of a recalled lot is
 * refused), destroyed or disposed of by its holders (RecordDisposal), used to make other lots
 * (which the recall reached too: their own entries say what became of them), and what is still
 * held (and by whom) or on its way to someone, a page of lots at a time. `closedOut` once the
 * recall has reached every lot and none of them is held or in transit any more. A shortfall on
 * receipt is in none of these.
 */
export interface RecallProgress {
  readonly closedOut: boolean;
  /** Where the next page of lots begins (the `cursor` to ask with), when more follow. */
  readonly next?: string;
  readonly lots: readonly {
    readonly lot: LotRef;
    readonly unit: string;
    readonly produced: number;
    readonly sold: number;
    readonly disposed: number;
    readonly consumed: number;
    readonly held: number;
    readonly inTransit: number;
    readonly holders: readonly { readonly participant: string; readonly holding: number }[];
  }[];
}

/** What each participant holds of a lot now: produced + received − shipped − sold − disposed − consumed. */
function holdings(node: LotNode): (HolderView & { holding: number })[] {
  const base = holdersOf(node);
  const producer = node.fact?.producer;
  const consumed = new Map<string, number>();
  for (const e of node.outputs) {
    const by = e.toNode.fact?.producer ?? '';
    consumed.set(by, (consumed.get(by) ?? 0) + e.view.quantity);
  }
  if (producer && !base.some((h) => h.participant === producer)) {
    base.unshift({ lot: node.ref, participant: producer, received: 0, shipped: 0, sold: 0, sales: 0, disposed: 0, unit: node.fact?.unit ?? '' });
  }
  return base.map((h) => {
    const produced = h.participant === producer ? (node.fact?.quantity ?? 0) : 0;
    const holding = round(produced + h.received - h.shipped - h.sold - h.disposed - (consumed.get(h.participant) ?? 0));
    return { ...h, holding };
  });
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A page's size: `limit` within 1-500, 50 when not given. */
function pageLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 50, 1), 500);
}

/** The page of `items` (matching `keep`, after `q.cursor` by `key`) in key order, at most `q.limit` (1-500, default 50), and the key it ends at when more follow. */
function pageOf<T>(items: Iterable<T>, key: (item: T) => string, q: { limit?: number; cursor?: string }, keep: (item: T) => boolean): { page: T[]; next: string | undefined } {
  const limit = pageLimit(q.limit);
  const found: T[] = [];
  for (const item of items) if ((q.cursor === undefined || key(item) > q.cursor) && keep(item)) found.push(item);
  found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  return { page, next: found.length > limit && last !== undefined ? key(last) : undefined };
}

/** The first position in sorted `keys` whose key is not below `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
