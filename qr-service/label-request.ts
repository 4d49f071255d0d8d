/**
 * What a label sheet is asked to print, checked before a single byte of PDF is written: the
 * product's names in Chinese and English, its GTIN, the lot, the expiry and the serials (a list
 * or a numeric range). A bad request fails whole, with the field named, and prints nothing.
 */
import { ZfcError } from '../chaincode/errors';
import { isLotCode, isSerial, toGtin14 } from '../chaincode/gs1';
import { toGs1Date } from '../chaincode/digital-link';

/** A serial range: `prefix` + each number from `from` to `to`, zero-padded to `width`. */
export interface SerialRange {
  readonly from: number;
  readonly to: number;
  readonly width?: number;
  readonly prefix?: string;
}

/** Loose input, as it comes from JSON or the command line. */
export interface LabelInput {
  readonly productNameZh: string;
  readonly productNameEn: string;
  readonly gtin: string;
  readonly lot: string;
  /** ISO date `YYYY-MM-DD`. */
  readonly expiry?: string;
  readonly serials?: readonly string[];
  readonly serialRange?: SerialRange;
}

/** A checked request: serials expanded, GTIN padded to 14 digits. */
export interface LabelRequest {
  readonly productNameZh: string;
  readonly productNameEn: string;
  readonly gtin: string;
  readonly lot: string;
  readonly expiry?: string;
  readonly serials: readonly string[];
}

function bad(field: string, value: unknown, why: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `${field}: ${why}`, { field, value: String(value).slice(0, 100) });
}

function name(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > 80) throw bad(field, value, 'must be 1–80 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) throw bad(field, value, 'must not contain control characters');
  return value.trim();
}

function rangeSerials(range: SerialRange, max: number): string[] {
  const { from, to } = range;
  const width = range.width ?? 0;
  const prefix = range.prefix ?? '';
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
    throw bad('serialRange', `${from}..${to}`, 'from and to must be whole numbers with 0 ≤ from ≤ to');
  }
  if (to - from + 1 > max) throw bad('serialRange', `${from}..${to}`, `at most ${max} labels per sheet`);
  if (!Number.isInteger(width) || width < 0 || width > 20) throw bad('serialRange.width', width, 'must be 0–20');
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(prefix + String(n).padStart(width, '0'));
  return out;
}

function listedSerials(list: unknown, max: number): string[] {
  if (!Array.isArray(list)) throw bad('serials', list, 'must be a list');
  if (list.length > max) throw bad('serials', list.length, `at most ${max} labels per sheet`);
  return list.map((s) => (typeof s === 'string' ? s : String(s)));
}

/** Checks a label request; at most `maxLabels` labels. */
export function labelRequest(input: LabelInput, maxLabels: number): LabelRequest {
  if (input === null || typeof input !== 'object') throw bad('labels', input, 'must be an object');
  const gtin = typeof input.gtin === 'string' ? toGtin14(input.gtin) : undefined;
  if (gtin === undefined) throw bad('gtin', input.gtin, 'must be a GTIN with a correct check digit');
  if (!isLotCode(input.lot)) throw bad('lot', input.lot, 'must be 1–20 characters of GS1 character set 82');
  if (input.expiry !== undefined) toGs1Date(input.expiry);
  if ((input.serials === undefined) === (input.serialRange === undefined)) throw bad('serials', '', 'give either serials or serialRange');
  const serials = input.serials !== undefined ? listedSerials(input.serials, maxLabels) : rangeSerials(input.serialRange as SerialRange, maxLabels);
  if (serials.length === 0) throw bad('serials', '', 'at least one label');
  const seen = new Set<string>();
  for (const s of serials) {
    if (!isSerial(s)) throw bad('serial', s, 'must be 1–20 characters of GS1 character set 82');
    if (seen.has(s)) throw bad('serial', s, 'is repeated');
    seen.add(s);
  }
  return Object.freeze({
    productNameZh: name('productNameZh', input.productNameZh),
    productNameEn: name('productNameEn', input.productNameEn),
    gtin,
    lot: input.lot,
    ...(input.expiry === undefined ? {} : { expiry: input.expiry }),
    serials: Object.freeze(serials),
  });
}
