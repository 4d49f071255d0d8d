/**
 * Captured destroying events that record the ledger's disposals, as RecordDisposal would, so that
 * a shop or a maker whose own EPCIS system records the stock it destroyed takes it off the ledger
 * without calling RecordDisposal: a recall is closed out by the events it already sends.
 *
 * The link is the extension the ledger's own disposal events carry, `zfc:disposalId` (the
 * ledger's namespace, https://ns.zhefoodchain.org/epcis/, under any prefix the document's
 * @context binds to it, `zfc:` itself unless the document binds it to another, or written out in
 * full): an ObjectEvent DELETE of the `destroying` step naming a new disposal ID that way
 * disposes of what it names —
 *
 * - one lot: a quantity of it (one quantityList entry, an LGTIN class in the lot's unit), its
 *   labelled items (epcList SGTINs, each then marked disposed, as RecordDisposal's `serials`), or
 *   both, counted apart as EPCIS counts them (the items hold what their product declares; items
 *   of no declared size, weighed, are in the quantityList's quantity, which must then be given),
 *   from the capturer's holding;
 * - `destroyed` or `disposed` as its disposition says; `zfc:reason` as the reason (else the
 *   event's step, disposition and eventID say it); its bizLocation (else readPoint) as where;
 * - then every check and change of RecordDisposal: the capturer is a holder's role and holds that
 *   much free, the disposal ID is new; recalled and held lots too (that is the point).
 *
 * A refusal names the event and the field, and refuses the whole capture (or, when the capture
 * proceeds past refused events, that event alone). The captured event is the disposal's evidence:
 * no other EPCIS event is recorded for it; its record says which disposal it recorded, and it
 * cannot be declared erroneous later (what it did on the ledger stands). Other destroying events
 * stay evidence and take nothing off the ledger, as before.
 */
import { assertRole } from './access';
import { cbvWord } from './cbv';
import { DISPOSAL_ROLES, disposeFrom } from './disposal';
import { ZFC_EPCIS_NAMESPACE } from './epcis-event';
import { expandCurie } from './epcis-event-hash';
import { locationOf, parsed } from './epcis-shipments';
import { ZfcError } from './errors';
import type { EventBodies } from './events';
import { findItem, itemQuantity } from './item';
import { getLot } from './lot';
import { add } from './quantity';
import { DISPOSAL_METHODS, type DisposalMethod, type Lot, type Participant } from './records';
import { ID_PATTERN } from './schemas';
import type { Tx } from './tx';
import { validateValue } from './validate';

type Json = Readonly<Record<string, unknown>>;
type Prefixes = Readonly<Record<string, string>>;

/** A disposal a capture recorded: the destroying event, and what RecordDisposal would have given. */
export type CapturedDisposal = EventBodies['StockDisposed'] & { readonly eventID: string };

const DISPOSAL_ID = new RegExp(ID_PATTERN);

/**
 * The event's field that is the ledger's extension `local` (`zfc:{local}`): its key as written
 * and its value, or undefined. The key is a compact IRI that the document's @context expands to
 * the ledger's namespace (`zfc` itself by default: a document that leaves it unbound can only
 * mean the ledger's), or the full IRI (epcis-event-hash.ts expandCurie).
 */
export function zfcExtension(event: Json, local: string, prefixes: Prefixes): { readonly key: string; readonly value: unknown } | undefined {
  const iri = `${ZFC_EPCIS_NAMESPACE}${local}`;
  const bound: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, { zfc: ZFC_EPCIS_NAMESPACE }, prefixes);
  for (const key of Object.keys(event)) if (key.endsWith(local) && expandCurie(key, bound) === iri) return { key, value: event[key] };
  return undefined;
}

/**
 * The ID of the ledger's disposal a captured event records, or undefined when it records none:
 * only an ObjectEvent DELETE of the `destroying` step (not itself an error declaration) naming
 * one as `zfc:disposalId` does.
 *
 * @throws ZfcError INVALID_ARGUMENT when it names a malformed disposal ID.
 */
export function linkedDisposal(event: Json, path: string, prefixes: Prefixes): string | undefined {
  if (event['type'] !== 'ObjectEvent' || event['action'] !== 'DELETE' || event['errorDeclaration'] !== undefined) return undefined;
  if (cbvWord('BizStep', event['bizStep'], prefixes) !== 'destroying') return undefined;
  const named = zfcExtension(event, 'disposalId', prefixes);
  if (!named) return undefined;
  if (typeof named.value !== 'string' || !DISPOSAL_ID.test(named.value)) {
    throw new ZfcError('INVALID_ARGUMENT', `${path}: ${named.key} names no disposal ID this ledger takes`, { path, errors: [{ path: `${path}/${named.key}`, message: 'a disposal ID is 1 to 64 letters, digits and ._:- (starting with a letter or digit)' }] });
  }
  return named.value;
}

