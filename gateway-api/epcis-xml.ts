/**
 * EPCIS documents in the standard's XML binding, read into its JSON/JSON-LD binding, so that the
 * systems the food industry already runs — EPCIS 1.2 repositories, ERPs and scanner software,
 * which speak XML — can capture here without custom code. What comes out is checked, captured,
 * hashed and stored exactly as a JSON document would be: the XML text itself is not kept.
 *
 * The mapping (EPCIS 2.0 §9 and §10, and GS1's own paired XML/JSON examples):
 * - `EPCISDocument` (EPCIS 2.0 or 1.x namespace), or an `EPCISQueryDocument`'s query results:
 *   its `schemaVersion` and `creationDate`, the SBDH's sender, receiver and instance identifier,
 *   master data from the header's `EPCISMasterData`, and the events of `EPCISBody/EventList`.
 * - `EPCISMasterDataDocument` (EPCIS 1.x's and 2.0's way to send vocabulary alone: a location's
 *   name, its sub-sites): a document of no events whose header carries the body's vocabularies,
 *   so the capture records them as it records a header's master data.
 * - Each event element's standard fields by name: lists of `epc` become arrays of strings,
 *   `quantityElement`s objects with a numeric `quantity`, `bizTransaction`/`source`/`destination`
 *   their `{type, …}` objects, a sensor element's `sensorMetadata`/`sensorReport` attributes
 *   (numbers and booleans typed as the schema types them), `persistentDisposition`'s `set` and
 *   `unset` lists.
 * - CBV 1.x URNs (`urn:epcglobal:cbv:bizstep:shipping`) become the bare words the JSON binding
 *   writes (`shipping`), as do `gs1:` measurement types; every other value is kept as written.
 * - EPCIS 1.x's `extension` and `baseExtension` wrappers are unwrapped: their fields are the
 *   event's (1.2's `TransformationEvent` inside `EventList/extension` included).
 * - An element in any other namespace is a user extension: the key `prefix:name`, with the
 *   document's own prefix (a clashing or default-namespace one gets a fresh prefix), and its
 *   namespace added to the JSON-LD @context. A leaf is its text; an element with children an
 *   object of them, a name repeated among siblings an array in document order. Type annotations
 *   (`xsi:type`) are dropped: the JSON binding keeps such values as text.
 *
 * Refused with a clear INVALID_ARGUMENT naming the place (an XPath-like path, line and column):
 * anything not well-formed, entity references beyond XML's five (a DOCTYPE's own entities are
 * never expanded, so no entity expansion attack), nesting deeper than MAX_JSON_DEPTH, more than
 * MAX_XML_ELEMENTS elements, another
 * root element, an unknown standard field, QuantityEvent (gone in EPCIS 2.0), text where an
 * element list belongs, and an extension element that mixes text and elements. An extension
 * element's attributes beside its text are dropped, as in GS1's paired examples (the JSON
 * binding has no form for them); without text they are its properties.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { ZfcError } from '../chaincode/errors';
import { EPCIS_EVENT_TYPES } from '../chaincode/epcis-schema';
import { MAX_JSON_DEPTH } from '../chaincode/json-depth';
import { EPCIS_CONTEXT_URL } from './epcis-query';

type Json = Record<string, unknown>;

/** The EPCIS document namespaces this reader takes (2.0 and 1.x). */
const EPCIS_NS = new Set(['urn:epcglobal:epcis:xsd:2', 'urn:epcglobal:epcis:xsd:1']);
const QUERY_NS = new Set(['urn:epcglobal:epcis-query:xsd:2', 'urn:epcglobal:epcis-query:xsd:1']);
const MASTER_DATA_NS = new Set(['urn:epcglobal:epcis-masterdata:xsd:2', 'urn:epcglobal:epcis-masterdata:xsd:1']);
const SBDH_NS = 'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** The prefixes the standard's JSON-LD context declares, with their namespaces (as XML writes them). */
export const STANDARD_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['gs1', 'https://gs1.org/voc/'],
  ['cbv', 'https://ref.gs1.org/cbv/'],
  ['epcis', 'https://ref.gs1.org/epcis/'],
  ['cbvmda', 'urn:epcglobal:cbv:mda'],
]);

