/**
 * The public home page and its lookup on a real Koa server: where each form of a code and of
 * the printed numbers leads, what a shopper is told when they lead nowhere (with the form given
 * back, escaped), the latest recalls, a program's JSON, and a deployment under a path prefix.
 */
import { expect } from 'chai';
import Koa from 'koa';
import { createHomeRouter, lookupPath, type RecallNoticeView } from '../../qr-service';
import { errorMiddleware } from '../../gateway-api/error-middleware';
import { listen } from './support';

const GTIN = '06951234000356';

type Problem = { error: { code: string; message: string; details: Record<string, unknown> } };

const notice = (i: number): RecallNoticeView => ({
  recallId: `RC-${i}`, status: 'complete', since: `2026-05-0${i}`, recallClass: 'II',
  reason: { zh: `原因${i}`, en: `Reason ${i}` },
  products: [{ gtin: GTIN, name: { zh: '龙井绿茶', en: 'Longjing tea' }, lots: ['L1'], moreLots: 0 }, { gtin: '09506000134352', name: { zh: '白茶', en: 'White tea' }, lots: ['W1'], moreLots: 0 }],
});

describe('qr-service: home page and lookup', () => {
  const servers: Array<{ url: string; close: () => Promise<void> }> = [];
  let asked: number[] = [];
  const serve = async (baseUrl: string, notices: readonly RecallNoticeView[]): Promise<string> => {
    const app = new Koa();
    app.use(errorMiddleware());
    const recalls = { recalls: async (limit: number) => (asked.push(limit), notices.slice(0, limit)) };
    app.use(createHomeRouter({ baseUrl, recalls, links: { docs: { href: '/docs', label: { zh: '接口文档', en: 'API documentation' } } } }).routes());
    const s = await listen(app);
    servers.push(s);
    return s.url;
  };
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('leads every form of a product code, and the numbers printed on a package, to the code\'s page', () => {
    const cases: Array<[Parameters<typeof lookupPath>[0], string]> = [
      [{ gtin: '6951234000356', lot: 'GT-2026-05A' }, `/01/${GTIN}/10/GT-2026-05A`], // the 13 digits under the barcode
      [{ gtin: ' 6951234 000356 ', serial: 'B1' }, `/01/${GTIN}/21/B1`], // spaces as printed
      [{ gtin: GTIN }, `/01/${GTIN}`],
      [{ gtin: GTIN, lot: 'A/1' }, `/01/${GTIN}/10/A%2F1`],
      [{ code: `https://id.gs1.org/01/${GTIN}/10/L%2F7/21/S9?17=261231` }, `/01/${GTIN}/10/L%2F7/21/S9`], // another resolver's link
      [{ code: `(01)${GTIN}(10)L7` }, `/01/${GTIN}/10/L7`],
      [{ code: 'urn:epc:id:sgtin:6951234.000035.B12' }, `/01/${GTIN}/21/B12`],
      [{ code: `(01)${GTIN}(21)B1`, gtin: '12345' }, `/01/${GTIN}/21/B1`], // a pasted code wins
    ];
    for (const [query, path] of cases) expect(lookupPath(query, ''), JSON.stringify(query)).to.deep.equal({ path });
    expect(lookupPath({ code: `(01)${GTIN}(21)B1` }, '/trace')).to.deep.equal({ path: `/trace/01/${GTIN}/21/B1` });
  });

  it('says why a lookup leads nowhere', () => {
    const cases: Array<[Parameters<typeof lookupPath>[0], string, string]> = [
      [{}, 'lookupEmpty', 'code'],
      [{ lot: 'L1' }, 'lookupEmpty', 'code'], // a lot without its product
      [{ gtin: '6951234000357', lot: 'L1' }, 'lookupBadGtin', 'gtin'], // wrong check digit
      [{ gtin: '69512340003', lot: 'L1' }, 'lookupBadGtin', 'gtin'],
      [{ gtin: '６９５１２３４０００３５６' }, 'lookupBadGtin', 'gtin'], // full-width digits are not barcode digits
      [{ gtin: GTIN, lot: 'L1|x<' }, 'lookupBadLot', 'lot'],
      [{ gtin: GTIN, serial: 'S'.repeat(21) }, 'lookupBadLot', 'serial'],
      [{ gtin: GTIN, lot: '批号' }, 'lookupBadLot', 'lot'],
      [{ code: 'urn:epc:id:sscc:0614141.1234567890' }, 'lookupNotProduct', 'code'],
      [{ code: 'https://id.gs1.org/414/0614141000005' }, 'lookupNotProduct', 'code'],
      [{ code: 'hello' }, 'lookupBadCode', 'identifier'],
      [{ code: `https://id.gs1.org/01/${GTIN}/10/${'L'.repeat(21)}` }, 'lookupBadLot', 'lot'], // a pasted code's own lot
    ];
    for (const [query, problem, field] of cases) {
      const outcome = lookupPath(query, '');
      expect('problem' in outcome ? [outcome.problem, outcome.error.code, outcome.error.details['field']] : outcome, JSON.stringify(query)).to.deep.equal([problem, 'INVALID_ARGUMENT', field]);
    }
  });

  it('serves the page with the latest recalls, redirects a lookup, and gives a failed one back to fix', async () => {
    asked = [];
    const url = await serve('https://zfc.example.cn', [notice(5), notice(4), notice(3), notice(2)]);
    const home = await fetch(`${url}/`, { headers: { accept: 'text/html', 'accept-language': 'zh-CN' } });
    const html = await home.text();
    expect([home.status, home.headers.get('content-language')]).to.deep.equal([200, 'zh-CN']);
    expect(home.headers.get('content-security-policy')).to.contain("form-action 'self'").and.contain("default-src 'none'");
    expect(html).to.contain('<form method="get" action="/lookup"><input type="hidden" name="lang" value="zh">');
    expect(asked).to.deep.equal([3]);
    expect(html.match(/<li><a href="\/recalls#recall-RC-\d">/g)).to.deep.equal(['5', '4', '3'].map((i) => `<li><a href="/recalls#recall-RC-${i}">`));
    expect(html).to.contain('<small>龙井绿茶、白茶 · <time>2026-05-05</time></small>').and.contain('<a href="/docs">接口文档</a>');
    const en = await (await fetch(`${url}/?lang=en`, { headers: { accept: 'text/html' } })).text();
    expect(en).to.contain('<small>Longjing tea, White tea · <time>2026-05-05</time></small>').and.contain('API documentation').and.contain('href="?lang=zh"');

    const found = await fetch(`${url}/lookup?gtin=6951234000356&lot=GT-2026-05A&lang=en`, { redirect: 'manual' });
    expect([found.status, found.headers.get('location')]).to.deep.equal([303, `/01/${GTIN}/10/GT-2026-05A?lang=en`]);

    const hostile = '"><script>alert(1)</script>';
    const failed = await fetch(`${url}/lookup?gtin=6951234000357&lot=${encodeURIComponent(hostile)}&lang=en`);
    const page = await failed.text();
    expect(failed.status).to.equal(400);
    expect(page).to.contain('<p class="formerror" role="alert" id="lookup-error">A barcode number has 8, 12, 13 or 14 digits and a valid check digit.<small>gtin: wrong check digit</small></p>');
    expect(page).to.contain('<input id="gtin" name="gtin" value="6951234000357"').and.contain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).to.not.contain('<script>');
    expect(page, 'the switch keeps what was typed').to.contain('href="?gtin=6951234000357&amp;lot=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E&amp;lang=zh"');
    const empty = await fetch(`${url}/lookup`, { headers: { 'accept-language': 'zh' } });
    expect([empty.status, (await empty.text()).includes('请输入二维码网址或追溯码')]).to.deep.equal([400, true]);
  });

  it('answers a program in JSON, with typed errors, and refuses a field given twice or too long', async () => {
    const url = await serve('https://zfc.example.cn', []);
    const json = await fetch(`${url}/`, { headers: { accept: 'application/json' } });
    expect(await json.json()).to.deep.equal({ name: 'Zhe Food Chain', links: { lookup: '/lookup{?code,gtin,lot,serial}', code: '/01/{gtin}/10/{lot}', recalls: '/recalls', docs: '/docs' } });
    const unit = await fetch(`${url}/lookup?code=${encodeURIComponent('urn:epc:id:sscc:0614141.1234567890')}`, { headers: { accept: 'application/json' } });
    expect([unit.status, ((await unit.json()) as Problem).error]).to.deep.equal([400, { code: 'INVALID_ARGUMENT', message: 'code: names a sscc, not a product, lot or item', details: { field: 'code', kind: 'sscc' } }]);
    const twice = await fetch(`${url}/lookup?gtin=${GTIN}&gtin=${GTIN}`);
    expect([twice.status, ((await twice.json()) as Problem).error.details]).to.deep.equal([400, { field: 'gtin' }]);
    const long = await fetch(`${url}/lookup?code=${'9'.repeat(2049)}`);
    expect([long.status, ((await long.json()) as Problem).error.details]).to.deep.equal([400, { field: 'code', limit: 2048 }]);
    const none = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect((await none.text()).includes('id="recalls"'), 'no recall: no section').to.equal(false);
  });

  it('lives under the base URL\'s path', async () => {
    const url = await serve('https://zfc.example.cn/trace', [notice(1)]);
    const home = await (await fetch(`${url}/trace/`, { headers: { accept: 'text/html' } })).text();
    expect(home).to.contain('action="/trace/lookup"').and.contain('href="/trace/recalls#recall-RC-1"');
    const found = await fetch(`${url}/trace/lookup?code=${encodeURIComponent(`(01)${GTIN}(10)L1`)}`, { redirect: 'manual' });
    expect(found.headers.get('location')).to.equal(`/trace/01/${GTIN}/10/L1`);
    expect((await fetch(`${url}/`)).status).to.equal(404);
    expect((await fetch(`${url}/lookup?gtin=${GTIN}`)).status).to.equal(404);
  });
});
