/**
 * What a holder has packed of a lot: one small key per lot and holder holding the sum of the
 * lot quantities and item quantities in the cases and pallets it holds. Packing claims part
 * of a holding, so the same holding cannot be packed twice over into two containers (the
 * claim is checked against the holding, and two packers racing for it write the same key, so
 * one fails on MVCC), and what is packed is not free to ship loose, transform or sell until
 * it is unpacked or leaves with its container.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { add, sub } from './quantity';
import type { Holding, LotQuantity, LotRef, Packed } from './records';
import type { Tx } from './tx';

/** How much of a lot `holder` has packed (0 if nothing). */
export async function packedQuantity(tx: Tx, ref: LotRef, holder: string): Promise<number> {
  return (await tx.get<Packed>(KEY.packed, [ref.gtin, ref.lot, holder]))?.quantity ?? 0;
}

async function held(tx: Tx, ref: LotRef, holder: string): Promise<number> {
  return (await tx.get<Holding>(KEY.holding, [ref.gtin, ref.lot, holder]))?.quantity ?? 0;
}

async function write(tx: Tx, line: LotQuantity, holder: string, quantity: number): Promise<void> {
  const parts = [line.gtin, line.lot, holder];
  if (quantity <= 0) {
    if (await tx.get(KEY.packed, parts)) await tx.del(KEY.packed, parts);
    return;
  }
  const packed: Packed = { gtin: line.gtin, lot: line.lot, holder, quantity, unit: line.unit };
  await tx.put(KEY.packed, parts, packed);
}

/** Claims `line.quantity` more of `holder`'s holding as packed; QUANTITY_EXCEEDS_HOLDING if that is more than it holds. */
export async function claim(tx: Tx, line: LotQuantity, holder: string): Promise<void> {
  const packed = await packedQuantity(tx, line, holder);
  const holding = await held(tx, line, holder);
  const total = add(packed, line.quantity);
  if (total > holding) {
    throw new ZfcError('QUANTITY_EXCEEDS_HOLDING', `${holder} holds ${holding} ${line.unit} of lot ${line.gtin}/${line.lot}, ${packed} of it already packed`, {
      gtin: line.gtin, lot: line.lot, held: holding, packed, requested: line.quantity, unit: line.unit,
    });
  }
  await write(tx, line, holder, total);
}

/**
 * Claims up to `line.quantity` more as packed, never beyond the holding: a received container
 * arrives packed, but a short receipt may have credited less than it claims.
 */
export async function claimReceived(tx: Tx, line: LotQuantity, holder: string): Promise<void> {
  const total = Math.min(add(await packedQuantity(tx, line, holder), line.quantity), await held(tx, line, holder));
  await write(tx, line, holder, total);
}

/** Returns `line.quantity` of a packed claim to the holding (unpacked, or shipped with its container). */
export async function release(tx: Tx, line: LotQuantity, holder: string): Promise<void> {
  await write(tx, line, holder, Math.max(0, sub(await packedQuantity(tx, line, holder), line.quantity)));
}
