/**
 * A trace as the sortable spreadsheet regulators ask for: one row per critical tracking event
 * (commissioning or harvest, transformation, shipping, receiving, sale, destruction) with its key data
 * elements — traceability lot code, product, quantity and unit, location, date, the step
 * before and after, and the transaction ID as the reference record — and the latest official
 * inspection of the row's participant (outcome and when), so an incident's sheet sorts by who
 * was last found wanting.
 *
 * Cells are quoted as RFC 4180 says, and a cell that a spreadsheet would run as a formula
 * (starting with = + - @ or a control character) is prefixed with a quote, because lot codes
 * may legally contain those characters.
 */
import type { TraceGraph, LotView, HopView } from './trace-model';

/** The CSV header, in column order. */
export const CSV_COLUMNS = [
  'event',
  'traceability_lot_code',
  'gtin',
  'product',
  'quantity',
  'unit',
  'location',
  'participant',
  'date',
  'previous_step',
  'next_step',
  'reference_tx',
  'participant_inspection',
  'participant_inspected_at',
] as const;

type Row = Record<(typeof CSV_COLUMNS)[number], string>;

/** The trace as CSV text (CRLF line ends, header first, rows sorted by date then reference). */
export function traceCsv(graph: TraceGraph): string {
  const names = new Map(graph.participants.map((p) => [p.id, p]));
  const place = (id: string, location = ''): string => location || names.get(id)?.gln || names.get(id)?.name || id;
  const name = (id: string): string => names.get(id)?.name ?? id;
  const inspected = (id: string): Pick<Row, 'participant_inspection' | 'participant_inspected_at'> => {
    const inspection = names.get(id)?.inspection;
    return { participant_inspection: inspection?.outcome ?? '', participant_inspected_at: inspection?.inspectedAt ?? '' };
  };
  const byKey = new Map(graph.lots.map((l) => [`${l.gtin}|${l.lot}`, l]));
  const rows: Row[] = [];
  for (const lot of graph.lots) rows.push({ ...lotRow(graph, lot, place, name), ...inspected(lot.producer) });
  for (const hop of graph.hops) rows.push({ ...hopRow(hop, byKey.get(`${hop.lot.gtin}|${hop.lot.lot}`), place, name), ...inspected(hop.kind === 'receive' ? hop.to : hop.from) });
  rows.sort((a, b) => cmp(a.date, b.date) || cmp(a.reference_tx, b.reference_tx) || cmp(a.event, b.event) || cmp(a.traceability_lot_code, b.traceability_lot_code));
  const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(','))];
  return lines.join('\r\n') + '\r\n';
}

/** A row without its participant's inspection (added by {@link traceCsv}). */
type EventRow = Omit<Row, 'participant_inspection' | 'participant_inspected_at'>;

function lotRow(graph: TraceGraph, lot: LotView, place: (id: string, loc?: string) => string, name: (id: string) => string): EventRow {
  const inputs = graph.edges.filter((e) => e.to.gtin === lot.gtin && e.to.lot === lot.lot).map((e) => `${e.from.gtin}/${e.from.lot}`);
  const outputs = graph.edges.filter((e) => e.from.gtin === lot.gtin && e.from.lot === lot.lot).map((e) => `${e.to.gtin}/${e.to.lot}`);
  return {
    event: lot.kind === 'transformation' ? 'transformation' : 'commissioning',
    traceability_lot_code: lot.lot,
    gtin: lot.gtin,
    product: lot.product,
    quantity: String(lot.quantity),
    unit: lot.unit,
    location: place(lot.producer, lot.location),
    participant: name(lot.producer),
    date: lot.productionDate || lot.timestamp,
    previous_step: inputs.join(';'),
    next_step: outputs.join(';'),
    reference_tx: lot.txId,
  };
}

function hopRow(hop: HopView, lot: LotView | undefined, place: (id: string, loc?: string) => string, name: (id: string) => string): EventRow {
  const event = hop.kind === 'ship' ? 'shipping' : hop.kind === 'receive' ? 'receiving' : hop.kind === 'dispose' ? 'destroying' : 'sale';
  const at = hop.kind === 'receive' ? hop.to : hop.from;
  return {
    event,
    traceability_lot_code: hop.lot.lot,
    gtin: hop.lot.gtin,
    product: lot?.product ?? '',
    quantity: String(hop.quantity),
    unit: hop.unit,
    location: place(at, hop.location),
    participant: name(at),
    date: hop.timestamp,
    previous_step: place(hop.from),
    next_step: hop.to ? place(hop.to) : hop.kind === 'dispose' ? 'disposed' : 'consumer',
    reference_tx: hop.txId,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One CSV cell: formula-safe, quoted when it holds a comma, quote or line break. */
export function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
