/**
 * The text inside a code: a GS1 Digital Link on the deployment's own domain. A package carries
 * GTIN, lot and serial with its expiry (`/01/{gtin}/10/{lot}/21/{serial}?17=YYMMDD`), so a
 * scanner at a till and a phone both get everything from the one code; the resolver behind that
 * domain answers it.
 */
import { ZfcError } from '../chaincode/errors';
import { gtinLink, parseIdentifier, toGs1Date, withBase, type ParsedIdentifier } from '../chaincode/digital-link';

/** What goes into a package's code. Dates are ISO `YYYY-MM-DD`. */
export interface PackageCode {
  readonly gtin: string;
  readonly lot?: string;
  readonly serial?: string;
  readonly expiry?: string;
}

/**
 * The Digital Link of a package, lot or product on `baseUrl`.
 *
 * @example
 * packageLink('https://zfc.example.cn', { gtin: '09506000134352', lot: 'L1', serial: '7', expiry: '2026-12-31' })
 * // 'https://zfc.example.cn/01/09506000134352/10/L1/21/7?17=261231'
 */
export function packageLink(baseUrl: string, code: PackageCode): string {
  const expiry = code.expiry === undefined ? {} : { expiry: toGs1Date(code.expiry) };
  const lot = code.lot === undefined ? {} : { lot: code.lot };
  const serial = code.serial === undefined ? {} : { serial: code.serial };
  return gtinLink({ gtin: code.gtin, ...lot, ...serial, ...expiry }, baseUrl);
}

const QUALIFIERS = ['22', '10', '21', '254', '8019', '8011'];
const KEY_PATH = /^\/(01|00|414|417|8003|8004|8017|8018|253|255|401|402|8010|8013)\//;

/**
 * The code text for a request path such as `/01/09506000134352/10/L1/21/7` with its GS1 data
 * attributes (`{ '17': '261231' }`): checked, and rewritten in canonical spelling (GTIN-14,
 * key qualifiers kept, values percent-encoded the standard way) on `baseUrl`.
 */
export function linkForPath(baseUrl: string, keyPath: string, attributes: Readonly<Record<string, string>>): string {
  const segments = keyPath.split('/').slice(1);
  const qualifiersOnly = segments.every((s, i) => i === 0 || i % 2 === 1 || QUALIFIERS.includes(s));
  if (!KEY_PATH.test(keyPath) || segments.length % 2 !== 0 || !qualifiersOnly) {
    throw new ZfcError('INVALID_ARGUMENT', 'the code path must be one GS1 key with its qualifiers, e.g. /01/{gtin}/10/{lot}', { field: 'path', value: keyPath.slice(0, 100) });
  }
  const query = Object.entries(attributes).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return linkForIdentifier(baseUrl, parseIdentifier(`https://id.gs1.org${keyPath}${query ? `?${query}` : ''}`));
}

/**
 * The code text for a parsed identifier on `baseUrl`: for a GTIN, every key qualifier it was
 * written with (lot and serial both, unlike its canonical name) and its expiry or best-before
 * date; for other keys, the canonical path with its data attributes.
 */
export function linkForIdentifier(baseUrl: string, id: ParsedIdentifier): string {
  if (id.gtin === undefined) return withBase(id.canonical, baseUrl, id.attributes);
  const parts = {
    gtin: id.gtin,
    ...(id.cpv === undefined ? {} : { cpv: id.cpv }),
    ...(id.lot === undefined ? {} : { lot: id.lot }),
    ...(id.serial === undefined ? {} : { serial: id.serial }),
    ...(id.attributes['15'] === undefined ? {} : { bestBefore: id.attributes['15'] }),
    ...(id.expiry === undefined ? {} : { expiry: id.expiry }),
  };
  const extra = Object.keys(id.attributes).filter((ai) => ai !== '15' && ai !== '17');
  if (extra.length > 0) {
    throw new ZfcError('INVALID_ARGUMENT', 'only expiry (17) and best-before (15) may be printed with a GTIN code', { field: 'attributes', value: extra.join(',') });
  }
  return gtinLink(parts, baseUrl);
}
