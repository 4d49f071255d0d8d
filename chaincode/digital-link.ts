/**
 * GS1 identifier syntax shared by every part: building GS1 Digital Link URIs (the URL in a QR
 * code), and parsing the three forms an identifier arrives in — a Digital Link URI on any
 * domain, a GS1 element string, and an EPC URN — into one typed result whose `canonical`
 * field (an `https://id.gs1.org/…` URI) names the thing, so every form of the same item is
 * the same node. Pure and deterministic: it runs inside the chaincode, so no I/O, no clock,
 * no Node-only APIs (no `URL`, no `Buffer`).
 *
 * References: GS1 Digital Link standard 1.1 (URI syntax, percent-encoding, key qualifiers),
 * GS1 General Specifications (application identifiers, check digits, character set 82),
 * EPC Tag Data Standard 2.x (EPC URNs and their Digital Link equivalents).
 *
 * @example
 * lotUri('9506000134352', 'ABC/1')           // 'https://id.gs1.org/01/09506000134352/10/ABC%2F1'
 * parseIdentifier('urn:epc:id:sgtin:0614141.812345.6789').canonical
 *                                            // 'https://id.gs1.org/01/80614141123458/21/6789'
 * toEpcUrn('https://id.gs1.org/01/80614141123458/21/6789', 7)
 *                                            // 'urn:epc:id:sgtin:0614141.812345.6789'
 */
import { ZfcError } from './errors';
import { GS1_CSET82, gs1CheckDigit, hasValidCheckDigit, isLotCode, isSerial, toGtin14 } from './gs1';

/** The GS1 global resolver: the domain of every canonical URI. */
export const GS1_RESOLVER = 'https://id.gs1.org';

/** What an identifier names. */
export type IdentifierKind =
  | 'product' // GTIN (AI 01)
  | 'lot' // GTIN + lot (LGTIN)
  | 'item' // GTIN + serial (SGTIN)
  | 'sscc' // logistic unit: case or pallet (AI 00)
  | 'location' // GLN of a place, with optional extension (AI 414 + 254)
  | 'party' // party GLN (AI 417)
  | 'grai' // returnable asset (AI 8003)
  | 'giai' // individual asset (AI 8004)
  | 'gsrn' // service relation, recipient (AI 8018)
  | 'gsrnp' // service relation, provider (AI 8017)
  | 'gdti' // document type (AI 253)
  | 'gcn' // coupon (AI 255)
  | 'ginc' // consignment (AI 401)
  | 'gsin' // shipment (AI 402)
  | 'cpid' // component / part (AI 8010)
  | 'gmn'; // model number (AI 8013)

/** The form an identifier was written in. */
export type IdentifierSource = 'digital-link' | 'element-string' | 'epc-urn' | 'epc-tag-uri' | 'epc-pattern';

/**
 * One parsed GS1 identifier. Only the fields that apply are present.
 * `canonical` is the `https://id.gs1.org` URI of what it names: an item is GTIN + serial (a lot
 * or CPV written beside the serial is reported but not part of the item's name); a lot is GTIN
 * + lot; a location is GLN + extension.
 */
export interface ParsedIdentifier {
  readonly kind: IdentifierKind;
  readonly source: IdentifierSource;
  readonly canonical: string;
  /** The primary key's AI and value exactly as in the canonical URI (GTINs padded to 14). */
  readonly key: { readonly ai: string; readonly value: string };
  readonly gtin?: string;
  readonly cpv?: string;
  readonly lot?: string;
  readonly serial?: string;
  /** Expiry date as GS1 writes it (AI 17, YYMMDD), when the input carried one. */
  readonly expiry?: string;
  readonly sscc?: string;
  readonly gln?: string;
  readonly glnExtension?: string;
  /** Key qualifiers beyond those with fields above (e.g. 8019, 8011), by AI. */
  readonly qualifiers: Readonly<Record<string, string>>;
  /** Data attributes (AI → value), e.g. `{ '17': '251231' }` from `?17=251231` or `(17)251231`. */
  readonly attributes: Readonly<Record<string, string>>;
  /** `linkType` of a Digital Link query string, when given. */
  readonly linkType?: string;
}

// ---------------------------------------------------------------------------------------------
// Errors

const MAX_SHOWN = 100;

function invalid(field: string, value: string, why: string): ZfcError {
  const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
  return new ZfcError('INVALID_ARGUMENT', `${field}: ${why}`, { field, value: shown });
}

function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(field, String(value), 'must be a string');
  return value;
}

// ---------------------------------------------------------------------------------------------
// Application identifiers: value syntax of the keys, qualifiers and attributes we handle

