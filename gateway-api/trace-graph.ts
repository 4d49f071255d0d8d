/**
 * The trace graph held in memory: lots joined by object references to their inputs, outputs,
 * custody hops and tests, so a trace is a walk over pointers with no lookups or I/O.
 *
 * Why in memory: a trace forward from one farm lot touches thousands of custody hops; one
 * range scan per lot on disk costs tens of microseconds each, pointers cost nanoseconds. The
 * level store (trace-store.ts) stays the durable copy; this graph is loaded from it on open
 * and fed the same facts as it is written.
 *
 * The one thing it derives rather than stores: a custody step of a case or pallet as a whole (a
 * unit hop, from EPCIS capture) becomes a hop of each lot inside it at that moment, since only
 * the graph knows what the unit carried; the hops are given again when a packing is withdrawn.
 */
import {
  type EdgeView,
  type HolderView,
  type HopView,
  type LotRef,
  type LotView,
  type PositionedFact,
  type TraceGraph,
  lotKey,
  itemAsLot,
  itemSerialOf,
  type FactPosition,
  type InspectionFact,
  type LotFact,
  type ParticipantFact,
  type ProductFact,
  type RecallFact,
  type WarningFact,
  type ScanFact,
  type TestFact,
  type RetractionFact,
  type Fact,
  type AggregationFact,
  type UnitHopFact,
} from './trace-model';
import type { ParsedIdentifier } from '../chaincode/digital-link';
import { flat, StringPool } from './string-pool';

/** A lot in memory. Its arrays are kept in ledger order (by `seq`). */
export interface LotNode {
  readonly key: string;
  readonly ref: LotRef;
  fact: (LotFact & FactPosition) | undefined;
  /**
   * Later captured claims to have made the lot, while {@link fact} is itself a captured claim:
   * the first stands, and if an error declaration withdraws it, the next takes its place.
   * Absent for nearly every lot.
   */
  rivals?: (LotFact & FactPosition)[];
  status: string;
  statusReason: string;
  statusAt: string;
  recallId: string;
  /** Each list is {@link NONE} until its first entry (added with {@link plus} or {@link plusBySeq}). */
  inputs: readonly EdgeNode[];
  outputs: readonly EdgeNode[];
  hops: readonly HopNode[];
  tests: readonly (TestFact & FactPosition)[];
  scans: number;
}

/** A custody hop in memory: its view (answered as is, never copied) and its ledger position. */
export interface HopNode {
  readonly view: HopView;
  readonly seq: string;
  /** A captured item's hop on the node of the lot the ledger commissioned it under: the item (`gtin/serial`), which the view does not name. */
  readonly item?: string;
}

/** A lineage edge in memory: its view plus pointers to both ends. */
export interface EdgeNode {
  readonly view: EdgeView;
  readonly seq: string;
  readonly fromNode: LotNode;
  readonly toNode: LotNode;
}

interface Container {
  lots: Set<string>;
  children: Set<string>;
}

/** One packing of a lot or unit into a unit: when, by which transaction, and how much when stated. */
interface Packing {
  readonly seq: string;
  readonly txId: string;
  readonly quantity: number | undefined;
  readonly unit: string;
}

/** A custody step of a unit as a whole, with the hops it gave the lots the unit carried. */
interface UnitHop {
  readonly fact: UnitHopFact & FactPosition;
  hops: { readonly node: LotNode; readonly hop: HopNode }[];
}

interface ItemRange {
  readonly prefix: string;
  readonly from: number;
  readonly to: number;
  readonly width: number;
  readonly node: LotNode;
}

/** Where a trace starts: a lot, an item (GTIN + serial, lot optional) or an SSCC. */
export type TraceStart =
  | { readonly lot: LotRef }
  | { readonly item: { readonly gtin: string; readonly serial: string; readonly lot?: string } }
  | { readonly sscc: string };

/** Where a trace starts from a parsed GS1 identifier: an SSCC, an item (its lot if it says), a lot; undefined for anything else. */
export function traceStartOf(id: ParsedIdentifier): TraceStart | undefined {
  if (id.kind === 'sscc' && id.sscc) return { sscc: id.sscc };
  if (id.kind === 'item' && id.gtin && id.serial) return { item: { gtin: id.gtin, serial: id.serial, ...(id.lot !== undefined ? { lot: id.lot } : {}) } };
  if (id.kind === 'lot' && id.gtin && id.lot) return { lot: { gtin: id.gtin, lot: id.lot } };
  return undefined;
}

/** Limits of one trace, so a hostile or huge graph cannot exhaust the process. */
export interface TraceLimits {
  readonly maxLots: number;
}

const DEFAULT_LIMITS: TraceLimits = { maxLots: 100_000 };

/**
 * How an item was handled after its disposal (TraceGraphStore.handledSinceDisposal): the last
 * record's who, what, where and transaction, and how many there were.
 */
export interface HandledDestroyed {
  readonly participant: string;
  /** The scan's kind (receive, check), or the captured event's custody step (ship, receive, sale). */
  readonly kind: string;
  /** The GLN the last record gave ('' for none). */
  readonly location: string;
  readonly txId: string;
  /** The first and the last record's ledger positions. */
  readonly firstSeq: string;
  readonly seq: string;
  readonly firstAt: string;
  readonly lastAt: string;
  /** Every record since the disposal: the ledger's scans and the captured events together. */
  readonly scans: number;
  /** How many of them were captured EPCIS events (a participant's own system shipping, receiving or selling the item). */
  readonly captured: number;
  /** The last record's EPCIS eventID, when it was a captured event. */
  readonly eventID?: string;
}

