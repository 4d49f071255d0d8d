/**
 * A captured receiving event that receives a shipment of this ledger, as Receive would.
 *
 * Shipments made with Ship name themselves in their EPCIS events as the business transaction
 * (`desadv`, `urn:zfc:shipment:{id}`, epcis-event.ts). A recipient whose own EPCIS system
 * captures its receipt — an ObjectEvent of the `receiving` step that names such a shipment as
 * its despatch advice — receives it on the ledger, without calling Receive: the same checks
 * (the shipment is addressed to the capturer and in transit) and the same changes (holdings,
 * the shipment's cases and pallets, the shipment received with its shortfall). The lots and
 * quantities received are the event's quantityList (each an LGTIN class with its quantity, in
 * the shipped line's unit); without one the shipment is received in full. Where is the event's
 * bizLocation, else its readPoint (a GLN). A refusal refuses the whole capture, and names the
 * event and the field.
 *
 * The captured event is the receipt's evidence: no other EPCIS event is recorded for it. Its
 * record says which shipment it received, and such an event cannot be declared erroneous later
 * (the receipt it made stands).
 */
import { tryParseIdentifier } from './digital-link';
import { normalizeCached } from './epcis-identifiers';
import { ZfcError } from './errors';
import type { EventBodies } from './events';
import type { Location, Participant } from './records';
import { assertReceivable, getShipment, receiveInto } from './shipment';
import type { Tx } from './tx';

type Json = Readonly<Record<string, unknown>>;

/** The business transaction URI of a shipment of this ledger, up to its ID. */
export const SHIPMENT_URN = 'urn:zfc:shipment:';

/** A receipt a capture made: the receiving event, and what Receive would have given. */
export type CapturedReceipt = EventBodies['Received'] & { readonly eventID: string };

/**
 * The ID of the ledger's shipment a captured event receives, or undefined when it receives
 * none: only an ObjectEvent of the `receiving` step (not a DELETE, not itself an error
 * declaration) naming one of the ledger's shipments as its `desadv` receives one.
 *
 * @throws ZfcError INVALID_ARGUMENT when it names more than one.
 */
export function shipmentReceivedBy(event: Json, path: string): string | undefined {
  if (event['type'] !== 'ObjectEvent' || event['bizStep'] !== 'receiving' || event['action'] === 'DELETE' || event['errorDeclaration'] !== undefined) return undefined;
  const list = Array.isArray(event['bizTransactionList']) ? (event['bizTransactionList'] as Json[]) : [];
  const named = list.filter((b) => b['type'] === 'desadv' && typeof b['bizTransaction'] === 'string' && b['bizTransaction'].startsWith(SHIPMENT_URN));
  if (named.length > 1) {
    throw new ZfcError('INVALID_ARGUMENT', `${path}: a receiving event receives one shipment, and this one names ${named.length}`, { path, errors: [{ path: `${path}/bizTransactionList`, message: 'names more than one shipment of this ledger as its despatch advice' }] });
  }
  return named.length === 1 ? (named[0]?.['bizTransaction'] as string).slice(SHIPMENT_URN.length) : undefined;
}

/** The lines an event receives: its quantityList as lots and quantities; undefined for all of them. */
function receiptLines(event: Json, path: string): Array<{ gtin: string; lot: string; quantity: number; uom?: string }> | undefined {
  const list = Array.isArray(event['quantityList']) ? (event['quantityList'] as Json[]) : [];
  if (list.length === 0) return undefined;
  return list.map((q, i) => {
    const at = `${path}/quantityList/${i}`;
    let id: ReturnType<typeof tryParseIdentifier>;
    try {
      id = tryParseIdentifier(normalizeCached(String(q['epcClass'])));
    } catch {
      id = undefined;
    }
    if (id?.kind !== 'lot' || !id.gtin || id.lot === undefined) {
      throw new ZfcError('INVALID_ARGUMENT', `${at}: a receipt of a shipment names lots (a GTIN with a lot)`, { path, errors: [{ path: `${at}/epcClass`, message: 'names no lot' }] });
    }
    const quantity = q['quantity'];
    if (typeof quantity !== 'number' || !(quantity > 0)) {
      throw new ZfcError('INVALID_ARGUMENT', `${at}: a receipt of a shipment gives each lot's quantity`, { path, errors: [{ path: `${at}/quantity`, message: 'must be a quantity above 0' }] });
    }
    return { gtin: id.gtin, lot: id.lot, quantity, ...(typeof q['uom'] === 'string' ? { uom: q['uom'] } : {}) };
  });
}

