/**
 * Closing out a recall, on a real gateway and embedded ledger: shops and the processor destroy
 * the recalled tea they hold (POST /v1/disposals), and GET /v1/recalls/{id} says what became of
 * each lot the recall reached — sold before it, destroyed, still held and by whom, on its way —
 * until nothing is left; the stock list, the inspection plan, the forward trace and its CSV
 * agree; a replayed request destroys nothing twice; recalled stock goes back to its maker (a
 * return) to be destroyed there; a shop's own EPCIS destroying event counts as its disposal; the
 * answers are the same after a restart.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mountPublicParts } from '../../gateway-api/public-parts';
import { startGateway } from '../../gateway-api/server';
import { recallCsv } from '../../gateway-api/recall-csv';
import { TraceIndex } from '../../gateway-api/trace-index';
import type { Fact } from '../../gateway-api/trace-model';
import type { LedgerEvent } from '../../ledger-tools';
import { call, created, gln, removeDir, startTestGateway, withCheck, type Reply, type TestGateway } from './support';
import { glnUri, itemUri, lotUri } from '../../chaincode/digital-link';
import { ApiClient, traceIndexed } from '../epcis/api-client';
import { documentOf } from '../epcis/fixtures';

const LEAF = withCheck('0695000000601');
const TEA = withCheck('0695000000602');
/** Each participant's site (the number its GLN is made from). */
const SITE: Record<string, number> & { farm: number; proc: number; shop: number; shop2: number } = { farm: 61, proc: 62, shop: 63, shop2: 64 };

type LotProgress = { lot: { gtin: string; lot: string }; unit: string; produced: number; sold: number; disposed: number; consumed: number; held: number; inTransit: number; holders: { participant: string; holding: number }[] };

