/**
 * The shapes of the records the contract keeps in world state and returns from reads.
 *
 * Kept in one file because the chaincode events, the reads and the rule modules all speak
 * them: a projection (the trace index) can rebuild every record from the events alone.
 */
import type { UnitCode } from './gs1';

/** The roles a participant can have. */
export const ROLES = ['producer', 'processor', 'lab', 'distributor', 'retailer', 'regulator'] as const;
/** A participant's role. */
export type Role = (typeof ROLES)[number];

/** A GS1 lot: GTIN-14 plus the traceability lot code (AI 10). */
export interface LotRef {
  readonly gtin: string;
  readonly lot: string;
}

/** A quantity of a lot, with its UN/ECE unit. */
export interface LotQuantity extends LotRef {
  readonly quantity: number;
  readonly unit: UnitCode;
}

/** A place, by its GLN (AI 414). */
export interface Location {
  readonly gln: string;
  readonly name?: string;
}

/** An X.509 identity acting for a participant: MSP ID and `ctx.clientIdentity.getID()`. */
export interface ParticipantIdentity {
  readonly mspId: string;
  /** `x509::{subject DN}::{issuer DN}`, exactly as Fabric's ClientIdentity.getID() gives it. */
  readonly id: string;
}

/** An enterprise or a regulator. */
export interface Participant {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly licence: string;
  /** The party GLN (AI 417) of the enterprise. */
  readonly gln: string;
  readonly identities: readonly ParticipantIdentity[];
  readonly status: 'active' | 'suspended';
  readonly registeredAt: string;
  /** Participant ID of the regulator that registered it; absent for the first regulator. */
  readonly registeredBy?: string;
  readonly statusReason?: string;
}

/** A declared yield range: output quantity ÷ input quantity, in the output's dimension. */
export interface YieldRange {
  readonly min: number;
  readonly max: number;
}

/** A trade item (GTIN-14). */
export interface Product {
  readonly gtin: string;
  readonly name: string;
  readonly category: string;
  readonly unit: UnitCode;
  readonly yield?: YieldRange;
  /**
   * What one item (serial) holds, in `unit`, for products counted in mass or volume: a sale
   * scan of an item takes this much from the seller's holding, and packing an item claims it.
   * Absent for variable-measure items (a sale scan then states the item's quantity) and for
   * products counted in pieces (an item is one).
   */
  readonly netQuantity?: number;
  /** A lot of this product may not be shipped without a passing test. */
  readonly requiresTest: boolean;
  /** The brand owner that registered it. */
  readonly owner: string;
  readonly registeredAt: string;
}

/** Lot status: held lots and recalled lots can be neither shipped, transformed, sold nor scanned. */
export type LotStatus = 'active' | 'on_hold' | 'recalled';

/** A hold placed on a lot, by a regulator or by a failing test. */
export interface Hold {
  readonly reason: string;
  readonly by: string;
  readonly at: string;
  readonly txId: string;
  /** The failing test that caused it, if any. */
  readonly testId?: string;
}

/** A lot (traceability lot code) and its status. Remaining quantities live in {@link Holding}s. */
export interface Lot extends LotRef {
  readonly productName: string;
  /** The initial quantity. */
  readonly quantity: number;
  readonly unit: UnitCode;
  /** The participant that commissioned or made it. */
  readonly producer: string;
  readonly origin: Origin;
  readonly productionDate: string;
  readonly expiryDate?: string;
  readonly createdAt: string;
  readonly txId: string;
  /** How it came to be. */
  readonly madeBy: 'commissioning' | 'transformation';
  readonly status: LotStatus;
  readonly hold?: Hold;
  readonly recall?: { readonly recallId: string; readonly at: string; readonly txId: string };
  readonly tests: { readonly passed: number; readonly failed: number };
  readonly itemsCommissioned: number;
}

/** Where a lot comes from. */
export interface Origin extends Location {
  /** ISO 3166-1 alpha-2. */
  readonly country?: string;
  readonly region?: string;
}

/** What one participant still holds of a lot (one small key per lot and holder). */
export interface Holding extends LotQuantity {
  readonly holder: string;
}