const CSET39 = /^[#\-/0-9A-Z]+$/;

interface AiSyntax {
  /** The name used in error details (`field`). */
  readonly field: string;
  /** Checks a value; returns the normalised value or throws. */
  readonly check: (value: string) => string;
}

function digitsWithCheck(field: string, length: number) {
  return (v: string): string => {
    if (!/^\d+$/.test(v)) throw invalid(field, v, `must be ${length} digits`);
    if (v.length !== length) throw invalid(field, v, `must be ${length} digits, got ${v.length}`);
    if (!hasValidCheckDigit(v, length)) throw invalid(field, v, 'wrong check digit');
    return v;
  };
}

function digitsUpTo(field: string, max: number) {
  return (v: string): string => {
    if (!/^\d+$/.test(v) || v.length > max) throw invalid(field, v, `must be 1–${max} digits`);
    return v;
  };
}

function cset82UpTo(field: string, max: number) {
  return (v: string): string => {
    if (v.length === 0) throw invalid(field, v, 'must not be empty');
    if (v.length > max) throw invalid(field, v, `must be at most ${max} characters, got ${v.length}`);
    if (!GS1_CSET82.test(v)) throw invalid(field, v, 'contains a character outside GS1 character set 82');
    return v;
  };
}

function checkGtin(v: string): string {
  if (!/^\d+$/.test(v) || ![8, 12, 13, 14].includes(v.length)) {
    throw invalid('gtin', v, 'must be a GTIN-8, -12, -13 or -14 (digits only)');
  }
  const padded = toGtin14(v);
  if (padded === undefined) throw invalid('gtin', v, 'wrong check digit');
  return padded;
}

function checkLot(v: string): string {
  cset82UpTo('lot', 20)(v);
  if (!isLotCode(v)) throw invalid('lot', v, 'is not a GS1 lot code');
  return v;
}

function checkSerial(v: string): string {
  cset82UpTo('serial', 20)(v);
  if (!isSerial(v)) throw invalid('serial', v, 'is not a GS1 serial');
  return v;
}

/** GS1 date YYMMDD; DD may be 00 (any day of the month) as GS1 allows for AIs 11–17. */
function gs1Date(field: string) {
  return (v: string): string => {
    const m = /^(\d{2})(\d{2})(\d{2})$/.exec(v);
    if (!m) throw invalid(field, v, 'must be a date YYMMDD');
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month < 1 || month > 12) throw invalid(field, v, 'month must be 01–12');
    if (day > daysInMonth(2000 + Number(m[1]), month)) throw invalid(field, v, 'no such day in that month');
    return v;
  };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** GRAI (AI 8003): 0 + 13 digits with check digit, then an optional serial of up to 16. */
function checkGrai(v: string): string {
  const head = v.slice(0, 14);
  if (!/^0\d{13}$/.test(head) || !hasValidCheckDigit(head, 14)) {
    throw invalid('grai', v, 'must start with 0 and 13 digits with a correct check digit');
  }
  if (v.length > 14) cset82UpTo('grai', 16)(v.slice(14));
  return v;
}

/** GDTI (AI 253) and GCN (AI 255): 13 digits with check digit, then an optional serial. */
function checkThirteenPlus(field: string, serialMax: number, digitsOnly: boolean) {
  return (v: string): string => {
    const head = v.slice(0, 13);
    if (!/^\d{13}$/.test(head) || !hasValidCheckDigit(head, 13)) {
      throw invalid(field, v, 'must start with 13 digits with a correct check digit');
    }
    const tail = v.slice(13);
    if (tail.length > 0) (digitsOnly ? digitsUpTo(field, serialMax) : cset82UpTo(field, serialMax))(tail);
    return v;
  };
}

const AI: Readonly<Record<string, AiSyntax>> = {
  '00': { field: 'sscc', check: digitsWithCheck('sscc', 18) },
  '01': { field: 'gtin', check: checkGtin },
  '10': { field: 'lot', check: checkLot },
  '21': { field: 'serial', check: checkSerial },
  '22': { field: 'cpv', check: cset82UpTo('cpv', 20) },
  '11': { field: 'productionDate', check: gs1Date('productionDate') },
  '12': { field: 'dueDate', check: gs1Date('dueDate') },
  '13': { field: 'packagingDate', check: gs1Date('packagingDate') },
  '15': { field: 'bestBefore', check: gs1Date('bestBefore') },
  '16': { field: 'sellBy', check: gs1Date('sellBy') },
  '17': { field: 'expiry', check: gs1Date('expiry') },
  '253': { field: 'gdti', check: checkThirteenPlus('gdti', 17, false) },
  '254': { field: 'glnExtension', check: cset82UpTo('glnExtension', 20) },
  '255': { field: 'gcn', check: checkThirteenPlus('gcn', 12, true) },
  '401': { field: 'ginc', check: cset82UpTo('ginc', 30) },
  '402': { field: 'gsin', check: digitsWithCheck('gsin', 17) },
  '414': { field: 'gln', check: digitsWithCheck('gln', 13) },
  '417': { field: 'partyGln', check: digitsWithCheck('partyGln', 13) },
  '8003': { field: 'grai', check: checkGrai },
  '8004': { field: 'giai', check: cset82UpTo('giai', 30) },
  '8010': {
    field: 'cpid',
    check: (v) => {
      if (v.length === 0 || v.length > 30 || !CSET39.test(v)) throw invalid('cpid', v, 'must be 1–30 characters of 0-9 A-Z # - /');
      return v;
    },
  },
  '8011': { field: 'cpidSerial', check: digitsUpTo('cpidSerial', 12) },
  '8013': { field: 'gmn', check: cset82UpTo('gmn', 25) },
  '8017': { field: 'gsrnp', check: digitsWithCheck('gsrnp', 18) },
  '8018': { field: 'gsrn', check: digitsWithCheck('gsrn', 18) },
  '8019': { field: 'srin', check: digitsUpTo('srin', 10) },
};

/** Primary keys, the qualifiers each allows (in the order Digital Link requires) and the kind it names. */
const PRIMARY: Readonly<Record<string, { readonly qualifiers: readonly string[]; readonly kind: IdentifierKind }>> = {
  '01': { qualifiers: ['22', '10', '21'], kind: 'product' },
  '00': { qualifiers: [], kind: 'sscc' },
  '414': { qualifiers: ['254'], kind: 'location' },
  '417': { qualifiers: [], kind: 'party' },
  '8003': { qualifiers: [], kind: 'grai' },
  '8004': { qualifiers: [], kind: 'giai' },
  '8017': { qualifiers: ['8019'], kind: 'gsrnp' },
  '8018': { qualifiers: ['8019'], kind: 'gsrn' },
  '253': { qualifiers: [], kind: 'gdti' },
  '255': { qualifiers: [], kind: 'gcn' },
  '401': { qualifiers: [], kind: 'ginc' },
  '402': { qualifiers: [], kind: 'gsin' },
  '8010': { qualifiers: ['8011'], kind: 'cpid' },
  '8013': { qualifiers: [], kind: 'gmn' },
};

/** Data attributes whose syntax we check; other numeric AIs in a query string are kept as given. */
const DATE_ATTRIBUTES = ['11', '12', '13', '15', '16', '17'];

/** Short names of Digital Link 1.0/1.1 (deprecated but still printed on packs). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  gtin: '01', cpv: '22', lot: '10', ser: '21', sscc: '00', gln: '414', glnx: '254', party: '417',
  grai: '8003', giai: '8004', gsrn: '8018', gsrnp: '8017', srin: '8019', gdti: '253', gcn: '255',
  ginc: '401', gsin: '402', cpid: '8010', cpsn: '8011', gmn: '8013', exp: '17', bbd: '15',
};

function checkAi(ai: string, value: string): string {
  const syntax = AI[ai];
  if (syntax === undefined) return value;
  return syntax.check(value);
}

// ---------------------------------------------------------------------------------------------
// The common core: a primary key with qualifiers and attributes → ParsedIdentifier

interface Keys {
  primary: string;
  value: string;
  qualifiers: Record<string, string>;
  attributes: Record<string, string>;
  linkType?: string;
}

function identify(keys: Keys, source: IdentifierSource): ParsedIdentifier {
  const spec = PRIMARY[keys.primary];
  if (spec === undefined) throw invalid('identifier', keys.primary, `AI ${keys.primary} is not a supported primary key`);
  const value = checkAi(keys.primary, keys.value);
  const q: Record<string, string> = {};
  for (const [ai, v] of Object.entries(keys.qualifiers)) {
    if (!spec.qualifiers.includes(ai)) throw invalid('identifier', ai, `AI ${ai} cannot qualify AI ${keys.primary}`);
    q[ai] = checkAi(ai, v);
  }
  const attributes: Record<string, string> = {};
  for (const [ai, v] of Object.entries(keys.attributes)) attributes[ai] = checkAi(ai, v);
  const base = { source, qualifiers: {} as Record<string, string>, attributes };
  const withLink = keys.linkType === undefined ? base : { ...base, linkType: keys.linkType };
  const expiry = attributes['17'];
  const withExpiry = expiry === undefined ? withLink : { ...withLink, expiry };
  if (keys.primary === '01') return gtinIdentifier(value, q, withExpiry);
  if (keys.primary === '00') return { ...withExpiry, kind: 'sscc', key: { ai: '00', value }, sscc: value, canonical: `${GS1_RESOLVER}/00/${value}` };
  if (keys.primary === '414') return locationIdentifier(value, q['254'], withExpiry);
  const path = `/${keys.primary}/${encodeDigitalLinkValue(value)}` + spec.qualifiers
    .filter((ai) => q[ai] !== undefined)
    .map((ai) => `/${ai}/${encodeDigitalLinkValue(q[ai] as string)}`)
    .join('');
  const extra = keys.primary === '417' ? { gln: value } : {};
  return { ...withExpiry, ...extra, kind: spec.kind, key: { ai: keys.primary, value }, qualifiers: q, canonical: GS1_RESOLVER + path };
}

type Common = Pick<ParsedIdentifier, 'source' | 'qualifiers' | 'attributes'> & { linkType?: string; expiry?: string };

function gtinIdentifier(gtin: string, q: Record<string, string>, common: Common): ParsedIdentifier {
  const key = { ai: '01', value: gtin };
  const cpv = q['22'];
  const lot = q['10'];
  const serial = q['21'];
  const fields = { ...common, key, gtin, ...(cpv === undefined ? {} : { cpv }), ...(lot === undefined ? {} : { lot }) };
  if (serial !== undefined) return { ...fields, kind: 'item', serial, canonical: itemUri(gtin, serial) };
  if (lot !== undefined) return { ...fields, kind: 'lot', canonical: lotUri(gtin, lot) };
  return { ...fields, kind: 'product', canonical: productUri(gtin) };
}

function locationIdentifier(gln: string, ext: string | undefined, common: Common): ParsedIdentifier {
  const fields = { ...common, kind: 'location' as const, key: { ai: '414', value: gln }, gln, canonical: glnUri(gln, ext) };
  return ext === undefined ? fields : { ...fields, glnExtension: ext };
}

// ---------------------------------------------------------------------------------------------
// Building Digital Link URIs

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const ALL_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

/**
 * Percent-encodes a value for a Digital Link path or query: every character outside the URI
 * unreserved set (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`, as GS1 Digital Link 1.1 §6 requires
 * (so `/` → `%2F`, `(` → `%28`, `!` → `%21`).
 */
export function encodeDigitalLinkValue(value: string): string {
  if (ALL_UNRESERVED.test(value)) return value; // the common case: nothing to encode
  let out = '';
  for (const ch of value) {
    if (UNRESERVED.test(ch)) out += ch;
    else out += encodeURIComponent(ch).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  return out;
}

/**
 * Checks and normalises a resolver base URL (`https://host[:port][/path]`, no query or
 * fragment); trailing slashes are dropped.
 */
export function normaliseBaseUrl(base: string): string {
  const text = requireString('baseUrl', base);
  if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*)?$/.test(text)) {
    throw invalid('baseUrl', text, 'must be http(s)://host[:port][/path] without query or fragment');
  }
  return text.replace(/\/+$/, '');
}