/** Namespaces the standard's context already names, with the prefix it gives them: no @context entry (the CBV's master data namespace is also written with `#`). */
const STANDARD_NAMESPACES: ReadonlyMap<string, string> = new Map([
  ...[...STANDARD_PREFIXES].map(([prefix, uri]): [string, string] => [uri, prefix]),
  ['urn:epcglobal:cbv:mda#', 'cbvmda'],
]);

/**
 * Prefixes another namespace may not take: the GS1 vocabularies' own, which readers of the JSON
 * binding take as GS1's whatever the @context says. Any other prefix is kept as the document
 * wrote it (and declared in the @context), even one the standard's context also defines.
 */
const RESERVED_PREFIXES = new Set(['gs1', 'cbv', 'epcis']);

const EVENT_TYPES: ReadonlySet<string> = new Set(EPCIS_EVENT_TYPES);

/** One element as read: its name, attributes, child elements, text, and where it began. */
interface XmlElement {
  readonly uri: string;
  readonly local: string;
  readonly prefix: string;
  readonly attributes: ReadonlyArray<{ readonly uri: string; readonly local: string; readonly prefix: string; readonly value: string }>;
  readonly children: XmlElement[];
  text: string;
  readonly line: number;
  readonly column: number;
  /** Its name as written (`prefix:local`) and its parent: its path, worked out only for an error. */
  readonly name: string;
  readonly parent: XmlElement | undefined;
}

/** An XPath-like path of an element: `/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]`. */
function pathOf(e: XmlElement): string {
  const siblings = e.parent?.children.filter((c) => c.name === e.name) ?? [e];
  const n = siblings.indexOf(e) + 1;
  return `${e.parent ? pathOf(e.parent) : ''}/${e.name}${n > 1 ? `[${n}]` : ''}`;
}

/** A place in the document: an element, or where the parser stood. */
type Place = XmlElement | { readonly path: string; readonly line: number; readonly column: number };

function refusal(message: string, at?: Place): ZfcError {
  const where = at === undefined ? undefined : { path: 'path' in at ? at.path : pathOf(at), line: at.line, column: at.column };
  return new ZfcError('INVALID_ARGUMENT', where ? `${message} (at ${where.path}, line ${where.line}, column ${where.column})` : message, {
    errors: [{ path: where?.path ?? '/', message, ...(where ? { line: where.line, column: where.column } : {}) }],
  });
}

/**
 * The most elements a document may hold. Each element read is an object here, so a body of tiny
 * elements (`<a/>`, 4 bytes each) would otherwise cost far more memory than its bytes; a document
 * of 10,000 rich events (the capture limit) holds well under this.
 */
export const MAX_XML_ELEMENTS = 1_000_000;

const NO_ATTRIBUTES: XmlElement['attributes'] = Object.freeze([]);

/** A tag's attributes, namespaces resolved (most elements have none: one shared empty list). */
function attributesOf(tag: SaxesTagNS): XmlElement['attributes'] {
  let out: Array<XmlElement['attributes'][number]> | undefined;
  for (const name in tag.attributes) {
    const a = tag.attributes[name] as SaxesTagNS['attributes'][string];
    (out ??= []).push({ uri: a.uri ?? '', local: a.local ?? a.name, prefix: a.prefix ?? '', value: a.value });
  }
  return out ?? NO_ATTRIBUTES;
}

