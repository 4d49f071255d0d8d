/**
 * Demo data for a first `npm start`: a small tea supply chain in Zhejiang, recorded through
 * real transactions with real identities — two farms, a processor, a lab, two distributors,
 * three shops and the market regulator; lots, tests (one failing), a transformation mixing two
 * farms' leaves, item codes, a pallet, shipments, receipts, sales, and one recall that reaches
 * the tea made from the recalled leaves.
 *
 * Seeding runs once per data folder; the API keys per role are returned and written to
 * `$ZFC_DATA/demo-keys.json` as `{ role: key }` so a second start can print them again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { x509IdOf } from '../chaincode/access';
import { gs1CheckDigit } from '../chaincode/gs1';
import type { Ledger } from '../ledger-tools/ledger';
import { initialiseRegulator } from './bootstrap';
import { decodePayload } from './routes-write';
import type { EmbeddedIssuer } from './embedded-identities';
import type { GatewayStore } from './gateway-store';
import type { TraceIndex } from './trace-index';

/** What the demo needs. */
export interface DemoParts {
  readonly ledger: Ledger;
  readonly index: TraceIndex;
  readonly store: GatewayStore;
  readonly issuer: EmbeddedIssuer | undefined;
}

/** The demo's identifiers, for printed examples and tests. */
export const DEMO = {
  leaf: check('0695123400011'),
  leaf2: check('0695123400028'),
  tea: check('0695123400035'),
  farmLot: 'LJ-2026-041',
  recalledFarmLot: 'AJ-2026-038',
  teaLot: 'GT-2026-05A',
  recalledTeaLot: 'GT-2026-05B',
  pallet: check('36951234000000001'),
  shopGln: check('695123400501'),
} as const;

function check(body: string): string {
  return body + String(gs1CheckDigit(body));
}

const gln = (n: number): string => check(`695123400${String(n).padStart(3, '0')}`);

const PARTICIPANTS = [
  { id: 'longjing-farm', name: '龙井茶园 Longjing Tea Farm', role: 'producer', licence: 'SC11233010600011', gln: gln(101) },
  { id: 'anji-farm', name: '安吉白茶场 Anji White Tea Farm', role: 'producer', licence: 'SC11233052300022', gln: gln(102) },
  { id: 'hangzhou-tea', name: '杭州茶业 Hangzhou Tea Co.', role: 'processor', licence: 'SC11433010600033', gln: gln(201) },
  { id: 'zj-lab', name: '浙江检测中心 Zhejiang Testing Centre', role: 'lab', licence: 'CMA-2026-0044', gln: gln(301) },
  { id: 'east-logistics', name: '华东物流 East China Logistics', role: 'distributor', licence: 'JY13301060000055', gln: gln(401) },
  { id: 'ningbo-cold', name: '宁波冷链 Ningbo Cold Chain', role: 'distributor', licence: 'JY13302060000066', gln: gln(402) },
  { id: 'westlake-market', name: '西湖市场 West Lake Market', role: 'retailer', licence: 'JY13301060000077', gln: gln(501) },
  { id: 'hefang-shop', name: '河坊街茶铺 Hefang Street Tea Shop', role: 'retailer', licence: 'JY13301060000088', gln: gln(502) },
  { id: 'ningbo-mart', name: '宁波超市 Ningbo Mart', role: 'retailer', licence: 'JY13302060000099', gln: gln(503) },
] as const;

/** One API key per role, as printed and written to demo-keys.json. */
export type DemoKeys = Record<'regulator' | 'producer' | 'processor' | 'lab' | 'distributor' | 'retailer', string>;

/** True if this data folder was already seeded (or holds someone's real data). */
export async function isSeeded(store: GatewayStore): Promise<boolean> {
  return (await store.getMeta('demo')) !== undefined || (await store.getMeta('regulator')) !== undefined;
}

