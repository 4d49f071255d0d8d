/**
 * Where the EPCIS interface keeps what the ledger does not: named queries, subscriptions (with
 * their signature tokens), deliveries not yet made, and capture jobs (with the document of a
 * job still running), in a section of the gateway's own level database, so a restart resumes
 * them. Keys: `q|name`, `s|subscriptionID` (with its delivery counts and last delivery),
 * `d|subscriptionID|seq`, `c|subscriptions` (the last ledger position whose matching events all
 * have their `d|` record, where subscriptions catch up from after a restart), `j|captureID`,
 * `w|captureID` (the work of a running job). Values are JSON.
 */
import type { AbstractSublevel } from 'abstract-level';

/**
 * One write of a {@link EpcisRecords.batch}. A put's value is JSON, or (`valueEncoding: 'utf8'`)
 * a string stored as it is: a capture's document is most of the bytes a job writes, and JSON
 * would escape every quote of it on the way in and back out.
 */
export type RecordOp = { readonly type: 'put'; readonly key: string; readonly value: unknown; readonly valueEncoding?: 'utf8' } | { readonly type: 'del'; readonly key: string };

/** A level section with JSON values (a sublevel of the gateway's database). */
export type JsonSection = AbstractSublevel<any, any, string, unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any

const END = '\xff';

/** The EPCIS records of one gateway. */
export class EpcisRecords {
  /** Writes issued and not yet settled, so close() can wait for them. */
  private writes = new Set<Promise<void>>();

  constructor(private readonly db: JsonSection) {}

  /** Every value under `prefix`, in key order, with its key (without the prefix). */
  async list<T>(prefix: string): Promise<Array<[string, T]>> {
    const out: Array<[string, T]> = [];
    for await (const [k, v] of this.db.iterator({ gte: prefix, lt: prefix + END })) out.push([k.slice(prefix.length), v as T]);
    return out;
  }

  /** Every value under `prefix` as the text stored, in key order, with its key (without the prefix). */
  async listText(prefix: string): Promise<Array<[string, string]>> {
    const out: Array<[string, string]> = [];
    for await (const [k, v] of this.db.iterator({ gte: prefix, lt: prefix + END, valueEncoding: 'utf8' })) out.push([k.slice(prefix.length), v as string]);
    return out;
  }

  /** Stores a value (settles when durable). */
  put(key: string, value: unknown): Promise<void> {
    return this.track(this.db.put(key, value));
  }

  /** Deletes a key (and, with `prefix` true, every key under it). */
  del(key: string, prefix = false): Promise<void> {
    return this.track(prefix ? this.db.clear({ gte: key, lt: key + END }) : this.db.del(key));
  }

  /** Writes several puts and deletes atomically (settles when durable). */
  batch(ops: readonly RecordOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return this.track(this.db.batch(ops.map((op) => ({ ...op }))));
  }

  /** One value, or undefined. */
  async get<T>(key: string): Promise<T | undefined> {
    return (await this.db.get(key)) as T | undefined;
  }

  /** One value as the text stored, or undefined. */
  async getText(key: string): Promise<string | undefined> {
    return (await this.db.get(key, { valueEncoding: 'utf8' })) as string | undefined;
  }

  /** Resolves once every write issued so far has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.writes]);
  }

  private track(p: Promise<void>): Promise<void> {
    const done = p.catch((err: unknown) => {
      process.stderr.write(`[epcis] a record could not be written: ${err instanceof Error ? err.message : String(err)}\n`);
    });
    this.writes.add(done);
    void done.then(() => this.writes.delete(done));
    return p;
  }
}
