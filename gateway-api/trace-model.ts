/**
 * The trace index's vocabulary: the facts it is fed (one chaincode event becomes a few facts,
 * see projection.ts) and the views it answers with.
 *
 * Facts are deliberately flatter than the contract's events: the index only needs who, what,
 * how much, where, when and which transaction, so the same graph can be fed by the ledger, by
 * EPCIS capture or by a synthetic generator in a benchmark.
 */

/** A lot as GS1 names it: a GTIN-14 and a traceability lot code (AI 10). */
export interface LotRef {
  readonly gtin: string;
  readonly lot: string;
}

/** Where a fact sits in the ledger, so replays give the same order and keys. */
export interface FactPosition {
  readonly txId: string;
  /** ISO 8601 time of the transaction. */
  readonly timestamp: string;
  /** A sortable position: block, transaction index and the fact's index within the transaction. */
  readonly seq: string;
}

/** A participant (enterprise or regulator). */
export interface ParticipantFact {
  readonly type: 'participant';
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly gln?: string;
  readonly status?: string;
}

/** A product (GTIN) and its name. */
export interface ProductFact {
  readonly type: 'product';
  readonly gtin: string;
  readonly name: string;
  readonly unit?: string;
  /** The brand owner that registered it. */
  readonly owner?: string;
}

/** A lot created by harvest/commissioning, or as the output of a transformation. */
export interface LotFact extends LotRef {
  readonly type: 'lot';
  readonly kind: 'commissioning' | 'transformation';
  readonly producer: string;
  readonly quantity: number;
  readonly unit: string;
  /** GLN or free-text origin of the lot. */
  readonly location?: string;
  /** A readable name of the origin (farm, region). */
  readonly originName?: string;
  readonly productionDate?: string;
  readonly expiry?: string;
  /**
   * Made by a captured EPCIS event, not by the ledger's own record. For a product the ledger
   * does not manage nothing stops two participants from capturing the making of one lot: the
   * first stands (trace-graph.ts), and the ledger's own record, when there is one, always does.
   */
  readonly captured?: true;
}

/** An input lot consumed by a transformation into an output lot. */
export interface InputFact {
  readonly type: 'input';
  readonly from: LotRef;
  readonly to: LotRef;
  readonly quantity: number;
  readonly unit: string;
}

/** How a quantity of a lot moves: shipped, received, sold to a consumer, or destroyed or disposed of by its holder (it leaves the chain). */
export type HopKind = 'ship' | 'receive' | 'sale' | 'dispose';

/** One custody step of a quantity of a lot: shipped, received, sold, or disposed of. */
export interface HopFact {
  readonly type: 'hop';
  readonly kind: HopKind;
  readonly lotRef: LotRef;
  /** The participant the quantity leaves (ship, sale, dispose) or comes from (receive). */
  readonly from: string;
  /** The participant it goes to; empty for a sale to a consumer and for a disposal. */
  readonly to: string;
  readonly quantity: number;
  readonly unit: string;
  readonly shipmentId?: string;
  readonly location?: string;
  /** A shipment's purpose when it is a return of the lot to its producer (Ship's `purpose`); absent for an ordinary one. */
  readonly purpose?: 'return';
  /** A disposal's labelled items (serials of the lot's GTIN), each out of the chain for good. */
  readonly serials?: readonly string[];
}

/** A test result for a lot. */
export interface TestFact {
  readonly type: 'test';
  readonly lotRef: LotRef;
  readonly testId: string;
  readonly lab: string;
  readonly verdict: string;
  readonly method?: string;
  readonly sampledAt?: string;
  readonly analytes?: readonly { readonly name: string; readonly value: number; readonly unit: string; readonly limit: number; readonly limitType?: string }[];
}

/** Item serials commissioned under a lot: an explicit list or a numeric range. */
export interface ItemsFact {
  readonly type: 'items';
  readonly lotRef: LotRef;
  readonly serials?: readonly string[];
  readonly range?: { readonly prefix: string; readonly from: number; readonly to: number; readonly width?: number };
}

/** A case or pallet (SSCC) packed with items, lots or other SSCCs, or unpacked. */
export interface AggregationFact {
  readonly type: 'aggregation';
  readonly sscc: string;
  readonly action: 'add' | 'delete';
  /** Lots whose quantities or items are inside. */
  readonly lots: readonly LotRef[];
  /** Child logistic units. */
  readonly children: readonly string[];
  /**
   * How much of each lot was packed, when the packing says (a captured quantity list, one EA
   * per captured item): what a {@link UnitHopFact} moves of it. Absent: not stated.
   */
  readonly quantities?: readonly { readonly lotRef: LotRef; readonly quantity: number; readonly unit: string }[];
}

/**
 * A custody step of a logistic unit (SSCC) as a whole: a captured shipment, receipt or sale
 * that names a case or pallet rather than what it carries. The graph turns it into one hop of
 * each lot packed in the unit (through nested units) before the step, as the contract's own
 * Ship of containers does with its lines; the projection cannot, since it is stateless and the
 * packing may come from another capture or from the ledger's Aggregate.
 */
export interface UnitHopFact {
  readonly type: 'unitHop';
  readonly kind: 'ship' | 'receive' | 'sale';
  readonly sscc: string;
  readonly from: string;
  readonly to: string;
  readonly shipmentId?: string;
  readonly location?: string;
}

/** A status change of a lot: hold, release, recall. */
export interface StatusFact {
  readonly type: 'status';
  readonly lotRef: LotRef;
  readonly status: 'active' | 'on_hold' | 'recalled';
  readonly reason?: string;
  readonly recallId?: string;
}

