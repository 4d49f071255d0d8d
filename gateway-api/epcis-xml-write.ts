/**
 * EPCIS query answers in the standard's XML binding, for readers that ask for it (`Accept:
 * application/xml`): the systems that speak EPCIS 1.2 or 2.0 in XML only. The reverse of
 * epcis-xml.ts: reading what this writes gives back the answer's JSON events.
 *
 * - The EPCISQueryDocument of EPCIS 2.0 (`urn:epcglobal:epcis-query:xsd:2`), its QueryResults
 *   holding the events in an EventList.
 * - Each event's standard fields in the order of the EPCIS 2.0 XSD for its type; lists as their
 *   element lists (`epcList/epc`, `quantityList/quantityElement`, …); a sensor element's metadata
 *   and reports as attributes.
 * - CBV values as the reader asks (`GS1-CBV-XML-Format`, {@link cbvXmlFormatOf}): by default a
 *   bare word as the CBV URN XML readers know (`shipping` as `urn:epcglobal:cbv:bizstep:shipping`)
 *   and a URI as it was captured; `Always_URN` and `Always_Web_URI` write every CBV value, however
 *   it was captured, as its URN or as its CBV 2.0 Web URI
 *   (`https://ref.gs1.org/cbv/BizStep-shipping`). GS1 measurement types and alert types as their
 *   GS1 Web Vocabulary URIs; any other value as it is.
 * - User extensions (`prefix:name`) as elements of their namespace, declared from the answer's
 *   JSON-LD @context (an event that carries its own @context declares its prefixes on its own
 *   element); a prefix no context declares is bound to itself as a URI scheme (`ex:` for
 *   `ex:name`), which is what an undeclared compact IRI means in JSON-LD. An array is repeated
 *   elements, an object nested ones, null `xsi:nil`.
 * - A member with no XML form (an unprefixed key where only extensions may be, an array inside an
 *   array) is not dropped silently: it is written as an XML comment holding its JSON.
 */
import type { IncomingMessage } from 'node:http';
import accepts from 'accepts';
import { CBV_VOCABULARY_OF_URN, cbvWord, type CbvVocabulary } from '../chaincode/cbv';
import { ZFC_EPCIS_NAMESPACE } from '../chaincode/epcis-event';
import { CBV_URN_WEB } from '../chaincode/epcis-event-hash';
import type { CaptureJob } from './epcis-capture-jobs';
import { formatHeaderValue } from './epcis-query';
import { EPC_LISTS, QUANTITY_LISTS, STANDARD_PREFIXES, XSI_NS } from './epcis-xml';

type Json = Record<string, unknown>;


