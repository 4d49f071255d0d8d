/**
 * `zfc start` as a whole: the first start seeds the demo chain through real transactions and
 * writes the demo keys; the keys work for their roles; QR images, the resolver and the consumer
 * page answer from the trace index (with the recall warning); a second start reuses the data.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { start } from '../../gateway-api/commands';
import { loadConfig } from '../../gateway-api/config';
import { DEMO, type DemoKeys } from '../../gateway-api/demo-seed';
import { decodePayload } from '../../gateway-api/routes-write';
import { call, removeDir } from './support';

describe('gateway: zfc start with demo data', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-start-'));
  });

  after(async () => {
    await removeDir(dir);
  });

  it('seeds on the first start, serves every part, and reuses the data on the second', async () => {
    const lines: string[] = [];
    const config = loadConfig({ PORT: '0', ZFC_DATA: dir, BASE_URL: 'https://trace.example.cn' });
    let gw = await start(config, (l) => lines.push(l));
    let keys: DemoKeys;
    try {
      keys = JSON.parse(await fs.promises.readFile(path.join(dir, 'demo-keys.json'), 'utf8')) as DemoKeys;
      expect(Object.keys(keys)).to.have.members(['regulator', 'producer', 'processor', 'lab', 'distributor', 'retailer']);
      expect(lines.join('\n')).to.include(keys.retailer).and.to.include('curl');

      const u = gw.url;
      const recalled = await call(u, 'GET', `/v1/lots/${DEMO.tea}/${DEMO.recalledTeaLot}`, { key: keys.retailer });
      expect(recalled.body.status).to.equal('recalled');
      const fine = await call(u, 'GET', `/v1/lots/${DEMO.tea}/${DEMO.teaLot}`, { key: keys.retailer });
      expect(fine.body.status).to.equal('active');
      const back = await call(u, 'GET', `/v1/trace/back?gtin=${DEMO.tea}&serial=B00011`, { key: keys.regulator });
      expect(back.body.lots.map((l: { lot: string }) => l.lot)).to.have.members([DEMO.recalledTeaLot, DEMO.farmLot, DEMO.recalledFarmLot]);
      const pallet = await call(u, 'GET', `/v1/trace/back?sscc=${DEMO.pallet}`, { key: keys.distributor });
      expect(pallet.body.start.lots).to.deep.equal([{ gtin: DEMO.tea, lot: DEMO.teaLot }]);
      const refused = await call(u, 'POST', '/v1/scans', { key: keys.retailer, body: { kind: 'sale', gtin: DEMO.tea, serial: 'B00012', location: { gln: DEMO.shopGln } } });
      expect([refused.status, refused.body.error.code]).to.deep.equal([409, 'LOT_RECALLED']);
      const sold = await call(u, 'POST', '/v1/scans', { key: keys.retailer, body: { kind: 'sale', gtin: DEMO.tea, serial: 'A00009', location: { gln: DEMO.shopGln } } });
      expect(sold.status, sold.text).to.equal(201);
      // the regulator's plan: the shop still holds recalled tea, and its inspection found no withdrawal log
      const plan = await call(u, 'GET', '/v1/inspections/plan', { key: keys.regulator });
      const shop = (plan.body.sites as { participant: { gln: string }; lastInspection?: { inspectedAt: string }; signals: { kind: string }[] }[]).find((x) => x.participant.gln === DEMO.shopGln);
      expect(shop?.lastInspection).to.include({ inspectionId: 'INS-2026-001', outcome: 'minor_findings' });
      expect(shop?.signals.map((x) => x.kind)).to.have.members(['recalled_stock', 'inspection_findings']);
      const inspection = await call(u, 'GET', '/v1/inspections/INS-2026-001', { key: keys.retailer });
      expect([inspection.status, inspection.body.findings]).to.deep.equal([200, '召回茶叶已下架，未做下架记录 Recalled tea off the shelves; no withdrawal log kept']);
      expect((await call(u, 'GET', '/v1/inspections/INS-2026-001', { key: keys.distributor })).status, 'another site\'s inspection').to.equal(404);
      // the recall's progress: another shop destroyed its recalled tea under supervision, the rest is still out there
      const recall = await call(u, 'GET', '/v1/recalls/RC-2026-001', { key: keys.regulator });
      const tea = (recall.body.progress.lots as { lot: { lot: string }; disposed: number; sold: number; holders: { participant: string }[] }[]).find((l) => l.lot.lot === DEMO.recalledTeaLot);
      expect([recall.body.progress.closedOut, tea?.disposed, tea?.sold, tea?.holders.map((h) => h.participant).includes('hefang-shop'), tea?.holders.map((h) => h.participant).includes('westlake-market')]).to.deep.equal([false, 150, 1, false, true]);
      // the shop's inbox: the restock on its way
      const inbox = await call(u, 'GET', '/v1/shipments?direction=incoming&status=in_transit', { key: keys.retailer });
      expect(inbox.body.shipments.map((s: { shipmentId: string; from: string }) => [s.shipmentId, s.from]), inbox.text).to.deep.equal([['SH-3004', 'east-logistics']]);

      const png = await fetch(`${u}/qr/png/01/${DEMO.tea}/10/${DEMO.teaLot}`);
      expect(png.status).to.equal(200);
      expect(png.headers.get('content-type')).to.equal('image/png');
      const page = await fetch(`${u}/01/${DEMO.tea}/10/${DEMO.recalledTeaLot}/21/B00012`, { headers: { 'accept-language': 'zh-CN' } });
      const html = await page.text();
      expect(page.status).to.equal(200);
      expect(html).to.include('请勿食用');
      // the shop's inspection, on its step of the path as regulators publish results: outcome, date, authority; never the findings
      const published = /<small class="inspected">监督检查：<span class="insp minor_findings">基本符合<\/span> <time>(\d{4}-\d{2}-\d{2})<\/time> · 浙江省市场监管局<\/small>/.exec(html);
      expect(published?.[1], 'the shop\'s inspection on the page').to.equal(shop?.lastInspection?.inspectedAt.slice(0, 10));
      expect(html.match(/class="inspected"/g), 'only the inspected shop').to.have.length(1);
      expect(html).to.not.include('未做下架记录');
      // the tea itself was not tested: its page shows its raw materials' tests, first the farm lot's failed one the recall is about
      expect(html).to.match(/<ul class="tests"><li class="fail"><span class="verdict">✗ 不合格<\/span><b>chlorpyrifos<\/b> 0\.42 mg\/kg \(限量 ≤ 0\.1 mg\/kg\)<small class="material">原料批次 AJ-2026-038 · 安吉白茶场<\/small>/);
      // the public recall notices: the demo's recall, the farm lot and the tea made from it
      const notices = await call(u, 'GET', '/recalls', { headers: { accept: 'application/json' } });
      expect(notices.body.recalls.map((r: { recallId: string; products: { lots: string[] }[] }) => [r.recallId, r.products.flatMap((p) => p.lots).sort()])).to.deep.equal([['RC-2026-001', [DEMO.recalledFarmLot, DEMO.recalledTeaLot].sort()]]);
      // the home page (the address npm start prints): the latest recall, and the lookup by the numbers printed on the package
      expect(lines.join('\n')).to.include(`open in a browser: ${u}/ (`);
      const home = await fetch(`${u}/`, { headers: { accept: 'text/html', 'accept-language': 'zh-CN' } });
      const homeHtml = await home.text();
      expect([home.status, homeHtml.match(/<section class="notice" id="recalls">.*?<\/section>/)?.[0]]).to.deep.equal([200,
        '<section class="notice" id="recalls"><h2>最新召回</h2><ul class="tests"><li><a href="/recalls#recall-RC-2026-001"><b>毒死蜱超标</b></a>'
        + `<small>${notices.body.recalls[0].products.map((p: { name: { zh: string } }) => p.name.zh).join('、')} · <time>${notices.body.recalls[0].since.slice(0, 10)}</time></small></li></ul>`
        + '<p><a href="/recalls">全部召回公告</a></p></section>']);
      const found = await fetch(`${u}/lookup?gtin=${DEMO.tea.slice(1)}&lot=${DEMO.recalledTeaLot}&serial=B00012`, { redirect: 'manual' });
      expect([found.status, found.headers.get('location')]).to.deep.equal([303, `/01/${DEMO.tea}/10/${DEMO.recalledTeaLot}/21/B00012`]);
      const landed = await fetch(`${u}/lookup?code=${encodeURIComponent(`(01)${DEMO.tea}(10)${DEMO.recalledTeaLot}(21)B00012`)}`, { headers: { 'accept-language': 'zh-CN' } });
      expect([landed.status, landed.url, (await landed.text()).includes('请勿食用')]).to.deep.equal([200, `${u}/01/${DEMO.tea}/10/${DEMO.recalledTeaLot}/21/B00012`, true]);
      const json = await call(u, 'GET', `/01/${DEMO.tea}/10/${DEMO.teaLot}`, { headers: { accept: 'application/json' } });
      expect(json.status, json.text).to.equal(200);

      // every lot of the demo: the index's traces reach the same lots as the chaincode's own
      const regulator = (await gw.store.wallet.get('zj-samr'))!;
      const all = await call(u, 'GET', '/v1/lots', { key: keys.regulator });
      const key = (l: { gtin: string; lot: string }): string => `${l.gtin}/${l.lot}`;
      for (const lot of all.body.lots as { gtin: string; lot: string }[]) {
        for (const [fn, route] of [['TraceBack', 'back'], ['TraceForward', 'forward']] as const) {
          const onLedger = decodePayload(await gw.ledger.evaluate(fn, [JSON.stringify({ gtin: lot.gtin, lot: lot.lot })], regulator)) as { lots: { gtin: string; lot: string }[] };
          const fromIndex = await call(u, 'GET', `/v1/trace/${route}?gtin=${lot.gtin}&lot=${encodeURIComponent(lot.lot)}`, { key: keys.regulator });
          expect(fromIndex.body.lots.map(key).sort(), `${fn} ${key(lot)}`).to.deep.equal(onLedger.lots.map(key).sort());
        }
      }
    } finally {
      await gw.close();
    }

    lines.length = 0;
    gw = await start(config, (l) => lines.push(l));
    try {
      expect(lines.join('\n')).to.not.include('seeding');
      expect(lines.join('\n')).to.include(keys.regulator);
      const lots = await call(gw.url, 'GET', '/v1/lots', { key: keys.regulator });
      expect(lots.body.lots).to.have.length(4);
      const sold = await call(gw.url, 'GET', `/v1/lots/${DEMO.tea}/${DEMO.teaLot}`, { key: keys.regulator });
      const market = sold.body.holders.find((h: { participant: string }) => h.participant === 'westlake-market');
      expect(market.sales).to.equal(3);
    } finally {
      await gw.close();
    }
  });

  it('rate-limits the public parts (QR images, resolver) like the other public routes', async () => {
    const own = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-start-rl-'));
    const gw = await start(loadConfig({ PORT: '0', ZFC_DATA: own, RATE_BURST: '2', RATE_LIMIT: '1' }), () => undefined);
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await fetch(`${gw.url}/qr/svg/01/${DEMO.tea}/10/${DEMO.teaLot}`)).status);
      codes.push((await fetch(`${gw.url}/01/${DEMO.tea}`)).status);
      expect(codes).to.deep.equal([200, 200, 429, 429]);
      const key = (JSON.parse(await fs.promises.readFile(path.join(own, 'demo-keys.json'), 'utf8')) as DemoKeys).regulator;
      expect((await call(gw.url, 'GET', '/v1/lots', { key })).status, 'API routes are not rate-limited by address').to.equal(200);
    } finally {
      await gw.close();
      await removeDir(own);
    }
  });

  it('refuses a second process on the same data folder, clearly, and leaves the first running', async () => {
    const config = loadConfig({ PORT: '0', ZFC_DATA: dir, DEMO_SEED: 'false' });
    const first = await start(config, () => undefined);
    try {
      let message = '';
      try {
        await start(config, () => undefined);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.match(/is another zfc using ZFC_DATA=/);
      expect((await call(first.url, 'GET', '/healthz')).status).to.equal(200);
    } finally {
      await first.close();
    }
  });

  it('stops a start on an unknown ledger kind, and LEDGER=fabric without a network, with a clear message', async () => {
    expect(() => loadConfig({ LEDGER: 'blockchain' })).to.throw(/LEDGER="blockchain": must be embedded or fabric/);
    const config = loadConfig({ PORT: '0', ZFC_DATA: dir, LEDGER: 'fabric', FABRIC_NETWORK: path.join(dir, 'no-network') });
    let message = '';
    try {
      await start(config, () => undefined);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/LEDGER=fabric: cannot open the Fabric network/);
  });
});
