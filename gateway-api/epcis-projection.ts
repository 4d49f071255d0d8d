/**
 * An EventStore answered from a projection of the ledger's chaincode events, so the query
 * interface serves every EPCIS event on the ledger: those the main contract records with each
 * transaction (in its envelopes' `epcis` lists) and those captured through the `epcis` contract
 * (`EpcisCaptured`). Captures still go through the ledger; reads come from memory.
 *
 * Derived, like the trace index: it is rebuilt from the ledger's events on start, and deleting
 * it loses nothing. Each applied event is also offered to listeners (subscriptions).
 *
 * Access (when a viewer is given): a regulator reads every event; a participant reads the events
 * it recorded or captured, those of its direct trading partners — participants that named it,
 * or that it named, as a source or destination (one step up and down its chain) — and those
 * recorded by regulators (holds and recalls are public).
 */
import type { AnyEventEnvelope } from '../chaincode/events';
import { mayRead, namedGlns, type ReadFacts } from '../chaincode/epcis-access';
import { CaptureWritesMissingError, type CaptureErrorBehaviour } from '../chaincode/epcis-capture';
import { canonicalTime } from '../chaincode/epcis-event-hash';
import { eventIdentifiers, type EventIdentifiers } from '../chaincode/epcis-identifiers';
import type { CaptureResult, EventPage, StoredEpcisEvent } from '../chaincode/epcis-ledger';
import { LocationMasterData, locationGln, type MasterDataRecord } from '../chaincode/epcis-master-data';
import { compareOrderValues, matchesPlan, orderValue, type EpcisQueryPlan, type OrderValue } from '../chaincode/epcis-match';
import type { EpcisDocument } from '../chaincode/epcis-validate';
import { ZfcError } from '../chaincode/errors';
import type { Checkpoint, Identity, Ledger, LedgerEvent } from '../ledger-tools/ledger';
import { CompanyPrefixes } from './company-prefixes';
import { ChunkedSortedList } from './chunked-sorted-list';
import type { EventOrder } from './epcis-query';
import { captureFunction, documentText, type EventStore, type MemberKind, type MemberPage } from './epcis-store';
import { decodedPayload } from './ledger-payload';
import type { RecordedSince } from './epcis-subscriptions';
import { forgedToken, PageTokens } from './page-tokens';
import { flat, StringPool } from './string-pool';
import { submitRetrying } from './submit-retrying';

/** Called with each event the projection applies, in ledger order. */
export type EpcisListener = (event: StoredEpcisEvent) => void;

const orderOfEvents = (a: StoredEpcisEvent, b: StoredEpcisEvent): number =>
  a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.eventID < b.eventID ? -1 : a.eventID > b.eventID ? 1 : 0;

/** recordTime order (then eventID): the second order `orderBy` may ask for. */
const recordOrder = (a: StoredEpcisEvent, b: StoredEpcisEvent): number =>
  a.recordTime < b.recordTime ? -1 : a.recordTime > b.recordTime ? 1 : a.eventID < b.eventID ? -1 : a.eventID > b.eventID ? 1 : 0;

/** Events in {@link orderOfEvents}: inserts cost a binary search and a shift within one short chunk. */
type OrderedEvents = ChunkedSortedList<StoredEpcisEvent>;

const EMPTY: OrderedEvents = new ChunkedSortedList(orderOfEvents);

/** Events in {@link orderOfEvents}. */
function orderedOf(...events: StoredEpcisEvent[]): OrderedEvents {
  const list: OrderedEvents = new ChunkedSortedList(orderOfEvents);
  for (const e of events) list.insert(e);
  return list;
}

/** Every identifier and class an event names, in any role: the keys of the identifier index. */
export function identifiersOf(e: StoredEpcisEvent): Set<string> {
  const ids = e.ids;
  const out = new Set<string>();
  for (const list of [ids.epcList, ids.childEPCs, ids.inputEPCList, ids.outputEPCList, ids.epcClasses, ids.inputEPCClasses, ids.outputEPCClasses]) {
    for (const id of list) out.add(id);
  }
  if (ids.parentID) out.add(ids.parentID);
  return out;
}

/** The one exact identifier a plan requires, if any: its events are the only candidates. */
function drivingIdentifier(plan: EpcisQueryPlan): string | undefined {
  const lists = [plan.epcs, plan.anyEpcs, plan.parentIDs, plan.inputEpcs, plan.outputEpcs, plan.epcClasses, plan.inputEpcClasses, plan.outputEpcClasses, plan.anyEpcClasses];
  const single = lists.find((l) => l !== undefined && l.length === 1 && l[0]?.prefix === false);
  return single?.[0]?.value;
}

/** The stored form of an event a main-contract transaction recorded. */
function nativeEvent(event: Record<string, unknown>, e: LedgerEvent, caller: string): StoredEpcisEvent {
  return {
    eventID: String(event['eventID']),
    generatedID: false,
    recordTime: typeof event['recordTime'] === 'string' ? event['recordTime'] : e.timestamp,
    eventTime: canonicalTime(String(event['eventTime'])),
    capturedBy: caller,
    txId: e.txId,
    ids: eventIdentifiers(event),
    event,
  };
}

