/**
 * Configuration of the QR service, validated once and frozen: the public base URL codes point
 * at, the CJK font for label sheets, the label-sheet size limit and image defaults. The only
 * place in this part that reads the environment is {@link qrConfigFromEnv}.
 */
import { ZfcError } from '../chaincode/errors';
import { normaliseBaseUrl } from '../chaincode/digital-link';
import { DEFAULT_IMAGE_OPTIONS, imageOptions, type QrImageOptions } from './qr-image';

/** Validated QR service configuration. */
export interface QrConfig {
  /** Where codes point, e.g. `https://zfc.example.cn` (the resolver answers there). */
  readonly baseUrl: string;
  /** An explicit CJK font file (TTF/OTF/TTC); otherwise the usual Debian locations are searched. */
  readonly cjkFontPath?: string;
  /** PostScript name of the face to use inside a font collection (.ttc). */
  readonly cjkFontFace?: string;
  /** Most labels one sheet request may ask for. */
  readonly maxLabelsPerSheet: number;
  readonly imageDefaults: QrImageOptions;
}

/** What a caller may give; everything but `baseUrl` has a default. */
export interface QrConfigInput {
  readonly baseUrl: string;
  readonly cjkFontPath?: string;
  readonly cjkFontFace?: string;
  readonly maxLabelsPerSheet?: number;
  readonly imageDefaults?: { size?: unknown; margin?: unknown; ecl?: unknown };
}

export const DEFAULT_MAX_LABELS = 10_000;

/** Validates and freezes a configuration. */
export function qrConfig(input: QrConfigInput): QrConfig {
  const max = input.maxLabelsPerSheet ?? DEFAULT_MAX_LABELS;
  if (!Number.isInteger(max) || max < 1 || max > 100_000) {
    throw new ZfcError('INVALID_ARGUMENT', 'maxLabelsPerSheet must be an integer 1–100000', { field: 'maxLabelsPerSheet', value: String(max) });
  }
  return Object.freeze({
    baseUrl: normaliseBaseUrl(input.baseUrl),
    ...(input.cjkFontPath === undefined ? {} : { cjkFontPath: input.cjkFontPath }),
    ...(input.cjkFontFace === undefined ? {} : { cjkFontFace: input.cjkFontFace }),
    maxLabelsPerSheet: max,
    imageDefaults: imageOptions(input.imageDefaults ?? {}, DEFAULT_IMAGE_OPTIONS),
  });
}

/**
 * Configuration from the environment: `ZFC_PUBLIC_BASE_URL` (default `http://127.0.0.1:8080`),
 * `ZFC_CJK_FONT`, `ZFC_CJK_FONT_FACE`, `ZFC_MAX_LABELS`.
 */
export function qrConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): QrConfig {
  const max = env['ZFC_MAX_LABELS'];
  return qrConfig({
    baseUrl: env['ZFC_PUBLIC_BASE_URL'] ?? 'http://127.0.0.1:8080',
    ...(env['ZFC_CJK_FONT'] ? { cjkFontPath: env['ZFC_CJK_FONT'] } : {}),
    ...(env['ZFC_CJK_FONT_FACE'] ? { cjkFontFace: env['ZFC_CJK_FONT_FACE'] } : {}),
    ...(max ? { maxLabelsPerSheet: Number(max) } : {}),
  });
}
