/**
 * Named queries and subscriptions (EPCIS 2.0 §8.2.5, REST binding `/queries`): a client names a
 * query and subscribes to it with a callback URL and a signature token, and what matches is
 * POSTed to the callback as an EPCISQueryDocument (queryName, subscriptionID) signed with
 * HMAC-SHA256 of the exact body under the token, in the `GS1-Signature` header
 * (`sha256=<hex>`); a subscriber that asked for XML (XmlForm) is sent the XML binding's
 * EPCISQueryDocument instead of JSON-LD, signed alike; one that asked for EPC URNs
 * (`GS1-EPC-Format: Always_EPC_URN`) is sent its EPCs as URNs, as far as the gateway knows their
 * company prefix lengths (company-prefixes.ts). A streaming subscription
 * (`stream: true`) is sent each new matching event as the ledger records it; a scheduled one
 * (`schedule`, epcis-schedule.ts) is sent, at each time its schedule matches, every event that
 * matched since its last report, in one document (several of at most
 * {@link MAX_EVENTS_PER_REPORT} events), and an empty one with `reportIfEmpty`. With
 * `initialRecordTime` a subscription is first sent the matching events already recorded since
 * that time (the source's, at most {@link MAX_BACKLOG}); the follower of the ledger then skips
 * what the source had applied when it subscribed, so nothing is sent twice. Failed deliveries
 * are retried with exponential backoff; deliveries of one subscription stay in ledger order.
 *
 * Where events come from. Without a ledger, from the projection's listeners (epcis-projection.ts):
 * events applied after a subscription was made. With a ledger and records (epcis-records.ts), the
 * subscriptions follow `ledger.events({ after })` themselves, decoded as the projection decodes
 * them (`epcisEventsOf`), from a checkpoint kept in the records: after a restart they first
 * catch up on what was committed while the gateway was down, then go on with new blocks in
 * the same stream — one stream, so nothing falls between catching up and going live. The
 * projection is still asked who may read an event (for a new block, once it has applied it).
 *
 * What is kept, and when (bounded writes): queries and subscriptions when made; for each ledger
 * event that matches a subscription, its delivery records and the checkpoint in one batch (so a
 * restart neither loses nor repeats it); delivery counts, the last delivery, the removal of
 * delivery records made and the checkpoint past events that matched nothing, at most once per
 * `saveEveryMs` (1 s) and on close. A clean restart therefore delivers each event once; after a
 * crash, deliveries made in the last second may be made again (at least once, never lost).
 * Callback URLs are checked by a policy (https only by default) so the gateway cannot be turned
 * against internal addresses.
 */
