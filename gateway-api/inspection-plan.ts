/**
 * Inspection planning: which sites a regulator should visit first, and why. A regulator cannot
 * inspect every farm, processor, warehouse and shop; the ledger already says where the risk
 * is. Every registered participant other than a regulator is scored from what the trace index
 * holds about it:
 *
 * | signal                     | whose                                         | weight |
 * | -------------------------- | --------------------------------------------- | -----: |
 * | `failed_test`              | the producer of a lot whose test failed       |     40 |
 * | `diverted_stock`           | who recorded an item destroyed that shoppers  |     40 |
 * |                            | or participants scanned since (where did it   |        |
 * |                            | go instead?)                                  |        |
 * | `non_compliant_inspection` | a site its latest inspection found breaching  |     40 |
 * | `recall_origin`            | the producer of a lot a recall names          |     30 |
 * | `material_balance`         | who made more than its inputs allow           |     30 |
 * | `recalled_stock`           | who still holds a recalled or held lot        |     25 |
 * | `untested_shipped`         | the producer that shipped its lot untested    |     20 |
 * | `inspection_findings`      | a site its latest inspection found minor      |     15 |
 * |                            | findings at                                   |        |
 * | `unreceived_shipment`      | the consignee of a shipment in transit longer |     10 |
 * |                            | than `overdueDays`                            |        |
 *
 * A site's latest inspection (RecordInspection, chaincode/inspection.ts) is its regulator's
 * last look: the events recorded at the site before it (failed tests, recalls, warnings,
 * untested releases) no longer count, and what the inspection found does, until the next one.
 * With `since` (a regulator's last round), events recorded before it no longer count at any
 * site. The states of now count whatever their age: recalled stock still held, shipments still
 * in transit, and the outcome of a site's latest inspection.
 *
 * A site's score is the sum over its signals of weight × count, each count taken at most
 * {@link COUNTED_AT_MOST} times, so one noisy signal cannot hide every other site. The plan
 * lists the sites with a positive score, highest first (then by participant ID), each signal
 * with its full count and its evidence (lots, tests, recalls, shipments, with the transaction
 * that recorded each), so an inspector knows what to look at on arrival.
 *
 * Read-only and derived like the rest of the index: it judges nothing the contract enforces
 * (a recalled lot cannot be sold whatever the plan says); it orders a regulator's visits.
 */
import type { LotNode, TraceGraphStore } from './trace-graph';
import { lotKey, type HolderView, type LotRef } from './trace-model';
import { cell } from './trace-csv';

export type SignalKind = 'failed_test' | 'diverted_stock' | 'recall_origin' | 'material_balance' | 'recalled_stock' | 'untested_shipped' | 'unreceived_shipment' | 'non_compliant_inspection' | 'inspection_findings';

/** Points per occurrence of each signal. */
export const SIGNAL_WEIGHTS: Readonly<Record<SignalKind, number>> = {
  failed_test: 40,
  diverted_stock: 40,
  recall_origin: 30,
  material_balance: 30,
  recalled_stock: 25,
  untested_shipped: 20,
  unreceived_shipment: 10,
  non_compliant_inspection: 40,
  inspection_findings: 15,
};

/** Occurrences of one signal that count toward a score; the rest are still listed. */
export const COUNTED_AT_MOST = 5;

/** Evidence items kept per signal (the count says how many there are). */
export const EVIDENCE_KEPT = 20;

/** One reason behind a signal: what, where on the ledger, and when. */
export interface Evidence {
  readonly message: string;
  readonly lot?: LotRef;
  readonly testId?: string;
  readonly recallId?: string;
  readonly shipmentId?: string;
  /** The transaction that recorded it (absent for a hold known only by the lot's status). */
  readonly txId?: string;
  readonly timestamp: string;
}

export interface Signal {
  readonly kind: SignalKind;
  readonly weight: number;
  readonly count: number;
  /** weight × min(count, COUNTED_AT_MOST). */
  readonly points: number;
  /** The first {@link EVIDENCE_KEPT} reasons, oldest first. */
  readonly evidence: readonly Evidence[];
}

export interface PlannedSite {
  readonly rank: number;
  readonly participant: { readonly id: string; readonly name: string; readonly role: string; readonly gln: string; readonly status: string };
  readonly score: number;
  /** The site's latest inspection, when it had one: the events before it no longer count. */
  readonly lastInspection?: { readonly inspectionId: string; readonly inspectedAt: string; readonly outcome: string; readonly inspector: string; readonly txId: string };
  /** Highest points first. */
  readonly signals: readonly Signal[];
}

export interface InspectionPlan {
  /** The time shipments in transit are judged at. */
  readonly asOf: string;
  readonly overdueDays: number;
  readonly weights: Readonly<Record<SignalKind, number>>;
  readonly countedAtMost: number;
  /** Events recorded before it were left out, when given. */
  readonly since?: string;
  /** Sites with a positive score, in all (`sites` holds the first `limit`). */
  readonly total: number;
  readonly sites: readonly PlannedSite[];
}

