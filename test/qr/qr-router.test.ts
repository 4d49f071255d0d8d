/**
 * The QR router on a real Koa server on loopback: images carry the exact link, are cached as
 * immutable with a strong ETag (304 on a match), bad input is a typed 400, and label sheets
 * stream as a PDF whose page count matches the request.
 */
import { expect } from 'chai';
import Koa from 'koa';
import { createLabelRouter, createQrRouter, findCjkFont } from '../../qr-service';
import { errorMiddleware } from '../../gateway-api/error-middleware';
import { decodeMatrix, decodeQrPng, gs1Validates, listen, readPdf, svgModules } from './support';

describe('qr-service: router', () => {
  let server: { url: string; close: () => Promise<void> };

  before(async () => {
    const app = new Koa();
    app.use(errorMiddleware());
    const qr = createQrRouter({ baseUrl: 'https://zfc.example.cn/', maxLabelsPerSheet: 3000 });
    app.use(qr.routes()).use(qr.allowedMethods());
    app.use(createLabelRouter({ baseUrl: 'https://zfc.example.cn/', maxLabelsPerSheet: 3000 }).routes());
    server = await listen(app);
  });
  after(() => server.close());

  async function errorOf(res: Response): Promise<{ code: string; details: Record<string, unknown> }> {
    const body = (await res.json()) as { error: { code: string; details: Record<string, unknown> } };
    return body.error;
  }

  it('serves a PNG whose code is the package link on the configured domain', async () => {
    const res = await fetch(`${server.url}/qr/png/01/9506000134352/10/L2026%2F01/21/000123?17=261231&size=300&ecl=Q`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('image/png');
    expect(res.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    const etag = res.headers.get('etag');
    expect(etag).to.match(/^"[A-Za-z0-9_-]{27}"$/);
    const link = 'https://zfc.example.cn/01/09506000134352/10/L2026%2F01/21/000123?17=261231';
    expect(decodeQrPng(Buffer.from(await res.arrayBuffer()))).to.equal(link);
    expect(gs1Validates(link)).to.equal(true);

    const again = await fetch(`${server.url}/qr/png/01/9506000134352/10/L2026%2F01/21/000123?17=261231&size=300&ecl=Q`, { headers: { 'if-none-match': etag as string } });
    expect(again.status).to.equal(304);
    expect(again.headers.get('etag')).to.equal(etag);
    const bigger = await fetch(`${server.url}/qr/png/01/9506000134352/10/L2026%2F01/21/000123?17=261231&size=301&ecl=Q`, { headers: { 'if-none-match': etag as string } });
    expect(bigger.status).to.equal(200);
    expect(bigger.headers.get('etag')).to.not.equal(etag);
  });

  it('serves SVG, and codes for logistic units and locations', async () => {
    const svg = await fetch(`${server.url}/qr/svg/01/09506000134352/10/L1`);
    expect(svg.headers.get('content-type')).to.equal('image/svg+xml; charset=utf-8');
    expect(decodeMatrix(svgModules(await svg.text()))).to.equal('https://zfc.example.cn/01/09506000134352/10/L1');
    const sscc = await fetch(`${server.url}/qr/png/00/106141412345678908`);
    expect(decodeQrPng(Buffer.from(await sscc.arrayBuffer()))).to.equal('https://zfc.example.cn/00/106141412345678908');
    const gln = await fetch(`${server.url}/qr/png/414/0614141123452/254/400`);
    expect(decodeQrPng(Buffer.from(await gln.arrayBuffer()))).to.equal('https://zfc.example.cn/414/0614141123452/254/400');
  });

  it('answers bad input with a typed 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['/qr/png/01/09506000134353/10/L1', 'gtin'],
      ['/qr/png/01/09506000134352/10/L%20L', 'lot'],
      ['/qr/png/01/09506000134352/10/' + 'L'.repeat(21), 'lot'],
      ['/qr/png/01/09506000134352/10/L1?size=9000', 'size'],
      ['/qr/png/01/09506000134352/10/L1?ecl=Z', 'ecl'],
      ['/qr/png/01/09506000134352/10/L1?evil=1', 'evil'],
      ['/qr/png/01/09506000134352/10/L1?17=261399', 'expiry'],
      ['/qr/png/01/09506000134352/10/L1?size=300&size=301', 'size'],
      ['/qr/png/01/09506000134352/10/L1?3103=000500', 'attributes'],
      ['/qr/png/hello/world', 'path'],
      ['/qr/png/01/garbage/01/09506000134352', 'path'],
      ['/qr/png/01/09506000134352/', 'path'],
      ['/qr/png/01/09506000134352/10', 'path'],
      ['/qr/png/01/09506000134352/10/%E4%B8%AD%E6%96%87', 'lot'],
      ['/qr/png/01/09506000134352/10/A%1DB', 'lot'],
      ['/qr/png/01/09506000134352/21/%F0%9F%98%80', 'serial'],
      ['/qr/png/01/09506000134352/21/%E0%A4%A', 'serial'],
      ['/qr/png/01/09506000134352/10/' + 'A'.repeat(3000), 'identifier'],
      ['/qr/png/01/09506000134352/21/1/10/L1', 'identifier'],
      ['/qr/png/01/09506000134352/254/1', 'identifier'],
    ];
    for (const [url, field] of cases) {
      const res = await fetch(server.url + url);
      expect(res.status, url).to.equal(400);
      const error = await errorOf(res);
      expect(error.code, url).to.equal('INVALID_ARGUMENT');
      expect(error.details['field'], url).to.equal(field);
    }
    const gif = await fetch(`${server.url}/qr/gif/01/09506000134352`);
    expect(gif.status).to.equal(404);
  });

  it('streams a label sheet PDF for a POSTed request', async function () {
    try {
      findCjkFont();
    } catch {
      console.log('    (skipped: no CJK font installed; apt-get install fonts-noto-cjk)');
      this.skip();
    }
    const res = await fetch(`${server.url}/qr/labels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        productNameZh: '舟山带鱼', productNameEn: 'Zhoushan hairtail', gtin: '09506000134352', lot: 'ZS-0601', expiry: '2026-06-30',
        serialRange: { from: 1, to: 100 },
      }),
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/pdf');
    expect(res.headers.get('content-disposition')).to.equal('attachment; filename="labels-09506000134352-ZS-0601.pdf"');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(readPdf(pdf).pages).to.equal(5);
  });

  it('keeps label sheets off the public image router', async () => {
    const app = new Koa();
    app.use(errorMiddleware());
    const qr = createQrRouter({ baseUrl: 'https://zfc.example.cn' });
    app.use(qr.routes()).use(qr.allowedMethods());
    const other = await listen(app);
    try {
      const res = await fetch(`${other.url}/qr/labels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).to.be.oneOf([404, 405]);
    } finally {
      await other.close();
    }
  });

  it('refuses bad label requests with a typed error and no PDF', async () => {
    const post = (body: string, type = 'application/json'): Promise<Response> =>
      fetch(`${server.url}/qr/labels`, { method: 'POST', headers: { 'content-type': type }, body });
    const base = { productNameZh: '带鱼', productNameEn: 'Hairtail', gtin: '09506000134352', lot: 'L1' };
    const tooMany = await post(JSON.stringify({ ...base, serialRange: { from: 1, to: 3001 } }));
    expect(tooMany.status).to.equal(400);
    expect((await errorOf(tooMany)).details['field']).to.equal('serialRange');
    expect((await post('{not json')).status).to.equal(400);
    expect((await post('a=1', 'application/x-www-form-urlencoded')).status).to.equal(400);
    const huge = await post(JSON.stringify({ ...base, serials: new Array(200_000).fill('123456') }));
    expect(huge.status).to.equal(413);
    expect((await errorOf(huge)).code).to.equal('PAYLOAD_TOO_LARGE');
    // nested past the limit: a typed 400, not the stack overflow of whatever walks it later (it was a 500)
    for (const depth of [65, 5000, 100_000]) {
      const deep = await post(JSON.stringify(base).replace('"带鱼"', `${'['.repeat(depth)}${']'.repeat(depth)}`));
      expect(deep.status, `depth ${depth}`).to.equal(400);
      expect(await errorOf(deep)).to.include({ code: 'INVALID_ARGUMENT' }).and.have.nested.property('details.limit', 64);
    }
  });

  it('fails with FONT_NOT_FOUND, before streaming, when the configured font is absent', async () => {
    const app = new Koa();
    app.use(errorMiddleware());
    app.use(createLabelRouter({ baseUrl: 'https://zfc.example.cn', cjkFontPath: '/nonexistent/cjk.ttc' }).routes());
    const other = await listen(app);
    try {
      const res = await fetch(`${other.url}/qr/labels`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ productNameZh: '带鱼', productNameEn: 'Hairtail', gtin: '09506000134352', lot: 'L1', serials: ['1'] }),
      });
      expect(res.status).to.equal(500);
      expect((await errorOf(res)).code).to.equal('FONT_NOT_FOUND');
    } finally {
      await other.close();
    }
  });
});