/** What a disposal's event names: at most one lot with a quantity (quantityList), and items (epcList SGTINs) of one product. */
interface Named {
  readonly line?: { readonly gtin: string; readonly lot: string; readonly quantity: number; readonly uom?: string };
  readonly items: readonly { readonly gtin: string; readonly serial: string }[];
}

/** The lot and quantity of a disposal's quantityList, and the items of its epcList (each checked for form only). */
function namedStock(event: Json, path: string): Named {
  const list = Array.isArray(event['quantityList']) ? (event['quantityList'] as Json[]) : [];
  const epcs = Array.isArray(event['epcList']) ? (event['epcList'] as unknown[]) : [];
  if (list.length > 1 || (list.length === 0 && epcs.length === 0)) {
    throw new ZfcError('INVALID_ARGUMENT', `${path}: a disposal of this ledger names one lot: its quantity (one quantityList entry), its labelled items (epcList), or both; send one event per lot`, { path, errors: [{ path: `${path}/quantityList`, message: 'must name one lot (an LGTIN class) and its quantity, or be left out for the items of epcList' }] });
  }
  const items = epcs.map((epc, i) => {
    const id = parsed(epc);
    if (id?.kind !== 'item' || !id.gtin || id.serial === undefined) {
      throw new ZfcError('INVALID_ARGUMENT', `${path}/epcList/${i}: a disposal's epcList names items (a GTIN with a serial)`, { path, errors: [{ path: `${path}/epcList/${i}`, message: 'names no item' }] });
    }
    return { gtin: id.gtin, serial: id.serial };
  });
  const q = list[0];
  if (!q) return { items };
  const at = `${path}/quantityList/0`;
  const id = parsed(q['epcClass']);
  if (id?.kind !== 'lot' || !id.gtin || id.lot === undefined) {
    throw new ZfcError('INVALID_ARGUMENT', `${at}: a disposal names a lot (a GTIN with a lot)`, { path, errors: [{ path: `${at}/epcClass`, message: 'names no lot' }] });
  }
  const quantity = q['quantity'];
  if (typeof quantity !== 'number' || !(quantity > 0)) {
    throw new ZfcError('INVALID_ARGUMENT', `${at}: a disposal gives the quantity destroyed`, { path, errors: [{ path: `${at}/quantity`, message: 'must be a quantity above 0' }] });
  }
  return { line: { gtin: id.gtin, lot: id.lot, quantity, ...(typeof q['uom'] === 'string' ? { uom: q['uom'] } : {}) }, items };
}

/**
 * The lot a disposal's event names (its quantityList's, else its first item's) and the quantity
 * that leaves the holding: the quantityList's plus what the items hold, as EPCIS counts the
 * instances of epcList apart from the quantities of quantityList; for items of no known size
 * (variable measure: their weight is in the quantity), the quantityList's, which must be given.
 */
async function lotAndQuantity(tx: Tx, { line, items }: Named, path: string): Promise<{ lot: Lot; quantity: number }> {
  const stray = items.findIndex((i) => i.gtin !== (line?.gtin ?? items[0]?.gtin));
  if (stray >= 0) throw new ZfcError('INVALID_ARGUMENT', `${path}/epcList/${stray}: a disposal names items of its one lot`, { path, errors: [{ path: `${path}/epcList/${stray}`, message: 'is an item of another product' }] });
  const first = items[0];
  const ref = line ?? (first ? await findItem(tx, first.gtin, first.serial).catch((err: unknown) => {
    throw err instanceof ZfcError ? new ZfcError(err.code, `${path}/epcList/0: ${err.text}`, { ...err.details, path, field: `${path}/epcList/0` }) : err;
  }) : undefined);
  if (!ref) throw new ZfcError('INVALID_ARGUMENT', `${path}: a disposal names a lot`, { path });
  const lot = await getLot(tx, { gtin: ref.gtin, lot: ref.lot });
  if (line?.uom !== undefined && line.uom !== lot.unit) {
    throw new ZfcError('UNIT_MISMATCH', `${path}/quantityList/0: the lot is counted in ${lot.unit}, disposed of in ${line.uom}`, { path, field: `${path}/quantityList/0/uom`, unit: lot.unit });
  }
  const each = items.length > 0 ? await itemQuantity(tx, lot) : 0;
  if (each === undefined && !line) {
    throw new ZfcError('INVALID_ARGUMENT', `${path}: the items of a lot counted in ${lot.unit} have no declared size: give the quantity they weigh in quantityList`, { path, errors: [{ path: `${path}/quantityList`, message: `must give the quantity in ${lot.unit}` }] });
  }
  return { lot, quantity: each === undefined ? (line?.quantity ?? 0) : add(line?.quantity ?? 0, items.length * each) };
}

