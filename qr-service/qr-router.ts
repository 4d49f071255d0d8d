/**
 * The HTTP face of codes and label sheets, as two Koa routers the gateway mounts:
 *
 * - {@link createQrRouter}, public: `GET /qr/{png|svg}/{Digital Link key path}?17=YYMMDD&size=&margin=&ecl=`
 *   — the image of the code for that identifier on the deployment's domain. The response
 *   depends only on the URL (and the configured base URL), so it is cached for a year as
 *   immutable with a strong ETag, and a matching `If-None-Match` gets 304.
 * - {@link createLabelRouter}, for authenticated callers (a sheet of thousands of labels costs
 *   seconds of CPU): `POST /qr/labels` — JSON {@link LabelInput}; answers with the PDF, streamed.
 *
 * Errors are thrown as ZfcError for the gateway's one error middleware to map.
 */
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { findCjkFont } from './cjk-font';
import { linkForPath } from './code-link';
import { qrConfig, type QrConfig, type QrConfigInput } from './config';
import { labelRequest, type LabelInput } from './label-request';
import { writeLabelSheet } from './label-sheet';
import { readJsonBody } from './request-body';
import { imageOptions, qrPng, qrSvg, type QrImageOptions } from './qr-image';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const OPTION_NAMES = ['size', 'margin', 'ecl'];

interface CodeQuery {
  readonly options: QrImageOptions;
  readonly attributes: Record<string, string>;
}

/** Splits the query into image options and GS1 data attributes; anything else is refused. */
function codeQuery(querystring: string, defaults: QrImageOptions): CodeQuery {
  const raw: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(querystring)) {
    const known = OPTION_NAMES.includes(name) || /^\d{2,4}$/.test(name);
    if (!known) throw new ZfcError('INVALID_ARGUMENT', `unknown query parameter ${name}`, { field: name, value });
    if (raw[name] !== undefined || attributes[name] !== undefined) throw new ZfcError('INVALID_ARGUMENT', `${name} is repeated`, { field: name, value });
    if (OPTION_NAMES.includes(name)) raw[name] = value;
    else attributes[name] = value;
  }
  return { options: imageOptions(raw, defaults), attributes };
}

/** Bumped whenever the drawing of images changes, so caches see new tags. */
const RENDERING = 'zfc-qr-1';

/**
 * A strong ETag from what determines the image (the renderer, the code text and the options),
 * so a revalidation is answered 304 without drawing anything.
 */
function etagOf(format: string, link: string, options: QrImageOptions): string {
  const key = [RENDERING, format, link, options.size, options.margin, options.ecl].join('\n');
  return `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
}

async function serveCode(ctx: Context, config: QrConfig): Promise<void> {
  const format = ctx.params['format'];
  if (format !== 'png' && format !== 'svg') throw new ZfcError('NOT_FOUND', 'images are png or svg', { field: 'format', value: String(format) });
  const marker = `/qr/${format}`;
  const keyPath = ctx.path.slice(ctx.path.indexOf(marker) + marker.length);
  const { options, attributes } = codeQuery(ctx.querystring, config.imageDefaults);
  const link = linkForPath(config.baseUrl, keyPath, attributes);
  const etag = etagOf(format, link, options);
  ctx.set('Cache-Control', IMMUTABLE);
  ctx.set('ETag', etag);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Link', `<${link}>; rel="item"`);
  if (ctx.get('if-none-match').split(/\s*,\s*/).includes(etag)) {
    ctx.status = 304;
    return;
  }
  ctx.type = format === 'png' ? 'image/png' : 'image/svg+xml; charset=utf-8';
  ctx.body = format === 'png' ? qrPng(link, options) : await qrSvg(link, options);
}

const LABEL_BODY_LIMIT = 1024 * 1024;

async function serveLabels(ctx: Context, config: QrConfig): Promise<void> {
  const input = (await readJsonBody(ctx, LABEL_BODY_LIMIT)) as LabelInput;
  const request = labelRequest(input, config.maxLabelsPerSheet);
  const font = findCjkFont(config.cjkFontPath, config.cjkFontFace);
  const stream = new PassThrough();
  ctx.type = 'application/pdf';
  ctx.set('Content-Disposition', `attachment; filename="labels-${request.gtin}-${request.lot.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf"`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = stream;
  writeLabelSheet(request, stream, { baseUrl: config.baseUrl, font }).catch((err: unknown) => stream.destroy(err as Error));
}

/**
 * The public router of code images. Mount it with `app.use(router.routes())`.
 *
 * @example
 * const qr = createQrRouter({ baseUrl: 'https://zfc.example.cn' });
 * app.use(qr.routes());
 * // GET /qr/png/01/09506000134352/10/L1/21/7?17=261231&size=300
 */
export function createQrRouter(input: QrConfigInput | QrConfig): Router {
  const config = qrConfig(input);
  const router = new Router();
  router.get('/qr/:format/*rest', (ctx) => serveCode(ctx, config));
  return router;
}

/**
 * The label-sheet router (`POST /qr/labels`). Mount it where callers are authenticated: each
 * request may ask for up to `maxLabelsPerSheet` labels.
 *
 * @example
 * authenticatedRouter.use(createLabelRouter({ baseUrl: 'https://zfc.example.cn' }).routes());
 */
export function createLabelRouter(input: QrConfigInput | QrConfig): Router {
  const config = qrConfig(input);
  const router = new Router();
  router.post('/qr/labels', (ctx) => serveLabels(ctx, config));
  return router;
}
