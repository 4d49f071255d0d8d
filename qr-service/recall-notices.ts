/**
 * The public recall notices (食品召回公告) at `/recalls`: every recall, newest first, with what
 * it reached product by product and a link to each lot's page, so that anyone can check a
 * package without scanning it and a shop can check its shelves. A browser gets a page like the
 * consumer page (Chinese or English, no script, everything escaped); a program
 * (`Accept: application/json`) gets `{ recalls }`. Recalls are public by nature: nothing here is
 * more than the consumer page of each lot already shows.
 */
import Router from '@koa/router';
import { localised, pageShell, phraseHtml, timeHtml } from './consumer-page';
import { escapeHtml } from './html';
import type { Language } from './language';
import { basePath, requestLanguage, sendPage } from './page-route';
import { phrase } from './page-text';
import { COMMON_HEADERS, prefersJson } from './resolver';
import type { RecallNoticeSource, RecallNoticeView } from './resolver-source';

/** Recalls on the page: years of a province's recalls, on one phone screen after another. */
export const MAX_NOTICES = 200;

/** What the page needs besides the notices. */
export interface NoticesContext {
  readonly lang: Language;
  readonly switchHref: string;
  /** The path the deployment's codes live under (empty at the root): each lot links to its page there. */
  readonly prefix: string;
}

const CLASSES: Readonly<Record<string, 'recallClass_I' | 'recallClass_II' | 'recallClass_III'>> = { I: 'recallClass_I', II: 'recallClass_II', III: 'recallClass_III' };

function notice(n: RecallNoticeView, ctx: NoticesContext): string {
  const { lang } = ctx;
  const cls = n.recallClass !== undefined ? CLASSES[n.recallClass] : undefined;
  const tags = [cls ? phraseHtml(cls, lang) : '', n.status === 'propagating' ? phraseHtml('recallOngoing', lang) : ''].filter((x) => x !== '');
  const products = n.products.map((p) => {
    const lots = p.lots.map((lot) => `<a href="${escapeHtml(`${ctx.prefix}/01/${p.gtin}/10/${encodeURIComponent(lot)}`)}">${escapeHtml(lot)}</a>`).join(' ');
    const more = p.moreLots > 0 ? ` <small>${escapeHtml(phrase('moreLots', lang).replace('{n}', String(p.moreLots)))}</small>` : '';
    return `<li><b>${escapeHtml(localised(p.name, lang))}</b> <small>${escapeHtml(p.gtin)}</small><div>${phraseHtml('lots', lang)}: ${lots}${more}</div></li>`;
  });
  return `<section class="notice" id="${escapeHtml(`recall-${n.recallId}`)}"><h2>${escapeHtml(localised(n.reason, lang))}</h2>`
    + `<dl><dt>${phraseHtml('since', lang)}</dt><dd>${timeHtml(n.since)}${tags.length > 0 ? ` · ${tags.join(' · ')}` : ''}</dd>`
    + (n.authority ? `<dt>${phraseHtml('authority', lang)}</dt><dd>${escapeHtml(localised(n.authority, lang))}</dd>` : '')
    + `</dl><ul class="tests">${products.join('')}</ul><small>${escapeHtml(n.recallId)}</small></section>`;
}

/** The recall notices page. */
export function renderRecallNotices(notices: readonly RecallNoticeView[], ctx: NoticesContext): string {
  const { lang } = ctx;
  const title = phrase('recallNotices', lang);
  const body = `<section><p>${phraseHtml(notices.length === 0 ? 'noRecalls' : 'recallNoticesIntro', lang)}</p><p><a href="tel:12315">${phraseHtml('hotline', lang)}</a></p></section>`
    + notices.map((n) => notice(n, ctx)).join('');
  return pageShell(lang, title, ctx.switchHref, `<h1>${escapeHtml(title)}</h1>`, body);
}

/**
 * A router answering `GET /recalls` under the base URL's path (if any): the notices page, or
 * `{ recalls }` for a program.
 *
 * @example
 * app.use(createRecallNoticesRouter({ baseUrl: 'https://zfc.example.cn', source }).routes());
 */
export function createRecallNoticesRouter(options: { readonly baseUrl: string; readonly source: RecallNoticeSource }): Router {
  const router = new Router();
  const prefix = basePath(options.baseUrl);
  router.get(`${prefix}/recalls`, async (ctx) => {
    const notices = await options.source.recalls(MAX_NOTICES);
    ctx.set(COMMON_HEADERS);
    if (prefersJson(ctx.get('accept'))) {
      ctx.body = { recalls: notices };
      return;
    }
    const lang = requestLanguage(ctx);
    sendPage(ctx, lang, renderRecallNotices(notices, { lang, switchHref: `?lang=${lang === 'zh' ? 'en' : 'zh'}`, prefix }));
  });
  return router;
}
