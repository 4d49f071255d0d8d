/**
 * The public recall notices page on a real Koa server, from an in-memory source: the lots a
 * notice lists and how many more, a recall still being traced, none at all, a deployment under a
 * path prefix, and a program's JSON.
 */
import { expect } from 'chai';
import Koa from 'koa';
import { createRecallNoticesRouter, type RecallNoticeView } from '../../qr-service';
import { errorMiddleware } from '../../gateway-api/error-middleware';
import { listen } from './support';

const GTIN = '09506000134352';
const NOTICE: RecallNoticeView = {
  recallId: 'RC-9', status: 'propagating', since: '2026-05-01', recallClass: 'I',
  reason: { zh: '沙门氏菌', en: 'Salmonella' }, authority: { zh: '杭州市市场监督管理局', en: 'Hangzhou Market Supervision Administration' },
  products: [{ gtin: GTIN, name: { zh: '西湖龙井茶', en: 'West Lake Longjing Tea' }, lots: ['L1', 'L2'], moreLots: 31 }],
};

describe('qr-service: recall notices', () => {
  const servers: Array<{ url: string; close: () => Promise<void> }> = [];
  const serve = async (baseUrl: string, notices: readonly RecallNoticeView[]): Promise<string> => {
    const app = new Koa();
    app.use(errorMiddleware());
    app.use(createRecallNoticesRouter({ baseUrl, source: { recalls: async () => notices } }).routes());
    const s = await listen(app);
    servers.push(s);
    return s.url;
  };
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('lists what a notice reached, how many lots more, and that it is still being traced', async () => {
    const url = await serve('https://zfc.example.cn/trace', [NOTICE]);
    const en = await (await fetch(`${url}/trace/recalls?lang=en`, { headers: { accept: 'text/html' } })).text();
    expect(en).to.contain('<h2>Salmonella</h2>').and.contain('Class I recall · Tracing downstream lots');
    expect(en).to.contain(`<a href="/trace/01/${GTIN}/10/L1">L1</a> <a href="/trace/01/${GTIN}/10/L2">L2</a> <small>and 31 more lots</small>`);
    expect(en).to.contain('Hangzhou Market Supervision Administration');
    const zh = await (await fetch(`${url}/trace/recalls`, { headers: { accept: 'text/html', 'accept-language': 'zh' } })).text();
    expect(zh).to.contain('另有 31 个批次').and.contain('正在追溯下游批次').and.contain('href="?lang=en"');
    expect((await fetch(`${url}/recalls`)).status, 'only under the prefix').to.equal(404);
    const json = await (await fetch(`${url}/trace/recalls`, { headers: { accept: 'application/json' } })).json();
    expect(json).to.deep.equal({ recalls: [NOTICE] });
  });

  it('says when there is no recall', async () => {
    const url = await serve('https://zfc.example.cn', []);
    const page = await fetch(`${url}/recalls`, { headers: { accept: 'text/html', 'accept-language': 'en' } });
    const html = await page.text();
    expect([page.status, page.headers.get('content-language')]).to.deep.equal([200, 'en']);
    expect(html).to.contain('There are no recall notices.');
    expect(html).to.not.contain('class="notice"');
  });
});
