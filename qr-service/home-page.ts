/**
 * The public home page at the root of the deployment's base URL: what the service is for, a
 * form that finds a package's page from what is printed on it, the latest recall notices, and
 * where companies and programs go next. Before it, a browser pointed at the address `npm start`
 * prints got a JSON 404.
 *
 * The form asks for what a shopper can read off a package: the barcode number (GTIN-8/12/13/14,
 * the digits under the barcode) with the lot (批号) or serial number, or a code pasted whole — a
 * QR code's link on any domain, a GS1 element string such as `(01)…(10)…`, or an EPC URN. `GET
 * /lookup` checks it with the ledger's own parser and answers 303 to the code's page on this
 * deployment (`/01/{gtin}/10/{lot}`…), or 400 with the form again and what was wrong with it. A
 * program (`Accept: application/json`) gets the typed error instead, and at `/` the addresses.
 * Like the other public pages: no script, everything escaped, Chinese or English.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { GS1_RESOLVER, gtinLink, parseIdentifier } from '../chaincode/digital-link';
import { ZfcError } from '../chaincode/errors';
import { localised, pageShell, phraseHtml, timeHtml } from './consumer-page';
import { escapeHtml } from './html';
import type { Language } from './language';
import { basePath, requestLanguage, sendPage } from './page-route';
import { phrase, type PhraseKey } from './page-text';
import { COMMON_HEADERS, HTML_HEADERS, prefersJson } from './resolver';
import type { LocalText, RecallNoticeSource, RecallNoticeView } from './resolver-source';

/** Recall notices the home page shows; the rest are a link away. */
export const HOME_RECALLS = 3;

/** Longest field the form takes back (characters): a Digital Link is far shorter. */
const MAX_FIELD = 2048;

/** A link the home page lists for companies and programs (the gateway's API documents, its health). */
export interface HomeLink {
  readonly href: string;
  readonly label: LocalText;
}

export interface HomeRouterOptions {
  /** The deployment's base URL: the home page is at its path, codes under it. */
  readonly baseUrl: string;
  /** The latest recall notices, if the deployment publishes them (`/recalls`). */
  readonly recalls?: RecallNoticeSource;
  /** Where companies and programs go next, by name (`docs` → `/docs`), as the gateway serves them. */
  readonly links?: Readonly<Record<string, HomeLink>>;
}

/** What the form was given, each field as typed (trimmed). */
export interface LookupQuery {
  readonly code?: string;
  readonly gtin?: string;
  readonly lot?: string;
  readonly serial?: string;
}

/** Where a lookup leads: the path of the code's page (under the base URL's path), or why it leads nowhere. */
export type LookupOutcome = { readonly path: string } | { readonly error: ZfcError; readonly problem: PhraseKey };

/** The form field an identifier error names, and the phrase that explains it to a shopper. */
function problemOf(err: ZfcError, fromCode: boolean): PhraseKey {
  const field = err.details['field'];
  if (field === 'gtin') return 'lookupBadGtin';
  if (field === 'lot' || field === 'serial') return 'lookupBadLot';
  return fromCode ? 'lookupBadCode' : 'lookupEmpty';
}

/**
 * Where the form's fields lead: a pasted code wins over the printed numbers; a code must name a
 * product, a lot or an item (GTIN-based), not a case, a place or an asset. Pure: no I/O.
 *
 * @example
 * lookupPath({ gtin: '6951234000356', lot: 'GT-2026-05A' }, '')  // { path: '/01/06951234000356/10/GT-2026-05A' }
 * lookupPath({ code: '(01)06951234000356(21)B1' }, '/trace')     // { path: '/trace/01/06951234000356/21/B1' }
 */