/**
 * The EPCIS events one ledger event carries (none for foreign events), and its envelope if
 * native. The payload is decoded once for every follower (ledger-payload.ts).
 */
export function epcisEventsOf(e: LedgerEvent): { events: readonly StoredEpcisEvent[]; envelope?: AnyEventEnvelope; masterData?: readonly MasterDataRecord[] } {
  const decoded = decodedPayload(e);
  if (decoded.kind === 'captured') {
    const { events, masterData } = decoded.captured.body;
    return { events, ...(masterData ? { masterData } : {}) };
  }
  if (decoded.kind === 'foreign' || decoded.envelope.type === 'EpcisCaptured') return { events: [] };
  const envelope = decoded.envelope;
  return { events: envelope.epcis.map((event) => nativeEvent(event as unknown as Record<string, unknown>, e, envelope.caller)), envelope };
}

/**
 * Gives `ids` the pool's string for each read point, business location and party it names (in
 * place: the same text): events name the same few over and over, and the projection keeps every
 * event's identifiers.
 */
function sharePlaces(ids: EventIdentifiers, pool: StringPool): void {
  const shared = ids as { readPoint?: string; bizLocation?: string; sources: readonly string[]; destinations: readonly string[] };
  if (ids.readPoint !== undefined) shared.readPoint = pool.of(ids.readPoint);
  if (ids.bizLocation !== undefined) shared.bizLocation = pool.of(ids.bizLocation);
  if (ids.sources.length > 0) shared.sources = ids.sources.map((p) => pool.of(p));
  if (ids.destinations.length > 0) shared.destinations = ids.destinations.map((p) => pool.of(p));
}

/** Fields of an event whose text events repeat: JSON.parse internalises no string longer than ten characters. */
const REPEATED_WORDS = ['type', 'bizStep', 'disposition'] as const;
const REPEATED_PLACES = ['readPoint', 'bizLocation'] as const;
const REPEATED_PARTIES = [['sourceList', 'source'], ['destinationList', 'destination']] as const;

/**
 * Gives the event's own texts that events repeat — its type, business step and disposition, its
 * read point and business location, the parties of its source and destination lists — the
 * pool's string (in place: the same text), as {@link sharePlaces} does for its identifiers:
 * JSON.parse makes a fresh copy of each in every event the projection keeps.
 */
function shareEventTexts(event: Record<string, unknown>, pool: StringPool): void {
  if (Object.isFrozen(event)) return;
  for (const k of REPEATED_WORDS) {
    const v = event[k];
    if (typeof v === 'string' && v.length > 10) event[k] = pool.of(v);
  }
  for (const k of REPEATED_PLACES) {
    const place = event[k] as Record<string, unknown> | undefined;
    if (place && typeof place === 'object' && typeof place['id'] === 'string' && !Object.isFrozen(place)) place['id'] = pool.of(place['id']);
  }
  for (const [k, field] of REPEATED_PARTIES) {
    const list = event[k];
    if (!Array.isArray(list)) continue;
    for (const party of list as unknown[]) {
      if (!party || typeof party !== 'object' || Object.isFrozen(party)) continue;
      const p = party as Record<string, unknown>;
      if (typeof p['type'] === 'string') p['type'] = pool.of(p['type']);
      if (typeof p[field] === 'string') p[field] = pool.of(p[field]);
    }
  }
}

/**
 * Who may read what, by the contract's rule (chaincode/epcis-access.ts), kept in memory as the
 * ledger is followed: participants' roles and GLNs, and whom each participant's own events name
 * as a trading party.
 */
class Access {
  private readonly roles = new Map<string, string>();
  private readonly byGln = new Map<string, string>();
  /** Recorder → the participants its events named as a party. */
  private readonly readers = new Map<string, Set<string>>();
  private readonly facts: ReadFacts = {
    roleOf: (id) => this.roles.get(id),
    granted: (recorder, reader) => this.readers.get(recorder)?.has(reader) ?? false,
  };

  learn(envelope: AnyEventEnvelope | undefined): void {
    if (!envelope) return;
    if (envelope.type !== 'ParticipantRegistered' && envelope.type !== 'ParticipantSuspended' && envelope.type !== 'ParticipantReinstated') return;
    const p = envelope.body.participant;
    this.roles.set(p.id, p.role);
    this.byGln.set(p.gln, p.id);
  }

  /** The participant registered with the GLN a (canonical) location carries, if any: whose master data describes it. */
  ownerOf(location: string): string | undefined {
    const gln = locationGln(location);
    return gln === undefined ? undefined : this.byGln.get(gln);
  }

  /** Lets every participant the event's sources and destinations name read its recorder's events. */
  link(e: StoredEpcisEvent): void {
    if (e.ids.sources.length === 0 && e.ids.destinations.length === 0) return;
    for (const gln of namedGlns([e.ids])) {
      const party = this.byGln.get(gln);
      if (!party || party === e.capturedBy) continue;
      let set = this.readers.get(e.capturedBy);
      if (!set) this.readers.set(e.capturedBy, (set = new Set()));
      set.add(party);
    }
  }

