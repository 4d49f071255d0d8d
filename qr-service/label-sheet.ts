/**
 * Printable label sheets: a PDF, streamed page by page, of one label per item of a lot — the
 * item's QR code (drawn as vector modules, so it stays sharp at any printer resolution and
 * costs a few hundred bytes), the product's name in Chinese and English, lot, serial and
 * expiry. A4 pages of 3 × 8 labels (70 × 36 mm, the common stock). Thousands of labels per
 * request: pages are written as they are made and generation waits when the reader falls
 * behind, so memory stays flat; the CJK font is subset, so the file holds only the glyphs used.
 */
import PDFDocument from 'pdfkit';
import { fromGs1Date, toGs1Date } from '../chaincode/digital-link';
import { packageLink } from './code-link';
import type { CjkFont } from './cjk-font';
import type { LabelRequest } from './label-request';
import { qrMatrix, type ErrorCorrectionLevel, type QrMatrix } from './qr-image';

/** Page geometry in PDF points (1/72 inch). */
export const LABEL_LAYOUT = Object.freeze({
  pageWidth: 595.28, pageHeight: 841.89, columns: 3, rows: 8, marginX: 14, marginY: 18, padding: 6, quietModules: 2,
});

/** Labels on one page. */
export const LABELS_PER_PAGE = LABEL_LAYOUT.columns * LABEL_LAYOUT.rows;

export interface LabelSheetOptions {
  /** Where the codes point (the deployment's resolver). */
  readonly baseUrl: string;
  readonly font: CjkFont;
  /** Called after each page with labels done so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Default 'M'. */
  readonly ecl?: ErrorCorrectionLevel;
  /** Deflate page content (default true; tests turn it off to read the drawing operators). */
  readonly compress?: boolean;
}

/** What was written. */
export interface LabelSheetSummary {
  readonly pages: number;
  readonly labels: number;
  readonly bytes: number;
}

/** The PDF operators that draw a QR symbol with its top-left module at (x, y), `m` points a module. */
export function qrOperators(matrix: QrMatrix, x: number, y: number, m: number): string {
  const ops: string[] = [`q ${num(m)} 0 0 ${num(m)} ${num(x)} ${num(y)} cm 0 g`];
  for (let my = 0; my < matrix.size; my++) {
    let run = -1;
    for (let mx = 0; mx <= matrix.size; mx++) {
      const dark = mx < matrix.size && matrix.isDark(mx, my);
      if (dark && run < 0) run = mx;
      if (!dark && run >= 0) {
        ops.push(`${run} ${my} ${mx - run} 1 re`);
        run = -1;
      }
    }
  }
  ops.push('f Q');
  return ops.join('\n');
}

