/**
 * The consumer page of a processed lot, on a real gateway and embedded ledger: the lot itself is
 * not tested, its raw materials are, so the page shows their tests, each naming its raw material
 * lot and producer — a failed one first, nearest lots before farther ones, at most twelve — and
 * the sites' latest official inspections on the path, in the directory and in a trace, outcome only.
 */
import { expect } from 'chai';
import Ajv from 'ajv';
import { mountPublicParts } from '../../gateway-api/public-parts';
import { call, created, gln, startTestGateway, withCheck, type Reply, type TestGateway } from './support';

const LEAF = withCheck('0695000000401');
const TEA = withCheck('0695000000402');
const BLEND = withCheck('0695000000403');
const FARM_LOTS = 13;
const PARTICIPANTS = [
  { id: 'farm', name: '龙井茶园 Longjing Farm', role: 'producer', licence: 'SC-F', gln: gln(71) },
  { id: 'lab', name: '浙江检测 Zhejiang Test Lab', role: 'lab', licence: 'CMA-7', gln: gln(72) },
  { id: 'proc', name: '杭州茶业 Hangzhou Tea Co', role: 'processor', licence: 'SC-P', gln: gln(73) },
] as const;

const BROWSER = { accept: 'text/html', 'accept-language': 'en' };

/** The test rows of a page, in order: verdict, raw material lot (if any) and the row's text. */
function testRows(html: string): Array<{ verdict: string; material?: string; text: string }> {
  const section = /<section id="tests">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  return [...section.matchAll(/<li class="(\w+)">([\s\S]*?)<\/li>/g)].map(([, verdict, text]) => {
    const material = /<small class="material">Raw material lot ([^<]*)<\/small>/.exec(text ?? '')?.[1];
    return { verdict: verdict as string, ...(material !== undefined ? { material } : {}), text: text as string };
  });
}

