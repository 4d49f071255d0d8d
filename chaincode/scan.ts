/**
 * Scans ("every piece scanned"): observations of items, lots or SSCCs by a participant at a
 * location, many per transaction (a warehouse gate reads hundreds at once), each under its
 * own key. A scan of anything recalled or held is refused, naming the scan's index; a sale
 * marks an item sold (once) and takes it, or a lot quantity, from the seller's holding. An
 * item is one piece of a lot counted in pieces; of a lot counted in mass or volume it is its
 * product's net quantity or, for variable-measure items, the quantity the sale scan states.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireParticipant } from './access';
import { assertNotExpired, assertUsableNow, debit, getLot } from './lot';
import { findItem, itemQuantity, putItem } from './item';
import { containerLots, getContainer } from './aggregation';
import type { ScannedCode } from './epcis-event';
import { ScanEvidence } from './scan-evidence';
import type { Holding, Item, Lot, LotRef, Participant, Role, Scan, ScanCode, ScanKind } from './records';
import type { ScanInput, TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** Who may record each kind of scan. */
export const SCAN_ROLES: Record<ScanKind, readonly Role[]> = {
  sale: ['retailer'],
  receive: ['producer', 'processor', 'distributor', 'retailer'],
  dispatch: ['producer', 'processor', 'distributor', 'retailer'],
  check: ['producer', 'processor', 'lab', 'distributor', 'retailer', 'regulator'],
};

interface Resolved { code: ScanCode; lots: Lot[]; item?: Item }

function codeOf(scan: ScanInput): ScanCode {
  if (scan.sscc !== undefined && scan.gtin === undefined && scan.lot === undefined && scan.serial === undefined) return { sscc: scan.sscc };
  if (scan.gtin !== undefined && scan.serial !== undefined && scan.sscc === undefined) return { gtin: scan.gtin, serial: scan.serial };
  if (scan.gtin !== undefined && scan.lot !== undefined && scan.sscc === undefined) return { gtin: scan.gtin, lot: scan.lot };
  throw new ZfcError('INVALID_ARGUMENT', 'a scan names gtin+serial (item), gtin+lot (lot) or sscc (logistic unit)', { field: '/' });
}

async function resolve(tx: Tx, scan: ScanInput): Promise<Resolved> {
  const code = codeOf(scan);
  if ('sscc' in code) {
    const refs = await containerLots(tx, await getContainer(tx, code.sscc));
    return { code, lots: await Promise.all(refs.map((r) => getLot(tx, r))) };
  }
  if ('serial' in code) {
    const item = await findItem(tx, code.gtin, code.serial);
    if (scan.lot !== undefined && scan.lot !== item.lot) throw new ZfcError('INVALID_ARGUMENT', `item ${code.gtin}/${code.serial} belongs to lot ${item.lot}`, { field: '/lot' });
    return { code, lots: [await getLot(tx, item)], item };
  }
  return { code, lots: [await getLot(tx, code)] };
}

/** What a sale scan of an item takes from the holding: one piece, the product's net quantity, or the stated quantity of a variable-measure item. */
async function soldItemQuantity(tx: Tx, lot: Lot, scan: ScanInput): Promise<number> {
  const declared = await itemQuantity(tx, lot);
  if (declared === undefined) {
    if (scan.quantity === undefined) {
      throw new ZfcError('INVALID_ARGUMENT', `a sale of an item of a lot counted in ${lot.unit} states the item's net quantity (its product declares none)`, { field: '/quantity', unit: lot.unit });
    }
    return scan.quantity;
  }
  if (scan.quantity !== undefined && scan.quantity !== declared) {
    throw new ZfcError('INVALID_ARGUMENT', `an item of lot ${lot.gtin}/${lot.lot} is ${declared} ${lot.unit}`, { field: '/quantity', expected: declared, unit: lot.unit });
  }
  return declared;
}

