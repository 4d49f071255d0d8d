/**
 * Every role's workflow over HTTP against a real gateway and embedded ledger: a regulator
 * onboards a farm, a lab, a processor, a distributor and a shop; the chain runs from harvest to
 * sale; traces back and forward agree with the chaincode's own bounded trace; a recall stops
 * the shop's till; and the index rebuilt from the ledger gives identical traces.
 */
import { expect } from 'chai';
import { call, gln, startTestGateway, withCheck, type TestGateway, type Reply } from './support';
import { decodePayload } from '../../gateway-api/routes-write';
import { transactionHash, verifyMerkleProof } from '../../ledger-tools';
import { importNetworkIdentities } from '../../gateway-api/network-identities';
import { startGateway } from '../../gateway-api/server';
import Ajv from 'ajv';

const LEAF = withCheck('0695000000101');
const LEAF2 = withCheck('0695000000103');
const TEA = withCheck('0695000000202');
const PARTICIPANTS = [
  { id: 'farm-1', name: 'Longjing Farm 龙井茶园', role: 'producer', licence: 'SC-1', gln: gln(11) },
  { id: 'farm-2', name: 'Anji Farm', role: 'producer', licence: 'SC-2', gln: gln(12) },
  { id: 'lab-1', name: 'Zhejiang Test Lab', role: 'lab', licence: 'CMA-1', gln: gln(21) },
  { id: 'proc-1', name: 'Hangzhou Tea Co', role: 'processor', licence: 'SC-3', gln: gln(31) },
  { id: 'dist-1', name: 'East Logistics', role: 'distributor', licence: 'JY-1', gln: gln(41) },
  { id: 'shop-1', name: 'West Lake Market', role: 'retailer', licence: 'JY-2', gln: gln(51) },
] as const;