/** Each event type's standard fields after the common ones, in its XSD's order. */
const TYPE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ObjectEvent: ['epcList', 'action', 'bizStep', 'disposition', 'readPoint', 'bizLocation', 'bizTransactionList', 'quantityList', 'sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition', 'ilmd'],
  AggregationEvent: ['parentID', 'childEPCs', 'action', 'bizStep', 'disposition', 'readPoint', 'bizLocation', 'bizTransactionList', 'childQuantityList', 'sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition'],
  TransactionEvent: ['bizTransactionList', 'parentID', 'epcList', 'action', 'bizStep', 'disposition', 'readPoint', 'bizLocation', 'quantityList', 'sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition'],
  TransformationEvent: ['inputEPCList', 'inputQuantityList', 'outputEPCList', 'outputQuantityList', 'transformationID', 'bizStep', 'disposition', 'readPoint', 'bizLocation', 'bizTransactionList', 'sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition', 'ilmd'],
  AssociationEvent: ['parentID', 'childEPCs', 'childQuantityList', 'action', 'bizStep', 'disposition', 'readPoint', 'bizLocation', 'bizTransactionList', 'sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition'],
};
const COMMON_FIELDS = ['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'errorDeclaration', 'certificationInfo'] as const;
const CBV_URN: Readonly<Record<string, CbvUrnName>> = { bizStep: 'bizstep', disposition: 'disp' };
const WORD = /^[A-Za-z0-9_]+$/;
/** An XML name's local part (letters, digits and . - _ after a letter or _; no colon). */
const NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (s: string): string => escapeText(s).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
/** XML 1.0 cannot carry most control characters (JSON strings can): each becomes U+FFFD. */
// eslint-disable-next-line no-control-regex -- the control characters are what XML 1.0 cannot carry
const xmlSafe = (s: string): string => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
const text = (value: unknown): string => escapeText(xmlSafe(typeof value === 'string' ? value : String(value)));
const attr = (value: unknown): string => escapeAttribute(xmlSafe(typeof value === 'string' ? value : String(value)));
/** A comment holding a member with no XML form (`--` may not appear in a comment). */
const comment = (key: string, value: unknown): string => `<!-- no XML form: ${JSON.stringify({ [key]: value }).replace(/--/g, '- -')} -->`;

/**
 * How an XML answer writes CBV values (the REST binding's `GS1-CBV-XML-Format`): a bare word as
 * its URN and a URI as captured (`Never_Translates`: XML has no bare words, so a word is written
 * in the form every XML reader knows), or every CBV value as its URN (`Always_URN`) or as its
 * CBV 2.0 Web URI (`Always_Web_URI`).
 */
export type CbvXmlFormat = 'Never_Translates' | 'Always_URN' | 'Always_Web_URI';

/**
 * The CBV format a request's `GS1-CBV-XML-Format` asks for: `Never_Translates` when it says
 * nothing or `No_Preference` (the server's choice); INVALID_ARGUMENT for a value the standard
 * does not define.
 */
export function cbvXmlFormatOf(header: string | undefined): CbvXmlFormat {
  return formatHeaderValue('GS1-CBV-XML-Format', header, 'Never_Translates', ['Always_Web_URI', 'Always_URN', 'Never_Translates']);
}

/** The media types an EPCIS answer is negotiated among (Accept), JSON's first: a reader that says nothing gets JSON-LD. */
const NEGOTIATED_TYPES = ['application/ld+json', 'application/json', 'application/xml', 'text/xml'];

/** The XML media type a request's Accept prefers to JSON (`application/xml`, `text/xml`), or undefined. */
export function xmlMediaTypeAsked(req: IncomingMessage): XmlForm['mediaType'] | undefined {
  const chosen = accepts(req).type(NEGOTIATED_TYPES);
  return chosen === 'application/xml' || chosen === 'text/xml' ? chosen : undefined;
}

/**
 * The XML binding as a reader asked for it: an EPCISQueryDocument of media type `mediaType`, its
 * CBV values as `cbv` says (a subscription's deliveries keep it: epcis-subscriptions.ts).
 */
export interface XmlForm {
  readonly mediaType: 'application/xml' | 'text/xml';
  readonly cbv: CbvXmlFormat;
}

/**
 * What a request asks for in XML — the media type its Accept prefers to JSON, with the CBV form
 * its `GS1-CBV-XML-Format` asks ({@link cbvXmlFormatOf}'s refusal for an undefined one) — or
 * undefined when it prefers JSON.
 */
export function xmlFormAsked(req: IncomingMessage): XmlForm | undefined {
  const mediaType = xmlMediaTypeAsked(req);
  const header = req.headers['gs1-cbv-xml-format'];
  return mediaType ? { mediaType, cbv: cbvXmlFormatOf(Array.isArray(header) ? header.join(',') : header) } : undefined;
}

/** The CBV vocabularies of XML answers, by their URN names. */
type CbvUrnName = 'bizstep' | 'disp' | 'btt' | 'sdt' | 'er';

/** A CBV value of `vocabulary` in the form `format` asks for; a value outside the CBV as it is. */
function cbvXmlValue(value: unknown, vocabulary: CbvUrnName, format: CbvXmlFormat): string {
  if (typeof value !== 'string') return String(value);
  const word = WORD.test(value) ? value : format === 'Never_Translates' ? undefined : cbvWord(CBV_VOCABULARY_OF_URN.get(vocabulary) as CbvVocabulary, value);
  if (word === undefined || !WORD.test(word)) return value;
  return format === 'Always_Web_URI' ? `${CBV_URN_WEB.get(vocabulary) as string}${word}` : `urn:epcglobal:cbv:${vocabulary}:${word}`;
}

/** A bare GS1 Web Vocabulary term as its URI; anything else as it is. */
function gs1Uri(value: unknown): string {
  return typeof value === 'string' && WORD.test(value) ? `https://gs1.org/voc/${value}` : String(value);
}

/** The prefixes a JSON-LD @context declares (string values of its objects). */
function contextPrefixes(context: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of Array.isArray(context) ? context : [context]) {
    if (c && typeof c === 'object') for (const [k, v] of Object.entries(c as Json)) if (typeof v === 'string' && NCNAME.test(k)) out.set(k, v);
  }
  return out;
}

/** Writes one answer; `declared` is what the enclosing elements have declared. */
class Writer {
  private out = '';

  constructor(
    private readonly declared: Map<string, string>,
    private readonly cbv: CbvXmlFormat,
  ) {}