function num(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

interface FixedText {
  readonly nameZh: readonly string[];
  readonly nameEn: readonly string[];
  readonly lot: string;
  readonly expiry: string | undefined;
  readonly gtin: string;
}

/** Cuts `text` with an ellipsis to fit `width` at the current font size. */
function fit(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let cut = text;
  while (cut.length > 1 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Greedy line breaking (at a space when there is one) into at most `maxLines`, the last cut to fit. */
function wrap(doc: PDFKit.PDFDocument, text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let rest = text.trim();
  while (rest.length > 0 && lines.length < maxLines) {
    if (lines.length === maxLines - 1 || doc.widthOfString(rest) <= width) {
      lines.push(fit(doc, rest, width));
      break;
    }
    let n = 1;
    while (n < rest.length && doc.widthOfString(rest.slice(0, n + 1)) <= width) n++;
    const space = rest.lastIndexOf(' ', n);
    const cut = space > 0 ? space : n;
    lines.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  return lines;
}

function fixedText(doc: PDFKit.PDFDocument, req: LabelRequest, width: number): FixedText {
  const expiry = req.expiry === undefined ? undefined : fromGs1Date(toGs1Date(req.expiry));
  const nameZh = wrap(doc.fontSize(8), req.productNameZh, width, 2);
  return {
    nameZh,
    nameEn: wrap(doc.fontSize(7), req.productNameEn, width, nameZh.length > 1 ? 1 : 2),
    lot: fit(doc.fontSize(6.5), `批号 Lot  ${req.lot}`, width),
    expiry: expiry === undefined ? undefined : `有效期至 EXP  ${expiry}`,
    gtin: `(01) ${req.gtin}`,
  };
}

function drawLabel(doc: PDFKit.PDFDocument, req: LabelRequest, opts: LabelSheetOptions, fixed: FixedText, serial: string, slot: number): void {
  const L = LABEL_LAYOUT;
  const w = (L.pageWidth - 2 * L.marginX) / L.columns;
  const h = (L.pageHeight - 2 * L.marginY) / L.rows;
  const x = L.marginX + (slot % L.columns) * w;
  const y = L.marginY + Math.floor(slot / L.columns) * h;
  doc.rect(x + 0.5, y + 0.5, w - 1, h - 1).lineWidth(0.3).strokeColor('#bbbbbb').stroke();
  const link = packageLink(opts.baseUrl, { gtin: req.gtin, lot: req.lot, serial, ...(req.expiry === undefined ? {} : { expiry: req.expiry }) });
  const matrix = qrMatrix(link, opts.ecl ?? 'M');
  const side = h - 2 * L.padding;
  const m = side / (matrix.size + 2 * L.quietModules);
  doc.addContent(qrOperators(matrix, x + L.padding + L.quietModules * m, y + L.padding + L.quietModules * m, m));
  const tx = x + L.padding + side + 2;
  const opt = { lineBreak: false } as const;
  let ty = y + L.padding + 2;
  doc.fillColor('black');
  ty -= 10;
  for (const line of fixed.nameZh) doc.fontSize(8).text(line, tx, (ty += 10), opt);
  ty += 4;
  for (const line of fixed.nameEn) doc.fontSize(7).text(line, tx, (ty += 9), opt);
  doc.fontSize(6.5).text(fixed.lot, tx, (ty += 13), opt);
  doc.text(`序列号 S/N  ${serial}`, tx, (ty += 10), opt);
  if (fixed.expiry !== undefined) doc.text(fixed.expiry, tx, (ty += 10), opt);
  doc.fontSize(6).text(fixed.gtin, tx, (ty += 10), opt);
}

const HIGH_WATER = 4 * 1024 * 1024;

/** Resolves when the document's buffered output has been read, or the destination is gone. */
function flowing(doc: PDFKit.PDFDocument, out: NodeJS.WritableStream, gone: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (gone() || doc.readableLength < HIGH_WATER) {
        doc.off('data', check);
        out.removeListener('close', check);
        resolve();
      }
    };
    doc.on('data', check);
    out.on('close', check);
    setImmediate(check);
  });
}

/**
 * Writes the label sheet for `request` to `out` as a PDF and resolves when the last byte is
 * handed over. If `out` closes early (a client hung up), generation stops and the promise
 * rejects.
 */
export async function writeLabelSheet(request: LabelRequest, out: NodeJS.WritableStream, opts: LabelSheetOptions): Promise<LabelSheetSummary> {
  const doc = new PDFDocument({
    size: 'A4', margin: 0, autoFirstPage: false, compress: opts.compress ?? true,
    info: { Title: `${request.productNameEn} ${request.lot}`, Producer: 'Zhe Food Chain', Creator: 'zfc labels' },
  });
  let bytes = 0;
  let closed = false;
  doc.on('data', (c: Buffer) => (bytes += c.length));
  out.on('close', () => (closed = true));
  // pipe() never ends process.stdout, so there the document's own end is the finish line
  const stdio = out === process.stdout || out === process.stderr;
  const done = new Promise<void>((resolve, reject) => {
    if (stdio) doc.on('end', resolve);
    else out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  doc.registerFont('cjk', opts.font.data, opts.font.face);
  doc.font('cjk');
  const textWidth = (LABEL_LAYOUT.pageWidth - 2 * LABEL_LAYOUT.marginX) / LABEL_LAYOUT.columns - (LABEL_LAYOUT.pageHeight - 2 * LABEL_LAYOUT.marginY) / LABEL_LAYOUT.rows - 2;
  const fixed = fixedText(doc, request, textWidth - LABEL_LAYOUT.padding);
  const total = request.serials.length;
  let pages = 0;
  for (let i = 0; i < total; i++) {
    if (i % LABELS_PER_PAGE === 0) {
      if (i > 0) await flowing(doc, out, () => closed);
      if (closed) throw new Error('label sheet: the destination closed before the sheet was complete');
      doc.addPage();
      pages++;
    }
    drawLabel(doc, request, opts, fixed, request.serials[i] as string, i % LABELS_PER_PAGE);
    if (i % LABELS_PER_PAGE === LABELS_PER_PAGE - 1 || i === total - 1) opts.onProgress?.(i + 1, total);
  }
  doc.end();
  await done;
  return { pages, labels: total, bytes };
}
