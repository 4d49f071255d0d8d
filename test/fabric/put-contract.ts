/**
 * The benchmark's baseline contract: the least a Fabric transaction can do, put one key
 * (and, for the events baseline, emit one event). `npm run bench:fabric` deploys it next
 * to the real contract and compares their rates in the same run.
 */
import { Context, Contract, Transaction } from 'fabric-contract-api';

/** Puts one key per transaction. */
export class PutContract extends Contract {
  constructor() {
    super('put');
  }

  /** Writes `value` under `key` and emits one event naming the key. */
  @Transaction()
  async Put(ctx: Context, key: string, value: string): Promise<void> {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    ctx.stub.setEvent('Put', Buffer.from(key, 'utf8'));
  }

  /** Reads one key back (empty if absent). */
  @Transaction(false)
  async Get(ctx: Context, key: string): Promise<string> {
    return Buffer.from(await ctx.stub.getState(key)).toString('utf8');
  }
}

/** What fabric-chaincode-node looks for in the module it serves. */
export const contracts = [PutContract];