  static document(doc: Json, cbv: CbvXmlFormat): string {
    const prefixes = contextPrefixes(doc['@context']);
    const events = (((doc['epcisBody'] as Json | undefined)?.['queryResults'] as Json | undefined)?.['resultsBody'] as Json | undefined)?.['eventList'];
    const queryResults = ((doc['epcisBody'] as Json | undefined)?.['queryResults'] ?? {}) as Json;
    // the prefixes the events use but no context declares: declared once, on the root
    const all = new Map(prefixes);
    for (const e of Array.isArray(events) ? (events as Json[]) : []) for (const p of usedPrefixes(e)) if (!all.has(p) && !contextPrefixes(e['@context']).has(p)) all.set(p, STANDARD_PREFIXES.get(p) ?? `${p}:`);
    const w = new Writer(all, cbv);
    const xmlns = [...all].map(([p, uri]) => ` xmlns:${p}="${attr(uri)}"`).join('');
    w.out += '<?xml version="1.0" encoding="UTF-8"?>\n';
    w.out += `<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2" xmlns:xsi="${XSI_NS}"${xmlns} schemaVersion="2.0" creationDate="${attr(doc['creationDate'] ?? '')}">`;
    w.out += '<EPCISBody><epcisq:QueryResults>';
    w.out += `<queryName>${text(queryResults['queryName'] ?? '')}</queryName>`;
    if (queryResults['subscriptionID'] !== undefined) w.out += `<subscriptionID>${text(queryResults['subscriptionID'])}</subscriptionID>`;
    w.out += '<resultsBody><EventList>';
    for (const e of Array.isArray(events) ? (events as Json[]) : []) w.event(e);
    w.out += '</EventList></resultsBody></epcisq:QueryResults></EPCISBody></epcisq:EPCISQueryDocument>\n';
    return w.out;
  }

  private event(e: Json): void {
    const type = String(e['type']);
    const fields = Object.hasOwn(TYPE_FIELDS, type) ? TYPE_FIELDS[type] : undefined;
    if (!fields) {
      this.out += comment('event', e);
      return;
    }
    // an event with a context of its own (its prefixes clash with the answer's) declares them here
    const own = contextPrefixes(e['@context']);
    const saved = new Map(this.declared);
    const decl = [...own].filter(([p, uri]) => this.declared.get(p) !== uri);
    for (const [p, uri] of own) this.declared.set(p, uri);
    this.out += `<${type}${decl.map(([p, uri]) => ` xmlns:${p}="${attr(uri)}"`).join('')}>`;
    const standard = new Set<string>(['type', '@context', ...COMMON_FIELDS, ...fields]);
    for (const name of [...COMMON_FIELDS, ...fields]) if (e[name] !== undefined) this.field(name, e[name]);
    for (const [k, v] of Object.entries(e)) if (!standard.has(k)) this.extension(k, v);
    this.out += `</${type}>`;
    this.declared.clear();
    for (const [p, uri] of saved) this.declared.set(p, uri);
  }

  private field(name: string, value: unknown): void {
    if (EPC_LISTS.has(name)) return this.list(name, value, (v) => this.leaf('epc', v));
    if (QUANTITY_LISTS.has(name)) return this.list(name, value, (q) => this.object('quantityElement', q, ['epcClass', 'quantity', 'uom']));
    if (name === 'certificationInfo') {
      for (const v of Array.isArray(value) ? value : [value]) this.leaf(name, v);
      return;
    }
    if (name in CBV_URN) return this.leaf(name, cbvXmlValue(value, CBV_URN[name] as CbvUrnName, this.cbv));
    if (name === 'readPoint' || name === 'bizLocation') return this.object(name, value, ['id']);
    if (name === 'bizTransactionList') return this.list(name, value, (b) => this.typed('bizTransaction', b, 'btt'));
    if (name === 'sourceList') return this.list(name, value, (s) => this.typed('source', s, 'sdt'));
    if (name === 'destinationList') return this.list(name, value, (d) => this.typed('destination', d, 'sdt'));
    if (name === 'sensorElementList') return this.list(name, value, (s) => this.sensorElement(s));
    if (name === 'persistentDisposition') return this.persistentDisposition(value);
    if (name === 'ilmd') return this.object(name, value, []);
    if (name === 'errorDeclaration') return this.errorDeclaration(value);
    this.leaf(name, value);
  }

  private leaf(name: string, value: unknown): void {
    if (value !== null && typeof value === 'object') {
      this.out += comment(name, value);
      return;
    }
    this.out += `<${name}>${text(value)}</${name}>`;
  }