/** An item's code in a scan (`gtin/21/serial`): its GTIN and serial (a serial may hold `/`). */
const ITEM_SCAN = /^(\d{14})\/21\/(.+)$/s;

/** The in-memory graph. */
export class TraceGraphStore {
  readonly lots = new Map<string, LotNode>();
  /** Texts hop after hop repeats (a transaction's ID and time, parties, places, units), kept once: most of all a graph loaded from disk, where every fact's strings come fresh from its stored JSON. */
  private readonly shared = new StringPool();
  readonly participants = new Map<string, ParticipantFact>();
  readonly products = new Map<string, ProductFact>();
  /** Each recall as issued, with the lots it has reached so far, by lot key. */
  readonly recalls = new Map<string, RecallFact & FactPosition & { affected: Map<string, LotRef> }>();
  private recallChanges = 0;
  /** This graph among those the process made (a rebuild makes a new one). */
  private readonly made = ++graphsMade;
  readonly warnings: (WarningFact & FactPosition)[] = [];
  private readonly items = new Map<string, Map<string, LotNode>>();
  private readonly ranges = new Map<string, ItemRange[]>();
  private readonly containers = new Map<string, Container>();
  /**
   * Every packing of a lot or unit into a unit (`sscc>member`), in ledger order: a member stays
   * inside until a retraction withdraws its last packing, and a unit hop moves it only if its
   * first packing came before the hop.
   */
  private readonly packings = new Map<string, Packing[]>();
  /** Every unpacking of a member from a unit (`sscc>member`, `sscc>*` for all), in ledger order: what left did not travel. */
  private readonly unpackings = new Map<string, { readonly seq: string; readonly txId: string }[]>();
  /** The units each unit was packed into, so a change to its contents reaches their unit hops. */
  private readonly parents = new Map<string, Set<string>>();
  /** The custody steps of each unit as a whole (see UnitHopFact). */
  private readonly unitHops = new Map<string, UnitHop[]>();
  /** Ship and receive hops of each shipment, in ledger order. */
  readonly shipments = new Map<string, HopNode[]>();
  /** Labelled items recorded destroyed or disposed of (`gtin/serial`): who held them, when, and the disposal's position. */
  readonly disposedItems = new Map<string, { readonly holder: string; readonly timestamp: string; readonly txId: string; readonly seq: string }>();
  /**
   * Labelled items a participant scanned on the ledger (a receipt, a check) after their holder had
   * recorded them destroyed or disposed of (`gtin/serial`): a package said to be destroyed that is
   * back in the chain. The last such scan, and how many.
   */
  private readonly handledDestroyed = new Map<string, HandledDestroyed>();
  /**
   * Captured custody hops (EPCIS shipping, receiving, retail_selling) of labelled items that
   * landed on the lot the ledger commissioned them under (`gtin/serial`): the lot's hop views
   * name the lot, not the item, so one item's are told apart from its lot-mates' here. An item
   * standing for its own lot has its own node's hops instead.
   */
  private readonly itemHops = new Map<string, HopNode[]>();
  /**
   * The shipments each participant shipped or was shipped (IDs, in the order applied: a load
   * from the store applies them by lot, and a retracted one may stay listed or come twice), so
   * that a participant's shipments are found without a pass over everyone's.
   */
  readonly shipmentsOf = new Map<string, string[]>();
  /** Every shipment's ID and the position of its first ship hop, in that order (once sorted: see {@link shipmentsInOrder}). */
  private shipOrder: { ids: string[]; seqs: string[] } = { ids: [], seqs: [] };
  /** Whether {@link shipOrder} may be out of order, hold a shipment twice or one no longer shipped. */
  private shipOrderStale = false;
  /** Each participant's latest inspection (by inspectedAt). */
  readonly inspections = new Map<string, InspectionFact & FactPosition>();
  /** Lots each participant has made or received (it may hold some now), for searches by holder. */
  private readonly touched = new Map<string, Set<string>>();

  /** The node of a lot, created empty if the lot was not seen yet. */
  node(ref: LotRef): LotNode {
    const serial = itemSerialOf(ref);
    const real = serial !== undefined ? this.itemLot(ref.gtin, serial) : undefined;
    if (real) return real;
    const key = lotKey(ref);
    let node = this.lots.get(key);
    if (!node) {
      node = {
        key: flat(key), // kept by the node and the map for good
        ref: { gtin: this.shared.of(ref.gtin), lot: ref.lot }, // a GTIN is most often cut from a longer identifier, which the cut would keep
        fact: undefined,
        status: 'active',
        statusReason: '',
        statusAt: '',
        recallId: '',
        inputs: NONE,
        outputs: NONE,
        hops: NONE,
        tests: NONE,
        scans: 0,
      };
      this.lots.set(key, node);
    }
    return node;
  }

  /** How many facts the graph has applied: any answer drawn from it holds as long as this does not change. */
  get factsApplied(): number {
    return this.applied;
  }
  private applied = 0;