export interface PlanOptions {
  /** When shipments in transit are judged (ISO 8601). */
  readonly asOf: string;
  /** Days in transit after which an unrecorded receipt is a signal against the consignee. */
  readonly overdueDays: number;
  /** Sites listed at most. */
  readonly limit: number;
  /** Events recorded before this time (ISO 8601) are left out; states of now are not. */
  readonly since?: string;
}

/** The signals that are states of now, not events: `since` leaves none of them out. */
const CURRENT: ReadonlySet<SignalKind> = new Set(['recalled_stock', 'unreceived_shipment', 'non_compliant_inspection', 'inspection_findings']);

const DAY_MS = 86_400_000;

/** An item its holder recorded destroyed or disposed of, scanned since (by shoppers, or on the ledger by a participant, a captured EPCIS event included): who disposed of it, and the scans. */
export interface DivertedItem {
  readonly holder: string;
  readonly code: string;
  readonly lot?: LotRef;
  /** The disposal's transaction. */
  readonly txId: string;
  readonly scans: number;
  /** The last scan: an event of its own, which an inspection after it answers. */
  readonly lastScanAt: string;
}

/**
 * The plan, from the index's graph and its holdings (what each participant holds of a lot now,
 * as lot pages show it), and the items recorded destroyed that were scanned since (`diverted`).
 */
