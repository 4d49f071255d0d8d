/**
 * Label sheets from ledger data: `GET /v1/lots/{gtin}/{lot}/labels.pdf` prints a label for each
 * item serial commissioned under the lot, as the trace index has it from the ledger — the
 * product's names in Chinese and English, the lot, the serial, the expiry and the item's QR
 * code — streamed as a PDF (qr-service's label sheet). A lot of more than one sheet's labels
 * is printed in pages: `?offset=&limit=` (limit at most the QR service's maxLabelsPerSheet);
 * `X-Labels-Total` says how many there are in all. The lot's producer, a participant holding
 * some of it, or a regulator may print; anyone else gets 403.
 */
import { PassThrough } from 'node:stream';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { isGtin14, isLotCode } from '../chaincode/gs1';
import { findCjkFont, labelRequest, LABELS_PER_PAGE, writeLabelSheet, type QrConfig } from '../qr-service';
import type { Caller } from './api-keys';
import { localText } from './index-resolver-source';
import type { TraceIndex } from './trace-index';

/** What the label route needs. */
export interface LabelRouteDeps {
  readonly index: TraceIndex;
  /** Base URL, CJK font and the most labels per sheet. */
  readonly qr: QrConfig;
}

/** Adds `GET /v1/lots/:gtin/:lot/labels.pdf` to an authenticated router. */
export function addLabelRoutes(router: Router, deps: LabelRouteDeps): void {
  router.get('/v1/lots/:gtin/:lot/labels.pdf', (ctx) => serveLotLabels(ctx, deps));
}

async function serveLotLabels(ctx: Context, deps: LabelRouteDeps): Promise<void> {
  const { index, qr } = deps;
  const gtin = String(ctx.params['gtin']);
  const lot = String(ctx.params['lot']);
  if (!isGtin14(gtin)) throw bad('gtin', 'must be a GTIN-14 with a valid check digit');
  if (!isLotCode(lot)) throw bad('lot', 'must be 1 to 20 characters of the GS1 set');
  const { offset, limit } = page(ctx, qr.maxLabelsPerSheet);
  const detail = index.lot({ gtin, lot });
  mayPrint(index, ctx.state['caller'] as Caller, detail);
  const { serials, total } = await index.lotSerials({ gtin, lot }, offset, limit);
  if (serials.length === 0) {
    throw new ZfcError('NOT_FOUND', total === 0 ? `no items were commissioned under lot ${gtin}/${lot}` : `offset ${offset} is past the lot's ${total} items`, { gtin, lot, total });
  }
  const name = localText(index.product(gtin)?.name ?? gtin);
  const request = labelRequest({
    productNameZh: name.zh.slice(0, 80), productNameEn: name.en.slice(0, 80), gtin, lot,
    ...(detail.expiry ? { expiry: detail.expiry } : {}), serials,
  }, qr.maxLabelsPerSheet);
  const font = findCjkFont(qr.cjkFontPath, qr.cjkFontFace);
  const stream = new PassThrough();
  ctx.type = 'application/pdf';
  ctx.set('Content-Disposition', `attachment; filename="labels-${gtin}-${lot.replace(/[^A-Za-z0-9._-]/g, '_')}-${offset}.pdf"`);
  ctx.set('X-Labels', String(serials.length));
  ctx.set('X-Labels-Total', String(total));
  ctx.set('X-Label-Pages', String(Math.ceil(serials.length / LABELS_PER_PAGE)));
  ctx.body = stream;
  writeLabelSheet(request, stream, { baseUrl: qr.baseUrl, font }).catch((err: unknown) => stream.destroy(err as Error));
}

function mayPrint(index: TraceIndex, caller: Caller, detail: ReturnType<TraceIndex['lot']>): void {
  if (detail.producer === caller.participant) return;
  if (detail.holders.some((h) => h.participant === caller.participant && h.holding > 0)) return;
  if (index.participant(caller.participant).role === 'regulator') return;
  throw new ZfcError('FORBIDDEN', 'only the lot\'s producer, a holder of it or a regulator prints its labels', { gtin: detail.gtin, lot: detail.lot });
}

function page(ctx: Context, max: number): { offset: number; limit: number } {
  const out = { offset: 0, limit: max };
  for (const [k, v] of Object.entries(ctx.query)) {
    if (k !== 'offset' && k !== 'limit') throw bad(k, 'is not a parameter of this route (allowed: offset, limit)');
    if (typeof v !== 'string' || !/^[0-9]{1,9}$/.test(v)) throw bad(k, 'must be given once, as a whole number');
    out[k] = Number(v);
  }
  if (out.limit < 1 || out.limit > max) throw bad('limit', `must be 1 to ${max}`);
  return out;
}

function bad(field: string, message: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `${field} ${message}`, { field });
}
