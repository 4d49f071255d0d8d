/**
 * Disposal: a holder records that it destroyed, or otherwise disposed of, a quantity of a lot —
 * recalled stock taken off the shelves and destroyed under a regulator's eye (监督销毁), a held
 * lot that will not be released, food spoiled or past its date. The quantity leaves the holder's
 * holding for good, under a key of its own and with an EPCIS event (ObjectEvent DELETE,
 * destroying / destroyed or disposed), so a recall can be closed out on the ledger: what was
 * sold before it, what was destroyed, and what is still out there and where. Before it,
 * recalled stock could never leave a holding: a recall refuses every sale, shipment and
 * transformation of it, so every shop that had withdrawn and destroyed it still "held" it.
 *
 * Any status may be disposed of (that is the point for recalled and held lots); the quantity
 * must be free in the holder's holding (not packed in a case or pallet), as for a sale.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireRole } from './access';
import { debit, getLot } from './lot';
import { disposed } from './epcis-event';
import type { Disposal, Participant, Role } from './records';
import type { TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** Who holds stock, and so may dispose of it. */
export const DISPOSAL_ROLES: readonly Role[] = ['producer', 'processor', 'distributor', 'retailer'];

/** The holder destroys or disposes of a quantity of a lot it holds. */
export async function recordDisposal(tx: Tx, input: TransactionInputs['RecordDisposal']): Promise<EventBodies['StockDisposed']> {
  const holder = await requireRole(tx, DISPOSAL_ROLES, 'record disposals');
  const done = await disposeFrom(tx, holder, input);
  disposed(tx, done.disposal);
  return done;
}

/**
 * Every check and change of RecordDisposal but its EPCIS event, for `holder` (whose role the
 * caller has judged): a captured destroying event that names a disposal of this ledger is its
 * own evidence (epcis-disposals.ts).
 *
 * @throws ZfcError CONFLICT (the disposal ID is recorded), LOT_NOT_FOUND, NOT_OWNER, QUANTITY_EXCEEDS_HOLDING
 */
export async function disposeFrom(tx: Tx, holder: Participant, input: TransactionInputs['RecordDisposal']): Promise<EventBodies['StockDisposed']> {
  if (await tx.get(KEY.disposal, [input.disposalId])) {
    throw new ZfcError('CONFLICT', `disposal ${input.disposalId} is already recorded`, { disposalId: input.disposalId });
  }
  const lot = await getLot(tx, input);
  const holding = await debit(tx, lot, holder.id, input.quantity);
  const disposal: Disposal = {
    disposalId: input.disposalId, gtin: lot.gtin, lot: lot.lot, quantity: input.quantity, unit: lot.unit,
    method: input.method, reason: input.reason, holder: holder.id,
    location: { gln: input.location.gln, ...(input.location.name ? { name: input.location.name } : {}) },
    lotStatus: lot.status, ...(lot.status === 'recalled' && lot.recall ? { recallId: lot.recall.recallId } : {}),
    recordedAt: tx.time, txId: tx.txId,
  };
  await tx.put(KEY.disposal, [disposal.disposalId], disposal);
  return { disposal, holding };
}
