/**
 * The fabric-contract-api contract: one thin method per transaction. Each parses and
 * validates its one JSON argument, runs the rule module, records the evidence (EPCIS events,
 * lot histories), emits exactly one chaincode event and returns the event's envelope without
 * its EPCIS events. Reads are `@Transaction(false)` and return their answer as canonical JSON.
 */
import 'reflect-metadata';
import './quiet-annotations';
import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';
import { ZfcError } from './errors';
import { EVENT_VERSION, encodeEvent, type AnyEventEnvelope, type EventBodies, type EventName } from './events';
import { recordEvidence } from './history';
import { parseInput } from './validate';
import { Tx } from './tx';
import { QUERIES } from './queries';
import * as participant from './participant';
import { registerProduct } from './product';
import { createLot, placeHold, releaseHold } from './lot';
import { recordInspection } from './inspection';
import { recordDisposal } from './disposal';
import { commissionItems } from './item';
import { recordTest } from './test-result';
import { transformLots } from './transformation';
import { aggregate, disaggregate } from './aggregation';
import { receive, ship } from './shipment';
import { recordScans } from './scan';
import { continueRecall, issueRecall } from './recall';
import type { TransactionInputs, TransactionName } from './schemas';

/** The contract's name (`zfc:Fn` on the ledger; `Fn` alone works too, as it is the default). */
export const CONTRACT_NAME = 'zfc';

/** What a submit returns: the event envelope without its EPCIS events, plus their IDs. */
export type SubmitAnswer<N extends EventName = EventName> = Omit<Extract<AnyEventEnvelope, { type: N }>, 'epcis'> & { eventIDs: string[] };

type Rule<T extends TransactionName, E extends EventName> = (tx: Tx, input: TransactionInputs[T]) => Promise<EventBodies[E]>;

/** Runs a write: validate, rule, evidence, one event. */
export async function runSubmit<T extends TransactionName, E extends EventName>(ctx: Context, name: T, raw: unknown, event: E, rule: Rule<T, E>): Promise<string> {
  const input = parseInput(name, raw);
  const tx = new Tx(ctx);
  const body = await rule(tx, input);
  await recordEvidence(tx, event);
  await tx.flush();
  const envelope = { v: EVENT_VERSION, type: event, txId: tx.txId, timestamp: tx.time, caller: tx.callerId, body, epcis: tx.epcis } as AnyEventEnvelope;
  ctx.stub.setEvent(event, encodeEvent(envelope));
  const { epcis, ...answer } = envelope;
  return canonicalJson({ ...answer, eventIDs: epcis.map((e) => e.eventID) });
}

/** Runs a read. */
export async function runQuery<N extends keyof typeof QUERIES>(ctx: Context, name: N, raw: unknown): Promise<string> {
  const input = parseInput(name, raw);
  const query = QUERIES[name] as (tx: Tx, input: TransactionInputs[N]) => Promise<unknown>;
  return canonicalJson(await query(new Tx(ctx), input));
}

/** The Zhe Food Chain contract. */
@Info({ title: 'Zhe Food Chain', description: 'Food traceability: lots, tests, custody, transformations, scans, holds and recalls.' })
export class ZfcContract extends Contract {
  constructor() {
    super(CONTRACT_NAME);
  }

  /** Refuses an unknown function with UNKNOWN_TRANSACTION. */
  override async unknownTransaction(ctx: Context): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    throw new ZfcError('UNKNOWN_TRANSACTION', `no transaction ${fcn.slice(0, 100)}`, { fn: fcn.slice(0, 100) });
  }

  @Transaction() @Param('input', 'string') @Returns('string')
  async Init(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'Init', input, 'ParticipantRegistered', participant.init); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async RegisterParticipant(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'RegisterParticipant', input, 'ParticipantRegistered', participant.register); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async SuspendParticipant(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'SuspendParticipant', input, 'ParticipantSuspended', participant.suspend); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async ReinstateParticipant(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'ReinstateParticipant', input, 'ParticipantReinstated', participant.reinstate); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async AddIdentity(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'AddIdentity', input, 'IdentityAdded', participant.addIdentity); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async RemoveIdentity(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'RemoveIdentity', input, 'IdentityRemoved', participant.removeIdentity); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async RegisterProduct(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'RegisterProduct', input, 'ProductRegistered', registerProduct); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async CreateLot(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'CreateLot', input, 'LotCreated', createLot); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async CommissionItems(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'CommissionItems', input, 'ItemsCommissioned', commissionItems); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async RecordTest(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'RecordTest', input, 'TestRecorded', recordTest); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async TransformLots(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'TransformLots', input, 'LotTransformed', transformLots); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async Aggregate(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'Aggregate', input, 'Aggregated', aggregate); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async Disaggregate(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'Disaggregate', input, 'Disaggregated', disaggregate); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async Ship(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'Ship', input, 'Shipped', ship); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async Receive(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'Receive', input, 'Received', receive); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async RecordScans(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'RecordScans', input, 'Scanned', recordScans); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async PlaceHold(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'PlaceHold', input, 'LotHeld', placeHold); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async ReleaseHold(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'ReleaseHold', input, 'LotReleased', releaseHold); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async IssueRecall(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'IssueRecall', input, 'RecallIssued', issueRecall); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async ContinueRecall(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'ContinueRecall', input, 'RecallProgressed', continueRecall); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async RecordInspection(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'RecordInspection', input, 'InspectionRecorded', recordInspection); }

  @Transaction() @Param('input', 'string') @Returns('string')
  async RecordDisposal(ctx: Context, input: string): Promise<string> { return runSubmit(ctx, 'RecordDisposal', input, 'StockDisposed', recordDisposal); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetCaller(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetCaller', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetParticipant(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetParticipant', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetProduct(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetProduct', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetLot(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetLot', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetItem(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetItem', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetContainer(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetContainer', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetShipment(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetShipment', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetRecall(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetRecall', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetInspection(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetInspection', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetLotHistory(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetLotHistory', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetLotLineage(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetLotLineage', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async TraceBack(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'TraceBack', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async TraceForward(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'TraceForward', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async ListWarnings(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'ListWarnings', input); }

  @Transaction(false) @Param('input', 'string') @Returns('string')
  async GetEpcisEvent(ctx: Context, input: string): Promise<string> { return runQuery(ctx, 'GetEpcisEvent', input); }
}
