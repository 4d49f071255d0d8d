/**
 * QR images of a text (a Digital Link URI): PNG and SVG through `qrcode`, and the bare module
 * matrix for drawing codes as vectors in label sheets. Image options are validated here, once,
 * so the router, the CLI and the label sheet refuse the same bad sizes with the same error.
 */
import QRCode from 'qrcode';
import { ZfcError } from '../chaincode/errors';
import { encodeQrPng } from './png-encoder';

/** QR error-correction level: L 7 %, M 15 %, Q 25 %, H 30 % of the symbol may be damaged. */
export type ErrorCorrectionLevel = 'L' | 'M' | 'Q' | 'H';

/** How an image is drawn. */
export interface QrImageOptions {
  /** Width and height in pixels (PNG) or user units (SVG), quiet zone included: 64–2048. */
  readonly size: number;
  /** Quiet zone in modules: 0–16 (ISO/IEC 18004 asks for 4). */
  readonly margin: number;
  readonly ecl: ErrorCorrectionLevel;
}

/** 256 px, the standard quiet zone of 4 modules, level M (GS1's recommendation for Digital Link). */
export const DEFAULT_IMAGE_OPTIONS: QrImageOptions = Object.freeze({ size: 256, margin: 4, ecl: 'M' });

export const IMAGE_LIMITS = Object.freeze({ minSize: 64, maxSize: 2048, maxMargin: 16 });

function integerIn(field: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ZfcError('INVALID_ARGUMENT', `${field} must be an integer ${min}–${max}`, { field, value: String(value) });
  }
  return n;
}

/**
 * Validated image options from loose input (query-string text or numbers); absent fields
 * take `defaults`.
 */
export function imageOptions(
  input: { size?: unknown; margin?: unknown; ecl?: unknown },
  defaults: QrImageOptions = DEFAULT_IMAGE_OPTIONS,
): QrImageOptions {
  const size = input.size === undefined ? defaults.size : integerIn('size', input.size, IMAGE_LIMITS.minSize, IMAGE_LIMITS.maxSize);
  const margin = input.margin === undefined ? defaults.margin : integerIn('margin', input.margin, 0, IMAGE_LIMITS.maxMargin);
  let ecl = defaults.ecl;
  if (input.ecl !== undefined) {
    const text = typeof input.ecl === 'string' ? input.ecl.toUpperCase() : '';
    if (!['L', 'M', 'Q', 'H'].includes(text)) {
      throw new ZfcError('INVALID_ARGUMENT', 'ecl must be one of L, M, Q, H', { field: 'ecl', value: String(input.ecl) });
    }
    ecl = text as ErrorCorrectionLevel;
  }
  return Object.freeze({ size, margin, ecl });
}

/** The dark/light modules of a QR symbol, without quiet zone. */
export interface QrMatrix {
  readonly size: number;
  isDark(x: number, y: number): boolean;
}

/** Encodes `text` (byte mode as needed) at level `ecl`; too long for any QR version → INVALID_ARGUMENT. */
export function qrMatrix(text: string, ecl: ErrorCorrectionLevel): QrMatrix {
  const code = createCode(text, ecl);
  const { size, data } = code.modules;
  return { size, isDark: (x, y) => data[y * size + x] === 1 };
}

function createCode(text: string, ecl: ErrorCorrectionLevel): QRCode.QRCode {
  try {
    return QRCode.create(text, { errorCorrectionLevel: ecl });
  } catch (err) {
    throw new ZfcError('INVALID_ARGUMENT', `cannot encode a QR code: ${(err as Error).message}`, { field: 'text', value: text.slice(0, 100) });
  }
}

function rendererOptions(options: QrImageOptions): { width: number; margin: number; errorCorrectionLevel: ErrorCorrectionLevel } {
  return { width: options.size, margin: options.margin, errorCorrectionLevel: options.ecl };
}

/**
 * A PNG of the QR code of `text`: 1-bit greyscale, exactly `size` pixels square, integer module
 * scale (see {@link encodeQrPng}). Synchronous: about a millisecond of CPU.
 */
export function qrPng(text: string, options: QrImageOptions = DEFAULT_IMAGE_OPTIONS): Buffer {
  return encodeQrPng(qrMatrix(text, options.ecl), options.size, options.margin);
}

/** An SVG document of the QR code of `text`. */
export async function qrSvg(text: string, options: QrImageOptions = DEFAULT_IMAGE_OPTIONS): Promise<string> {
  createCode(text, options.ecl);
  return QRCode.toString(text, { ...rendererOptions(options), type: 'svg' });
}
