/**
 * The `zfc labels` and `zfc qr` commands: print a label sheet PDF for a lot's items, with a
 * progress bar on a terminal, or write one code's image. Label input is given on the command
 * line (product names, GTIN, lot, expiry, serials); the gateway prints the same sheet from the
 * ledger's items at `GET /v1/lots/{gtin}/{lot}/labels.pdf`.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ZfcError } from '../chaincode/errors';
import { findCjkFont } from './cjk-font';
import { linkForIdentifier } from './code-link';
import { qrConfig, qrConfigFromEnv, type QrConfig } from './config';
import { labelRequest, type LabelInput } from './label-request';
import { writeLabelSheet } from './label-sheet';
import { imageOptions, qrPng, qrSvg } from './qr-image';
import { parseIdentifier } from '../chaincode/digital-link';

interface LabelOptions {
  gtin: string;
  lot: string;
  nameZh: string;
  nameEn: string;
  expiry?: string;
  serials?: string;
  from?: string;
  to?: string;
  width?: string;
  prefix?: string;
  out: string;
  baseUrl?: string;
  progress?: boolean;
}

function config(baseUrl: string | undefined): QrConfig {
  const env = qrConfigFromEnv();
  return baseUrl === undefined ? env : qrConfig({ ...env, baseUrl });
}

function wholeNumber(field: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new ZfcError('INVALID_ARGUMENT', `${field} must be a whole number`, { field, value: text });
  return Number(text);
}

function labelInput(o: LabelOptions): LabelInput {
  const base = {
    productNameZh: o.nameZh, productNameEn: o.nameEn, gtin: o.gtin, lot: o.lot, ...(o.expiry === undefined ? {} : { expiry: o.expiry }),
  };
  if (o.serials !== undefined) return { ...base, serials: o.serials.split(',').map((s) => s.trim()) };
  const from = wholeNumber('from', o.from);
  const to = wholeNumber('to', o.to);
  if (from === undefined || to === undefined) throw new ZfcError('INVALID_ARGUMENT', 'give --serials a,b,c or --from N --to M', { field: 'serials', value: '' });
  const width = wholeNumber('width', o.width);
  return { ...base, serialRange: { from, to, ...(width === undefined ? {} : { width }), ...(o.prefix === undefined ? {} : { prefix: o.prefix }) } };
}

async function runLabels(o: LabelOptions): Promise<void> {
  const cfg = config(o.baseUrl);
  const request = labelRequest(labelInput(o), cfg.maxLabelsPerSheet);
  const font = findCjkFont(cfg.cjkFontPath, cfg.cjkFontFace);
  const bar = new SingleBar({ format: 'labels [{bar}] {percentage}% | {value}/{total} | {eta}s left', stream: process.stderr, noTTYOutput: false }, Presets.shades_classic);
  const showBar = o.progress !== false && process.stderr.isTTY === true;
  if (showBar) bar.start(request.serials.length, 0);
  try {
    const out = o.out === '-' ? process.stdout : createWriteStream(o.out);
    const summary = await writeLabelSheet(request, out, { baseUrl: cfg.baseUrl, font, onProgress: (done) => showBar && bar.update(done) });
    if (showBar) bar.stop();
    process.stderr.write(`wrote ${summary.labels} labels on ${summary.pages} pages (${summary.bytes} bytes) to ${o.out === '-' ? 'standard output' : o.out}\n`);
  } finally {
    if (showBar) bar.stop();
  }
}

interface CodeOptions {
  format: string;
  out?: string;
  size?: string;
  margin?: string;
  ecl?: string;
  baseUrl?: string;
}

async function runCode(identifier: string, o: CodeOptions): Promise<void> {
  const cfg = config(o.baseUrl);
  const link = linkForIdentifier(cfg.baseUrl, parseIdentifier(identifier));
  const options = imageOptions({ size: o.size, margin: o.margin, ecl: o.ecl }, cfg.imageDefaults);
  process.stdout.write(`${link}\n`);
  if (o.out === undefined) return;
  if (o.format !== 'png' && o.format !== 'svg') throw new ZfcError('INVALID_ARGUMENT', 'format must be png or svg', { field: 'format', value: o.format });
  await writeFile(o.out, o.format === 'png' ? qrPng(link, options) : await qrSvg(link, options));
}

/**
 * Registers `zfc labels` and `zfc qr` on a commander program.
 *
 * @example
 * zfc labels --gtin 09506000134352 --lot L1 --name-zh 龙井茶 --name-en "Longjing tea" \
 *   --expiry 2027-10-02 --from 1 --to 5000 --width 6 --out labels.pdf
 */
export function registerQrCommands(program: Command): void {
  program
    .command('labels')
    .description('print a label sheet PDF (QR code, names in Chinese and English, lot, serial, expiry) for items of a lot')
    .requiredOption('--gtin <gtin>', 'the product GTIN')
    .requiredOption('--lot <lot>', 'the lot code')
    .requiredOption('--name-zh <text>', 'product name in Chinese')
    .requiredOption('--name-en <text>', 'product name in English')
    .option('--expiry <date>', 'expiry date, YYYY-MM-DD')
    .option('--serials <list>', 'comma-separated serials')
    .option('--from <n>', 'first serial number of a range')
    .option('--to <n>', 'last serial number of a range')
    .option('--width <n>', 'zero-pad range serials to this width')
    .option('--prefix <text>', 'prefix of range serials')
    .option('--base-url <url>', 'where the codes point (default ZFC_PUBLIC_BASE_URL)')
    .option('--no-progress', 'no progress bar')
    .requiredOption('-o, --out <file>', 'PDF file to write, or - for standard output')
    .action((o: LabelOptions) => runLabels(o));

  program
    .command('qr <identifier>')
    .description('print the Digital Link of a Digital Link URI, element string or EPC URN on this domain; with --out, write its image')
    .option('-f, --format <format>', 'png or svg', 'png')
    .option('-o, --out <file>', 'image file to write')
    .option('--size <px>', 'image size in pixels')
    .option('--margin <modules>', 'quiet zone in modules')
    .option('--ecl <level>', 'error correction: L, M, Q or H')
    .option('--base-url <url>', 'where the code points (default ZFC_PUBLIC_BASE_URL)')
    .action((identifier: string, o: CodeOptions) => runCode(identifier, o));
}
