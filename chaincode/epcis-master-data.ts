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
 */
import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';
import { canonicalIdentifier } from './epcis-identifiers';
import { ZfcError } from './errors';
import { sha256Hex } from './sha256';

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