  private list(name: string, value: unknown, each: (v: unknown) => void): void {
    if (!Array.isArray(value)) {
      this.out += comment(name, value);
      return;
    }
    this.out += `<${name}>`;
    for (const v of value) each(v);
    this.out += `</${name}>`;
  }

  /** An element of standard `fields` (in order), then its extensions. */
  private object(name: string, value: unknown, fields: readonly string[]): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.out += comment(name, value);
      return;
    }
    const o = value as Json;
    this.out += `<${name}>`;
    for (const f of fields) if (o[f] !== undefined) this.leaf(f, o[f]);
    for (const [k, v] of Object.entries(o)) if (!fields.includes(k)) this.extension(k, v);
    this.out += `</${name}>`;
  }

  private typed(name: string, value: unknown, vocabulary: CbvUrnName): void {
    const o = (value ?? {}) as Json;
    const type = o['type'] === undefined ? '' : ` type="${attr(cbvXmlValue(o['type'], vocabulary, this.cbv))}"`;
    this.out += `<${name}${type}>${text(o[name] ?? '')}</${name}>`;
    for (const [k, v] of Object.entries(o)) if (k !== 'type' && k !== name) this.out += comment(k, v);
  }

  private sensorElement(value: unknown): void {
    const o = (value ?? {}) as Json;
    this.out += '<sensorElement>';
    if (o['sensorMetadata'] !== undefined) this.attributes('sensorMetadata', o['sensorMetadata']);
    for (const r of Array.isArray(o['sensorReport']) ? (o['sensorReport'] as unknown[]) : []) this.attributes('sensorReport', r);
    for (const [k, v] of Object.entries(o)) if (k !== 'sensorMetadata' && k !== 'sensorReport') this.extension(k, v);
    this.out += '</sensorElement>';
  }

  /** A sensor element's metadata or report: every member an attribute. */
  private attributes(name: string, value: unknown): void {
    const o = (value ?? {}) as Json;
    let attrs = '';
    let comments = '';
    for (const [k, v] of Object.entries(o)) {
      if (v !== null && typeof v === 'object') comments += comment(k, v);
      else if (!NCNAME.test(k) && !this.qualified(k)) comments += comment(k, v);
      else attrs += ` ${k}="${attr(k === 'type' || k === 'exception' ? gs1Uri(v) : v)}"`;
    }
    this.out += `<${name}${attrs}/>${comments}`;
  }

  private persistentDisposition(value: unknown): void {
    const o = (value ?? {}) as Json;
    this.out += '<persistentDisposition>';
    for (const kind of ['unset', 'set'] as const) for (const v of Array.isArray(o[kind]) ? (o[kind] as unknown[]) : []) this.leaf(kind, cbvXmlValue(v, 'disp', this.cbv));
    this.out += '</persistentDisposition>';
  }

  private errorDeclaration(value: unknown): void {
    const o = (value ?? {}) as Json;
    this.out += '<errorDeclaration>';
    if (o['declarationTime'] !== undefined) this.leaf('declarationTime', o['declarationTime']);
    if (o['reason'] !== undefined) this.leaf('reason', cbvXmlValue(o['reason'], 'er', this.cbv));
    if (Array.isArray(o['correctiveEventIDs'])) this.list('correctiveEventIDs', o['correctiveEventIDs'], (v) => this.leaf('correctiveEventID', v));
    for (const [k, v] of Object.entries(o)) if (!['declarationTime', 'reason', 'correctiveEventIDs'].includes(k)) this.extension(k, v);
    this.out += '</errorDeclaration>';
  }

  /** True for `prefix:local` with a declared (or declarable) prefix and a valid local name. */
  private qualified(key: string): boolean {
    const i = key.indexOf(':');
    return i > 0 && NCNAME.test(key.slice(0, i)) && NCNAME.test(key.slice(i + 1)) && this.declared.has(key.slice(0, i));
  }

  /** A user extension: repeated elements for an array, nested ones for an object. */
  private extension(key: string, value: unknown, depth = 0): void {
    if (!this.qualified(key)) {
      this.out += comment(key, value);
      return;
    }
    if (Array.isArray(value)) {
      if (depth > 0) {
        this.out += comment(key, value); // an array in an array
        return;
      }
      for (const v of value) this.extension(key, v, depth + 1);
      return;
    }
    if (value === null) {
      this.out += `<${key} xsi:nil="true"/>`;
      return;
    }
    if (typeof value === 'object') {
      this.out += `<${key}>`;
      for (const [k, v] of Object.entries(value as Json)) this.extension(k, v);
      this.out += `</${key}>`;
      return;
    }
    this.out += `<${key}>${text(value)}</${key}>`;
  }
}