/** Seeds the demo chain and returns one API key per role (also written to `<dataDir>/demo-keys.json`). */
export async function seedDemo(parts: DemoParts, dataDir: string, now: Date = new Date()): Promise<DemoKeys> {
  const { ledger, index, store, issuer } = parts;
  if (!issuer) throw new TypeError('seedDemo: the demo seeds an embedded ledger only');
  const regulator = await initialiseRegulator(parts, { id: 'zj-samr', name: '浙江省市场监管局 Zhejiang Market Regulation', licence: 'GOV-ZJ-SAMR', gln: gln(1) });
  const submitAs = async (who: string, fn: string, input: unknown): Promise<unknown> => {
    const identity = await store.wallet.get(who);
    if (!identity) throw new TypeError(`seedDemo: no identity for ${who}`);
    const res = await ledger.submit(fn, [JSON.stringify(input)], identity);
    await index.waitFor(res.txId, 10_000);
    return decodePayload(res.payload);
  };
  for (const p of PARTICIPANTS) {
    const identity = await issuer.issue(p.id, p.role);
    await submitAs('zj-samr', 'RegisterParticipant', { ...p, identities: [{ mspId: identity.mspId, id: x509IdOf(identity.mspId, identity.certificate) }] });
    await store.wallet.put(p.id, identity);
  }
  await runChain(submitAs, now);
  const keys: DemoKeys = {
    regulator: regulator.key,
    producer: (await store.keys.create({ participant: 'longjing-farm', label: 'demo' })).key,
    processor: (await store.keys.create({ participant: 'hangzhou-tea', label: 'demo' })).key,
    lab: (await store.keys.create({ participant: 'zj-lab', label: 'demo' })).key,
    distributor: (await store.keys.create({ participant: 'east-logistics', label: 'demo' })).key,
    retailer: (await store.keys.create({ participant: 'westlake-market', label: 'demo' })).key,
  };
  await fs.promises.writeFile(path.join(dataDir, 'demo-keys.json'), `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  await store.putMeta('demo', { seededAt: now.toISOString() });
  return keys;
}

/** The demo keys of an already seeded folder, if its demo-keys.json is still there. */
export async function readDemoKeys(dataDir: string): Promise<DemoKeys | undefined> {
  try {
    return JSON.parse(await fs.promises.readFile(path.join(dataDir, 'demo-keys.json'), 'utf8')) as DemoKeys;
  } catch {
    return undefined;
  }
}

type SubmitAs = (who: string, fn: string, input: unknown) => Promise<unknown>;

async function runChain(submitAs: SubmitAs, now: Date): Promise<void> {
  const day = (offset: number): string => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const at = (offset: number): string => new Date(now.getTime() + offset * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const { leaf, leaf2, tea, farmLot, recalledFarmLot, teaLot, recalledTeaLot, pallet } = DEMO;
  const test = (testId: string, gtin: string, lot: string, value: number): unknown => ({
    testId, gtin, lot, method: 'GB 2763-2021 pesticide residue limits', standard: 'GB 2763-2021', sampledAt: at(-20),
    analytes: [{ name: 'chlorpyrifos', value, unit: 'mg/kg', limit: 0.1 }, { name: 'lead (Pb)', value: 0.3, unit: 'mg/kg', limit: 5 }],
    verdict: value <= 0.1 ? 'pass' : 'fail',
    report: { sha256: 'b'.repeat(64), uri: `https://lab.example.cn/reports/${testId}.pdf` },
  });
  const ship = (shipmentId: string, to: string, lines: unknown[], origin: string, containers?: string[]): unknown => ({
    shipmentId, to, lines, origin: { gln: origin }, ...(containers ? { containers } : {}),
  });

  await submitAs('longjing-farm', 'RegisterProduct', { gtin: leaf, name: '西湖龙井鲜叶 West Lake Longjing fresh leaves', category: 'tea', unit: 'KGM', requiresTest: true });
  await submitAs('anji-farm', 'RegisterProduct', { gtin: leaf2, name: '安吉白茶鲜叶 Anji white tea fresh leaves', category: 'tea', unit: 'KGM', requiresTest: true });
  await submitAs('hangzhou-tea', 'RegisterProduct', { gtin: tea, name: '龙井绿茶 250 g Longjing green tea 250 g', category: 'tea', unit: 'EA', requiresTest: false });

  await submitAs('longjing-farm', 'CreateLot', { gtin: leaf, lot: farmLot, quantity: 1200, unit: 'KGM', productionDate: day(-25), expiryDate: day(340), origin: { gln: gln(101), name: '西湖 West Lake', country: 'CN', region: 'Zhejiang' } });
  await submitAs('anji-farm', 'CreateLot', { gtin: leaf2, lot: recalledFarmLot, quantity: 600, unit: 'KGM', productionDate: day(-24), expiryDate: day(340), origin: { gln: gln(102), name: '安吉 Anji', country: 'CN', region: 'Zhejiang' } });
  await submitAs('zj-lab', 'RecordTest', test('ZJ-T-0001', leaf, farmLot, 0.02));
  await submitAs('zj-lab', 'RecordTest', test('ZJ-T-0002', leaf2, recalledFarmLot, 0.05));
  await submitAs('longjing-farm', 'Ship', ship('SH-1001', 'hangzhou-tea', [{ gtin: leaf, lot: farmLot, quantity: 1000 }], gln(101)));
  await submitAs('anji-farm', 'Ship', ship('SH-1002', 'hangzhou-tea', [{ gtin: leaf2, lot: recalledFarmLot, quantity: 600 }], gln(102)));
  await submitAs('hangzhou-tea', 'Receive', { shipmentId: 'SH-1001', location: { gln: gln(201) } });
  await submitAs('hangzhou-tea', 'Receive', { shipmentId: 'SH-1002', location: { gln: gln(201) } });

  await submitAs('hangzhou-tea', 'TransformLots', {
    transformationId: 'TR-0501', inputs: [{ gtin: leaf, lot: farmLot, quantity: 600 }],
    output: { gtin: tea, lot: teaLot, quantity: 600, productionDate: day(-18), expiryDate: day(347) }, location: { gln: gln(201) },
  });
  await submitAs('hangzhou-tea', 'TransformLots', {
    transformationId: 'TR-0502', inputs: [{ gtin: leaf, lot: farmLot, quantity: 400 }, { gtin: leaf2, lot: recalledFarmLot, quantity: 600 }],
    output: { gtin: tea, lot: recalledTeaLot, quantity: 1000, productionDate: day(-17), expiryDate: day(348) }, location: { gln: gln(201) },
  });
  await submitAs('hangzhou-tea', 'CommissionItems', { gtin: tea, lot: teaLot, ranges: [{ prefix: 'A', from: 1, to: 600, width: 5 }] });
  await submitAs('hangzhou-tea', 'CommissionItems', { gtin: tea, lot: recalledTeaLot, ranges: [{ prefix: 'B', from: 1, to: 1000, width: 5 }] });
  await submitAs('zj-lab', 'RecordTest', test('ZJ-T-0003', tea, teaLot, 0.01));
  await submitAs('hangzhou-tea', 'Aggregate', { sscc: pallet, lots: [{ gtin: tea, lot: teaLot, quantity: 120 }], location: { gln: gln(201) } });

  await submitAs('hangzhou-tea', 'Ship', ship('SH-2001', 'east-logistics', [{ gtin: tea, lot: teaLot, quantity: 300 }, { gtin: tea, lot: recalledTeaLot, quantity: 500 }], gln(201), [pallet]));
  await submitAs('hangzhou-tea', 'Ship', ship('SH-2002', 'ningbo-cold', [{ gtin: tea, lot: teaLot, quantity: 200 }, { gtin: tea, lot: recalledTeaLot, quantity: 400 }], gln(201)));
  await submitAs('east-logistics', 'Receive', { shipmentId: 'SH-2001', location: { gln: gln(401) } });
  await submitAs('ningbo-cold', 'Receive', { shipmentId: 'SH-2002', location: { gln: gln(402) } });
  await submitAs('east-logistics', 'Ship', ship('SH-3001', 'westlake-market', [{ gtin: tea, lot: teaLot, quantity: 120 }, { gtin: tea, lot: recalledTeaLot, quantity: 200 }], gln(401), [pallet]));
  await submitAs('east-logistics', 'Ship', ship('SH-3002', 'hefang-shop', [{ gtin: tea, lot: teaLot, quantity: 100 }, { gtin: tea, lot: recalledTeaLot, quantity: 150 }], gln(401)));
  await submitAs('ningbo-cold', 'Ship', ship('SH-3003', 'ningbo-mart', [{ gtin: tea, lot: teaLot, quantity: 150 }, { gtin: tea, lot: recalledTeaLot, quantity: 300 }], gln(402)));
  await submitAs('westlake-market', 'Receive', { shipmentId: 'SH-3001', location: { gln: gln(501) } });
  await submitAs('westlake-market', 'Disaggregate', { sscc: pallet, location: { gln: gln(501) } });
  await submitAs('hefang-shop', 'Receive', { shipmentId: 'SH-3002', location: { gln: gln(502) } });
  await submitAs('ningbo-mart', 'Receive', { shipmentId: 'SH-3003', location: { gln: gln(503) } });
  await submitAs('westlake-market', 'RecordScans', {
    scans: [
      { kind: 'sale', gtin: tea, serial: 'A00007', location: { gln: gln(501) } },
      { kind: 'sale', gtin: tea, serial: 'A00008', location: { gln: gln(501) } },
      { kind: 'sale', gtin: tea, serial: 'B00011', location: { gln: gln(501) } },
    ],
  });
  await submitAs('ningbo-mart', 'RecordScans', { scans: [{ kind: 'sale', gtin: tea, serial: 'A00150', location: { gln: gln(503) } }] });

  await submitAs('zj-lab', 'RecordTest', { ...(test('ZJ-T-0004', leaf2, recalledFarmLot, 0.42) as object), sampledAt: at(-2) });
  let answer = await submitAs('zj-samr', 'IssueRecall', { recallId: 'RC-2026-001', lots: [{ gtin: leaf2, lot: recalledFarmLot }], reason: '毒死蜱超标 Chlorpyrifos above the legal limit (0.42 mg/kg, limit 0.1)', class: 'I' });
  for (let i = 0; i < 100 && (answer as { body?: { recall?: { status?: string } } }).body?.recall?.status === 'propagating'; i++) {
    answer = await submitAs('zj-samr', 'ContinueRecall', { recallId: 'RC-2026-001' });
  }
  // the regulator's first visit after the recall: the shop has taken the tea off its shelves, but kept no withdrawal log
  await submitAs('zj-samr', 'RecordInspection', {
    inspectionId: 'INS-2026-001', participant: 'westlake-market', inspectedAt: now.toISOString(), outcome: 'minor_findings',
    findings: '召回茶叶已下架，未做下架记录 Recalled tea off the shelves; no withdrawal log kept',
  });
  // another shop has destroyed its recalled tea under the regulator's eye: what the recall's progress counts (GET /v1/recalls/RC-2026-001)
  await submitAs('hefang-shop', 'RecordDisposal', {
    disposalId: 'DS-2026-001', gtin: tea, lot: recalledTeaLot, quantity: 150, method: 'destroyed',
    reason: '召回 RC-2026-001：在市场监管人员监督下销毁 Destroyed under the market regulator\'s supervision', location: { gln: gln(502) },
  });
  // a restock of the good tea, on its way to the shop: what its inbox lists (GET /v1/shipments?direction=incoming&status=in_transit)
  await submitAs('east-logistics', 'Ship', ship('SH-3004', 'westlake-market', [{ gtin: tea, lot: teaLot, quantity: 60 }], gln(401)));
}