describe('gateway: role workflows over HTTP', function () {
  this.timeout(120_000);
  let t: TestGateway;
  const keys: Record<string, string> = {};
  let base = '';

  const post = async (who: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    call(base, 'POST', url, { key: keys[who] as string, body, headers });
  const ok = async (who: string, url: string, body: unknown): Promise<Reply> => {
    const r = await post(who, url, body);
    expect(r.status, `${who} POST ${url}: ${r.text}`).to.equal(201);
    return r;
  };
  const get = async (who: string, url: string): Promise<Reply> => call(base, 'GET', url, { key: keys[who] as string });
  const test = (testId: string, gtin: string, lot: string, verdict: 'pass' | 'fail'): unknown => ({
    testId, gtin, lot, method: 'GB 2763-2021 pesticide residues', sampledAt: '2026-05-02T08:00:00Z', verdict,
    analytes: [{ name: 'chlorpyrifos', value: verdict === 'pass' ? 0.01 : 0.5, unit: 'mg/kg', limit: 0.1 }],
    report: { sha256: 'a'.repeat(64), uri: 'https://lab.example.cn/r/1.pdf' },
  });

  before(async () => {
    t = await startTestGateway();
    base = t.gw.url;
    keys['samr'] = t.regulatorKey;
    for (const p of PARTICIPANTS) {
      const r = await post('samr', '/v1/participants', p, { 'idempotency-key': `onboard-${p.id}` });
      expect(r.status, r.text).to.equal(201);
      expect(r.body.apiKey).to.match(/^zfc_/);
      keys[p.id] = r.body.apiKey;
    }
    const retried = await post('samr', '/v1/participants', PARTICIPANTS[0], { 'idempotency-key': `onboard-${PARTICIPANTS[0].id}` });
    expect(retried.status).to.equal(201);
    expect(retried.body.apiKey, 'a new key is shown once, never stored or replayed').to.equal(null);
    expect(retried.body.txId).to.be.a('string');
  });

  after(async () => {
    await t.stop();
  });

  it('runs harvest → test → ship → transform → distribute → sell', async () => {
    await ok('farm-1', '/v1/products', { gtin: LEAF, name: 'Fresh tea leaves', category: 'tea', unit: 'KGM', requiresTest: true });
    await ok('farm-2', '/v1/products', { gtin: LEAF2, name: 'Anji white tea leaves', category: 'tea', unit: 'KGM', requiresTest: true });
    await ok('proc-1', '/v1/products', { gtin: TEA, name: 'Longjing green tea', category: 'tea', unit: 'KGM', requiresTest: false, yield: { min: 0.1, max: 0.5 } });
    await ok('farm-1', '/v1/lots', { gtin: LEAF, lot: 'F1-2026', quantity: 1000, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(11), country: 'CN', region: 'Zhejiang' } });
    await ok('farm-2', '/v1/lots', { gtin: LEAF2, lot: 'F2-2026', quantity: 500, unit: 'KGM', productionDate: '2026-04-02', origin: { gln: gln(12) } });

    const untested = await post('farm-1', '/v1/shipments', { shipmentId: 'SH-0', to: 'proc-1', lines: [{ gtin: LEAF, lot: 'F1-2026', quantity: 10 }], origin: { gln: gln(11) } });
    expect(untested.status).to.equal(409);
    expect(untested.body.error.code).to.equal('TEST_REQUIRED');

    await ok('lab-1', '/v1/tests', test('T-1', LEAF, 'F1-2026', 'pass'));
    await ok('lab-1', '/v1/tests', test('T-2', LEAF2, 'F2-2026', 'pass'));
    await ok('farm-1', '/v1/shipments', { shipmentId: 'SH-1', to: 'proc-1', lines: [{ gtin: LEAF, lot: 'F1-2026', quantity: 800 }], origin: { gln: gln(11) } });
    await ok('farm-2', '/v1/shipments', { shipmentId: 'SH-2', to: 'proc-1', lines: [{ gtin: LEAF2, lot: 'F2-2026', quantity: 500 }], origin: { gln: gln(12) } });
    await ok('proc-1', '/v1/shipments/SH-1/receipt', { location: { gln: gln(31) } });
    await ok('proc-1', '/v1/shipments/SH-2/receipt', { location: { gln: gln(31) } });
    await ok('proc-1', '/v1/transformations', {
      transformationId: 'TR-1',
      inputs: [{ gtin: LEAF, lot: 'F1-2026', quantity: 800 }, { gtin: LEAF2, lot: 'F2-2026', quantity: 500 }],
      output: { gtin: TEA, lot: 'P1-2026', quantity: 300, productionDate: '2026-04-05', expiryDate: '2027-04-05' },
      location: { gln: gln(31) },
    });
    await ok('proc-1', `/v1/lots/${TEA}/P1-2026/items`, { ranges: [{ prefix: 'P1-', from: 1, to: 300, width: 4 }] });
    await ok('proc-1', '/v1/shipments', { shipmentId: 'SH-3', to: 'dist-1', lines: [{ gtin: TEA, lot: 'P1-2026', quantity: 200 }], origin: { gln: gln(31) } });
    await ok('dist-1', '/v1/shipments/SH-3/receipt', { location: { gln: gln(41) } });
    await ok('dist-1', '/v1/shipments', { shipmentId: 'SH-4', to: 'shop-1', lines: [{ gtin: TEA, lot: 'P1-2026', quantity: 50 }], origin: { gln: gln(41) } });
    await ok('shop-1', '/v1/shipments/SH-4/receipt', { lines: [{ gtin: TEA, lot: 'P1-2026', quantity: 50 }], location: { gln: gln(51) } });
    const sale = await ok('shop-1', '/v1/scans', { kind: 'sale', gtin: TEA, serial: 'P1-0007', quantity: 1, location: { gln: gln(51) } });
    expect(sale.body.txId).to.match(/^[0-9a-f]{64}$/);

    const lot = await get('shop-1', `/v1/lots/${TEA}/P1-2026`);
    expect(lot.status).to.equal(200);
    expect(lot.body.kind).to.equal('transformation');
    const holding = Object.fromEntries((lot.body.holders as { participant: string; holding: number }[]).map((h) => [h.participant, h.holding]));
    expect(holding['shop-1']).to.equal(49);
    expect(holding['dist-1']).to.equal(150);
    expect(holding['proc-1']).to.equal(100);
  });

  it('traces the sold item back to both farms and a farm lot forward to the shop', async () => {
    const back = await get('shop-1', `/v1/trace/back?gtin=${TEA}&serial=P1-0007`);
    expect(back.status, back.text).to.equal(200);
    expect(back.body.lots.map((l: { lot: string }) => l.lot)).to.have.members(['P1-2026', 'F1-2026', 'F2-2026']);
    expect(back.body.participants.map((p: { id: string }) => p.id)).to.include.members(['farm-1', 'farm-2', 'proc-1']);
    const doc = await call(base, 'GET', '/openapi.json');
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(doc.body.components.schemas.TraceGraph as object);
    expect(validate(back.body), JSON.stringify(validate.errors)).to.equal(true);
    const byCode = await get('shop-1', `/v1/trace/back?code=${encodeURIComponent(`https://id.gs1.org/01/${TEA}/10/P1-2026/21/P1-0007`)}`);
    expect(byCode.body.lots).to.deep.equal(back.body.lots);

    const fwd = await get('samr', `/v1/trace/forward?gtin=${LEAF2}&lot=F2-2026`);
    expect(fwd.body.lots.map((l: { lot: string }) => l.lot)).to.deep.equal(['F2-2026', 'P1-2026']);
    const shop = fwd.body.holders.find((h: { participant: string; lot: { lot: string } }) => h.participant === 'shop-1' && h.lot.lot === 'P1-2026');
    expect(shop).to.include({ received: 50, sold: 1, sales: 1 });

    const csv = await get('samr', `/v1/trace/forward?gtin=${LEAF2}&lot=F2-2026&format=csv`);
    expect(csv.headers.get('content-type')).to.match(/^text\/csv/);
    const rows = csv.text.trimEnd().split('\r\n');
    expect(rows[0]).to.match(/^event,traceability_lot_code,gtin,product,quantity,unit,location/);
    expect(rows.filter((r) => r.startsWith('sale,'))).to.have.length(1);
    const dot = await get('samr', `/v1/trace/back?gtin=${TEA}&lot=P1-2026&format=dot`);
    expect(dot.text).to.match(/^digraph trace_back \{/);

    const epcis = await get('samr', `/v1/trace/back?gtin=${TEA}&serial=P1-0007&format=epcis`);
    expect(epcis.status, epcis.text).to.equal(200);
    expect(epcis.body.type).to.equal('EPCISQueryDocument');
    const list = epcis.body.epcisBody.queryResults.resultsBody.eventList as { type: string; bizStep?: string; eventTime: string }[];
    expect(list.map((e) => e.type)).to.include('TransformationEvent');
    expect(list.map((e) => e.bizStep)).to.include.members(['commissioning', 'shipping', 'receiving', 'inspecting']);
    const times = list.map((e) => Date.parse(e.eventTime));
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
  });

  it('answers the same lots as the chaincode\'s own bounded trace', async () => {
    const identity = (await t.gw.store.wallet.get('samr'))!;
    for (const [fn, start, route] of [
      ['TraceBack', { gtin: TEA, lot: 'P1-2026' }, 'back'],
      ['TraceForward', { gtin: LEAF, lot: 'F1-2026' }, 'forward'],
    ] as const) {
      const onLedger = decodePayload(await t.gw.ledger.evaluate(fn, [JSON.stringify(start)], identity)) as { lots: { gtin: string; lot: string }[] };
      const fromIndex = await get('samr', `/v1/trace/${route}?gtin=${start.gtin}&lot=${start.lot}`);
      const key = (l: { gtin: string; lot: string }): string => `${l.gtin}/${l.lot}`;
      expect(fromIndex.body.lots.map(key).sort(), fn).to.deep.equal(onLedger.lots.map(key).sort());
    }
  });

  it('shows a shipment, short receipts and shipments in transit', async () => {
    const s4 = await get('dist-1', '/v1/shipments/SH-4');
    expect(s4.body).to.include({ status: 'received', from: 'dist-1', to: 'shop-1' });
    expect(s4.body.received).to.deep.equal([{ lot: { gtin: TEA, lot: 'P1-2026' }, quantity: 50, unit: 'KGM' }]);
    const missing = await get('dist-1', '/v1/shipments/SH-404');
    expect([missing.status, missing.body.error.code]).to.deep.equal([404, 'SHIPMENT_NOT_FOUND']);
  });

  it('lists shipments: a participant\'s own, what waits to be received, a regulator\'s of anyone, page by page', async () => {
    // the farm's lot again, after its other shipments: in the index's own store it sorts before them (`rebuilds ...` reads it back)
    const shipped = await ok('farm-1', '/v1/shipments', { shipmentId: 'SH-5', to: 'proc-1', lines: [{ gtin: LEAF, lot: 'F1-2026', quantity: 20 }], origin: { gln: gln(11) } });
    const ids = (r: Reply): string[] => {
      expect(r.status, r.text).to.equal(200);
      return (r.body.shipments as { shipmentId: string }[]).map((x) => x.shipmentId);
    };
    // the processor's inbox: what is on its way to it
    const inbox = await get('proc-1', '/v1/shipments?direction=incoming&status=in_transit');
    expect(inbox.body.shipments).to.deep.equal([{
      shipmentId: 'SH-5', status: 'in_transit', from: 'farm-1', to: 'proc-1', lines: [{ lot: { gtin: LEAF, lot: 'F1-2026' }, quantity: 20, unit: 'KGM' }],
      received: [], shippedAt: (await get('farm-1', '/v1/shipments/SH-5')).body.shippedAt, receivedAt: '', txIds: [shipped.body.txId],
    }]);
    expect(inbox.body.next).to.equal(undefined);
    expect(ids(await get('proc-1', '/v1/shipments'))).to.deep.equal(['SH-1', 'SH-2', 'SH-3', 'SH-5']);
    expect(ids(await get('proc-1', '/v1/shipments?status=received'))).to.deep.equal(['SH-1', 'SH-2', 'SH-3']);
    expect(ids(await get('proc-1', '/v1/shipments?direction=outgoing'))).to.deep.equal(['SH-3']);
    expect(ids(await get('farm-1', '/v1/shipments?direction=outgoing'))).to.deep.equal(['SH-1', 'SH-5']);
    expect(ids(await get('dist-1', '/v1/shipments?participant=dist-1&direction=incoming'))).to.deep.equal(['SH-3']);
    expect(ids(await get('farm-2', '/v1/shipments?direction=incoming'))).to.deep.equal([]);
    // a regulator's: anyone's, or all in the order shipped, a page at a time
    expect(ids(await get('samr', '/v1/shipments?participant=shop-1'))).to.deep.equal(['SH-4']);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await get('samr', `/v1/shipments?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages.push(ids(page));
      cursor = page.body.next;
    } while (cursor !== undefined && pages.length < 5);
    expect(pages).to.deep.equal([['SH-1', 'SH-2'], ['SH-3', 'SH-4'], ['SH-5']]);
    // another's shipments are a regulator's to list; bad parameters name themselves
    const refused = await get('proc-1', '/v1/shipments?participant=dist-1');
    expect([refused.status, refused.body.error.code]).to.deep.equal([403, 'FORBIDDEN']);
    for (const [q, field] of [
      ['direction=sideways', 'direction'], ['status=lost', 'status'], ['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=1.5', 'limit'], ['limit=', 'limit'],
      ['status=in_transit&status=received', 'status'], ['to=shop-1', 'to'],
    ] as const) {
      const r = await get('shop-1', `/v1/shipments?${q}`);
      expect([r.status, r.body.error.code, r.body.error.details.field], q).to.deep.equal([400, 'INVALID_ARGUMENT', field]);
    }
    const allIncoming = await get('samr', '/v1/shipments?direction=incoming');
    expect([allIncoming.status, allIncoming.body.error.details.field], 'incoming to whom').to.deep.equal([400, 'direction']);
  });

  it('lists the directory: participants and products a page at a time, each record whole from the contract', async () => {
    const ids = (r: Reply, list: string, key: string): string[] => {
      expect(r.status, r.text).to.equal(200);
      return (r.body[list] as Array<Record<string, string>>).map((x) => x[key] as string);
    };
    const everyone = ['dist-1', 'farm-1', 'farm-2', 'lab-1', 'proc-1', 'samr', 'shop-1'];
    expect(ids(await get('shop-1', '/v1/participants'), 'participants', 'id')).to.deep.equal(everyone);
    const first = await get('shop-1', '/v1/participants?limit=4');
    expect(ids(first, 'participants', 'id')).to.deep.equal(everyone.slice(0, 4));
    expect(ids(await get('shop-1', `/v1/participants?limit=4&cursor=${encodeURIComponent(first.body.next)}`), 'participants', 'id')).to.deep.equal(everyone.slice(4));
    expect(ids(await get('shop-1', '/v1/participants?role=producer'), 'participants', 'id')).to.deep.equal(['farm-1', 'farm-2']);
    expect((await get('shop-1', '/v1/participants?role=lab')).body.participants).to.deep.equal([{ id: 'lab-1', name: 'Zhejiang Test Lab', role: 'lab', gln: gln(21), status: 'active' }]);
    // one participant as the contract records it: the licence, and the identities it acts through
    const farm = await get('shop-1', '/v1/participants/farm-1');
    expect(farm.body).to.include({ id: 'farm-1', role: 'producer', licence: 'SC-1', gln: gln(11), status: 'active' });
    expect(farm.body.identities).to.have.length(1);
    expect((await get('shop-1', '/v1/participants/nobody')).body.error.code).to.equal('PARTICIPANT_NOT_FOUND');
    // products: the registry, and one product whole
    expect(ids(await get('shop-1', '/v1/products'), 'products', 'gtin')).to.deep.equal([LEAF, LEAF2, TEA]);
    expect((await get('shop-1', '/v1/products?owner=proc-1')).body.products).to.deep.equal([{ gtin: TEA, name: 'Longjing green tea', owner: 'proc-1', unit: 'KGM' }]);
    expect((await get('shop-1', `/v1/products/${TEA}`)).body).to.deep.include({ gtin: TEA, owner: 'proc-1', requiresTest: false, yield: { min: 0.1, max: 0.5 } });
    const unknown = await get('shop-1', `/v1/products/${withCheck('0695000000999')}`);
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, 'PRODUCT_NOT_FOUND']);
    for (const [url, field] of [
      ['/v1/participants?role=king', 'role'], ['/v1/participants?status=gone', 'status'], ['/v1/participants?limit=0', 'limit'], ['/v1/participants?limit=1e2', 'limit'],
      ['/v1/participants?name=x', 'name'], ['/v1/participants/a%7Cb', 'id'], [`/v1/participants/${'x'.repeat(65)}`, 'id'],
      ['/v1/products?limit=501', 'limit'], ['/v1/products/06950000001011', 'gtin'], ['/v1/products/x', 'gtin'],
    ] as const) {
      const r = await get('shop-1', url);
      expect([r.status, r.body.error.code, r.body.error.details.field], url).to.deep.equal([400, 'INVALID_ARGUMENT', field]);
    }
  });

  it('searches lots by holder, status and product', async () => {
    const held = await get('samr', '/v1/lots?holder=shop-1');
    expect(held.body.lots.map((l: { lot: string }) => l.lot)).to.deep.equal(['P1-2026']);
    const leaves = await get('samr', `/v1/lots?product=${LEAF}`);
    expect(leaves.body.lots.map((l: { lot: string }) => l.lot)).to.deep.equal(['F1-2026']);
    const first = await get('samr', '/v1/lots?limit=2');
    expect(first.body.lots).to.have.length(2);
    const second = await get('samr', `/v1/lots?limit=2&cursor=${encodeURIComponent(first.body.next)}`);
    expect(second.body.lots).to.have.length(1);
    expect(second.body.next).to.equal(undefined);
  });

  it('records sales from several tills at once (conflicting writes are retried, none lost)', async () => {
    const serials = Array.from({ length: 8 }, (_, i) => `P1-${String(20 + i).padStart(4, '0')}`);
    const replies = await Promise.all(serials.map((serial) => post('shop-1', '/v1/scans', { kind: 'sale', gtin: TEA, serial, quantity: 1, location: { gln: gln(51) } })));
    expect(replies.map((r) => r.status), replies.map((r) => r.text).join('\n')).to.deep.equal(serials.map(() => 201));
    const lot = await get('shop-1', `/v1/lots/${TEA}/P1-2026`);
    const shop = lot.body.holders.find((h: { participant: string }) => h.participant === 'shop-1');
    expect(shop).to.include({ sales: 9, holding: 41 });
  });

  it('recalls a farm lot, marks what was made from it, and refuses the sale at the till', async () => {
    const r = await ok('samr', '/v1/recalls', { recallId: 'RC-1', lots: [{ gtin: LEAF2, lot: 'F2-2026' }], reason: 'chlorpyrifos above limit', class: 'I' });
    expect(r.body.txIds.length).to.be.at.least(1);
    const recall = await get('samr', '/v1/recalls/RC-1');
    expect(recall.body.status).to.equal('complete');
    expect(recall.body.affected.map((l: { lot: string }) => l.lot)).to.have.members(['F2-2026', 'P1-2026']);
    const lot = await get('shop-1', `/v1/lots/${TEA}/P1-2026`);
    expect(lot.body.status).to.equal('recalled');
    const sale = await post('shop-1', '/v1/scans', [{ kind: 'sale', gtin: TEA, serial: 'P1-0008', quantity: 1, location: { gln: gln(51) } }]);
    expect(sale.status).to.equal(409);
    expect(sale.body.error.code).to.equal('LOT_RECALLED');
    const recalled = await get('samr', '/v1/lots?status=recalled');
    expect(recalled.body.lots.map((l: { lot: string }) => l.lot)).to.have.members(['F2-2026', 'P1-2026']);
  });

  it('lists stock: a shop\'s recalled stock on its shelves, and every holder of it for a regulator', async () => {
    const shop = await get('shop-1', '/v1/holdings?status=recalled');
    expect(shop.status, shop.text).to.equal(200);
    expect(shop.body.holdings).to.deep.equal([{
      participant: 'shop-1', lot: { gtin: TEA, lot: 'P1-2026' }, product: 'Longjing green tea', quantity: 41, unit: 'KGM', status: 'recalled', statusReason: 'chlorpyrifos above limit', recallId: 'RC-1',
    }]);
    expect((await get('shop-1', '/v1/holdings?status=active')).body.holdings).to.deep.equal([]);
    // a regulator's: every holder of recalled stock, each as the lot's own record counts it
    const all = await get('samr', '/v1/holdings?status=recalled');
    const held = (all.body.holdings as { participant: string; lot: { gtin: string; lot: string }; quantity: number }[]).map((h) => [h.lot.lot, h.participant, h.quantity]);
    const lots = await Promise.all([[LEAF2, 'F2-2026'], [TEA, 'P1-2026']].map(async ([g, l]) => (await get('samr', `/v1/lots/${g}/${l}`)).body));
    const expected = lots.flatMap((lot: { lot: string; holders: { participant: string; holding: number }[] }) => lot.holders.filter((h) => h.holding > 0).map((h) => [lot.lot, h.participant, h.holding]));
    expect(held).to.have.deep.members(expected);
    expect(held).to.deep.include(['P1-2026', 'shop-1', 41]);
    // a page at a time, by lot then holder: pages of two end inside a lot of three holders, and still give every entry once
    const whole = (await get('samr', '/v1/holdings?limit=500')).body.holdings as unknown[];
    expect(whole.length).to.be.at.least(4);
    const paged: unknown[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await get('samr', `/v1/holdings?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      paged.push(...(page.body.holdings as unknown[]));
      cursor = page.body.next;
      if (cursor === undefined) break;
    }
    expect(paged).to.deep.equal(whole);
    const farm = await get('farm-1', '/v1/holdings');
    expect((farm.body.holdings as { participant: string }[]).every((h) => h.participant === 'farm-1')).to.equal(true);
    expect((farm.body.holdings as { lot: { lot: string }; quantity: number }[]).map((h) => [h.lot.lot, h.quantity])).to.deep.include(['F1-2026', 180]);
    const refused = await get('shop-1', '/v1/holdings?participant=dist-1');
    expect([refused.status, refused.body.error.code]).to.deep.equal([403, 'FORBIDDEN']);
    for (const [q, field] of [['status=gone', 'status'], ['limit=0', 'limit'], ['holder=x', 'holder']] as const) {
      const r = await get('samr', `/v1/holdings?${q}`);
      expect([r.status, r.body.error.details.field], q).to.deep.equal([400, field]);
    }
  });

  it('refuses each role what it may not do, with status and code', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['farm-1', '/v1/participants', { ...PARTICIPANTS[0], id: 'farm-9' }, 403, 'FORBIDDEN'],
      ['shop-1', '/v1/lots', { gtin: LEAF, lot: 'X1', quantity: 1, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(51) } }, 403, 'FORBIDDEN'],
      ['farm-1', '/v1/tests', test('T-9', LEAF, 'F1-2026', 'pass'), 403, 'FORBIDDEN'],
      ['farm-1', '/v1/holds', { gtin: LEAF, lot: 'F1-2026', reason: 'x' }, 403, 'FORBIDDEN'],
      ['farm-1', '/v1/lots', { gtin: LEAF, lot: 'F1-2026', quantity: 1, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(11) } }, 409, 'LOT_EXISTS'],
      ['farm-1', '/v1/shipments', { shipmentId: 'SH-9', to: 'proc-1', lines: [{ gtin: LEAF, lot: 'F1-2026', quantity: 999 }], origin: { gln: gln(11) } }, 409, 'QUANTITY_EXCEEDS_HOLDING'],
      ['dist-1', '/v1/shipments/SH-4/receipt', { location: { gln: gln(41) } }, 403, 'NOT_OWNER'],
      ['shop-1', '/v1/shipments/SH-404/receipt', { location: { gln: gln(51) } }, 404, 'SHIPMENT_NOT_FOUND'],
    ];
    for (const [who, url, body, status, code] of cases) {
      const r = await post(who, url, body);
      expect([r.status, r.body?.error?.code], `${who} ${url}: ${r.text}`).to.deep.equal([status, code]);
    }
    const noKey = await call(base, 'GET', '/v1/lots');
    expect([noKey.status, noKey.body.error.code]).to.deep.equal([401, 'UNAUTHENTICATED']);
    const badKey = await call(base, 'GET', '/v1/lots', { key: `zfc_${'A'.repeat(43)}` });
    expect([badKey.status, badKey.body.error.code]).to.deep.equal([401, 'UNAUTHENTICATED']);
    const warnings = await get('farm-1', '/v1/warnings');
    expect([warnings.status, warnings.body.error.code]).to.deep.equal([403, 'FORBIDDEN']);
  });

  it('lists warnings for regulators and serves blocks to them, and transactions with proofs to them and to whoever submitted each', async () => {
    const w = await get('samr', '/v1/warnings');
    expect(w.status).to.equal(200);
    expect(w.body.warnings).to.be.an('array');
    const sale = await get('samr', `/v1/lots/${LEAF}/F1-2026/history`);
    const txId = sale.body.events[0].txId as string;
    const tx = await get('samr', `/v1/ledger/tx/${txId}`);
    expect(tx.status, tx.text).to.equal(200);
    expect(tx.body.proof.merkleRoot).to.equal(tx.body.block.header.merkleRoot);
    expect(tx.body.proof.txHash).to.equal(transactionHash(tx.body.transaction));
    expect(verifyMerkleProof(tx.body.proof.txHash, tx.body.proof.steps, tx.body.block.header.merkleRoot)).to.equal(true);
    expect(verifyMerkleProof('0'.repeat(64), tx.body.proof.steps, tx.body.block.header.merkleRoot)).to.equal(false);
    const block = await get('samr', `/v1/ledger/blocks/${tx.body.block.number}`);
    expect(block.body.hash).to.equal(tx.body.block.hash);
    expect((await get('samr', '/v1/ledger/blocks/999999')).body.error.code).to.equal('BLOCK_NOT_FOUND');
    // a block and another's transaction hold writes the participant may not read (captured EPCIS events among them)
    const shopBlock = await get('shop-1', `/v1/ledger/blocks/${tx.body.block.number}`);
    expect([shopBlock.status, shopBlock.body.error.code]).to.deep.equal([403, 'FORBIDDEN']);
    const notTheShops = await get('shop-1', `/v1/ledger/tx/${txId}`);
    expect([notTheShops.status, notTheShops.body.error.code]).to.deep.equal([404, 'TX_NOT_FOUND']);
    const history = await get('samr', `/v1/lots/${TEA}/P1-2026/history`);
    const receipt = (history.body.events as Array<{ type: string; txId: string; fact: { kind?: string; to?: string } }>).find((e) => e.type === 'hop' && e.fact.kind === 'receive' && e.fact.to === 'shop-1');
    const own = await get('shop-1', `/v1/ledger/tx/${receipt?.txId ?? ''}`);
    expect(own.status, own.text).to.equal(200); // its own receipt, with the proof
    expect(verifyMerkleProof(own.body.proof.txHash, own.body.proof.steps, own.body.block.header.merkleRoot)).to.equal(true);
    expect((await get('dist-1', `/v1/ledger/tx/${receipt?.txId ?? ''}`)).status).to.equal(404);
  });

  it('imports identities a network provides under the participants they act for', async () => {
    const shop = (await t.gw.store.wallet.get('shop-1'))!;
    const stranger = await t.gw.issuer!.issue('stranger', 'retailer');
    const found = await importNetworkIdentities(t.gw.ledger, t.gw.store.wallet, { retailer: shop, ghost: stranger });
    expect(found).to.deep.equal({ retailer: 'shop-1' });
    expect(await t.gw.store.wallet.get('ghost')).to.equal(undefined);
  });

  it('suspends and reinstates a participant, and revokes a key', async () => {
    await ok('samr', '/v1/participants/farm-2/suspension', { reason: 'licence lapsed' });
    // the directory says so, and so does the contract's record
    expect((await get('shop-1', '/v1/participants?status=suspended')).body.participants.map((p: { id: string }) => p.id)).to.deep.equal(['farm-2']);
    expect((await get('shop-1', '/v1/participants/farm-2')).body.status).to.equal('suspended');
    const lot = { gtin: LEAF2, lot: 'F3-2026', quantity: 5, unit: 'KGM', productionDate: '2026-04-03', origin: { gln: gln(12) } };
    const refused = await post('farm-2', '/v1/lots', lot);
    expect([refused.status, refused.body.error.code]).to.deep.equal([403, 'PARTICIPANT_SUSPENDED']);
    await ok('samr', '/v1/participants/farm-2/reinstatement', { reason: 'licence renewed' });
    expect((await get('shop-1', '/v1/participants?status=suspended')).body.participants).to.deep.equal([]);
    await ok('farm-2', '/v1/lots', lot);
    const mismatch = await post('samr', '/v1/participants/farm-2/suspension', { id: 'farm-1', reason: 'x' });
    expect([mismatch.status, mismatch.body.error.code]).to.deep.equal([400, 'INVALID_ARGUMENT']);

    const extra = await t.gw.store.keys.create({ participant: 'farm-2', label: 'till' });
    expect((await call(base, 'GET', '/v1/lots', { key: extra.key })).status).to.equal(200);
    expect(await t.gw.store.keys.revoke(extra.id)).to.equal(true);
    const revoked = await call(base, 'GET', '/v1/lots', { key: extra.key });
    expect([revoked.status, revoked.body.error.code]).to.deep.equal([401, 'UNAUTHENTICATED']);
    const listed = await t.gw.store.keys.list();
    expect(listed.find((k) => k.id === extra.id)?.revokedAt).to.be.a('string');
    expect(JSON.stringify(listed)).to.not.include(extra.key);
  });

  it('rebuilds the index from the ledger to identical traces', async () => {
    // many transactions in the last blocks, so the replay must not stop at a block's first event
    const farm = (await t.gw.store.wallet.get('farm-1'))!;
    const bulk = await Promise.all(Array.from({ length: 30 }, (_, i) => t.gw.ledger.submit('CreateLot', [JSON.stringify({ gtin: LEAF, lot: `BULK-${i}`, quantity: 1, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(11) } })], farm)));
    for (const r of bulk) expect(await t.gw.index.waitFor(r.txId, 10_000)).to.equal(true);
    const urls = [`/v1/trace/back?gtin=${TEA}&serial=P1-0007`, `/v1/trace/forward?gtin=${LEAF}&lot=F1-2026`, `/v1/lots/${TEA}/P1-2026`, '/v1/recalls/RC-1', '/v1/lots?limit=500', '/v1/shipments'];
    const before = await Promise.all(urls.map(async (u) => (await get('samr', u)).text));
    await t.gw.index.rebuild(t.gw.ledger, 300);
    void t.gw.index.follow(t.gw.ledger);
    const after = await Promise.all(urls.map(async (u) => (await get('samr', u)).text));
    expect(after).to.deep.equal(before);
    expect(JSON.parse(after[4] as string).lots.filter((l: { lot: string }) => l.lot.startsWith('BULK-'))).to.have.length(30);
    // and read back from the index's own store by a restart (its facts come back by lot, not in ledger order)
    await t.gw.close();
    t = { ...t, gw: await startGateway(t.config) };
    base = t.gw.url;
    const restarted = await Promise.all(urls.map(async (u) => (await get('samr', u)).text));
    expect(restarted).to.deep.equal(before);
    expect(JSON.parse(restarted[5] as string).shipments.map((x: { shipmentId: string }) => x.shipmentId)).to.deep.equal(['SH-1', 'SH-2', 'SH-3', 'SH-4', 'SH-5']);
  });
});