/** Where in a captured event each field of RecordDisposal's input came from. */
const FIELDS: Readonly<Record<string, string>> = { gtin: 'quantityList/0/epcClass', lot: 'quantityList/0/epcClass', quantity: 'quantityList/0/quantity', method: 'disposition', location: 'bizLocation', serials: 'epcList' };

/** A refusal of the disposal, naming the event (and the field its input came from). */
function atEvent(err: unknown, path: string, reasonKey: string): unknown {
  if (!(err instanceof ZfcError) || String(err.details['path'] ?? '').startsWith(path)) return err;
  const field = (given: unknown): string => {
    const [top = '', ...rest] = typeof given === 'string' ? given.split('/').slice(1) : [];
    if (top === 'serials') return [`${path}/epcList`, ...rest].join('/'); // the item's own place in epcList
    return top === 'reason' ? `${path}/${reasonKey}` : top === 'disposalId' ? path : FIELDS[top] !== undefined ? `${path}/${FIELDS[top]}` : path;
  };
  const errors = Array.isArray(err.details['errors'])
    ? { errors: (err.details['errors'] as Array<{ field?: unknown; message?: unknown }>).map((e) => ({ path: field(e.field), message: String(e.message ?? '') })) }
    : {};
  return new ZfcError(err.code, `${path}: ${err.text}`, { ...err.details, path, ...(err.details['field'] !== undefined ? { field: field(err.details['field']) } : {}), ...errors });
}

/**
 * Records, as RecordDisposal would, the disposal a captured destroying event names, by the
 * capturer from its own holding.
 *
 * @throws ZfcError FORBIDDEN, CONFLICT, LOT_NOT_FOUND, NOT_OWNER, QUANTITY_EXCEEDS_HOLDING,
 *   UNIT_MISMATCH, INVALID_ARGUMENT — each with `details.path`, the event's JSON pointer.
 */
export async function disposeCaptured(tx: Tx, event: Json, path: string, eventID: string, disposalId: string, holder: Participant, prefixes: Prefixes): Promise<EventBodies['StockDisposed']> {
  const stated = zfcExtension(event, 'reason', prefixes);
  const reasonKey = stated?.key ?? 'zfc:reason';
  try {
    assertRole(holder, DISPOSAL_ROLES, 'record disposals');
    const method = cbvWord('Disp', event['disposition'], prefixes);
    if (!DISPOSAL_METHODS.includes(method as DisposalMethod)) {
      throw new ZfcError('INVALID_ARGUMENT', `${path}: a disposal of this ledger says how the stock left: disposition destroyed or disposed`, { path, errors: [{ path: `${path}/disposition`, message: 'must be destroyed or disposed' }] });
    }
    const named = namedStock(event, path);
    const reason = stated !== undefined ? stated.value : `EPCIS event ${eventID.slice(0, 200)}: destroying, ${String(method)}`;
    const location = locationOf(event, path, 'a disposal');
    // bounded as RecordDisposal's own input is (identifiers, quantity, reason, items), before a lot or item is read
    const serials = named.items.map((i) => i.serial);
    const first = named.line ?? named.items[0];
    validateValue('RecordDisposal', { disposalId, gtin: first?.gtin, lot: named.line?.lot ?? 'items', quantity: named.line?.quantity ?? 1, method, reason, location, ...(serials.length > 0 ? { serials } : {}) });
    const { lot, quantity } = await lotAndQuantity(tx, named, path);
    const input = validateValue('RecordDisposal', { disposalId, gtin: lot.gtin, lot: lot.lot, quantity, method, reason, location, ...(serials.length > 0 ? { serials } : {}) });
    const { disposal, holding } = await disposeFrom(tx, holder, input);
    return { disposal, holding };
  } catch (err) {
    throw atEvent(err, path, reasonKey);
  }
}
