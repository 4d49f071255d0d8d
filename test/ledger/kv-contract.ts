/**
 * A small key-value contract for the Ledger compliance suite: each transaction exercises one
 * part of the stub (state, composite keys, ranges, pagination, history, events, identity,
 * transient data, hooks) so the suite can check a ledger's semantics through it. Plain
 * fabric-contract-api, no decorators: it deploys unchanged on Fabric.
 */
import { Context, Contract } from 'fabric-contract-api';
import { canonicalJson } from '../../chaincode/canonical-json';
import { ZfcError } from '../../chaincode/errors';

interface KV {
  key: string;
  value: Buffer;
}

/** The key-value test contract (default contract, name 'kv'). */
export class KvContract extends Contract {
  constructor() {
    super('kv');
  }

  /** Fails every transaction whose first argument starts with 'blocked-', before the function runs. */
  override async beforeTransaction(ctx: Context): Promise<void> {
    const { params } = ctx.stub.getFunctionAndParameters();
    if (params[0]?.startsWith('blocked-')) throw new ZfcError('FORBIDDEN', 'blocked by the before hook', { key: params[0] });
  }

  /** Fails any transaction whose result is 'veto-by-after-hook', after the function ran (and wrote). */
  override async afterTransaction(_ctx: Context, result: unknown): Promise<void> {
    if (result === 'veto-by-after-hook') throw new ZfcError('FORBIDDEN', 'vetoed by the after hook');
  }

  async Put(ctx: Context, key: string, value: string): Promise<string> {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    ctx.stub.setEvent('kv.put', Buffer.from(canonicalJson({ key, value })));
    return value;
  }

  async Get(ctx: Context, key: string): Promise<string> {
    const value = await ctx.stub.getState(key);
    if (!value || value.length === 0) throw new ZfcError('NOT_FOUND', `no key ${key}`, { key });
    return Buffer.from(value).toString('utf8');
  }

  async Delete(ctx: Context, key: string): Promise<string> {
    const value = await ctx.stub.getState(key);
    if (!value || value.length === 0) throw new ZfcError('NOT_FOUND', `no key ${key}`, { key });
    await ctx.stub.deleteState(key);
    ctx.stub.setEvent('kv.delete', Buffer.from(canonicalJson({ key })));
    return '';
  }

  /** Puts several keys: JSON [{ key, value }]. */
  async PutMany(ctx: Context, json: string): Promise<string> {
    const entries = JSON.parse(json) as { key: string; value: string }[];
    for (const e of entries) await ctx.stub.putState(e.key, Buffer.from(e.value, 'utf8'));
    return String(entries.length);
  }

  /** Puts and deletes keys in the given order (JSON [{ key, value }], value null: delete), with one event. */
  async Write(ctx: Context, json: string): Promise<string> {
    const entries = JSON.parse(json) as { key: string; value: string | null }[];
    for (const e of entries) {
      if (e.value === null) await ctx.stub.deleteState(e.key);
      else await ctx.stub.putState(e.key, Buffer.from(e.value, 'utf8'));
    }
    ctx.stub.setEvent('kv.write', Buffer.from(canonicalJson({ keys: entries.map((e) => e.key) })));
    return String(entries.length);
  }

  /** Writes then fails: nothing may remain. */
  async PutThenFail(ctx: Context, key: string, value: string): Promise<string> {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    ctx.stub.setEvent('kv.put', Buffer.from(canonicalJson({ key, value })));
    throw new ZfcError('CONFLICT', 'failing on purpose after a write', { key });
  }

  /** Fails with a plain Error. */
  async FailPlain(_ctx: Context, message: string): Promise<string> {
    throw new Error(message);
  }

  async PutComposite(ctx: Context, objectType: string, attributesJson: string, value: string): Promise<string> {
    const key = ctx.stub.createCompositeKey(objectType, JSON.parse(attributesJson) as string[]);
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return key;
  }

  async QueryComposite(ctx: Context, objectType: string, attributesJson: string): Promise<string> {
    const out: { objectType: string | null; attributes: string[]; value: string }[] = [];
    for await (const kv of ctx.stub.getStateByPartialCompositeKey(objectType, JSON.parse(attributesJson) as string[])) {
      const { objectType: type, attributes } = ctx.stub.splitCompositeKey(kv.key);
      out.push({ objectType: type, attributes, value: Buffer.from(kv.value).toString('utf8') });
    }
    return canonicalJson(out);
  }

