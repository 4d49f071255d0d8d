/**
 * Named queries and streaming subscriptions (EPCIS 2.0 §8.2.5, REST binding `/queries`): a
 * client names a query, subscribes to it with a callback URL and a signature token, and each
 * new event on the ledger that matches is POSTed to the callback as an EPCISQueryDocument
 * (queryName, subscriptionID) signed with HMAC-SHA256 of the exact body under the token, in the
 * `GS1-Signature` header (`sha256=<hex>`). Failed deliveries are retried with exponential
 * backoff; deliveries of one subscription stay in ledger order.
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
import { CaptureWritesMissingError } from '../chaincode/epcis-capture';
import type { StoredEpcisEvent } from '../chaincode/epcis-ledger';
import { matchesPlan, type EpcisQueryPlan } from '../chaincode/epcis-match';
import { ZfcError } from '../chaincode/errors';
import type { Checkpoint, Ledger, LedgerEvent } from '../ledger-tools/ledger';
import { epcisEventsOf, type EpcisListener } from './epcis-projection';
import type { EpcisRecords, RecordOp } from './epcis-records';
import { EPCIS_HEADERS, queryDocument } from './epcis-query';

/** A named query. */
export interface NamedQuery {
  readonly name: string;
  readonly plan: EpcisQueryPlan;
  /** The query parameters as given, for reading the definition back. */
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly owner: string;
  readonly createdAt: string;
}

/** A streaming subscription to a named query. */
export interface Subscription {
  readonly subscriptionID: string;
  readonly queryName: string;
  readonly dest: string;
  readonly owner: string;
  readonly createdAt: string;
  /** Deliveries made, and deliveries abandoned after every retry failed. */
  delivered: number;
  failed: number;
  /** The last delivery that ended (made or abandoned); absent before the first. */
  lastDelivery?: LastDelivery;
}

/** How a subscription's last delivery ended. */
export interface LastDelivery {
  readonly at: string;
  readonly eventID: string;
  readonly outcome: 'delivered' | 'failed';
  /** The callback's HTTP status on the last attempt; 0 when it could not be reached. */
  readonly status: number;
}

/** Where events come from: the projection's listener registration and its access rule. */
export interface EventSource {
  listen(listener: EpcisListener): () => void;
  /** True if the participant may read the event; deliveries go only to owners who may. */
  visible?(event: StoredEpcisEvent, viewer: string): boolean;
  /** Resolves once the source has applied a transaction (so {@link visible} knows what it made). */
  applied?(txId: string): Promise<void>;
}

/** Options of {@link EpcisSubscriptions}. */
export interface SubscriptionOptions {
  readonly source: EventSource;
  /** Attempts per delivery (first try included). Default 5. */
  readonly attempts?: number;
  /** First retry delay; doubled each time. Default 500 ms. */
  readonly backoffMs?: number;
  /** Which callback URLs are allowed. Default: https only. */
  readonly allowDestination?: (url: URL) => boolean;
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

type LiveSubscription = Subscription & { readonly token: string; queue: Promise<void> };
type SavedSubscription = Omit<LiveSubscription, 'queue'>;
type Outcome = 'delivered' | 'failed' | 'interrupted';

/** Where the checkpoint of the ledger position followed is kept. */
const CHECKPOINT = 'c|subscriptions';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
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

  constructor(private readonly options: SubscriptionOptions) {
    const followsLedger = options.ledger !== undefined && options.records !== undefined;
    this.stop = followsLedger ? () => this.abort.abort() : options.source.listen((e) => this.offer(e));
  }

  private now(): string {
    return (this.options.clock ?? (() => new Date()))().toISOString();
  }