async function sell(tx: Tx, seller: Participant, scan: ScanInput, resolved: Resolved): Promise<{ holding: Holding; quantity: number }> {
  const lot = resolved.lots[0];
  if ('sscc' in resolved.code || !lot) throw new ZfcError('INVALID_ARGUMENT', 'sell items or lots, not logistic units', { field: '/sscc' });
  assertNotExpired(tx, lot);
  const item = resolved.item;
  if (!item) {
    if (scan.quantity === undefined) throw new ZfcError('INVALID_ARGUMENT', 'a sale of a lot code needs a quantity', { field: '/quantity' });
    return { holding: await debit(tx, lot, seller.id, scan.quantity), quantity: scan.quantity };
  }
  if (item.status === 'sold') throw new ZfcError('INVALID_STATE', `item ${item.gtin}/${item.serial} is already sold`, { gtin: item.gtin, serial: item.serial });
  if (item.status === 'disposed') {
    throw new ZfcError('INVALID_STATE', `item ${item.gtin}/${item.serial} was destroyed or disposed of (disposal ${item.disposalId ?? ''}): it may not be sold`, { gtin: item.gtin, serial: item.serial, disposalId: item.disposalId });
  }
  if (item.container) {
    throw new ZfcError('INVALID_STATE', `item ${item.gtin}/${item.serial} is packed in ${item.container}: unpack it before selling it`, { gtin: item.gtin, serial: item.serial, container: item.container });
  }
  const quantity = await soldItemQuantity(tx, lot, scan);
  return { holding: await debit(tx, lot, seller.id, quantity), quantity };
}

function scannedCode(resolved: Resolved, scan: ScanInput): ScannedCode {
  const unit = resolved.lots[0]?.unit;
  return { ...resolved.code, ...(scan.quantity !== undefined && !('serial' in resolved.code) ? { quantity: scan.quantity, ...(unit ? { unit } : {}) } : {}) };
}

interface Collected { readonly scans: Scan[]; readonly items: Item[]; readonly holdings: Holding[]; readonly evidence: ScanEvidence }

async function recordOne(tx: Tx, who: Participant, scan: ScanInput, index: number, out: Collected): Promise<void> {
  if (!SCAN_ROLES[scan.kind].includes(who.role)) {
    throw new ZfcError('FORBIDDEN', `a ${who.role} may not record ${scan.kind} scans`, { role: who.role, kind: scan.kind });
  }
  const resolved = await resolve(tx, scan);
  for (const lot of resolved.lots) await assertUsableNow(tx, lot, `${scan.kind} scan`);
  const sale = scan.kind === 'sale' ? await sell(tx, who, scan, resolved) : undefined;
  const quantity = sale?.quantity ?? scan.quantity;
  const time = scan.time ?? tx.time;
  if (resolved.item) {
    const item: Item = { ...resolved.item, ...(scan.kind === 'sale' ? { status: 'sold' as const } : {}), lastScan: { kind: scan.kind, at: time, by: who.id, txId: tx.txId } };
    await putItem(tx, item);
    out.items.push(item);
  }
  if (sale) out.holdings.push(sale.holding);
  const lots: LotRef[] = resolved.lots.map((l) => ({ gtin: l.gtin, lot: l.lot }));
  lots.forEach((l) => tx.touch(l));
  const record: Scan = {
    scanId: `${tx.txId}:${index}`, index, kind: scan.kind, code: resolved.code, lots,
    ...(quantity !== undefined ? { quantity } : {}), location: { ...scan.location },
    participant: who.id, time, txId: tx.txId,
  };
  await tx.put(KEY.scan, [tx.txId, String(index).padStart(6, '0')], record);
  out.scans.push(record);
  out.evidence.add(scan.kind, scan.location, time, scannedCode(resolved, scan));
}

/**
 * Records one or many scans, each under its own key, with one EPCIS event per kind, place and
 * time (scan-evidence.ts); any refused scan refuses the whole transaction, naming its index.
 */
export async function recordScans(tx: Tx, input: TransactionInputs['RecordScans']): Promise<EventBodies['Scanned']> {
  const who = await requireParticipant(tx);
  const out: Collected = { scans: [], items: [], holdings: [], evidence: new ScanEvidence() };
  for (const [index, scan] of input.scans.entries()) {
    try {
      await recordOne(tx, who, scan, index, out);
    } catch (err) {
      if (!(err instanceof ZfcError)) throw err;
      const field = typeof err.details['field'] === 'string' && err.details['field'] !== '/' ? err.details['field'] : '';
      throw new ZfcError(err.code, `scan ${index}: ${err.text}`, { ...err.details, index, ...(field || err.code === 'INVALID_ARGUMENT' ? { field: `/scans/${index}${field}` } : {}) });
    }
  }
  out.evidence.record(tx);
  return { scans: out.scans, items: lastOf(out.items, (i) => `${i.gtin}\u0000${i.serial}`), holdings: lastOf(out.holdings, (h) => `${h.gtin}\u0000${h.lot}\u0000${h.holder}`) };
}

/** The last record of each key, in order of first appearance (an item scanned twice is reported once, as it ended). */
function lastOf<T>(records: readonly T[], key: (t: T) => string): T[] {
  const latest = new Map<string, T>();
  for (const r of records) latest.set(key(r), r);
  return [...latest.values()];
}