/**
 * What one participant has packed of a lot, in cases and pallets it holds (one small key per
 * lot and holder, beside its {@link Holding}): never more than the holding.
 */
export interface Packed extends LotQuantity {
  readonly holder: string;
}

/** Serials `prefix` + a zero-padded number from `from` to `to` inclusive. */
export interface SerialRange {
  readonly prefix: string;
  readonly from: number;
  readonly to: number;
  /** Digits of the number, zero-padded; 0 means no padding. */
  readonly width: number;
}

/** A batch of serials commissioned under a lot in one transaction (ranges and lists). */
export interface SerialBatch extends LotRef {
  readonly batchId: string;
  readonly ranges: readonly SerialRange[];
  readonly serials: readonly string[];
  readonly count: number;
}

/** An item (SGTIN) once it has been scanned or packed; before that it lives in a {@link SerialBatch}. */
export interface Item extends LotRef {
  readonly serial: string;
  /** `disposed`: destroyed or disposed of by its holder (RecordDisposal): it may not be sold or packed again. */
  readonly status: 'active' | 'sold' | 'disposed';
  /** The disposal that took it out of the chain, once disposed. */
  readonly disposalId?: string;
  readonly container?: string;
  readonly lastScan?: { readonly kind: ScanKind; readonly at: string; readonly by: string; readonly txId: string };
}

/** One analyte of a test. */
export interface Analyte {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly limit: number;
  /** `max`: value must not exceed limit (default); `min`: value must reach it. */
  readonly limitType: 'max' | 'min';
  readonly measurementType?: string;
  readonly substance?: string;
}

/** A lab test of a lot. */
export interface TestResult extends LotRef {
  readonly testId: string;
  readonly lab: string;
  readonly method: string;
  readonly standard?: string;
  readonly sampledAt: string;
  readonly analytes: readonly Analyte[];
  readonly verdict: 'pass' | 'fail';
  readonly report: { readonly sha256: string; readonly uri: string };
  readonly recordedAt: string;
  readonly txId: string;
}

/** What an inspection found: nothing to correct, findings to correct, or a breach of the rules. */
export const INSPECTION_OUTCOMES = ['compliant', 'minor_findings', 'non_compliant'] as const;
export type InspectionOutcome = (typeof INSPECTION_OUTCOMES)[number];

/** Whether a value is one of the {@link INSPECTION_OUTCOMES}. */
export function isInspectionOutcome(v: unknown): v is InspectionOutcome {
  return (INSPECTION_OUTCOMES as readonly unknown[]).includes(v);
}

/** A regulator's inspection of a participant's site, and what it found. */
export interface Inspection {
  readonly inspectionId: string;
  /** The participant inspected (at its GLN). */
  readonly participant: string;
  readonly inspectedAt: string;
  readonly outcome: InspectionOutcome;
  readonly findings?: string;
  readonly report?: { readonly sha256: string; readonly uri: string };
  /** The regulator that recorded it. */
  readonly inspector: string;
  readonly recordedAt: string;
  readonly txId: string;
}

/** How a quantity left the supply chain for good: destroyed (CBV `destroyed`), or disposed of otherwise (`disposed`: rendered harmless, landfill, …). */
export const DISPOSAL_METHODS = ['destroyed', 'disposed'] as const;
export type DisposalMethod = (typeof DISPOSAL_METHODS)[number];

/** A quantity of a lot its holder destroyed or disposed of (disposal.ts): out of its holding for good. */
export interface Disposal extends LotQuantity {
  readonly disposalId: string;
  readonly method: DisposalMethod;
  readonly reason: string;
  /** The participant that held it and disposed of it. */
  readonly holder: string;
  readonly location: Location;
  /** The lot's status when it was disposed of, and its recall if it was recalled. */
  readonly lotStatus: LotStatus;
  readonly recallId?: string;
  /** The labelled items (serials) among the quantity, when the holder named them: each is marked disposed. */
  readonly serials?: readonly string[];
  readonly recordedAt: string;
  readonly txId: string;
}

