/**
 * The `epcis` contract: EPCIS 2.0 capture and query on the ledger, beside the main contract.
 *
 * `CaptureEvents` takes a whole EPCISDocument (many events per transaction, all or nothing;
 * `CaptureEventsProceeding` captures every event the rules accept and names the others) and
 * emits ONE chaincode event, `EpcisCaptured`, naming what was captured; the events' records are
 * in the transaction's writes, which every ledger hands its followers with the event
 * (LedgerEvent.writes), so projections (trace index, subscriptions) never read world state and
 * no event is in the block twice. Reads answer only what the caller may read (epcis-access.ts),
 * a query plan (chaincode/epcis-match.ts) by walking the stored event records (epcis-ledger.ts),
 * master data conditions by the declarations in world state (epcis-master-data.ts), as the
 * gateway's own projection judges them; the gateway answers the standard's queries from that
 * projection.
 *
 * @example
 * await ledger.submit('epcis:CaptureEvents', [JSON.stringify(epcisDocument)], identity);
 * await ledger.evaluate('epcis:QueryEvents', [JSON.stringify(plan), ''], identity);
 */
import 'reflect-metadata';
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { ZfcError } from './errors';
import { captureDocument, capturedPayload, EPCIS_CAPTURED, type CaptureErrorBehaviour } from './epcis-capture';
import { needsMasterData, queryEvents, readEvent } from './epcis-ledger';
import { ledgerMasterData } from './epcis-master-data';
import type { EpcisQueryPlan } from './epcis-match';
import { validateQueryPlan } from './epcis-validate';
import { requireParticipant } from './access';
import { LedgerReadAccess } from './epcis-access';
import { Tx } from './tx';

/** Largest capture argument accepted (characters of JSON): 10,000 rich events fit. */
export const MAX_CAPTURE_ARGUMENT = 64 * 1024 * 1024;

/** One capture transaction: its writes, its one chaincode event, its result. */
async function capture(ctx: Context, documentJson: string, behaviour: CaptureErrorBehaviour): Promise<string> {
  const tx = new Tx(ctx);
  const outcome = await captureDocument(tx, parseJson(documentJson, 'EPCISDocument', MAX_CAPTURE_ARGUMENT), behaviour);
  await tx.flush();
  ctx.stub.setEvent(EPCIS_CAPTURED, capturedPayload(outcome, tx.time));
  return JSON.stringify(outcome.result);
}

function parseJson(raw: string, what: string, max: number): unknown {
  if (typeof raw !== 'string' || raw.length > max) {
    throw new ZfcError('PAYLOAD_TOO_LARGE', `${what} is larger than ${max} characters`, { limit: max });
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ZfcError('INVALID_ARGUMENT', `${what} is not valid JSON`, { errors: [{ path: '', message: 'is not valid JSON' }] });
  }
}

function parsePlan(raw: string): EpcisQueryPlan {
  return validateQueryPlan(parseJson(raw, 'query plan', 1024 * 1024));
}

/** EPCIS capture and query, as contract `epcis`. */
@Info({ title: 'epcis', description: 'EPCIS 2.0 capture and query' })
export class EpcisContract extends Contract {
  constructor() {
    super('epcis');
  }

  /** Captures every event of an EPCISDocument, all or nothing; returns what was captured and what was a duplicate. */
  @Transaction()
  @Returns('string')
  async CaptureEvents(ctx: Context, documentJson: string): Promise<string> {
    return capture(ctx, documentJson, 'rollback');
  }

  /**
   * Captures the events of an EPCISDocument that the rules accept, and names each one refused
   * and why (`GS1-Capture-Error-Behaviour: proceed`); a bad envelope or caller still refuses it all.
   */
  @Transaction()
  @Returns('string')
  async CaptureEventsProceeding(ctx: Context, documentJson: string): Promise<string> {
    return capture(ctx, documentJson, 'proceed');
  }

  /**
   * One stored event by eventID: EVENT_NOT_FOUND if none, or if the caller may not read it
   * (epcis-access.ts; an event it may not read is not confirmed to exist).
   */
  @Transaction(false)
  @Returns('string')
  async GetEvent(ctx: Context, eventID: string): Promise<string> {
    const tx = new Tx(ctx);
    const access = new LedgerReadAccess(tx, await requireParticipant(tx));
    const stored = await readEvent(ctx.stub, String(eventID));
    if (!stored || !(await access.mayRead(stored.capturedBy))) throw new ZfcError('EVENT_NOT_FOUND', 'no event with this eventID', { eventID });
    return JSON.stringify(stored);
  }

  /**
   * One page of stored events matching a query plan that the caller may read (epcis-access.ts):
   * `{ events, nextPageToken }`. A plan with master data conditions (WD_, HASATTR_, EQ_ATTR_)
   * reads every location declaration first.
   */
  @Transaction(false)
  @Returns('string')
  async QueryEvents(ctx: Context, planJson: string, pageToken: string): Promise<string> {
    const tx = new Tx(ctx);
    const access = new LedgerReadAccess(tx, await requireParticipant(tx));
    const plan = parsePlan(planJson);
    const masterData = needsMasterData(plan) ? await ledgerMasterData(tx) : undefined;
    return JSON.stringify(await queryEvents(ctx.stub, plan, String(pageToken ?? ''), masterData, (recorder) => access.mayRead(recorder)));
  }
}
