/**
 * The regulator's inspection plan (gateway-api/inspection-plan.ts) over HTTP, on a real gateway
 * and embedded ledger: a small chain where each risk signal happens once or more, ranked as the
 * weights say, with the evidence pointing at the transactions that recorded it; the overdue
 * receipt judged at `asOf`; the count cap; CSV that a spreadsheet cannot run; and the refusals.
 */
import { expect } from 'chai';
import { call, created, gln, startTestGateway, withCheck, type Reply, type TestGateway } from './support';
import { COUNTED_AT_MOST, SIGNAL_WEIGHTS } from '../../gateway-api/inspection-plan';
import { startGateway } from '../../gateway-api/server';

const LEAF = withCheck('0695000000301');
const LEAF2 = withCheck('0695000000302');
const TEA = withCheck('0695000000303');
const PARTICIPANTS = [
  { id: 'farm-a', name: 'Longjing Farm 龙井茶园', role: 'producer', licence: 'SC-A', gln: gln(61) },
  { id: 'farm-b', name: 'Anji Farm', role: 'producer', licence: 'SC-B', gln: gln(62) },
  { id: 'lab', name: 'Zhejiang Test Lab', role: 'lab', licence: 'CMA-9', gln: gln(63) },
  { id: 'proc', name: 'Hangzhou Tea Co', role: 'processor', licence: 'SC-P', gln: gln(64) },
  { id: 'dist', name: 'East Logistics', role: 'distributor', licence: 'JY-D', gln: gln(65) },
  // a name a spreadsheet would run as a formula
  { id: 'shop', name: '=HYPERLINK("https://evil.example","West Lake")', role: 'retailer', licence: 'JY-S', gln: gln(66) },
] as const;

interface Site {
  rank: number;
  participant: { id: string; name: string; role: string; gln: string; status: string };
  score: number;
  signals: { kind: string; weight: number; count: number; points: number; evidence: { message: string; txId?: string; testId?: string; recallId?: string; shipmentId?: string; lot?: { gtin: string; lot: string } }[] }[];
}

