/**
 * The EPCIS bench's baseline contract, in a module of its own so that a ledger thread can load
 * it by name (ledger-tools/threaded-ledger.ts): `contracts` is what the bench's ledger runs.
 */
import 'reflect-metadata';
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalBytes } from '../chaincode/canonical-json';
import { EpcisContract } from '../chaincode/epcis-contract';
import { identityHash, KEY } from '../chaincode/keys';

/** The baseline: stores each event as given under one key, and registers the bench caller. */
@Info({ title: 'raw', description: 'benchmark baseline' })
export class RawContract extends Contract {
  constructor() {
    super('raw');
  }

  @Transaction()
  @Returns('string')
  async PutEvents(ctx: Context, eventsJson: string): Promise<string> {
    const events = JSON.parse(eventsJson) as unknown[];
    const txId = ctx.stub.getTxID();
    for (let i = 0; i < events.length; i++) await ctx.stub.putState(`raw|${txId}|${i}`, canonicalBytes(events[i]));
    return String(events.length);
  }

  /** The capture's state shape without its logic: per event one read and one write, one write per document. */
  @Transaction()
  @Returns('string')
  async PutShaped(ctx: Context, eventsJson: string): Promise<string> {
    const events = JSON.parse(eventsJson) as Array<Record<string, unknown>>;
    const txId = ctx.stub.getTxID();
    await Promise.all(events.map((_, i) => ctx.stub.getState(`shape.e|${txId}|${i}`)));
    for (let i = 0; i < events.length; i++) await ctx.stub.putState(`shape.e|${txId}|${i}`, canonicalBytes(events[i]));
    await ctx.stub.putState(`shape.c|${txId}`, canonicalBytes({ capturedBy: 'P-BENCH', recordTime: '2026-03-01T00:00:00.000Z' }));
    return String(events.length);
  }

  @Transaction()
  @Returns('string')
  async Register(ctx: Context, id: string): Promise<string> {
    const link = identityHash(ctx.clientIdentity.getMSPID(), ctx.clientIdentity.getID());
    await ctx.stub.putState(ctx.stub.createCompositeKey(KEY.participant, [id]), canonicalBytes({ id, name: id, role: 'distributor', status: 'active', identities: [] }));
    await ctx.stub.putState(ctx.stub.createCompositeKey(KEY.identity, [link]), canonicalBytes({ participant: id }));
    return id;
  }
}

/** The bench ledger's contracts: the EPCIS contract and the baseline. */
export const contracts = [EpcisContract, RawContract];