  /**
   * Takes up what the records hold: queries, subscriptions, and the deliveries a previous run
   * left undone (retried from the first attempt, in their order). Call once, before serving.
   */
  async restore(): Promise<void> {
    const records = this.options.records;
    if (!records) return;
    for (const [, q] of await records.list<NamedQuery>('q|')) this.queries.set(q.name, q);
    for (const [, saved] of await records.list<SavedSubscription>('s|')) this.subs.set(saved.subscriptionID, { ...saved, queue: Promise.resolve() });
    for (const [key, event] of await records.list<StoredEpcisEvent>('d|')) {
      const sub = this.subs.get(key.slice(0, key.indexOf('|')));
      if (sub) this.enqueue(sub, event, `d|${key}`);
      else await records.del(`d|${key}`);
    }
    if (this.options.ledger) await this.startFollowing(this.options.ledger, records);
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
      if (this.closed) return;
      await this.offerAt(decoded, { blockNumber: e.blockNumber, txIndex: e.txIndex });
    }
  }

  /** Waits for the source to apply a transaction, or for close. */
  private async sourceApplied(txId: string): Promise<void> {
    const applied = this.options.source.applied?.(txId);
    if (!applied) return;
    const signal = this.abort.signal;
    await Promise.race([applied, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
  }

  /** Offers a ledger event's EPCIS events; their delivery records and the position are written together. */
  private async offerAt(events: readonly StoredEpcisEvent[], at: Checkpoint): Promise<void> {
    const ops: RecordOp[] = [];
    const queued: Array<[LiveSubscription, StoredEpcisEvent, string]> = [];
    for (const event of events) {
      for (const sub of this.matching(event)) {
        const key = this.deliveryKey(sub);
        ops.push({ type: 'put', key, value: event });
        queued.push([sub, event, key]);
      }
    }
    this.position = at;
    if (ops.length === 0) {
      this.positionDirty = true;
      this.scheduleSave();
      return;
    }
    ops.push({ type: 'put', key: CHECKPOINT, value: at });
    await this.options.records?.batch(ops);
    this.positionDirty = false;
    for (const [sub, event, key] of queued) this.enqueue(sub, event, key);
  }

  /** Defines a named query (CONFLICT if the name is taken). */
  async define(name: string, plan: EpcisQueryPlan, query: Readonly<Record<string, string | string[]>>, owner: string): Promise<NamedQuery> {
    if (typeof name !== 'string' || !NAME.test(name)) throw bad('/name', 'must be 1–64 letters, digits, _ . - (starting with a letter or digit)');
    if (this.queries.has(name)) throw new ZfcError('CONFLICT', `a query named ${name} exists`, { name });
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

  /** Subscribes a callback to a named query's new events. */
  async subscribe(queryName: string, dest: unknown, signatureToken: unknown, owner: string): Promise<Subscription> {
    this.query(queryName);
    const url = this.destination(dest);
    if (typeof signatureToken !== 'string' || signatureToken.length < 16 || signatureToken.length > MAX_TOKEN) {
      throw bad('/signatureToken', `must be a string of 16 to ${MAX_TOKEN} characters`);
    }
    const sub: LiveSubscription = { subscriptionID: randomUUID(), queryName, dest: url.toString(), owner, createdAt: this.now(), delivered: 0, failed: 0, token: signatureToken, queue: Promise.resolve() };
    this.subs.set(sub.subscriptionID, sub);
    await this.save(sub);
    return this.view(sub);
  }

  /** Ends a subscription (NOT_FOUND if unknown; FORBIDDEN if another participant's). */
  async unsubscribe(subscriptionID: string, owner: string): Promise<void> {
    const sub = this.subs.get(subscriptionID);
    if (!sub) throw new ZfcError('NOT_FOUND', 'no such subscription', { subscriptionID });
    if (sub.owner !== owner) throw new ZfcError('FORBIDDEN', 'the subscription belongs to another participant', { subscriptionID });
    this.subs.delete(subscriptionID);
    await this.options.records?.del(`s|${subscriptionID}`);
    await this.options.records?.del(`d|${subscriptionID}|`, true);
  }

  /** The subscriptions of a query (of one owner's, when given). */
  subscriptionsOf(queryName: string, owner?: string): Subscription[] {
    return [...this.subs.values()].filter((s) => s.queryName === queryName && (owner === undefined || s.owner === owner)).map((s) => this.view(s));
  }

  /** One subscription of a query, as its owner sees it (NOT_FOUND, or FORBIDDEN for another's). */
  subscription(queryName: string, subscriptionID: string, owner: string): Subscription {
    const sub = this.subs.get(subscriptionID);
    if (!sub || sub.queryName !== queryName) throw new ZfcError('NOT_FOUND', 'no such subscription', { subscriptionID });
    if (sub.owner !== owner) throw new ZfcError('FORBIDDEN', 'the subscription belongs to another participant', { subscriptionID });
    return this.view(sub);
  }

  /**
   * Stops listening and waits for deliveries in flight (retries still pending are dropped and
   * kept for the next start), then writes counts, finished deliveries and the checkpoint.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.stop();
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

  private save(sub: LiveSubscription): Promise<void> {
    return this.options.records?.put(`s|${sub.subscriptionID}`, this.saved(sub)) ?? Promise.resolve();
  }

  private saved(sub: LiveSubscription): SavedSubscription {
    return { ...this.view(sub), token: sub.token };
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
    const view: Subscription = { subscriptionID: s.subscriptionID, queryName: s.queryName, dest: s.dest, owner: s.owner, createdAt: s.createdAt, delivered: s.delivered, failed: s.failed };
    return s.lastDelivery ? { ...view, lastDelivery: s.lastDelivery } : view;
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

  /** The subscriptions an event is for: their query matches and their owner may read it. */
  private matching(event: StoredEpcisEvent): LiveSubscription[] {
    const out: LiveSubscription[] = [];
    for (const sub of this.subs.values()) {
      const q = this.queries.get(sub.queryName);
      if (!q || !matchesPlan(event, q.plan)) continue;
      if (this.options.source.visible && !this.options.source.visible(event, sub.owner)) continue;
      out.push(sub);
    }
    return out;
  }

  private deliveryKey(sub: Subscription): string {
    return `d|${sub.subscriptionID}|${String(Date.now()).padStart(15, '0')}.${String(this.seq++).padStart(9, '0')}`;
  }

  /** Listener mode: an event the source applied. */
  private offer(event: StoredEpcisEvent): void {
    if (this.closed) return;
    for (const sub of this.matching(event)) {
      const key = this.deliveryKey(sub);
      void this.options.records?.put(key, event).catch(() => undefined);
      this.enqueue(sub, event, key);
    }
  }

  /** Queues a delivery; its record is removed once it is made or abandoned (at the next save), kept if interrupted. */
  private enqueue(sub: LiveSubscription, event: StoredEpcisEvent, key: string): void {
    sub.queue = sub.queue.then(async () => {
      const outcome = await this.deliver(sub, event);
      if (outcome === 'interrupted' || !this.options.records) return;
      this.done.push(key);
      this.dirty.add(sub.subscriptionID);
      this.scheduleSave();
    });
  }

  private async deliver(sub: LiveSubscription, event: StoredEpcisEvent): Promise<Outcome> {
    const doc = queryDocument([event], this.now(), sub.queryName);
    (doc['epcisBody'] as { queryResults: Record<string, unknown> }).queryResults['subscriptionID'] = sub.subscriptionID;
    const body = JSON.stringify(doc);
    const attempts = this.options.attempts ?? 5;
    let delay = this.options.backoffMs ?? 500;
    let status = 0;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.closed) return 'interrupted';
      status = await this.post(sub, body);
      if (status >= 200 && status < 300) {
        sub.delivered++;
        sub.lastDelivery = { at: this.now(), eventID: event.eventID, outcome: 'delivered', status };
        return 'delivered';
      }
      if (attempt < attempts) {
        await this.sleep(delay);
        delay *= 2;
      }
    }
    sub.failed++;
    sub.lastDelivery = { at: this.now(), eventID: event.eventID, outcome: 'failed', status };
    return 'failed';
  }

  /** POSTs a delivery; the HTTP status, or 0 when the callback could not be reached. */
  private async post(sub: Subscription & { readonly token: string }, body: string): Promise<number> {
    try {
      const res = await fetch(sub.dest, {
        method: 'POST',
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        headers: { ...EPCIS_HEADERS, 'content-type': 'application/ld+json', 'GS1-Signature': signDelivery(body, sub.token) },
        body,
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch {
      return 0;
    }
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