describe('gateway: the inspection plan', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let base = '';
  const keys: Record<string, string> = {};
  const txOf: Record<string, string> = {};

  const post = (who: string, url: string, body: unknown): Promise<Reply> => created(base, keys[who] as string, url, body, who);
  const plan = async (query = '', who = 'samr'): Promise<Reply> => call(base, 'GET', `/v1/inspections/plan${query}`, { key: keys[who] as string });
  const failing = (testId: string): unknown => ({
    testId, gtin: LEAF2, lot: 'B-1', method: 'GB 2763-2021 pesticide residues', sampledAt: '2026-05-02T08:00:00Z', verdict: 'fail',
    analytes: [{ name: 'chlorpyrifos', value: 0.5, unit: 'mg/kg', limit: 0.1 }], report: { sha256: 'b'.repeat(64), uri: 'https://lab.example.cn/r/b.pdf' },
  });

  before(async () => {
    t = await startTestGateway();
    base = t.gw.url;
    keys['samr'] = t.regulatorKey;
    for (const p of PARTICIPANTS) keys[p.id] = (await post('samr', '/v1/participants', p)).body.apiKey;
    await post('farm-a', '/v1/products', { gtin: LEAF, name: 'Fresh tea leaves', category: 'tea', unit: 'KGM', requiresTest: false });
    await post('farm-b', '/v1/products', { gtin: LEAF2, name: 'Anji white tea leaves', category: 'tea', unit: 'KGM', requiresTest: false });
    await post('proc', '/v1/products', { gtin: TEA, name: 'Longjing green tea', category: 'tea', unit: 'KGM', requiresTest: false, yield: { min: 0.1, max: 0.5 } });
    await post('farm-a', '/v1/lots', { gtin: LEAF, lot: 'A-1', quantity: 1000, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(61) } });
    await post('farm-b', '/v1/lots', { gtin: LEAF2, lot: 'B-1', quantity: 500, unit: 'KGM', productionDate: '2026-04-02', origin: { gln: gln(62) } });
    await post('lab', '/v1/tests', { ...(failing('T-A') as object), gtin: LEAF, lot: 'A-1', verdict: 'pass', analytes: [{ name: 'chlorpyrifos', value: 0.01, unit: 'mg/kg', limit: 0.1 }] });
    // one failed test more than the score counts: farm-b's lot fails six times
    for (let i = 1; i <= COUNTED_AT_MOST + 1; i++) txOf[`T-B${i}`] = (await post('lab', '/v1/tests', failing(`T-B${i}`))).body.txId;
    await post('farm-a', '/v1/shipments', { shipmentId: 'SH-1', to: 'proc', lines: [{ gtin: LEAF, lot: 'A-1', quantity: 600 }], origin: { gln: gln(61) } });
    await post('proc', '/v1/shipments/SH-1/receipt', { location: { gln: gln(64) } });
    // 600 kg of leaves at a yield of at most 0.5 make at most 300 kg: 400 is a material-balance warning
    await post('proc', '/v1/transformations', {
      transformationId: 'TR-1', inputs: [{ gtin: LEAF, lot: 'A-1', quantity: 600 }],
      output: { gtin: TEA, lot: 'P-1', quantity: 400, productionDate: '2026-04-05', expiryDate: '2027-04-05' }, location: { gln: gln(64) },
    });
    txOf['SH-2'] = (await post('proc', '/v1/shipments', { shipmentId: 'SH-2', to: 'dist', lines: [{ gtin: TEA, lot: 'P-1', quantity: 100 }], origin: { gln: gln(64) } })).body.txId;
    await post('dist', '/v1/shipments/SH-2/receipt', { location: { gln: gln(65) } });
    txOf['SH-3'] = (await post('dist', '/v1/shipments', { shipmentId: 'SH-3', to: 'shop', lines: [{ gtin: TEA, lot: 'P-1', quantity: 50 }], origin: { gln: gln(65) } })).body.txId;
    txOf['RC-1'] = (await post('samr', '/v1/recalls', { recallId: 'RC-1', lots: [{ gtin: LEAF, lot: 'A-1' }], reason: 'chlorpyrifos above limit', class: 'I' })).body.txIds[0];
    await new Promise((resolve) => setTimeout(resolve, 5)); // the next millisecond: later than every transaction above
  });

  after(async () => {
    await t.stop();
  });

  it('ranks the sites by their signals, each with its count, points and evidence', async () => {
    const r = await plan();
    expect(r.status, r.text).to.equal(200);
    expect(r.body.weights).to.deep.equal(SIGNAL_WEIGHTS);
    const sites = r.body.sites as Site[];
    const signals = (id: string): Record<string, number> => Object.fromEntries((sites.find((s) => s.participant.id === id)?.signals ?? []).map((s) => [s.kind, s.count]));
    // farm-b: six failed tests, and its lot on hold in its own store since the first
    expect(signals('farm-b')).to.deep.equal({ failed_test: COUNTED_AT_MOST + 1, recalled_stock: 1 });
    // farm-a: the recall names its lot, of which it still holds 400 kg
    expect(signals('farm-a')).to.deep.equal({ recall_origin: 1, recalled_stock: 1 });
    // proc: made more than its inputs allow, shipped its untested tea, and holds 300 kg of it, recalled downstream
    expect(signals('proc')).to.deep.equal({ material_balance: 1, untested_shipped: 1, recalled_stock: 1 });
    // dist re-shipped the untested lot, but only its producer released it: dist holds 50 kg of recalled tea
    expect(signals('dist')).to.deep.equal({ recalled_stock: 1 });
    expect(sites.map((s) => s.participant.id), 'nothing against the lab or the shop yet (SH-3 left today); the regulator is no site').to.deep.equal(['farm-b', 'proc', 'farm-a', 'dist']);
    expect(sites.map((s) => s.score)).to.deep.equal([
      SIGNAL_WEIGHTS.failed_test * COUNTED_AT_MOST + SIGNAL_WEIGHTS.recalled_stock,
      SIGNAL_WEIGHTS.material_balance + SIGNAL_WEIGHTS.recalled_stock + SIGNAL_WEIGHTS.untested_shipped,
      SIGNAL_WEIGHTS.recall_origin + SIGNAL_WEIGHTS.recalled_stock,
      SIGNAL_WEIGHTS.recalled_stock,
    ]);
    expect(sites.map((s) => s.rank)).to.deep.equal([1, 2, 3, 4]);
    expect(r.body.total).to.equal(4);

    const farmB = sites[0] as Site;
    expect(farmB.participant).to.deep.equal({ id: 'farm-b', name: 'Anji Farm', role: 'producer', gln: gln(62), status: 'active' });
    const failed = farmB.signals[0];
    expect(failed?.kind).to.equal('failed_test');
    expect(failed?.points, 'six failures count as five').to.equal(SIGNAL_WEIGHTS.failed_test * COUNTED_AT_MOST);
    expect(failed?.evidence.map((e) => [e.testId, e.txId])).to.deep.equal(Array.from({ length: COUNTED_AT_MOST + 1 }, (_, i) => [`T-B${i + 1}`, txOf[`T-B${i + 1}`]]));
    const proc = sites[1] as Site;
    const untested = proc.signals.find((s) => s.kind === 'untested_shipped')?.evidence[0];
    expect([untested?.shipmentId, untested?.txId, untested?.lot]).to.deep.equal(['SH-2', txOf['SH-2'], { gtin: TEA, lot: 'P-1' }]);
    expect(proc.signals.find((s) => s.kind === 'recalled_stock')?.evidence[0]?.message).to.equal('holds 300 KGM of lot ' + `${TEA}/P-1, recalled (recall RC-1)`);
    const origin = (sites[2] as Site).signals.find((s) => s.kind === 'recall_origin')?.evidence[0];
    expect([origin?.recallId, origin?.txId]).to.deep.equal(['RC-1', txOf['RC-1']]);
  });

  it('counts a receipt overdue at asOf against the consignee, and lists the first sites only with limit', async () => {
    const inEightDays = new Date(Date.now() + 8 * 86_400_000).toISOString();
    const r = await plan(`?asOf=${encodeURIComponent(inEightDays)}`);
    expect(r.status, r.text).to.equal(200);
    const shop = (r.body.sites as Site[]).find((s) => s.participant.id === 'shop');
    expect(shop?.signals.map((s) => [s.kind, s.count, s.points])).to.deep.equal([['unreceived_shipment', 1, SIGNAL_WEIGHTS.unreceived_shipment]]);
    expect([shop?.signals[0]?.evidence[0]?.shipmentId, shop?.signals[0]?.evidence[0]?.txId]).to.deep.equal(['SH-3', txOf['SH-3']]);
    expect(r.body.total).to.equal(5);
    const later = await plan(`?asOf=${encodeURIComponent(inEightDays)}&overdueDays=9`);
    expect((later.body.sites as Site[]).some((s) => s.participant.id === 'shop'), 'eight days in transit is not nine').to.equal(false);
    const first = await plan('?limit=2');
    expect([first.body.total, (first.body.sites as Site[]).map((s) => s.participant.id)]).to.deep.equal([4, ['farm-b', 'proc']]);
  });

  it('leaves out the events recorded before since, but not the stock and shipments of now', async () => {
    const inEightDays = new Date(Date.now() + 8 * 86_400_000).toISOString();
    const r = await plan(`?since=${encodeURIComponent(new Date().toISOString())}&asOf=${encodeURIComponent(inEightDays)}`);
    expect(r.status, r.text).to.equal(200);
    const sites = (r.body.sites as Site[]).map((s) => [s.participant.id, s.signals.map((x) => x.kind).join(), s.score]);
    expect(sites).to.deep.equal([
      ['dist', 'recalled_stock', SIGNAL_WEIGHTS.recalled_stock],
      ['farm-a', 'recalled_stock', SIGNAL_WEIGHTS.recalled_stock],
      ['farm-b', 'recalled_stock', SIGNAL_WEIGHTS.recalled_stock],
      ['proc', 'recalled_stock', SIGNAL_WEIGHTS.recalled_stock],
      ['shop', 'unreceived_shipment', SIGNAL_WEIGHTS.unreceived_shipment],
    ]);
    const before = await plan('?since=2020-01-01T00:00:00%2B08:00');
    expect([before.body.since, (before.body.sites as Site[]).map((s) => s.score)]).to.deep.equal(['2019-12-31T16:00:00.000Z', [225, 75, 55, 25]]);
  });

  it('answers a spreadsheet a formula in a name cannot run in', async () => {
    const inEightDays = new Date(Date.now() + 8 * 86_400_000).toISOString();
    const r = await plan(`?format=csv&asOf=${encodeURIComponent(inEightDays)}`);
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.match(/^text\/csv/);
    const lines = r.text.split('\r\n');
    expect(lines[0]).to.equal('rank,participant,name,role,gln,status,score,failed_test,diverted_stock,non_compliant_inspection,recall_origin,material_balance,recalled_stock,untested_shipped,inspection_findings,unreceived_shipment,reasons');
    expect(lines[1]).to.match(new RegExp(`^1,farm-b,Anji Farm,producer,${gln(62)},active,225,6,0,0,0,0,1,0,0,0,"failed_test: test T-B1 of lot ${LEAF2}/B-1 failed`));
    const shop = lines.find((l) => l.startsWith('5,shop,'));
    expect(shop).to.match(new RegExp(`^5,shop,"'=HYPERLINK\\(""https://evil\\.example"",""West Lake""\\)",retailer,${gln(66)},active,10,0,0,0,0,0,0,0,0,1,"unreceived_shipment: shipment SH-3 from dist, shipped 8 days before `));
  });

  it('is for regulators only, and refuses bad parameters with the field named', async () => {
    const shop = await plan('', 'shop');
    expect([shop.status, shop.body.error.code]).to.deep.equal([403, 'FORBIDDEN']);
    const cases: [string, string][] = [
      ['?limit=0', 'limit'], ['?limit=501', 'limit'], ['?limit=2.5', 'limit'], ['?limit=ten', 'limit'],
      ['?overdueDays=0', 'overdueDays'], ['?overdueDays=366', 'overdueDays'], ['?overdueDays=1e1', 'overdueDays'], ['?overdueDays=-3', 'overdueDays'],
      ['?asOf=yesterday', 'asOf'], ['?asOf=2026-13-01T00:00:00Z', 'asOf'], ['?asOf=2026-03-01', 'asOf'], ['?asOf=2026-03-01T00:00:00', 'asOf'],
      ['?since=last-week', 'since'], ['?since=2026-03-01T00:00:00', 'since'],
      ['?format=xml', 'format'], ['?limit=1&limit=2', 'limit'], ['?owner=me', 'owner'], [`?asOf=${'9'.repeat(3000)}`, 'asOf'],
    ];
    for (const [query, field] of cases) {
      const r = await plan(query);
      expect([r.status, r.body?.error?.code, r.body?.error?.details?.field], query).to.deep.equal([400, 'INVALID_ARGUMENT', field]);
    }
  });

  it('counts at each site only what happened since its latest inspection, and what that inspection found', async () => {
    const refusedToShop = await call(base, 'POST', '/v1/inspections', { key: keys['shop'] as string, body: { inspectionId: 'INS-X', participant: 'dist', inspectedAt: new Date().toISOString(), outcome: 'compliant' } });
    expect([refusedToShop.status, refusedToShop.body.error.code]).to.deep.equal([403, 'FORBIDDEN']);
    await post('samr', '/v1/inspections', { inspectionId: 'INS-B', participant: 'farm-b', inspectedAt: new Date().toISOString(), outcome: 'compliant' });
    const findings = 'no cleaning records for the roasting line; yield records kept on loose paper';
    const inspectedProc = new Date().toISOString();
    const recorded = await post('samr', '/v1/inspections', { inspectionId: 'INS-P', participant: 'proc', inspectedAt: inspectedProc, outcome: 'non_compliant', findings });
    // a later inspection of farm-b stands for it; the record, made later, of an earlier inspection of proc does not
    await post('samr', '/v1/inspections', { inspectionId: 'INS-B2', participant: 'farm-b', inspectedAt: new Date().toISOString(), outcome: 'minor_findings', findings: 'hold signs missing' });
    await post('samr', '/v1/inspections', { inspectionId: 'INS-P0', participant: 'proc', inspectedAt: new Date(Date.parse(inspectedProc) - 3_600_000).toISOString(), outcome: 'compliant' });
    const r = await plan();
    const byId = new Map((r.body.sites as (Site & { lastInspection?: Record<string, string> })[]).map((s) => [s.participant.id, s]));
    // farm-b's six failed tests were before the inspection; the lot they put on hold is still in its store
    expect(byId.get('farm-b')?.signals.map((x) => [x.kind, x.points])).to.deep.equal([['recalled_stock', SIGNAL_WEIGHTS.recalled_stock], ['inspection_findings', SIGNAL_WEIGHTS.inspection_findings]]);
    expect(byId.get('farm-b')?.lastInspection).to.include({ inspectionId: 'INS-B2', outcome: 'minor_findings', inspector: 'samr' });
    // proc: its warning and its untested release are behind it; what the inspection found is not
    const proc = byId.get('proc');
    expect(proc?.signals.map((x) => [x.kind, x.points])).to.deep.equal([['non_compliant_inspection', SIGNAL_WEIGHTS.non_compliant_inspection], ['recalled_stock', SIGNAL_WEIGHTS.recalled_stock]]);
    expect(proc?.lastInspection).to.deep.equal({ inspectionId: 'INS-P', inspectedAt: inspectedProc, outcome: 'non_compliant', inspector: 'samr', txId: recorded.body.txId });
    expect((r.body.sites as Site[]).map((s) => s.participant.id)).to.deep.equal(['proc', 'farm-a', 'farm-b', 'dist']);
    // the findings: the regulator and the site read them; another participant is told there is no such inspection
    const own = await call(base, 'GET', '/v1/inspections/INS-P', { key: keys['proc'] as string });
    expect([own.status, own.body.findings, own.body.outcome]).to.deep.equal([200, findings, 'non_compliant']);
    const other = await call(base, 'GET', '/v1/inspections/INS-P', { key: keys['dist'] as string });
    expect([other.status, other.body.error.code]).to.deep.equal([404, 'INSPECTION_NOT_FOUND']);
    const badId = await call(base, 'GET', '/v1/inspections/INS%7C%00', { key: keys['samr'] as string });
    expect([badId.status, badId.body.error.details.field]).to.deep.equal([400, 'inspectionId']);
  });

  it('gives the same plan after a restart (the index read back from level) and after a rebuild from the ledger', async () => {
    const query = `?asOf=${encodeURIComponent('2030-01-01T00:00:00Z')}`;
    const before = await plan(query);
    expect(before.status, before.text).to.equal(200);
    expect((before.body.sites as (Site & { lastInspection?: unknown })[]).filter((s) => s.lastInspection).map((s) => s.participant.id).sort()).to.deep.equal(['farm-b', 'proc']);
    await t.gw.close();
    t = { ...t, gw: await startGateway(t.config) };
    base = t.gw.url;
    expect((await plan(query)).body, 'read back from level').to.deep.equal(before.body);
    await t.gw.index.rebuild(t.gw.ledger);
    expect((await plan(query)).body, 'rebuilt from the ledger').to.deep.equal(before.body);
  });
});