export function lookupPath(query: LookupQuery, prefix: string): LookupOutcome {
  const code = query.code ?? '';
  const gtin = (query.gtin ?? '').replace(/\s+/g, '');
  try {
    let parts: { gtin: string; lot?: string; serial?: string };
    if (code !== '') {
      const id = parseIdentifier(code);
      if (id.gtin === undefined) { // only products, lots and items carry a GTIN
        return { error: new ZfcError('INVALID_ARGUMENT', `code: names a ${id.kind}, not a product, lot or item`, { field: 'code', kind: id.kind }), problem: 'lookupNotProduct' };
      }
      parts = { gtin: id.gtin, ...(id.lot !== undefined ? { lot: id.lot } : {}), ...(id.serial !== undefined ? { serial: id.serial } : {}) };
    } else if (gtin !== '') {
      parts = { gtin, ...(query.lot ? { lot: query.lot } : {}), ...(query.serial ? { serial: query.serial } : {}) };
    } else {
      return { error: new ZfcError('INVALID_ARGUMENT', 'give code, or gtin with lot or serial if known', { field: 'code' }), problem: 'lookupEmpty' };
    }
    // the ledger's own builder checks every part and pads the GTIN to 14 digits
    return { path: prefix + gtinLink(parts, GS1_RESOLVER).slice(GS1_RESOLVER.length) };
  } catch (err) {
    if (!(err instanceof ZfcError)) throw err;
    return { error: err, problem: problemOf(err, code !== '') };
  }
}

