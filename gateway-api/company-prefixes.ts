/**
 * GS1 company prefix lengths, which writing an identifier as an EPC URN needs
 * (`GS1-EPC-Format: Always_EPC_URN`) and a Digital Link does not carry: the URN puts a dot after
 * the company prefix (`urn:epc:id:sgtin:0614141.107346.2017`), and the prefix's length is GS1's
 * allocation, not something the digits say.
 *
 * Two sources, the operator's first:
 * - GS1's company prefix table (EPCIS_GCP_TABLE: GS1's `gcpprefixformatlist.xml` or `.json`, whose
 *   entries are a prefix and a length, or a JSON object of prefix → length): the longest entry
 *   that begins a key's digits gives its prefix length;
 * - the identifiers captured as URNs: each says where its company prefix ends, and is taken for
 *   every key that begins with that prefix (a company's Digital Links are written as URNs once
 *   any of its identifiers arrived as one). A URN split elsewhere than GS1 allocated still names
 *   the same key, so a wrong one changes how an answer is written, never what it names; the
 *   operator's table, when it has an entry, is believed over it.
 * An identifier of neither is refused (406 NOT_ACCEPTABLE, naming it): a URN guessed at could be
 * a wrong one.
 */
import { companyPrefixDigits, toEpcUrn, tryParseIdentifier } from '../chaincode/digital-link';
import { ZfcError } from '../chaincode/errors';

/** A company prefix is 6 to 12 digits. */
const MIN_PREFIX = 6;
const MAX_PREFIX = 12;

/** An EPC URN's company prefix (pure identity, class and pattern URNs; tag URIs carry a filter first). */
const URN_PREFIX = /^urn:epc:(?:id|class|idpat):[a-z]+:(\d{6,12})\./i;

/** Entries of GS1's table: `<entry prefix="0614141" gcpLength="7"/>` (attributes in either order). */
const XML_ENTRY = /<entry\b([^>]*)\/?>/g;

/** Most entries a table may hold (GS1's own holds a few tens of thousands). */
const MAX_TABLE_ENTRIES = 1_000_000;

/**
 * GS1's company prefix table as a map of prefix → company prefix length: from its XML
 * (`<entry prefix="…" gcpLength="…"/>`), its JSON (`{"GCPPrefixFormatList": {"entry": [{"prefix",
 * "gcpLength"}, …]}}`) or a plain JSON object of prefix → length. A length below 6 marks a range
 * that holds no company prefix (GS1's restricted and unassigned ranges): a key there has no URN.
 * `source` names the file in errors.
 *
 * @throws ZfcError INVALID_ARGUMENT for a table that holds no entry or a malformed one.
 */
export function parsePrefixTable(text: string, source: string): Map<string, number> {
  const table = new Map<string, number>();
  const add = (prefix: unknown, length: unknown, where: string): void => {
    const n = typeof length === 'string' && /^\d{1,2}$/.test(length) ? Number(length) : length;
    if (typeof prefix !== 'string' || !/^\d{1,12}$/.test(prefix) || typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_PREFIX) {
      throw new ZfcError('INVALID_ARGUMENT', `${source}: ${where} is not a prefix of 1-12 digits with a company prefix length of 0-${MAX_PREFIX}`, { source, entry: where });
    }
    if (table.size >= MAX_TABLE_ENTRIES) throw new ZfcError('INVALID_ARGUMENT', `${source}: more than ${MAX_TABLE_ENTRIES} entries`, { source });
    table.set(prefix, n);
  };
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new ZfcError('INVALID_ARGUMENT', `${source}: not JSON: ${(err as Error).message}`, { source });
    }
    const list = (parsed as { GCPPrefixFormatList?: { entry?: unknown } }).GCPPrefixFormatList;
    if (list !== undefined) {
      const entries = Array.isArray(list?.entry) ? (list.entry as unknown[]) : [];
      for (const e of entries) {
        const entry = (e ?? {}) as Record<string, unknown>;
        add(entry['prefix'], entry['gcpLength'], JSON.stringify(e).slice(0, 120));
      }
    } else {
      for (const [prefix, length] of Object.entries(parsed as Record<string, unknown>)) add(prefix, length, JSON.stringify({ [prefix]: length }));
    }
  } else {
    for (const m of trimmed.matchAll(XML_ENTRY)) {
      const attrs = m[1] ?? '';
      add(/\bprefix="([^"]*)"/.exec(attrs)?.[1], /\bgcpLength="([^"]*)"/.exec(attrs)?.[1], m[0].slice(0, 120));
    }
  }
  if (table.size === 0) throw new ZfcError('INVALID_ARGUMENT', `${source}: no entry (GS1's <entry prefix="…" gcpLength="…"/>, its JSON, or a JSON object of prefix → length)`, { source });
  return table;
}

