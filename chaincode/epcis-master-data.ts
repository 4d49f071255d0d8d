/**
 * EPCIS master data (EPCIS 2.0 §6.5, §8.2.7.1): what a capture's header declares about the
 * identifiers its events name — a business location's or a read point's name and address
 * (attributes), and the sub-locations it contains (children). The REST binding: "EPCIS master
 * data can be captured in the header (`epcisHeader`) of an EPCISDocument"; queries then ask for
 * events at a location "or a direct or indirect descendant" of it (`WD_bizLocation`,
 * `WD_readPoint`) and by attribute (`HASATTR_`, `EQ_ATTR_`).
 *
 * Each vocabulary element is recorded per declaring participant, under `epcis.v|{hash of type and
 * id}|{participant}`: a participant's later declaration of the same element replaces its own
 * earlier one (the ledger keeps both), never another's. Which declarations a query believes is
 * the query side's rule ({@link MasterDataView}): on a permissioned ledger, a participant must not
 * be able to put its own location "inside" another's site and so into the answers about it.
 * Identifiers (the element's and its children) are kept canonical, as events' are, so a URN
 * declaration describes the Digital Link an event names and the other way round.
 *
 * The rule is kept here once, {@link LocationMasterData}: the gateway's event store keeps one
 * built from the records as it follows the ledger, and the contract's QueryEvents builds one from
 * world state ({@link ledgerMasterData}), so both answer WD_ and the ATTR_ parameters alike.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';
import { canonicalIdentifier } from './epcis-identifiers';
import { ZfcError } from './errors';
import { participantsWithGln } from './participant';
import { sha256Hex } from './sha256';
import type { Tx } from './tx';

type Stub = Context['stub'];
type Json = Readonly<Record<string, unknown>>;

/** The vocabularies of locations (EPCIS 2.0 §7.3.4, §7.3.5): what WD_ and the ATTR_ parameters read. */
export const LOCATION_VOCABULARIES = {
  readPoint: 'urn:epcglobal:epcis:vtype:ReadPoint',
  bizLocation: 'urn:epcglobal:epcis:vtype:BusinessLocation',
} as const;

/** The event fields whose values master data describes here. */
export type LocationField = keyof typeof LOCATION_VOCABULARIES;

/** Vocabulary elements one document may declare (as many as it may carry events). */
export const MAX_MASTER_DATA_ELEMENTS = 10_000;

/** One attribute of a vocabulary element: its name (a URI) and value, as declared. */
export interface MasterDataAttribute {
  readonly id: string;
  readonly attribute?: unknown;
}

/** A vocabulary element as declared in a header, its identifiers canonical. */
export interface MasterDataElement {
  readonly type: string;
  readonly id: string;
  readonly attributes?: readonly MasterDataAttribute[];
  readonly children?: readonly string[];
}

/** A vocabulary element as recorded: who declared it, in which transaction, when. */
export interface MasterDataRecord extends MasterDataElement {
  readonly declaredBy: string;
  readonly txId: string;
  readonly recordTime: string;
}

const PREFIX = 'epcis.v|';
/** Just past every master data key (`|` + 1). */
const PREFIX_END = 'epcis.v}';

/** True for the key of a master data record. */
export const isMasterDataKey = (key: string): boolean => key.startsWith(PREFIX);

/** The key of a participant's declaration of an element. */
export function masterDataKey(type: string, id: string, declaredBy: string): string {
  return `${PREFIX}${sha256Hex(`${type}\n${id}`)}|${declaredBy}`;
}

/** The JSON pointer of the `j`th element of the `i`th vocabulary of a document's header. */
const elementPointer = (i: number, j: number): string => `/epcisHeader/epcisMasterData/vocabularyList/${i}/vocabularyElementList/${j}`;

/**
 * The vocabulary elements a (schema-validated) document's header declares, identifiers
 * canonical, in document order.
 *
 * @throws ZfcError INVALID_ARGUMENT (with `details.errors[].path`) for a malformed GS1 identifier,
 *   an element declared twice, or more than {@link MAX_MASTER_DATA_ELEMENTS} elements.
 */
