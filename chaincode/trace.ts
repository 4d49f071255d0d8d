/**
 * The bounded trace computed on the ledger itself: breadth first from a lot, back through its
 * inputs or forward through its outputs, limited in depth and in lots, then paginated. It is
 * slower than the trace index but needs nothing but world state, so the index's answers can
 * be checked against it.
 */
import { getLot } from './lot';
import { inputsOf, outputsOf } from './recall';
import { LIMITS } from './schemas';
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
  readonly root: LotRef;
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

async function walk(tx: Tx, root: LotRef, direction: 'back' | 'forward', maxDepth: number, maxLots: number): Promise<Walk> {
  const order = [{ ref: { gtin: root.gtin, lot: root.lot }, depth: 0 }];
  const seen = new Set([keyOf(root)]);
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

/** A bounded, paginated trace back (inputs) or forward (outputs) from a lot. */
export async function trace(tx: Tx, root: LotRef, direction: 'back' | 'forward', options: TraceOptions = {}): Promise<TracePage> {
  await getLot(tx, root);
  const maxDepth = Math.min(options.maxDepth ?? TRACE_DEFAULTS.maxDepth, LIMITS.traceDepth);
  const maxLots = Math.min(options.maxLots ?? TRACE_DEFAULTS.maxLots, LIMITS.traceLots);
  const pageSize = Math.min(options.pageSize ?? TRACE_DEFAULTS.pageSize, LIMITS.pageSize);
  const offset = /^\d{1,6}$/.test(options.bookmark ?? '') ? Number(options.bookmark) : 0;
  const { order, edgesTo, truncated } = await walk(tx, root, direction, maxDepth, maxLots);
  const page = order.slice(offset, offset + pageSize);
  const lots: TraceLot[] = [];
  for (const { ref, depth } of page) {
    const lot = await getLot(tx, ref);
    lots.push({ gtin: lot.gtin, lot: lot.lot, depth, productName: lot.productName, producer: lot.producer, status: lot.status, madeBy: lot.madeBy });
  }
  const edges = page.flatMap(({ ref }) => edgesTo.get(keyOf(ref)) ?? []);
  const next = offset + pageSize;
  return { root: { gtin: root.gtin, lot: root.lot }, direction, lots, edges, total: order.length, truncated, bookmark: next < order.length ? String(next) : '' };
}
