/**
 * Who may read whose EPCIS events: a participant reads its own events and those one step up and
 * down its chain; a regulator reads all, and everyone reads a regulator's.
 *
 * A step is the recorder's own word: a recorder's events may be read by every participant its
 * events name as a source or destination party (by the party's GLN, as `417` or `414`), because
 * naming them says they are its trading partners. Naming a party gives that party the namer's
 * events, never the namer the party's: otherwise anyone could read a participant's every event
 * by capturing one event that names it. Partners that trade both ways name each other (a
 * shipping event names the recipient, the receiving event the sender), so each reads the other's.
 *
 * The rule lives here, once. The contract keeps each step as a grant in world state (written by
 * captures and by the native transactions whose events name parties, Ship and Receive) and
 * answers epcis:GetEvent and epcis:QueryEvents by it; the gateway's projection keeps the same
 * grants in memory as it follows the ledger, and answers the standard's queries by the same
 * {@link mayRead}.
 */
import type { EventIdentifiers } from './epcis-identifiers';
import { KEY } from './keys';
import { participantsWithGln } from './participant';
import type { Participant } from './records';
import type { Tx } from './tx';

/** What {@link mayRead} needs to know of two participants. */
export interface ReadFacts {
  /** The participant's role, if registered. */
  roleOf(id: string): string | undefined;
  /** Whether `recorder`'s events named `reader` as a trading party. */
  granted(recorder: string, reader: string): boolean;
}

/** Whether `viewer` may read the events `recorder` recorded. */
export function mayRead(recorder: string, viewer: string, facts: ReadFacts): boolean {
  if (recorder === viewer) return true;
  if (facts.roleOf(viewer) === 'regulator' || facts.roleOf(recorder) === 'regulator') return true;
  return facts.granted(recorder, viewer);
}

/** A canonical party or location URI of a GLN alone (no extension). */
const PARTY = /^https:\/\/id\.gs1\.org\/41[47]\/(\d{13})$/;

/**
 * The GLN of a (canonical) source or destination that names a party by it: a party
 * (`https://id.gs1.org/417/{gln}`) or a location without extension (`…/414/{gln}`), the two
 * forms the ledger's own shipping and receiving events write. Anything else names no participant.
 */
export function namedGln(uri: string): string | undefined {
  return PARTY.exec(uri)?.[1];
}

/** Every GLN the events name as a source or destination party, once each. */
export function namedGlns(events: readonly Pick<EventIdentifiers, 'sources' | 'destinations'>[]): Set<string> {
  const glns = new Set<string>();
  for (const ids of events) {
    for (const uri of ids.sources) addGln(glns, uri);
    for (const uri of ids.destinations) addGln(glns, uri);
  }
  return glns;
}

function addGln(glns: Set<string>, uri: string): void {
  const gln = namedGln(uri);
  if (gln !== undefined) glns.add(gln);
}

/**
 * Records that the participants `events` name as parties (registered ones, other than the
 * recorder) may read `recorder`'s events. A grant already recorded is not written again.
 */
export async function grantNamedReaders(tx: Tx, recorder: string, events: readonly Pick<EventIdentifiers, 'sources' | 'destinations'>[]): Promise<void> {
  if (recorder === '') return;
  for (const gln of namedGlns(events)) {
    const [reader] = await participantsWithGln(tx, gln);
    if (reader === undefined || reader === recorder) continue;
    if (!(await tx.get(KEY.readGrant, [recorder, reader]))) await tx.put(KEY.readGrant, [recorder, reader], { since: tx.txId });
  }
}

/** The rule answered from world state for one caller: each recorder's answer read once. */
export class LedgerReadAccess {
  private readonly answers = new Map<string, Promise<boolean>>();

  constructor(private readonly tx: Tx, private readonly viewer: Participant) {}

  /** Whether the caller may read the events `recorder` recorded. */
  mayRead(recorder: string): Promise<boolean> {
    let answer = this.answers.get(recorder);
    if (!answer) this.answers.set(recorder, (answer = this.read(recorder)));
    return answer;
  }

  private async read(recorder: string): Promise<boolean> {
    const viewer = this.viewer;
    // what the caller's own record decides (its own events, a regulator's reading) needs no read
    if (mayRead(recorder, viewer.id, { roleOf: (id) => (id === viewer.id ? viewer.role : undefined), granted: () => false })) return true;
    const [owner, grant] = await Promise.all([this.tx.get<Participant>(KEY.participant, [recorder]), this.tx.get(KEY.readGrant, [recorder, viewer.id])]);
    return mayRead(recorder, viewer.id, { roleOf: (id) => (id === viewer.id ? viewer.role : owner?.role), granted: () => grant !== undefined });
  }
}