export function headerElements(document: Json): MasterDataElement[] {
  const header = document['epcisHeader'] as Json | undefined;
  const lists = ((header?.['epcisMasterData'] as Json | undefined)?.['vocabularyList'] ?? []) as Json[];
  const out: MasterDataElement[] = [];
  const seen = new Set<string>();
  lists.forEach((vocabulary, i) => {
    const type = vocabulary['type'] as string;
    ((vocabulary['vocabularyElementList'] ?? []) as Json[]).forEach((element, j) => {
      const at = elementPointer(i, j);
      if (out.length === MAX_MASTER_DATA_ELEMENTS) {
        throw new ZfcError('INVALID_ARGUMENT', `the header declares more than ${MAX_MASTER_DATA_ELEMENTS} vocabulary elements`, { errors: [{ path: at, message: `is beyond the ${MAX_MASTER_DATA_ELEMENTS} elements one document may declare` }] });
      }
      const id = canonicalIdentifier(element['id'] as string, `${at}/id`);
      const key = `${type}\n${id}`;
      if (seen.has(key)) {
        throw new ZfcError('INVALID_ARGUMENT', `${at}: ${id} is declared twice in vocabulary ${type}`, { errors: [{ path: `${at}/id`, message: 'declares an element this document already declared' }] });
      }
      seen.add(key);
      const attributes = element['attributes'] as MasterDataAttribute[] | undefined;
      const children = (element['children'] as string[] | undefined)?.map((c, k) => canonicalIdentifier(c, `${at}/children/${k}`));
      out.push({ type, id, ...(attributes ? { attributes: attributes.map((a) => ({ id: a.id, ...(a.attribute !== undefined ? { attribute: a.attribute } : {}) })) } : {}), ...(children ? { children: [...new Set(children)] } : {}) });
    });
  });
  return out;
}

/** Records each element as `declaredBy`'s declaration (replacing its own earlier one). */
export async function writeMasterData(stub: Stub, elements: readonly MasterDataElement[], declaredBy: string, txId: string, recordTime: string): Promise<void> {
  for (const e of elements) {
    const record: MasterDataRecord = { ...e, declaredBy, txId, recordTime };
    await stub.putState(masterDataKey(e.type, e.id, declaredBy), Buffer.from(canonicalJson(record), 'utf8'));
  }
}

/**
 * What a query believes of master data. A location's children and attributes are the ones its
 * owner declared — the participant whose GLN the location carries — and, for a location of no
 * participant's GLN, the ones the event's own recorder declared: so no participant can place its
 * locations inside another's site, nor name another's dock door, in another's answers.
 */
export interface MasterDataView {
  /** Whether `id` is one of `roots` or a direct or indirect descendant of one, for an event `recorder` recorded. */
  within(field: LocationField, id: string, roots: readonly string[], recorder: string): boolean;
  /** The attribute `name` of location `id` (a list of values; empty when declared without one), or undefined when undeclared. */
  attribute(field: LocationField, id: string, name: string, recorder: string): readonly unknown[] | undefined;
}

/** A canonical location that is a GLN (with or without an extension), and that GLN. */
const LOCATION_GLN = /^https:\/\/id\.gs1\.org\/414\/(\d{13})(?:\/254\/[^/]+)?$/;

/** The GLN a canonical location carries, if it is one: its owner is the participant registered with it. */
export function locationGln(location: string): string | undefined {
  return LOCATION_GLN.exec(location)?.[1];
}

/** Ancestors a descendant test walks through at most (a hierarchy deeper or wider than this is cut there). */
const MAX_WALK = 10_000;

/** A declaration as kept: its children as a set. */
interface Kept {
  readonly record: MasterDataRecord;
  readonly children: ReadonlySet<string>;
}

const FIELD_OF: Readonly<Record<string, LocationField>> = {
  [LOCATION_VOCABULARIES.readPoint]: 'readPoint',
  [LOCATION_VOCABULARIES.bizLocation]: 'bizLocation',
};

