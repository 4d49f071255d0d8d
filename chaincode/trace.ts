/**
 * The bounded trace computed on the ledger itself: breadth first from a lot, back through its
 * inputs or forward through its outputs, limited in depth and in lots, then paginated. It is
 * slower than the trace index but needs nothing but world state, so the index's answers can
 * be checked against it. It starts from a lot, from an item's lot, or from every lot packed in
 * a logistic unit (SSCC).
 */
import { ZfcError } from './errors';
import { getLot } from './lot';
import { findItem } from './item';
import { containerLots, getContainer } from './aggregation';
import { inputsOf, outputsOf } from './recall';
import { LIMITS, type TraceInput } from './schemas';
import type { LineageEdge, LotRef, LotStatus } from './records';
import type { Tx } from './tx';

/** Defaults of a trace when the input gives none. */
export const TRACE_DEFAULTS = { maxDepth: 10, maxLots: 500, pageSize: 100 } as const;

/** One lot reached by a trace. */
export interface TraceLot extends LotRef {
  readonly depth: number;
  readonly productName: string;
  readonly producer: string;
  readonly status: LotStatus;
  readonly madeBy: 'commissioning' | 'transformation';
}

/** A page of a trace. */
export interface TracePage {
  /** The first starting lot. */
  readonly root: LotRef;
  /** Every starting lot (several when starting from an SSCC). */
  readonly roots: readonly LotRef[];
  readonly direction: 'back' | 'forward';
  /** Lots in breadth-first order (the root first, at depth 0). */
  readonly lots: readonly TraceLot[];
  /** Edges leading to the lots of this page (each edge once, with the lot it reaches). */
  readonly edges: readonly LineageEdge[];
  /** Total lots reached within the limits. */
  readonly total: number;
  /** True if the depth or lot limit cut the walk short. */
  readonly truncated: boolean;
  /** Give it back to get the next page; '' on the last page. */
  readonly bookmark: string;
}

/** Options of a trace. */
export interface TraceOptions { maxDepth?: number; maxLots?: number; pageSize?: number; bookmark?: string }

const keyOf = (r: LotRef): string => `${r.gtin}\u0000${r.lot}`;

interface Walk { order: { ref: LotRef; depth: number }[]; edgesTo: Map<string, LineageEdge[]>; truncated: boolean }

async function walk(tx: Tx, roots: readonly LotRef[], direction: 'back' | 'forward', maxDepth: number, maxLots: number): Promise<Walk> {
  const seen = new Set<string>();
  const order: { ref: LotRef; depth: number }[] = [];
  for (const root of roots) {
    if (!seen.has(keyOf(root))) order.push({ ref: { gtin: root.gtin, lot: root.lot }, depth: 0 });
    seen.add(keyOf(root));
  }
  const edgesTo = new Map<string, LineageEdge[]>();
  let truncated = false;
  for (let i = 0; i < order.length; i++) {
    const { ref, depth } = order[i] as { ref: LotRef; depth: number };
    const edges = direction === 'back' ? await inputsOf(tx, ref) : await outputsOf(tx, ref);
    if (edges.length > 0 && depth >= maxDepth) { truncated = true; continue; }
    for (const edge of edges) {
      const far = direction === 'back' ? edge.input : edge.output;
      if (!seen.has(keyOf(far))) {
        if (order.length >= maxLots) { truncated = true; continue; }
        seen.add(keyOf(far));
        order.push({ ref: far, depth: depth + 1 });
      }
      edgesTo.set(keyOf(far), [...(edgesTo.get(keyOf(far)) ?? []), edge]);
    }
  }
  return { order, edgesTo, truncated };
}

/** The lots a trace starts from: a lot, an item's lot, or every lot in an SSCC. */
export async function traceRoots(tx: Tx, start: Pick<TraceInput, 'gtin' | 'lot' | 'serial' | 'sscc'>): Promise<LotRef[]> {
  const forms = [start.lot !== undefined, start.serial !== undefined, start.sscc !== undefined].filter(Boolean).length;
  if (forms !== 1 || (start.sscc === undefined) !== (start.gtin !== undefined)) {
    throw new ZfcError('INVALID_ARGUMENT', 'start from gtin+lot, gtin+serial or sscc', { field: '/' });
  }
  if (start.sscc !== undefined) return containerLots(tx, await getContainer(tx, start.sscc));
  if (start.serial !== undefined) {
    const item = await findItem(tx, start.gtin as string, start.serial);
    return [{ gtin: item.gtin, lot: item.lot }];
  }
  const lot = await getLot(tx, { gtin: start.gtin as string, lot: start.lot as string });
  return [{ gtin: lot.gtin, lot: lot.lot }];
}

/** A bounded, paginated trace back (inputs) or forward (outputs) from one or more lots. */
export async function trace(tx: Tx, roots: readonly LotRef[], direction: 'back' | 'forward', options: TraceOptions = {}): Promise<TracePage> {
  const maxDepth = Math.min(options.maxDepth ?? TRACE_DEFAULTS.maxDepth, LIMITS.traceDepth);
  const maxLots = Math.min(options.maxLots ?? TRACE_DEFAULTS.maxLots, LIMITS.traceLots);
  const pageSize = Math.min(options.pageSize ?? TRACE_DEFAULTS.pageSize, LIMITS.pageSize);
  const offset = /^\d{1,6}$/.test(options.bookmark ?? '') ? Number(options.bookmark) : 0;
  const { order, edgesTo, truncated } = await walk(tx, roots, direction, maxDepth, maxLots);
  const page = order.slice(offset, offset + pageSize);
  const lots: TraceLot[] = [];
  for (const { ref, depth } of page) {
    const lot = await getLot(tx, ref);
    lots.push({ gtin: lot.gtin, lot: lot.lot, depth, productName: lot.productName, producer: lot.producer, status: lot.status, madeBy: lot.madeBy });
  }
  const edges = page.flatMap(({ ref }) => edgesTo.get(keyOf(ref)) ?? []);
  const next = offset + pageSize;
  const first = order[0]?.ref ?? { gtin: '', lot: '' };
  return { root: first, roots: order.filter((o) => o.depth === 0).map((o) => o.ref), direction, lots, edges, total: order.length, truncated, bookmark: next < order.length ? String(next) : '' };
}