export function planInspections(graph: TraceGraphStore, holdingsOf: (node: LotNode) => readonly (HolderView & { holding: number })[], options: PlanOptions, diverted: readonly DivertedItem[] = []): InspectionPlan {
  const found = new Map<string, Map<SignalKind, Evidence[]>>();
  const since = options.since === undefined ? -Infinity : Date.parse(options.since);
  /** From when a site's events count: its latest inspection, or `since` if later. */
  const countsFrom = (participant: string): number => {
    const last = graph.inspections.get(participant);
    return last ? Math.max(since, Date.parse(last.inspectedAt)) : since;
  };
  const add = (participant: string | undefined, kind: SignalKind, evidence: Evidence): void => {
    if (!participant) return;
    if (!CURRENT.has(kind) && Date.parse(evidence.timestamp) < countsFrom(participant)) return;
    let signals = found.get(participant);
    if (!signals) found.set(participant, (signals = new Map()));
    const list = signals.get(kind);
    if (list) list.push(evidence);
    else signals.set(kind, [evidence]);
  };
  const name = (ref: LotRef): string => `${ref.gtin}/${ref.lot}`;

  for (const node of graph.lots.values()) {
    const producer = node.fact?.producer;
    for (const t of node.tests) {
      if (t.verdict !== 'fail') continue;
      add(producer, 'failed_test', { message: `test ${t.testId} of lot ${name(node.ref)} failed${t.method ? ` (${t.method})` : ''}`, lot: node.ref, testId: t.testId, txId: t.txId, timestamp: t.timestamp });
    }
    if (node.status === 'recalled' || node.status === 'on_hold') {
      const what = node.status === 'recalled' ? 'recalled' : 'on hold';
      const recall = node.recallId ? graph.recalls.get(node.recallId) : undefined;
      for (const h of holdingsOf(node)) {
        if (h.holding <= 0) continue;
        add(h.participant, 'recalled_stock', { message: `holds ${h.holding} ${h.unit} of lot ${name(node.ref)}, ${what}${node.recallId ? ` (recall ${node.recallId})` : ''}`, lot: node.ref, ...(node.recallId ? { recallId: node.recallId } : {}), ...(recall ? { txId: recall.txId } : {}), timestamp: node.statusAt });
      }
    }
    // releasing an untested lot is its producer's doing (as /v1/warnings says, at its first shipment); who ships it on cannot test it
    const released = producer && !node.tests.some((t) => t.verdict === 'pass') ? node.hops.find((h) => h.view.kind === 'ship' && h.view.from === producer)?.view : undefined;
    if (released) {
      add(producer, 'untested_shipped', { message: `shipped lot ${name(node.ref)} with no passing test (shipment ${released.shipmentId || 'without an ID'} to ${released.to})`, lot: node.ref, ...(released.shipmentId ? { shipmentId: released.shipmentId } : {}), txId: released.txId, timestamp: released.timestamp });
    }
  }

  for (const r of graph.recalls.values()) {
    for (const ref of r.lots) {
      const producer = graph.lots.get(lotKey(ref))?.fact?.producer;
      add(producer, 'recall_origin', { message: `recall ${r.recallId}${r.recallClass ? ` (${r.recallClass})` : ''} names lot ${name(ref)}: ${r.reason}`, lot: ref, recallId: r.recallId, txId: r.txId, timestamp: r.timestamp });
    }
  }

  for (const w of graph.warnings) {
    if (w.kind !== 'material_balance') continue;
    const by = typeof w.details?.['participant'] === 'string' ? (w.details['participant'] as string) : w.lotRef ? graph.lots.get(lotKey(w.lotRef))?.fact?.producer : undefined;
    add(by, 'material_balance', { message: w.lotRef ? `lot ${name(w.lotRef)}: ${w.message}` : w.message, ...(w.lotRef ? { lot: w.lotRef } : {}), txId: w.txId, timestamp: w.timestamp });
  }

  const asOf = Date.parse(options.asOf);
  const due = asOf - options.overdueDays * DAY_MS;
  for (const [shipmentId, hops] of graph.shipments) {
    if (hops.some((h) => h.view.kind === 'receive')) continue;
    const shipped = hops.find((h) => h.view.kind === 'ship')?.view;
    if (!shipped || Date.parse(shipped.timestamp) > due) continue;
    const days = Math.floor((asOf - Date.parse(shipped.timestamp)) / DAY_MS);
    add(shipped.to, 'unreceived_shipment', { message: `shipment ${shipmentId} from ${shipped.from}, shipped ${days} days before ${options.asOf}, has no recorded receipt`, shipmentId, txId: shipped.txId, timestamp: shipped.timestamp });
  }

  for (const d of diverted) {
    add(d.holder, 'diverted_stock', { message: `item ${d.code}, which it recorded destroyed or disposed of, was scanned ${d.scans} time(s) since (by shoppers, or on the ledger by a participant: a scan, or a captured EPCIS event shipping, receiving or selling it), last on ${d.lastScanAt.slice(0, 10)}`, ...(d.lot ? { lot: d.lot } : {}), txId: d.txId, timestamp: d.lastScanAt });
  }

  for (const i of graph.inspections.values()) {
    if (i.outcome !== 'non_compliant' && i.outcome !== 'minor_findings') continue;
    const kind: SignalKind = i.outcome === 'non_compliant' ? 'non_compliant_inspection' : 'inspection_findings';
    add(i.participant, kind, { message: `inspection ${i.inspectionId} of ${i.inspectedAt} found it ${i.outcome === 'non_compliant' ? 'non-compliant' : 'with minor findings'}`, txId: i.txId, timestamp: i.timestamp });
  }

  const sites: Omit<PlannedSite, 'rank'>[] = [];
  for (const [id, kinds] of found) {
    const p = graph.participants.get(id);
    if (!p || p.role === 'regulator') continue; // a site is a registered enterprise
    const signals: Signal[] = [...kinds].map(([kind, evidence]) => {
      evidence.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
      const weight = SIGNAL_WEIGHTS[kind];
      return { kind, weight, count: evidence.length, points: weight * Math.min(evidence.length, COUNTED_AT_MOST), evidence: evidence.slice(0, EVIDENCE_KEPT) };
    });
    signals.sort((a, b) => b.points - a.points || (a.kind < b.kind ? -1 : 1));
    const score = signals.reduce((s, x) => s + x.points, 0);
    const last = graph.inspections.get(id);
    const lastInspection = last ? { lastInspection: { inspectionId: last.inspectionId, inspectedAt: last.inspectedAt, outcome: last.outcome, inspector: last.inspector, txId: last.txId } } : {};
    sites.push({ participant: { id, name: p.name, role: p.role, gln: p.gln ?? '', status: p.status ?? 'active' }, score, ...lastInspection, signals });
  }
  sites.sort((a, b) => b.score - a.score || (a.participant.id < b.participant.id ? -1 : a.participant.id > b.participant.id ? 1 : 0));
  return {
    asOf: options.asOf,
    ...(options.since !== undefined ? { since: options.since } : {}),
    overdueDays: options.overdueDays,
    weights: SIGNAL_WEIGHTS,
    countedAtMost: COUNTED_AT_MOST,
    total: sites.length,
    sites: sites.slice(0, options.limit).map((s, i) => ({ rank: i + 1, ...s })),
  };
}

/** The signals in the order of their weights: the CSV's count columns. */
const KINDS = (Object.keys(SIGNAL_WEIGHTS) as SignalKind[]).sort((a, b) => SIGNAL_WEIGHTS[b] - SIGNAL_WEIGHTS[a]);

/**
 * The plan as a spreadsheet (formula-safe CSV): one row per site, in rank order, with its
 * count of each signal and its reasons (each signal's evidence, oldest first, one per line).
 */
export function inspectionPlanCsv(plan: InspectionPlan): string {
  const header = ['rank', 'participant', 'name', 'role', 'gln', 'status', 'score', ...KINDS, 'reasons'];
  const rows = plan.sites.map((s) => {
    const count = (k: SignalKind): string => String(s.signals.find((x) => x.kind === k)?.count ?? 0);
    const reasons = s.signals.flatMap((x) => x.evidence.map((e) => `${x.kind}: ${e.message}`)).join('\n');
    return [String(s.rank), s.participant.id, s.participant.name, s.participant.role, s.participant.gln, s.participant.status, String(s.score), ...KINDS.map(count), reasons];
  });
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