  visible(e: StoredEpcisEvent, viewer: string | undefined): boolean {
    return this.mayRead(e.capturedBy, viewer);
  }

  /** Whether `viewer` may read what `recorder` recorded (the rule depends on nothing else); anyone, with no viewer. */
  mayRead(recorder: string, viewer: string | undefined): boolean {
    return viewer === undefined || mayRead(recorder, viewer, this.facts);
  }
}

/**
 * Every EPCIS event on a ledger, in memory, ordered by eventTime.
 *
 * @example
 * const store = await ProjectedEventStore.open(ledger);
 * const epcis = createEpcisRouter({ store, identityOf: gatewayCallerIdentity });
 * const page = await store.query(plan, '', identity);
 */
export class ProjectedEventStore implements EventStore {
  private readonly sorted: OrderedEvents = new ChunkedSortedList(orderOfEvents);
  /** The same events in {@link recordOrder}, for `orderBy=recordTime`. */
  private readonly byRecordTime: OrderedEvents = new ChunkedSortedList(recordOrder);
  private readonly byID = new Map<string, StoredEpcisEvent>();
  /**
   * Events by every canonical identifier they name, each list in {@link orderOfEvents}. An identifier
   * named by one event only (every serialised item's, until it moves again) maps to that event:
   * a list each would be most of the memory this index takes.
   */
  private readonly byIdentifier = new Map<string, OrderedEvents | StoredEpcisEvent>();
  /** The eventIDs each transaction recorded or captured, in order (trace exports look them up). */
  private readonly byTx = new Map<string, string[]>();
  /** Transactions of the `epcis` contract (captures), whose events need not share one subject. */
  private readonly capturedTx = new Set<string>();
  private readonly listeners = new Set<EpcisListener>();
  private readonly access = new Access();
  /** The master data of read points and business locations that captures declared, as queries believe it. */
  readonly masterData = new LocationMasterData((location) => this.access.ownerOf(location));
  private readonly places = new StringPool();
  /**
   * The identifiers the top-level resources list, each kind in the order first named: EPCs
   * (instances in any role; the index above holds their events, which the access rule reads),
   * and read points and business locations, with who recorded events there (there are few
   * places, and the access rule asks only who recorded).
   */
  private readonly firstNamed: Record<MemberKind, string[]> = { epcs: [], readPoints: [], bizLocations: [] };
  private readonly recordedAt: Record<'readPoints' | 'bizLocations', Map<string, Set<string>>> = { readPoints: new Map(), bizLocations: new Map() };
  /** Transactions applied lately (bounded), so a capture can wait for its own. */
  private readonly recent = new Set<string>();
  private readonly txWaiters = new Map<string, Array<() => void>>();
  /** The ledger position of the last event followed (applied, or skipped as unreadable). */
  private seenAt: Checkpoint | undefined;
  private readonly abort = new AbortController();
  private following: Promise<void> = Promise.resolve();

  private readonly tokens: PageTokens;
  private readonly scanLimit: number;
  private readonly fieldOrderLimit: number;

  private constructor(private readonly ledger: Ledger, private readonly contract: string, options: ProjectionOptions) {
    this.tokens = options.tokenKey ? new PageTokens(options.tokenKey, options.pageTokenLifetimeMs, options.clock) : PageTokens.ephemeral(options.pageTokenLifetimeMs, options.clock);
    this.scanLimit = options.scanLimit ?? QUERY_SCAN;
    this.fieldOrderLimit = options.fieldOrderLimit ?? FIELD_ORDER_SCAN;
    this.prefixTable = options.companyPrefixTable;
    this.room = options.room;
  }

  private readonly room: (() => boolean) | undefined;
  private stoppedError: ZfcError | undefined;

  /**
   * Why the store stopped following the ledger for lack of heap (EPCIS_STORE_FULL), naming the
   * first block it did not apply; undefined while it follows. Its answers would miss events from
   * there on, so the gateway stops serving /epcis; the rest of the gateway goes on.
   */
  get stopped(): ZfcError | undefined {
    return this.stoppedError;
  }

  /** GS1's company prefix table, if the operator gave one. */
  private readonly prefixTable: ReadonlyMap<string, number> | undefined;
  /** Made when an answer in EPC URN form is first asked for; from then on, each applied event teaches it its URNs' company prefixes. */
  private prefixes: CompanyPrefixes | undefined;

  /**
   * The company prefix lengths answers in EPC URN form are written by: the operator's table, and
   * those of every identifier captured as a URN. Made on the first call from every event applied
   * so far, so that a gateway never asked for URNs never looks.
   */
  companyPrefixes(): CompanyPrefixes {
    if (!this.prefixes) {
      this.prefixes = new CompanyPrefixes(this.prefixTable);
      for (const e of this.byID.values()) this.prefixes.learnFrom(e.event);
    }
    return this.prefixes;
  }

  /**
   * Settles once every block committed before the store started is applied (or the store stopped
   * or closed, or its ledger failed): until then answers would miss events the ledger holds.
   */
  ready: Promise<void> = Promise.resolve();
  /** Whether {@link ready} has settled. */
  isReady = false;