/** A recall as issued (its affected lots arrive as status facts). */
export interface RecallFact {
  readonly type: 'recall';
  readonly recallId: string;
  readonly lots: readonly LotRef[];
  readonly reason: string;
  readonly recallClass?: string;
  readonly issuer: string;
  /** `propagating` until every downstream lot is marked, then `complete`. */
  readonly status?: string;
}

/** A warning regulators list: material balance, failed test, untested lot shipped, cloned code. */
export interface WarningFact {
  readonly type: 'warning';
  readonly kind: string;
  readonly lotRef?: LotRef;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A scan that is not a custody change (a check, an anonymous consumer scan). */
export interface ScanFact {
  readonly type: 'scan';
  readonly lotRef: LotRef;
  readonly code: string;
  readonly kind: string;
  readonly participant?: string;
  readonly location?: string;
}

/**
 * What an error declaration withdraws (EPCIS 2.0 §7.4.1.2): the facts a captured event gave
 * when it was captured, each matched by the capturing transaction and its content, so the
 * event's hops, edges, lot and packing stop showing in traces. Events that correct it stand.
 */
export interface RetractionFact {
  readonly type: 'retraction';
  /** The event declared erroneous. */
  readonly eventID: string;
  /** The transaction that captured it: the withdrawn facts carry this txId. */
  readonly capturedTxId: string;
  readonly facts: readonly Fact[];
}

/** Everything the index can be fed. */
export type Fact =
  | ParticipantFact
  | ProductFact
  | LotFact
  | InputFact
  | HopFact
  | UnitHopFact
  | TestFact
  | ItemsFact
  | AggregationFact
  | StatusFact
  | RecallFact
  | WarningFact
  | ScanFact
  | RetractionFact
  | InspectionFact;

/** A regulator's inspection of a participant's site (the findings stay on the ledger: GetInspection). */
export interface InspectionFact {
  readonly type: 'inspection';
  readonly inspectionId: string;
  readonly participant: string;
  readonly inspectedAt: string;
  readonly outcome: string;
  readonly inspector: string;
}

/** A fact with its position in the ledger. */
export type PositionedFact = Fact & FactPosition;

/** A lot as a trace answers it. */
export interface LotView extends LotRef {
  readonly product: string;
  readonly kind: 'commissioning' | 'transformation' | 'unknown';
  readonly producer: string;
  readonly producerName: string;
  readonly quantity: number;
  readonly unit: string;
  readonly location: string;
  readonly productionDate: string;
  readonly expiry: string;
  readonly status: string;
  readonly txId: string;
  readonly timestamp: string;
  /** Steps from the start of the trace (0 = the start lot). */
  readonly depth: number;
  readonly tests: readonly {
    testId: string;
    lab: string;
    verdict: string;
    method: string;
    sampledAt: string;
    analytes: readonly { name: string; value: number; unit: string; limit: number; limitType?: string }[];
    txId: string;
    timestamp: string;
  }[];
}

/** A lineage edge: an input lot into an output lot. */
export interface EdgeView {
  readonly from: LotRef;
  readonly to: LotRef;
  readonly quantity: number;
  readonly unit: string;
  readonly txId: string;
  readonly timestamp: string;
}

/** A custody hop of a lot. */
export interface HopView {
  readonly lot: LotRef;
  readonly kind: HopKind;
  readonly from: string;
  readonly to: string;
  readonly quantity: number;
  readonly unit: string;
  readonly shipmentId: string;
  readonly location: string;
  readonly txId: string;
  readonly timestamp: string;
  /** `return` for a shipment of the lot back to its producer; absent otherwise. */
  readonly purpose?: 'return';
}

/** A holder of a lot in a forward trace: what it received, sold and disposed of. */
export interface HolderView {
  readonly lot: LotRef;
  readonly participant: string;
  readonly received: number;
  readonly shipped: number;
  readonly sold: number;
  readonly sales: number;
  /** Destroyed or disposed of (RecordDisposal): out of the chain, not sold. */
  readonly disposed: number;
  readonly unit: string;
}

/** A trace back or forward as a graph. */
export interface TraceGraph {
  readonly direction: 'back' | 'forward';
  readonly start: { readonly code: string; readonly lots: readonly LotRef[] };
  readonly lots: readonly LotView[];
  readonly edges: readonly EdgeView[];
  readonly hops: readonly HopView[];
  readonly holders: readonly HolderView[];
  /** Everyone the trace reaches, each with its site's latest inspection when it has had one (in an incident: who was last found wanting). */
  readonly participants: readonly { id: string; name: string; role: string; gln: string; inspection?: { outcome: string; inspectedAt: string } }[];
}

/** The key of a lot, unique: `|` is outside the GS1 lot character set. */
export function lotKey(ref: LotRef): string {
  return `${ref.gtin}|${ref.lot}`;
}

/**
 * The graph node of an item that arrived by EPCIS capture without a lot the ledger knows: the
 * item stands for its own lot, named `#serial` (`#` is outside the GS1 lot character set, so it
 * never meets a real lot). The graph resolves it to the item's real lot when the ledger
 * commissioned the item.
 */
export function itemAsLot(gtin: string, serial: string): LotRef {
  return { gtin, lot: `#${serial}` };
}

/** The serial of an {@link itemAsLot} reference, or undefined for a real lot. */
export function itemSerialOf(ref: LotRef): string | undefined {
  return ref.lot.startsWith('#') ? ref.lot.slice(1) : undefined;
}

/** The lot a key names. */
export function lotFromKey(key: string): LotRef {
  const i = key.indexOf('|');
  return { gtin: key.slice(0, i), lot: key.slice(i + 1) };
}
