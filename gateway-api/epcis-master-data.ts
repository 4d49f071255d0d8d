/**
 * The master data of locations that the gateway's EPCIS event store keeps (read points and
 * business locations, from captures' headers: chaincode/epcis-master-data.ts), and what its
 * queries believe of it: a location's children and attributes as its owner declared them — the
 * participant registered with the GLN the location carries — or, for a location of no
 * participant's GLN, as the recorder of the event being matched declared them. Another
 * participant's declarations about a location are kept on the ledger but never change an
 * answer: no one can put a site of its own inside another's, or rename another's dock door.
 */
import { LOCATION_VOCABULARIES, type LocationField, type MasterDataRecord, type MasterDataView } from '../chaincode/epcis-master-data';

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
 * Location master data in memory, rebuilt from the ledger with the event store.
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