  /** Feeds one fact into the graph. */
  apply(fact: PositionedFact): void {
    this.applied += 1;
    switch (fact.type) {
      case 'participant':
        this.participants.set(fact.id, { ...(this.participants.get(fact.id) ?? {}), ...fact });
        return;
      case 'product':
        this.products.set(fact.gtin, fact);
        return;
      case 'lot': {
        const node = this.node(fact);
        if (!node.fact || (node.key === lotKey(fact) && !fact.captured)) {
          // the first claim to have made the lot, or the ledger's own record of its own lot (a
          // captured item never renames the real lot the ledger commissioned it under)
          node.fact = fact;
          delete node.rivals;
          this.touch(fact.producer, node.key);
        } else if (fact.captured && node.fact.captured && node.key === lotKey(fact)) {
          (node.rivals ??= []).push(fact); // a later capture does not rename who made it
        }
        return;
      }
      case 'input':
        this.addEdge(fact.from, fact.to, { quantity: fact.quantity, unit: fact.unit, txId: fact.txId, timestamp: fact.timestamp, seq: fact.seq });
        return;
      case 'hop': {
        const node = this.node(fact.lotRef);
        const item = fact.lotRef.lot !== node.ref.lot ? itemCode(fact.lotRef) : undefined;
        const hop: HopNode = item === undefined ? { view: hopView(fact, node.ref, this.shared), seq: fact.seq } : { view: hopView(fact, node.ref, this.shared), seq: fact.seq, item };
        node.hops = plus(node.hops, hop);
        if (fact.kind === 'receive') this.touch(fact.to, node.key);
        if (fact.shipmentId) {
          this.noteShipment(hop);
          addTo(this.shipments, fact.shipmentId, hop);
        }
        if (item !== undefined) addTo(this.itemHops, item, hop);
        for (const serial of fact.kind === 'dispose' ? fact.serials ?? [] : []) {
          this.disposedItems.set(`${fact.lotRef.gtin}/${serial}`, { holder: hop.view.from, timestamp: hop.view.timestamp, txId: hop.view.txId, seq: fact.seq });
        }
        return;
      }
      case 'test': {
        const node = this.node(fact.lotRef);
        node.tests = plus(node.tests, fact);
        return;
      }
      case 'items':
        this.addItems(fact.lotRef, fact.serials, fact.range);
        return;
      case 'aggregation':
        this.aggregate(fact);
        return;
      case 'unitHop':
        this.unitHop(fact);
        return;
      case 'status':
        this.setStatus(fact.lotRef, fact.status, fact.reason ?? '', fact.recallId ?? '', fact.timestamp);
        return;
      case 'recall':
        this.recall(fact);
        return;
      case 'warning':
        this.warnings.push(fact);
        return;
      case 'scan':
        this.scan(fact);
        return;
      case 'retraction':
        for (const f of fact.facts) this.retract(f, fact);
        return;
      case 'inspection': {
        // the latest inspection of each site (by when it took place; a late record of an earlier one changes nothing)
        const last = this.inspections.get(fact.participant);
        if (!last || Date.parse(fact.inspectedAt) >= Date.parse(last.inspectedAt)) this.inspections.set(fact.participant, fact);
        return;
      }
    }
  }

  private addEdge(from: LotRef, to: LotRef, edge: { quantity: number; unit: string; txId: string; timestamp: string; seq: string }): void {
    const fromNode = this.node(from);
    const toNode = this.node(to);
    const view: EdgeView = Object.freeze({ from: fromNode.ref, to: toNode.ref, quantity: edge.quantity, unit: edge.unit, txId: edge.txId, timestamp: edge.timestamp });
    const e: EdgeNode = { view, seq: edge.seq, fromNode, toNode };
    fromNode.outputs = plus(fromNode.outputs, e);
    toNode.inputs = plus(toNode.inputs, e);
  }

  private addItems(ref: LotRef, serials: readonly string[] | undefined, range: { prefix: string; from: number; to: number; width?: number } | undefined): void {
    const node = this.node(ref);
    if (serials) {
      let byGtin = this.items.get(ref.gtin);
      if (!byGtin) this.items.set(ref.gtin, (byGtin = new Map()));
      for (const s of serials) byGtin.set(s, node);
    }
    if (range) {
      const list = this.ranges.get(ref.gtin) ?? [];
      list.push({ prefix: range.prefix, from: range.from, to: range.to, width: range.width ?? 0, node });
      this.ranges.set(ref.gtin, list);
    }
  }

  /**
   * Records what a logistic unit carried. Unpacking removes nothing: a trace from an SSCC (on a
   * delivery note, a recall notice) must still reach everything the unit ever carried.
   */
  private aggregate(fact: AggregationFact & FactPosition): void {
    const { sscc } = fact;
    let c = this.containers.get(sscc);
    if (!c) this.containers.set(sscc, (c = { lots: new Set(), children: new Set() }));
    if (fact.action === 'delete') {
      for (const m of this.unpackedMembers(fact)) addTo(this.unpackings, `${sscc}>${m}`, { seq: fact.seq, txId: fact.txId });
      return;
    }
    for (const [key, amount] of this.packedLots(fact)) this.pack(sscc, c.lots, key, { seq: fact.seq, txId: fact.txId, ...amount });
    for (const child of new Set(fact.children)) {
      this.pack(sscc, c.children, child, { seq: fact.seq, txId: fact.txId, quantity: undefined, unit: '' });
      let up = this.parents.get(child);
      if (!up) this.parents.set(child, (up = new Set()));
      up.add(sscc);
    }
  }

  /**
   * The members an unpacking names (lots by node key, units), or `*` when it names none: an
   * EPCIS DELETE without children empties the unit. The containers keep them all the same (a
   * trace from the unit reaches everything it ever carried); only later unit hops leave them.
   */
  private unpackedMembers(fact: AggregationFact): string[] {
    const lots = fact.lots.map((l) => (itemSerialOf(l) !== undefined ? this.nodesOf(l).pop()?.key : undefined) ?? lotKey(l));
    const all = [...new Set(lots), ...new Set(fact.children)];
    return all.length > 0 ? all : ['*'];
  }

