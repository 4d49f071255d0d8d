/**
 * The QR resolver's view of the world, answered from the trace index: products, lots (status,
 * tests, the path from origin to shop, the recall warning) and items, in the view models of
 * qr-service's ResolverSource port. Names recorded as "中文 English" are split into both
 * languages; anything else is shown as recorded in both.
 */
import { ZfcError } from '../chaincode/errors';
import { isInspectionOutcome } from '../chaincode/records';
import type { HopView, InspectionView, ItemWarning, LocalText, LotView, ItemView, PartyView, ProductView, RecallNoticeSource, RecallNoticeView, ResolverSource, TestView } from '../qr-service';
import type { LotDetail, TraceIndex } from './trace-index';
import type { LotView as TraceLotView, TraceGraph } from './trace-model';

const MAX_PATH = 24;
/** Raw material tests shown on a lot's page: enough for a blend of a dozen farm lots, few enough for a phone. */
const MAX_MATERIAL_TESTS = 12;

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;
/** Whether a word starts English text: two Latin letters, and not a unit after a number (`250 g`, `5 kg` stay with the Chinese). */
const startsEnglish = (word: string, before: string): boolean => /^[A-Za-z]{2}/.test(word) && !(/\d$/.test(before) && /^[a-z]{1,3}$/.test(word));

/**
 * Splits "龙井绿茶 250 g Longjing green tea 250 g" into its Chinese and English parts: the English
 * begins at the first word of two Latin letters after the first Chinese one, a quantity's unit
 * excepted. Text that is not of that form is shown as recorded in both.
 */
export function localText(text: string): LocalText {
  const words = text.trim().split(/\s+/u);
  const firstChinese = words.findIndex((w) => CJK.test(w));
  if (firstChinese < 0 || words.slice(0, firstChinese).some((w) => /[A-Za-z]/.test(w))) return { zh: text, en: text };
  const english = words.findIndex((w, i) => i > firstChinese && startsEnglish(w, words[i - 1] as string));
  if (english < 0) return { zh: text, en: text };
  return { zh: words.slice(0, english).join(' '), en: words.slice(english).join(' ') };
}

/**
 * The warning on the page of a labelled item its holder recorded destroyed or disposed of
 * (RecordDisposal's serials, or a captured destroying event's items): a package that turns up
 * after that was diverted, not destroyed.
 */
export function destroyedWarning(timestamp: string, holder: LocalText): ItemWarning {
  const day = timestamp.slice(0, 10);
  return {
    code: 'ITEM_DESTROYED',
    message: {
      zh: `此件商品已于 ${day} 由${holder.zh}在账本上记录为销毁或处置，不应再出售。请勿食用，并向当地市场监管部门（12315）报告购买地点。`,
      en: `This package was recorded on the ledger as destroyed or disposed of on ${day} by ${holder.en}: it should not be on sale. Do not eat it, and report where you bought it to the market regulator.`,
    },
  };
}

/** Lot codes a recall notice lists per product before it says how many more. */
const NOTICE_LOTS = 20;

/** A {@link ResolverSource} (and the recall notices' source) over the trace index. */
export class IndexResolverSource implements ResolverSource, RecallNoticeSource {
  /**
   * The notices as of the index's last recall change: `/recalls` is public and each recall's
   * lots are sorted and grouped, so they are built once per change, not once per request.
   */
  private notices?: { readonly version: string; readonly limit: number; readonly views: RecallNoticeView[] };

  constructor(private readonly index: TraceIndex) {}

  async product(gtin: string): Promise<ProductView | undefined> {
    const p = this.index.product(gtin);
    if (!p) return undefined;
    return { gtin, name: localText(p.name), producer: this.party(p.owner) };
  }

