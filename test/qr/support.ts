/**
 * Shared helpers of the QR tests: the repository root (so fixtures and ../shared/data are
 * found from dist/ and .build/<name>/ alike), GS1's own Digital Link validator, and a real QR
 * decoder (jsqr over pngjs) to read generated images back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

/** The first folder above this file that holds package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

interface Gs1DigitalLink {
  getValidationTrace(): { success: boolean };
  isCheckDigitValid(): boolean;
}
// digital-link.js ships no types; it is GS1's (Digimarc's) validator, used here only as an oracle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DigitalLink } = require('digital-link.js') as { DigitalLink: (uri: string) => Gs1DigitalLink };

/** AIs whose value digital-link.js checks a check digit of (its isValid() is false for the rest). */
const CHECKED_KEYS = /\/(01|00|414|8003|8018|253|402|255)\/[^/]+(\/|\?|$)/;

/** True if GS1's digital-link.js accepts the URI: grammar, and check digit where the key has one. */
export function gs1Validates(uri: string): boolean {
  let dl: Gs1DigitalLink;
  try {
    dl = DigitalLink(uri);
  } catch {
    return false;
  }
  if (!dl.getValidationTrace().success) return false;
  return CHECKED_KEYS.test(uri) ? dl.isCheckDigitValid() : true;
}

/** Decodes the QR code in a PNG with jsqr; undefined if none is found. */
export function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  const result = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  return result?.data;
}
