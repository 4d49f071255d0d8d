/**
 * Choosing the page's language: an explicit `?lang=` (the switch link) wins, then the
 * browser's Accept-Language with its q-values, then Chinese.
 */

/** The languages the consumer page speaks. */
export type Language = 'zh' | 'en';

export const LANGUAGES: readonly Language[] = ['zh', 'en'];

/** The language to answer in. */
export function chooseLanguage(acceptLanguage: string | undefined, explicit: string | undefined): Language {
  if (explicit === 'zh' || explicit === 'en') return explicit;
  let best: { lang: Language; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const lang = tag.startsWith('zh') ? 'zh' : tag.startsWith('en') ? 'en' : undefined;
    if (lang !== undefined && Number.isFinite(q) && q > 0 && (best === undefined || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'zh';
}