  /**
   * Opens the store, starts following the ledger from its first block, and resolves once the
   * blocks committed before the call are applied.
   */
  static async open(ledger: Ledger, options: ProjectionOptions = {}): Promise<ProjectedEventStore> {
    const store = ProjectedEventStore.start(ledger, options);
    await store.ready;
    return store;
  }

  /**
   * Starts the store following the ledger from its first block and returns it at once, still
   * catching up ({@link ready}): a gateway serves the rest of its API meanwhile.
   */
  static start(ledger: Ledger, options: ProjectionOptions = {}): ProjectedEventStore {
    const store = new ProjectedEventStore(ledger, options.contract ?? 'epcis', options);
    const height = ledger.height(); // asked before following starts, so it counts only blocks committed before
    store.following = store.follow().finally(() => {
      store.followed = true;
      store.progressed();
    });
    store.ready = store.catchUp(height);
    return store;
  }

  /** The last block whose every event was applied (the ledger says when a block ends: EventsOptions.onBlockEnd). */
  private endedBlock = -1;
  /** Whether following has ended: the store closed or stopped, or the ledger failed. */
  private followed = false;
  /** Wakes {@link catchUp} when a block ends or following ends. */
  private progressed: () => void = () => undefined;

  /**
   * Waits until every block below `height` has ended. Not on a quiet spell: reading back many
   * large blocks can pause longer than any spell, and a store ready too soon answers with events
   * missing (a restart of a gateway with 250,000 events was ready at 18,000).
   */
  private async catchUp(height: Promise<number>): Promise<void> {
    const last = (await height) - 1;
    while (this.endedBlock < last && !this.followed) await new Promise<void>((resolve) => (this.progressed = resolve));
    this.isReady = !this.closed;
  }

  /** The number of events held. */
  get size(): number {
    return this.byID.size;
  }

  /** Transactions someone is waiting to see applied ({@link applied}). */
  get awaitedTransactions(): number {
    return this.txWaiters.size;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** Stops following the ledger. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.following.catch(() => undefined);
  }