/** The `prefix` of every `prefix:name` key anywhere in a value. */
function usedPrefixes(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) usedPrefixes(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Json)) {
      const i = k.indexOf(':');
      if (i > 0 && NCNAME.test(k.slice(0, i))) out.add(k.slice(0, i));
      usedPrefixes(v, out);
    }
  }
  return out;
}

/**
 * An EPCISQueryDocument (the JSON binding's, as epcis-query.ts's queryDocument builds it) in the
 * XML binding, its CBV values as `cbv` says.
 *
 * @example
 * ctx.type = 'application/xml';
 * ctx.body = queryDocumentXml(queryDocument(page.events, now), cbvXmlFormatOf(ctx.get('GS1-CBV-XML-Format')));
 */
export function queryDocumentXml(doc: Record<string, unknown>, cbv: CbvXmlFormat = 'Never_Translates'): string {
  return Writer.document(doc, cbv);
}

/** One field error of a job's error (`{ path, message }`), or a comment for any other shape. */
function fieldError(e: unknown): string {
  const f = e as { path?: unknown; message?: unknown } | null;
  if (f && typeof f === 'object' && typeof f.message === 'string') {
    return `<zfc:fieldError${typeof f.path === 'string' ? ` path="${attr(f.path)}"` : ''}>${text(f.message)}</zfc:fieldError>`;
  }
  return comment('fieldError', e);
}

/**
 * A capture job in the XML binding (EPCIS 2.0's `EPCISCaptureJob`): its state as attributes,
 * its times, and each error as the standard's RFC 7807 problem, the message as its `detail`.
 * What the standard has no element for — the events counted, captured and found already
 * recorded, an error's project code, JSON pointer and field errors — is in this project's
 * namespace (`zfc:`), where the XSD's `##other` wildcard admits it.
 *
 * @example
 * ctx.type = 'application/xml';
 * ctx.body = captureJobXml(jobJson(job));
 */
export function captureJobXml(job: Omit<CaptureJob, 'done'>): string {
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<epcis:EPCISCaptureJob xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:zfc="${attr(ZFC_EPCIS_NAMESPACE)}" running="${job.running}" success="${job.success}" captureID="${attr(job.captureID)}">`;
  out += `<captureErrorBehaviour>${text(job.captureErrorBehaviour)}</captureErrorBehaviour><createdAt>${text(job.createdAt)}</createdAt>`;
  if (job.finishedAt !== undefined) out += `<finishedAt>${text(job.finishedAt)}</finishedAt>`;
  if (job.errors.length > 0) {
    out += '<errors>';
    for (const e of job.errors) {
      out += `<error><type>${text(e.type)}</type><title>${text(e.title)}</title><status>${e.status}</status><detail>${text(e.message)}</detail><zfc:code>${text(e.code)}</zfc:code>`;
      if (e.path !== undefined) out += `<zfc:path>${text(e.path)}</zfc:path>`;
      for (const f of e.errors ?? []) out += fieldError(f);
      out += '</error>';
    }
    out += '</errors>';
  }
  out += `<zfc:eventCount>${job.eventCount}</zfc:eventCount>`;
  for (const k of ['captured', 'duplicates', 'masterDataElements'] as const) if (job[k] !== undefined) out += `<zfc:${k}>${job[k]}</zfc:${k}>`;
  return `${out}</epcis:EPCISCaptureJob>\n`;
}

/**
 * A problem answer (RFC 7807 with the project's `error` beside it, epcis-problems.ts) as the XML
 * binding's `EPCISException`: the problem's fields as the standard's elements, the project's
 * error code and its details (JSON) in the `zfc:` namespace.
 */
export function problemXml(body: object): string {
  const b = body as { type?: unknown; title?: unknown; status?: unknown; detail?: unknown; instance?: unknown; error?: { code?: unknown; details?: unknown } };
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<epcis:EPCISException xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:zfc="${attr(ZFC_EPCIS_NAMESPACE)}">`;
  out += `<type>${text(b.type ?? '')}</type><title>${text(b.title ?? '')}</title>`;
  if (b.status !== undefined) out += `<status>${text(b.status)}</status>`;
  if (b.detail !== undefined) out += `<detail>${text(b.detail)}</detail>`;
  if (b.instance !== undefined) out += `<instance>${text(b.instance)}</instance>`;
  if (b.error?.code !== undefined) out += `<zfc:code>${text(b.error.code)}</zfc:code>`;
  if (b.error?.details !== undefined) out += `<zfc:details>${text(JSON.stringify(b.error.details))}</zfc:details>`;
  return `${out}</epcis:EPCISException>\n`;
}
