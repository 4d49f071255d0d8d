/**
 * Every fixed word on the consumer page, in Chinese and English. Kept apart from the markup so
 * a translator edits one table and the page code stays small.
 */
import type { Language } from './language';

const TEXT = {
  title: { zh: '产品溯源', en: 'Product trace' },
  switchTo: { zh: 'English', en: '中文' },
  producer: { zh: '生产企业', en: 'Producer' },
  brand: { zh: '品牌', en: 'Brand' },
  origin: { zh: '产地', en: 'Origin' },
  productionDate: { zh: '生产日期', en: 'Production date' },
  expiry: { zh: '保质期至', en: 'Use by' },
  lot: { zh: '批号', en: 'Lot' },
  serial: { zh: '序列号', en: 'Serial' },
  gtin: { zh: '商品条码', en: 'GTIN' },
  netContent: { zh: '净含量', en: 'Net content' },
  licence: { zh: '许可证号', en: 'Licence' },
  inspection: { zh: '监督检查', en: 'Official inspection' },
  inspectedLine: { zh: '监督检查：', en: 'Official inspection: ' },
  compliant: { zh: '符合', en: 'Compliant' },
  minor_findings: { zh: '基本符合', en: 'Minor findings' },
  non_compliant: { zh: '不符合', en: 'Non-compliant' },
  tests: { zh: '检测结果', en: 'Test results' },
  noTests: { zh: '暂无检测记录。', en: 'No tests recorded yet.' },
  materialLot: { zh: '原料批次', en: 'Raw material lot' },
  limit: { zh: '限量', en: 'limit' },
  pass: { zh: '合格', en: 'Pass' },
  fail: { zh: '不合格', en: 'Fail' },
  pending: { zh: '待定', en: 'Pending' },
  path: { zh: '流通路径', en: 'From origin to shop' },
  noPath: { zh: '暂无流通记录。', en: 'No movements recorded yet.' },
  certifications: { zh: '认证', en: 'Certificates' },
  validUntil: { zh: '有效期至', en: 'valid until' },
  origin_role: { zh: '产地', en: 'Origin' },
  processing_role: { zh: '加工', en: 'Processing' },
  storage_role: { zh: '仓储', en: 'Storage' },
  transport_role: { zh: '运输', en: 'Transport' },
  distribution_role: { zh: '批发', en: 'Distribution' },
  retail_role: { zh: '零售', en: 'Retail' },
  statusActive: { zh: '正常', en: 'OK' },
  expired: { zh: '已过保质期 — 请勿食用', en: 'Past its use-by date — do not eat' },
  recalledTitle: { zh: '召回警告：请勿食用！', en: 'RECALL — DO NOT EAT' },
  recalledBody: {
    zh: '该批次产品已被召回。请勿食用，也不要转送他人。请将产品退回购买处，或按市场监管部门的指示处理。如已食用并感到不适，请立即就医。',
    en: 'This lot has been recalled. Do not eat it and do not give it to anyone. Return it to where you bought it, or follow the instructions of the food-safety authority. If you have eaten it and feel unwell, see a doctor now.',
  },
  heldTitle: { zh: '暂停销售：请勿食用！', en: 'ON HOLD — DO NOT EAT' },
  heldBody: {
    zh: '该批次产品正在调查中，已暂停销售。在调查结束前请勿食用，请保留产品和购物凭证。',
    en: 'This lot is on hold while it is investigated. Do not eat it until the hold is lifted; keep the product and your receipt.',
  },
  reason: { zh: '原因', en: 'Reason' },
  since: { zh: '日期', en: 'Since' },
  authority: { zh: '发布机构', en: 'Issued by' },
  call: { zh: '咨询电话', en: 'Call' },
  hotline: { zh: '食品安全投诉举报电话 12315', en: 'Food-safety hotline 12315' },
  unknownSerial: {
    zh: '此序列号未登记，以下为该批次信息。如对真伪有疑问，请联系生产企业或拨打 12315。',
    en: 'This serial number is not registered; showing its lot instead. If you doubt the product is genuine, contact the producer or call 12315.',
  },
  unknownLot: {
    zh: '此批号未登记，以下仅为产品信息。如对真伪有疑问，请联系生产企业或拨打 12315。',
    en: 'This lot is not registered; showing the product only. If you doubt the product is genuine, contact the producer or call 12315.',
  },
  warnings: { zh: '警示', en: 'Warnings' },
  recallNotices: { zh: '食品召回公告', en: 'Food recall notices' },
  recallNoticesIntro: {
    zh: '以下批次已被召回。请勿食用，也不要转送他人；请将产品退回购买处。扫描包装上的二维码可查看该件商品的详情。',
    en: 'These lots have been recalled. Do not eat them or give them away; return them to where you bought them. Scan the QR code on a package to see that item.',
  },
  noRecalls: { zh: '目前没有召回公告。', en: 'There are no recall notices.' },
  recallOngoing: { zh: '正在追溯下游批次', en: 'Tracing downstream lots' },
  recallClass_I: { zh: '一级召回', en: 'Class I recall' },
  recallClass_II: { zh: '二级召回', en: 'Class II recall' },
  recallClass_III: { zh: '三级召回', en: 'Class III recall' },
  lots: { zh: '批次', en: 'Lots' },
  moreLots: { zh: '另有 {n} 个批次', en: 'and {n} more lots' },
  allRecalls: { zh: '全部召回公告', en: 'All recall notices' },
  scans: { zh: '此码已被扫描 {n} 次', en: 'This code has been scanned {n} times' },
  footer: { zh: '信息来自浙食链溯源账本', en: 'Recorded on the Zhe Food Chain traceability ledger' },
  homeTitle: { zh: '浙食链 · 食品溯源', en: 'Zhe Food Chain · Food traceability' },
  homeIntro: {
    zh: '用手机扫描包装上的二维码，或在下方输入包装上印的商品条码和批号，即可查看产品的产地、检测结果、流通路径，以及是否被召回。',
    en: 'Scan the QR code on a package with your phone, or enter the barcode number and lot printed on it below, to see where the product came from, how it was tested, where it travelled, and whether it has been recalled.',
  },
  findTitle: { zh: '查询产品', en: 'Look up a product' },
  codeLabel: { zh: '二维码网址或追溯码', en: 'QR code link or trace code' },
  orPrinted: { zh: '或按包装上印的号码查询', en: 'or by the numbers printed on the package' },
  optional: { zh: '选填', en: 'optional' },
  find: { zh: '查询', en: 'Look up' },
  latestRecalls: { zh: '最新召回', en: 'Latest recalls' },
  forDevelopers: { zh: '企业与开发者', en: 'For companies and developers' },
  lookupEmpty: { zh: '请输入二维码网址或追溯码，或商品条码（可加批号、序列号）。', en: 'Enter the QR code link or trace code, or the barcode number (with the lot or serial number if you have them).' },
  lookupBadCode: { zh: '无法识别此追溯码，请检查是否输入完整。', en: 'This trace code is not recognised; check that it was entered in full.' },
  lookupNotProduct: { zh: '此码不是商品包装上的追溯码（例如是物流箱码或地点码）。', en: 'This code does not name a product package (it names, for example, a shipping case or a place).' },
  lookupBadGtin: { zh: '商品条码应为 8、12、13 或 14 位数字，且校验位正确。', en: 'A barcode number has 8, 12, 13 or 14 digits and a valid check digit.' },
  lookupBadLot: { zh: '批号或序列号过长，或含有条码不允许的字符。', en: 'The lot or serial number is too long, or has characters barcodes do not allow.' },
  invalidTitle: { zh: '无法识别此码', en: 'This code is not recognised' },
  invalidBody: {
    zh: '此二维码不是有效的商品溯源码，可能已损坏或为仿冒。请勿凭此码判断产品安全，如有疑问请拨打 12315。',
    en: 'This QR code is not a valid product trace code; it may be damaged or counterfeit. Do not rely on it; if in doubt, call 12315.',
  },
  unknownTitle: { zh: '未登记的产品', en: 'Unregistered product' },
  unknownBody: {
    zh: '此商品条码未在溯源系统中登记，可能为仿冒产品。请谨慎食用，如有疑问请拨打 12315。',
    en: 'This product is not registered in the trace system and may be counterfeit. Be careful; if in doubt, call 12315.',
  },
  unavailableTitle: { zh: '暂时无法查询', en: 'Record unavailable for now' },
  unavailableBody: {
    zh: '溯源系统暂时无法显示此码的记录，这并不说明产品有问题。请稍后再扫；如有疑问请拨打 12315。',
    en: 'The trace system cannot show this code\'s record right now; that says nothing about the product. Please scan again later; if in doubt, call 12315.',
  },
} as const;

/** A fixed phrase in `lang`. */
export type PhraseKey = keyof typeof TEXT;

/** The phrase `key` in `lang`. */
export function phrase(key: PhraseKey, lang: Language): string {
  return TEXT[key][lang];
}