  async QueryCompositePage(ctx: Context, objectType: string, attributesJson: string, pageSize: string, bookmark: string): Promise<string> {
    const attributes = JSON.parse(attributesJson) as string[];
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(objectType, attributes, Number(pageSize), bookmark);
    const records = await drain(iterator);
    return canonicalJson({ records: records.map((r) => ctx.stub.splitCompositeKey(r.key).attributes), bookmark: metadata.bookmark, fetched: metadata.fetchedRecordsCount });
  }

  async Range(ctx: Context, startKey: string, endKey: string): Promise<string> {
    const out: { key: string; value: string }[] = [];
    for await (const kv of ctx.stub.getStateByRange(startKey, endKey)) out.push({ key: kv.key, value: Buffer.from(kv.value).toString('utf8') });
    return canonicalJson(out);
  }

  async RangePage(ctx: Context, startKey: string, endKey: string, pageSize: string, bookmark: string): Promise<string> {
    const { iterator, metadata } = await ctx.stub.getStateByRangeWithPagination(startKey, endKey, Number(pageSize), bookmark);
    const records = (await drain(iterator)).map((r) => ({ key: r.key, value: r.value.toString('utf8') }));
    return canonicalJson({ records, bookmark: metadata.bookmark, fetched: metadata.fetchedRecordsCount });
  }

  /** A paginated query followed by a write: Fabric refuses the write. */
  async PageThenPut(ctx: Context, key: string, value: string): Promise<string> {
    const { iterator } = await ctx.stub.getStateByRangeWithPagination('', '', 1, '');
    await iterator.close();
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return value;
  }

  async History(ctx: Context, key: string): Promise<string> {
    const out: { txId: string; value: string; isDelete: boolean }[] = [];
    for await (const m of ctx.stub.getHistoryForKey(key)) out.push({ txId: m.txId, value: Buffer.from(m.value).toString('utf8'), isDelete: m.isDelete });
    return canonicalJson(out);
  }

  /** Read-modify-write of a counter: concurrent increments conflict (MVCC). */
  async Increment(ctx: Context, key: string): Promise<string> {
    const current = await ctx.stub.getState(key);
    const next = (current && current.length > 0 ? Number(Buffer.from(current).toString('utf8')) : 0) + 1;
    await ctx.stub.putState(key, Buffer.from(String(next)));
    ctx.stub.setEvent('kv.increment', Buffer.from(canonicalJson({ key, value: next })));
    return String(next);
  }

  /** Counts the keys in a range with next()/close() and records the count: inserts in the range conflict (phantom). */
  async CountRange(ctx: Context, startKey: string, endKey: string, counterKey: string): Promise<string> {
    const iterator = await ctx.stub.getStateByRange(startKey, endKey);
    let count = 0;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) count++;
    await iterator.close();
    await ctx.stub.putState(counterKey, Buffer.from(String(count)));
    ctx.stub.setEvent('kv.count', Buffer.from(canonicalJson({ counterKey, count })));
    return String(count);
  }

  async WhoAmI(ctx: Context): Promise<string> {
    const id = ctx.clientIdentity;
    const creator = ctx.stub.getCreator();
    return canonicalJson({
      mspId: id.getMSPID(),
      id: id.getID(),
      role: id.getAttributeValue('role'),
      creatorMspId: creator.mspid,
      idBytesArePem: Buffer.from(id.getIDBytes()).toString('utf8').includes('BEGIN CERTIFICATE'),
    });
  }

  async TxInfo(ctx: Context): Promise<string> {
    const ts = ctx.stub.getTxTimestamp();
    return canonicalJson({ txId: ctx.stub.getTxID(), date: ctx.stub.getDateTimestamp().toISOString(), seconds: Number(ts.seconds.toString()), nanos: ts.nanos });
  }

  async GetTransient(ctx: Context, name: string): Promise<string> {
    const value = ctx.stub.getTransient().get(name);
    return value ? Buffer.from(value).toString('utf8') : '';
  }
}

async function drain(iterator: { next(): Promise<{ done?: boolean; value: { key: string; value: Uint8Array } }>; close(): Promise<void> }): Promise<KV[]> {
  const out: KV[] = [];
  for (let r = await iterator.next(); !r.done; r = await iterator.next()) out.push({ key: r.value.key, value: Buffer.from(r.value.value) });
  await iterator.close();
  return out;
}

/** What a chaincode's index exports: the contracts. */
export const contracts = [KvContract];
