/**
 * The port between the resolver and whatever knows about products, lots and items — the trace
 * index in the gateway, an in-memory fixture in tests. The resolver only ever reads these view
 * models; it never sees the ledger. Text a consumer reads comes in both languages.
 */
import type { InspectionOutcome } from '../chaincode/records';

/** Text in Chinese and English; either may be empty, then the other is shown. */
export interface LocalText {
  readonly zh: string;
  readonly en: string;
}

/**
 * The outcome of an official inspection, in the words of China's food inspection results
 * (符合 / 基本符合 / 不符合): compliant, minor findings, non-compliant — the contract's own.
 */
export type { InspectionOutcome };

/** A site's latest official inspection, as published to the public: when, by whom, and its outcome (never the findings). */
export interface InspectionView {
  readonly outcome: InspectionOutcome;
  /** ISO date it took place. */
  readonly date: string;
  readonly authority?: LocalText;
}

/** A company or authority. */
export interface PartyView {
  readonly name: LocalText;
  readonly gln?: string;
  readonly licence?: string;
  readonly address?: LocalText;
  /** Its site's latest official inspection, when it has had one. */
  readonly inspection?: InspectionView;
}

/** One test of a lot. */
export interface TestView {
  readonly analyte: LocalText;
  /** As reported, e.g. "0.02 mg/kg" or "not detected". */
  readonly result: string;
  readonly limit?: string;
  readonly verdict: 'pass' | 'fail' | 'pending';
  readonly lab: LocalText;
  /** ISO date. */
  readonly date: string;
  /** Set when the test is of a raw material: a lot this lot was made from, and its producer. */
  readonly material?: { readonly lot: string; readonly producer?: LocalText };
}

/** One step on the way from origin to shop. */
export interface HopView {
  readonly role: 'origin' | 'processing' | 'storage' | 'transport' | 'distribution' | 'retail';
  readonly party: PartyView;
  readonly place?: LocalText;
  /** ISO date or date-time. */
  readonly date: string;
}

/** A certificate (organic, HACCP, geographic indication…). */
export interface CertificationView {
  readonly name: LocalText;
  readonly issuer: LocalText;
  readonly id?: string;
  readonly validUntil?: string;
}

/** Why a lot must not be eaten. */
export interface RecallView {
  readonly reason: LocalText;
  /** ISO date the recall or hold began. */
  readonly since: string;
  readonly authority?: LocalText;
  /** What to do, beyond the standard advice. */
  readonly advice?: LocalText;
  /** A phone number to call. */
  readonly contact?: string;
}

export type LotStatus = 'active' | 'on_hold' | 'recalled';

/** Everything a consumer is shown about a lot. */
export interface LotView {
  readonly gtin: string;
  readonly lot: string;
  readonly status: LotStatus;
  readonly productionDate?: string;
  readonly expiry?: string;
  readonly origin?: LocalText;
  readonly producer?: PartyView;
  readonly recall?: RecallView;
  /** The lot's own tests, then its raw materials' (each with its {@link TestView.material}). */
  readonly tests: readonly TestView[];
  readonly path: readonly HopView[];
  readonly certifications?: readonly CertificationView[];
}

/** A warning about one item, e.g. a code scanned in places too far apart to be genuine. */
export interface ItemWarning {
  readonly code: string;
  readonly message: LocalText;
}

/** One commissioned item. */
export interface ItemView {
  readonly gtin: string;
  readonly serial: string;
  readonly lot: string;
  readonly warnings?: readonly ItemWarning[];
  /** How often this code has been scanned by the public. */
  readonly scans?: number;
}

/** A registered product. */
export interface ProductView {
  readonly gtin: string;
  readonly name: LocalText;
  readonly brand?: LocalText;
  readonly producer: PartyView;
  readonly netContent?: string;
  readonly category?: LocalText;
  /** The brand's own product information page, if any (offered as a second gs1:pip link). */
  readonly pipUrl?: string;
  readonly certifications?: readonly CertificationView[];
}

/**
 * Where the resolver looks things up. Each lookup resolves to undefined when there is no such
 * record; any thrown error is passed on (a ZfcError keeps its code).
 */
export interface ResolverSource {
  product(gtin: string): Promise<ProductView | undefined>;
  lot(gtin: string, lot: string): Promise<LotView | undefined>;
  item(gtin: string, serial: string): Promise<ItemView | undefined>;
}

/** One recall as the public notice shows it: when, why, by whom, and what it reached, product by product. */
export interface RecallNoticeView {
  readonly recallId: string;
  /** `propagating` while the ledger still marks downstream lots, then `complete`. */
  readonly status: 'propagating' | 'complete';
  /** ISO date it was issued. */
  readonly since: string;
  readonly reason: LocalText;
  readonly authority?: LocalText;
  /** `I` (the most serious), `II` or `III`. */
  readonly recallClass?: string;
  /** The products it reached, each with lot codes (the first ones) and how many more. */
  readonly products: readonly { readonly gtin: string; readonly name: LocalText; readonly lots: readonly string[]; readonly moreLots: number }[];
}

/** Where the public recall notices come from: the newest first, at most `limit`. */
export interface RecallNoticeSource {
  recalls(limit: number): Promise<readonly RecallNoticeView[]>;
}
