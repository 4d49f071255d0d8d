/**
 * A contract whose one transaction ends the thread it runs in, as a fault in a ledger thread
 * would (test/ledger/threaded.test.ts): the calling thread must report LEDGER_UNAVAILABLE, not hang.
 */
import { Context, Contract } from 'fabric-contract-api';
import { KvContract } from './kv-contract';

/** `Exit` ends the ledger thread with code 3; `kv` is there to show the ledger worked before. */
export class ExitContract extends Contract {
  constructor() {
    super('exit');
  }

  async Exit(_ctx: Context): Promise<string> {
    process.exit(3);
  }
}

/** What the ledger thread loads. */
export const contracts = [KvContract, ExitContract];
