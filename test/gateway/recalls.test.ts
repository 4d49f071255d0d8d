/**
 * Recalls listed, on a real gateway and embedded ledger: GET /v1/recalls newest first, a page at
 * a time, and the public recall notices at /recalls (no key) — a page in the reader's language
 * whose every lot links to its consumer page, or JSON for a program — in the same order after a
 * restart reads the index back from its own store.
 */
import { expect } from 'chai';
import { mountPublicParts } from '../../gateway-api/public-parts';
import { startGateway } from '../../gateway-api/server';
import { call, created, gln, startTestGateway, withCheck, type Reply, type TestGateway } from './support';

const LEAF = withCheck('0695000000501');
const TEA = withCheck('0695000000502');

describe('gateway: recalls listed, and the public recall notices', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let base = '';
  const keys: Record<string, string> = {};

  const post = (who: string, url: string, body: unknown): Promise<Reply> => created(base, keys[who] as string, url, body, who);
  const ids = (r: Reply): string[] => {
    expect(r.status, r.text).to.equal(200);
    return (r.body.recalls as { recallId: string }[]).map((x) => x.recallId);
  };
  const sections = (html: string): string[] => [...html.matchAll(/<section class="notice" id="recall-([^"]+)">/g)].map((m) => m[1] as string);

  before(async () => {
    t = await startTestGateway();
    mountPublicParts(t.gw, t.gw.index, t.config);
    base = t.gw.url;
    keys['samr'] = t.regulatorKey;
    for (const p of [
      { id: 'farm', name: '龙井茶园 Longjing Farm', role: 'producer', licence: 'SC-F', gln: gln(91) },
      { id: 'proc', name: '杭州茶业 Hangzhou Tea Co', role: 'processor', licence: 'SC-P', gln: gln(92) },
    ]) keys[p.id] = (await post('samr', '/v1/participants', p)).body.apiKey;
    await post('farm', '/v1/products', { gtin: LEAF, name: '鲜叶 Fresh tea leaves', category: 'tea', unit: 'KGM', requiresTest: false });
    await post('proc', '/v1/products', { gtin: TEA, name: '龙井绿茶 Longjing green tea', category: 'tea', unit: 'KGM', requiresTest: false });
    for (const lot of ['F-1', 'F-2', 'F-<3>']) await post('farm', '/v1/lots', { gtin: LEAF, lot, quantity: 10, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(91) } });
    await post('farm', '/v1/shipments', { shipmentId: 'SH-1', to: 'proc', lines: [{ gtin: LEAF, lot: 'F-1', quantity: 10 }], origin: { gln: gln(91) } });
    await post('proc', '/v1/shipments/SH-1/receipt', { location: { gln: gln(92) } });
    await post('proc', '/v1/transformations', { transformationId: 'TR-1', inputs: [{ gtin: LEAF, lot: 'F-1', quantity: 10 }], output: { gtin: TEA, lot: 'P-1', quantity: 5, productionDate: '2026-04-05' }, location: { gln: gln(92) } });
    // issued in an order their IDs do not sort in: the index's store keeps recalls by ID
    await post('samr', '/v1/recalls', { recallId: 'RC-B', lots: [{ gtin: LEAF, lot: 'F-1' }], reason: '毒死蜱超标 Chlorpyrifos above the legal limit', class: 'I' });
    await post('samr', '/v1/recalls', { recallId: 'RC-A', lots: [{ gtin: LEAF, lot: 'F-2' }], reason: '标签错误 Labelling error', class: 'III' });
    await post('samr', '/v1/recalls', { recallId: 'RC-C', lots: [{ gtin: LEAF, lot: 'F-<3>' }], reason: '<script>alert(1)</script> 异物 Foreign matter', class: 'II' });
  });

  after(async () => {
    await t.stop();
  });

  it('lists recalls newest first, a page at a time, with what each reached', async () => {
    const all = await call(base, 'GET', '/v1/recalls', { key: keys['proc'] as string });
    expect(ids(all)).to.deep.equal(['RC-C', 'RC-A', 'RC-B']);
    expect(all.body.recalls[2]).to.include({ recallId: 'RC-B', status: 'complete', affectedCount: 2, recallClass: 'I', issuer: 'samr' });
    expect(all.body.recalls[2].lots).to.deep.equal([{ gtin: LEAF, lot: 'F-1' }]);
    const first = await call(base, 'GET', '/v1/recalls?limit=2', { key: keys['proc'] as string });
    expect(ids(first)).to.deep.equal(['RC-C', 'RC-A']);
    const second = await call(base, 'GET', `/v1/recalls?limit=2&cursor=${encodeURIComponent(first.body.next)}`, { key: keys['proc'] as string });
    expect([ids(second), second.body.next]).to.deep.equal([['RC-B'], undefined]);
    expect(ids(await call(base, 'GET', '/v1/recalls?status=propagating', { key: keys['proc'] as string }))).to.deep.equal([]);
    for (const [q, field] of [['status=open', 'status'], ['limit=0', 'limit'], ['recallId=RC-A', 'recallId']] as const) {
      const r = await call(base, 'GET', `/v1/recalls?${q}`, { key: keys['proc'] as string });
      expect([r.status, r.body.error.code, r.body.error.details.field], q).to.deep.equal([400, 'INVALID_ARGUMENT', field]);
    }
  });

  it('publishes the notices to anyone: a page whose lots link to their pages, or JSON', async () => {
    const page = await fetch(`${base}/recalls`, { headers: { accept: 'text/html', 'accept-language': 'zh-CN' } });
    const html = await page.text();
    expect(page.status, html).to.equal(200);
    expect(page.headers.get('content-security-policy')).to.contain("default-src 'none'");
    expect(sections(html)).to.deep.equal(['RC-C', 'RC-A', 'RC-B']);
    expect(html).to.contain('<h2>毒死蜱超标</h2>').and.contain('一级召回').and.contain('二级召回').and.contain('三级召回');
    // the farm lot and the tea made from it, each linking to its consumer page, which warns
    const rcB = html.slice(html.indexOf('id="recall-RC-B"'));
    expect(rcB).to.contain(`<b>鲜叶</b> <small>${LEAF}</small><div>批次: <a href="/01/${LEAF}/10/F-1">F-1</a></div>`);
    expect(rcB).to.contain(`<b>龙井绿茶</b> <small>${TEA}</small><div>批次: <a href="/01/${TEA}/10/P-1">P-1</a></div>`);
    const linked = await fetch(`${base}/01/${TEA}/10/P-1`, { headers: { accept: 'text/html', 'accept-language': 'zh-CN' } });
    const lotPage = await linked.text();
    expect(lotPage).to.contain('召回警告：请勿食用！');
    expect(lotPage, 'and links back to every notice').to.contain('<p><a href="/recalls">全部召回公告</a></p></section>');
    // everything from records escaped, a lot code in its link too
    expect(html).to.not.contain('<script>alert');
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt; 异物');
    expect(html).to.contain(`<a href="/01/${LEAF}/10/F-%3C3%3E">F-&lt;3&gt;</a>`);
    const en = await (await fetch(`${base}/recalls?lang=en`, { headers: { accept: 'text/html' } })).text();
    expect(en).to.contain('<h2>Chlorpyrifos above the legal limit</h2>').and.contain('Class I recall').and.contain('href="?lang=zh"');
    const json = await call(base, 'GET', '/recalls', { headers: { accept: 'application/json' } });
    expect(json.status, json.text).to.equal(200);
    expect(json.body.recalls.map((r: { recallId: string }) => r.recallId)).to.deep.equal(['RC-C', 'RC-A', 'RC-B']);
    expect(json.body.recalls[2]).to.deep.include({
      recallId: 'RC-B', status: 'complete', reason: { zh: '毒死蜱超标', en: 'Chlorpyrifos above the legal limit' }, recallClass: 'I',
      products: [{ gtin: LEAF, name: { zh: '鲜叶', en: 'Fresh tea leaves' }, lots: ['F-1'], moreLots: 0 }, { gtin: TEA, name: { zh: '龙井绿茶', en: 'Longjing green tea' }, lots: ['P-1'], moreLots: 0 }],
    });
  });

  it('keeps the order after a restart reads the index back from its own store', async () => {
    await t.gw.close();
    t = { ...t, gw: await startGateway(t.config) };
    mountPublicParts(t.gw, t.gw.index, t.config);
    base = t.gw.url;
    expect(ids(await call(base, 'GET', '/v1/recalls', { key: keys['proc'] as string }))).to.deep.equal(['RC-C', 'RC-A', 'RC-B']);
    expect(sections(await (await fetch(`${base}/recalls`)).text())).to.deep.equal(['RC-C', 'RC-A', 'RC-B']);
  });

  it('shows a new recall at once', async () => {
    expect(sections(await (await fetch(`${base}/recalls`)).text())).to.have.length(3); // built, and kept until a recall changes
    await post('farm', '/v1/lots', { gtin: LEAF, lot: 'F-4', quantity: 10, unit: 'KGM', productionDate: '2026-04-02', origin: { gln: gln(91) } });
    await post('samr', '/v1/recalls', { recallId: 'RC-D', lots: [{ gtin: LEAF, lot: 'F-4' }], reason: '复检不合格 Failed a second test', class: 'I' });
    const json = await call(base, 'GET', '/recalls', { headers: { accept: 'application/json' } });
    expect(json.body.recalls.map((r: { recallId: string }) => r.recallId)).to.deep.equal(['RC-D', 'RC-C', 'RC-A', 'RC-B']);
    expect(json.body.recalls[0]).to.deep.include({ status: 'complete', products: [{ gtin: LEAF, name: { zh: '鲜叶', en: 'Fresh tea leaves' }, lots: ['F-4'], moreLots: 0 }] });
  });
});
