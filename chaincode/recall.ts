/**
 * Recalls: a regulator (or the producer of every named lot, for a voluntary recall) recalls
 * lots, and the recall marks every lot made from them, downstream through the lineage edges,
 * as recalled. Propagation is breadth-first and bounded by a per-transaction budget of lots
 * visited; the rest waits in the recall's cursor (`pending`) for ContinueRecall transactions,
 * and the recall's status says how far it got. A visit key per (recall, lot) makes every lot
 * visited once, however many paths lead to it. While a recall is incomplete, an open-recall
 * key names its lots, so that recall-gate.ts refuses lots it has not reached yet.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireParticipant } from './access';
import { getLot, listHoldings, putLot } from './lot';
import { recalled } from './epcis-event';
import { closeRecall, openRecall } from './recall-gate';
import { LIMITS, type TransactionInputs } from './schemas';
import type { AffectedLot, LineageEdge, Lot, LotRef, Participant, Recall } from './records';
import type { Tx } from './tx';
import type { EventBodies } from './events';

type Pending = Recall['pending'][number];

/** Reads a recall or throws RECALL_NOT_FOUND. */
export function getRecall(tx: Tx, recallId: string): Promise<Recall> {
  return tx.need<Recall>(KEY.recall, [recallId], () => new ZfcError('RECALL_NOT_FOUND', `recall ${recallId} not found`, { recallId }));
}

/** The lots made directly from a lot (its lineage edges downstream). */
export async function outputsOf(tx: Tx, ref: LotRef): Promise<LineageEdge[]> {
  return (await tx.list<LineageEdge>(KEY.output, [ref.gtin, ref.lot])).map((e) => e.value);
}

/** The lots a lot was made from directly. */
export async function inputsOf(tx: Tx, ref: LotRef): Promise<LineageEdge[]> {
  return (await tx.list<LineageEdge>(KEY.input, [ref.gtin, ref.lot])).map((e) => e.value);
}

async function visited(tx: Tx, recallId: string, ref: LotRef): Promise<boolean> {
  return (await tx.get(KEY.recallVisit, [recallId, ref.gtin, ref.lot])) !== undefined;
}

async function mark(tx: Tx, recall: Recall, next: Pending): Promise<AffectedLot | undefined> {
  await tx.put(KEY.recallVisit, [recall.recallId, next.gtin, next.lot], { depth: next.depth });
  const lot = await getLot(tx, next);
  if (lot.status !== 'recalled') {
    const updated: Lot = { ...lot, status: 'recalled', recall: { recallId: recall.recallId, at: tx.time, txId: tx.txId } };
    await putLot(tx, updated);
  }
  const holders = (await listHoldings(tx, lot)).filter((h) => h.quantity > 0).map((h) => ({ participant: h.holder, quantity: h.quantity, unit: h.unit }));
  return { gtin: lot.gtin, lot: lot.lot, depth: next.depth, holders, ...(next.via ? { via: next.via } : {}) };
}

/** Visits up to `budget` pending lots, marking them and queueing their outputs. */
async function propagate(tx: Tx, recall: Recall, budget: number): Promise<{ recall: Recall; marked: AffectedLot[] }> {
  const queue: Pending[] = [...recall.pending];
  const marked: AffectedLot[] = [];
  let visits = 0;
  while (queue.length > 0 && visits < budget) {
    const next = queue.shift() as Pending;
    if (await visited(tx, recall.recallId, next)) continue;
    visits++;
    const affected = await mark(tx, recall, next);
    if (affected) marked.push(affected);
    for (const edge of await outputsOf(tx, next)) {
      if (await visited(tx, recall.recallId, edge.output)) continue;
      if (queue.some((q) => q.gtin === edge.output.gtin && q.lot === edge.output.lot)) continue;
      queue.push({ gtin: edge.output.gtin, lot: edge.output.lot, depth: next.depth + 1, via: { gtin: next.gtin, lot: next.lot } });
    }
  }
  const done = queue.length === 0;
  const updated: Recall = {
    ...recall, pending: queue, lotsMarked: recall.lotsMarked + marked.length, transactions: recall.transactions + 1,
    status: done ? 'complete' : 'propagating', ...(done ? { completedAt: tx.time } : {}),
  };
  await tx.put(KEY.recall, [recall.recallId], updated);
  await trackOpen(tx, recall, updated);
  recalled(tx, recall.recallId, marked, recall.reason);
  return { recall: updated, marked };
}

/** Keeps the open-recall key in step: written when a recall first stops short, deleted when it completes. */
async function trackOpen(tx: Tx, before: Recall, after: Recall): Promise<void> {
  const wasOpen = before.transactions > 0 && before.status === 'propagating';
  if (after.status === 'propagating' && !wasOpen) await openRecall(tx, after);
  if (after.status === 'complete' && wasOpen) await closeRecall(tx, after.recallId);
}

async function authorise(tx: Tx, caller: Participant, lots: readonly LotRef[]): Promise<boolean> {
  if (caller.role === 'regulator') return false;
  for (const ref of lots) {
    const lot = await getLot(tx, ref);
    if (lot.producer !== caller.id) {
      throw new ZfcError('FORBIDDEN', `only a regulator or the lot's producer may recall lot ${lot.gtin}/${lot.lot}`, { gtin: lot.gtin, lot: lot.lot, role: caller.role });
    }
  }
  return true;
}

/** Issues a recall and propagates it as far as the budget allows. */
export async function issueRecall(tx: Tx, input: TransactionInputs['IssueRecall']): Promise<EventBodies['RecallIssued']> {
  const caller = await requireParticipant(tx);
  if (await tx.get(KEY.recall, [input.recallId])) throw new ZfcError('RECALL_EXISTS', `recall ${input.recallId} already exists`, { recallId: input.recallId });
  const voluntary = await authorise(tx, caller, input.lots);
  for (const ref of input.lots) await getLot(tx, ref);
  const recall: Recall = {
    recallId: input.recallId, lots: input.lots.map((l) => ({ gtin: l.gtin, lot: l.lot })), reason: input.reason, class: input.class,
    issuedBy: caller.id, voluntary, issuedAt: tx.time, txId: tx.txId, status: 'propagating',
    pending: input.lots.map((l) => ({ gtin: l.gtin, lot: l.lot, depth: 0 })), lotsMarked: 0, transactions: 0,
  };
  return propagate(tx, recall, input.budget ?? LIMITS.defaultRecallBudget);
}

/** Continues a recall's propagation from its cursor (its issuer or any regulator). */
export async function continueRecall(tx: Tx, input: TransactionInputs['ContinueRecall']): Promise<EventBodies['RecallProgressed']> {
  const caller = await requireParticipant(tx);
  const recall = await getRecall(tx, input.recallId);
  if (caller.role !== 'regulator' && caller.id !== recall.issuedBy) {
    throw new ZfcError('FORBIDDEN', 'only a regulator or the recall\'s issuer may continue it', { recallId: recall.recallId, role: caller.role });
  }
  if (recall.status === 'complete') throw new ZfcError('INVALID_STATE', `recall ${recall.recallId} is complete`, { recallId: recall.recallId });
  return propagate(tx, recall, input.budget ?? LIMITS.defaultRecallBudget);
}
