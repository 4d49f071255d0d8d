/**
 * Items (SGTIN: GTIN + serial; the lot is an attribute of the item). Serials are commissioned
 * under a lot in ranges or lists, stored as one batch record per transaction; an item gets a
 * key of its own only when it is scanned or packed. Serials are unique per GTIN.
 */
import { ZfcError } from './errors';
import { isSerial } from './gs1';
import { KEY } from './keys';
import { requireParticipant } from './access';
import { assertUsable, getLot, putLot } from './lot';
import { getProduct } from './product';
import { isCountUnit } from './quantity';
import { itemsCommissioned } from './epcis-event';
import { LIMITS, type TransactionInputs } from './schemas';
import type { Item, Lot, LotRef, SerialBatch, SerialRange } from './records';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** The serials of a range, in order. */
export function expandRange(range: SerialRange): string[] {
  const out: string[] = [];
  for (let n = range.from; n <= range.to; n++) out.push(`${range.prefix}${range.width > 0 ? String(n).padStart(range.width, '0') : String(n)}`);
  return out;
}

/** True if `serial` is one of the range's serials. */
export function inRange(range: SerialRange, serial: string): boolean {
  if (!serial.startsWith(range.prefix)) return false;
  const digits = serial.slice(range.prefix.length);
  if (!/^\d{1,16}$/.test(digits)) return false;
  const n = Number(digits);
  const canonical = range.width > 0 ? String(n).padStart(range.width, '0') : String(n);
  return canonical === digits && n >= range.from && n <= range.to;
}

function batchHas(batch: SerialBatch, serial: string): boolean {
  return batch.serials.includes(serial) || batch.ranges.some((r) => inRange(r, serial));
}

function normaliseRanges(input: TransactionInputs['CommissionItems']): SerialRange[] {
  return (input.ranges ?? []).map((r, i) => {
    if (r.from > r.to) throw new ZfcError('INVALID_ARGUMENT', `/ranges/${i}: from exceeds to`, { field: `/ranges/${i}` });
    if (r.to - r.from >= LIMITS.serialsPerTx) throw new ZfcError('INVALID_ARGUMENT', `/ranges/${i}: too many serials`, { field: `/ranges/${i}`, limit: LIMITS.serialsPerTx });
    return { prefix: r.prefix ?? '', from: r.from, to: r.to, width: r.width ?? 0 };
  });
}

/** Every serial requested, checked for format, count and duplicates within the request. */
function requestedSerials(input: TransactionInputs['CommissionItems'], ranges: readonly SerialRange[]): string[] {
  const count = ranges.reduce((n, r) => n + (r.to - r.from + 1), 0) + (input.serials?.length ?? 0);
  if (count === 0) throw new ZfcError('INVALID_ARGUMENT', 'give ranges or serials', { field: '/ranges' });
  if (count > LIMITS.serialsPerTx) throw new ZfcError('INVALID_ARGUMENT', `at most ${LIMITS.serialsPerTx} serials per transaction`, { field: '/ranges', limit: LIMITS.serialsPerTx });
  const all = [...ranges.flatMap(expandRange), ...(input.serials ?? [])];
  const seen = new Set<string>();
  for (const serial of all) {
    if (!isSerial(serial)) throw new ZfcError('INVALID_ARGUMENT', `serial ${serial} is not a valid GS1 serial`, { field: '/ranges', serial });
    if (seen.has(serial)) throw new ZfcError('INVALID_ARGUMENT', `serial ${serial} is requested twice`, { field: '/serials', serial });
    seen.add(serial);
  }
  return all;
}

/** The lot's producer commissions item serials under it. */
export async function commissionItems(tx: Tx, input: TransactionInputs['CommissionItems']): Promise<EventBodies['ItemsCommissioned']> {
  const caller = await requireParticipant(tx);
  const lot = await getLot(tx, input);
  if (lot.producer !== caller.id) throw new ZfcError('NOT_OWNER', `lot ${lot.gtin}/${lot.lot} was made by another participant`, { gtin: lot.gtin, lot: lot.lot });
  assertUsable(lot, 'commission items');
  const ranges = normaliseRanges(input);
  const serials = requestedSerials(input, ranges);
  const existing = (await tx.list<SerialBatch>(KEY.serials, [lot.gtin])).map((e) => e.value);
  for (const serial of serials) {
    const clash = existing.find((b) => batchHas(b, serial));
    if (clash) throw new ZfcError('ITEM_EXISTS', `serial ${serial} of ${lot.gtin} is already commissioned`, { gtin: lot.gtin, serial, lot: clash.lot });
  }
  const batch: SerialBatch = { gtin: lot.gtin, lot: lot.lot, batchId: tx.txId, ranges, serials: [...(input.serials ?? [])], count: serials.length };
  await tx.put(KEY.serials, [lot.gtin, batch.batchId], batch);
  await putLot(tx, { ...lot, itemsCommissioned: lot.itemsCommissioned + serials.length });
  itemsCommissioned(tx, lot, serials);
  return { batch, lot: { gtin: lot.gtin, lot: lot.lot }, serials };
}

/** Serial batches per GTIN, read once per transaction (a gate scan reads hundreds of items of one GTIN). */
const batchCache = new WeakMap<Tx, Map<string, SerialBatch[]>>();

async function serialBatches(tx: Tx, gtin: string): Promise<SerialBatch[]> {
  const cache = batchCache.get(tx) ?? new Map<string, SerialBatch[]>();
  batchCache.set(tx, cache);
  let batches = cache.get(gtin);
  if (!batches) {
    batches = (await tx.list<SerialBatch>(KEY.serials, [gtin])).map((e) => e.value);
    cache.set(gtin, batches);
  }
  return batches;
}

/** An item as known: its own record once scanned or packed, else from its commissioning batch. */
export async function findItem(tx: Tx, gtin: string, serial: string): Promise<Item> {
  const item = await tx.get<Item>(KEY.item, [gtin, serial]);
  if (item) return item;
  const batches = await serialBatches(tx, gtin);
  const batch = batches.find((b) => batchHas(b, serial));
  if (!batch) throw new ZfcError('ITEM_NOT_FOUND', `item ${gtin}/${serial} is not commissioned`, { gtin, serial });
  return { gtin, serial, lot: batch.lot, status: 'active' };
}

/** Writes an item's own record. */
export async function putItem(tx: Tx, item: Item): Promise<void> {
  await tx.put(KEY.item, [item.gtin, item.serial], item);
  tx.touch(item);
}

/** The lot of an item. */
export function lotOf(item: Item): LotRef {
  return { gtin: item.gtin, lot: item.lot };
}

/**
 * What one item of `lot` holds, in the lot's unit: one for lots counted in pieces, else its
 * product's declared net quantity, else undefined (a variable-measure item, weighed when sold).
 */
export async function itemQuantity(tx: Tx, lot: Lot): Promise<number | undefined> {
  if (isCountUnit(lot.unit)) return 1;
  return (await getProduct(tx, lot.gtin)).netQuantity;
}