/** Where the event took place: its business location, else its read point, as a GLN. */
function locationOf(event: Json, path: string): Location {
  for (const field of ['bizLocation', 'readPoint'] as const) {
    const id = (event[field] as Json | undefined)?.['id'];
    if (typeof id !== 'string') continue;
    try {
      const gln = tryParseIdentifier(normalizeCached(id))?.gln;
      if (gln) return { gln };
    } catch {
      // not a GS1 location: try the next field
    }
  }
  throw new ZfcError('INVALID_ARGUMENT', `${path}: a receipt of a shipment says where it was received`, { path, errors: [{ path: `${path}/bizLocation`, message: 'a receiving event that receives a shipment needs a bizLocation or readPoint with a GLN' }] });
}

/** A refusal of the receipt, naming the event (and, for a line, the field) it came from. */
function atEvent(err: unknown, path: string): unknown {
  if (!(err instanceof ZfcError) || String(err.details['path'] ?? '').startsWith(path)) return err;
  const field = typeof err.details['field'] === 'string' ? err.details['field'].replace(/^\/lines/, `${path}/quantityList`) : undefined;
  return new ZfcError(err.code, `${path}: ${err.text}`, { ...err.details, path, ...(field !== undefined ? { field } : {}) });
}

/**
 * Receives the shipment a captured receiving event names, as Receive would, for the capturer.
 * `received` holds the shipments this capture already received (a document may not receive one
 * twice: the second would find it in transit, since a transaction does not read its own writes
 * on Fabric).
 *
 * @throws ZfcError SHIPMENT_NOT_FOUND, NOT_OWNER, SHIPMENT_NOT_IN_TRANSIT, RECEIPT_EXCEEDS_SHIPMENT,
 *   UNIT_MISMATCH, INVALID_ARGUMENT — each with `details.path`, the event's JSON pointer.
 */
export async function receiveCaptured(tx: Tx, event: Json, path: string, shipmentId: string, recipient: Participant, received: Set<string>): Promise<EventBodies['Received']> {
  try {
    const shipment = await getShipment(tx, shipmentId);
    if (received.has(shipmentId)) {
      throw new ZfcError('SHIPMENT_NOT_IN_TRANSIT', `shipment ${shipmentId} is received by an earlier event of this document`, { shipmentId, status: 'received' });
    }
    assertReceivable(shipment, recipient);
    const wanted = receiptLines(event, path);
    wanted?.forEach((line, i) => {
      const sent = shipment.lines.find((s) => s.gtin === line.gtin && s.lot === line.lot);
      if (sent && line.uom !== undefined && line.uom !== sent.unit) {
        throw new ZfcError('UNIT_MISMATCH', `${path}/quantityList/${i}: shipped in ${sent.unit}, received in ${line.uom}`, { path, field: `${path}/quantityList/${i}/uom`, unit: sent.unit });
      }
    });
    const lines = wanted?.map(({ gtin, lot, quantity }) => ({ gtin, lot, quantity }));
    const done = await receiveInto(tx, shipment, recipient, lines, locationOf(event, path));
    received.add(shipmentId);
    return { shipment: done.shipment, holdings: done.holdings };
  } catch (err) {
    throw atEvent(err, path);
  }
}
