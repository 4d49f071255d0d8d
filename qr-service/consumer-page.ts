/**
 * The page a phone shows after scanning a code: small (one request, inline CSS, no script, no
 * external fonts or images), readable on a small screen, in Chinese or English with a link to
 * switch. A recalled or held lot opens with a red warning that says not to eat it and what to
 * do; everything taken from records is escaped.
 */
import { escapeHtml } from './html';
import type { Language } from './language';
import { phrase, type PhraseKey } from './page-text';
import type { Resolution } from './resolution';
import { isInspectionOutcome } from '../chaincode/records';
import type { HopView, LocalText, LotView, PartyView, TestView } from './resolver-source';

/** What the page needs besides the resolution. */
export interface PageContext {
  readonly lang: Language;
  /** Link to the same page in the other language (relative, e.g. `?lang=en`). */
  readonly switchHref: string;
  /** Today, ISO `YYYY-MM-DD`, to tell whether the lot is past its expiry. */
  readonly today: string;
  /** The public recall notices (recall-notices.ts), when this deployment serves them: a recall warning links there. */
  readonly recallsHref?: string;
}

const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1b1b1b;background:#f4f5f2}
main{max-width:36rem;margin:0 auto;padding:0 0 2rem}header{background:#1f6f43;color:#fff;padding:1rem 1rem 1.25rem}
header .top{display:flex;justify-content:space-between;align-items:center;gap:1rem}header .kicker{margin:0;font-size:.8rem;opacity:.85;letter-spacing:.05em}h1{margin:.25rem 0 0;font-size:1.5rem;line-height:1.25}
header .sub{margin:.2rem 0 0;opacity:.9}.lang{color:#fff;border:1px solid rgba(255,255,255,.7);border-radius:1rem;padding:.1rem .7rem;text-decoration:none;font-size:.9rem}
.badge{display:inline-block;margin-top:.6rem;padding:.1rem .6rem;border-radius:1rem;font-size:.85rem;font-weight:600;background:#e3f4e8;color:#1f6f43}
.badge.bad{background:#fff;color:#b00020}section{background:#fff;margin:.75rem .75rem 0;padding:.9rem 1rem;border-radius:.6rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{margin:0 0 .5rem;font-size:1.1rem}.alert{background:#b00020;color:#fff;border:4px solid #ffd600;box-shadow:0 0 0 3px #b00020}
.alert h2{font-size:1.6rem;line-height:1.2;margin:0 0 .5rem}.alert p{margin:.4rem 0;font-size:1.05rem}.alert dl{margin:.5rem 0 0}.alert a{color:#ffd600;font-weight:700}
.notice{background:#fff8e1;border-left:5px solid #f9a825}dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:.3rem .9rem}dt{color:#5f6368}dd{margin:0;word-break:break-word}
.alert dt{color:#ffe082}ul,ol{margin:0;padding:0;list-style:none}.tests li{padding:.55rem 0;border-top:1px solid #eee}.tests li:first-child{border-top:0}
.verdict{float:right;font-weight:700;padding:0 .5rem;border-radius:.4rem}.pass .verdict{color:#1f6f43;background:#e3f4e8}.fail .verdict{color:#fff;background:#b00020}
.pending .verdict{color:#5f4300;background:#ffecb3}small{color:#5f6368;display:block}.path li{position:relative;padding:0 0 .9rem 1.4rem;border-left:2px solid #1f6f43;margin-left:.4rem}
.path li:last-child{border-left-color:transparent}.path li::before{content:"";position:absolute;left:-.45rem;top:.3rem;width:.7rem;height:.7rem;border-radius:50%;background:#1f6f43}
.insp{font-weight:700;padding:0 .4rem;border-radius:.4rem}.insp.compliant{color:#1f6f43;background:#e3f4e8}.insp.minor_findings{color:#5f4300;background:#ffecb3}.insp.non_compliant{color:#fff;background:#b00020}
.role{font-weight:700}time{white-space:nowrap}footer{margin:1rem;color:#5f6368;font-size:.85rem;text-align:center}
form label{display:block;margin:.6rem 0 .2rem;color:#5f6368}form input{width:100%;font:inherit;padding:.5rem .6rem;border:1px solid #c4c7c5;border-radius:.4rem}
form button{margin-top:.9rem;width:100%;font:inherit;font-weight:700;padding:.6rem;border:0;border-radius:.4rem;background:#1f6f43;color:#fff}
.or{margin:.9rem 0 0;font-weight:600}.opt{display:inline;color:#5f6368}.formerror{color:#b00020;font-weight:600}`;

function loc(text: LocalText | undefined, lang: Language): string {
  if (text === undefined) return '';
  const other = lang === 'zh' ? text.en : text.zh;
  return text[lang] || other;
}

function t(key: PhraseKey, lang: Language): string {
  return escapeHtml(phrase(key, lang));
}

function date(value: string | undefined): string {
  return value === undefined ? '' : `<time>${escapeHtml(value.replace('T', ' ').slice(0, 16))}</time>`;
}

function fact(key: PhraseKey, value: string, lang: Language): string {
  return value === '' ? '' : `<dt>${t(key, lang)}</dt><dd>${value}</dd>`;
}

function party(p: PartyView | undefined, lang: Language): string {
  return p === undefined ? '' : escapeHtml(loc(p.name, lang));
}

/**
 * A party's latest official inspection, as regulators publish results at the premises: its
 * outcome (coloured like a test verdict), date and authority; nothing for none, or for an
 * outcome the page has no words for.
 */
function inspection(p: PartyView | undefined, lang: Language): string {
  const i = p?.inspection;
  if (i === undefined || !isInspectionOutcome(i.outcome)) return '';
  const by = i.authority === undefined ? '' : ` · ${escapeHtml(loc(i.authority, lang))}`;
  return `<span class="insp ${i.outcome}">${t(i.outcome, lang)}</span> ${date(i.date)}${by}`;
}

function alert(lot: LotView | undefined, lang: Language, recallsHref?: string): string {
  if (lot === undefined || lot.status === 'active') return '';
  const recalled = lot.status === 'recalled';
  const r = lot.recall;
  const details = r === undefined ? '' : `<dl>${fact('reason', escapeHtml(loc(r.reason, lang)), lang)}${fact('since', date(r.since), lang)}`
    + `${fact('authority', escapeHtml(loc(r.authority, lang)), lang)}${r.contact ? fact('call', `<a href="tel:${escapeHtml(r.contact)}">${escapeHtml(r.contact)}</a>`, lang) : ''}</dl>`
    + (r.advice ? `<p>${escapeHtml(loc(r.advice, lang))}</p>` : '');
  return `<section class="alert" role="alert" id="warning"><h2>⚠ ${t(recalled ? 'recalledTitle' : 'heldTitle', lang)}</h2>`
    + `<p>${t(recalled ? 'recalledBody' : 'heldBody', lang)}</p>${details}<p><a href="tel:12315">${t('hotline', lang)}</a></p>`
    + (recalled && recallsHref !== undefined ? `<p><a href="${escapeHtml(recallsHref)}">${t('allRecalls', lang)}</a></p>` : '') + '</section>';
}

function notices(res: Resolution, ctx: PageContext): string {
  const { lang } = ctx;
  const out: string[] = [];
  if (res.lot?.status === 'active' && res.lot.expiry !== undefined && res.lot.expiry.slice(0, 10) < ctx.today) out.push(`<p><b>${t('expired', lang)}</b></p>`);
  if (res.requested === 'item' && res.item === undefined) out.push(`<p>${t(res.lot === undefined ? 'unknownLot' : 'unknownSerial', lang)}</p>`);
  else if (res.requested === 'lot' && res.lot === undefined) out.push(`<p>${t('unknownLot', lang)}</p>`);
  for (const w of res.item?.warnings ?? []) out.push(`<p><b>${escapeHtml(w.code)}</b> ${escapeHtml(loc(w.message, lang))}</p>`);
  return out.length === 0 ? '' : `<section class="notice" id="notices"><h2>${t('warnings', lang)}</h2>${out.join('')}</section>`;
}

function facts(res: Resolution, lang: Language): string {
  const { product: p, lot } = res;
  const serial = res.identifier.serial ?? '';
  const rows = fact('producer', party(lot?.producer ?? p.producer, lang), lang)
    + fact('licence', escapeHtml((lot?.producer ?? p.producer).licence ?? ''), lang)
    + fact('inspection', inspection(lot?.producer ?? p.producer, lang), lang)
    + fact('brand', escapeHtml(loc(p.brand, lang)), lang)
    + fact('origin', escapeHtml(loc(lot?.origin, lang)), lang)
    + fact('productionDate', date(lot?.productionDate), lang)
    + fact('expiry', date(lot?.expiry ?? expiryFromCode(res)), lang)
    + fact('lot', escapeHtml(lot?.lot ?? res.identifier.lot ?? ''), lang)
    + fact('serial', escapeHtml(serial), lang)
    + fact('netContent', escapeHtml(p.netContent ?? ''), lang)
    + fact('gtin', escapeHtml(p.gtin), lang);
  return `<section id="facts"><dl>${rows}</dl></section>`;
}

function expiryFromCode(res: Resolution): string | undefined {
  const e = res.identifier.expiry;
  return e === undefined ? undefined : `20${e.slice(0, 2)}-${e.slice(2, 4)}-${e.slice(4, 6)}`;
}

function testItem(test: TestView, lang: Language): string {
  const limit = test.limit === undefined ? '' : ` (${t('limit', lang)} ${escapeHtml(test.limit)})`;
  const mark = test.verdict === 'pass' ? '✓' : test.verdict === 'fail' ? '✗' : '…';
  const m = test.material;
  const material = m === undefined ? '' : `<small class="material">${t('materialLot', lang)} ${escapeHtml(m.lot)}${m.producer ? ` · ${escapeHtml(loc(m.producer, lang))}` : ''}</small>`;
  return `<li class="${test.verdict}"><span class="verdict">${mark} ${t(test.verdict, lang)}</span><b>${escapeHtml(loc(test.analyte, lang))}</b> `
    + `${escapeHtml(test.result)}${limit}${material}<small>${escapeHtml(loc(test.lab, lang))} · ${date(test.date)}</small></li>`;
}

function tests(lot: LotView | undefined, lang: Language): string {
  if (lot === undefined) return '';
  const items = lot.tests.length === 0 ? `<p>${t('noTests', lang)}</p>` : `<ul class="tests">${lot.tests.map((x) => testItem(x, lang)).join('')}</ul>`;
  return `<section id="tests"><h2>${t('tests', lang)}</h2>${items}</section>`;
}

function hop(h: HopView, lang: Language): string {
  const place = h.place === undefined ? '' : ` · ${escapeHtml(loc(h.place, lang))}`;
  const inspected = inspection(h.party, lang);
  const line = inspected === '' ? '' : `<small class="inspected">${t('inspectedLine', lang)}${inspected}</small>`;
  return `<li><span class="role">${t(`${h.role}_role`, lang)}</span> ${party(h.party, lang)}${place}<small>${date(h.date)}</small>${line}</li>`;
}

function path(lot: LotView | undefined, lang: Language): string {
  if (lot === undefined) return '';
  const items = lot.path.length === 0 ? `<p>${t('noPath', lang)}</p>` : `<ol class="path">${lot.path.map((h) => hop(h, lang)).join('')}</ol>`;
  return `<section id="path"><h2>${t('path', lang)}</h2>${items}</section>`;
}

function certifications(res: Resolution, lang: Language): string {
  const all = [...(res.product.certifications ?? []), ...(res.lot?.certifications ?? [])];
  if (all.length === 0) return '';
  const items = all.map((c) => `<li><b>${escapeHtml(loc(c.name, lang))}</b> ${escapeHtml(loc(c.issuer, lang))}${c.id ? ` · ${escapeHtml(c.id)}` : ''}`
    + `${c.validUntil ? `<small>${t('validUntil', lang)} ${date(c.validUntil)}</small>` : ''}</li>`);
  return `<section id="certifications"><h2>${t('certifications', lang)}</h2><ul class="tests">${items.join('')}</ul></section>`;
}

function shell(lang: Language, title: string, switchHref: string, header: string, body: string): string {
  const other = lang === 'zh' ? 'en' : 'zh';
  return `<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">`
    + '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">'
    + `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body><main><header>`
    + `<div class="top"><p class="kicker">${t('title', lang)}</p><a class="lang" href="${escapeHtml(switchHref)}" hreflang="${other}" lang="${other}">${t('switchTo', lang)}</a></div>`
    + `${header}</header>${body}`
    + `<footer>${t('footer', lang)}</footer></main></body></html>`;
}

/** The consumer page for a resolution. */
export function renderConsumerPage(res: Resolution, ctx: PageContext): string {
  const { lang } = ctx;
  const name = loc(res.product.name, lang);
  const otherName = lang === 'zh' ? res.product.name.en : res.product.name.zh;
  const status = res.lot?.status;
  const badge = status === undefined ? '' : status === 'active'
    ? `<span class="badge" id="status">${t('statusActive', lang)}</span>`
    : `<span class="badge bad" id="status">${t(status === 'recalled' ? 'recalledTitle' : 'heldTitle', lang)}</span>`;
  const header = `<h1>${escapeHtml(name)}</h1>`
    + (otherName && otherName !== name ? `<p class="sub">${escapeHtml(otherName)}</p>` : '') + badge;
  const body = alert(res.lot, lang, ctx.recallsHref) + notices(res, ctx) + facts(res, lang) + tests(res.lot, lang) + path(res.lot, lang) + certifications(res, lang)
    + (res.item?.scans === undefined ? '' : `<footer>${escapeHtml(phrase('scans', lang).replace('{n}', String(res.item.scans)))}</footer>`);
  return shell(lang, `${name} · ${phrase('title', lang)}`, ctx.switchHref, header, body);
}

/** The page for a code that is not a valid trace code, names an unregistered product, or whose record cannot be shown now. */
export function renderProblemPage(problem: 'invalid' | 'unknown' | 'unavailable', lang: Language, switchHref: string): string {
  const title = phrase(`${problem}Title`, lang);
  const hotline = `<p><a href="tel:12315">${t('hotline', lang)}</a></p>`;
  // the system failing says nothing about the product: a notice, not a counterfeit warning
  const body = problem === 'unavailable'
    ? `<section class="notice" role="status" id="unavailable"><h2>${escapeHtml(title)}</h2><p>${t('unavailableBody', lang)}</p>${hotline}</section>`
    : `<section class="alert" role="alert" id="warning"><h2>⚠ ${escapeHtml(title)}</h2><p>${t(`${problem}Body`, lang)}</p>${hotline}</section>`;
  return shell(lang, title, switchHref, `<h1>${escapeHtml(title)}</h1>`, body);
}

/** The page's parts, for the other public pages (recall notices) to look and read the same. */
export { loc as localised, t as phraseHtml, date as timeHtml, shell as pageShell };
