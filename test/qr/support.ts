/**
 * Shared helpers of the QR tests: the repository root (so fixtures and ../shared/data are
 * found from dist/ and .build/<name>/ alike), GS1's own Digital Link validator, and a real QR
 * decoder (jsqr over pngjs) to read generated images back.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { expect } from 'chai';
import jsQR from 'jsqr';
import type Koa from 'koa';
import { ZfcError } from '../../chaincode/errors';
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

/**
 * True if GS1's digital-link.js accepts the URI: grammar, and check digit where the key has one.
 * Its ABNF (Digital Link 1.1 grammar) spells the double quote of character set 82 as a literal
 * `"` where the standard's encoding table, and RFC 3986, require `%22`; so `%22` is shown to it
 * as `"` (a known erratum of that grammar file), and every other character is checked as written.
 */
export function gs1Validates(uri: string): boolean {
  let dl: Gs1DigitalLink;
  try {
    dl = DigitalLink(uri.replace(/%22/g, '"'));
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

/** Draws a QR module matrix (true = dark) with a 4-module quiet zone, 4 px a module, and decodes it with jsqr. */
export function decodeMatrix(dark: boolean[][]): string | undefined {
  const n = dark.length;
  const scale = 4;
  const side = (n + 8) * scale;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (!dark[y]?.[x]) continue;
      for (let py = 0; py < scale; py++) {
        for (let px = 0; px < scale; px++) {
          const i = (((y + 4) * scale + py) * side + (x + 4) * scale + px) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
      }
    }
  }
  return jsQR(data, side, side)?.data;
}

/**
 * Reads back the modules of a `qrcode` SVG (horizontal strokes: `M x y`, `m dx dy`, `h n`) into a
 * matrix, so the SVG itself can be decoded.
 */
export function svgModules(svg: string): boolean[][] {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const d = /<path[^>]*stroke="#000000"[^>]*d="([^"]+)"/.exec(svg) ?? /<path[^>]*d="([^"]+)"[^>]*stroke="#000000"/.exec(svg);
  if (!viewBox || !d) throw new Error('not a qrcode SVG');
  const side = Number(viewBox[1]);
  const grid = Array.from({ length: side }, () => new Array<boolean>(side).fill(false));
  let x = 0;
  let y = 0;
  for (const [, cmd, args] of (d[1] as string).matchAll(/([MmHhVv])([^MmHhVv]*)/g)) {
    const nums = (args as string).trim().split(/[\s,]+/).filter(Boolean).map(Number);
    if (cmd === 'M') [x, y] = [nums[0] as number, nums[1] as number];
    else if (cmd === 'm') [x, y] = [x + (nums[0] as number), y + (nums[1] as number)];
    else if (cmd === 'h') {
      for (let i = 0; i < (nums[0] as number); i++) (grid[Math.floor(y)] as boolean[])[x + i] = true;
      x += nums[0] as number;
    } else throw new Error(`unexpected SVG path command ${cmd as string}`);
  }
  return grid;
}

/** A real HTTP server on 127.0.0.1, port 0, serving `app`; `close` stops it. */
export async function listen(app: Koa): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** What a PDF holds: its page objects and its content streams, inflated. */
export function readPdf(pdf: Buffer): { pages: number; streams: string[] } {
  const text = pdf.toString('latin1');
  const pages = (text.match(/\/Type \/Page\b(?!s)/g) ?? []).length;
  const streams: string[] = [];
  for (const m of text.matchAll(/<<([^]*?)>>\s*stream\r?\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    const length = /\/Length (\d+)/.exec(m[1] as string);
    if (!length) continue;
    const raw = pdf.subarray(start, start + Number(length[1]));
    const isFlate = /\/Filter \/FlateDecode/.test(m[1] as string);
    try {
      streams.push((isFlate ? zlib.inflateSync(raw) : raw).toString('latin1'));
    } catch {
      streams.push('');
    }
  }
  return { pages, streams };
}

/** Every QR symbol drawn by the label sheet's operators (`q m 0 0 m x y cm 0 g … re … f Q`), as module matrices. */
export function pdfQrSymbols(content: string): boolean[][][] {
  const out: boolean[][][] = [];
  for (const m of content.matchAll(/cm 0 g\n([^]*?)\nf Q/g)) {
    const rects = [...(m[1] as string).matchAll(/(\d+) (\d+) (\d+) 1 re/g)].map((r) => r.slice(1, 4).map(Number) as [number, number, number]);
    const size = Math.max(...rects.map(([x, , w]) => x + w), ...rects.map(([, y]) => y + 1));
    const grid = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    for (const [x, y, w] of rects) for (let i = 0; i < w; i++) (grid[y] as boolean[])[x + i] = true;
    out.push(grid);
  }
  return out;
}

/** Runs `fn`, which must throw INVALID_ARGUMENT (naming `field` when given); returns the error. */
export function expectInvalid(fn: () => unknown, field?: string): ZfcError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ZfcError);
    const z = err as ZfcError;
    expect(z.code).to.equal('INVALID_ARGUMENT');
    if (field !== undefined) expect(z.details['field']).to.equal(field);
    return z;
  }
  throw new Error(`expected INVALID_ARGUMENT${field ? ` on ${field}` : ''}`);
}
