/**
 * A recall's progress as the spreadsheet a regulator closes it out with (GET
 * /v1/recalls/{id}?format=csv): one row per lot the recall reached and participant still holding
 * some of it — what was made of the lot, sold before the recall, destroyed, used to make other
 * lots, held in all and on its way, then the holder, its GLN, what it holds and its latest
 * inspection — so the sheet sorts and filters by who still has what, and whom to call or visit.
 * A lot nobody holds any more has one row with the holder's cells empty. Cells as trace-csv.ts
 * writes them (RFC 4180, formula-safe).
 */
import { cell } from './trace-csv';
import type { RecallProgress, TraceIndex } from './trace-index';

/** The CSV header, in column order. */
export const RECALL_CSV_COLUMNS = [
  'recall_id',
  'gtin',
  'traceability_lot_code',
  'product',
  'unit',
  'produced',
  'sold',
  'disposed',
  'consumed',
  'held',
  'in_transit',
  'holder',
  'holder_name',
  'holder_gln',
  'holding',
  'holder_inspection',
  'holder_inspected_at',
] as const;

/** What the rows name beside the progress: products and participants, as the trace index knows them. */
export interface RecallCsvNames {
  productName(gtin: string): string | undefined;
  participant(id: string): { name: string; gln: string };
  latestInspection(id: string): { outcome: string; inspectedAt: string } | undefined;
}

/**
 * A recall's progress as CSV text (CRLF line ends, header first), every lot it reached in key
 * order: `pageSize` lots at a time, the event loop served between pages, as a recall may reach
 * tens of thousands of lots (each page is as the index has it then, as the JSON answer's pages
 * are).
 *
 * @throws ZfcError RECALL_NOT_FOUND
 */
export async function recallCsv(index: Pick<TraceIndex, 'recallLots'> & RecallCsvNames, recallId: string, pageSize = 500): Promise<string> {
  const parts = [`${RECALL_CSV_COLUMNS.join(',')}\r\n`];
  let cursor: string | undefined;
  do {
    const page = index.recallLots(recallId, { limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) });
    parts.push(rows(recallId, page.lots, index));
    cursor = page.next;
    if (cursor !== undefined) await new Promise((resolve) => setImmediate(resolve));
  } while (cursor !== undefined);
  return parts.join('');
}

/** The rows of a page of a recall's lots (CRLF-terminated), in the page's order, each lot's holders by participant ID. */
function rows(recallId: string, lots: RecallProgress['lots'], names: RecallCsvNames): string {
  let out = '';
  for (const p of lots) {
    const lot = [recallId, p.lot.gtin, p.lot.lot, names.productName(p.lot.gtin) ?? '', p.unit, p.produced, p.sold, p.disposed, p.consumed, p.held, p.inTransit].map(String);
    const holders = [...p.holders].sort((a, b) => (a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : 0));
    if (holders.length === 0) out += line([...lot, '', '', '', '', '', '']);
    for (const h of holders) {
      const who = names.participant(h.participant);
      const inspection = names.latestInspection(h.participant);
      out += line([...lot, h.participant, who.name, who.gln, String(h.holding), inspection?.outcome ?? '', inspection?.inspectedAt ?? '']);
    }
  }
  return out;
}

function line(cells: readonly string[]): string {
  return `${cells.map(cell).join(',')}\r\n`;
}
