/**
 * Lots: commissioning by a producer, the remaining quantity per holder (one small key per
 * lot and holder, so trading partners never contend for one hot record), the status checks
 * that refuse held and recalled lots, and holds placed and released by regulators.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireRole } from './access';
import { getProduct } from './product';
import { add, sub } from './quantity';
import { packedQuantity } from './packed';
import { assertNotUnderOpenRecall } from './recall-gate';
import { holdChanged, lotCommissioned } from './epcis-event';
import type { Holding, Lot, LotRef } from './records';
import type { TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** Reads a lot or throws LOT_NOT_FOUND. */
export function getLot(tx: Tx, ref: LotRef): Promise<Lot> {
  return tx.need<Lot>(KEY.lot, [ref.gtin, ref.lot], () => new ZfcError('LOT_NOT_FOUND', `lot ${ref.gtin}/${ref.lot} not found`, { gtin: ref.gtin, lot: ref.lot }));
}

/** Writes a lot record. */
export function putLot(tx: Tx, lot: Lot): Promise<void> {
  tx.touch(lot);
  return tx.put(KEY.lot, [lot.gtin, lot.lot], lot);
}

/** Refuses a recalled (LOT_RECALLED) or held (LOT_ON_HOLD) lot. */
export function assertUsable(lot: Lot, action: string): void {
  const details = { gtin: lot.gtin, lot: lot.lot, action };
  if (lot.status === 'recalled') throw new ZfcError('LOT_RECALLED', `lot ${lot.gtin}/${lot.lot} is recalled`, { ...details, recallId: lot.recall?.recallId });
  if (lot.status === 'on_hold') throw new ZfcError('LOT_ON_HOLD', `lot ${lot.gtin}/${lot.lot} is on hold`, { ...details, reason: lot.hold?.reason });
}

/**
 * Refuses a lot that is recalled or held, or that an incomplete recall will reach
 * (see recall-gate.ts): the check every use of a lot (ship, transform, pack, sale, scan) runs.
 */
export async function assertUsableNow(tx: Tx, lot: Lot, action: string): Promise<void> {
  assertUsable(lot, action);
  await assertNotUnderOpenRecall(tx, lot, action);
}

/** Refuses an expired lot (expiry before the transaction's date). */
export function assertNotExpired(tx: Tx, lot: Lot): void {
  if (lot.expiryDate && lot.expiryDate < tx.time.slice(0, 10)) {
    throw new ZfcError('LOT_EXPIRED', `lot ${lot.gtin}/${lot.lot} expired on ${lot.expiryDate}`, { gtin: lot.gtin, lot: lot.lot, expiryDate: lot.expiryDate });
  }
}

/** The test gate: a lot of a product that requires a test needs a passing one to ship. */
export async function assertTested(tx: Tx, lot: Lot): Promise<void> {
  const product = await getProduct(tx, lot.gtin);
  if (product.requiresTest && lot.tests.passed === 0) {
    throw new ZfcError('TEST_REQUIRED', `lot ${lot.gtin}/${lot.lot} has no passing test`, { gtin: lot.gtin, lot: lot.lot });
  }
}

/**
 * Every check a use of a lot must pass, in this order: usable now (see {@link assertUsableNow});
 * for a shipment, a transformation or a sale, not expired; for a shipment, tested if its
 * product requires it. Ship, TransformLots and captured EPCIS events all apply it.
 */
export async function assertMayUse(tx: Tx, lot: Lot, action: string): Promise<void> {
  await assertUsableNow(tx, lot, action);
  if (action === 'ship' || action === 'sell' || action === 'transform') assertNotExpired(tx, lot);
  if (action === 'ship') await assertTested(tx, lot);
}

/** What `holder` holds of a lot, or undefined if it never held any. */
export function getHolding(tx: Tx, ref: LotRef, holder: string): Promise<Holding | undefined> {
  return tx.get<Holding>(KEY.holding, [ref.gtin, ref.lot, holder]);
}

/** Every holder's remaining quantity of a lot. */
export async function listHoldings(tx: Tx, ref: LotRef): Promise<Holding[]> {
  return (await tx.list<Holding>(KEY.holding, [ref.gtin, ref.lot])).map((e) => e.value);
}

/**
 * Takes `quantity` from `holder`'s holding; NOT_OWNER if it holds none, QUANTITY_EXCEEDS_HOLDING
 * if too little is free (what is packed is not free until unpacked or shipped in its container).
 */
export async function debit(tx: Tx, lot: Lot, holder: string, quantity: number): Promise<Holding> {
  const holding = await getHolding(tx, lot, holder);
  const details = { gtin: lot.gtin, lot: lot.lot, requested: quantity, unit: lot.unit };
  if (!holding || holding.quantity <= 0) throw new ZfcError('NOT_OWNER', `${holder} holds none of lot ${lot.gtin}/${lot.lot}`, details);
  const packed = await packedQuantity(tx, lot, holder);
  if (sub(holding.quantity, packed) < quantity) {
    const text = packed > 0
      ? `${holder} holds ${holding.quantity} ${lot.unit} of lot ${lot.gtin}/${lot.lot}, ${packed} of it packed: unpack it or ship its container`
      : `${holder} holds only ${holding.quantity} ${lot.unit} of lot ${lot.gtin}/${lot.lot}`;
    throw new ZfcError('QUANTITY_EXCEEDS_HOLDING', text, { ...details, held: holding.quantity, ...(packed > 0 ? { packed } : {}) });
  }
  const updated: Holding = { ...holding, quantity: sub(holding.quantity, quantity) };
  await tx.put(KEY.holding, [lot.gtin, lot.lot, holder], updated);
  tx.touch(lot);
  return updated;
}