  /** The lots of a packing by node key (a captured item lands on its real lot), with how much of each when stated. */
  private packedLots(fact: AggregationFact): Map<string, { quantity: number | undefined; unit: string }> {
    const out = new Map<string, { quantity: number | undefined; unit: string }>();
    for (const l of fact.lots) out.set(this.node(l).key, { quantity: undefined, unit: '' });
    for (const q of fact.quantities ?? []) {
      const key = this.node(q.lotRef).key;
      const known = out.get(key);
      out.set(key, { quantity: (known?.quantity ?? 0) + q.quantity, unit: q.unit });
    }
    return out;
  }

  private pack(sscc: string, members: Set<string>, member: string, packing: Packing): void {
    members.add(member);
    addTo(this.packings, `${sscc}>${member}`, packing);
  }

  /** Withdraws one packing of the transaction `txId`; the member leaves the unit with its last packing. */
  private unpack(sscc: string, members: Set<string> | undefined, member: string, txId: string): void {
    const key = `${sscc}>${member}`;
    const list = this.packings.get(key) ?? [];
    const i = list.map((p) => p.txId).lastIndexOf(txId);
    list.splice(i >= 0 ? i : list.length - 1, 1);
    if (list.length > 0) return;
    this.packings.delete(key);
    members?.delete(member);
  }

  /** A unit's custody step: one hop of each lot it carried before the step. */
  private unitHop(fact: UnitHopFact & FactPosition): void {
    const record: UnitHop = { fact, hops: [] };
    addTo(this.unitHops, fact.sscc, record);
    this.expand(record);
  }

  private expand(record: UnitHop): void {
    const f = record.fact;
    const sameStep = (h: HopNode): boolean => h.view.txId === f.txId && h.view.kind === f.kind && h.view.shipmentId === (f.shipmentId ?? '');
    for (const { node, quantity, unit } of this.contents(f.sscc, f.seq)) {
      if (node.hops.some(sameStep)) continue; // the event named the lot itself, or another unit carrying it: one hop
      const view: HopView = Object.freeze({
        lot: node.ref, kind: f.kind, from: f.from, to: f.to, quantity, unit: unit || (node.fact?.unit ?? ''),
        shipmentId: f.shipmentId ?? '', location: f.location ?? '', txId: f.txId, timestamp: f.timestamp,
      });
      const hop: HopNode = { view, seq: f.seq };
      node.hops = plusBySeq(node.hops, hop);
      if (f.kind === 'receive') this.touch(f.to, node.key);
      if (f.shipmentId) {
        this.noteShipment(hop);
        this.shipments.set(f.shipmentId, plusBySeq(this.shipments.get(f.shipmentId) ?? NONE, hop) as HopNode[]);
      }
      record.hops.push({ node, hop });
    }
  }

  /** Lists a shipment under its shipper and its receiver when `hop` is the first ship hop it has (before it is added). */
  private noteShipment(hop: HopNode): void {
    const { kind, shipmentId, from, to } = hop.view;
    if (kind !== 'ship' || this.shipments.get(shipmentId)?.some((h) => h.view.kind === 'ship')) return;
    addTo(this.shipmentsOf, from, shipmentId);
    if (to !== from) addTo(this.shipmentsOf, to, shipmentId);
    const { ids, seqs } = this.shipOrder;
    const last = seqs[seqs.length - 1];
    if (last !== undefined && last > hop.seq) this.shipOrderStale = true; // applied out of ledger order (a load from the store)
    ids.push(shipmentId);
    seqs.push(hop.seq);
  }

  /**
   * Every shipment's ID, in the order of its first ship hop, from just after position `after`
   * (all when absent): a page of them costs a binary search and the page, not a pass over all.
   */
  *shipmentsInOrder(after?: string): Generator<string> {
    if (this.shipOrderStale) this.sortShipments();
    const { ids, seqs } = this.shipOrder;
    let lo = 0;
    let hi = seqs.length;
    while (after !== undefined && lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((seqs[mid] as string) <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < ids.length; i++) yield ids[i] as string;
  }

  /** Rebuilds {@link shipOrder} from the shipments as they are: each once, by its first ship hop. */
  private sortShipments(): void {
    const order: Array<{ id: string; seq: string }> = [];
    for (const [id, hops] of this.shipments) {
      const first = hops.find((h) => h.view.kind === 'ship');
      if (first) order.push({ id, seq: first.seq });
    }
    order.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    this.shipOrder = { ids: order.map((o) => o.id), seqs: order.map((o) => o.seq) };
    this.shipOrderStale = false;
  }

  /** Takes back the hops a unit hop gave. */
  private collapse(record: UnitHop): void {
    for (const { node, hop } of record.hops) this.dropHop(node, hop);
    record.hops = [];
  }

  private dropHop(node: LotNode, hop: HopNode): void {
    const i = node.hops.indexOf(hop);
    if (i >= 0) (node.hops as HopNode[]).splice(i, 1);
    const ofItem = hop.item !== undefined ? this.itemHops.get(hop.item) : undefined;
    const k = ofItem ? ofItem.indexOf(hop) : -1;
    if (ofItem && k >= 0) {
      ofItem.splice(k, 1);
      if (ofItem.length === 0) this.itemHops.delete(hop.item as string);
    }
    const list = this.shipments.get(hop.view.shipmentId);
    const j = list ? list.indexOf(hop) : -1;
    if (list && j >= 0) list.splice(j, 1);
    if (list?.length === 0) this.shipments.delete(hop.view.shipmentId);
    if (hop.view.kind === 'ship') this.shipOrderStale = true; // perhaps its shipment's first
  }

  /**
   * The lots a unit carried just before `seq`, through nested units, each with the quantity its
   * packings since it was last unpacked stated (0 when none did): members packed later,
   * unpacked before, or withdrawn, did not travel.
   */
  private contents(sscc: string, seq: string): { node: LotNode; quantity: number; unit: string }[] {
    const out = new Map<LotNode, { node: LotNode; quantity: number; unit: string }>();
    const lastOut = (unit: string, member: string): string =>
      [...(this.unpackings.get(`${unit}>${member}`) ?? []), ...(this.unpackings.get(`${unit}>*`) ?? [])].reduce((m, u) => (u.seq < seq && u.seq > m ? u.seq : m), '');
    const before = (unit: string, member: string): Packing[] => {
      const since = lastOut(unit, member);
      return (this.packings.get(`${unit}>${member}`) ?? []).filter((p) => p.seq < seq && p.seq > since);
    };
    const seen = new Set<string>();
    const stack = [sscc];
    for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
      if (seen.has(s)) continue;
      seen.add(s);
      const c = this.containers.get(s);
      for (const key of c?.lots ?? []) {
        const packed = before(s, key);
        const node = this.lots.get(key);
        if (packed.length === 0 || !node) continue;
        let { quantity, unit } = out.get(node) ?? { quantity: 0, unit: '' };
        for (const p of packed) if (p.quantity !== undefined) [quantity, unit] = [quantity + p.quantity, p.unit];
        out.set(node, { node, quantity, unit });
      }
      for (const child of c?.children ?? []) if (before(s, child).length > 0) stack.push(child);
    }
    return [...out.values()];
  }