import { createHmac, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { CaptureWritesMissingError } from '../chaincode/epcis-capture';
import type { StoredEpcisEvent } from '../chaincode/epcis-ledger';
import type { MasterDataView } from '../chaincode/epcis-master-data';
import { matchesPlan, type EpcisQueryPlan } from '../chaincode/epcis-match';
import { ZfcError } from '../chaincode/errors';
import type { Checkpoint, Ledger, LedgerEvent } from '../ledger-tools/ledger';
import { isAfter } from '../ledger-tools/call-check';
import { epcisEventsOf, identifiersOf, type EpcisListener } from './epcis-projection';
import type { EpcisRecords, RecordOp } from './epcis-records';
import type { CompanyPrefixes } from './company-prefixes';
import { EPCIS_HEADERS, queryDocument, type EpcFormat } from './epcis-query';
import { answerPrefixes } from './epcis-store';
import { parseSchedule, type QuerySchedule, type Schedule } from './epcis-schedule';
import { queryDocumentXml, type XmlForm } from './epcis-xml-write';
import type { Lookup } from './public-address';
import { utcInstantOf } from './rfc3339';

/** A named query. */
export interface NamedQuery {
  readonly name: string;
  readonly plan: EpcisQueryPlan;
  /** The query parameters as given, for reading the definition back. */
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly owner: string;
  readonly createdAt: string;
}

/**
 * A subscription to a named query: streaming (each matching event as soon as it is recorded) or
 * scheduled (at each time its schedule matches, what matched since the last report).
 */
export interface Subscription {
  readonly subscriptionID: string;
  readonly queryName: string;
  readonly dest: string;
  readonly owner: string;
  readonly createdAt: string;
  /** True for a streaming subscription (subscriptions saved before schedules were all streaming). */
  readonly stream?: true;
  /** When a scheduled subscription reports (epcis-schedule.ts). */
  readonly schedule?: QuerySchedule;
  /** Whether a scheduled report is made when nothing matched since the last. */
  readonly reportIfEmpty?: boolean;
  /** Events recorded before this time are never reported (default: when subscribed). */
  readonly initialRecordTime?: string;
  /**
   * `zfc:heldBySubscriber`: only events naming a lot (an item's, a case's) the subscriber holds
   * when the event is recorded — "recalls of what I hold", whatever it holds by then. While what
   * it holds cannot be told (the trace index stopped for lack of heap), every event it would
   * otherwise be sent and may read is sent: one recall notice too many rather than one late.
   */
  readonly 'zfc:heldBySubscriber'?: true;
  /**
   * How deliveries are written: in the XML binding when the subscriber asked for it as it asks
   * for an XML answer (Accept, GS1-CBV-XML-Format) on its subscription request or WebSocket
   * handshake; JSON-LD when absent.
   */
  readonly 'zfc:deliveryFormat'?: XmlForm;
  /**
   * How deliveries write EPCs when the subscriber asked for other than Digital Links
   * (`GS1-EPC-Format` on its subscription request or WebSocket handshake): as EPC URNs, or as
   * captured. In URN form an identifier whose company prefix length the gateway does not know
   * is written as its Digital Link (a delivery cannot be refused as an answer can), and the
   * delivery's `GS1-EPC-Format` header then says `No_Preference`.
   */
  readonly 'zfc:epcFormat'?: Exclude<EpcFormat, 'Always_GS1_Digital_Link'>;
  /** Deliveries made, and deliveries abandoned after every retry failed. */
  delivered: number;
  failed: number;
  /** The last delivery that ended (made or abandoned); absent before the first. */
  lastDelivery?: LastDelivery;
  /** When the callback last accepted a delivery (the standard's `lastNotifiedAt`). */
  lastNotifiedAt?: string;
}

/** How a subscription's last delivery ended. */
export interface LastDelivery {
  readonly at: string;
  /** The last event it carried ('' for a scheduled report of nothing). */
  readonly eventID: string;
  /** How many events it carried. */
  readonly events: number;
  readonly outcome: 'delivered' | 'failed';
  /** The callback's HTTP status on the last attempt; 0 when it could not be reached. */
  readonly status: number;
}

/** What a client asks for when it subscribes (the REST binding's subscription body). */
export interface SubscriptionRequest {
  readonly dest?: unknown;
  readonly signatureToken?: unknown;
  readonly stream?: unknown;
  readonly schedule?: unknown;
  readonly reportIfEmpty?: unknown;
  readonly initialRecordTime?: unknown;
  readonly 'zfc:heldBySubscriber'?: unknown;
}

/** The events a source has applied that a new subscription reaches back to, and the last ledger position it applied. */
export interface RecordedSince {
  readonly events: readonly StoredEpcisEvent[];
  readonly through: Checkpoint | undefined;
}

/** Where events come from: the projection's listener registration and its access rule. */
export interface EventSource {
  listen(listener: EpcisListener): () => void;
  /** True if the participant may read the event; deliveries go only to owners who may. */
  visible?(event: StoredEpcisEvent, viewer: string): boolean;
  /** Resolves once the source has applied a transaction (so {@link visible} knows what it made). */
  applied?(txId: string): Promise<void>;
  /**
   * The events applied so far that match `plan`, were recorded at or after `since` (canonical
   * UTC) and `viewer` may read, in ledger order, at most `limit`; and the last position applied.
   * Without it a subscription cannot reach back before it was made.
   */
  recordedSince?(plan: EpcisQueryPlan, since: string, viewer: string, limit: number): RecordedSince;
  /** The company prefix lengths deliveries in EPC URN form are written by (epcis-store.ts's EventStore.companyPrefixes). */
  companyPrefixes?(): CompanyPrefixes;
  /** The master data queries believe (WD_, HASATTR_, EQ_ATTR_), as of the event being matched. */
  readonly masterData?: MasterDataView;
}

/** Options of {@link EpcisSubscriptions}. */
export interface SubscriptionOptions {
  readonly source: EventSource;
  /** Attempts per delivery (first try included). Default 5. */
  readonly attempts?: number;
  /** First retry delay; doubled each time. Default 500 ms. */
  readonly backoffMs?: number;
  /**
   * Whether a participant holds some of a lot the canonical identifiers name (the trace index's
   * holdings); without it, `zfc:heldBySubscriber` subscriptions are refused. A ZfcError of a 5xx
   * status says it cannot be told now (TRACE_INDEX_FULL): the event is then sent; any other error
   * stops the following where it is, to go on from there at the next start.
   */
  readonly holds?: (participant: string, identifiers: Iterable<string>) => boolean;
  /** Resolves once {@link holds} answers as of a ledger event (its holdings have caught up with it). */
  readonly holdingsAt?: (at: Checkpoint & { readonly txId: string }) => Promise<void>;
  /** Which callback URLs are allowed. Default: https only. */
  readonly allowDestination?: (url: URL) => boolean;
  /**
   * The DNS lookup deliveries connect with (public-address.ts's publicLookup refuses a name that
   * resolves inside the gateway's network). Default: the system's.
   */
  readonly lookup?: Lookup;
  /** Per-attempt timeout. Default 10 s. */
  readonly timeoutMs?: number;
  readonly clock?: () => Date;
  /** Where queries, subscriptions and undone deliveries are kept (absent: in memory only). */
  readonly records?: EpcisRecords;
  /**
   * With records: follow this ledger from a kept checkpoint instead of the source's listeners
   * (from {@link EpcisSubscriptions.restore} on, which must then be called).
   */
  readonly ledger?: Ledger;
  /** How often counts, finished deliveries and the checkpoint are written. Default 1000 ms. */
  readonly saveEveryMs?: number;
}

/** What is kept of a subscription: its view, its token, and the ledger position the source had reached when it was made. */
type SavedSubscription = Subscription & {
  readonly token: string;
  /** Events up to this ledger position were reported from the source when subscribing (ledger mode). */
  readonly liveAfter?: Checkpoint;
};
type LiveSubscription = SavedSubscription & {
  /** Its deliveries, one after another. */
  queue: Promise<void>;
  /** A subscription over an open connection: where its deliveries go (never kept, never retried). */
  readonly sink?: SubscriptionSink;
  /** A scheduled subscription's parsed schedule, and what matched since its last report (with each one's record). */
  readonly timing?: Schedule;
  readonly pending: Array<{ readonly event: StoredEpcisEvent; readonly key: string }>;
  /** A scheduled report is being delivered (the next due time waits for it and takes what matched meanwhile). */
  reporting: boolean;
};
type Outcome = 'delivered' | 'failed' | 'interrupted';

/** Where a subscription over an open connection is delivered (epcis-websocket.ts). */
export interface SubscriptionSink {
  /** Sends one EPCISQueryDocument; false when the connection cannot take it (closed, or too far behind): the subscription then ends. */
  send(body: string): boolean;
  /** The gateway ended the subscription (its named query removed, the gateway closing): close the connection saying why. */
  end(why: string): void;
}

/**
 * How a subscriber asked its deliveries written, with the headers it would ask an answer by:
 * the XML binding (Accept, GS1-CBV-XML-Format) or JSON-LD, and its EPCs (GS1-EPC-Format).
 */
export interface DeliveryForm {
  readonly xml?: XmlForm | undefined;
  readonly epc?: EpcFormat | undefined;
}

/** A checked request for {@link EpcisSubscriptions.attach}. */
export interface AttachRequest {
  readonly queryName: string;
  readonly request: SubscriptionRequest;
  readonly owner: string;
  readonly form: DeliveryForm;
}

/** The most events a subscription may reach back to with initialRecordTime (the rest is for /events). */
export const MAX_BACKLOG = 10_000;
/** The most events one delivery of a scheduled report carries; a larger report is sent in several. */
export const MAX_EVENTS_PER_REPORT = 1_000;
/** The most named queries, and subscriptions, one participant keeps: each costs memory, and each subscription outbound calls. */
export const MAX_QUERIES_PER_OWNER = 1_000;
export const MAX_SUBSCRIPTIONS_PER_OWNER = 100;
/** The most seconds a late scheduler tick looks back over for due times. */
const MAX_CATCH_UP_SECONDS = 3_600;

/** Where the checkpoint of the ledger position followed is kept. */
const CHECKPOINT = 'c|subscriptions';

/** What a named query may be called. */
export const QUERY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_TOKEN = 1024;

/** HMAC-SHA256 of a delivery body under a subscription's token: the `GS1-Signature` value. */
export function signDelivery(body: string, token: string): string {
  return `sha256=${createHmac('sha256', token).update(body, 'utf8').digest('hex')}`;
}

/**
 * The EPCIS events of a ledger event; none for a payload nothing can read. A capture that came
 * without its writes stops the following (with a log line) before its position is recorded, so
 * its events are delivered once the ledger hands them over, never skipped.
 */
function decodeEvents(e: LedgerEvent): readonly StoredEpcisEvent[] {
  try {
    return epcisEventsOf(e).events;
  } catch (err) {
    if (err instanceof CaptureWritesMissingError) throw err;
    return [];
  }
}

function bad(path: string, message: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `${path} ${message}`, { errors: [{ path, message }] });
}