/** The form's fields from a request's query: strings only (a repeated field is not one), trimmed, bounded. */
function lookupQuery(ctx: Context): LookupQuery {
  const out: Record<string, string> = {};
  for (const name of ['code', 'gtin', 'lot', 'serial'] as const) {
    const value = ctx.query[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new ZfcError('INVALID_ARGUMENT', `${name}: give it once`, { field: name });
    if (value.length > MAX_FIELD) throw new ZfcError('INVALID_ARGUMENT', `${name}: longer than ${MAX_FIELD} characters`, { field: name, limit: MAX_FIELD });
    out[name] = value.trim(); // an empty field is as absent (lookupPath)
  }
  return out;
}

function field(name: string, label: string, value: string | undefined, extra = ''): string {
  return `<label for="${name}">${label}</label><input id="${name}" name="${name}"${value !== undefined ? ` value="${escapeHtml(value)}"` : ''} ${extra}>`;
}

/** The lookup form, filled in with what was given, and the problem with it (if any). */
function lookupForm(lang: Language, prefix: string, given: LookupQuery, problem?: { phrase: PhraseKey; detail: string }): string {
  const optional = ` <small class="opt">${phraseHtml('optional', lang)}</small>`;
  const error = problem
    ? `<p class="formerror" role="alert" id="lookup-error">${phraseHtml(problem.phrase, lang)}<small>${escapeHtml(problem.detail)}</small></p>`
    : '';
  return `<section id="lookup"><h2>${phraseHtml('findTitle', lang)}</h2>${error}`
    + `<form method="get" action="${escapeHtml(`${prefix}/lookup`)}">`
    + `<input type="hidden" name="lang" value="${lang}">`
    + field('code', phraseHtml('codeLabel', lang), given.code, 'type="text" inputmode="url" autocomplete="off" spellcheck="false" placeholder="https://…/01/…/10/…"')
    + `<p class="or">${phraseHtml('orPrinted', lang)}</p>`
    + field('gtin', phraseHtml('gtin', lang), given.gtin, 'type="text" inputmode="numeric" autocomplete="off" placeholder="6901234567892"')
    + field('lot', phraseHtml('lot', lang) + optional, given.lot, 'type="text" autocomplete="off"')
    + field('serial', phraseHtml('serial', lang) + optional, given.serial, 'type="text" autocomplete="off"')
    + `<button type="submit">${phraseHtml('find', lang)}</button></form></section>`;
}

function recallsSection(notices: readonly RecallNoticeView[], lang: Language, prefix: string): string {
  if (notices.length === 0) return '';
  const items = notices.map((n) => {
    const products = n.products.map((p) => escapeHtml(localised(p.name, lang))).join(lang === 'zh' ? '、' : ', ');
    return `<li><a href="${escapeHtml(`${prefix}/recalls#recall-${n.recallId}`)}"><b>${escapeHtml(localised(n.reason, lang))}</b></a>`
      + `<small>${products} · ${timeHtml(n.since)}</small></li>`;
  });
  return `<section class="notice" id="recalls"><h2>${phraseHtml('latestRecalls', lang)}</h2><ul class="tests">${items.join('')}</ul>`
    + `<p><a href="${escapeHtml(`${prefix}/recalls`)}">${phraseHtml('allRecalls', lang)}</a></p></section>`;
}

function linksSection(links: Readonly<Record<string, HomeLink>>, lang: Language): string {
  const items = Object.values(links).map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(localised(l.label, lang))}</a> <small>${escapeHtml(l.href)}</small></li>`);
  return items.length === 0 ? '' : `<section id="developers"><h2>${phraseHtml('forDevelopers', lang)}</h2><ul class="tests">${items.join('')}</ul></section>`;
}

/** The home page: the intro, the form (with a problem, after a failed lookup), the latest recalls, the links. */
export function renderHomePage(ctx: { lang: Language; prefix: string; recalls: readonly RecallNoticeView[]; links: Readonly<Record<string, HomeLink>>; given?: LookupQuery; problem?: { phrase: PhraseKey; detail: string } }): string {
  const { lang, prefix } = ctx;
  const title = phrase('homeTitle', lang);
  const body = `<section><p>${phraseHtml('homeIntro', lang)}</p><p><a href="tel:12315">${phraseHtml('hotline', lang)}</a></p></section>`
    + lookupForm(lang, prefix, ctx.given ?? {}, ctx.problem)
    + recallsSection(ctx.recalls, lang, prefix)
    + linksSection(ctx.links, lang);
  // the other language keeps what the form was given (on /lookup, the bare switch would be an empty lookup)
  const switchHref = `?${new URLSearchParams({ ...ctx.given, lang: lang === 'zh' ? 'en' : 'zh' }).toString()}`;
  return pageShell(lang, title, switchHref, `<h1>${escapeHtml(title)}</h1>`, body);
}

/** The pages' headers: the public pages' own, with the form allowed to submit here. */
const HOME_HEADERS = { ...HTML_HEADERS, 'Content-Security-Policy': HTML_HEADERS['Content-Security-Policy'].replace("form-action 'none'", "form-action 'self'") };

/**
 * A router answering `GET /` (the home page; `{ name, links }` for a program) and `GET /lookup`
 * under the base URL's path.
 *
 * @example
 * app.use(createHomeRouter({ baseUrl: 'https://zfc.example.cn', recalls: source, links: { docs: { href: '/docs', label: { zh: '接口文档', en: 'API documentation' } } } }).routes());
 */
export function createHomeRouter(options: HomeRouterOptions): Router {
  const router = new Router();
  const prefix = basePath(options.baseUrl);
  const links = options.links ?? {};
  const page = async (ctx: Context, extra: { given?: LookupQuery; problem?: { phrase: PhraseKey; detail: string } } = {}): Promise<void> => {
    const lang = requestLanguage(ctx);
    const recalls = options.recalls ? await options.recalls.recalls(HOME_RECALLS) : [];
    sendPage(ctx, lang, renderHomePage({ lang, prefix, recalls, links, ...extra }), HOME_HEADERS);
  };
  router.get(prefix === '' ? '/' : `${prefix}/`, async (ctx) => {
    ctx.set(COMMON_HEADERS);
    if (prefersJson(ctx.get('accept'))) {
      const named = Object.fromEntries(Object.entries(links).map(([name, l]) => [name, l.href]));
      ctx.body = { name: 'Zhe Food Chain', links: { lookup: `${prefix}/lookup{?code,gtin,lot,serial}`, code: `${prefix}/01/{gtin}/10/{lot}`, recalls: `${prefix}/recalls`, ...named } };
      return;
    }
    await page(ctx);
  });
  router.get(`${prefix}/lookup`, async (ctx) => {
    ctx.set(COMMON_HEADERS);
    const json = prefersJson(ctx.get('accept'));
    const given = lookupQuery(ctx);
    const outcome = lookupPath(given, prefix);
    if ('path' in outcome) {
      const lang = typeof ctx.query['lang'] === 'string' && (ctx.query['lang'] === 'en' || ctx.query['lang'] === 'zh') ? `?lang=${ctx.query['lang']}` : '';
      ctx.status = 303;
      ctx.redirect(outcome.path + lang);
      return;
    }
    if (json) throw outcome.error;
    ctx.status = 400;
    await page(ctx, { given, problem: { phrase: outcome.problem, detail: outcome.error.text } });
  });
  return router;
}
