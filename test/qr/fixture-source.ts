/**
 * An in-memory ResolverSource with a normal lot, a recalled lot and a held lot of Longjing tea,
 * and a product whose name tries to inject markup — what the gateway's trace index will
 * provide from the ledger, built here by hand so the resolver and page can be tested alone.
 */
import type { InspectionOutcome, ItemView, LotView, PartyView, ProductView, ResolverSource } from '../../qr-service';

export const GTIN = '09506000134352';
export const HOSTILE_GTIN = '00614141777778';

/** The municipal regulator: it recalls, and it inspects sites. */
const regulator: PartyView['name'] = { zh: '杭州市市场监督管理局', en: 'Hangzhou Market Supervision Administration' };

const producer: PartyView = {
  name: { zh: '杭州西湖龙井茶业有限公司', en: 'Hangzhou West Lake Longjing Tea Co., Ltd.' },
  gln: '0614141123452', licence: 'SC11433010600123',
  inspection: { outcome: 'compliant', date: '2026-03-15', authority: regulator },
};
const lab: PartyView['name'] = { zh: '浙江省食品质量检测中心', en: 'Zhejiang Food Quality Testing Centre' };

const product: ProductView = {
  gtin: GTIN,
  name: { zh: '西湖龙井茶 特级 250克', en: 'West Lake Longjing Tea, Special Grade, 250 g' },
  brand: { zh: '狮峰', en: 'Shifeng' },
  producer,
  netContent: '250 g',
  certifications: [{ name: { zh: '地理标志产品', en: 'Geographical indication' }, issuer: { zh: '国家知识产权局', en: 'CNIPA' }, id: 'GI-2001-01' }],
};

const path: LotView['path'] = [
  { role: 'origin', party: producer, place: { zh: '杭州市西湖区龙井村', en: 'Longjing Village, Xihu District, Hangzhou' }, date: '2026-04-02' },
  { role: 'processing', party: producer, place: { zh: '杭州', en: 'Hangzhou' }, date: '2026-04-03' },
  { role: 'distribution', party: { name: { zh: '浙江供销物流', en: 'Zhejiang Supply Logistics' } }, date: '2026-04-10T08:30:00Z' },
  {
    role: 'retail',
    party: { name: { zh: '联华超市 文三路店', en: 'Lianhua Supermarket, Wensan Road' }, inspection: { outcome: 'minor_findings', date: '2026-04-25', authority: { zh: '<b>西湖区</b>市场监管局', en: 'Xihu <b>District</b> Market Supervision' } } },
    date: '2026-04-12',
  },
];

function lot(code: string, status: LotView['status']): LotView {
  return {
    gtin: GTIN, lot: code, status, productionDate: '2026-04-03', expiry: '2027-10-02',
    origin: { zh: '浙江省杭州市西湖区', en: 'Xihu District, Hangzhou, Zhejiang' }, producer,
    tests: [
      { analyte: { zh: '铅', en: 'Lead (Pb)' }, result: '0.3 mg/kg', limit: '≤ 5 mg/kg', verdict: 'pass', lab, date: '2026-04-05' },
      { analyte: { zh: '草甘膦', en: 'Glyphosate' }, result: status === 'recalled' ? '2.1 mg/kg' : 'not detected', limit: '≤ 1 mg/kg', verdict: status === 'recalled' ? 'fail' : 'pass', lab, date: '2026-04-05' },
      { analyte: { zh: '茶多酚', en: 'Tea polyphenols' }, result: 'awaiting report', verdict: 'pending', lab, date: '2026-04-06' },
      // the raw material's test: the farm lot the tea was made from (its producer's name as hostile as any record)
      ...(status === 'recalled'
        ? [{ analyte: { zh: '毒死蜱', en: 'Chlorpyrifos' }, result: '0.42 mg/kg', limit: '≤ 0.1 mg/kg', verdict: 'fail' as const, lab, date: '2026-04-18', material: { lot: 'LJ-<F>1', producer: { zh: '龙井<i>茶园</i>', en: 'Longjing <i>Farm</i>' } } }]
        : []),
    ],
    path,
    ...(status === 'recalled'
      ? { recall: { reason: { zh: '草甘膦残留超标', en: 'Glyphosate residue above the legal limit' }, since: '2026-04-20', authority: regulator, contact: '0571-12345678' } }
      : status === 'on_hold' ? { recall: { reason: { zh: '疑似标签错误', en: 'Suspected labelling error' }, since: '2026-04-21' } } : {}),
  };
}

const lots = new Map<string, LotView>([
  ['LJ2026A', lot('LJ2026A', 'active')],
  ['LJ2026R', lot('LJ2026R', 'recalled')],
  ['LJ2026H', lot('LJ2026H', 'on_hold')],
]);

const items = new Map<string, ItemView>([
  ['000001', { gtin: GTIN, serial: '000001', lot: 'LJ2026A', scans: 3 }],
  ['000002', { gtin: GTIN, serial: '000002', lot: 'LJ2026R' }],
  ['000003', {
    gtin: GTIN, serial: '000003', lot: 'LJ2026A',
    warnings: [{ code: 'POSSIBLE_CLONE', message: { zh: '此码在相距 1200 公里的两地 10 分钟内被扫描', en: 'This code was scanned 1,200 km apart within 10 minutes' } }],
  }],
]);

const hostile: ProductView = {
  gtin: HOSTILE_GTIN,
  name: { zh: '<script>alert(1)</script>', en: '"><img src=x onerror=alert(1)>' },
  // an outcome the page has no words for (a source's bug) is not shown, let alone as markup
  producer: { name: { zh: "O'Brien & <Sons>", en: "O'Brien & <Sons>" }, inspection: { outcome: '" onmouseover="alert(1)' as InspectionOutcome, date: '2026-01-01' } },
};

/** The fixture source; `calls` counts lookups. */
export function fixtureSource(): ResolverSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    product: async (gtin) => { calls.push(`product ${gtin}`); return gtin === GTIN ? product : gtin === HOSTILE_GTIN ? hostile : undefined; },
    lot: async (gtin, code) => { calls.push(`lot ${code}`); return gtin === GTIN ? lots.get(code) : undefined; },
    item: async (gtin, serial) => { calls.push(`item ${serial}`); return gtin === GTIN ? items.get(serial) : undefined; },
  };
}
