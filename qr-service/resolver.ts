/**
 * The resolver behind the URL in every code, as a pure function of the request: a browser gets
 * the consumer page, a program (`Accept: application/json`, or `?linkType=linkset`) gets the
 * GS1 linkset, and `?linkType=gs1:…` gets that one resource. The gateway wires it to real data
 * through a {@link ResolverSource} and to HTTP through {@link createResolverRouter}.
 */
import { ZfcError } from '../chaincode/errors';
import { normaliseBaseUrl, parseIdentifier, type ParsedIdentifier } from '../chaincode/digital-link';
import { renderConsumerPage, renderProblemPage } from './consumer-page';
import { chooseLanguage, type Language } from './language';
import { certificationDocument, linkset, linkTo, recallDocument, traceabilityDocument } from './linkset';
import { lookUp, type Resolution } from './resolution';
import type { ResolverSource } from './resolver-source';

/** The parts of an HTTP request the resolver reads. */
export interface ResolverRequest {
  /** The request path as sent (percent-encoded), e.g. `/01/09506000134352/10/L1/21/7`. */
  readonly path: string;
  /** The raw query string without `?`. */
  readonly querystring: string;
  readonly accept?: string;
  readonly acceptLanguage?: string;
}

/** What to send back. */
export interface ResolverResponse {
  readonly status: number;
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** What was resolved, for the caller to count the scan; absent when nothing was. */
  readonly resolution?: Resolution;
}

export interface ResolverOptions {
  /** The deployment's public base URL, which the codes carry. */
  readonly baseUrl: string;
  /** The EPCIS 2.0 query interface, e.g. `https://zfc.example.cn/epcis`: adds a gs1:epcis link. */
  readonly epcisBaseUrl?: string;
  /** Today's date, ISO `YYYY-MM-DD` (default: the system clock, UTC). */
  readonly today?: () => string;
  /** Whether `/recalls` (recall-notices.ts) is served beside the resolver: a recalled lot's page links to it. */
  readonly recallNotices?: boolean;
}

export const HTML_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
export const COMMON_HEADERS = { Vary: 'Accept, Accept-Language', 'Cache-Control': 'no-cache' };

/** True if the client ranks JSON above HTML (Accept q-values; ties go to HTML). */
export function prefersJson(accept: string | undefined): boolean {
  let json = 0;
  let html = 0;
  for (const part of (accept ?? '').split(',').slice(0, 30)) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2)) || 0;
    if (type === 'application/json' || type === 'application/linkset+json' || type === 'application/ld+json') json = Math.max(json, q);
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
  }
  return json > html;
}

interface Query {
  readonly linkType?: string;
  readonly lang?: string;
  readonly rest: string;
}

function splitQuery(querystring: string): Query {
  const params = new URLSearchParams(querystring);
  const linkType = params.get('linkType') ?? undefined;
  const lang = params.get('lang') ?? undefined;
  params.delete('linkType');
  params.delete('lang');
  params.delete('context');
  return { ...(linkType === undefined ? {} : { linkType }), ...(lang === undefined ? {} : { lang }), rest: params.toString() };
}

function switchHref(querystring: string, lang: Language): string {
  const params = new URLSearchParams(querystring);
  params.set('lang', lang === 'zh' ? 'en' : 'zh');
  return `?${params.toString()}`;
}

function json(status: number, body: unknown, type = 'application/json', extra: Record<string, string> = {}): ResolverResponse {
  return { status, type, headers: { ...COMMON_HEADERS, ...extra }, body: JSON.stringify(body) };
}

function html(status: number, body: string, lang: Language, extra: Record<string, string> = {}): ResolverResponse {
  return { status, type: 'text/html; charset=utf-8', headers: { ...COMMON_HEADERS, ...HTML_HEADERS, 'Content-Language': lang === 'zh' ? 'zh-CN' : 'en', ...extra }, body };
}

function linkHeader(res: Resolution): string {
  return `<${linkTo(res.anchor, 'linkset')}>; rel="linkset"; type="application/linkset+json", `
    + `<${linkTo(res.anchor, 'gs1:pip')}>; rel="https://gs1.org/voc/defaultLink"`;
}

function today(options: ResolverOptions): string {
  return options.today ? options.today() : new Date().toISOString().slice(0, 10);
}

/** Resolves one request. Bad or unknown codes throw a ZfcError for programs and get a warning page in a browser. */
export async function resolveRequest(req: ResolverRequest, source: ResolverSource, options: ResolverOptions): Promise<ResolverResponse> {
  const base = normaliseBaseUrl(options.baseUrl);
  const query = splitQuery(req.querystring);
  const lang = chooseLanguage(req.acceptLanguage, query.lang);
  const wantsJson = query.linkType === undefined ? prefersJson(req.accept) : !['gs1:pip', 'gs1:defaultLink'].includes(query.linkType);
  let identifier: ParsedIdentifier;
  let res: Resolution;
  try {
    identifier = parseIdentifier(`${base}${req.path}${query.rest ? `?${query.rest}` : ''}`);
    res = await lookUp(identifier, source, base);
  } catch (err) {
    if (wantsJson || !(err instanceof ZfcError)) throw err;
    // a code it cannot read, a product it does not know, or (a 5xx) a record it cannot show now
    const problem = err.code === 'INVALID_ARGUMENT' ? 'invalid' : err.status >= 500 ? 'unavailable' : 'unknown';
    return html(err.status, renderProblemPage(problem, lang, switchHref(req.querystring, lang)), lang);
  }
  const link = { Link: linkHeader(res) };
  const found = (r: ResolverResponse): ResolverResponse => ({ ...r, resolution: res });
  switch (query.linkType) {
    case undefined:
    case 'gs1:pip':
    case 'gs1:defaultLink':
      if (wantsJson) return found(json(200, linkset(res, options.epcisBaseUrl), linksetType(req.accept), link));
      return found(html(200, renderConsumerPage(res, {
        lang, switchHref: switchHref(req.querystring, lang), today: today(options), ...(options.recallNotices ? { recallsHref: `${new URL(base).pathname.replace(/\/+$/, '')}/recalls` } : {}),
      }), lang, link));
    case 'linkset':
    case 'all':
      return found(json(200, linkset(res, options.epcisBaseUrl), linksetType(req.accept), link));
    case 'gs1:traceability':
      return found(json(200, traceabilityDocument(res), 'application/json', link));
    case 'gs1:certificationInfo':
      return found(json(200, certificationDocument(res), 'application/json', link));
    case 'gs1:recallStatus':
      return found(json(200, recallDocument(res), 'application/json', link));
    default:
      throw new ZfcError('NOT_FOUND', `no link of type ${query.linkType} for this identifier`, { linkType: query.linkType.slice(0, 100) });
  }
}

function linksetType(accept: string | undefined): string {
  return /application\/linkset\+json/i.test(accept ?? '') ? 'application/linkset+json' : 'application/json';
}
