/**
 * QR images: every generated code, PNG and SVG, is decoded back by a real decoder (jsqr) to the
 * exact URI, and every URI passes GS1's validator; image options are checked.
 */
import { expect } from 'chai';
import { glnUri, ssccUri, withBase } from '../../chaincode/digital-link';
import { imageOptions, packageLink, qrMatrix, qrPng, qrSvg, type QrImageOptions } from '../../qr-service';
import { decodeMatrix, decodeQrPng, gs1Validates, svgModules, expectInvalid } from './support';

const BASE = 'https://zfc.example.cn';

function links(): string[] {
  const out: string[] = [];
  const lots = ['L1', 'L2026/01', 'A-B.C_D', "X!'()*+,:;=?", '20260115%B', 'ZZZZZZZZZZZZZZZZZZZZ'];
  for (const [i, lot] of lots.entries()) {
    out.push(packageLink(BASE, { gtin: '09506000134352', lot }));
    out.push(packageLink(BASE, { gtin: '9506000134352', lot, serial: String(100000 + i * 7919), expiry: '2026-12-31' }));
    out.push(packageLink(`${BASE}/p`, { gtin: '00614141777778', lot, serial: `S&<>"${i}` }));
  }
  out.push(withBase(ssccUri('106141412345678908'), BASE));
  out.push(withBase(glnUri('0614141123452', '400'), BASE));
  return out;
}


describe('qr-service: images', () => {
  const variants: QrImageOptions[] = [
    imageOptions({}),
    imageOptions({ size: '180', margin: '1', ecl: 'l' }),
    imageOptions({ size: 512, margin: 4, ecl: 'H' }),
    imageOptions({ size: '300', margin: '0', ecl: 'Q' }),
  ];

  it('writes package links that GS1 validates', () => {
    for (const link of links()) expect(gs1Validates(link), link).to.equal(true);
    expect(packageLink(BASE, { gtin: '09506000134352', lot: 'L1', serial: '7', expiry: '2026-12-31' }))
      .to.equal('https://zfc.example.cn/01/09506000134352/10/L1/21/7?17=261231');
  });

  it('decodes every PNG back to the exact URI, at every option variant', () => {
    for (const link of links()) {
      for (const options of variants) {
        const png = qrPng(link, options);
        expect(png.readUInt32BE(16), 'width').to.equal(options.size);
        expect(decodeQrPng(png), `${link} ${JSON.stringify(options)}`).to.equal(link);
      }
    }
  });

  it('decodes every SVG back to the exact URI', async () => {
    for (const link of links()) {
      for (const options of variants) {
        const svg = await qrSvg(link, options);
        expect(svg).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        expect(decodeMatrix(svgModules(svg)), link).to.equal(link);
      }
    }
  });

  it('decodes the bare module matrix (what label sheets draw)', () => {
    const link = links()[1] as string;
    const m = qrMatrix(link, 'M');
    const grid = Array.from({ length: m.size }, (_, y) => Array.from({ length: m.size }, (_, x) => m.isDark(x, y)));
    expect(decodeMatrix(grid)).to.equal(link);
  });

  it('validates image options', () => {
    for (const size of ['0', '63', '2049', '1.5', 'abc', -1, 300.5, '', '1e3']) expectInvalid(() => imageOptions({ size }), 'size');
    for (const margin of ['17', '-1', 'x']) expectInvalid(() => imageOptions({ margin }), 'margin');
    for (const ecl of ['X', '', 1, 'MM']) expectInvalid(() => imageOptions({ ecl }), 'ecl');
    expect(imageOptions({ size: '64', margin: '16', ecl: 'q' })).to.deep.equal({ size: 64, margin: 16, ecl: 'Q' });
  });

  it('refuses a size too small for the code, and text too long for any QR code', () => {
    expectInvalid(() => qrPng(links()[1] as string, imageOptions({ size: 64, margin: 16 })), 'size');
    expectInvalid(() => qrPng(`${BASE}/${'x'.repeat(5000)}`), 'text');
  });
});