/** Adds `quantity` to `holder`'s holding. */
export async function credit(tx: Tx, lot: Lot, holder: string, quantity: number): Promise<Holding> {
  const holding = await getHolding(tx, lot, holder);
  const updated: Holding = { gtin: lot.gtin, lot: lot.lot, holder, unit: lot.unit, quantity: add(holding?.quantity ?? 0, quantity) };
  await tx.put(KEY.holding, [lot.gtin, lot.lot, holder], updated);
  tx.touch(lot);
  return updated;
}

/** A new lot record with everything a lot starts with. */
export function newLot(tx: Tx, fields: Pick<Lot, 'gtin' | 'lot' | 'productName' | 'quantity' | 'unit' | 'producer' | 'origin' | 'productionDate' | 'madeBy'> & { expiryDate?: string | undefined }): Lot {
  const { expiryDate, ...rest } = fields;
  if (expiryDate !== undefined && expiryDate < fields.productionDate) {
    throw new ZfcError('INVALID_ARGUMENT', '/expiryDate: before the production date', { field: '/expiryDate' });
  }
  return {
    ...rest, ...(expiryDate !== undefined ? { expiryDate } : {}),
    createdAt: tx.time, txId: tx.txId, status: 'active', tests: { passed: 0, failed: 0 }, itemsCommissioned: 0,
  };
}

/** Refuses a lot code already used for this GTIN. */
export async function assertNewLot(tx: Tx, ref: LotRef): Promise<void> {
  if (await tx.get(KEY.lot, [ref.gtin, ref.lot])) throw new ZfcError('LOT_EXISTS', `lot ${ref.gtin}/${ref.lot} already exists`, { gtin: ref.gtin, lot: ref.lot });
}

/** A producer commissions a lot of a product it owns; it holds the whole quantity. */
export async function createLot(tx: Tx, input: TransactionInputs['CreateLot']): Promise<EventBodies['LotCreated']> {
  const producer = await requireRole(tx, ['producer'], 'create lots');
  const product = await getProduct(tx, input.gtin);
  if (product.owner !== producer.id) throw new ZfcError('NOT_OWNER', `product ${input.gtin} belongs to another participant`, { gtin: input.gtin });
  if (product.unit !== input.unit) throw new ZfcError('UNIT_MISMATCH', `lots of ${input.gtin} are counted in ${product.unit}`, { expected: product.unit, unit: input.unit });
  await assertNewLot(tx, input);
  const lot = newLot(tx, {
    gtin: input.gtin, lot: input.lot, productName: product.name, quantity: input.quantity, unit: input.unit,
    producer: producer.id, origin: { ...input.origin }, productionDate: input.productionDate, madeBy: 'commissioning',
    expiryDate: input.expiryDate,
  });
  await putLot(tx, lot);
  const holding = await credit(tx, lot, producer.id, lot.quantity);
  const location = { gln: input.origin.gln, ...(input.origin.name ? { name: input.origin.name } : {}) };
  lotCommissioned(tx, lot, location);
  return { lot, holding, location };
}

/** A regulator puts a lot on hold. */
export async function placeHold(tx: Tx, input: TransactionInputs['PlaceHold']): Promise<EventBodies['LotHeld']> {
  const regulator = await requireRole(tx, ['regulator'], 'place holds');
  const lot = await getLot(tx, input);
  if (lot.status !== 'active') throw new ZfcError('INVALID_STATE', `lot ${lot.gtin}/${lot.lot} is ${lot.status}`, { status: lot.status });
  const hold = { reason: input.reason, by: regulator.id, at: tx.time, txId: tx.txId };
  const updated: Lot = { ...lot, status: 'on_hold', hold };
  await putLot(tx, updated);
  holdChanged(tx, lot, true, input.reason);
  return { lot: updated, hold };
}

/** A regulator releases a hold (a recalled lot stays recalled). */
export async function releaseHold(tx: Tx, input: TransactionInputs['ReleaseHold']): Promise<EventBodies['LotReleased']> {
  await requireRole(tx, ['regulator'], 'release holds');
  const lot = await getLot(tx, input);
  if (lot.status !== 'on_hold') throw new ZfcError('INVALID_STATE', `lot ${lot.gtin}/${lot.lot} is not on hold`, { status: lot.status });
  const updated: { -readonly [K in keyof Lot]: Lot[K] } = { ...lot, status: 'active' };
  delete updated.hold;
  await putLot(tx, updated);
  holdChanged(tx, lot, false, input.reason);
  return { lot: updated, reason: input.reason };
}
