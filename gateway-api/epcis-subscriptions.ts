/**
 * Named queries and streaming subscriptions (EPCIS 2.0 §8.2.5, REST binding `/queries`): a
 * client names a query, subscribes to it with a callback URL and a signature token, and each
 * new event on the ledger that matches is POSTed to the callback as an EPCISQueryDocument
 * (queryName, subscriptionID) signed with HMAC-SHA256 of the exact body under the token, in the
 * `GS1-Signature` header (`sha256=<hex>`). Failed deliveries are retried with exponential
 * backoff; deliveries of one subscription stay in ledger order.
 *
 * Subscriptions are fed by the projection (epcis-projection.ts): they see events committed after
 * they were made. With records (epcis-records.ts) queries, subscriptions and each delivery not
 * yet made are kept in the gateway's database: {@link EpcisSubscriptions.restore} after a restart
 * takes up the deliveries left undone. Callback URLs are checked by a policy (https only by
 * default) so the gateway cannot be turned against internal addresses.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { StoredEpcisEvent } from '../chaincode/epcis-ledger';
import { matchesPlan, type EpcisQueryPlan } from '../chaincode/epcis-match';
import { ZfcError } from '../chaincode/errors';
import type { EpcisListener } from './epcis-projection';
import type { EpcisRecords } from './epcis-records';
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
}

/** Where events come from: the projection's listener registration and its access rule. */
export interface EventSource {
  listen(listener: EpcisListener): () => void;
  /** True if the participant may read the event; deliveries go only to owners who may. */
  visible?(event: StoredEpcisEvent, viewer: string): boolean;
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
}

type LiveSubscription = Subscription & { readonly token: string; queue: Promise<void> };
type SavedSubscription = Omit<LiveSubscription, 'queue'>;
type Outcome = 'delivered' | 'failed' | 'interrupted';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_TOKEN = 1024;

/** HMAC-SHA256 of a delivery body under a subscription's token: the `GS1-Signature` value. */
export function signDelivery(body: string, token: string): string {
  return `sha256=${createHmac('sha256', token).update(body, 'utf8').digest('hex')}`;
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

  constructor(private readonly options: SubscriptionOptions) {
    this.stop = options.source.listen((e) => this.offer(e));
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

  /** The subscriptions of a query. */
  subscriptionsOf(queryName: string): Subscription[] {
    return [...this.subs.values()].filter((s) => s.queryName === queryName).map((s) => this.view(s));
  }

  /** Stops listening and waits for deliveries in flight (retries still pending are dropped). */
  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    for (const [t, wake] of this.sleeping) {
      clearTimeout(t);
      wake();
    }
    this.sleeping.clear();
    await Promise.all([...this.subs.values()].map((s) => s.queue.catch(() => undefined)));
    await this.options.records?.settled();
  }

  private save(sub: LiveSubscription): Promise<void> {
    const saved: SavedSubscription = { ...this.view(sub), token: sub.token };
    return this.options.records?.put(`s|${sub.subscriptionID}`, saved) ?? Promise.resolve();
  }

  private view(s: Subscription): Subscription {
    return { subscriptionID: s.subscriptionID, queryName: s.queryName, dest: s.dest, owner: s.owner, createdAt: s.createdAt, delivered: s.delivered, failed: s.failed };
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

  private offer(event: StoredEpcisEvent): void {
    if (this.closed) return;
    for (const sub of this.subs.values()) {
      const q = this.queries.get(sub.queryName);
      if (!q || !matchesPlan(event, q.plan)) continue;
      if (this.options.source.visible && !this.options.source.visible(event, sub.owner)) continue;
      const key = `d|${sub.subscriptionID}|${String(Date.now()).padStart(15, '0')}.${String(this.seq++).padStart(9, '0')}`;
      void this.options.records?.put(key, event).catch(() => undefined);
      this.enqueue(sub, event, key);
    }
  }

  /** Queues a delivery; its record is removed once it is made or abandoned, kept if interrupted. */
  private enqueue(sub: LiveSubscription, event: StoredEpcisEvent, key: string): void {
    sub.queue = sub.queue.then(async () => {
      const outcome = await this.deliver(sub, event);
      if (outcome === 'interrupted' || !this.options.records) return;
      await this.options.records.del(key).catch(() => undefined);
      if (this.subs.has(sub.subscriptionID)) await this.save(sub).catch(() => undefined);
    });
  }

  private async deliver(sub: LiveSubscription, event: StoredEpcisEvent): Promise<Outcome> {
    const doc = queryDocument([event], this.now(), sub.queryName);
    (doc['epcisBody'] as { queryResults: Record<string, unknown> }).queryResults['subscriptionID'] = sub.subscriptionID;
    const body = JSON.stringify(doc);
    const attempts = this.options.attempts ?? 5;
    let delay = this.options.backoffMs ?? 500;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.closed) return 'interrupted';
      if (await this.post(sub, body)) {
        sub.delivered++;
        return 'delivered';
      }
      if (attempt < attempts) {
        await this.sleep(delay);
        delay *= 2;
      }
    }
    sub.failed++;
    return 'failed';
  }

  private async post(sub: Subscription & { readonly token: string }, body: string): Promise<boolean> {
    try {
      const res = await fetch(sub.dest, {
        method: 'POST',
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        headers: { ...EPCIS_HEADERS, 'content-type': 'application/ld+json', 'GS1-Signature': signDelivery(body, sub.token) },
        body,
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok;
    } catch {
      return false;
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