describe('gateway: disposals close a recall out', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let base = '';
  const keys: Record<string, string> = {};
  const post = (who: string, url: string, body: unknown): Promise<Reply> => created(base, keys[who] as string, url, body, who);
  const progress = async (): Promise<{ closedOut: boolean; lots: LotProgress[] }> => {
    const r = await call(base, 'GET', '/v1/recalls/RC-1', { key: keys['samr'] as string });
    expect(r.status, r.text).to.equal(200);
    return r.body.progress;
  };
  const itemPage = (serial: string): string => `/01/${LEAF}/10/F-7/21/${serial}`;
  /** The regulator's warnings of destroyed items scanned since, in brief. */
  type Warning = { kind: string; lot?: { lot: string }; message: string; details: Record<string, unknown> };
  /** The regulator's warnings of one kind. */
  const warningsOf = async (kind: string): Promise<Warning[]> => {
    const r = await call(base, 'GET', '/v1/warnings', { key: keys['samr'] as string });
    expect(r.status, r.text).to.equal(200);
    return (r.body.warnings as Warning[]).filter((w) => w.kind === kind);
  };
  const seen = async (): Promise<unknown[]> => (await warningsOf('destroyed_item_scanned')).map(({ details: d }) => ({ serial: d['serial'], disposedBy: d['disposedBy'], scans: d['scans'], lastPlace: d['lastPlace'] }));
  const destroy = (who: string, disposalId: string, quantity: number): Promise<Reply> =>
    post(who, '/v1/disposals', { disposalId, gtin: TEA, lot: 'P-1', quantity, method: 'destroyed', reason: '召回 RC-1 监督销毁 Destroyed under supervision', location: { gln: gln(SITE[who] ?? 0) } });

  before(async () => {
    t = await startTestGateway();
    mountPublicParts(t.gw, t.gw.index, t.config); // the consumer pages, as `npm start` mounts them
    base = t.gw.url;
    keys['samr'] = t.regulatorKey;
    for (const p of [
      { id: 'farm', name: '龙井茶园 Longjing Farm', role: 'producer', licence: 'SC-F', gln: gln(SITE.farm) },
      { id: 'proc', name: '杭州茶业 Hangzhou Tea Co', role: 'processor', licence: 'SC-P', gln: gln(SITE.proc) },
      { id: 'shop', name: '西湖市场 West Lake Market', role: 'retailer', licence: 'SC-S', gln: gln(SITE.shop) },
      { id: 'shop2', name: '宁波超市 Ningbo Mart', role: 'retailer', licence: 'SC-S2', gln: gln(SITE.shop2) },
    ]) keys[p.id] = (await post('samr', '/v1/participants', p)).body.apiKey;
    await post('farm', '/v1/products', { gtin: LEAF, name: '鲜叶 Fresh tea leaves', category: 'tea', unit: 'KGM', requiresTest: false });
    await post('proc', '/v1/products', { gtin: TEA, name: '龙井绿茶 Longjing green tea', category: 'tea', unit: 'KGM', requiresTest: false });
    await post('farm', '/v1/lots', { gtin: LEAF, lot: 'F-1', quantity: 10, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(61) } });
    await post('farm', '/v1/shipments', { shipmentId: 'SH-1', to: 'proc', lines: [{ gtin: LEAF, lot: 'F-1', quantity: 10 }], origin: { gln: gln(61) } });
    await post('proc', '/v1/shipments/SH-1/receipt', { location: { gln: gln(62) } });
    await post('proc', '/v1/transformations', { transformationId: 'TR-1', inputs: [{ gtin: LEAF, lot: 'F-1', quantity: 10 }], output: { gtin: TEA, lot: 'P-1', quantity: 5, productionDate: '2026-04-05' }, location: { gln: gln(62) } });
    await post('proc', '/v1/shipments', { shipmentId: 'SH-2', to: 'shop', lines: [{ gtin: TEA, lot: 'P-1', quantity: 3 }], origin: { gln: gln(62) } });
    await post('shop', '/v1/shipments/SH-2/receipt', { location: { gln: gln(63) } });
    await post('proc', '/v1/shipments', { shipmentId: 'SH-3', to: 'shop2', lines: [{ gtin: TEA, lot: 'P-1', quantity: 1 }], origin: { gln: gln(62) } }); // still on its way at the recall
    await post('shop', '/v1/scans', { kind: 'sale', gtin: TEA, lot: 'P-1', quantity: 0.5, location: { gln: gln(63) } });
    await post('samr', '/v1/recalls', { recallId: 'RC-1', lots: [{ gtin: LEAF, lot: 'F-1' }], reason: '毒死蜱超标 Chlorpyrifos above the legal limit', class: 'I' });
  });

  after(async () => {
    await t.stop();
  });

  it('says what became of each lot the recall reached, until nothing is left out there', async () => {
    const at = await progress();
    expect(at.closedOut).to.equal(false);
    expect(at.lots).to.deep.equal([
      { lot: { gtin: LEAF, lot: 'F-1' }, unit: 'KGM', produced: 10, sold: 0, disposed: 0, consumed: 10, held: 0, inTransit: 0, holders: [] }, // all of it went into the tea
      { lot: { gtin: TEA, lot: 'P-1' }, unit: 'KGM', produced: 5, sold: 0.5, disposed: 0, consumed: 0, held: 3.5, inTransit: 1, holders: [{ participant: 'proc', holding: 1 }, { participant: 'shop', holding: 2.5 }] },
    ].sort((a, b) => (`${a.lot.gtin}|${a.lot.lot}` < `${b.lot.gtin}|${b.lot.lot}` ? -1 : 1)));
    const plan = async (): Promise<string[]> => ((await call(base, 'GET', '/v1/inspections/plan', { key: keys['samr'] as string })).body.sites as { participant: { id: string }; signals: { kind: string }[] }[])
      .filter((s) => s.signals.some((x) => x.kind === 'recalled_stock')).map((s) => s.participant.id).sort();
    expect(await plan()).to.deep.equal(['proc', 'shop']);

    const shopDestroyed = await destroy('shop', 'DS-1', 2.5);
    expect(shopDestroyed.body.result.body.disposal).to.include({ disposalId: 'DS-1', holder: 'shop', lotStatus: 'recalled', recallId: 'RC-1', quantity: 2.5 });
    await destroy('proc', 'DS-2', 1);
    const mid = await progress();
    expect([mid.closedOut, mid.lots.find((l) => l.lot.lot === 'P-1')]).to.deep.equal([false,
      { lot: { gtin: TEA, lot: 'P-1' }, unit: 'KGM', produced: 5, sold: 0.5, disposed: 3.5, consumed: 0, held: 0, inTransit: 1, holders: [] }]);
    expect(await plan(), 'destroyed stock is no longer held').to.deep.equal([]);

    // the shipment on its way arrives (a receipt of recalled stock is taken: it has to go somewhere), and is destroyed in turn
    await post('shop2', '/v1/shipments/SH-3/receipt', { location: { gln: gln(64) } });
    const arrived = await progress();
    expect(arrived.closedOut, 'held by the shop it arrived at').to.equal(false);
    expect(arrived.lots.find((l) => l.lot.lot === 'P-1')).to.include({ held: 1, inTransit: 0 });
    await destroy('shop2', 'DS-3', 1);
    const done = await progress();
    expect([done.closedOut, done.lots.find((l) => l.lot.lot === 'P-1')]).to.deep.equal([true,
      { lot: { gtin: TEA, lot: 'P-1' }, unit: 'KGM', produced: 5, sold: 0.5, disposed: 4.5, consumed: 0, held: 0, inTransit: 0, holders: [] }]);
    const stock = await call(base, 'GET', '/v1/holdings?status=recalled', { key: keys['samr'] as string });
    expect(stock.body.holdings).to.deep.equal([]);
    // a page of lots at a time (a recall may reach tens of thousands), closedOut over them all
    const first = await call(base, 'GET', '/v1/recalls/RC-1?limit=1', { key: keys['samr'] as string });
    const second = await call(base, 'GET', `/v1/recalls/RC-1?limit=1&cursor=${encodeURIComponent(first.body.progress.next)}`, { key: keys['samr'] as string });
    expect([...first.body.progress.lots, ...second.body.progress.lots]).to.deep.equal(done.lots);
    // the lots reached, paged alike: the answer stays small however far a recall reached
    expect([first.body.affected, second.body.affected, first.body.affectedCount, second.body.affectedCount])
      .to.deep.equal([[first.body.progress.lots[0].lot], [second.body.progress.lots[0].lot], 2, 2]);
    expect([first.body.progress.closedOut, second.body.progress.closedOut, second.body.progress.next]).to.deep.equal([true, true, undefined]);
    for (const [q, field] of [['limit=0', 'limit'], ['limit=501', 'limit'], ['page=2', 'page'], ['cursor=a&cursor=b', 'cursor']] as const) {
      const r = await call(base, 'GET', `/v1/recalls/RC-1?${q}`, { key: keys['samr'] as string });
      expect([r.status, r.body.error.code, r.body.error.details.field], q).to.deep.equal([400, 'INVALID_ARGUMENT', field]);
    }
  });

  it('shows the disposals in the forward trace and its CSV, and destroys nothing twice on a replay', async () => {
    const forward = await call(base, 'GET', `/v1/trace/forward?gtin=${LEAF}&lot=F-1`, { key: keys['samr'] as string });
    const holders = (forward.body.holders as { lot: { lot: string }; participant: string; disposed: number; sold: number }[]).filter((h) => h.lot.lot === 'P-1');
    expect(holders.map((h) => [h.participant, h.sold, h.disposed]).sort()).to.deep.equal([['proc', 0, 1], ['shop', 0.5, 2.5], ['shop2', 0, 1]]);
    const csv = await fetch(`${base}/v1/trace/forward?gtin=${LEAF}&lot=F-1&format=csv`, { headers: { authorization: `Bearer ${keys['samr'] as string}` } });
    const rows = (await csv.text()).trimEnd().split('\r\n').filter((l) => l.startsWith('destroying,'));
    // every column but the date (index 8), which must be a time
    const cells = rows.map((l) => l.split(','));
    expect(cells.map((c) => [...c.slice(0, 8), ...c.slice(9, 11)].join(','))).to.have.members([
      `destroying,P-1,${TEA},龙井绿茶 Longjing green tea,2.5,KGM,${gln(SITE.shop)},西湖市场 West Lake Market,${gln(SITE.shop)},disposed`,
      `destroying,P-1,${TEA},龙井绿茶 Longjing green tea,1,KGM,${gln(SITE.proc)},杭州茶业 Hangzhou Tea Co,${gln(SITE.proc)},disposed`,
      `destroying,P-1,${TEA},龙井绿茶 Longjing green tea,1,KGM,${gln(SITE.shop2)},宁波超市 Ningbo Mart,${gln(SITE.shop2)},disposed`,
    ]);
    expect(cells.every((c) => !Number.isNaN(Date.parse(c[8] ?? '')))).to.equal(true);

    // a replay of an acknowledged request answers the same and destroys nothing more; the same ID under another key is a conflict
    await post('farm', '/v1/lots', { gtin: LEAF, lot: 'F-2', quantity: 10, unit: 'KGM', productionDate: '2026-04-02', origin: { gln: gln(61) } });
    const body = { disposalId: 'DS-9', gtin: LEAF, lot: 'F-2', quantity: 4, method: 'disposed', reason: '霉变 mould', location: { gln: gln(61) } };
    const headers = { 'idempotency-key': 'dispose-f2' };
    const first = await call(base, 'POST', '/v1/disposals', { key: keys['farm'] as string, body, headers });
    const again = await call(base, 'POST', '/v1/disposals', { key: keys['farm'] as string, body, headers });
    expect([first.status, again.status, again.body.txId]).to.deep.equal([201, 201, first.body.txId]);
    const other = await call(base, 'POST', '/v1/disposals', { key: keys['farm'] as string, body, headers: { 'idempotency-key': 'dispose-f2-b' } });
    expect([other.status, other.body.error.code]).to.deep.equal([409, 'CONFLICT']);
    const lot = await call(base, 'GET', `/v1/lots/${LEAF}/F-2`, { key: keys['farm'] as string });
    expect(lot.body.holders.map((h: { participant: string; holding: number; disposed: number }) => [h.participant, h.holding, h.disposed])).to.deep.equal([['farm', 6, 4]]);
    for (const [change, status, code] of [[{ quantity: 7 }, 409, 'QUANTITY_EXCEEDS_HOLDING'], [{ quantity: -1 }, 400, 'INVALID_ARGUMENT'], [{ method: 'burnt' }, 400, 'INVALID_ARGUMENT'], [{ reason: undefined }, 400, 'INVALID_ARGUMENT']] as const) {
      const r = await call(base, 'POST', '/v1/disposals', { key: keys['farm'] as string, body: { ...body, disposalId: 'DS-10', ...change } });
      expect([r.status, r.body.error.code], JSON.stringify(change)).to.deep.equal([status, code]);
    }
  });

  it('takes recalled stock back to its maker (a return), on its way and then held there, until the maker destroys it', async () => {
    await post('farm', '/v1/lots', { gtin: LEAF, lot: 'F-3', quantity: 4, unit: 'KGM', productionDate: '2026-04-03', origin: { gln: gln(61) } });
    await post('farm', '/v1/shipments', { shipmentId: 'SH-31', to: 'proc', lines: [{ gtin: LEAF, lot: 'F-3', quantity: 4 }], origin: { gln: gln(61) } });
    await post('proc', '/v1/shipments/SH-31/receipt', { location: { gln: gln(62) } });
    await post('samr', '/v1/recalls', { recallId: 'RC-3', lots: [{ gtin: LEAF, lot: 'F-3' }], reason: '异物 Foreign matter', class: 'II' });
    const lotOf = async (): Promise<LotProgress | undefined> =>
      ((await call(base, 'GET', '/v1/recalls/RC-3', { key: keys['samr'] as string })).body.progress.lots as LotProgress[]).find((l) => l.lot.lot === 'F-3');
    const ordinary = await call(base, 'POST', '/v1/shipments', { key: keys['proc'] as string, body: { shipmentId: 'SH-32', to: 'farm', lines: [{ gtin: LEAF, lot: 'F-3', quantity: 4 }], origin: { gln: gln(62) } } });
    expect([ordinary.status, ordinary.body.error.code]).to.deep.equal([409, 'LOT_RECALLED']);
    await post('proc', '/v1/shipments', { shipmentId: 'SH-32', to: 'farm', lines: [{ gtin: LEAF, lot: 'F-3', quantity: 4 }], origin: { gln: gln(62) }, purpose: 'return' });
    expect(await lotOf()).to.include({ held: 0, inTransit: 4 });
    const inbox = await call(base, 'GET', '/v1/shipments?direction=incoming&status=in_transit', { key: keys['farm'] as string });
    expect(inbox.body.shipments.map((x: { shipmentId: string; purpose?: string }) => [x.shipmentId, x.purpose])).to.deep.equal([['SH-32', 'return']], 'the maker sees a return coming, not an order');
    expect((await call(base, 'GET', '/v1/shipments/SH-31', { key: keys['farm'] as string })).body.purpose, 'an ordinary shipment says none').to.equal(undefined);
    await post('farm', '/v1/shipments/SH-32/receipt', { location: { gln: gln(61) } });
    expect(await lotOf()).to.deep.include({ held: 4, inTransit: 0, holders: [{ participant: 'farm', holding: 4 }] });
    await post('farm', '/v1/disposals', { disposalId: 'DS-31', gtin: LEAF, lot: 'F-3', quantity: 4, method: 'destroyed', reason: '退回销毁 returned and destroyed', location: { gln: gln(61) } });
    expect(await lotOf()).to.include({ held: 0, inTransit: 0, disposed: 4 });
    expect((await call(base, 'GET', '/v1/recalls/RC-3', { key: keys['samr'] as string })).body.progress.closedOut).to.equal(true);
  });

  it('counts what a shop\'s own EPCIS system says it destroyed (POST /epcis/capture, zfc:disposalId) as a disposal', async () => {
    await post('farm', '/v1/lots', { gtin: LEAF, lot: 'F-4', quantity: 6, unit: 'KGM', productionDate: '2026-04-04', origin: { gln: gln(61) } });
    await post('farm', '/v1/shipments', { shipmentId: 'SH-41', to: 'shop', lines: [{ gtin: LEAF, lot: 'F-4', quantity: 6 }], origin: { gln: gln(61) } });
    await post('shop', '/v1/shipments/SH-41/receipt', { location: { gln: gln(63) } });
    await post('samr', '/v1/recalls', { recallId: 'RC-4', lots: [{ gtin: LEAF, lot: 'F-4' }], reason: '异物 Foreign matter', class: 'II' });
    const client = new ApiClient(() => base);
    client.keys['shop'] = keys['shop'] as string;
    const destroying = (extra: Record<string, unknown>): Record<string, unknown> => ({
      type: 'ObjectEvent', eventTime: '2026-04-06T09:00:00Z', eventTimeZoneOffset: '+08:00', action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed',
      quantityList: [{ epcClass: lotUri(LEAF, 'F-4'), quantity: 2, uom: 'KGM' }], bizLocation: { id: glnUri(gln(SITE.shop)) }, ...extra,
    });
    const document = (events: unknown[]) => ({ ...documentOf(events), '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { zfc: 'https://ns.zhefoodchain.org/epcis/' }] });
    const job = await client.captureDocument('shop', document([destroying({ 'zfc:disposalId': 'DS-41', 'zfc:reason': '门店监督销毁' }), destroying({ eventTime: '2026-04-06T09:05:00Z' })]));
    expect([job['success'], job['captured']], JSON.stringify(job['errors'])).to.deep.equal([true, 2]);
    await traceIndexed(t.gw);
    const lot = ((await call(base, 'GET', '/v1/recalls/RC-4', { key: keys['samr'] as string })).body.progress.lots as LotProgress[]).find((l) => l.lot.lot === 'F-4');
    expect(lot, 'the event without a disposal ID is evidence only').to.deep.include({ disposed: 2, held: 4, holders: [{ participant: 'shop', holding: 4 }] });
    const holding = await call(base, 'GET', `/v1/lots/${LEAF}/F-4`, { key: keys['shop'] as string });
    expect(holding.body.holders.map((h: { participant: string; holding: number; disposed: number }) => [h.participant, h.holding, h.disposed])).to.deep.include(['shop', 4, 2]);
    // one lot per disposal: refused with the field named, and nothing taken
    const two = await client.captureDocument('shop', document([destroying({ 'zfc:disposalId': 'DS-42', quantityList: [{ epcClass: lotUri(LEAF, 'F-4'), quantity: 1 }, { epcClass: lotUri(LEAF, 'F-4'), quantity: 1 }] })]));
    expect([two['success'], two['errors'][0].code, two['errors'][0].path]).to.deep.equal([false, 'INVALID_ARGUMENT', '/epcisBody/eventList/0/quantityList']);
    expect((await call(base, 'GET', `/v1/lots/${LEAF}/F-4`, { key: keys['shop'] as string })).body.holders.find((h: { participant: string }) => h.participant === 'shop')).to.include({ holding: 4 });
  });

  it('gives the whole progress as a spreadsheet: a row per lot and holder, with the holder\'s GLN and latest inspection', async () => {
    const lotCode = '=P5(A1)'; // a legal lot code that a spreadsheet would run as a formula
    await post('farm', '/v1/lots', { gtin: LEAF, lot: 'F-5', quantity: 10, unit: 'KGM', productionDate: '2026-04-05', origin: { gln: gln(61) } });
    await post('farm', '/v1/shipments', { shipmentId: 'SH-51', to: 'proc', lines: [{ gtin: LEAF, lot: 'F-5', quantity: 10 }], origin: { gln: gln(61) } });
    await post('proc', '/v1/shipments/SH-51/receipt', { location: { gln: gln(62) } });
    await post('proc', '/v1/transformations', { transformationId: 'TR-5', inputs: [{ gtin: LEAF, lot: 'F-5', quantity: 10 }], output: { gtin: TEA, lot: lotCode, quantity: 5, productionDate: '2026-04-06' }, location: { gln: gln(62) } });
    for (const [id, to] of [['SH-52', 'shop'], ['SH-53', 'shop2']] as const) {
      await post('proc', '/v1/shipments', { shipmentId: id, to, lines: [{ gtin: TEA, lot: lotCode, quantity: 1 }], origin: { gln: gln(62) } });
      await post(to, `/v1/shipments/${id}/receipt`, { location: { gln: gln(SITE[to]) } });
    }
    await post('samr', '/v1/inspections', { inspectionId: 'INS-5', participant: 'shop', inspectedAt: '2026-04-07T02:00:00Z', outcome: 'non_compliant', findings: 'recalled tea on the shelf' });
    await post('samr', '/v1/recalls', { recallId: 'RC-5', lots: [{ gtin: LEAF, lot: 'F-5' }], reason: '农残 Residue', class: 'I' });
    const r = await fetch(`${base}/v1/recalls/RC-5?format=csv`, { headers: { authorization: `Bearer ${keys['samr'] as string}` } });
    expect([r.status, r.headers.get('content-type'), r.headers.get('content-disposition')]).to.deep.equal([200, 'text/csv; charset=utf-8', 'attachment; filename="recall-RC-5.csv"']);
    const lines = (await r.text()).split('\r\n');
    expect(lines.pop(), 'the last line ends with CRLF').to.equal('');
    expect(lines).to.deep.equal([
      'recall_id,gtin,traceability_lot_code,product,unit,produced,sold,disposed,consumed,held,in_transit,holder,holder_name,holder_gln,holding,holder_inspection,holder_inspected_at',
      `RC-5,${LEAF},F-5,鲜叶 Fresh tea leaves,KGM,10,0,0,10,0,0,,,,,,`, // all of it went into the tea: nobody holds it
      `RC-5,${TEA},'${lotCode},龙井绿茶 Longjing green tea,KGM,5,0,0,0,5,0,proc,杭州茶业 Hangzhou Tea Co,${gln(SITE.proc)},3,,`,
      `RC-5,${TEA},'${lotCode},龙井绿茶 Longjing green tea,KGM,5,0,0,0,5,0,shop,西湖市场 West Lake Market,${gln(SITE.shop)},1,non_compliant,2026-04-07T02:00:00Z`,
      `RC-5,${TEA},'${lotCode},龙井绿茶 Longjing green tea,KGM,5,0,0,0,5,0,shop2,宁波超市 Ningbo Mart,${gln(SITE.shop2)},1,,`,
    ]);
    // a lot a page, as a recall of tens of thousands of lots is read: the same sheet
    expect(await recallCsv(t.gw.index, 'RC-5', 1)).to.equal([...lines, ''].join('\r\n'));
    // the JSON pages say the same
    const json = await call(base, 'GET', '/v1/recalls/RC-5', { key: keys['samr'] as string });
    expect((json.body.progress.lots as LotProgress[]).flatMap((l) => (l.holders.length === 0 ? [0] : l.holders.map((h) => h.holding)))).to.deep.equal([0, 3, 1, 1]);
    for (const [q, status, field] of [['format=xml', 400, 'format'], ['format=csv&limit=10', 400, 'limit'], ['format=csv&cursor=x', 400, 'cursor'], ['format=csv&format=csv', 400, 'format']] as const) {
      const bad = await call(base, 'GET', `/v1/recalls/RC-5?${q}`, { key: keys['samr'] as string });
      expect([bad.status, bad.body.error.code, bad.body.error.details.field], q).to.deep.equal([status, 'INVALID_ARGUMENT', field]);
    }
    const missing = await call(base, 'GET', '/v1/recalls/RC-404?format=csv', { key: keys['samr'] as string });
    expect([missing.status, missing.body.error.code]).to.deep.equal([404, 'RECALL_NOT_FOUND']);
  });

  it('warns on a destroyed package\'s own page that it should not be on sale', async () => {
    await post('farm', '/v1/lots', { gtin: LEAF, lot: 'F-7', quantity: 5, unit: 'KGM', productionDate: '2026-04-07', origin: { gln: gln(61) } });
    await post('farm', '/v1/lots/' + LEAF + '/F-7/items', { serials: ['L-1', 'L-2'] });
    await post('farm', '/v1/disposals', { disposalId: 'DS-71', gtin: LEAF, lot: 'F-7', quantity: 0.5, method: 'destroyed', reason: '破损 damaged', location: { gln: gln(61) }, serials: ['L-1'] });
    const page = async (serial: string, lang: string): Promise<string> => {
      const r = await call(base, 'GET', itemPage(serial), { headers: { accept: 'text/html', 'accept-language': lang } });
      expect(r.status, r.text).to.equal(200);
      return r.text;
    };
    expect(await page('L-1', 'en')).to.contain('ITEM_DESTROYED').and.to.match(/recorded on the ledger as destroyed or disposed of on \d{4}-\d{2}-\d{2} by Longjing Farm:/);
    expect(await page('L-1', 'zh')).to.contain('记录为销毁或处置');
    expect(await page('L-2', 'en')).to.not.contain('ITEM_DESTROYED');
    // where it surfaces is the regulator's lead: each scan since, and the last place one gave
    expect((await call(base, 'GET', `${itemPage('L-1')}?loc=39.90,116.40`)).status).to.equal(200);
    await call(base, 'GET', `${itemPage('L-2')}?loc=39.90,116.40`);
    expect(await seen()).to.deep.equal([{ serial: 'L-1', disposedBy: 'farm', scans: 3, lastPlace: { lat: 39.9, lon: 116.4 } }]);
    const listed = await call(base, 'GET', '/v1/warnings', { key: keys['farm'] as string });
    expect(listed.status, 'a regulator\'s list').to.equal(403);
    // and a reason to visit the farm that said it destroyed it
    const diverted = async (): Promise<unknown> => ((await call(base, 'GET', '/v1/inspections/plan', { key: keys['samr'] as string })).body.sites as { participant: { id: string }; signals: { kind: string; count: number; evidence: { message: string; lot?: { lot: string } }[] }[] }[])
      .flatMap((site) => site.signals.filter((x) => x.kind === 'diverted_stock').map((x) => [site.participant.id, x.count, x.evidence[0]?.lot?.lot, x.evidence[0]?.message.includes(`${LEAF}/L-1`)]));
    expect(await diverted()).to.deep.equal([['farm', 1, 'F-7', true]]);
    // an inspection of the farm after the last scan answers it, until the next scan
    await new Promise((resolve) => setTimeout(resolve, 5));
    await post('samr', '/v1/inspections', { inspectionId: 'INS-7', participant: 'farm', inspectedAt: new Date().toISOString(), outcome: 'compliant' });
    expect(await diverted()).to.deep.equal([]);
  });

  it('warns when a participant scans a destroyed package on the ledger, or its own system ships, receives or sells it: it is back in the chain', async () => {
    await post('farm', '/v1/lots', { gtin: LEAF, lot: 'F-8', quantity: 5, unit: 'KGM', productionDate: '2026-04-08', origin: { gln: gln(61) } });
    await post('farm', '/v1/lots/' + LEAF + '/F-8/items', { serials: ['M-1', 'M-2', 'M/3', 'M-4'] });
    await post('farm', '/v1/shipments', { shipmentId: 'SH-81', to: 'shop2', lines: [{ gtin: LEAF, lot: 'F-8', quantity: 2 }], origin: { gln: gln(61) } });
    await post('shop2', '/v1/shipments/SH-81/receipt', { location: { gln: gln(SITE.shop2) } });
    const scan = (who: string, kind: string, serial: string, site: number): Promise<Reply> => post(who, '/v1/scans', { kind, gtin: LEAF, serial, location: { gln: gln(site) } });
    const client = new ApiClient(() => base);
    for (const who of ['shop', 'shop2', 'proc']) client.keys[who] = keys[who] as string;
    /** A custody event of one item, as a shop's own EPCIS system captures it. */
    const custody = (serial: string, bizStep: string, site: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      type: 'ObjectEvent', eventTime: '2026-04-09T10:00:00Z', eventTimeZoneOffset: '+08:00', action: 'OBSERVE', bizStep, epcList: [itemUri(LEAF, serial)], bizLocation: { id: glnUri(gln(site)) }, ...extra,
    });
    const captured = async (who: string, events: unknown[]): Promise<void> => {
      const job = await client.captureDocument(who, documentOf(events));
      expect(job['success'], JSON.stringify(job['errors'])).to.equal(true);
      await traceIndexed(t.gw);
    };
    // before its disposal: nothing to say, whether scanned on the ledger or received in a captured event
    await scan('shop2', 'check', 'M-2', SITE.shop2);
    await captured('shop2', [custody('M-2', 'receiving', SITE.shop2, { eventID: 'urn:uuid:0d6c1b9e-5c4b-4d0e-9a61-3f0c2a8b7e01' })]);
    await post('farm', '/v1/disposals', { disposalId: 'DS-81', gtin: LEAF, lot: 'F-8', quantity: 1, method: 'destroyed', reason: '破损 damaged', location: { gln: gln(61) }, serials: ['M-1', 'M-2', 'M/3', 'M-4'] });
    await scan('shop', 'receive', 'M-1', SITE.shop);
    await scan('shop', 'check', 'M-1', SITE.shop2);
    await scan('proc', 'receive', 'M/3', SITE.proc);
    const handled = async (): Promise<unknown[]> => (await warningsOf('destroyed_item_handled'))
      .map(({ lot, message, details: d }) => ({ lot: lot?.lot, serial: d['serial'], disposedBy: d['disposedBy'], scannedBy: d['scannedBy'], scanKind: d['scanKind'], location: d['location'], scans: d['scans'], captured: d['capturedEvents'], eventID: d['eventID'], named: message.includes('West Lake Market') || message.includes('Hangzhou Tea Co') || message.includes('Ningbo Mart') }));
    const m1 = { lot: 'F-8', serial: 'M-1', disposedBy: 'farm', scannedBy: 'shop', scanKind: 'check', location: gln(SITE.shop2), scans: 2, captured: 0, eventID: undefined, named: true };
    const m3 = { lot: 'F-8', serial: 'M/3', disposedBy: 'farm', scannedBy: 'proc', scanKind: 'receive', location: gln(SITE.proc), scans: 1, captured: 0, eventID: undefined, named: true };
    expect(await handled()).to.deep.equal([m1, m3]);
    // the shops' own systems: one sells M-2 (its lot-mates' events on the lot's node are not its),
    // the other receives M-1, then declares that event erroneous, which withdraws it
    const received = custody('M-1', 'receiving', SITE.shop, { eventID: 'urn:uuid:0d6c1b9e-5c4b-4d0e-9a61-3f0c2a8b7e02' });
    await captured('shop', [received]);
    expect((await handled()).find((w) => (w as { serial: string }).serial === 'M-1')).to.deep.equal({ ...m1, scanKind: 'receive', location: gln(SITE.shop), scans: 3, captured: 1, eventID: received['eventID'] });
    /** The first and last record's times of an item's warning. */
    const span = async (serial: string): Promise<[string, string]> => {
      const d = (await warningsOf('destroyed_item_handled')).find((w) => w.details['serial'] === serial)?.details ?? {};
      return [String(d['firstScanAt']), String(d['lastScanAt'])];
    };
    const [m1First, m1Last] = await span('M-1');
    expect(m1First < m1Last, 'the ledger\'s first scan stays the first; the captured receipt is the last').to.equal(true);
    await captured('shop2', [custody('M-2', 'retail_selling', SITE.shop2), custody('M-9', 'retail_selling', SITE.shop2)]);
    // a serial holding `/` (M%2F3 in its Digital Link) is the same item as on the ledger, also on a URN
    await captured('proc', [custody('M/3', 'receiving', SITE.proc, { epcList: [`urn:epc:id:sgtin:${LEAF.slice(1, 8)}.${LEAF[0]}${LEAF.slice(8, 13)}.M%2F3`] })]);
    await captured('shop', [{ ...received, errorDeclaration: { declarationTime: '2026-04-10T00:00:00Z', reason: 'incorrect_data' } }]);
    const m2 = { lot: 'F-8', serial: 'M-2', disposedBy: 'farm', scannedBy: 'shop2', scanKind: 'sale', location: gln(SITE.shop2), scans: 1, captured: 1, named: true };
    const now = await handled();
    expect(now.map((w) => ({ ...(w as object), eventID: undefined }))).to.deep.equal([m1, { ...m2, eventID: undefined }, { ...m3, scans: 2, captured: 1 }]);
    expect((now[1] as { eventID: string }).eventID, 'the selling event\'s hash ID').to.match(/^ni:\/\/\/sha-256;/);
    // and the farm that said it destroyed them is the site to ask where they went: three items
    const plan = await call(base, 'GET', '/v1/inspections/plan', { key: keys['samr'] as string });
    const signal = (plan.body.sites as { participant: { id: string }; signals: { kind: string; count: number; evidence: { message: string }[] }[] }[])
      .find((site) => site.participant.id === 'farm')?.signals.find((x) => x.kind === 'diverted_stock');
    expect([signal?.count, signal?.evidence.map((e) => /item \d{14}\/(\S+), .* scanned (\d) time/.exec(e.message)?.slice(1)).sort()]).to.deep.equal([3, [['M-1', '2'], ['M-2', '1'], ['M/3', '2']]]);
    // a ledger scan after the captured sale is the sold item's last record; the sale stays its first
    await scan('shop2', 'check', 'M-2', SITE.shop2);
    expect((await handled()).find((w) => (w as { serial: string }).serial === 'M-2')).to.deep.equal({ ...m2, scanKind: 'check', scans: 2, captured: 1, eventID: undefined });
    const [m2First, m2Last] = await span('M-2');
    expect(m2First < m2Last, 'the sale first, the check last').to.equal(true);
  });

  it('does not call a recall closed out while it is still reaching lots', async () => {
    // the gateway runs every recall to its end before answering, so the index is fed directly here
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-progress-'));
    const blocks: Fact[][] = [
      [{ type: 'lot', kind: 'commissioning', gtin: LEAF, lot: 'L1', producer: 'farm', quantity: 10, unit: 'KGM', location: '', productionDate: '2026-04-01' }],
      [{ type: 'hop', kind: 'dispose', lotRef: { gtin: LEAF, lot: 'L1' }, from: 'farm', to: '', quantity: 10, unit: 'KGM' }],
      [{ type: 'recall', recallId: 'R', lots: [{ gtin: LEAF, lot: 'L1' }], reason: 'x', issuer: 'samr', status: 'propagating' },
        { type: 'status', lotRef: { gtin: LEAF, lot: 'L1' }, status: 'recalled', recallId: 'R' }],
      [{ type: 'lot', kind: 'commissioning', gtin: LEAF, lot: 'L0', producer: 'farm', quantity: 1, unit: 'KGM', location: '', productionDate: '2026-04-01' },
        { type: 'hop', kind: 'dispose', lotRef: { gtin: LEAF, lot: 'L0' }, from: 'farm', to: '', quantity: 1, unit: 'KGM' },
        { type: 'status', lotRef: { gtin: LEAF, lot: 'L0' }, status: 'recalled', recallId: 'R' }],
      [{ type: 'recall', recallId: 'R', lots: [{ gtin: LEAF, lot: 'L1' }], reason: 'x', issuer: 'samr', status: 'complete' }],
    ];
    const event = (i: number): LedgerEvent => ({ blockNumber: i, txIndex: 0, txId: `tx${i}`, eventName: 'Test', payload: Buffer.from(String(i)), timestamp: '2026-05-01T00:00:00.000Z' });
    const index = await TraceIndex.open({ dir, project: (e) => blocks[Number(String(e.payload))] ?? [] });
    try {
      await index.applyEvents([0, 1, 2].map(event));
      expect([index.recall('R').status, index.recall('R').progress.lots[0]?.held, index.recall('R').progress.closedOut]).to.deep.equal(['propagating', 0, false]);
      // a lot the recall reaches later (before its first in key order) is on the first page from then on
      await index.applyEvents([event(3)]);
      expect([index.recall('R', { limit: 1 }).affected, index.recall('R').affectedCount]).to.deep.equal([[{ gtin: LEAF, lot: 'L0' }], 2]);
      await index.applyEvents([event(4)]);
      expect([index.recall('R').status, index.recall('R').progress.closedOut]).to.deep.equal(['complete', true]);
    } finally {
      await index.close();
      await removeDir(dir);
    }
  });

  it('gives the same progress, a return as a return and a destroyed item\'s scans, after a restart reads the index back from its own store', async () => {
    const before = await progress();
    const handledBefore = await warningsOf('destroyed_item_handled');
    expect(handledBefore).to.have.length(3);
    const returned = await call(base, 'GET', '/v1/shipments/SH-32', { key: keys['farm'] as string });
    await t.gw.close();
    t = { ...t, gw: await startGateway(t.config) };
    mountPublicParts(t.gw, t.gw.index, t.config);
    base = t.gw.url;
    expect(await progress()).to.deep.equal(before);
    const again = await call(base, 'GET', '/v1/shipments/SH-32', { key: keys['farm'] as string });
    expect([again.body.purpose, again.body]).to.deep.equal(['return', returned.body]);
    const scansBefore = await seen();
    expect(await warningsOf('destroyed_item_handled'), 'participants\' scans of destroyed items, read back from the store').to.deep.equal(handledBefore);
    expect((await call(base, 'GET', itemPage('L-1'), { headers: { accept: 'text/html' } })).text, 'the destroyed item, read back from the store').to.contain('ITEM_DESTROYED');
    expect(await seen(), 'the scans since, kept in the index\'s own store and counted on').to.deep.equal([{ ...(scansBefore[0] as object), scans: 4 }]);
    await t.gw.index.rebuild(t.gw.ledger);
    await t.gw.close();
    t = { ...t, gw: await startGateway(t.config) };
    mountPublicParts(t.gw, t.gw.index, t.config);
    base = t.gw.url;
    expect(await seen(), 'and after a rebuild of the index from the ledger, and another restart').to.deep.equal([{ ...(scansBefore[0] as object), scans: 4 }]);
    expect(await warningsOf('destroyed_item_handled'), 'participants\' scans of destroyed items after the rebuild').to.deep.equal(handledBefore);
  });
});