/** What a GTIN-based Digital Link carries. */
export interface GtinLinkParts {
  readonly gtin: string;
  readonly cpv?: string;
  readonly lot?: string;
  readonly serial?: string;
  /** Expiry date YYMMDD (AI 17), written as `?17=…`. */
  readonly expiry?: string;
  /** Best-before date YYMMDD (AI 15), written as `?15=…`. */
  readonly bestBefore?: string;
}

/**
 * A GTIN-based Digital Link on any resolver: `{base}/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}][?17=…]`.
 * Every part is checked; the GTIN is padded to 14 digits.
 *
 * @example
 * gtinLink({ gtin: '09506000134352', lot: 'L1', serial: '7', expiry: '261231' }, 'https://zfc.example.cn')
 * // 'https://zfc.example.cn/01/09506000134352/10/L1/21/7?17=261231'
 */
export function gtinLink(parts: GtinLinkParts, base: string = GS1_RESOLVER): string {
  const root = base === GS1_RESOLVER ? base : normaliseBaseUrl(base);
  let path = `/01/${checkGtin(requireString('gtin', parts.gtin))}`;
  if (parts.cpv !== undefined) path += `/22/${encodeDigitalLinkValue(checkAi('22', requireString('cpv', parts.cpv)))}`;
  if (parts.lot !== undefined) path += `/10/${encodeDigitalLinkValue(checkLot(requireString('lot', parts.lot)))}`;
  if (parts.serial !== undefined) path += `/21/${encodeDigitalLinkValue(checkSerial(requireString('serial', parts.serial)))}`;
  const query: string[] = [];
  if (parts.bestBefore !== undefined) query.push(`15=${checkAi('15', requireString('bestBefore', parts.bestBefore))}`);
  if (parts.expiry !== undefined) query.push(`17=${checkAi('17', requireString('expiry', parts.expiry))}`);
  return root + path + (query.length > 0 ? `?${query.join('&')}` : '');
}

/** `https://id.gs1.org/01/{gtin}`: a product (trade item class). */
export function productUri(gtin: string): string {
  return gtinLink({ gtin });
}

/** `https://id.gs1.org/01/{gtin}/10/{lot}`: a lot (batch) of a product. */
export function lotUri(gtin: string, lot: string): string {
  return gtinLink({ gtin, lot });
}

/** `https://id.gs1.org/01/{gtin}/21/{serial}`: one item (SGTIN). The canonical item URI has no lot. */
export function itemUri(gtin: string, serial: string): string {
  return gtinLink({ gtin, serial });
}

/** `https://id.gs1.org/00/{sscc}`: a logistic unit (case, pallet). */
export function ssccUri(sscc: string): string {
  return `${GS1_RESOLVER}/00/${checkAi('00', requireString('sscc', sscc))}`;
}

/** `https://id.gs1.org/414/{gln}[/254/{extension}]`: a physical location. */
export function glnUri(gln: string, extension?: string): string {
  const base = `${GS1_RESOLVER}/414/${checkAi('414', requireString('gln', gln))}`;
  if (extension === undefined) return base;
  return `${base}/254/${encodeDigitalLinkValue(checkAi('254', requireString('glnExtension', extension)))}`;
}

/** `https://id.gs1.org/417/{gln}`: a party (company, organisation). */
export function partyUri(gln: string): string {
  return `${GS1_RESOLVER}/417/${checkAi('417', requireString('partyGln', gln))}`;
}

/**
 * The same identifier on another resolver (e.g. the deployment's own domain), with optional
 * data attributes: `withBase('https://id.gs1.org/01/…/21/7', 'https://zfc.example.cn', { '17': '261231' })`.
 */
export function withBase(canonical: string, base: string, attributes: Readonly<Record<string, string>> = {}): string {
  const parsed = parseIdentifier(canonical);
  const root = normaliseBaseUrl(base);
  const path = parsed.canonical.slice(GS1_RESOLVER.length);
  const query = Object.keys(attributes).sort().map((ai) => {
    if (!/^\d{2,4}$/.test(ai)) throw invalid('attributes', ai, 'must be keyed by a GS1 AI');
    return `${ai}=${encodeDigitalLinkValue(checkAi(ai, requireString(ai, attributes[ai])))}`;
  });
  return root + path + (query.length > 0 ? `?${query.join('&')}` : '');
}

// ---------------------------------------------------------------------------------------------
// Parsing: dispatch

/** Longest input accepted by the parsers; a real identifier is far shorter. */
export const MAX_IDENTIFIER_LENGTH = 2048;

