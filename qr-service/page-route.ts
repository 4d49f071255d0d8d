/**
 * What the public pages' routes share (resolver-router.ts, recall-notices.ts, home-page.ts): the
 * path their deployment's codes live under, the reader's language, and how a page is answered.
 */
import type { Context } from 'koa';
import { normaliseBaseUrl } from '../chaincode/digital-link';
import { chooseLanguage, type Language } from './language';
import { HTML_HEADERS } from './resolver';

/**
 * The path of a base URL, without a trailing slash (empty at the root): codes on
 * `https://host/prefix` carry `/prefix/01/…`, and the public pages live beside them.
 */
export function basePath(baseUrl: string): string {
  return new URL(normaliseBaseUrl(baseUrl)).pathname.replace(/\/+$/, '');
}

/** The language to answer a request in: its `?lang=`, then its Accept-Language, then Chinese. */
export function requestLanguage(ctx: Context): Language {
  const explicit = ctx.query['lang'];
  return chooseLanguage(ctx.get('accept-language'), typeof explicit === 'string' ? explicit : undefined);
}

/** Answers a page in `lang`, with the public pages' headers (or `headers`). */
export function sendPage(ctx: Context, lang: Language, html: string, headers: Readonly<Record<string, string>> = HTML_HEADERS): void {
  ctx.set({ ...headers, 'Content-Language': lang === 'zh' ? 'zh-CN' : 'en' });
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html;
}