  /** Calls `listener` with every event applied from now on; returns the unsubscribe function. */
  listen(listener: EpcisListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once the transaction's chaincode event has been applied, or after `timeoutMs`
   * (the transaction is committed either way; only reading it back may lag).
   */
  applied(txId: string, timeoutMs = 30_000): Promise<void> {
    if (this.recent.has(txId) || this.stoppedError) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      // a waiter that times out leaves: a transaction never applied (another contract's, a
      // projection closed meanwhile) must not keep its waiters for the gateway's lifetime
      const timer = setTimeout(() => {
        const left = (this.txWaiters.get(txId) ?? []).filter((w) => w !== done);
        if (left.length > 0) this.txWaiters.set(txId, left);
        else this.txWaiters.delete(txId);
        resolve();
      }, timeoutMs);
      timer.unref();
      this.txWaiters.set(txId, [...(this.txWaiters.get(txId) ?? []), done]);
    });
  }

  private async follow(): Promise<void> {
    let block = -1;
    const onBlockEnd = (n: number): void => {
      this.endedBlock = n;
      this.progressed();
    };
    for await (const e of this.ledger.events({ signal: this.abort.signal, onBlockEnd })) {
      if (this.room) {
        if (e.blockNumber !== block) {
          // a turn of the event loop at each block: a ledger hands out many blocks' events at once,
          // and the heap figure `room` reads is taken after each full collection, in a later turn
          block = e.blockNumber;
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (!this.room()) {
          this.stop(e);
          return;
        }
      }
      try {
        const { events, envelope, masterData } = epcisEventsOf(e);
        this.access.learn(envelope);
        for (const record of masterData ?? []) this.masterData.apply(record);
        if (!envelope && events.length > 0) this.capturedTx.add(e.txId);
        for (const stored of events) this.apply(stored);
      } catch (err) {
        // an event this projection cannot read (a foreign or malformed payload) is skipped,
        // never allowed to stop the projection; a capture that came without its writes is a
        // ledger's bug, said out loud (the projection is rebuilt on every start)
        if (err instanceof CaptureWritesMissingError) process.stderr.write(`[epcis] projection skipped a capture: ${err.message}\n`);
      }
      this.seenAt = { blockNumber: e.blockNumber, txIndex: e.txIndex };
      this.recent.add(e.txId);
      if (this.recent.size > 10_000) this.recent.delete(this.recent.values().next().value as string);
      for (const resolve of this.txWaiters.get(e.txId) ?? []) resolve();
      this.txWaiters.delete(e.txId);
    }
  }

  /** Stops following before ledger event `e`, for lack of heap: says so, and lets every waiting capture go. */
  private stop(e: LedgerEvent): void {
    this.stoppedError = new ZfcError('EPCIS_STORE_FULL', `the EPCIS event store stopped at block ${e.blockNumber} with ${this.byID.size} events: the gateway's heap has no room for more (EPCIS_STORE_HEAP_LIMIT_MB); restart it with more heap (NODE_OPTIONS=--max-old-space-size=<MiB>)`, {
      events: this.byID.size,
      stoppedAtBlock: e.blockNumber,
    });
    process.stderr.write(`[epcis] ${this.stoppedError.text}; /epcis answers 503 EPCIS_STORE_FULL until then, the rest of the gateway goes on\n`);
    for (const waiters of this.txWaiters.values()) for (const resolve of waiters) resolve();
    this.txWaiters.clear();
  }

  private apply(stored: StoredEpcisEvent): void {
    const known = this.byID.get(stored.eventID);
    if (known) {
      if (stored.declaration && !known.declaration) this.replace(known, stored);
      return;
    }
    sharePlaces(stored.ids, this.places);
    shareEventTexts(stored.event as Record<string, unknown>, this.places);
    this.byID.set(stored.eventID, stored);
    this.prefixes?.learnFrom(stored.event);
    const ofTx = this.byTx.get(stored.txId);
    if (ofTx) ofTx.push(stored.eventID);
    else this.byTx.set(stored.txId, [stored.eventID]);
    this.sorted.insert(stored);
    this.byRecordTime.insert(stored);
    for (const id of identifiersOf(stored)) {
      flat(id); // kept for good, here and in the event's ids (the same string): built by concatenation, it would hold its parts
      const known = this.byIdentifier.get(id);
      if (known === undefined) {
        this.byIdentifier.set(id, stored);
        if (!isClass(id, stored.ids)) this.firstNamed.epcs.push(id);
      } else if (known instanceof ChunkedSortedList) known.insert(stored);
      else this.byIdentifier.set(id, orderedOf(known, stored));
    }
    this.recordAt('readPoints', stored.ids.readPoint, stored.capturedBy);
    this.recordAt('bizLocations', stored.ids.bizLocation, stored.capturedBy);
    this.access.link(stored);
    for (const l of this.listeners) l(stored);
  }

  private recordAt(kind: 'readPoints' | 'bizLocations', place: string | undefined, recorder: string): void {
    if (place === undefined) return;
    const recorders = this.recordedAt[kind].get(place);
    if (recorders) {
      recorders.add(recorder);
      return;
    }
    this.recordedAt[kind].set(place, new Set([recorder]));
    this.firstNamed[kind].push(place);
  }

  /**
   * One page of the identifiers of a kind, in the order first named, each named by an event
   * `viewer` may read. A page looks at no more than {@link MEMBER_SCAN} identifiers, so one that
   * `viewer` may read few of can be short (even empty) and still have a next page.
   */
  async members(kind: MemberKind, pageToken: string, perPage: number, viewer?: string): Promise<MemberPage> {
    const list = this.firstNamed[kind];
    const from = pageToken ? this.memberPosition(pageToken, kind, list.length) : 0;
    const end = Math.min(list.length, from + MEMBER_SCAN);
    const members: string[] = [];
    let i = from;
    for (; i < end && members.length < perPage; i++) {
      const id = list[i] as string;
      if (this.namedFor(kind, id, viewer)) members.push(id);
    }
    return { members, ...(i < list.length ? this.tokens.seal({ m: kind, p: i }) : { nextPageToken: '' }) };
  }

  /**
   * Where a member list's page token goes on: a sealed position in that list, or a token of the
   * plain form earlier versions issued (`kind:position`, base64url).
   */
  private memberPosition(token: string, kind: MemberKind, length: number): number {
    const sealed = this.tokens.open(token);
    if (sealed === undefined) return decodeMemberToken(token, kind, length);
    const position = sealed['p'];
    if (sealed['m'] !== kind || !Number.isSafeInteger(position) || (position as number) < 0 || (position as number) > length) throw forgedToken();
    return position as number;
  }

  /** Whether an event `viewer` may read names the identifier. */
  private namedFor(kind: MemberKind, id: string, viewer: string | undefined): boolean {
    if (viewer === undefined) return true;
    if (kind !== 'epcs') {
      for (const recorder of this.recordedAt[kind].get(id) ?? []) if (this.access.mayRead(recorder, viewer)) return true;
      return false;
    }
    let found = false;
    this.eventsNaming(id).scanAfter(undefined, (e) => (found = this.access.visible(e, viewer)));
    return found;
  }

  /** Puts a newer record of the same event (same times and ID, so the same places) in the old one's stead. */
  private replace(old: StoredEpcisEvent, next: StoredEpcisEvent): void {
    this.byID.set(next.eventID, next);
    this.sorted.replace(old, next);
    this.byRecordTime.replace(old, next);
    for (const id of identifiersOf(old)) {
      const known = this.byIdentifier.get(id);
      if (known instanceof ChunkedSortedList) known.replace(old, next);
      else if (known === old) this.byIdentifier.set(id, next);
    }
    for (const l of this.listeners) l(next);
  }

  async capture(document: EpcisDocument | string, identity: Identity, behaviour: CaptureErrorBehaviour = 'rollback', committed?: () => void): Promise<CaptureResult> {
    const { payload, txId } = await submitRetrying(this.ledger, `${this.contract}:${captureFunction(behaviour)}`, [documentText(document)], identity);
    committed?.();
    await this.applied(txId);
    return JSON.parse(Buffer.from(payload).toString('utf8')) as CaptureResult;
  }

  /** The events that name an identifier, in {@link orderOfEvents}. */
  private eventsNaming(id: string): OrderedEvents {
    const known = this.byIdentifier.get(id);
    if (known === undefined) return EMPTY;
    return known instanceof ChunkedSortedList ? known : orderedOf(known);
  }

  /**
   * The events a transaction recorded or captured that `viewer` may read, in their order. A
   * capture's document may carry many unrelated events: of those, only the ones `relevant`
   * accepts are given (a transaction of the contract records only events of what it did).
   */
  eventsOfTransaction(txId: string, viewer: string | undefined, relevant: (e: StoredEpcisEvent) => boolean = () => true): StoredEpcisEvent[] {
    const out: StoredEpcisEvent[] = [];
    const captured = this.capturedTx.has(txId);
    for (const id of this.byTx.get(txId) ?? []) {
      const e = this.byID.get(id);
      if (e && this.access.visible(e, viewer) && (!captured || relevant(e))) out.push(e);
    }
    return out;
  }

  /** The latest recordTime of any event applied ('' before the first): a subscription made now reaches back to nothing. */
  private latestRecordTime(): string {
    let latest = '';
    this.byRecordTime.scanBefore(undefined, (e) => ((latest = e.recordTime), true));
    return latest;
  }

  /**
   * The events applied so far that match the plan, were recorded at or after `since` (canonical
   * UTC) and `viewer` may read, in ledger order, at most `limit`; and the ledger position of
   * the last event followed: what a subscription that reaches back is given first
   * (epcis-subscriptions.ts). Looks at every event applied, unless none was recorded at or after
   * `since` (a subscription from now, the default: answered at once).
   */
  recordedSince(plan: EpcisQueryPlan, since: string, viewer: string, limit: number): RecordedSince {
    const events: StoredEpcisEvent[] = [];
    if (since > this.latestRecordTime()) return { events, through: this.seenAt }; // nothing recorded since: no need to look (a subscription made now)
    for (const ids of this.byTx.values()) {
      for (const id of ids) {
        const e = this.byID.get(id);
        if (!e || e.recordTime < since || !matchesPlan(e, plan, this.masterData) || !this.access.visible(e, viewer)) continue;
        events.push(e);
        if (events.length >= limit) return { events, through: this.seenAt };
      }
    }
    return { events, through: this.seenAt };
  }

  /** True if `viewer` (a participant ID; undefined for no access rule) may read the event. */
  visible(event: StoredEpcisEvent, viewer: string | undefined): boolean {
    return this.access.visible(event, viewer);
  }

  async get(eventID: string, _identity?: Identity, viewer?: string): Promise<StoredEpcisEvent | undefined> {
    const e = this.byID.get(eventID);
    return e && this.access.visible(e, viewer) ? e : undefined;
  }

  /**
   * One page of matching events in eventTime order, or in the `order` asked for: eventTime or
   * recordTime, either way (a scan of a list kept in that order), or an extension field's value
   * ({@link queryByField}). A plan that names one exact identifier is answered from that
   * identifier's events only; any other plan scans every event, within the ordering time's
   * window (GE_/LT_eventTime, or GE_/LT_recordTime): the scan starts at the window's edge and
   * stops past its other one, so a window of recent events is read in time proportional to the
   * page, not to everything recorded before it. A page looks at no more than {@link QUERY_SCAN}
   * events: a query that matches few of many is answered in slices, each page (short, even
   * empty) with a next one while events remain, so no one query holds the gateway for the whole
   * store. The next page's token is the position of the last event looked at, sealed: when that
   * is an event the reader may not read, it learns nothing.
   */
  async query(plan: EpcisQueryPlan, pageToken: string, _identity?: Identity, viewer?: string, order?: EventOrder): Promise<EventPage> {
    const mark = pageToken ? openEventToken(this.tokens, pageToken) : undefined;
    const kind = orderCode(order);
    if (mark && (mark.o ?? 'e') !== kind) throw tokenOfAnotherOrder();
    if (order?.by === 'field') return this.queryByField(plan, mark, viewer, order, kind);
    const byRecord = order?.by === 'recordTime';
    const desc = order?.direction === 'DESC';
    const timeOf = byRecord ? (e: StoredEpcisEvent): string => e.recordTime : (e: StoredEpcisEvent): string => e.eventTime;
    const window = byRecord ? { ge: plan.geRecordTime, lt: plan.ltRecordTime } : { ge: plan.geEventTime, lt: plan.ltEventTime };
    const candidates = this.candidates(plan, byRecord);
    const events: StoredEpcisEvent[] = [];
    const from = windowStart(mark && positionOf(mark), window, desc, byRecord ? recordOrder : orderOfEvents);
    let past = false;
    let looked = 0;
    let lastLooked: StoredEpcisEvent | undefined;
    const visit = (e: StoredEpcisEvent): boolean => {
      if (desc ? window.ge !== undefined && timeOf(e) < window.ge : window.lt !== undefined && timeOf(e) >= window.lt) return (past = true);
      lastLooked = e;
      if (matchesPlan(e, plan, this.masterData) && this.access.visible(e, viewer)) {
        events.push(e);
        if (events.length === plan.perPage) return true;
      }
      return ++looked >= this.scanLimit;
    };
    const more = (desc ? candidates.scanBefore(from, visit) : candidates.scanAfter(from, visit)) && !past;
    return { events, ...(more && lastLooked ? this.tokens.seal({ t: timeOf(lastLooked), id: lastLooked.eventID, ...(kind !== 'e' ? { o: kind } : {}) }) : { nextPageToken: '' }) };
  }

  /**
   * The events a scan in eventTime (or recordTime) order walks: those naming the plan's one exact
   * identifier, or every event. An identifier's events are kept in eventTime order; for recordTime
   * they are sorted for the query when there are no more than a page looks at, and otherwise
   * every event is scanned in recordTime order (in slices, as any scan).
   */
  private candidates(plan: EpcisQueryPlan, byRecord: boolean): OrderedEvents {
    const driving = drivingIdentifier(plan);
    if (driving === undefined) return byRecord ? this.byRecordTime : this.sorted;
    const naming = this.eventsNaming(driving);
    if (!byRecord) return naming;
    if (naming.size > this.scanLimit) return this.byRecordTime;
    const resorted: OrderedEvents = new ChunkedSortedList(recordOrder);
    for (const e of naming) resorted.insert(e);
    return resorted;
  }

  /**
   * One page in the order of a top-level extension field's value (EPCIS 2.0 §8.2.7.1), events
   * without one (or with one of another kind) last either way, ties in eventTime order. No list
   * is kept in such an order: each page looks at every candidate in the plan's eventTime window
   * and keeps those after the page token's position (value, eventTime, eventID), so pages stay
   * exact while events arrive. A query whose window holds more than {@link FIELD_ORDER_SCAN}
   * events is refused (QUERY_TOO_COMPLEX) rather than hold the gateway: narrow it by eventTime
   * or by an identifier.
   */
  private queryByField(plan: EpcisQueryPlan, mark: PageMark | undefined, viewer: string | undefined, order: Extract<EventOrder, { by: 'field' }>, kind: string): EventPage {
    const dir = order.direction === 'DESC' ? -1 : 1;
    const compare = (a: Keyed, b: Keyed): number => {
      if (a.v !== undefined && b.v !== undefined) {
        const c = compareOrderValues(a.v, b.v);
        if (c !== 0) return dir * c;
      } else if (a.v !== b.v) {
        return a.v === undefined ? 1 : -1; // without the field: last, in either direction
      }
      return dir * orderOfEvents(a.e, b.e);
    };
    const after: Keyed | undefined = mark && { e: positionOf(mark), v: mark.v ?? undefined };
    const driving = drivingIdentifier(plan);
    const candidates = driving !== undefined ? this.eventsNaming(driving) : this.sorted;
    const window = { ge: plan.geEventTime, lt: plan.ltEventTime };
    const found: Keyed[] = [];
    let looked = 0;
    candidates.scanAfter(windowStart(undefined, window, false, orderOfEvents), (e) => {
      if (window.lt !== undefined && e.eventTime >= window.lt) return true;
      if (++looked > this.fieldOrderLimit) {
        throw new ZfcError('QUERY_TOO_COMPLEX', `ordering by ${order.field.name} sorts every event the query could match on each page, and this one could match more than ${this.fieldOrderLimit}: narrow it by eventTime (GE_eventTime, LT_eventTime) or by an identifier (MATCH_epc, MATCH_epcClass, …)`, { limit: this.fieldOrderLimit, orderBy: order.field.name });
      }
      if (!matchesPlan(e, plan, this.masterData) || !this.access.visible(e, viewer)) return false;
      const keyed: Keyed = { e, v: orderValue(e, order.field) };
      if (after && compare(keyed, after) <= 0) return false;
      found.push(keyed);
      // only the page and one more are wanted: keep the best of them, not every candidate
      if (found.length >= 2 * (plan.perPage + 1) + 1024) found.sort(compare).length = plan.perPage + 1;
      return false;
    });
    found.sort(compare);
    const page = found.slice(0, plan.perPage);
    const last = page[page.length - 1];
    const more = found.length > page.length && last !== undefined;
    return { events: page.map((k) => k.e), ...(more ? this.tokens.seal({ t: last.e.eventTime, id: last.e.eventID, o: kind, v: last.v ?? null }) : { nextPageToken: '' }) };
  }
}