/** The company prefix lengths an answer in EPC URN form writes by. */
export class CompanyPrefixes {
  /** Company prefixes seen in captured URNs → their length. */
  private readonly learned = new Map<string, number>();

  /** `table`: the operator's (GS1's) prefix → length, believed first. */
  constructor(private readonly table: ReadonlyMap<string, number> = new Map()) {}

  /** Learns the company prefix of every EPC URN in a captured event (any field, any depth). */
  learnFrom(value: unknown): void {
    if (typeof value === 'string') {
      if (value.length > 20 && (value.charCodeAt(0) === 117 || value.charCodeAt(0) === 85)) this.learnUrn(value); // 'u' or 'U'
    } else if (Array.isArray(value)) {
      for (const v of value) this.learnFrom(v);
    } else if (value !== null && typeof value === 'object') {
      for (const k in value) this.learnFrom((value as Record<string, unknown>)[k]);
    }
  }

  private learnUrn(urn: string): void {
    const prefix = URN_PREFIX.exec(urn)?.[1];
    if (prefix !== undefined && !this.learned.has(prefix)) this.learned.set(prefix, prefix.length);
  }

  /** The company prefix length of a key's digits (from where its prefix starts), or undefined. */
  lengthOf(digits: string): number | undefined {
    for (let n = Math.min(MAX_PREFIX, digits.length); n >= 1; n--) {
      const length = this.table.get(digits.slice(0, n));
      if (length !== undefined) return length >= MIN_PREFIX ? length : undefined; // GS1's word: a range of no company prefix is not learnt over
    }
    for (let n = Math.min(MAX_PREFIX, digits.length); n >= MIN_PREFIX; n--) {
      const length = this.learned.get(digits.slice(0, n));
      if (length !== undefined) return length;
    }
    return undefined;
  }

  /**
   * A canonical identifier as an EPC URN; an identifier that is not a GS1 key with an EPC URN
   * form (a private URI, a consignment) as it is.
   *
   * @throws ZfcError NOT_ACCEPTABLE when its company prefix length is known from neither source.
   */
  urnOf(identifier: string): string {
    const urn = this.urnIfKnown(identifier);
    if (urn === undefined) {
      throw new ZfcError('NOT_ACCEPTABLE', `the company prefix length of ${identifier} is not known, so it cannot be written as an EPC URN: ask for Always_GS1_Digital_Link or Never_Translates (the gateway learns a company's prefix from any identifier captured as a URN, and reads GS1's table from EPCIS_GCP_TABLE)`, { header: 'GS1-EPC-Format', value: 'Always_EPC_URN', identifier });
    }
    return urn;
  }

  /**
   * Writes as {@link urnOf} does, but an identifier whose company prefix length is not known
   * stays as it is (its Digital Link) and is added to `unwritten`: for a subscription's
   * deliveries, which cannot be refused as an answer can, and must not be dropped.
   */
  orAsGiven(unwritten: Set<string>): UrnWriter {
    return {
      urnOf: (identifier) => {
        const urn = this.urnIfKnown(identifier);
        if (urn !== undefined) return urn;
        unwritten.add(identifier);
        return identifier;
      },
    };
  }

  /** {@link urnOf}'s answer, or undefined where it would refuse. */
  private urnIfKnown(identifier: string): string | undefined {
    if (!identifier.startsWith('https://id.gs1.org/')) return identifier;
    const parsed = tryParseIdentifier(identifier);
    const digits = parsed && companyPrefixDigits(parsed);
    if (digits === undefined) return identifier; // not a GS1 key, or a kind with no EPC URN
    const length = this.lengthOf(digits);
    return length === undefined ? undefined : toEpcUrn(identifier, length);
  }
}

/** What writes an answer's identifiers as EPC URNs: {@link CompanyPrefixes} (refusing the unknown), or {@link CompanyPrefixes.orAsGiven}. */
export interface UrnWriter {
  urnOf(identifier: string): string;
}