  async lot(gtin: string, lot: string): Promise<LotView | undefined> {
    let detail: LotDetail;
    try {
      detail = this.index.lot({ gtin, lot });
    } catch (err) {
      if (err instanceof ZfcError && err.code === 'LOT_NOT_FOUND') return undefined;
      throw err;
    }
    const status = detail.status === 'recalled' || detail.status === 'on_hold' ? detail.status : 'active';
    const back = this.index.traceBack({ lot: { gtin, lot } }, '');
    const origin = this.origin(detail, back);
    return {
      gtin,
      lot,
      status,
      ...(detail.productionDate ? { productionDate: detail.productionDate } : {}),
      ...(detail.expiry ? { expiry: detail.expiry } : {}),
      ...(origin ? { origin } : {}),
      ...(detail.producer ? { producer: this.party(detail.producer) } : {}),
      ...(status !== 'active' ? { recall: this.recall(detail) } : {}),
      tests: [...this.tests(detail), ...this.materialTests(back)],
      path: this.path(detail, back),
    };
  }

  async item(gtin: string, serial: string): Promise<ItemView | undefined> {
    const lot = this.index.itemLot(gtin, serial);
    if (!lot) return undefined;
    const clone = this.index.cloneFlag(`${gtin}/${serial}`);
    const disposed = this.index.disposedItem(`${gtin}/${serial}`);
    const warnings = [...(disposed ? [destroyedWarning(disposed.timestamp, this.name(disposed.holder))] : []), ...(clone ? [clone.warning] : [])];
    return { gtin, serial, lot: lot.lot, scans: this.index.publicScanCount(`${gtin}/${serial}`), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  async recalls(limit: number): Promise<RecallNoticeView[]> {
    const version = this.index.recallsVersion();
    if (this.notices?.version === version && this.notices.limit === limit) return this.notices.views;
    const views = this.index.recalls({ limit }).recalls.map((summary) => {
      const r = this.index.recall(summary.recallId);
      // what it reached (the lots it named among them), or, before the first lot is marked, what it named
      const byProduct = new Map<string, string[]>();
      for (const l of r.affected.length > 0 ? r.affected : r.lots) {
        const lots = byProduct.get(l.gtin);
        if (lots) lots.push(l.lot);
        else byProduct.set(l.gtin, [l.lot]);
      }
      const products = [...byProduct].map(([gtin, lots]) => ({
        gtin, name: localText(this.index.product(gtin)?.name ?? gtin), lots: lots.sort().slice(0, NOTICE_LOTS), moreLots: Math.max(0, lots.length - NOTICE_LOTS),
      }));
      return {
        recallId: r.recallId,
        status: r.status === 'complete' ? 'complete' : 'propagating',
        since: r.timestamp.slice(0, 10),
        reason: localText(r.reason),
        authority: this.name(r.issuer),
        ...(r.recallClass ? { recallClass: r.recallClass } : {}),
        products,
      } satisfies RecallNoticeView;
    });
    this.notices = { version, limit, views };
    return views;
  }

  private party(id: string): PartyView {
    const p = this.index.participant(id);
    const inspection = this.inspection(id);
    return { name: localText(p.name), ...(p.gln ? { gln: p.gln } : {}), ...(inspection ? { inspection } : {}) };
  }

  /** A participant's name alone (a lab, an authority): without the rest of {@link party}, its inspection looked up for nothing. */
  private name(id: string): LocalText {
    return localText(this.index.participant(id).name);
  }

  /**
   * A site's latest official inspection as the public sees it (outcome, date, authority), as
   * regulators publish inspection results at the premises; the findings stay with the regulator
   * and the site (GetInspection).
   */
  private inspection(id: string): InspectionView | undefined {
    const i = this.index.latestInspection(id);
    if (!i || !isInspectionOutcome(i.outcome)) return undefined;
    return { outcome: i.outcome, date: i.inspectedAt.slice(0, 10), authority: this.name(i.inspector) };
  }

  /** Where the lot's raw materials come from: its own origin, or its origin lots' for a processed lot. */
  private origin(detail: LotDetail, back: TraceGraph): LocalText | undefined {
    if (detail.originName) return localText(detail.originName);
    const origins = back.lots.filter((l) => l.kind === 'commissioning').map((l) => this.index.lot(l).originName || l.producerName);
    const names = [...new Set(origins.filter((o) => o))];
    if (names.length === 0) return undefined;
    const texts = names.slice(0, 3).map(localText);
    return { zh: texts.map((t) => t.zh).join('、'), en: texts.map((t) => t.en).join('; ') };
  }

  private recall(detail: LotDetail): { reason: LocalText; since: string; authority?: LocalText } {
    const since = (detail.statusAt || detail.timestamp).slice(0, 10);
    const reason = localText(detail.statusReason || (detail.status === 'recalled' ? '召回 Recalled' : '暂停销售 On hold'));
    if (!detail.recallId) return { reason, since };
    try {
      const r = this.index.recall(detail.recallId);
      return { reason: localText(r.reason), since, authority: this.name(r.issuer) };
    } catch {
      return { reason, since };
    }
  }

  private tests(lot: Pick<TraceLotView, 'tests'>, material?: TestView['material']): TestView[] {
    const out: TestView[] = [];
    const of = material ? { material } : {};
    for (const t of lot.tests) {
      const lab = this.name(t.lab);
      const date = (t.sampledAt || t.timestamp).slice(0, 10);
      if (t.analytes.length === 0) out.push({ analyte: localText(t.method || t.testId), result: t.verdict, verdict: verdict(t.verdict), lab, date, ...of });
      for (const a of t.analytes) {
        const within = a.limitType === 'min' ? a.value >= a.limit : a.value <= a.limit;
        out.push({
          analyte: localText(a.name),
          result: `${a.value} ${a.unit}`,
          limit: `${a.limitType === 'min' ? '≥' : '≤'} ${a.limit} ${a.unit}`,
          verdict: within ? 'pass' : 'fail',
          lab,
          date,
          ...of,
        });
      }
    }
    return out;
  }

  /**
   * The tests of the lots this lot was made from, nearest first, at most {@link MAX_MATERIAL_TESTS}
   * (failures first: a cut leaves out passes before any failure): a processed lot is often tested only as
   * raw material, and a recall of it for a residue names the farm lot's test.
   */
  private materialTests(back: TraceGraph): TestView[] {
    const lots = back.lots.filter((l) => l.depth > 0 && l.tests.length > 0).sort((a, b) => a.depth - b.depth);
    const out = lots.flatMap((l) => this.tests(l, { lot: l.lot, ...(l.producer ? { producer: this.name(l.producer) } : {}) }));
    const failed = out.filter((t) => t.verdict === 'fail');
    return [...failed, ...out.filter((t) => t.verdict !== 'fail')].slice(0, MAX_MATERIAL_TESTS);
  }

  /** Origin farms, processing, then each place the lot was received, in order. */
  private path(detail: LotDetail, back: TraceGraph): HopView[] {
    const steps: HopView[] = [];
    const lots = [...back.lots].sort((a, b) => b.depth - a.depth);
    for (const l of lots) {
      if (!l.producer) continue;
      const role = l.kind === 'transformation' ? 'processing' : 'origin';
      const place = l.kind === 'commissioning' ? this.index.lot(l).originName : '';
      steps.push({ role, party: this.party(l.producer), ...(place ? { place: localText(place) } : {}), date: l.productionDate || l.timestamp.slice(0, 10) });
    }
    const own = back.hops.filter((h) => h.kind === 'receive' && h.lot.gtin === detail.gtin && h.lot.lot === detail.lot);
    for (const h of own) {
      const role = this.index.participant(h.to).role === 'retailer' ? 'retail' : 'distribution';
      steps.push({ role, party: this.party(h.to), date: h.timestamp.slice(0, 10) });
    }
    return steps.slice(0, MAX_PATH);
  }
}

function verdict(v: string): 'pass' | 'fail' | 'pending' {
  return v === 'pass' || v === 'fail' ? v : 'pending';
}