/** A lineage edge: some of an input lot went into an output lot. */
export interface LineageEdge {
  readonly input: LotRef;
  readonly output: LotRef;
  readonly quantity: number;
  readonly unit: UnitCode;
  readonly transformationId: string;
  readonly txId: string;
}

/** A material-balance check of a transformation. */
export interface MassBalance {
  /** Sum of the inputs that could be converted to the output's unit. */
  readonly inputTotal: number;
  readonly output: number;
  readonly unit: UnitCode;
  readonly yield?: YieldRange;
  /** output ÷ inputTotal, when computable. */
  readonly ratio?: number;
  readonly verdict: 'ok' | 'excess' | 'shortfall' | 'unchecked';
}

/** A material-balance warning, listable by regulators. */
export interface Warning {
  readonly warningId: string;
  readonly kind: 'material_balance';
  readonly transformationId: string;
  readonly output: LotRef;
  readonly inputs: readonly LotQuantity[];
  readonly balance: MassBalance;
  readonly participant: string;
  readonly at: string;
  readonly txId: string;
}

/** A case or pallet (SSCC) and what is packed in it. */
export interface Container {
  readonly sscc: string;
  readonly holder: string;
  readonly items: readonly { readonly gtin: string; readonly serial: string; readonly lot: string }[];
  readonly lots: readonly LotQuantity[];
  readonly containers: readonly string[];
  readonly parent?: string;
  /** The shipment carrying it, while in transit. */
  readonly inTransit?: string;
  readonly updatedAt: string;
}

/** A shipment between two participants. */
export interface Shipment {
  readonly shipmentId: string;
  readonly from: string;
  readonly to: string;
  /** `return`: goods sent back to the lots' producer (recalled, held or expired stock it will destroy or rework). */
  readonly purpose?: 'return';
  readonly lines: readonly LotQuantity[];
  readonly containers: readonly string[];
  readonly origin: Location;
  readonly destination?: Location;
  readonly status: 'in_transit' | 'received';
  readonly shippedAt: string;
  readonly txId: string;
  readonly received?: {
    readonly lines: readonly LotQuantity[];
    readonly shortfall: readonly LotQuantity[];
    readonly at: string;
    readonly location: Location;
    readonly txId: string;
  };
}

/** The kinds of scan. */
export const SCAN_KINDS = ['receive', 'dispatch', 'sale', 'check'] as const;
/** A scan kind. */
export type ScanKind = (typeof SCAN_KINDS)[number];

/** What was scanned: an item, a lot or a logistic unit. */
export type ScanCode =
  | { readonly gtin: string; readonly serial: string }
  | { readonly gtin: string; readonly lot: string }
  | { readonly sscc: string };

/** One recorded scan (each its own key). */
export interface Scan {
  readonly scanId: string;
  readonly index: number;
  readonly kind: ScanKind;
  readonly code: ScanCode;
  /** The lots the scan covers (an item's lot, a lot, or every lot in a pallet). */
  readonly lots: readonly LotRef[];
  readonly quantity?: number;
  readonly location: Location;
  readonly participant: string;
  readonly time: string;
  readonly txId: string;
}

/** Recall classes (as FDA and SAMR use them: I most severe). */
export type RecallClass = 'I' | 'II' | 'III';

/** A lot reached by a recall, with who held what of it when it was marked. */
export interface AffectedLot extends LotRef {
  readonly depth: number;
  readonly holders: readonly { readonly participant: string; readonly quantity: number; readonly unit: UnitCode }[];
  /** The lot it was reached from; absent for the recalled lots themselves. */
  readonly via?: LotRef;
}

/** A recall and how far its propagation has got. */
export interface Recall {
  readonly recallId: string;
  readonly lots: readonly LotRef[];
  readonly reason: string;
  readonly class: RecallClass;
  readonly issuedBy: string;
  readonly voluntary: boolean;
  readonly issuedAt: string;
  readonly txId: string;
  readonly status: 'propagating' | 'complete';
  /** Lots still to visit, in breadth-first order. */
  readonly pending: readonly (LotRef & { readonly depth: number; readonly via?: LotRef })[];
  readonly lotsMarked: number;
  readonly transactions: number;
  readonly completedAt?: string;
}