describe('gateway: the consumer page of a processed lot', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let base = '';
  const keys: Record<string, string> = {};
  const inspectedAt = new Date().toISOString();

  const post = (who: string, url: string, body: unknown): Promise<Reply> => created(base, keys[who] as string, url, body, who);
  const labTest = (gtin: string, lot: string, testId: string, analyte: string, value: number): unknown => ({
    testId, gtin, lot, method: 'GB 2763-2021', sampledAt: '2026-05-02T08:00:00Z', verdict: value <= 0.1 ? 'pass' : 'fail',
    analytes: [{ name: analyte, value, unit: 'mg/kg', limit: 0.1 }], report: { sha256: 'c'.repeat(64), uri: 'https://lab.example.cn/r/c.pdf' },
  });

  before(async () => {
    t = await startTestGateway();
    mountPublicParts(t.gw, t.gw.index, t.config); // the consumer pages, as `npm start` mounts them
    base = t.gw.url;
    keys['samr'] = t.regulatorKey;
    for (const p of PARTICIPANTS) keys[p.id] = (await post('samr', '/v1/participants', p)).body.apiKey;
    await post('farm', '/v1/products', { gtin: LEAF, name: '鲜叶 Fresh tea leaves', category: 'tea', unit: 'KGM', requiresTest: false });
    await post('proc', '/v1/products', { gtin: TEA, name: '龙井绿茶 Longjing green tea', category: 'tea', unit: 'KGM', requiresTest: false });
    await post('proc', '/v1/products', { gtin: BLEND, name: '拼配茶 Blended tea', category: 'tea', unit: 'KGM', requiresTest: false });
    const lines = [];
    for (let i = 1; i <= FARM_LOTS; i++) {
      await post('farm', '/v1/lots', { gtin: LEAF, lot: `F-${i}`, quantity: 10, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(71) } });
      await post('lab', '/v1/tests', labTest(LEAF, `F-${i}`, `T-F${i}`, 'chlorpyrifos', 0.01));
      lines.push({ gtin: LEAF, lot: `F-${i}`, quantity: 10 });
    }
    await post('farm', '/v1/shipments', { shipmentId: 'SH-1', to: 'proc', lines, origin: { gln: gln(71) } });
    await post('proc', '/v1/shipments/SH-1/receipt', { location: { gln: gln(73) } });
    await post('proc', '/v1/transformations', {
      transformationId: 'TR-1', inputs: lines, output: { gtin: TEA, lot: 'P-1', quantity: 40, productionDate: '2026-04-05', expiryDate: '2027-04-05' }, location: { gln: gln(73) },
    });
    await post('lab', '/v1/tests', labTest(TEA, 'P-1', 'T-P1', 'moisture', 0.05));
    await post('proc', '/v1/transformations', {
      transformationId: 'TR-2', inputs: [{ gtin: TEA, lot: 'P-1', quantity: 40 }], output: { gtin: BLEND, lot: 'B-1', quantity: 40, productionDate: '2026-04-06', expiryDate: '2027-04-06' }, location: { gln: gln(73) },
    });
    // a residue found in the last farm lot after it was processed
    await post('lab', '/v1/tests', labTest(LEAF, `F-${FARM_LOTS}`, 'T-F-late', 'chlorpyrifos', 0.42));
    await post('samr', '/v1/inspections', { inspectionId: 'INS-1', participant: 'proc', inspectedAt, outcome: 'non_compliant', findings: 'no sorting records kept' });
  });

  after(async () => {
    await t.stop();
  });

  it('shows the raw materials\' tests, a failure first and the nearest lots next, twelve at most', async () => {
    const page = await fetch(`${base}/01/${BLEND}/10/B-1`, { headers: BROWSER });
    const html = await page.text();
    expect(page.status, html).to.equal(200);
    expect(html).to.not.contain('No tests recorded yet.');
    const rows = testRows(html);
    // 13 passes and a failure of the farm lots, one pass of the tea lot made from them: 15 tests, 12 shown
    expect(rows).to.have.length(12);
    expect(rows[0]).to.include({ verdict: 'fail', material: `F-${FARM_LOTS} · Longjing Farm` });
    expect(rows[0]?.text).to.contain('0.42 mg/kg');
    expect(rows[1]).to.include({ verdict: 'pass', material: 'P-1 · Hangzhou Tea Co' });
    expect(rows.slice(2).every((r) => r.verdict === 'pass' && /^F-\d+ · Longjing Farm$/.test(r.material ?? '')), JSON.stringify(rows.slice(2))).to.equal(true);
    // the tea lot's page: its own test first, unmarked, then its farm lots'
    const tea = testRows(await (await fetch(`${base}/01/${TEA}/10/P-1`, { headers: BROWSER })).text());
    expect(tea[0]).to.deep.include({ verdict: 'pass' });
    expect(tea[0]?.material).to.equal(undefined);
    expect(tea[1]).to.include({ verdict: 'fail', material: `F-${FARM_LOTS} · Longjing Farm` });
    // a farm lot's page: its own tests only
    const farm = testRows(await (await fetch(`${base}/01/${LEAF}/10/F-1`, { headers: BROWSER })).text());
    expect(farm.map((r) => [r.verdict, r.material])).to.deep.equal([['pass', undefined]]);
  });

  it('shows the processor\'s inspection outcome on its steps, not what it found', async () => {
    const html = await (await fetch(`${base}/01/${BLEND}/10/B-1`, { headers: BROWSER })).text();
    expect(html.match(/Official inspection: <span class="insp non_compliant">Non-compliant<\/span>/g)).to.have.length(2); // TR-1 and TR-2
    expect(html).to.not.contain('sorting records');
    // and in the network's directory, for everyone on it
    const listed = await call(base, 'GET', '/v1/participants?role=processor', { key: keys['farm'] as string });
    expect(listed.body.participants).to.deep.equal([{ id: 'proc', name: '杭州茶业 Hangzhou Tea Co', role: 'processor', gln: gln(73), status: 'active', inspection: { outcome: 'non_compliant', inspectedAt } }]);
  });

  it('gives a trace each site\'s latest inspection, as the OpenAPI document describes it', async () => {
    const back = await call(base, 'GET', `/v1/trace/back?gtin=${BLEND}&lot=B-1`, { key: keys['samr'] as string });
    expect(back.status, back.text).to.equal(200);
    const byId = new Map((back.body.participants as Array<{ id: string; inspection?: unknown }>).map((p) => [p.id, p]));
    expect(byId.get('proc')?.inspection).to.deep.include({ outcome: 'non_compliant' });
    expect(byId.get('farm')).to.not.have.property('inspection');
    const doc = await call(base, 'GET', '/openapi.json');
    const validate = new Ajv({ strict: false }).compile(doc.body.components.schemas.TraceGraph as object);
    expect(validate(back.body), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('puts each row\'s participant\'s inspection in the trace\'s CSV and DOT exports', async () => {
    const csv = await fetch(`${base}/v1/trace/back?gtin=${BLEND}&lot=B-1&format=csv`, { headers: { authorization: `Bearer ${keys['samr'] as string}` } });
    const [header = '', ...rows] = (await csv.text()).trimEnd().split('\r\n').map((l) => l.split(','));
    const col = (name: string): number => header.indexOf(name);
    expect(header.slice(-2)).to.deep.equal(['participant_inspection', 'participant_inspected_at']);
    const inspectionOf = (participant: string): string[] => [...new Set(rows.filter((r) => r[col('participant')] === participant).map((r) => `${r[col('participant_inspection')]} ${r[col('participant_inspected_at')]}`))];
    expect(inspectionOf('杭州茶业 Hangzhou Tea Co'), 'both transformations and the receipt').to.deep.equal([`non_compliant ${inspectedAt}`]);
    expect(inspectionOf('龙井茶园 Longjing Farm'), 'never inspected').to.deep.equal([' ']);
    const dot = await (await fetch(`${base}/v1/trace/back?gtin=${BLEND}&lot=B-1&format=dot`, { headers: { authorization: `Bearer ${keys['samr'] as string}` } })).text();
    expect(dot).to.contain(`"p:proc" [shape=ellipse label="杭州茶业 Hangzhou Tea Co\\nprocessor\\ninspection: non_compliant ${inspectedAt.slice(0, 10)}" color="red" fontcolor="red"];`);
    expect(dot).to.contain('"p:farm" [shape=ellipse label="龙井茶园 Longjing Farm\\nproducer"];');
  });
});