/** An event with its value of the field a page is ordered by. */
interface Keyed {
  readonly e: StoredEpcisEvent;
  readonly v: OrderValue | undefined;
}

/**
 * A position in a page token: a time and an eventID; the order it is a position in (`o`: `e`
 * eventTime, the only one earlier tokens knew; `r` recordTime; `f…` an extension field), and, for
 * a field, the field's value there (null: the event had none).
 */
interface PageMark {
  readonly t: string;
  readonly id: string;
  readonly o?: string;
  readonly v?: OrderValue | null;
}

/** The page token's order code of an order. */
function orderCode(order: EventOrder | undefined): string {
  if (order === undefined) return 'e';
  if (order.by !== 'field') return order.by === 'recordTime' ? 'r' : 'e';
  return `f${order.field.iri ?? order.field.name}`;
}

function tokenOfAnotherOrder(): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', 'nextPageToken belongs to a query in another order (orderBy): ask the next page with the same orderBy', { errors: [{ path: '/query/nextPageToken', message: 'belongs to a query in another order' }] });
}

/** The most identifiers one page of a top-level resource looks at. */
const MEMBER_SCAN = 10_000;

/** The most events one page of a query looks at (about 10 ms on the development machine, 0.2 µs an event). */
export const QUERY_SCAN = 50_000;

