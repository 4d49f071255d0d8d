/**
 * A trace as a Graphviz DOT digraph: lots as boxes (recalled in red), participants as
 * ellipses (with their latest official inspection: non-compliant in red, minor findings in
 * orange), lineage as solid arrows, custody as dashed arrows labelled with the quantity (to
 * "consumer" for sales, to "disposed" for what a holder destroyed).
 * Every label is escaped, so hostile names cannot break out of a string.
 */
import type { TraceGraph } from './trace-model';

/** The trace as DOT text. */
export function traceDot(graph: TraceGraph): string {
  const out: string[] = [`digraph trace_${graph.direction} {`, '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const l of graph.lots) {
    const colour = l.status === 'recalled' ? ' color="red" fontcolor="red"' : l.status === 'on_hold' ? ' color="orange"' : '';
    out.push(`  ${q(`lot:${l.gtin}/${l.lot}`)} [shape=box label=${q(`${l.product || l.gtin}\n${l.lot}\n${l.quantity} ${l.unit}`)}${colour}];`);
  }
  for (const p of graph.participants) {
    const inspection = p.inspection ? `\ninspection: ${p.inspection.outcome} ${p.inspection.inspectedAt.slice(0, 10)}` : '';
    const colour = p.inspection?.outcome === 'non_compliant' ? ' color="red" fontcolor="red"' : p.inspection?.outcome === 'minor_findings' ? ' color="orange"' : '';
    out.push(`  ${q(`p:${p.id}`)} [shape=ellipse label=${q(`${p.name}\n${p.role}${inspection}`)}${colour}];`);
  }
  for (const e of graph.edges) {
    out.push(`  ${q(`lot:${e.from.gtin}/${e.from.lot}`)} -> ${q(`lot:${e.to.gtin}/${e.to.lot}`)} [label=${q(`${e.quantity} ${e.unit}`)}];`);
  }
  const seen = new Set<string>();
  for (const h of graph.hops) {
    if (h.kind === 'receive') continue;
    const to = h.to ? `p:${h.to}` : h.kind === 'dispose' ? 'disposed' : 'consumer';
    const line = `  ${q(`p:${h.from}`)} -> ${q(to)} [style=dashed label=${q(`${h.lot.lot}: ${h.quantity} ${h.unit}`)}];`;
    if (h.kind !== 'ship' && seen.has(line)) continue;
    seen.add(line);
    out.push(line);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n').replace(/\p{Cc}/gu, ' ')}"`;
}