  /** Gives again the unit hops of a unit and of every unit that carried it, after its contents changed. */
  private refreshUnitHops(sscc: string): void {
    const seen = new Set<string>();
    const stack = [sscc];
    for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
      if (seen.has(s)) continue;
      seen.add(s);
      for (const record of this.unitHops.get(s) ?? []) {
        this.collapse(record);
        this.expand(record);
      }
      stack.push(...(this.parents.get(s) ?? []));
    }
  }

  /**
   * Withdraws one fact a declared-erroneous captured event gave (see RetractionFact): the
   * matching hop, edge, lot or packing of the capturing transaction, once. The lot's node stays
   * (packings and other events may name it); without its fact it is an unknown lot, as before.
   */
  private retract(f: Fact, r: RetractionFact): void {
    const tx = r.capturedTxId;
    if (f.type === 'hop') {
      for (const node of this.nodesOf(f.lotRef)) {
        // on the node of the lot an item was commissioned under, the item's own hop: not a lot-mate's of the same event
        const item = f.lotRef.lot !== node.ref.lot ? itemCode(f.lotRef) : undefined;
        const hop = node.hops.find((h) => h.item === item && h.view.txId === tx && h.view.kind === f.kind && h.view.shipmentId === (f.shipmentId ?? '') && h.view.quantity === f.quantity);
        if (!hop) continue;
        this.dropHop(node, hop);
        return;
      }
    } else if (f.type === 'input') {
      for (const node of this.nodesOf(f.to)) {
        const from = new Set(this.nodesOf(f.from));
        const i = node.inputs.findIndex((e) => e.view.txId === tx && from.has(e.fromNode) && e.view.quantity === f.quantity);
        const edge = node.inputs[i];
        if (!edge) continue;
        (node.inputs as EdgeNode[]).splice(i, 1);
        (edge.fromNode.outputs as EdgeNode[]).splice(edge.fromNode.outputs.indexOf(edge), 1);
        return;
      }
    } else if (f.type === 'lot') {
      const same = (known: LotFact & FactPosition): boolean => known.txId === tx && known.kind === f.kind && known.producer === f.producer && known.quantity === f.quantity;
      for (const node of this.nodesOf(f)) {
        const rival = node.rivals?.findIndex(same) ?? -1;
        if (rival >= 0) {
          node.rivals?.splice(rival, 1);
          return;
        }
        if (!node.fact || !same(node.fact)) continue;
        node.fact = node.rivals?.shift(); // the next claim stands, if any
        if (node.fact) this.touch(node.fact.producer, node.key);
        if (node.rivals?.length === 0) delete node.rivals;
        return;
      }
    } else if (f.type === 'aggregation' && f.action === 'add') {
      const c = this.containers.get(f.sscc);
      for (const key of this.packedLots(f).keys()) this.unpack(f.sscc, c?.lots, key, tx);
      for (const child of new Set(f.children)) this.unpack(f.sscc, c?.children, child, tx);
      this.refreshUnitHops(f.sscc);
    } else if (f.type === 'aggregation') {
      for (const m of this.unpackedMembers(f)) {
        const list = this.unpackings.get(`${f.sscc}>${m}`) ?? [];
        const i = list.map((u) => u.txId).lastIndexOf(tx);
        if (i >= 0) list.splice(i, 1);
      }
      this.refreshUnitHops(f.sscc);
    } else if (f.type === 'unitHop') {
      const list = this.unitHops.get(f.sscc) ?? [];
      const i = list.findIndex((u) => u.fact.txId === tx && u.fact.kind === f.kind && (u.fact.shipmentId ?? '') === (f.shipmentId ?? '') && u.fact.to === f.to);
      const record = list[i];
      if (!record) return;
      this.collapse(record);
      list.splice(i, 1);
    }
  }

  /** The nodes a reference may have landed on: its own key and, for a captured item, its real lot. */
  private nodesOf(ref: LotRef): LotNode[] {
    const own = this.lots.get(lotKey(ref));
    const serial = itemSerialOf(ref);
    const real = serial !== undefined ? this.itemLot(ref.gtin, serial) : undefined;
    return [own, real].filter((n, i, all): n is LotNode => n !== undefined && all.indexOf(n) === i);
  }

  private setStatus(ref: LotRef, status: string, reason: string, recallId: string, at: string): void {
    const node = this.node(ref);
    if (node.status !== status) node.statusAt = at;
    node.status = status;
    node.statusReason = reason;
    node.recallId = recallId;
    const recall = recallId ? this.recalls.get(recallId) : undefined;
    // (by key: a recall of thousands of lots looked each new one up in the list of those before)
    if (recall && status === 'recalled' && !recall.affected.has(node.key)) {
      recall.affected.set(node.key, node.ref);
      this.recallChanges += 1;
    }
  }

  /** Which graph this is, and how many times its recalls changed (issued, progressed, reached a lot): what the recall notices are as of. */
  get recallsVersion(): string {
    return `${this.made}:${this.recallChanges}`;
  }

  /** A recall as first issued; later progress only moves its status. */
  private recall(fact: RecallFact & FactPosition): void {
    this.recallChanges += 1;
    const known = this.recalls.get(fact.recallId);
    if (known) {
      this.recalls.set(fact.recallId, { ...known, ...(fact.status !== undefined ? { status: fact.status } : {}) });
      return;
    }
    this.recalls.set(fact.recallId, { ...fact, affected: new Map() });
  }

  private scan(fact: ScanFact & FactPosition): void {
    this.node(fact.lotRef).scans += 1;
    const item = ITEM_SCAN.exec(fact.code);
    if (!item || fact.participant === undefined) return;
    const code = `${item[1] as string}/${item[2] as string}`;
    const disposal = this.disposedItems.get(code);
    // after the disposal in ledger order: a load replays every disposal (H|) before any scan (S|)
    if (!disposal || fact.seq <= disposal.seq) return;
    const before = this.handledDestroyed.get(code);
    this.handledDestroyed.set(code, {
      participant: fact.participant, kind: fact.kind, location: fact.location ?? '', txId: fact.txId, firstSeq: before?.firstSeq ?? fact.seq, seq: fact.seq,
      firstAt: before?.firstAt ?? fact.timestamp, lastAt: fact.timestamp, scans: (before?.scans ?? 0) + 1, captured: 0,
    });
  }

  /**
   * Every labelled item recorded destroyed or disposed of that was handled since (`gtin/serial`):
   * scanned by a participant on the ledger (a receipt, a check), or shipped, received or sold in
   * an EPCIS event a participant's own system captured, at a later ledger position. A package
   * said to be destroyed that is back in the chain. The captured events are looked at when
   * asked, so an event later declared erroneous (its hop withdrawn) no longer counts.
   */
  handledSinceDisposal(): Map<string, HandledDestroyed> {
    const out = new Map(this.handledDestroyed);
    for (const [code, disposal] of this.disposedItems) {
      const [gtin, serial] = itemCodeParts(code);
      const own = this.lots.get(lotKey(itemAsLot(gtin, serial)))?.hops ?? NONE;
      const onLot = this.itemHops.get(code) ?? NONE;
      if (own.length === 0 && onLot.length === 0) continue;
      let handled = out.get(code);
      // in any order: the first and the last are found by position
      for (const list of [own, onLot]) {
        for (const hop of list) {
          if (hop.seq <= disposal.seq || hop.view.kind === 'dispose') continue;
          const v = hop.view;
          const before = handled;
          const stillFirst = before !== undefined && before.firstSeq < hop.seq;
          handled = {
            ...(before !== undefined && before.seq > hop.seq ? before : { participant: v.kind === 'receive' ? v.to : v.from, kind: v.kind, location: v.location, txId: v.txId, seq: hop.seq, lastAt: v.timestamp, eventID: v.shipmentId }),
            firstSeq: stillFirst ? before.firstSeq : hop.seq,
            firstAt: stillFirst ? before.firstAt : v.timestamp,
            scans: (before?.scans ?? 0) + 1,
            captured: (before?.captured ?? 0) + 1,
          };
        }
      }
      if (handled) out.set(code, handled);
    }
    return out;
  }

  private touch(participant: string, key: string): void {
    let set = this.touched.get(participant);
    if (!set) this.touched.set(participant, (set = new Set()));
    set.add(key);
  }

  /** The keys of the lots a participant has made or received, in key order. */
  lotKeysTouchedBy(participant: string): string[] {
    return [...(this.touched.get(participant) ?? [])].sort();
  }

  /** A site's latest inspection as everyone may see it: its outcome and when (the findings stay on the ledger). */
  inspectionSummary(participant: string): { outcome: string; inspectedAt: string } | undefined {
    const i = this.inspections.get(participant);
    return i ? { outcome: i.outcome, inspectedAt: i.inspectedAt } : undefined;
  }

  /** Sorts every node's arrays by ledger position (after loading from disk in key order). */
  sortAll(): void {
    const bySeq = (a: { seq: string }, b: { seq: string }): number => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);
    for (const node of this.lots.values()) {
      // (NONE, frozen and empty, sorts as a no-op)
      (node.inputs as EdgeNode[]).sort(bySeq);
      (node.outputs as EdgeNode[]).sort(bySeq);
      (node.hops as HopNode[]).sort(bySeq);
      (node.tests as (TestFact & FactPosition)[]).sort(bySeq);
    }
    for (const list of this.shipments.values()) list.sort(bySeq);
    this.sortShipments();
    this.warnings.sort(bySeq);
  }

  /** The lot an item serial belongs to, if it was commissioned. */
  itemLot(gtin: string, serial: string): LotNode | undefined {
    const direct = this.items.get(gtin)?.get(serial);
    if (direct) return direct;
    for (const r of this.ranges.get(gtin) ?? []) {
      if (!serial.startsWith(r.prefix)) continue;
      const digits = serial.slice(r.prefix.length);
      if (!/^[0-9]{1,15}$/.test(digits) || (r.width > 0 && digits.length !== r.width)) continue;
      const n = Number(digits);
      if (n >= r.from && n <= r.to) return r.node;
    }
    return undefined;
  }

  /** The lots a case or pallet carried at any time, through nested logistic units. */
  containerLots(sscc: string): LotNode[] {
    const out = new Map<string, LotNode>();
    const seen = new Set<string>();
    const stack = [sscc];
    while (stack.length > 0) {
      const s = stack.pop() as string;
      if (seen.has(s)) continue;
      seen.add(s);
      const c = this.containers.get(s);
      if (!c) continue;
      for (const k of c.lots) {
        const n = this.lots.get(k);
        if (n) out.set(k, n);
      }
      stack.push(...c.children);
    }
    return [...out.values()];
  }

  /**
   * The lots a start names; empty when unknown. A lot or item that nothing live names any more
   * (its only facts withdrawn by an error declaration) is unknown, as its lot page says.
   */
  resolve(start: TraceStart): LotNode[] {
    if ('lot' in start) {
      const n = this.lots.get(lotKey(start.lot));
      return n && this.named(n) ? [n] : [];
    }
    if ('item' in start) {
      const { gtin, serial, lot } = start.item;
      const n = lot !== undefined ? this.lots.get(lotKey({ gtin, lot })) : this.itemLot(gtin, serial) ?? this.lots.get(lotKey(itemAsLot(gtin, serial)));
      return n && this.named(n) ? [n] : [];
    }
    return this.containerLots(start.sscc);
  }

  /**
   * True when something live still names a lot: its own fact, an edge, a hop, a test, a scan, a
   * status change or a packing into a unit. A node is kept when its facts are withdrawn (other
   * events may name it later); without any of these it has nothing a trace could show.
   */
  private named(node: LotNode): boolean {
    if (node.fact || node.inputs.length > 0 || node.outputs.length > 0 || node.hops.length > 0) return true;
    if (node.tests.length > 0 || node.scans > 0 || node.status !== 'active') return true;
    for (const c of this.containers.values()) if (c.lots.has(node.key)) return true; // only for a lot nothing else names
    return false;
  }

  /** Every input lot back to the origins, with producers, tests and custody hops. */
  traceBack(code: string, startNodes: readonly LotNode[], limits: TraceLimits = DEFAULT_LIMITS): TraceGraph {
    const depth = walk(startNodes, (n) => n.inputs, (e) => e.fromNode, limits.maxLots);
    const edges: EdgeView[] = [];
    const hops: HopView[] = [];
    for (const node of depth.keys()) {
      for (const e of node.inputs) edges.push(e.view);
      for (const h of node.hops) if (h.view.kind !== 'sale' && h.view.kind !== 'dispose') hops.push(h.view);
    }
    return this.graph('back', code, startNodes, depth, edges, hops, []);
  }

  /** Every downstream lot and holder, with quantities and sales. */
  traceForward(code: string, startNodes: readonly LotNode[], limits: TraceLimits = DEFAULT_LIMITS): TraceGraph {
    const depth = walk(startNodes, (n) => n.outputs, (e) => e.toNode, limits.maxLots);
    const edges: EdgeView[] = [];
    const hops: HopView[] = [];
    const holders: HolderView[] = [];
    for (const node of depth.keys()) {
      for (const e of node.outputs) edges.push(e.view);
      for (const h of node.hops) hops.push(h.view);
      holders.push(...holdersOf(node));
    }
    return this.graph('forward', code, startNodes, depth, edges, hops, holders);
  }

  private graph(
    direction: 'back' | 'forward',
    code: string,
    startNodes: readonly LotNode[],
    depth: Map<LotNode, number>,
    edges: EdgeView[],
    hops: HopView[],
    holders: HolderView[],
  ): TraceGraph {
    const lots: LotView[] = [];
    const ids = new Set<string>();
    for (const [node, d] of depth) {
      const v = this.lotView(node, d);
      lots.push(v);
      if (v.producer) ids.add(v.producer);
    }
    for (const h of hops) {
      if (h.from) ids.add(h.from);
      if (h.to) ids.add(h.to);
    }
    return {
      direction,
      start: { code, lots: startNodes.map((n) => n.ref) },
      lots,
      edges,
      hops,
      holders,
      participants: [...ids].sort().map((id) => this.tracedParticipant(id)),
    };
  }

  /** A participant in a trace: as {@link participantView}, with its site's latest inspection. */
  private tracedParticipant(id: string): TraceGraph['participants'][number] {
    const inspection = this.inspectionSummary(id);
    return { ...this.participantView(id), ...(inspection ? { inspection } : {}) };
  }

  /** A participant as traces show it; unknown IDs keep their ID as the name. */
  participantView(id: string): { id: string; name: string; role: string; gln: string } {
    const p = this.participants.get(id);
    return { id, name: p?.name ?? id, role: p?.role ?? '', gln: p?.gln ?? '' };
  }

  /** A lot with its product, producer and tests. */
  lotView(node: LotNode, depth: number): LotView {
    const f = node.fact;
    const producer = f?.producer ?? '';
    return {
      gtin: node.ref.gtin,
      lot: node.ref.lot,
      product: this.products.get(node.ref.gtin)?.name ?? '',
      kind: f?.kind ?? 'unknown',
      producer,
      producerName: producer ? this.participantView(producer).name : '',
      quantity: f?.quantity ?? 0,
      unit: f?.unit ?? '',
      location: f?.location ?? '',
      productionDate: f?.productionDate ?? '',
      expiry: f?.expiry ?? '',
      status: node.status,
      txId: f?.txId ?? '',
      timestamp: f?.timestamp ?? '',
      depth,
      tests: node.tests.map((t) => ({
        testId: t.testId,
        lab: t.lab,
        verdict: t.verdict,
        method: t.method ?? '',
        sampledAt: t.sampledAt ?? '',
        analytes: t.analytes ?? [],
        txId: t.txId,
        timestamp: t.timestamp,
      })),
    };
  }
}