/** Parses XML text into elements, namespaces resolved; refuses anything not well-formed or too deep. */
function parse(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let elements = 0;
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  let failedAt: { path: string; line: number; column: number } | undefined;
  parser.on('error', (err) => {
    if (failure) return;
    failure = err;
    const top = stack[stack.length - 1];
    failedAt = { path: top ? pathOf(top) : '/', line: parser.line, column: parser.column };
  });
  parser.on('xmldecl', (decl) => {
    // the body is read as UTF-8 (the binding's encoding); another declared encoding would be misread
    if (decl.encoding !== undefined && !/^(utf-?8|us-ascii)$/i.test(decl.encoding.trim())) {
      failure ??= refusal(`the XML declaration says encoding="${decl.encoding.slice(0, 40)}"; send the document as UTF-8`, { path: '/', line: parser.line, column: parser.column });
    }
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (failure) return;
    const parent = stack[stack.length - 1];
    if (stack.length >= MAX_JSON_DEPTH) {
      failure = refusal(`the XML document is nested more than ${MAX_JSON_DEPTH} elements deep`, { path: parent ? pathOf(parent) : '/', line: parser.line, column: parser.column });
      throw failure; // stops the parser: nothing after this is read
    }
    if (++elements > MAX_XML_ELEMENTS) {
      failure = refusal(`the XML document holds more than ${MAX_XML_ELEMENTS.toLocaleString('en')} elements`, { path: parent ? pathOf(parent) : '/', line: parser.line, column: parser.column });
      throw failure;
    }
    const element: XmlElement = {
      // below the root, the EPCIS namespace's own elements are the standard's unqualified ones (some writers qualify them)
      uri: parent && EPCIS_NS.has(tag.uri ?? '') ? '' : (tag.uri ?? ''),
      local: tag.local ?? tag.name,
      prefix: tag.prefix ?? '',
      attributes: attributesOf(tag),
      children: [],
      text: '',
      line: parser.line,
      column: parser.column,
      name: tag.name,
      parent,
    };
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('cdata', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(text).close();
  } catch (err) {
    failure ??= err as Error;
  }
  if (failure instanceof ZfcError) throw failure;
  if (failure) throw refusal(`the body is not well-formed XML: ${failure.message.replace(/^(?:[^:\s]*:)?\d+:\d+: /, '').slice(0, 200)}`, failedAt ?? { path: '/', line: parser.line, column: parser.column });
  if (!root) throw refusal('the body holds no XML element');
  return root;
}

const trimmed = (e: XmlElement): string => e.text.trim();
const attribute = (e: XmlElement, local: string): string | undefined => e.attributes.find((a) => a.uri === '' && a.local === local)?.value;

/** A CBV 1.x URN of `vocabulary` as the JSON binding's bare word; anything else as written. */
function bare(value: string, vocabulary: 'bizstep' | 'disp' | 'btt' | 'sdt' | 'er'): string {
  const m = /^urn:epcglobal:cbv:([a-z]+):([A-Za-z0-9_]+)$/.exec(value.trim());
  return m && m[1] === vocabulary ? (m[2] as string) : value.trim();
}

/** A GS1 Web Vocabulary term (`gs1:Temperature`, its full URI) as the JSON binding's bare word. */
function gs1Term(value: string): string {
  const v = value.trim();
  if (v.startsWith('gs1:')) return v.slice(4);
  const m = /^https?:\/\/(?:www\.)?gs1\.org\/voc\/([A-Za-z0-9_]+)$/.exec(v);
  return m ? (m[1] as string) : v;
}

/** A number where the schema wants one, if the text is one; the text otherwise (the schema then names the field). */
function numeric(text: string): number | string {
  const t = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : t;
}

function booleanOf(text: string): boolean | string {
  const t = text.trim();
  return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : t;
}

const SENSOR_NUMBERS = new Set(['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue']);
/** The event fields that are lists of EPCs (`epc` elements in XML), and lists of quantities (`quantityElement`s). */
export const EPC_LISTS: ReadonlySet<string> = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);
export const QUANTITY_LISTS: ReadonlySet<string> = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);
const TEXT_FIELDS = new Set(['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'action', 'parentID', 'transformationID']);

/** Reads one document's elements into JSON, naming its extension namespaces as it goes. */
class Converter {
  /** Output prefix → namespace, for the @context (standard namespaces are not listed). */
  private readonly declared = new Map<string, string>();
  private readonly prefixOf = new Map<string, string>();

  /** The JSON-LD @context of what was converted. */
  context(): unknown[] {
    return this.declared.size === 0 ? [EPCIS_CONTEXT_URL] : [EPCIS_CONTEXT_URL, Object.fromEntries(this.declared)];
  }

  /** The key of an element or attribute in another namespace: `prefix:local`. */
  key(node: { uri: string; local: string; prefix: string }): string {
    return `${this.prefixFor(node.uri, node.prefix)}:${node.local}`;
  }

  private prefixFor(uri: string, wanted: string): string {
    const known = this.prefixOf.get(uri) ?? STANDARD_NAMESPACES.get(uri);
    if (known !== undefined) return known;
    let prefix = /^[A-Za-z][A-Za-z0-9.-]*$/.test(wanted) && !RESERVED_PREFIXES.has(wanted) ? wanted : 'ns';
    if (this.declared.has(prefix) || RESERVED_PREFIXES.has(prefix)) {
      let n = 1;
      while (this.declared.has(`${prefix}${n}`)) n++;
      prefix = `${prefix}${n}`;
    }
    this.declared.set(prefix, uri);
    this.prefixOf.set(uri, prefix);
    return prefix;
  }

  /** An EPCISDocument or EPCISQueryDocument as the JSON binding's EPCISDocument. */
  document(root: XmlElement): Json {
    const isDocument = EPCIS_NS.has(root.uri) && root.local === 'EPCISDocument';
    const isQuery = QUERY_NS.has(root.uri) && root.local === 'EPCISQueryDocument';
    const isMasterData = MASTER_DATA_NS.has(root.uri) && root.local === 'EPCISMasterDataDocument';
    if (!isDocument && !isQuery && !isMasterData) {
      throw refusal(`the root element must be an EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument of EPCIS 2.0 or 1.x (urn:epcglobal:epcis:xsd:2), not ${root.uri ? `{${root.uri}}` : ''}${root.local}`, root);
    }
    const out: Json = { type: 'EPCISDocument', schemaVersion: '2.0', creationDate: attribute(root, 'creationDate')?.trim() ?? '' };
    if (out['creationDate'] === '') delete out['creationDate'];
    let events: Json[] = [];
    let header: Json | undefined;
    let vocabularies: Json[] | undefined; // a master data document's body
    const extensions: Json = {};
    for (const child of root.children) {
      if (child.uri !== '') this.addExtension(extensions, child); // a document-level extension
      else if (child.local === 'EPCISHeader') {
        const read = this.header(child);
        Object.assign(out, read.sbdh);
        header = read.header;
      } else if (child.local === 'EPCISBody') {
        if (isMasterData) vocabularies = this.vocabularyList(child);
        else events = isQuery ? this.queryResults(child) : this.eventList(this.only(child, 'EventList', true));
      } else if (child.local !== 'extension') {
        throw refusal(`unknown element ${child.local} in the document`, child);
      }
    }
    if (vocabularies) {
      const given = ((header?.['epcisMasterData'] as Json | undefined)?.['vocabularyList'] ?? []) as Json[];
      header = { ...header, epcisMasterData: { vocabularyList: [...given, ...vocabularies] } };
    }
    return { '@context': this.context(), ...out, ...extensions, ...(header ? { epcisHeader: header } : {}), epcisBody: { eventList: events } };
  }

  /** The vocabularies of an element's `VocabularyList` (none without one). */
  private vocabularyList(parent: XmlElement): Json[] {
    const list = this.only(parent, 'VocabularyList', true);
    return (list?.children ?? []).filter((c) => c.local === 'Vocabulary').map((v) => this.vocabulary(v));
  }

  /** One event element on its own (a bare event, or a document of exactly one). */
  singleEvent(root: XmlElement): Json {
    if (root.uri === '' && (EVENT_TYPES.has(root.local) || root.local === 'QuantityEvent')) {
      const event = this.event(root);
      return { '@context': this.context(), ...event };
    }
    const doc = this.document(root);
    const list = (doc['epcisBody'] as { eventList: Json[] }).eventList;
    if (list.length !== 1) throw refusal(`a single event is wanted, and the document holds ${list.length}`, root);
    return { '@context': doc['@context'], ...(list[0] as Json) };
  }

  /** The one child of `parent` named `local` (no namespace), if any. */
  private only(parent: XmlElement, local: string, optional = false): XmlElement | undefined {
    const found = parent.children.filter((c) => c.uri === '' && c.local === local);
    if (found.length > 1) throw refusal(`${local} may appear once in ${parent.local}`, found[1] as XmlElement);
    if (!optional && found.length === 0) throw refusal(`${parent.local} needs ${local}`, parent);
    return found[0];
  }

  private header(header: XmlElement): { sbdh: Json; header?: Json } {
    const sbdh: Json = {};
    const extensions: Json = {};
    let masterData: XmlElement | undefined;
    const visit = (e: XmlElement): void => {
      for (const c of e.children) {
        if (c.uri === SBDH_NS && c.local === 'StandardBusinessDocumentHeader') Object.assign(sbdh, this.sbdh(c));
        else if ((c.uri === '' || MASTER_DATA_NS.has(c.uri)) && c.local === 'EPCISMasterData') masterData = c;
        else if (c.uri === '' && c.local === 'extension') visit(c);
        else if (c.uri !== '') this.addExtension(extensions, c);
        else throw refusal(`unknown element ${c.local} in the EPCISHeader`, c);
      }
    };
    visit(header);
    const vocabularyList = masterData ? this.vocabularyList(masterData) : undefined;
    const out: Json = { ...(vocabularyList ? { epcisMasterData: { vocabularyList } } : {}), ...extensions };
    return Object.keys(out).length > 0 ? { sbdh, header: out } : { sbdh };
  }

  /** The SBDH's sender, receiver and instance identifier: the JSON binding's document fields. */
  private sbdh(e: XmlElement): Json {
    const out: Json = {};
    const text = (...path: string[]): string | undefined => {
      let at: XmlElement | undefined = e;
      for (const local of path) at = at?.children.find((c) => c.local === local);
      const t = at ? trimmed(at) : '';
      return t === '' ? undefined : t;
    };
    const sender = text('Sender', 'Identifier');
    const receiver = text('Receiver', 'Identifier');
    const instance = text('DocumentIdentification', 'InstanceIdentifier');
    if (sender !== undefined) out['sender'] = sender;
    if (receiver !== undefined) out['receiver'] = receiver;
    if (instance !== undefined) out['instanceIdentifier'] = instance;
    return out;
  }

  private vocabulary(v: XmlElement): Json {
    const elements = v.children.find((c) => c.local === 'VocabularyElementList');
    return {
      type: attribute(v, 'type') ?? '',
      vocabularyElementList: (elements?.children ?? [])
        .filter((c) => c.local === 'VocabularyElement')
        .map((el) => {
          const attributes = el.children.filter((c) => c.local === 'attribute').map((a) => ({ id: attribute(a, 'id') ?? '', attribute: this.attributeValue(a) }));
          const children = el.children.find((c) => c.local === 'children');
          return {
            id: attribute(el, 'id') ?? '',
            ...(attributes.length > 0 ? { attributes } : {}),
            ...(children ? { children: children.children.filter((c) => c.local === 'id').map(trimmed) } : {}),
          };
        }),
    };
  }

  private queryResults(body: XmlElement): Json[] {
    const results = body.children.find((c) => QUERY_NS.has(c.uri) && c.local === 'QueryResults');
    if (!results) throw refusal('an EPCISQueryDocument needs QueryResults in its EPCISBody', body);
    const resultsBody = this.only(results, 'resultsBody');
    return this.eventList(this.only(resultsBody as XmlElement, 'EventList', true));
  }

  private eventList(list: XmlElement | undefined): Json[] {
    const out: Json[] = [];
    const visit = (parent: XmlElement): void => {
      for (const c of parent.children) {
        if (c.uri === '' && c.local === 'extension') visit(c); // EPCIS 1.2: TransformationEvent and later types
        else if (c.uri === '') out.push(this.event(c));
        else throw refusal(`the EventList holds EPCIS events, not {${c.uri}}${c.local}`, c);
      }
    };
    if (list) visit(list);
    return out;
  }

  private event(e: XmlElement): Json {
    if (e.local === 'QuantityEvent') throw refusal('QuantityEvent was withdrawn in EPCIS 2.0: capture it as an ObjectEvent with a quantityList', e);
    if (!EVENT_TYPES.has(e.local)) throw refusal(`${e.local} is not an EPCIS event type (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent)`, e);
    const out: Json = { type: e.local };
    this.fields(e, out);
    return out;
  }

  /** The standard fields and extensions of an event (1.x wrappers unwrapped) into `out`. */
  private fields(e: XmlElement, out: Json): void {
    this.standardChildren(e, out, (c) => {
      if (c.local === 'baseExtension') this.fields(c, out); // EPCIS 1.x: eventID and errorDeclaration
      else if (c.local === 'certificationInfo') this.addRepeatable(out, c.local, trimmed(c));
      else this.set(out, c, this.field(c, e));
    });
  }

  /**
   * Hands each child of `e` in no namespace to `read`, in order, with EPCIS 1.x's `extension`
   * wrappers unwrapped (their children are the parent's); every other namespace's element is a
   * user extension, added to `out`.
   */
  private standardChildren(e: XmlElement, out: Json, read: (c: XmlElement) => void): void {
    for (const c of e.children) {
      if (c.uri !== '') this.addExtension(out, c);
      else if (c.local === 'extension') this.standardChildren(c, out, read);
      else read(c);
    }
  }

  /** One standard field's value, read by its element's name. */
  private field(c: XmlElement, event: XmlElement): unknown {
    const name = c.local;
    if (TEXT_FIELDS.has(name)) return trimmed(c);
    if (EPC_LISTS.has(name)) return this.list(c, 'epc').map(trimmed);
    if (QUANTITY_LISTS.has(name)) return this.list(c, 'quantityElement').map((q) => this.quantity(q));
    switch (name) {
      case 'bizStep':
        return bare(c.text, 'bizstep');
      case 'disposition':
        return bare(c.text, 'disp');
      case 'readPoint':
      case 'bizLocation':
        return this.place(c);
      case 'bizTransactionList':
        return this.list(c, 'bizTransaction').map((b) => this.typed(b, 'bizTransaction', 'btt'));
      case 'sourceList':
        return this.list(c, 'source').map((x) => this.typed(x, 'source', 'sdt'));
      case 'destinationList':
        return this.list(c, 'destination').map((x) => this.typed(x, 'destination', 'sdt'));
      case 'sensorElementList':
        return this.list(c, 'sensorElement').map((x) => this.sensorElement(x));
      case 'persistentDisposition':
        return this.persistentDisposition(c);
      case 'ilmd':
        return this.extensionsOnly(c);
      case 'errorDeclaration':
        return this.errorDeclaration(c);
      default:
        throw refusal(`unknown element ${name} in ${event.local}: a field of the standard's, or an extension in a namespace of its own`, c);
    }
  }

  private set(out: Json, at: XmlElement, value: unknown): void {
    const name = at.local;
    if (name in out) throw refusal(`${name} may appear once`, at);
    out[name] = value;
  }

  /** Sets `out[name]`; a name given again makes an array of its values, in document order (a value is never an array itself). */
  private addRepeatable(out: Json, name: string, value: unknown): void {
    const known = out[name];
    if (known === undefined) out[name] = value;
    else if (Array.isArray(known)) known.push(value);
    else out[name] = [known, value];
  }

  /** The children of a list element, each of which must be a `item`. */
  private list(list: XmlElement, item: string): XmlElement[] {
    if (trimmed(list) !== '') throw refusal(`${list.local} holds ${item} elements, not text`, list);
    for (const c of list.children) if (c.uri !== '' || c.local !== item) throw refusal(`${list.local} holds ${item} elements only, not ${c.local}`, c);
    return list.children;
  }

  private quantity(q: XmlElement): Json {
    const out: Json = {};
    for (const c of q.children) {
      if (c.uri !== '') this.addExtension(out, c);
      else if (c.local === 'epcClass' || c.local === 'uom') this.set(out, c, trimmed(c));
      else if (c.local === 'quantity') {
        if (c.attributes.some((a) => a.uri === XSI_NS && a.local === 'nil' && a.value.trim() === 'true')) continue;
        this.set(out, c, numeric(c.text));
      } else throw refusal(`unknown element ${c.local} in quantityElement`, c);
    }
    return out;
  }

  private place(p: XmlElement): Json {
    const out: Json = {};
    this.standardChildren(p, out, (c) => {
      if (c.local !== 'id') throw refusal(`unknown element ${c.local} in ${p.local}`, c);
      this.set(out, c, trimmed(c));
    });
    return out;
  }

  /** `<bizTransaction type="…">…</bizTransaction>` as `{ type, bizTransaction }`. */
  private typed(e: XmlElement, name: string, vocabulary: 'btt' | 'sdt'): Json {
    const type = attribute(e, 'type');
    return { ...(type !== undefined ? { type: bare(type, vocabulary) } : {}), [name]: trimmed(e) };
  }

  private sensorElement(s: XmlElement): Json {
    const out: Json = {};
    const reports: Json[] = [];
    this.standardChildren(s, out, (c) => {
      if (c.local === 'sensorMetadata') this.set(out, c, this.sensorAttributes(c));
      else if (c.local === 'sensorReport') reports.push(this.sensorAttributes(c));
      else throw refusal(`unknown element ${c.local} in sensorElement`, c);
    });
    out['sensorReport'] = reports;
    return out;
  }

  /** A sensorMetadata's or sensorReport's attributes, typed as the JSON schema types them. */
  private sensorAttributes(e: XmlElement): Json {
    if (trimmed(e) !== '' || e.children.length > 0) throw refusal(`${e.local} carries its data in attributes, not in content`, e);
    const out: Json = {};
    for (const a of e.attributes) {
      if (a.uri === XMLNS_NS || a.prefix === 'xmlns' || a.local === 'xmlns' || a.uri === XSI_NS) continue;
      if (a.uri !== '') out[this.key(a)] = a.value;
      else if (a.local === '__proto__') throw refusal(`${e.local} has no attribute __proto__`, e); // assigning it would drop it unseen
      else if (SENSOR_NUMBERS.has(a.local)) out[a.local] = numeric(a.value);
      else if (a.local === 'booleanValue') out[a.local] = booleanOf(a.value);
      else if (a.local === 'type' || a.local === 'exception') out[a.local] = gs1Term(a.value);
      else out[a.local] = a.value;
    }
    return out;
  }

  private persistentDisposition(p: XmlElement): Json {
    const out: { set?: string[]; unset?: string[] } = {};
    for (const c of p.children) {
      if (c.uri !== '' || (c.local !== 'set' && c.local !== 'unset')) throw refusal(`persistentDisposition holds set and unset only, not ${c.local}`, c);
      (out[c.local] ??= []).push(bare(c.text, 'disp'));
    }
    return out;
  }

  private errorDeclaration(d: XmlElement): Json {
    const out: Json = {};
    this.standardChildren(d, out, (c) => {
      if (c.local === 'declarationTime') this.set(out, c, trimmed(c));
      else if (c.local === 'reason') this.set(out, c, bare(c.text, 'er'));
      else if (c.local === 'correctiveEventIDs') this.set(out, c, this.list(c, 'correctiveEventID').map(trimmed));
      else throw refusal(`unknown element ${c.local} in errorDeclaration`, c);
    });
    return out;
  }

  /** An element whose children are all extensions (ilmd), 1.x wrappers unwrapped. */
  private extensionsOnly(e: XmlElement): Json {
    const out: Json = {};
    this.standardChildren(e, out, (c) => {
      throw refusal(`${c.local} in ${e.local} needs a namespace of its own`, c);
    });
    return out;
  }

  /** Adds a user extension element under its `prefix:name`; a repeated name becomes an array. */
  private addExtension(out: Json, e: XmlElement): void {
    this.addRepeatable(out, this.key(e), this.extensionValue(e));
  }

  /**
   * A master data attribute's value: its text, or an object of its child elements — each of a
   * namespace as a user extension, an unqualified one under its own name. The attribute
   * element's `id` is the attribute's name, not part of its value.
   */
  private attributeValue(a: XmlElement): unknown {
    if (a.children.length === 0) return trimmed(a);
    if (trimmed(a) !== '') throw refusal(`${a.local} mixes text and elements, which the JSON binding has no form for`, a);
    const out: Json = {};
    for (const c of a.children) {
      if (c.uri !== '') this.addExtension(out, c);
      else this.addRepeatable(out, c.local, this.attributeValue(c));
    }
    return out;
  }

  private extensionValue(e: XmlElement): unknown {
    if (e.children.length > 0) return this.extensionObject(e);
    const text = trimmed(e);
    // attributes beside text have no JSON form: the text is the value, as GS1's paired examples
    // write `<cbvmda:netWeight measurementUnitCode="KGM">3.5</…>` ("cbvmda:netWeight": "3.5")
    if (text === '' && this.dataAttributes(e).length > 0) return this.extensionObject(e);
    if (e.attributes.some((a) => a.uri === XSI_NS && a.local === 'nil' && a.value.trim() === 'true')) return null;
    return text;
  }

  private extensionObject(e: XmlElement): Json {
    if (trimmed(e) !== '' && e.children.length > 0) throw refusal(`the extension element ${e.local} mixes text and elements, which the JSON binding has no form for`, e);
    const out: Json = {};
    for (const a of this.dataAttributes(e)) out[a.uri !== '' ? this.key(a) : this.key({ uri: e.uri, local: a.local, prefix: e.prefix })] = a.value;
    for (const c of e.children) {
      if (c.uri === '') {
        // an unqualified child of an extension: its name is the extension's own
        this.addExtension(out, { ...c, uri: e.uri, prefix: e.prefix } as XmlElement);
      } else this.addExtension(out, c);
    }
    return out;
  }

  /** An element's attributes that carry data (not namespace declarations or type annotations). */
  private dataAttributes(e: XmlElement): XmlElement['attributes'] {
    return e.attributes.filter((a) => a.uri !== XMLNS_NS && a.prefix !== 'xmlns' && a.local !== 'xmlns' && a.uri !== XSI_NS);
  }
}

/**
 * An EPCIS document in the XML binding (EPCIS 2.0 or 1.x; an EPCISDocument or an
 * EPCISQueryDocument's results) as an EPCISDocument of the JSON binding.
 *
 * @throws ZfcError INVALID_ARGUMENT, naming the element (path, line, column), for XML that is not
 *   well-formed, too deep, of another root, or with a field the standard does not have.
 * @example
 * const doc = epcisDocumentFromXml(await readText(ctx)); // then validateEpcisDocument(doc)
 */
export function epcisDocumentFromXml(text: string): Json {
  return new Converter().document(parse(text));
}

/**
 * One EPCIS event in the XML binding — a bare event element, or a document holding exactly one —
 * as an event of the JSON binding (with the @context its extensions need).
 */
export function epcisEventFromXml(text: string): Json {
  return new Converter().singleEvent(parse(text));
}

/** True for a media type of the XML binding (`application/xml`, `text/xml`, `application/…+xml`). */
export function isXmlMediaType(contentType: string): boolean {
  return /^(application|text)\/([a-z0-9.+-]*\+)?xml\s*(;|$)/i.test(contentType.trim());
}