/**
 * Location master data in memory, and what queries believe of it: a location's children and
 * attributes as its owner declared them — the participant registered with the GLN the location
 * carries — or, for a location of no participant's GLN, as the recorder of the event being
 * matched declared them. Another participant's declarations about a location are kept but never
 * change an answer: no one can put a site of its own inside another's, or rename another's dock
 * door.
 *
 * @example
 * const md = new LocationMasterData((location) => participantWithGlnOf(location));
 * md.apply(record); // each MasterDataRecord a capture wrote
 * matchesPlan(event, plan, md);
 */
export class LocationMasterData implements MasterDataView {
  /** Per field: location → declarer → its declaration. */
  private readonly declared: Record<LocationField, Map<string, Map<string, Kept>>> = { readPoint: new Map(), bizLocation: new Map() };
  /** Per field: location → every location some declaration names it a child of (checked against what is believed when walked). */
  private readonly parents: Record<LocationField, Map<string, Set<string>>> = { readPoint: new Map(), bizLocation: new Map() };

  /** `ownerOf(location)`: the participant registered with the location's GLN, if any. */
  constructor(private readonly ownerOf: (location: string) => string | undefined) {}

  /** Keeps a declaration (a participant's later one of the same element replaces its earlier one). Other vocabularies are left out. */
  apply(record: MasterDataRecord): void {
    const field = FIELD_OF[record.type];
    if (!field) return;
    let byDeclarer = this.declared[field].get(record.id);
    if (!byDeclarer) this.declared[field].set(record.id, (byDeclarer = new Map()));
    byDeclarer.set(record.declaredBy, { record, children: new Set(record.children ?? []) });
    for (const child of record.children ?? []) {
      let set = this.parents[field].get(child);
      if (!set) this.parents[field].set(child, (set = new Set()));
      set.add(record.id);
    }
  }

  /** The declaration of a location that binds an event `recorder` recorded: its owner's, else (no owner) the recorder's own. */
  private believed(field: LocationField, id: string, recorder: string): Kept | undefined {
    const byDeclarer = this.declared[field].get(id);
    if (!byDeclarer) return undefined;
    const owner = this.ownerOf(id);
    return byDeclarer.get(owner ?? recorder);
  }

  within(field: LocationField, id: string, roots: readonly string[], recorder: string): boolean {
    if (roots.includes(id)) return true;
    const seen = new Set<string>([id]);
    let frontier = [id];
    while (frontier.length > 0 && seen.size < MAX_WALK) {
      const next: string[] = [];
      for (const child of frontier) {
        for (const parent of this.parents[field].get(child) ?? []) {
          if (seen.has(parent) || !this.believed(field, parent, recorder)?.children.has(child)) continue;
          if (roots.includes(parent)) return true;
          seen.add(parent);
          next.push(parent);
        }
      }
      frontier = next;
    }
    return false;
  }

  attribute(field: LocationField, id: string, name: string, recorder: string): readonly unknown[] | undefined {
    const attributes = this.believed(field, id, recorder)?.record.attributes?.filter((a) => a.id === name);
    return attributes && attributes.length > 0 ? attributes.map((a) => a.attribute) : undefined;
  }
}

/**
 * The location master data in world state, as a query believes it: every declaration of a read
 * point or business location, each declared location that carries a GLN owned by the participant
 * registered with that GLN. Reads every declaration once (a query with master data conditions
 * pays for them; others never call this).
 */
export async function ledgerMasterData(tx: Tx): Promise<LocationMasterData> {
  const records: MasterDataRecord[] = [];
  const iterator = await tx.stub.getStateByRange(PREFIX, PREFIX_END);
  try {
    for (;;) {
      const res = await iterator.next();
      if (res.value) records.push(JSON.parse(Buffer.from(res.value.value).toString('utf8')) as MasterDataRecord);
      if (res.done) break;
    }
  } finally {
    await iterator.close();
  }
  const ownerOfGln = new Map<string, string | undefined>();
  for (const r of records) {
    const gln = locationGln(r.id);
    if (gln !== undefined && !ownerOfGln.has(gln)) ownerOfGln.set(gln, (await participantsWithGln(tx, gln))[0]);
  }
  const md = new LocationMasterData((location) => ownerOfGln.get(locationGln(location) ?? ''));
  for (const r of records) md.apply(r);
  return md;
}