/**
 * The most events a page ordered by an extension field looks at (each page looks at them all:
 * about 1 µs an event on the development machine, so some 100 ms at most).
 */
export const FIELD_ORDER_SCAN = 100_000;

/** Options of {@link ProjectedEventStore.start}. */
export interface ProjectionOptions {
  /** The contract captures go to (default `epcis`). */
  readonly contract?: string;
  /** The 32-byte key page tokens are sealed with; kept by the gateway so tokens outlive a restart (default: a fresh one). */
  readonly tokenKey?: Buffer;
  /** How long a page token may be used, in milliseconds (default a day, page-tokens.ts): its expiry is sealed in it and answered in `GS1-Next-Page-Token-Expires`. */
  readonly pageTokenLifetimeMs?: number;
  /** The time now, for page tokens' expiry (default: the system clock). */
  readonly clock?: () => Date;
  /** Events one page looks at, at most (default {@link QUERY_SCAN}). */
  readonly scanLimit?: number;
  /** Events a page ordered by an extension field may sort, at most (default {@link FIELD_ORDER_SCAN}). */
  readonly fieldOrderLimit?: number;
  /** GS1's company prefix table (prefix → company prefix length, company-prefixes.ts), for answers in EPC URN form. */
  readonly companyPrefixTable?: ReadonlyMap<string, number>;
  /**
   * Asked before each ledger event is applied: false when the heap has no room for more events
   * (heap-room.ts), and the store stops following ({@link ProjectedEventStore.stopped}) rather
   * than fill the heap until Node aborts. Default: always room.
   */
  readonly room?: () => boolean;
}