/** How many of `items` belong to `owner`. */
function countOf(items: Iterable<{ readonly owner: string }>, owner: string): number {
  let n = 0;
  for (const item of items) if (item.owner === owner) n++;
  return n;
}

/** A client's initialRecordTime in the canonical UTC form records carry (`toISOString`). */
function recordTimeOf(value: unknown): string {
  const t = utcInstantOf(value);
  if (t === undefined) throw bad('/initialRecordTime', 'must be a date and time with its offset (RFC 3339), such as 2026-03-01T00:00:00Z');
  return t;
}

/** How a subscription reports: streaming, or on a schedule (exactly one, as the standard requires). */
function timingOf(r: SubscriptionRequest): { stream: true } | { schedule: Schedule; reportIfEmpty: boolean } {
  if (r.reportIfEmpty !== undefined && typeof r.reportIfEmpty !== 'boolean') throw bad('/reportIfEmpty', 'must be true or false');
  if (r.schedule === undefined) {
    if (r.stream !== true) throw bad('/stream', 'must be true for a streaming subscription (or give a schedule instead)');
    if (r.reportIfEmpty !== undefined) throw bad('/reportIfEmpty', 'applies to scheduled subscriptions: a stream reports events only');
    return { stream: true };
  }
  if (r.stream !== undefined) throw bad('/stream', 'a subscription streams or has a schedule, not both');
  return { schedule: parseSchedule(r.schedule), reportIfEmpty: r.reportIfEmpty === true };
}

/** The named queries and subscriptions of one gateway. */
export class EpcisSubscriptions {
  private readonly queries = new Map<string, NamedQuery>();
  private readonly subs = new Map<string, LiveSubscription>();
  /** Orders undone deliveries of one subscription across restarts. */
  private seq = 0;
  private readonly stop: () => void;
  private readonly sleeping = new Map<NodeJS.Timeout, () => void>();
  private closed = false;
  /** Following the ledger (ledger mode): its end, and how to stop it. */
  private following: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  /** The last ledger position offered, and whether it is newer than the kept one. */
  private position: Checkpoint | undefined;
  private positionDirty = false;
  /** Subscriptions whose counts changed, and delivery records done with, since the last save. */
  private readonly dirty = new Set<string>();
  private readonly done: string[] = [];
  private saveTimer: NodeJS.Timeout | undefined;
  /** The scheduled subscriptions' clock: the next whole second, and the last second looked at. */
  private scheduler: NodeJS.Timeout | undefined;
  private lastTick = 0;

  constructor(private readonly options: SubscriptionOptions) {
    const followsLedger = options.ledger !== undefined && options.records !== undefined;
    this.stop = followsLedger ? () => this.abort.abort() : options.source.listen((e) => this.offer(e));
  }

  private now(): string {
    return new Date(this.nowMs()).toISOString();
  }

