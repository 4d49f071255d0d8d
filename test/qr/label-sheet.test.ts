/**
 * Label sheets: the PDF's page count and label count match the request, every label's code
 * (read back from the PDF's drawing operators and decoded by jsqr) is that item's exact link,
 * the CJK font is embedded as a subset, and bad requests or a missing font fail before any
 * byte is written.
 */
import { expect } from 'chai';
import { PassThrough, Writable } from 'node:stream';
import { ZfcError } from '../../chaincode/errors';
import { findCjkFont, labelRequest, LABELS_PER_PAGE, packageLink, writeLabelSheet, type LabelInput } from '../../qr-service';
import { decodeMatrix, gs1Validates, pdfQrSymbols, readPdf, expectInvalid } from './support';

const BASE = 'https://zfc.example.cn';
const INPUT: LabelInput = {
  productNameZh: '西湖龙井茶 特级 250克',
  productNameEn: 'West Lake Longjing Tea, Special Grade, 250 g',
  gtin: '09506000134352',
  lot: 'L2026/01',
  expiry: '2026-12-31',
  serialRange: { from: 1, to: 1000, width: 6 },
};

function fontOrSkip(ctx: Mocha.Context): ReturnType<typeof findCjkFont> {
  try {
    return findCjkFont();
  } catch (err) {
    console.log(`    (skipped: no CJK font installed — ${(err as Error).message.split('\n')[0]})`);
    ctx.skip();
  }
}

async function sheet(input: LabelInput, progress: Array<[number, number]> = []): Promise<{ pdf: Buffer; summary: { pages: number; labels: number; bytes: number } }> {
  const font = findCjkFont();
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const summary = await writeLabelSheet(labelRequest(input, 10_000), out, { baseUrl: BASE, font, onProgress: (d, t) => progress.push([d, t]) });
  return { pdf: Buffer.concat(chunks), summary };
}


describe('qr-service: label sheets', function () {
  this.timeout(120_000);

  it('prints 1000 labels on 42 pages, each code decoding to its own item link', async function () {
    fontOrSkip(this);
    const progress: Array<[number, number]> = [];
    const { pdf, summary } = await sheet(INPUT, progress);
    expect(summary).to.include({ pages: 42, labels: 1000 });
    expect(summary.bytes).to.equal(pdf.length);
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    const { pages, streams } = readPdf(pdf);
    expect(pages).to.equal(Math.ceil(1000 / LABELS_PER_PAGE));
    const symbols = streams.flatMap(pdfQrSymbols);
    expect(symbols.length).to.equal(1000);
    for (const i of [0, 1, 23, 24, 500, 998, 999]) {
      const serial = String(i + 1).padStart(6, '0');
      const link = packageLink(BASE, { gtin: INPUT.gtin, lot: INPUT.lot, serial, expiry: '2026-12-31' });
      expect(decodeMatrix(symbols[i] as boolean[][])).to.equal(link);
      expect(gs1Validates(link), link).to.equal(true);
    }
    expect(progress.at(-1)).to.deep.equal([1000, 1000]);
    expect(progress.length).to.equal(42);
    // a subset of the CJK font, not all 19 MB of it
    expect(pdf.toString('latin1')).to.match(/\/BaseFont \/[A-Z]{6}\+NotoSansCJKsc-Regular|\/BaseFont \/[A-Z]{6}\+/);
    expect(pdf.length).to.be.lessThan(1000 * 1024);
  });

  it('prints an explicit serial list, one partial page', async function () {
    fontOrSkip(this);
    const serials = ['A-1', 'A/2', "B'3", 'C&4', 'D"5'];
    const { pdf, summary } = await sheet({ ...INPUT, serialRange: undefined, serials } as unknown as LabelInput);
    expect(summary).to.include({ pages: 1, labels: 5 });
    const symbols = readPdf(pdf).streams.flatMap(pdfQrSymbols);
    const links = serials.map((serial) => packageLink(BASE, { gtin: INPUT.gtin, lot: INPUT.lot, serial, expiry: '2026-12-31' }));
    expect(symbols.map((s) => decodeMatrix(s))).to.deep.equal(links);
    for (const link of links) expect(gs1Validates(link), link).to.equal(true);
  });

  it('stops when the reader hangs up', async function () {
    fontOrSkip(this);
    let written = 0;
    const out = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        if (written > 100_000) this.destroy();
        else cb();
      },
    });
    const request = labelRequest({ ...INPUT, serialRange: { from: 1, to: 5000 } }, 10_000);
    let failed = false;
    await writeLabelSheet(request, out, { baseUrl: BASE, font: findCjkFont() }).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });

  it('refuses bad requests before writing anything', () => {
    const SMALL: LabelInput = { ...INPUT, serialRange: { from: 1, to: 10 } };
    expect(labelRequest(SMALL, 100).serials).to.have.length(10);
    expectInvalid(() => labelRequest({ ...SMALL, gtin: '09506000134353' }, 100), 'gtin');
    expectInvalid(() => labelRequest({ ...SMALL, lot: 'L 1' }, 100), 'lot');
    expectInvalid(() => labelRequest({ ...SMALL, lot: 'L'.repeat(21) }, 100), 'lot');
    expectInvalid(() => labelRequest({ ...SMALL, expiry: '2026-02-30' }, 100), 'date');
    expectInvalid(() => labelRequest({ ...SMALL, serialRange: { from: 1, to: 101 } }, 100), 'serialRange');
    expectInvalid(() => labelRequest({ ...SMALL, serialRange: { from: 5, to: 4 } }, 100), 'serialRange');
    expectInvalid(() => labelRequest({ ...SMALL, serials: ['1'] }, 100), 'serials');
    expectInvalid(() => labelRequest({ ...SMALL, serialRange: undefined, serials: ['1', '1'] } as unknown as LabelInput, 100), 'serial');
    expectInvalid(() => labelRequest({ ...SMALL, serialRange: undefined, serials: ['批1'] } as unknown as LabelInput, 100), 'serial');
    expectInvalid(() => labelRequest({ ...SMALL, serialRange: undefined, serials: [] } as unknown as LabelInput, 100), 'serials');
    expectInvalid(() => labelRequest({ ...SMALL, productNameZh: 'a\u0000b' }, 100), 'productNameZh');
    expectInvalid(() => labelRequest({ ...SMALL, productNameEn: 'x'.repeat(81) }, 100), 'productNameEn');
    expectInvalid(() => labelRequest({ ...SMALL, serialRange: { from: 1, to: 2, prefix: 'x'.repeat(20) } }, 100), 'serial');
  });

  it('fails with FONT_NOT_FOUND when the font is absent', () => {
    try {
      findCjkFont('/nonexistent/font.ttf');
      expect.fail('expected FONT_NOT_FOUND');
    } catch (err) {
      expect(err).to.be.instanceOf(ZfcError);
      expect((err as ZfcError).code).to.equal('FONT_NOT_FOUND');
      expect((err as ZfcError).details['searched']).to.deep.equal(['/nonexistent/font.ttf']);
    }
  });
});