/** Breadth-first walk; the map keeps visiting order and each lot's distance from the start. */
function walk(
  start: readonly LotNode[],
  next: (n: LotNode) => readonly EdgeNode[],
  end: (e: EdgeNode) => LotNode,
  maxLots: number,
): Map<LotNode, number> {
  const depth = new Map<LotNode, number>();
  let frontier: LotNode[] = [];
  for (const n of start) {
    if (!depth.has(n)) {
      depth.set(n, 0);
      frontier.push(n);
    }
  }
  for (let d = 1; frontier.length > 0 && depth.size < maxLots; d++) {
    const following: LotNode[] = [];
    for (const n of frontier) {
      for (const e of next(n)) {
        const m = end(e);
        if (depth.has(m)) continue;
        depth.set(m, d);
        following.push(m);
      }
    }
    frontier = following;
  }
  return depth;
}

/** Per participant: what it received, shipped, sold and disposed of one lot. */
export function holdersOf(node: LotNode): HolderView[] {
  type Counts = { received: number; shipped: number; sold: number; sales: number; disposed: number };
  const by = new Map<string, Counts>();
  const get = (id: string): Counts => {
    let h = by.get(id);
    if (!h) by.set(id, (h = { received: 0, shipped: 0, sold: 0, sales: 0, disposed: 0 }));
    return h;
  };
  const unit = node.fact?.unit ?? node.hops[0]?.view.unit ?? '';
  for (const { view: h } of node.hops) {
    if (h.kind === 'receive') get(h.to).received += h.quantity;
    else if (h.kind === 'ship') get(h.from).shipped += h.quantity;
    else if (h.kind === 'dispose') get(h.from).disposed += h.quantity;
    else {
      const s = get(h.from);
      s.sold += h.quantity;
      s.sales += 1;
    }
  }
  return [...by].map(([participant, h]) => ({ lot: node.ref, participant, ...h, unit }));
}

