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
 *
 * The holder may name the labelled items (serials) among the quantity: each is marked disposed,
 * and a later sale or packing of it is refused, so a package recorded as destroyed cannot be
 * sold on the ledger (a sale of a lot's items otherwise takes any piece of the holding). Each
 * must be an item of that lot, unsold, unpacked and not disposed of already, and together no
 * more than the quantity (for a lot whose items' size is known).
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireRole } from './access';
import { debit, getLot } from './lot';
import { findItem, itemQuantity, putItem } from './item';
import { disposed } from './epcis-event';
import type { Disposal, Lot, Participant, Role } from './records';
import type { TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** Who holds stock, and so may dispose of it. */
export const DISPOSAL_ROLES: readonly Role[] = ['producer', 'processor', 'distributor', 'retailer'];

/** The holder destroys or disposes of a quantity of a lot it holds. */
export async function recordDisposal(tx: Tx, input: TransactionInputs['RecordDisposal']): Promise<EventBodies['StockDisposed']> {
  const holder = await requireRole(tx, DISPOSAL_ROLES, 'record disposals');
  const { itemsQuantity, ...done } = await disposeFrom(tx, holder, input);
  disposed(tx, done.disposal, itemsQuantity);
  return done;
}

/**
 * Every check and change of RecordDisposal but its EPCIS event, for `holder` (whose role the
 * caller has judged): a captured destroying event that names a disposal of this ledger is its
 * own evidence (epcis-disposals.ts).
 *
 * @throws ZfcError CONFLICT (the disposal ID is recorded), LOT_NOT_FOUND, NOT_OWNER, QUANTITY_EXCEEDS_HOLDING;
 *   for a named item ITEM_NOT_FOUND, INVALID_STATE (sold, packed, disposed of) or INVALID_ARGUMENT
 *   (of another lot, or more items than the quantity), its `field` the item's place in `/serials`
 */
export async function disposeFrom(tx: Tx, holder: Participant, input: TransactionInputs['RecordDisposal']): Promise<EventBodies['StockDisposed'] & { readonly itemsQuantity?: number }> {
  if (await tx.get(KEY.disposal, [input.disposalId])) {
    throw new ZfcError('CONFLICT', `disposal ${input.disposalId} is already recorded`, { disposalId: input.disposalId });
  }
  const lot = await getLot(tx, input);
  const holding = await debit(tx, lot, holder.id, input.quantity);
  const itemsQuantity = await disposeItems(tx, lot, input);
  const disposal: Disposal = {
    disposalId: input.disposalId, gtin: lot.gtin, lot: lot.lot, quantity: input.quantity, unit: lot.unit,
    method: input.method, reason: input.reason, holder: holder.id,
    location: { gln: input.location.gln, ...(input.location.name ? { name: input.location.name } : {}) },
    lotStatus: lot.status, ...(lot.status === 'recalled' && lot.recall ? { recallId: lot.recall.recallId } : {}),
    ...(input.serials ? { serials: [...input.serials] } : {}), recordedAt: tx.time, txId: tx.txId,
  };
  await tx.put(KEY.disposal, [disposal.disposalId], disposal);
  return { disposal, holding, ...(itemsQuantity !== undefined ? { itemsQuantity } : {}) };
}

/**
 * Marks the named items of the quantity disposed, each checked first (see the module's comment);
 * returns what they hold together, when their size is known.
 */
async function disposeItems(tx: Tx, lot: Lot, input: TransactionInputs['RecordDisposal']): Promise<number | undefined> {
  const serials = input.serials ?? [];
  if (serials.length === 0) return 0;
  const each = await itemQuantity(tx, lot);
  if (each !== undefined && serials.length * each > input.quantity * (1 + 1e-9)) {
    throw new ZfcError('INVALID_ARGUMENT', `/serials: ${serials.length} items of ${each} ${lot.unit} are more than the ${input.quantity} ${lot.unit} disposed of`, { field: '/serials', items: serials.length, itemQuantity: each, quantity: input.quantity });
  }
  for (const [i, serial] of serials.entries()) {
    const field = `/serials/${i}`;
    const item = await findItem(tx, lot.gtin, serial).catch((err: unknown) => {
      throw err instanceof ZfcError ? new ZfcError(err.code, `${field}: ${err.text}`, { ...err.details, field }) : err;
    });
    const ref = { gtin: item.gtin, serial: item.serial, field };
    if (item.lot !== lot.lot) throw new ZfcError('INVALID_ARGUMENT', `${field}: item ${lot.gtin}/${serial} is of lot ${item.lot}, not ${lot.lot}`, { ...ref, lot: item.lot });
    if (item.status !== 'active') throw new ZfcError('INVALID_STATE', `${field}: item ${lot.gtin}/${serial} is ${item.status === 'sold' ? 'sold' : `already disposed of (${item.disposalId ?? ''})`}`, { ...ref, status: item.status });
    if (item.container) throw new ZfcError('INVALID_STATE', `${field}: item ${lot.gtin}/${serial} is packed in ${item.container}: unpack it first`, { ...ref, container: item.container });
    await putItem(tx, { ...item, status: 'disposed', disposalId: input.disposalId });
  }
  return each === undefined ? undefined : serials.length * each;
}