/** Whether a canonical identifier the event names is one of its classes (not an instance: an EPC). */
function isClass(id: string, ids: EventIdentifiers): boolean {
  return ids.epcClasses.includes(id) || ids.inputEPCClasses.includes(id) || ids.outputEPCClasses.includes(id);
}

/** The position a member list's page token of the plain form earlier versions issued (`kind:position`) holds. */
function decodeMemberToken(token: string, kind: MemberKind, length: number): number {
  const m = /^([A-Za-z]+):(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  const position = Number(m?.[2]);
  if (!m || m[1] !== kind || position > length) throw forgedToken('this resource');
  return position;
}

/** A page token's position as an event to compare with (its time stands for either ordering time). */
function positionOf(mark: PageMark): StoredEpcisEvent {
  return { eventTime: mark.t, recordTime: mark.t, eventID: mark.id } as StoredEpcisEvent;
}

/**
 * Where a scan starts (exclusive): after the page token's event, or, when the ordering time's
 * window begins later (ascending; ends earlier, descending), at its edge: every event at `ge`
 * sorts after `(ge, '')`, every one before `lt` before `(lt, '')`.
 */
function windowStart(token: StoredEpcisEvent | undefined, window: { ge?: string | undefined; lt?: string | undefined }, desc: boolean, compare: (a: StoredEpcisEvent, b: StoredEpcisEvent) => number): StoredEpcisEvent | undefined {
  const edge = desc ? window.lt : window.ge;
  if (edge === undefined) return token;
  const probe = positionOf({ t: edge, id: '' });
  if (token === undefined) return probe;
  return (desc ? compare(token, probe) > 0 : compare(token, probe) < 0) ? probe : token;
}

/** Whether a token's field value is one {@link orderValue} makes. */
function isOrderValue(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  const x = (v as Record<string, unknown>)[keys[0] ?? ''];
  return keys.length === 1 && (keys[0] === 'n' ? typeof x === 'number' : (keys[0] === 't' || keys[0] === 's') && typeof x === 'string');
}

/**
 * The position an event page token holds (page-tokens.ts seals it, with its expiry): a position
 * in eventTime order (`{t, id}`), or in another order (`o`) with its field's value (`v`). A
 * token from before tokens were sealed (the position in plain JSON, always of an event its reader
 * was given) is still taken, as a position in eventTime order.
 */
function openEventToken(tokens: PageTokens, token: string): PageMark {
  let v = tokens.open(token);
  const sealed = v !== undefined;
  if (!sealed) {
    try {
      v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw forgedToken();
    }
  }
  if (!v || typeof v !== 'object' || typeof v['t'] !== 'string' || typeof v['id'] !== 'string') throw forgedToken();
  const t = v['t'];
  const id = v['id'];
  // a plain (earlier) token is a position in eventTime order and nothing else
  if (!sealed || v['o'] === undefined) return { t, id };
  const o = v['o'];
  const value = v['v'];
  if (typeof o !== 'string' || (value !== undefined && value !== null && !isOrderValue(value))) throw forgedToken();
  return { t, id, o, ...(value !== undefined ? { v: value as OrderValue | null } : {}) };
}
