/**
 * The resolver on a real Koa server on loopback, with an in-memory source: programs get the GS1
 * linkset and the typed resources, browsers get the page in their language; unknown serials
 * walk up to the lot and unknown lots to the product; a recalled lot's page warns first; bad
 * and unknown codes get a typed error (programs) or a warning page (people); all text escaped.
 */
import { expect } from 'chai';
import Koa from 'koa';
import { chooseLanguage, createResolverRouter, prefersJson, type Resolution } from '../../qr-service';
import { fixtureSource, GTIN, HOSTILE_GTIN } from './fixture-source';
import { errorMiddleware } from '../../gateway-api/error-middleware';
import { gs1Validates, listen } from './support';

const BASE = 'https://zfc.example.cn';
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('qr-service: resolver', () => {
  let server: { url: string; close: () => Promise<void> };
  const scans: Resolution[] = [];

  before(async () => {
    const app = new Koa();
    app.use(errorMiddleware());
    app.use(createResolverRouter({
      baseUrl: BASE, source: fixtureSource(), today: () => '2026-05-01', epcisBaseUrl: `${BASE}/epcis`, onScan: (r) => scans.push(r),
    }).routes());
    server = await listen(app);
  });
  after(() => server.close());

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(server.url + path, { headers });

  it('negotiates language and media type', () => {
    expect(chooseLanguage('en-US,en;q=0.9,zh-CN;q=0.8', undefined)).to.equal('en');
    expect(chooseLanguage('zh-CN,zh;q=0.9,en;q=0.8', undefined)).to.equal('zh');
    expect(chooseLanguage('fr-FR,en;q=0.5,zh;q=0.7', undefined)).to.equal('zh');
    expect(chooseLanguage('fr', undefined)).to.equal('zh');
    expect(chooseLanguage('en', 'zh')).to.equal('zh');
    expect(chooseLanguage('en;q=abc', undefined)).to.equal('zh');
    expect(prefersJson('application/json')).to.equal(true);
    expect(prefersJson(BROWSER)).to.equal(false);
    expect(prefersJson('text/html;q=0.5, application/json')).to.equal(true);
    expect(prefersJson(undefined)).to.equal(false);
  });

  it('answers a program with the GS1 linkset', async () => {
    const res = await get(`/01/${GTIN}/10/LJ2026A/21/000001?17=271002`, { accept: 'application/json' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(res.headers.get('vary')).to.equal('Accept, Accept-Language');
    expect(res.headers.get('link')).to.contain('rel="linkset"');
    const body = (await res.json()) as { linkset: Array<Record<string, Array<{ href: string; type: string }>>> };
    const entry = body.linkset[0] as Record<string, unknown>;
    const anchor = `${BASE}/01/${GTIN}/10/LJ2026A/21/000001`;
    expect(entry['anchor']).to.equal(anchor);
    expect(gs1Validates(anchor)).to.equal(true);
    for (const type of ['pip', 'traceability', 'certificationInfo', 'recallStatus', 'defaultLink']) {
      const links = entry[`https://gs1.org/voc/${type}`] as Array<{ href: string }>;
      expect(links?.length ?? 0, type).to.be.greaterThan(0);
    }
    const epcis = (entry['https://gs1.org/voc/epcis'] as Array<{ href: string }>)[0]?.href;
    expect(epcis).to.equal(`${BASE}/epcis/epcs/${encodeURIComponent(`https://id.gs1.org/01/${GTIN}/21/000001`)}/events`);
    const trace = (entry['https://gs1.org/voc/traceability'] as Array<{ href: string }>)[0]?.href;
    expect(trace).to.equal(`${anchor}?linkType=gs1:traceability`);
    const viaQuery = await get(`/01/${GTIN}/10/LJ2026A/21/000001?linkType=linkset`, { accept: BROWSER });
    expect(await viaQuery.json()).to.deep.equal(body);
    const linksetType = await get(`/01/${GTIN}/10/LJ2026A?linkType=linkset`, { accept: 'application/linkset+json' });
    expect(linksetType.headers.get('content-type')).to.match(/^application\/linkset\+json/);
  });

  it('serves each linked resource', async () => {
    const trace = (await (await get(`/01/${GTIN}/10/LJ2026R/21/000002?linkType=gs1:traceability`)).json()) as Record<string, unknown>;
    expect(trace).to.include({ identifier: `https://id.gs1.org/01/${GTIN}/21/000002`, requested: 'item', resolved: 'item' });
    expect((trace['lot'] as { path: unknown[] }).path).to.have.length(4);
    const recall = (await (await get(`/01/${GTIN}/10/LJ2026R?linkType=gs1:recallStatus`)).json()) as Record<string, unknown>;
    expect(recall).to.include({ status: 'recalled', doNotEat: true });
    const ok = (await (await get(`/01/${GTIN}/10/LJ2026A?linkType=gs1:recallStatus`)).json()) as Record<string, unknown>;
    expect(ok).to.include({ status: 'active', doNotEat: false });
    const certs = (await (await get(`/01/${GTIN}/10/LJ2026A?linkType=gs1:certificationInfo`)).json()) as { tests: unknown[]; certifications: unknown[] };
    expect(certs.tests).to.have.length(3);
    expect(certs.certifications).to.have.length(1);
    const unknownType = await get(`/01/${GTIN}/10/LJ2026A?linkType=gs1:nutritionalInfo`);
    expect(unknownType.status).to.equal(404);
  });

  it('walks an unknown serial up to its lot, and an unknown lot up to the product', async () => {
    const serial = (await (await get(`/01/${GTIN}/10/LJ2026R/21/999999?linkType=gs1:traceability`)).json()) as Record<string, unknown>;
    expect(serial).to.include({ requested: 'item', resolved: 'lot' });
    expect((serial['lot'] as { status: string }).status).to.equal('recalled');
    const lot = (await (await get(`/01/${GTIN}/10/NOPE/21/999999?linkType=gs1:traceability`)).json()) as Record<string, unknown>;
    expect(lot).to.include({ requested: 'item', resolved: 'product' });
    expect(lot).to.not.have.property('lot');
    const page = await (await get(`/01/${GTIN}/10/LJ2026R/21/999999`, { accept: BROWSER, 'accept-language': 'en' })).text();
    expect(page).to.contain('This serial number is not registered');
    expect(page).to.contain('RECALL — DO NOT EAT');
    // an item's own lot wins over what is printed beside it
    const own = (await (await get(`/01/${GTIN}/10/LJ2026A/21/000002?linkType=gs1:recallStatus`)).json()) as Record<string, unknown>;
    expect(own['status']).to.equal('recalled');
  });

  it('shows a browser the page in Chinese or English, with a switch link', async () => {
    const zh = await get(`/01/${GTIN}/10/LJ2026A/21/000001?17=271002`, { accept: BROWSER, 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(zh.status).to.equal(200);
    expect(zh.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(zh.headers.get('content-language')).to.equal('zh-CN');
    expect(zh.headers.get('content-security-policy')).to.contain("default-src 'none'");
    const zhPage = await zh.text();
    expect(zhPage).to.contain('<html lang="zh-CN">').and.contain('西湖龙井茶 特级 250克').and.contain('检测结果').and.contain('合格');
    expect(zhPage).to.contain('href="?17=271002&amp;lang=en"');
    expect(zhPage).to.not.contain('role="alert"');
    expect(zhPage).to.not.match(/<script|<link|<img|src=|url\(/i);
    const en = await (await get(`/01/${GTIN}/10/LJ2026A/21/000001?17=271002&lang=en`, { accept: BROWSER, 'accept-language': 'zh-CN' })).text();
    expect(en).to.contain('<html lang="en">').and.contain('Test results').and.contain('From origin to shop').and.contain('Lead (Pb)');
    expect(en).to.contain('This code has been scanned 3 times');
    expect(Buffer.byteLength(en)).to.be.lessThan(16 * 1024);
  });

  it('opens a recalled or held lot with a warning not to eat it', async () => {
    const recalled = await (await get(`/01/${GTIN}/10/LJ2026R`, { accept: BROWSER, 'accept-language': 'zh' })).text();
    const alertAt = recalled.indexOf('role="alert"');
    expect(alertAt).to.be.greaterThan(0).and.lessThan(recalled.indexOf('id="facts"'));
    expect(recalled).to.contain('召回警告：请勿食用！').and.contain('草甘膦残留超标').and.contain('tel:0571-12345678').and.contain('12315');
    // a raw material's test names its lot and producer
    expect(recalled).to.contain('0.42 mg/kg (限量 ≤ 0.1 mg/kg)<small class="material">原料批次 LJ-&lt;F&gt;1 · 龙井&lt;i&gt;茶园&lt;/i&gt;</small>');
    expect(recalled.match(/class="material"/g)).to.have.length(1);
    const held = await (await get(`/01/${GTIN}/10/LJ2026H`, { accept: BROWSER, 'accept-language': 'en' })).text();
    expect(held).to.contain('ON HOLD — DO NOT EAT').and.contain('Suspected labelling error');
  });

  it('shows each site\'s latest official inspection as regulators publish it: outcome, date and authority', async () => {
    const zh = await (await get(`/01/${GTIN}/10/LJ2026A`, { accept: BROWSER, 'accept-language': 'zh' })).text();
    // the producer's, among the facts, and on each step it made; the shop's on its step; none for the distributor, never inspected
    expect(zh).to.contain('<dt>监督检查</dt><dd><span class="insp compliant">符合</span> <time>2026-03-15</time> · 杭州市市场监督管理局</dd>');
    expect(zh).to.contain('<small class="inspected">监督检查：<span class="insp minor_findings">基本符合</span> <time>2026-04-25</time> · &lt;b&gt;西湖区&lt;/b&gt;市场监管局</small>');
    expect(zh.match(/class="inspected"/g)).to.have.length(3);
    expect(zh).to.match(/浙江供销物流<small><time>2026-04-10 08:30<\/time><\/small><\/li>/);
    expect(zh).to.not.contain('<b>西湖区');
    const en = await (await get(`/01/${GTIN}/10/LJ2026A?lang=en`, { accept: BROWSER })).text();
    expect(en).to.contain('Official inspection: <span class="insp minor_findings">Minor findings</span>').and.contain('<span class="insp compliant">Compliant</span>');
    // programs read it in the trace resource
    const trace = (await (await get(`/01/${GTIN}/10/LJ2026A?linkType=gs1:traceability`)).json()) as { lot: { path: Array<{ party: Record<string, unknown> }> } };
    expect(trace.lot.path[3]?.party['inspection']).to.deep.equal({ outcome: 'minor_findings', date: '2026-04-25', authority: { zh: '<b>西湖区</b>市场监管局', en: 'Xihu <b>District</b> Market Supervision' } });
  });

  it('lists clone warnings about an item', async () => {
    const page = await (await get(`/01/${GTIN}/10/LJ2026A/21/000003`, { accept: BROWSER, 'accept-language': 'en' })).text();
    expect(page).to.contain('POSSIBLE_CLONE').and.contain('1,200 km apart');
  });

  it('escapes everything taken from records', async () => {
    const page = await (await get(`/01/${HOSTILE_GTIN}`, { accept: BROWSER })).text();
    expect(page).to.not.contain('<script>alert').and.not.contain('<img');
    expect(page).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;').and.contain('O&#39;Brien &amp; &lt;Sons&gt;');
    expect(page).to.not.contain('onmouseover').and.not.contain('class="insp');
    const sneaky = await (await get(`/01/${GTIN}/10/LJ2026A?lang=en&x="><script>`, { accept: BROWSER })).text();
    expect(sneaky).to.not.contain('"><script>');
  });

  it('answers bad and unknown codes: typed errors for programs, a warning page for people', async () => {
    const bad = await get(`/01/09506000134353/10/LJ2026A`, { accept: 'application/json' });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal('INVALID_ARGUMENT');
    const badPage = await get(`/01/09506000134353/10/LJ2026A`, { accept: BROWSER, 'accept-language': 'en' });
    expect(badPage.status).to.equal(400);
    expect(await badPage.text()).to.contain('This code is not recognised');
    const unknown = await get(`/01/00000096385074`, { accept: 'application/json' });
    expect(unknown.status).to.equal(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).to.equal('PRODUCT_NOT_FOUND');
    const unknownPage = await get(`/01/00000096385074`, { accept: BROWSER, 'accept-language': 'zh' });
    expect(unknownPage.status).to.equal(404);
    expect(await unknownPage.text()).to.contain('未登记的产品');
  });

  it('answers under the base URL\'s path prefix', async () => {
    const app = new Koa();
    app.use(errorMiddleware());
    app.use(createResolverRouter({ baseUrl: 'https://zfc.example.cn/trace/', source: fixtureSource() }).routes());
    const other = await listen(app);
    try {
      const res = await fetch(`${other.url}/trace/01/${GTIN}/10/LJ2026A`, { headers: { accept: 'application/json' } });
      expect(res.status).to.equal(200);
      const body = (await res.json()) as { linkset: Array<{ anchor: string }> };
      expect(body.linkset[0]?.anchor).to.equal(`https://zfc.example.cn/trace/01/${GTIN}/10/LJ2026A`);
      expect((await fetch(`${other.url}/01/${GTIN}/10/LJ2026A`)).status).to.equal(404);
    } finally {
      await other.close();
    }
  });

  it('reports each successful scan', () => {
    expect(scans.length).to.be.greaterThan(10);
    expect(scans.every((s) => s.product.gtin === GTIN || s.product.gtin === HOSTILE_GTIN)).to.equal(true);
  });
});