  private nowMs(): number {
    return this.options.clock ? this.options.clock().getTime() : Date.now();
  }

  /**
   * Takes up what the records hold: queries, subscriptions, and the deliveries a previous run
   * left undone (retried from the first attempt, in their order). Call once, before serving.
   */
  async restore(): Promise<void> {
    const records = this.options.records;
    if (!records) return;
    for (const [, q] of await records.list<NamedQuery>('q|')) this.queries.set(q.name, q);
    for (const [, saved] of await records.list<SavedSubscription>('s|')) this.subs.set(saved.subscriptionID, live(saved));
    for (const [key, event] of await records.list<StoredEpcisEvent>('d|')) {
      const sub = this.subs.get(key.slice(0, key.indexOf('|')));
      if (sub) this.enqueue(sub, event, `d|${key}`);
      else await records.del(`d|${key}`);
    }
    if (this.options.ledger) await this.startFollowing(this.options.ledger, records);
    this.startScheduler();
  }

  /**
   * Follows the ledger from the kept checkpoint (from its current end the first time). Blocks
   * up to the current end were applied by the source before this is called (the projection
   * opens caught up); for later blocks the source is awaited before it is asked about access.
   */
  private async startFollowing(ledger: Ledger, records: EpcisRecords): Promise<void> {
    const last = (await ledger.height()) - 1;
    let after = await records.get<Checkpoint>(CHECKPOINT);
    if (!after && last >= 0) {
      after = { blockNumber: last, txIndex: Number.MAX_SAFE_INTEGER };
      await records.put(CHECKPOINT, after);
    }
    this.position = after;
    const events = ledger.events({ ...(after ? { after } : {}), signal: this.abort.signal });
    this.following = this.follow(events, last).catch((err: unknown) => {
      if (this.closed) return;
      process.stderr.write(`[epcis] subscriptions stopped following the ledger: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  }

  private async follow(events: AsyncIterable<LedgerEvent>, appliedThrough: number): Promise<void> {
    for await (const e of events) {
      if (this.closed) return;
      const decoded = this.subs.size > 0 ? decodeEvents(e) : []; // no subscription: nothing to decode a capture for
      if (decoded.length > 0 && e.blockNumber > appliedThrough) await this.sourceApplied(e.txId);
      // what a subscriber holds is asked as of this event: its holdings must have caught up with it
      if (decoded.length > 0 && this.options.holdingsAt && [...this.subs.values()].some((s) => s['zfc:heldBySubscriber'])) await this.options.holdingsAt(e);
      if (this.closed) return;
      await this.offerAt(decoded, { blockNumber: e.blockNumber, txIndex: e.txIndex });
    }
  }

  /**
   * Waits for the source to apply a transaction, or for close. Its abort listener goes when it
   * ends: this runs for every transaction with EPCIS events while any subscription exists, and a
   * listener left each time was a leak of one closure per capture for the gateway's lifetime.
   */
  private async sourceApplied(txId: string): Promise<void> {
    const applied = this.options.source.applied?.(txId);
    const signal = this.abort.signal;
    if (!applied || signal.aborted) return;
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([applied, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Offers a ledger event's EPCIS events; their delivery records and the position are written together. */
  private async offerAt(events: readonly StoredEpcisEvent[], at: Checkpoint): Promise<void> {
    const ops: RecordOp[] = [];
    const queued: Array<[LiveSubscription, StoredEpcisEvent, string]> = [];
    for (const event of events) {
      for (const sub of this.matching(event, at)) {
        const key = this.deliveryKey(sub);
        if (key) ops.push({ type: 'put', key, value: event });
        queued.push([sub, event, key]);
      }
    }
    this.position = at;
    if (ops.length === 0) {
      this.positionDirty = true;
      this.scheduleSave();
    } else {
      ops.push({ type: 'put', key: CHECKPOINT, value: at });
      await this.options.records?.batch(ops);
      this.positionDirty = false;
    }
    for (const [sub, event, key] of queued) this.enqueue(sub, event, key);
  }

  /** Defines a named query (CONFLICT if the name is taken). */
  async define(name: string, plan: EpcisQueryPlan, query: Readonly<Record<string, string | string[]>>, owner: string): Promise<NamedQuery> {
    if (typeof name !== 'string' || !QUERY_NAME.test(name)) throw bad('/name', 'must be 1–64 letters, digits, _ . - (starting with a letter or digit)');
    if (this.queries.has(name)) throw new ZfcError('CONFLICT', `a query named ${name} exists`, { name });
    if (countOf(this.queries.values(), owner) >= MAX_QUERIES_PER_OWNER) {
      throw new ZfcError('INVALID_STATE', `a participant keeps at most ${MAX_QUERIES_PER_OWNER} named queries: remove one first`, { limit: MAX_QUERIES_PER_OWNER });
    }
    const q: NamedQuery = { name, plan, query, owner, createdAt: this.now() };
    this.queries.set(name, q);
    await this.options.records?.put(`q|${name}`, q);
    return q;
  }

  /** A named query, or NOT_FOUND. */
  query(name: string): NamedQuery {
    const q = this.queries.get(name);
    if (!q) throw new ZfcError('NOT_FOUND', `no query named ${name}`, { name });
    return q;
  }

  /**
   * Subscribes a callback to a named query: streaming (`stream: true`) or on a `schedule`
   * (with `reportIfEmpty`), from `initialRecordTime` (default now). Events recorded since that
   * time and already on the ledger are reported first (at most {@link MAX_BACKLOG}), in ledger
   * order, then each new one. Deliveries are JSON-LD, or in the XML binding, with their EPCs
   * written as `form` says.
   */
  async subscribe(queryName: string, request: SubscriptionRequest, owner: string, form: DeliveryForm = {}): Promise<Subscription> {
    this.query(queryName);
    const url = this.destination(request.dest);
    const token = request.signatureToken;
    if (typeof token !== 'string' || token.length < 16 || token.length > MAX_TOKEN) {
      throw bad('/signatureToken', `must be a string of 16 to ${MAX_TOKEN} characters`);
    }
    const { backlog, ...made } = this.prepare(queryName, request, owner, form);
    const sub = live({ ...made, dest: url.toString(), token });
    // set and queued in this turn, so that no event the source applies next can go before them
    this.subs.set(sub.subscriptionID, sub);
    const ops: RecordOp[] = [{ type: 'put', key: `s|${sub.subscriptionID}`, value: this.saved(sub) }];
    for (const event of backlog) {
      const key = this.deliveryKey(sub);
      ops.push({ type: 'put', key, value: event });
      this.enqueue(sub, event, key);
    }
    await this.options.records?.batch(ops);
    this.startScheduler();
    return this.view(sub);
  }

  /**
   * Checks a subscription over a connection the subscriber keeps open (a WebSocket,
   * epcis-websocket.ts): the same query, timing, initialRecordTime and limits as
   * {@link subscribe}, without a callback or token. Throws what {@link subscribe} would;
   * {@link attach} then opens it. Nothing is kept: attach prepares it again (its backlog and the
   * position it goes live after), so that no event applied between the check and the open is
   * missed, as it would be with the check's.
   */
  checkAttach(queryName: string, request: SubscriptionRequest, owner: string, form: DeliveryForm = {}): AttachRequest {
    this.query(queryName);
    this.prepare(queryName, request, owner, form);
    return { queryName, request, owner, form };
  }

  /**
   * Opens a subscription whose deliveries go to `sink` (a WebSocket) rather than a callback:
   * each as one EPCISQueryDocument, streaming or on its schedule, the backlog first, with the
   * same matching and access rule. It lives as long as the connection: it is never written to
   * the records, never retried (a delivery `sink.send` does not take ends it), not listed under
   * the query's subscriptions, and it ends with `end()`, when the named query is removed or when
   * the gateway closes (`sink.end` is told why).
   */
  attach(checked: AttachRequest, sink: SubscriptionSink): { readonly subscription: Subscription; end(): void } {
    const { backlog, ...made } = this.prepare(checked.queryName, checked.request, checked.owner, checked.form);
    const sub = live({ ...made, dest: 'websocket', token: '' }, sink);
    this.subs.set(sub.subscriptionID, sub);
    for (const event of backlog) this.enqueue(sub, event, '');
    this.startScheduler();
    return { subscription: this.view(sub), end: () => this.detach(sub, undefined) };
  }

  /** Ends a connection's subscription; `why` is told to the connection when the gateway ends it. */
  private detach(sub: LiveSubscription, why: string | undefined): void {
    if (this.subs.get(sub.subscriptionID) !== sub) return;
    this.subs.delete(sub.subscriptionID);
    if (why !== undefined) sub.sink?.end(why);
  }

  /**
   * What every subscription is made of, checked: its query's timing (stream or schedule),
   * initialRecordTime (and the backlog since it, at most {@link MAX_BACKLOG}), the holdings
   * filter, and the owner's count.
   */
  private prepare(queryName: string, request: SubscriptionRequest, owner: string, { xml, epc }: DeliveryForm): Omit<SavedSubscription, 'dest' | 'token'> & { readonly backlog: readonly StoredEpcisEvent[] } {
    const q = this.query(queryName);
    const timing = timingOf(request);
    const held = request['zfc:heldBySubscriber'];
    if (held !== undefined && held !== true && held !== false) throw bad('/zfc:heldBySubscriber', 'must be true or false');
    if (held === true && !this.options.holds) {
      throw new ZfcError('NOT_IMPLEMENTED', 'this gateway cannot tell what a participant holds: leave zfc:heldBySubscriber out', { errors: [{ path: '/zfc:heldBySubscriber', message: 'is not offered here' }] });
    }
    if (countOf(this.subs.values(), owner) >= MAX_SUBSCRIPTIONS_PER_OWNER) {
      throw new ZfcError('INVALID_STATE', `a participant keeps at most ${MAX_SUBSCRIPTIONS_PER_OWNER} subscriptions: end one first`, { limit: MAX_SUBSCRIPTIONS_PER_OWNER });
    }
    const createdAt = this.now();
    const initialRecordTime = request.initialRecordTime === undefined ? createdAt : recordTimeOf(request.initialRecordTime);
    const source = this.options.source;
    if (initialRecordTime < createdAt && !source.recordedSince) {
      throw new ZfcError('NOT_IMPLEMENTED', 'this event source cannot reach back before a subscription is made: leave initialRecordTime out', { errors: [{ path: '/initialRecordTime', message: 'must not be in the past here' }] });
    }
    // what the source has applied: reported now (since initialRecordTime), and never again when the ledger is followed
    const reach = source.recordedSince?.(q.plan, initialRecordTime, owner, MAX_BACKLOG + 1);
    if (reach && reach.events.length > MAX_BACKLOG) {
      throw bad('/initialRecordTime', `reaches back to more than ${MAX_BACKLOG} matching events: choose a later time, and read the earlier events from the query's /events`);
    }
    return {
      subscriptionID: randomUUID(), queryName, owner, createdAt,
      ...('stream' in timing ? { stream: true } : { schedule: timing.schedule.given, reportIfEmpty: timing.reportIfEmpty }),
      initialRecordTime, ...(held === true ? { 'zfc:heldBySubscriber': true } : {}), ...(xml ? { 'zfc:deliveryFormat': xml } : {}),
      ...(epc && epc !== 'Always_GS1_Digital_Link' ? { 'zfc:epcFormat': epc } : {}), delivered: 0, failed: 0,
      ...(reach?.through && this.options.ledger ? { liveAfter: reach.through } : {}),
      backlog: reach?.events ?? [],
    };
  }

  /** Every named query, by name, a page at a time (after the name `after`); the next page's first name, or ''. */
  queriesPage(after: string, perPage: number): { queries: NamedQuery[]; next: string } {
    const names = [...this.queries.keys()].filter((n) => n > after).sort();
    const page = names.slice(0, perPage).map((n) => this.queries.get(n) as NamedQuery);
    return { queries: page, next: names.length > perPage ? (page.at(-1)?.name ?? '') : '' };
  }

  /** Removes a named query and every subscription to it (NOT_FOUND if unknown; FORBIDDEN if another participant's). */
  async removeQuery(name: string, owner: string): Promise<void> {
    const q = this.query(name);
    if (q.owner !== owner) throw new ZfcError('FORBIDDEN', 'the query belongs to another participant', { name });
    this.queries.delete(name);
    const gone = [...this.subs.values()].filter((s) => s.queryName === name);
    for (const sub of gone) {
      if (sub.sink) this.detach(sub, `the query ${name} was removed`);
      else this.subs.delete(sub.subscriptionID);
    }
    await this.options.records?.batch([{ type: 'del', key: `q|${name}` }, ...gone.map((sub): RecordOp => ({ type: 'del', key: `s|${sub.subscriptionID}` }))]);
    for (const sub of gone) await this.options.records?.del(`d|${sub.subscriptionID}|`, true);
  }

  /** Ends a subscription (NOT_FOUND if unknown; FORBIDDEN if another participant's). */
  async unsubscribe(subscriptionID: string, owner: string): Promise<void> {
    const sub = this.subs.get(subscriptionID);
    if (!sub || sub.sink) throw new ZfcError('NOT_FOUND', 'no such subscription', { subscriptionID }); // a connection's ends with it
    if (sub.owner !== owner) throw new ZfcError('FORBIDDEN', 'the subscription belongs to another participant', { subscriptionID });
    this.subs.delete(subscriptionID);
    await this.options.records?.del(`s|${subscriptionID}`);
    await this.options.records?.del(`d|${subscriptionID}|`, true);
  }

  /** The subscriptions of a query (of one owner's, when given). */
  subscriptionsOf(queryName: string, owner?: string): Subscription[] {
    return [...this.subs.values()].filter((s) => !s.sink && s.queryName === queryName && (owner === undefined || s.owner === owner)).map((s) => this.view(s));
  }

  /** One subscription of a query, as its owner sees it (NOT_FOUND, or FORBIDDEN for another's). */
  subscription(queryName: string, subscriptionID: string, owner: string): Subscription {
    const sub = this.subs.get(subscriptionID);
    if (!sub || sub.sink || sub.queryName !== queryName) throw new ZfcError('NOT_FOUND', 'no such subscription', { subscriptionID });
    if (sub.owner !== owner) throw new ZfcError('FORBIDDEN', 'the subscription belongs to another participant', { subscriptionID });
    return this.view(sub);
  }

  /**
   * Stops listening and waits for deliveries in flight (retries still pending are dropped and
   * kept for the next start), then writes counts, finished deliveries and the checkpoint.
   */
  async close(): Promise<void> {
    for (const sub of [...this.subs.values()]) if (sub.sink) this.detach(sub, 'the gateway is closing');
    this.closed = true;
    this.stop();
    clearTimeout(this.scheduler);
    this.scheduler = undefined;
    await this.following;
    for (const [t, wake] of this.sleeping) {
      clearTimeout(t);
      wake();
    }
    this.sleeping.clear();
    await Promise.all([...this.subs.values()].map((s) => s.queue.catch(() => undefined)));
    await this.saveNow();
    await this.options.records?.settled();
  }

  private saved(sub: LiveSubscription): SavedSubscription {
    return { ...this.view(sub), token: sub.token, ...(sub.liveAfter !== undefined ? { liveAfter: sub.liveAfter } : {}) };
  }

  /** Counts, finished deliveries and the position: written later, together (see the header). */
  private scheduleSave(): void {
    if (this.saveTimer || this.closed || !this.options.records) return;
    this.saveTimer = setTimeout(() => void this.saveNow(), this.options.saveEveryMs ?? 1000);
    this.saveTimer.unref();
  }

  private async saveNow(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const records = this.options.records;
    if (!records) return;
    const ops: RecordOp[] = this.done.splice(0).map((key) => ({ type: 'del', key }));
    for (const id of this.dirty) {
      const sub = this.subs.get(id);
      if (sub) ops.push({ type: 'put', key: `s|${id}`, value: this.saved(sub) });
    }
    this.dirty.clear();
    if (this.positionDirty && this.position) ops.push({ type: 'put', key: CHECKPOINT, value: this.position });
    this.positionDirty = false;
    await records.batch(ops).catch(() => undefined);
  }

  private view(s: Subscription): Subscription {
    return {
      subscriptionID: s.subscriptionID, queryName: s.queryName, dest: s.dest, owner: s.owner, createdAt: s.createdAt,
      ...(s.schedule ? { schedule: s.schedule, reportIfEmpty: s.reportIfEmpty === true } : { stream: true }),
      ...(s.initialRecordTime !== undefined ? { initialRecordTime: s.initialRecordTime } : {}),
      ...(s['zfc:heldBySubscriber'] ? { 'zfc:heldBySubscriber': true } : {}),
      ...(s['zfc:deliveryFormat'] ? { 'zfc:deliveryFormat': s['zfc:deliveryFormat'] } : {}),
      ...(s['zfc:epcFormat'] ? { 'zfc:epcFormat': s['zfc:epcFormat'] } : {}),
      delivered: s.delivered, failed: s.failed,
      ...(s.lastDelivery ? { lastDelivery: s.lastDelivery } : {}),
      ...(s.lastNotifiedAt ? { lastNotifiedAt: s.lastNotifiedAt } : {}),
    };
  }

  private destination(dest: unknown): URL {
    let url: URL;
    try {
      url = new URL(String(dest));
    } catch {
      throw bad('/dest', 'must be an absolute URL');
    }
    const allowed = this.options.allowDestination ?? ((u: URL) => u.protocol === 'https:');
    if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || !allowed(url)) {
      throw bad('/dest', 'is not an allowed callback URL');
    }
    return url;
  }

  /**
   * The subscriptions an event is for: their query matches, their owner may read it, and it is
   * new to them (at `at`, when the ledger is followed: after what the source reported when they
   * were made; recorded no earlier than their initialRecordTime when that is later).
   */
  private matching(event: StoredEpcisEvent, at?: Checkpoint): LiveSubscription[] {
    const out: LiveSubscription[] = [];
    for (const sub of this.subs.values()) {
      if (at && sub.liveAfter && !isAfter(at, sub.liveAfter)) continue;
      if (sub.initialRecordTime !== undefined && sub.initialRecordTime > sub.createdAt && event.recordTime < sub.initialRecordTime) continue;
      const q = this.queries.get(sub.queryName);
      if (!q || !matchesPlan(event, q.plan, this.options.source.masterData)) continue;
      if (this.options.source.visible && !this.options.source.visible(event, sub.owner)) continue;
      if (sub['zfc:heldBySubscriber'] && !this.holdsOrCannotTell(sub.owner, event)) continue;
      out.push(sub);
    }
    return out;
  }

  private holdingsUnknown = false;

  /**
   * Whether the subscriber holds what the event names, or that cannot be told now (a 5xx from
   * {@link SubscriptionOptions.holds}): a shop that may read a recall is better told one too
   * many than told late, when the gateway's operator has restarted it with more heap.
   */
  private holdsOrCannotTell(owner: string, event: StoredEpcisEvent): boolean {
    try {
      return this.options.holds?.(owner, identifiersOf(event)) ?? false;
    } catch (err) {
      if (!(err instanceof ZfcError) || err.status < 500) throw err;
      if (!this.holdingsUnknown) {
        this.holdingsUnknown = true;
        process.stderr.write(`[epcis] what subscribers hold cannot be told (${err.code}): zfc:heldBySubscriber subscriptions are sent every event they match and may read until it can\n`);
      }
      return true;
    }
  }

  /** The key a delivery is kept under until it ends; '' for a connection's (nothing of it is kept). */
  private deliveryKey(sub: LiveSubscription): string {
    if (sub.sink) return '';
    return `d|${sub.subscriptionID}|${String(Date.now()).padStart(15, '0')}.${String(this.seq++).padStart(9, '0')}`;
  }

  /** Listener mode: an event the source applied. */
  private offer(event: StoredEpcisEvent): void {
    if (this.closed) return;
    for (const sub of this.matching(event)) {
      const key = this.deliveryKey(sub);
      if (key) void this.options.records?.put(key, event).catch(() => undefined);
      this.enqueue(sub, event, key);
    }
  }

  /**
   * Queues a delivery of a streaming subscription, or keeps the event for a scheduled one's next
   * report. Its record is removed once it is delivered or abandoned (at the next save), kept if
   * interrupted.
   */
  private enqueue(sub: LiveSubscription, event: StoredEpcisEvent, key: string): void {
    if (sub.timing) {
      sub.pending.push({ event, key });
      return;
    }
    sub.queue = sub.queue.then(async () => {
      if ((await this.deliver(sub, [event])) !== 'interrupted') this.finished(sub, [key]);
    });
  }

  /** Deliveries ended (made or abandoned): their records go at the next save, with the counts. */
  private finished(sub: LiveSubscription, keys: readonly string[]): void {
    if (!this.options.records || sub.sink) return; // nothing of a connection's subscription is kept
    this.done.push(...keys);
    this.dirty.add(sub.subscriptionID);
    this.scheduleSave();
  }

  /** Starts the scheduled subscriptions' clock if any needs it. */
  private startScheduler(): void {
    if (this.scheduler || this.closed || ![...this.subs.values()].some((s) => s.timing)) return;
    this.lastTick = Math.floor(this.nowMs() / 1000);
    this.armScheduler();
  }

  private armScheduler(): void {
    this.scheduler = setTimeout(() => this.tick(), 1000 - (Date.now() % 1000) + 1);
    this.scheduler.unref();
  }

  /** Each second: reports every scheduled subscription due at a second since the last tick (a late tick misses none). */
  private tick(): void {
    this.scheduler = undefined;
    if (this.closed) return;
    const now = Math.floor(this.nowMs() / 1000);
    const from = Math.max(this.lastTick + 1, now - MAX_CATCH_UP_SECONDS + 1);
    this.lastTick = Math.max(this.lastTick, now);
    let any = false;
    for (const sub of this.subs.values()) {
      if (!sub.timing) continue;
      any = true;
      for (let second = from; second <= now; second++) {
        if (sub.timing.matches(new Date(second * 1000))) {
          this.report(sub);
          break;
        }
      }
    }
    if (any) this.armScheduler();
  }

  /**
   * A scheduled report: what matched since the last one, in ledger order, in deliveries of at
   * most {@link MAX_EVENTS_PER_REPORT} events; nothing unless something matched or
   * `reportIfEmpty`. While one is being delivered, due times pass and the next takes the rest.
   */
  private report(sub: LiveSubscription): void {
    if (sub.reporting || (sub.pending.length === 0 && !sub.reportIfEmpty)) return;
    const taken = sub.pending.splice(0);
    sub.reporting = true;
    sub.queue = sub.queue.then(async () => {
      try {
        for (let i = 0; i === 0 || i < taken.length; i += MAX_EVENTS_PER_REPORT) {
          const part = taken.slice(i, i + MAX_EVENTS_PER_REPORT);
          if ((await this.deliver(sub, part.map((p) => p.event))) === 'interrupted') {
            sub.pending.unshift(...taken.slice(i));
            return;
          }
          this.finished(sub, part.map((p) => p.key));
        }
      } finally {
        sub.reporting = false;
      }
    });
  }

  private async deliver(sub: LiveSubscription, events: readonly StoredEpcisEvent[]): Promise<Outcome> {
    const format = sub['zfc:epcFormat'] ?? 'Always_GS1_Digital_Link';
    // in URN form, what the gateway cannot write as a URN stays a Digital Link: a delivery is never refused
    const unwritten = new Set<string>();
    const urns = answerPrefixes(this.options.source, format)?.orAsGiven(unwritten);
    const doc = queryDocument(events, this.now(), sub.queryName, format, urns);
    (doc['epcisBody'] as { queryResults: Record<string, unknown> }).queryResults['subscriptionID'] = sub.subscriptionID;
    const xml = sub['zfc:deliveryFormat'];
    const body = xml ? queryDocumentXml(doc, xml.cbv) : JSON.stringify(doc);
    const epcHeader = unwritten.size > 0 ? 'No_Preference' : format;
    if (sub.sink) {
      if (this.closed || this.subs.get(sub.subscriptionID) !== sub) return 'interrupted';
      if (!sub.sink.send(body)) {
        this.detach(sub, undefined); // the connection is gone or too far behind: its subscription with it
        return 'interrupted';
      }
      sub.delivered++;
      sub.lastNotifiedAt = this.now();
      sub.lastDelivery = { at: sub.lastNotifiedAt, eventID: events.at(-1)?.eventID ?? '', events: events.length, outcome: 'delivered', status: 101 };
      return 'delivered';
    }
    const attempts = this.options.attempts ?? 5;
    const last = { eventID: events.at(-1)?.eventID ?? '', events: events.length };
    let delay = this.options.backoffMs ?? 500;
    let status = 0;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.closed || this.subs.get(sub.subscriptionID) !== sub) return 'interrupted'; // closing, or unsubscribed meanwhile
      status = await this.post(sub, body, epcHeader);
      if (status >= 200 && status < 300) {
        sub.delivered++;
        sub.lastNotifiedAt = this.now();
        sub.lastDelivery = { at: sub.lastNotifiedAt, ...last, outcome: 'delivered', status };
        return 'delivered';
      }
      if (attempt < attempts) {
        await this.sleep(delay);
        delay *= 2;
      }
    }
    sub.failed++;
    sub.lastDelivery = { at: this.now(), ...last, outcome: 'failed', status };
    return 'failed';
  }

  /** POSTs a delivery, saying how its EPCs are written (`epcFormat`); the HTTP status, or 0 when the callback could not be reached. */
  private post(sub: Subscription & { readonly token: string }, body: string, epcFormat: string): Promise<number> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(sub.dest);
      } catch {
        resolve(0);
        return;
      }
      const xml = sub['zfc:deliveryFormat'];
      const headers = {
        ...EPCIS_HEADERS, 'GS1-EPC-Format': epcFormat, ...(xml ? { 'GS1-CBV-XML-Format': xml.cbv } : {}),
        'content-type': xml?.mediaType ?? 'application/ld+json', 'GS1-Signature': signDelivery(body, sub.token), 'content-length': String(Buffer.byteLength(body)),
      };
      // a redirect is not followed (its status is a failed attempt); the lookup decides which addresses may be connected to
      const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, ...(this.options.lookup ? { lookup: this.options.lookup } : {}) }, (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode ?? 0));
        res.on('error', () => finish(0));
      });
      const timer = setTimeout(() => request.destroy(new Error('the callback did not answer in time')), this.options.timeoutMs ?? 10_000);
      const finish = (status: number): void => {
        clearTimeout(timer);
        resolve(status);
      };
      request.on('error', () => finish(0));
      request.end(body);
    });
  }


  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleeping.delete(t);
        resolve();
      }, ms);
      this.sleeping.set(t, resolve);
    });
  }
}

/** A kept subscription made live: its delivery queue, and a scheduled one's schedule and pending events. */
function live(saved: SavedSubscription, sink?: SubscriptionSink): LiveSubscription {
  return { ...saved, queue: Promise.resolve(), pending: [], reporting: false, ...(saved.schedule ? { timing: parseSchedule(saved.schedule) } : {}), ...(sink ? { sink } : {}) };
}