/**
 * The empty list every node shares until it has an entry of that kind: most nodes (every
 * serialised item a capture names) never get inputs, outputs or tests. Frozen, so that nothing
 * can fill it for all: entries go in through {@link plus} and {@link plusBySeq}.
 */
const NONE: readonly never[] = Object.freeze([]);

/**
 * `list` with `entry` at the end: the first entry gets a list of exactly one slot (a `push` onto
 * an empty array makes room for sixteen, and most lists here never get a second entry).
 */
function plus<T>(list: readonly T[], entry: T): readonly T[] {
  if (list.length === 0) return [entry];
  (list as T[]).push(entry);
  return list;
}

/** {@link plus}, keeping the list in ledger order (see {@link insertBySeq}). */
function plusBySeq<T extends { readonly seq: string }>(list: readonly T[], entry: T): readonly T[] {
  if (list.length === 0) return [entry];
  insertBySeq(list as T[], entry);
  return list;
}

/** Graphs made so far in this process (each graph's {@link TraceGraphStore.recallsVersion} names its own). */
let graphsMade = 0;

/** An item reference's ({@link itemAsLot}) code (`gtin/serial`, as disposals name items); undefined for a real lot. */
function itemCode(ref: LotRef): string | undefined {
  const serial = itemSerialOf(ref);
  return serial === undefined ? undefined : `${ref.gtin}/${serial}`;
}