/**
 * Parses a GS1 Digital Link URI (any domain, any path prefix, `?17=…` attributes), a GS1
 * element string (`(01)…(10)…(21)…` or the unbracketed form with FNC1 as `\x1d`, optionally after
 * a symbology identifier such as `]d2`), or an EPC URN / tag URI / pattern into one
 * {@link ParsedIdentifier}. Throws ZfcError INVALID_ARGUMENT for anything else.
 */
export function parseIdentifier(text: string): ParsedIdentifier {
  const input = requireString('identifier', text).trim();
  if (input.length === 0) throw invalid('identifier', input, 'is empty');
  if (input.length > MAX_IDENTIFIER_LENGTH) throw invalid('identifier', input, `is longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  if (/^https?:\/\//i.test(input)) return fastParsedLink(input) ?? parseDigitalLink(input);
  return parseOther(input);
}

/**
 * {@link parseIdentifier} without its fast path: every input through the full parsers.
 * Exported as the oracle the fast path is tested against; callers want `parseIdentifier`.
 */
export function parseIdentifierByParser(text: string): ParsedIdentifier {
  const input = requireString('identifier', text).trim();
  if (input.length === 0) throw invalid('identifier', input, 'is empty');
  if (input.length > MAX_IDENTIFIER_LENGTH) throw invalid('identifier', input, `is longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  if (/^https?:\/\//i.test(input)) return parseDigitalLink(input);
  return parseOther(input);
}

/** A (trimmed, not empty, not too long) identifier that is not a Digital Link. */
function parseOther(input: string): ParsedIdentifier {
  if (/^urn:epc:/i.test(input)) return parseEpcUri(input);
  if (/^(\(\d{2,4}\)|\]|\d)/.test(input)) return parseElementString(input);
  throw invalid('identifier', input, 'is not a Digital Link URI, GS1 element string or EPC URN');
}

/** Like {@link parseIdentifier} but returns undefined instead of throwing. */
export function tryParseIdentifier(text: string): ParsedIdentifier | undefined {
  try {
    return parseIdentifier(text);
  } catch (err) {
    if (err instanceof ZfcError) return undefined;
    throw err;
  }
}

/**
 * The canonical Digital Link URI of an EPC in any GS1 form, so URN and Digital Link forms of
 * the same thing become one node. URIs that are not GS1 identifiers at all (other URN
 * namespaces, ordinary web addresses without a GS1 key path) are returned unchanged, since EPCIS
 * allows private identifiers; a malformed GS1 identifier (bad check digit, bad URN) throws.
 */
export function normalizeEpc(text: string): string {
  return canonicalEpcFast(requireString('epc', text)) ?? normalizeEpcByParser(text);
}

/**
 * {@link normalizeEpc} without its fast paths: every input through the full parsers. Exported
 * as the oracle the fast paths are tested against; callers want `normalizeEpc`.
 */
export function normalizeEpcByParser(text: string): string {
  const input = requireString('epc', text).trim();
  if (/^urn:epc:/i.test(input)) return parseEpcUri(input).canonical;
  if (/^https?:\/\//i.test(input)) {
    if (!looksLikeDigitalLink(input)) return input;
    return parseDigitalLink(input).canonical;
  }
  return input;
}

// ---------------------------------------------------------------------------------------------
// Fast paths: the commonest exact forms, canonicalised without the full parsers

/**
 * The canonical URI of an identifier in one of its commonest exact forms, or undefined for
 * anything else (every malformed input included), which the full parsers then decide. A capture
 * normalises every EPC of every event, nearly all in these forms, and the full parse was most of
 * its cost. The forms ({@link FAST_URNS}, {@link FAST_LINKS}): EPC URNs `urn:epc:id:sgtin|sscc|sgln|pgln:…` and
 * `urn:epc:class:lgtin:…`; Digital Links `http(s)://{host}/01/{gtin}[/10/{lot}][/21/{serial}]`,
 * `/00/{sscc}`, `/414/{gln}[/254/{extension}]` and `/417/{gln}`; values only of the characters
 * that need no percent-encoding (`A-Z a-z 0-9 - . _`). Wherever it answers, the answer is the
 * full parsers' (test/qr/digital-link-fast.test.ts checks both on generated inputs).
 */
export function canonicalEpcFast(text: string): string | undefined {
  const forms = text.charCodeAt(0) === 117 /* u */ ? FAST_URNS : FAST_LINKS;
  for (let i = 0; i < forms.length; i++) {
    const [pattern, build] = forms[i] as FastForm;
    if (pattern.test(text)) return build(text);
  }
  return undefined;
}

/**
 * A form the fast path takes: its whole syntax as an anchored pattern (a compiled regular
 * expression checks every character faster than a loop can), and how the canonical URI is
 * built from text the pattern has accepted; `build` still checks what a pattern cannot (the
 * lengths of company prefix and reference together, check digits) and gives undefined if wrong.
 */
type FastForm = readonly [RegExp, (text: string) => string | undefined];

/** Lot, serial and GLN extension (AIs 10, 21, 254): 1–20 characters of set 82 that need no percent-encoding. */
const V = '[A-Za-z0-9._-]{1,20}';
/** Scheme and host of a Digital Link taken fast: a plain host (and port), no path before the key. */
const HOST = 'https?://[A-Za-z0-9.:-]+';

const FAST_URNS: readonly FastForm[] = [
  [new RegExp(`^urn:epc:id:sgtin:\\d{6,12}\\.\\d{1,7}\\.${V}$`), (t) => fastGtinUrn(t, 17, '/21/')],
  [new RegExp(`^urn:epc:id:sgln:\\d{6,12}\\.\\d{1,6}\\.${V}$`), fastSglnUrn],
  [new RegExp(`^urn:epc:class:lgtin:\\d{6,12}\\.\\d{1,7}\\.${V}$`), (t) => fastGtinUrn(t, 20, '/10/')],
  [/^urn:epc:id:sscc:\d{6,12}\.\d{5,11}$/, (t) => fastPairUrn(t, 17, true, '/00/')],
  [/^urn:epc:id:pgln:\d{6,12}\.\d{1,6}$/, (t) => fastPairUrn(t, 12, false, '/417/')],
];

const GTIN_LINK = new RegExp(`^${HOST}/01/(?:\\d{8}|\\d{12,14})(?:/(?:10|21)/${V}|/10/${V}/21/${V})?$`);
const GLN_LINK = new RegExp(`^${HOST}/414/\\d{13}(?:/254/${V})?$`);
const SSCC_LINK = new RegExp(`^${HOST}/00/\\d{18}$`);
const PARTY_LINK = new RegExp(`^${HOST}/417/\\d{13}$`);

const FAST_LINKS: readonly FastForm[] = [
  [GTIN_LINK, fastGtinLink],
  [GLN_LINK, (t) => fastKeyLink(t, '/414/', 13)],
  [SSCC_LINK, (t) => fastKeyLink(t, '/00/', 18)],
  [PARTY_LINK, (t) => fastKeyLink(t, '/417/', 13)],
];

/**
 * {@link parseIdentifier}'s fast path: a Digital Link in one of the forms of {@link FAST_LINKS}
 * (the canonical URIs the trace index reads back among them), read into the very object the
 * full parser builds — same fields, same order — or undefined to let the full parser decide.
 */
function fastParsedLink(text: string): ParsedIdentifier | undefined {
  if (GTIN_LINK.test(text)) return fastParsedGtin(text);
  const ai = GLN_LINK.test(text) ? '414' : SSCC_LINK.test(text) ? '00' : PARTY_LINK.test(text) ? '417' : undefined;
  if (ai === undefined) return undefined;
  const path = text.slice(text.indexOf(`/${ai}/`, 8));
  const value = path.slice(ai.length + 2, ai.length + 2 + (ai === '00' ? 18 : 13));
  if (!fastCheckDigit(value)) return undefined;
  const source = 'digital-link';
  const canonical = GS1_RESOLVER + path;
  // object literals in the full parser's field order (spreading them was most of this path's cost)
  if (ai === '00') return { source, qualifiers: {}, attributes: {}, kind: 'sscc', key: { ai, value }, sscc: value, canonical };
  if (ai === '417') return { source, qualifiers: {}, attributes: {}, gln: value, kind: 'party', key: { ai, value }, canonical };
  if (path.length === 18) return { source, qualifiers: {}, attributes: {}, kind: 'location', key: { ai, value }, gln: value, canonical };
  return { source, qualifiers: {}, attributes: {}, kind: 'location', key: { ai, value }, gln: value, canonical, glnExtension: path.slice(23) }; // after `/414/{gln}/254/`
}

/** A GTIN Digital Link of {@link GTIN_LINK}'s form as the full parser reads it: an item, a lot or a product. */
function fastParsedGtin(text: string): ParsedIdentifier | undefined {
  const at = text.indexOf('/01/', 8) + 4;
  const slash = text.indexOf('/', at);
  const gtin = text.slice(at, slash < 0 ? text.length : slash).padStart(14, '0');
  if (!fastCheckDigit(gtin)) return undefined;
  const rest = slash < 0 ? '' : text.slice(slash); // '', /10/{lot}, /21/{serial} or /10/{lot}/21/{serial}
  const serialAt = rest.startsWith('/21/') ? 4 : rest.indexOf('/21/', 4) + 4;
  const serial = serialAt >= 4 ? rest.slice(serialAt) : undefined;
  const lot = rest.startsWith('/10/') ? rest.slice(4, serial === undefined ? rest.length : serialAt - 4) : undefined;
  const root = `${GS1_RESOLVER}/01/${gtin}`;
  const source = 'digital-link';
  const key = { ai: '01', value: gtin };
  if (serial !== undefined) {
    const canonical = `${root}/21/${serial}`;
    if (lot === undefined) return { source, qualifiers: {}, attributes: {}, key, gtin, kind: 'item', serial, canonical };
    return { source, qualifiers: {}, attributes: {}, key, gtin, lot, kind: 'item', serial, canonical };
  }
  if (lot !== undefined) return { source, qualifiers: {}, attributes: {}, key, gtin, lot, kind: 'lot', canonical: `${root}/10/${lot}` };
  return { source, qualifiers: {}, attributes: {}, key, gtin, kind: 'product', canonical: root };
}

/** `urn:epc:…:CP.IIR.{serial or lot}` (the company prefix from `from`) → `/01/{gtin}{qualifier}{value}`. */
function fastGtinUrn(text: string, from: number, qualifier: '/21/' | '/10/'): string | undefined {
  const dot1 = text.indexOf('.', from);
  const dot2 = text.indexOf('.', dot1 + 1);
  const gtin = fastUrnKey(text, from, dot1, dot2, 13, true);
  return gtin === undefined ? undefined : `${GS1_RESOLVER}/01/${gtin}${qualifier}${text.slice(dot2 + 1)}`;
}

/** `urn:epc:id:sgln:CP.LocationRef.Extension` → `/414/{gln}`, with `/254/{extension}` unless the extension is `0`. */
function fastSglnUrn(text: string): string | undefined {
  const from = 16; // 'urn:epc:id:sgln:'.length
  const dot1 = text.indexOf('.', from);
  const dot2 = text.indexOf('.', dot1 + 1);
  const gln = fastUrnKey(text, from, dot1, dot2, 12, false);
  if (gln === undefined) return undefined;
  const noExtension = text.length === dot2 + 2 && text.charCodeAt(dot2 + 1) === 48; // exactly `0`
  return noExtension ? `${GS1_RESOLVER}/414/${gln}` : `${GS1_RESOLVER}/414/${gln}/254/${text.slice(dot2 + 1)}`;
}

/** `urn:epc:id:sscc|pgln:CP.Reference` → `{path}{key}`. */
function fastPairUrn(text: string, total: number, lead: boolean, path: string): string | undefined {
  const from = 16; // 'urn:epc:id:sscc:'.length, as 'urn:epc:id:pgln:'
  const key = fastUrnKey(text, from, text.indexOf('.', from), text.length, total, lead);
  return key === undefined ? undefined : GS1_RESOLVER + path + key;
}

/**
 * The key written in a URN as company prefix (`from` to `dot`) and reference (after `dot` to
 * `end`), all digits, with its check digit; undefined unless the two are `total` digits
 * together. `lead` moves the reference's first digit (indicator, extension digit) to the front.
 */
function fastUrnKey(text: string, from: number, dot: number, end: number, total: number, lead: boolean): string | undefined {
  const cpLength = dot - from;
  if (cpLength + (end - dot - 1) !== total) return undefined;
  let sum = 0;
  for (let i = 0; i < total; i++) {
    const at = lead ? (i === 0 ? dot + 1 : i <= cpLength ? from + i - 1 : dot + 1 + i - cpLength) : i < cpLength ? from + i : dot + 1 + i - cpLength;
    sum += (text.charCodeAt(at) - 48) * ((total - i) % 2 === 1 ? 3 : 1);
  }
  const check = (10 - (sum % 10)) % 10;
  const cp = text.slice(from, dot);
  return lead ? `${text[dot + 1] ?? ''}${cp}${text.slice(dot + 2, end)}${check}` : `${cp}${text.slice(dot + 1, end)}${check}`;
}

/** `/01/{gtin}` with none, one or both of `/10/{lot}`, `/21/{serial}`: the GTIN padded to 14, and an item's name without its lot. */
function fastGtinLink(text: string): string | undefined {
  const at = text.indexOf('/01/', 8) + 4;
  const slash = text.indexOf('/', at);
  const end = slash < 0 ? text.length : slash;
  const gtin = text.slice(at, end).padStart(14, '0');
  if (!fastCheckDigit(gtin)) return undefined;
  const root = `${GS1_RESOLVER}/01/${gtin}`;
  if (slash < 0) return root;
  const last = text.lastIndexOf('/', text.lastIndexOf('/') - 1); // the start of the last `/{ai}/{value}`
  return root + text.slice(last);
}

/** A key with a check digit and nothing but its own qualifier (`/254/…`): the same path on the GS1 resolver. */
function fastKeyLink(text: string, ai: string, length: number): string | undefined {
  const at = text.indexOf(ai, 8);
  const path = text.slice(at);
  return fastCheckDigit(path.slice(ai.length, ai.length + length)) ? GS1_RESOLVER + path : undefined;
}

/** True if the last digit of `digits` (digits only) is the GS1 check digit of the others. */
function fastCheckDigit(digits: string): boolean {
  const n = digits.length - 1;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (digits.charCodeAt(n - 1 - i) - 48) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10 === digits.charCodeAt(n) - 48;
}

// ---------------------------------------------------------------------------------------------
// Parsing: Digital Link URIs

const URI = /^(https?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i;

function decodeComponent(field: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalid(field, raw, 'has a malformed percent-encoding');
  }
}

function splitPath(uri: string): { segments: string[]; query: string } {
  const m = URI.exec(uri);
  if (!m) throw invalid('identifier', uri, 'is not a well-formed http(s) URI');
  const segments = (m[3] ?? '').split('/').filter((s) => s.length > 0);
  return { segments, query: m[4] ?? '' };
}

function aiOf(segment: string): string {
  return SHORT_NAMES[segment] ?? segment;
}

/** True if the URI's path ends in a GS1 key path (a primary key AI followed by value pairs). */
function looksLikeDigitalLink(uri: string): boolean {
  const m = URI.exec(uri);
  if (!m) return false;
  const segments = (m[3] ?? '').split('/').filter((s) => s.length > 0);
  return findKeyPath(segments) !== undefined || segments.some((s, i) => PRIMARY[aiOf(s)] !== undefined && i < segments.length - 1);
}

/**
 * Finds where the GS1 key path starts: the first index from which the rest of the path is a
 * primary key followed by its qualifiers, in order. Anything before it is the resolver's own
 * path prefix.
 */
function findKeyPath(segments: string[]): number | undefined {
  for (let i = 0; i + 1 < segments.length; i++) {
    if ((segments.length - i) % 2 !== 0) continue;
    const spec = PRIMARY[aiOf(segments[i] as string)];
    if (spec === undefined) continue;
    if (qualifiersInOrder(spec.qualifiers, segments.slice(i + 2))) return i;
  }
  return undefined;
}

function qualifiersInOrder(allowed: readonly string[], rest: string[]): boolean {
  let last = -1;
  for (let j = 0; j < rest.length; j += 2) {
    const pos = allowed.indexOf(aiOf(rest[j] as string));
    if (pos <= last) return false;
    last = pos;
  }
  return true;
}

function parseDigitalLink(uri: string): ParsedIdentifier {
  const { segments, query } = splitPath(uri);
  const start = findKeyPath(segments);
  if (start === undefined) throw invalid('identifier', uri, 'has no GS1 key path (e.g. /01/{gtin}/10/{lot}) or its key qualifiers are out of order');
  const primary = aiOf(segments[start] as string);
  const keys: Keys = {
    primary,
    value: decodeComponent(AI[primary]?.field ?? primary, segments[start + 1] as string),
    qualifiers: {},
    attributes: {},
  };
  for (let j = start + 2; j < segments.length; j += 2) {
    const ai = aiOf(segments[j] as string);
    keys.qualifiers[ai] = decodeComponent(AI[ai]?.field ?? ai, segments[j + 1] as string);
  }
  readQuery(query, keys);
  return identify(keys, 'digital-link');
}

function readQuery(query: string, keys: Keys): void {
  if (query.length === 0) return;
  for (const pair of query.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent('query', eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeComponent(name, eq < 0 ? '' : pair.slice(eq + 1));
    const ai = aiOf(name);
    if (name === 'linkType') keys.linkType = value;
    else if (/^\d{2,4}$/.test(ai)) addAttribute(keys, ai, value);
  }
}

function addAttribute(keys: Keys, ai: string, value: string): void {
  if (PRIMARY[ai] !== undefined || ['10', '21', '22', '254', '8011', '8019'].includes(ai)) {
    throw invalid('identifier', ai, `AI ${ai} is a key or key qualifier and belongs in the path, not the query`);
  }
  if (keys.attributes[ai] !== undefined) throw invalid(AI[ai]?.field ?? ai, value, `AI ${ai} is repeated`);
  if (DATE_ATTRIBUTES.includes(ai) || AI[ai] !== undefined) keys.attributes[ai] = checkAi(ai, value);
  else keys.attributes[ai] = cset82UpTo(ai, 90)(value);
}

// ---------------------------------------------------------------------------------------------
// Parsing: GS1 element strings

const GS = '\u001d';

/** Data length of the AIs whose length is predefined (no FNC1 after them), by AI prefix. */
const FIXED_LENGTH: Readonly<Record<string, number>> = {
  '00': 18, '01': 14, '02': 14, '03': 14, '04': 16, '11': 6, '12': 6, '13': 6, '14': 6, '15': 6, '16': 6,
  '17': 6, '18': 6, '19': 6, '20': 2, '31': 6, '32': 6, '33': 6, '34': 6, '35': 6, '36': 6, '41': 13,
};

/** Length of the AI itself, by its first two digits (GS1 General Specifications §3.2). */
function aiLength(twoDigits: string): number {
  const n = Number(twoDigits);
  if (n <= 22 || n === 30 || n === 37 || n >= 90) return 2;
  if ((n >= 23 && n <= 29) || (n >= 40 && n <= 42) || n === 71) return 3;
  return 4;
}

function parseElementString(text: string): ParsedIdentifier {
  const pairs = text.startsWith('(') ? bracketedPairs(text) : unbracketedPairs(text);
  return identify(keysFromPairs(pairs, text), 'element-string');
}

function bracketedPairs(text: string): Array<[string, string]> {
  const marks = [...text.matchAll(/\((\d{2,4})\)/g)].filter((m) => isKnownAi(m[1] as string));
  if (marks.length === 0 || marks[0]?.index !== 0) throw invalid('identifier', text, 'is not a GS1 element string');
  return marks.map((m, i) => {
    const from = (m.index ?? 0) + m[0].length;
    const to = marks[i + 1]?.index ?? text.length;
    return [m[1] as string, text.slice(from, to)];
  });
}

function isKnownAi(ai: string): boolean {
  return AI[ai] !== undefined || /^(3[1-6]\d\d|7003|02|30|37|20|240|241|90|91|92|93|94|95|96|97|98|99)$/.test(ai);
}

/** Drops one leading FNC1 (GS, 0x1D) separator. */
function dropSeparator(text: string): string {
  return text.startsWith(GS) ? text.slice(1) : text;
}

function unbracketedPairs(text: string): Array<[string, string]> {
  let rest = dropSeparator(text.replace(/^\][A-Za-z]\d/, ''));
  const pairs: Array<[string, string]> = [];
  while (rest.length > 0) {
    if (pairs.length > 32) throw invalid('identifier', text, 'has too many element strings');
    const ai = rest.slice(0, aiLength(rest.slice(0, 2)));
    if (!/^\d+$/.test(ai) || ai.length < 2) throw invalid('identifier', text, 'has an element string that does not start with an AI');
    const fixed = FIXED_LENGTH[ai.slice(0, 2)];
    const body = rest.slice(ai.length);
    const end = fixed ?? (body.includes(GS) ? body.indexOf(GS) : body.length);
    const value = body.slice(0, end);
    if (fixed !== undefined && value.length !== fixed) throw invalid(AI[ai]?.field ?? ai, value, `AI ${ai} needs ${fixed} characters`);
    pairs.push([ai, value]);
    rest = dropSeparator(body.slice(end));
  }
  return pairs;
}

const PRIMARY_PRIORITY = ['00', '01', '414', '417', '8003', '8004', '8018', '8017', '253', '255', '401', '402', '8010', '8013'];

function keysFromPairs(pairs: Array<[string, string]>, text: string): Keys {
  const seen = new Map<string, string>();
  for (const [ai, value] of pairs) {
    if (seen.has(ai)) throw invalid(AI[ai]?.field ?? ai, value, `AI ${ai} is repeated`);
    seen.set(ai, value);
  }
  const primary = PRIMARY_PRIORITY.find((ai) => seen.has(ai));
  if (primary === undefined) throw invalid('identifier', text, 'carries no GS1 primary key (01, 00, 414, …)');
  const allowed = PRIMARY[primary]?.qualifiers ?? [];
  const keys: Keys = { primary, value: seen.get(primary) as string, qualifiers: {}, attributes: {} };
  for (const [ai, value] of seen) {
    if (ai === primary) continue;
    if (allowed.includes(ai)) keys.qualifiers[ai] = value;
    else if (PRIMARY[ai] === undefined) keys.attributes[ai] = AI[ai] === undefined ? cset82UpTo(ai, 90)(value) : value;
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Parsing: EPC URNs (TDS 2.x)

/** Characters of set 82 that an EPC URN writes percent-encoded (TDS, EPC URI escaping). */
const URN_ESCAPES: Readonly<Record<string, string>> = { '"': '%22', '%': '%25', '&': '%26', '/': '%2F', '<': '%3C', '>': '%3E', '?': '%3F' };

function encodeUrnValue(value: string): string {
  return value.replace(/["%&/<>?]/g, (c) => URN_ESCAPES[c] as string);
}

function decodeUrnValue(field: string, raw: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) throw invalid(field, raw, 'has a malformed percent-encoding');
  return decodeComponent(field, raw);
}

/** Splits `CompanyPrefix.Reference` where the two together must be `total` digits. */
function prefixAndReference(field: string, urn: string, cp: string | undefined, ref: string | undefined, total: number): string {
  if (cp === undefined || ref === undefined || !/^\d{6,12}$/.test(cp) || !/^\d*$/.test(ref) || cp.length + ref.length !== total) {
    throw invalid(field, urn, `company prefix (6–12 digits) and reference must be ${total} digits together`);
  }
  return cp + ref;
}

function withCheck(digits: string): string {
  return digits + String(gs1CheckDigit(digits));
}

type UrnReader = (parts: string[], urn: string) => Keys;

function keysOf(primary: string, value: string, qualifiers: Record<string, string> = {}): Keys {
  return { primary, value, qualifiers, attributes: {} };
}

function gtinFromUrn(parts: string[], urn: string): string {
  const [cp, iir] = parts;
  prefixAndReference('gtin', urn, cp, iir, 13);
  const indicator = (iir as string).slice(0, 1);
  return withCheck(indicator + (cp as string) + (iir as string).slice(1));
}

const EPC_ID: Readonly<Record<string, { readonly parts: number; readonly read: UrnReader }>> = {
  sgtin: { parts: 3, read: (p, u) => keysOf('01', gtinFromUrn(p, u), { '21': decodeUrnValue('serial', p[2] as string) }) },
  sscc: {
    parts: 2,
    read: (p, u) => {
      prefixAndReference('sscc', u, p[0], p[1], 17);
      const ext = (p[1] as string).slice(0, 1);
      return keysOf('00', withCheck(ext + (p[0] as string) + (p[1] as string).slice(1)));
    },
  },
  sgln: {
    parts: 3,
    read: (p, u) => {
      const gln = withCheck(prefixAndReference('gln', u, p[0], p[1], 12));
      const ext = decodeUrnValue('glnExtension', p[2] as string);
      return keysOf('414', gln, ext === '0' ? {} : { '254': ext });
    },
  },
  pgln: { parts: 2, read: (p, u) => keysOf('417', withCheck(prefixAndReference('partyGln', u, p[0], p[1], 12))) },
  grai: {
    parts: 3,
    read: (p, u) => keysOf('8003', `0${withCheck(prefixAndReference('grai', u, p[0], p[1], 12))}${decodeUrnValue('grai', p[2] as string)}`),
  },
  giai: {
    parts: 2,
    read: (p, u) => {
      if (!/^\d{6,12}$/.test(p[0] as string)) throw invalid('giai', u, 'company prefix must be 6–12 digits');
      return keysOf('8004', (p[0] as string) + decodeUrnValue('giai', p[1] as string));
    },
  },
  gsrn: { parts: 2, read: (p, u) => keysOf('8018', withCheck(prefixAndReference('gsrn', u, p[0], p[1], 17))) },
  gsrnp: { parts: 2, read: (p, u) => keysOf('8017', withCheck(prefixAndReference('gsrnp', u, p[0], p[1], 17))) },
  gdti: {
    parts: 3,
    read: (p, u) => keysOf('253', withCheck(prefixAndReference('gdti', u, p[0], p[1], 12)) + decodeUrnValue('gdti', p[2] as string)),
  },
  sgcn: { parts: 3, read: (p, u) => keysOf('255', withCheck(prefixAndReference('gcn', u, p[0], p[1], 12)) + (p[2] as string)) },
  gsin: { parts: 2, read: (p, u) => keysOf('402', withCheck(prefixAndReference('gsin', u, p[0], p[1], 16))) },
  cpi: {
    parts: 3,
    read: (p, u) => {
      if (!/^\d{6,12}$/.test(p[0] as string)) throw invalid('cpid', u, 'company prefix must be 6–12 digits');
      return keysOf('8010', (p[0] as string) + decodeUrnValue('cpid', p[1] as string), { '8011': p[2] as string });
    },
  },
};

const EPC_URN = /^urn:epc:(id|class|idpat|tag):([a-z0-9-]+):(.*)$/i;

function parseEpcUri(urn: string): ParsedIdentifier {
  const m = EPC_URN.exec(urn);
  if (!m) throw invalid('identifier', urn, 'is not an EPC URN (urn:epc:id:…, urn:epc:class:…, urn:epc:idpat:…, urn:epc:tag:…)');
  const form = (m[1] as string).toLowerCase();
  const scheme = (m[2] as string).toLowerCase();
  const rest = m[3] as string;
  if (form === 'class') return identify(readLgtin(scheme, splitParts(rest, 3), urn), 'epc-urn');
  if (form === 'idpat') return identify(readPattern(scheme, splitParts(rest, 3), urn), 'epc-pattern');
  if (form === 'tag') return identify(readTag(scheme, rest, urn), 'epc-tag-uri');
  return identify(readId(scheme, rest, urn), 'epc-urn');
}

/**
 * Splits a URN body at its first `n - 1` dots: the last component (a serial, lot or asset
 * reference) may itself contain dots, which EPC URNs do not escape.
 */
function splitParts(rest: string, n: number): string[] {
  const pieces = rest.split('.');
  return pieces.length <= n ? pieces : [...pieces.slice(0, n - 1), pieces.slice(n - 1).join('.')];
}

function readId(scheme: string, rest: string, urn: string): Keys {
  const reader = EPC_ID[scheme];
  if (reader === undefined) throw invalid('identifier', urn, `EPC scheme ${scheme} is not a supported GS1 scheme`);
  const parts = splitParts(rest, reader.parts);
  if (parts.length !== reader.parts || parts.some((p) => p.length === 0)) {
    throw invalid('identifier', urn, `an ${scheme} URN has ${reader.parts} dot-separated parts`);
  }
  return reader.read(parts, urn);
}

function readLgtin(scheme: string, parts: string[], urn: string): Keys {
  if (scheme !== 'lgtin' || parts.length !== 3 || (parts[2] ?? '') === '') throw invalid('identifier', urn, 'the only EPC class URN supported is urn:epc:class:lgtin:CP.IIR.Lot');
  return keysOf('01', gtinFromUrn(parts, urn), { '10': decodeUrnValue('lot', parts[2] as string) });
}

function readPattern(scheme: string, parts: string[], urn: string): Keys {
  if (scheme !== 'sgtin' || parts.length !== 3 || parts[1] === '*') {
    throw invalid('identifier', urn, 'the only EPC pattern supported is urn:epc:idpat:sgtin:CP.IIR.* (one product, any serial)');
  }
  const gtin = gtinFromUrn(parts, urn);
  return parts[2] === '*' ? keysOf('01', gtin) : keysOf('01', gtin, { '21': decodeUrnValue('serial', parts[2] as string) });
}

/** EPC tag URI `urn:epc:tag:sgtin-96:F.CP.IIR.Serial`: drop the bit length and the filter value. */
function readTag(scheme: string, rest: string, urn: string): Keys {
  const t = /^([a-z]+)-\d+$/.exec(scheme);
  const dot = rest.indexOf('.');
  if (!t || dot !== 1 || !/^\d$/.test(rest.slice(0, 1))) throw invalid('identifier', urn, 'is not an EPC tag URI (urn:epc:tag:{scheme}-{bits}:{filter}.…)');
  return readId(t[1] as string, rest.slice(dot + 1), urn);
}

// ---------------------------------------------------------------------------------------------
// Digital Link → EPC URN

/** Where a key's GS1 company prefix starts in its digits: after the indicator or extension digit (GTIN, SSCC) or GRAI's leading zero; kinds without an EPC URN have none. */
const COMPANY_PREFIX_START: Readonly<Partial<Record<IdentifierKind, number>>> = {
  product: 1, lot: 1, item: 1, sscc: 1, grai: 1,
  location: 0, party: 0, giai: 0, gsrn: 0, gsrnp: 0, gdti: 0, gcn: 0, gsin: 0, cpid: 0,
};

/**
 * The digits of a parsed identifier's key from where its company prefix starts (what a company
 * prefix table is looked up with), or undefined for a kind {@link toEpcUrn} writes no URN for.
 */
export function companyPrefixDigits(id: ParsedIdentifier): string | undefined {
  const start = COMPANY_PREFIX_START[id.kind];
  return start === undefined ? undefined : id.key.value.slice(start);
}

/**
 * The EPC URN of an identifier (any form {@link parseIdentifier} accepts). URNs split the key
 * at the GS1 company prefix, whose length (6–12) the identifier itself does not reveal, so the
 * caller gives it. A product becomes the pattern `urn:epc:idpat:sgtin:CP.IIR.*`; a lot
 * `urn:epc:class:lgtin:…`; an item `urn:epc:id:sgtin:…`.
 *
 * @example
 * toEpcUrn('https://id.gs1.org/00/106141412345678908', 7) // 'urn:epc:id:sscc:0614141.1234567890'
 */
export function toEpcUrn(identifier: string, companyPrefixLength: number): string {
  const id = parseIdentifier(identifier);
  const n = companyPrefixLength;
  if (!Number.isInteger(n) || n < 6 || n > 12) throw invalid('companyPrefixLength', String(n), 'must be an integer 6–12');
  const v = id.key.value;
  switch (id.kind) {
    case 'product':
    case 'lot':
    case 'item':
      return gtinUrn(id, n);
    case 'sscc':
      return `urn:epc:id:sscc:${v.slice(1, 1 + n)}.${v[0]}${v.slice(1 + n, 17)}`;
    case 'location':
      return `urn:epc:id:sgln:${v.slice(0, n)}.${v.slice(n, 12)}.${encodeUrnValue(id.glnExtension ?? '0')}`;
    case 'party':
      return `urn:epc:id:pgln:${v.slice(0, n)}.${v.slice(n, 12)}`;
    case 'grai':
      return `urn:epc:id:grai:${v.slice(1, 1 + n)}.${v.slice(1 + n, 13)}.${encodeUrnValue(v.slice(14))}`;
    case 'giai':
      return `urn:epc:id:giai:${v.slice(0, n)}.${encodeUrnValue(v.slice(n))}`;
    case 'gsrn':
    case 'gsrnp':
      return `urn:epc:id:${id.kind}:${v.slice(0, n)}.${v.slice(n, 17)}`;
    case 'gdti':
      return `urn:epc:id:gdti:${v.slice(0, n)}.${v.slice(n, 12)}.${encodeUrnValue(v.slice(13))}`;
    case 'gcn':
      return `urn:epc:id:sgcn:${v.slice(0, n)}.${v.slice(n, 12)}.${v.slice(13)}`;
    case 'gsin':
      return `urn:epc:id:gsin:${v.slice(0, n)}.${v.slice(n, 16)}`;
    case 'cpid':
      return `urn:epc:id:cpi:${v.slice(0, n)}.${encodeUrnValue(v.slice(n))}.${id.qualifiers['8011'] ?? '0'}`;
    default:
      throw invalid('identifier', identifier, `a ${id.kind} has no EPC URN`);
  }
}

function gtinUrn(id: ParsedIdentifier, n: number): string {
  const g = id.key.value;
  const head = `${g.slice(1, 1 + n)}.${g[0]}${g.slice(1 + n, 13)}`;
  if (id.kind === 'item') return `urn:epc:id:sgtin:${head}.${encodeUrnValue(id.serial ?? '')}`;
  if (id.kind === 'lot') return `urn:epc:class:lgtin:${head}.${encodeUrnValue(id.lot ?? '')}`;
  return `urn:epc:idpat:sgtin:${head}.*`;
}

// ---------------------------------------------------------------------------------------------
// Dates

/**
 * An ISO date `YYYY-MM-DD` (years 2000–2099) as a GS1 date `YYMMDD`.
 * @example toGs1Date('2026-12-31') === '261231'
 */
export function toGs1Date(iso: string): string {
  const m = /^20(\d{2})-(\d{2})-(\d{2})$/.exec(requireString('date', iso));
  if (!m) throw invalid('date', iso, 'must be YYYY-MM-DD in 2000–2099');
  return gs1Date('date')(`${m[1]}${m[2]}${m[3]}`);
}

/**
 * A GS1 date `YYMMDD` as an ISO date, read as 20YY (deterministic: no sliding century window,
 * which would need a clock). Day 00 means the last day of the month.
 */
export function fromGs1Date(yymmdd: string): string {
  gs1Date('date')(requireString('date', yymmdd));
  const year = 2000 + Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6)) || daysInMonth(year, month);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