/** An item code's GTIN and serial (`gtin/serial`: a serial may itself hold `/`, a GTIN never). */
export function itemCodeParts(code: string): [string, string] {
  const slash = code.indexOf('/');
  return slash < 0 ? [code, ''] : [code.slice(0, slash), code.slice(slash + 1)];
}

/** Appends to the list under a key, creating it (with exactly one slot, as {@link plus}). */
function addTo<T>(map: Map<string, T[]>, key: string, entry: T): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

/** Puts an entry in a list kept in ledger order (at the end, unless it comes earlier). */
function insertBySeq<T extends { readonly seq: string }>(list: T[], entry: T): void {
  let i = list.length;
  while (i > 0 && (list[i - 1] as T).seq > entry.seq) i--;
  list.splice(i, 0, entry);
}

/** The view of a hop fact, of the lot it landed on (built field by field: a spread copy of each fact cost more than the rest of the hop). */
function hopView(f: PositionedFact & { type: 'hop' }, lot: LotRef, shared: StringPool): HopView {
  return Object.freeze({
    lot,
    kind: f.kind,
    from: shared.of(f.from),
    to: shared.of(f.to),
    quantity: f.quantity,
    unit: shared.of(f.unit),
    shipmentId: f.shipmentId ?? '',
    location: shared.of(f.location ?? ''),
    txId: shared.of(f.txId),
    timestamp: shared.of(f.timestamp),
    ...(f.purpose === 'return' ? { purpose: f.purpose } : {}),
  });
}
