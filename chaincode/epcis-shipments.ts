/**
 * Captured shipping and receiving events that ship and receive the ledger's shipments, as Ship
 * and Receive would, so that a participant whose own EPCIS system records its despatches and
 * receipts moves goods on the ledger without calling either.
 *
 * The link is the standard's own field: a shipment is the business transaction of its events,
 * `desadv` `urn:zfc:shipment:{id}` (Ship's and Receive's events name it so, epcis-event.ts).
 *
 * - An ObjectEvent of the `shipping` step naming a new shipment ID that way ships it: the
 *   capturer is the sender (a role that ships), the one `owning_party` of its destinationList the
 *   recipient (a participant's GLN), its quantityList the lots and quantities (each an LGTIN class,
 *   in the lot's unit), the SSCCs of its epcList the cases and pallets, its bizLocation (else
 *   readPoint) the origin, a `location` destination the destination; then every check and change
 *   of Ship — the sender holds enough of each lot and may ship it, holds the cases, and so on.
 * - An ObjectEvent of the `receiving` step naming a shipment in transit receives it: only by the
 *   addressee, the lots and quantities of its quantityList in their shipped unit (in full without
 *   one), never over, where its bizLocation (else readPoint) says; then every change of Receive.
 *
 * A refusal names the event and the field, and refuses the whole capture (or, when the capture
 * proceeds past refused events, that event alone, none of its writes kept). The captured event is
 * the shipment's or the receipt's evidence: no other EPCIS event is recorded for it. Its record
 * says which shipment it shipped or received, and such an event cannot be declared erroneous
 * later (what it did on the ledger stands). Other shipping and receiving events stay evidence
 * and move nothing.
 */
import { assertRole } from './access';
import { cbvWord, type Prefixes } from './cbv';
import { tryParseIdentifier } from './digital-link';
import { SHIPMENT_URN } from './epcis-event';
import { normalizeCached } from './epcis-identifiers';
import { ZfcError } from './errors';
import { validateValue } from './validate';
import type { EventBodies } from './events';
import { getLot } from './lot';
import { getParticipant, participantsWithGln } from './participant';
import type { Location, Participant } from './records';
import { ID_PATTERN } from './schemas';
import { assertReceivable, getShipment, receiveInto, SHIPPER_ROLES, shipFrom } from './shipment';
import type { Tx } from './tx';

type Json = Readonly<Record<string, unknown>>;

/** A receipt a capture made: the receiving event, and what Receive would have given. */
export type CapturedReceipt = EventBodies['Received'] & { readonly eventID: string };

/** A shipment a capture made: the shipping event, and what Ship would have given. */
export type CapturedShipment = EventBodies['Shipped'] & { readonly eventID: string };

/** A shipment ID, as Ship's schema has it. */
const SHIPMENT_ID = new RegExp(ID_PATTERN);

/** A GS1 identifier in any form, parsed from its canonical form; undefined for anything else. */
export function parsed(text: unknown): ReturnType<typeof tryParseIdentifier> {
  try {
    return tryParseIdentifier(normalizeCached(String(text)));
  } catch {
    return undefined;
  }
}

/**
 * The ID of the ledger's shipment a captured event ships or receives, or undefined when it
 * names none: only an ObjectEvent of the `shipping` or `receiving` step (not a DELETE, not itself
 * an error declaration) naming one as its `desadv` does.
 *
 * @throws ZfcError INVALID_ARGUMENT when it names more than one, or a malformed shipment ID.
 */
export function linkedShipment(event: Json, path: string, prefixes: Prefixes = {}): { readonly step: 'shipping' | 'receiving'; readonly shipmentId: string } | undefined {
  const step = cbvWord('BizStep', event['bizStep'], prefixes);
  if (event['type'] !== 'ObjectEvent' || (step !== 'shipping' && step !== 'receiving') || event['action'] === 'DELETE' || event['errorDeclaration'] !== undefined) return undefined;
  const list = Array.isArray(event['bizTransactionList']) ? (event['bizTransactionList'] as Json[]) : [];
  const named = list.filter((b) => cbvWord('BTT', b['type'], prefixes) === 'desadv' && typeof b['bizTransaction'] === 'string' && b['bizTransaction'].startsWith(SHIPMENT_URN));
  if (named.length === 0) return undefined;
  if (named.length > 1) {
    throw new ZfcError('INVALID_ARGUMENT', `${path}: a ${step} event moves one shipment, and this one names ${named.length}`, { path, errors: [{ path: `${path}/bizTransactionList`, message: 'names more than one shipment of this ledger as its despatch advice' }] });
  }
  const shipmentId = (named[0]?.['bizTransaction'] as string).slice(SHIPMENT_URN.length);
  if (!SHIPMENT_ID.test(shipmentId)) {
    throw new ZfcError('INVALID_ARGUMENT', `${path}: ${SHIPMENT_URN}${shipmentId.slice(0, 80)} names no shipment ID this ledger takes`, { path, errors: [{ path: `${path}/bizTransactionList`, message: 'a shipment ID is 1 to 64 letters, digits and ._:- (starting with a letter or digit)' }] });
  }
  return { step, shipmentId };
}

/** The lots and quantities an event names in its quantityList; undefined for none. */
function lotLines(event: Json, path: string): Array<{ gtin: string; lot: string; quantity: number; uom?: string }> | undefined {
  const list = Array.isArray(event['quantityList']) ? (event['quantityList'] as Json[]) : [];
  if (list.length === 0) return undefined;
  return list.map((q, i) => {
    const at = `${path}/quantityList/${i}`;
    const id = parsed(q['epcClass']);
    if (id?.kind !== 'lot' || !id.gtin || id.lot === undefined) {
      throw new ZfcError('INVALID_ARGUMENT', `${at}: a shipment or a receipt of one names lots (a GTIN with a lot)`, { path, errors: [{ path: `${at}/epcClass`, message: 'names no lot' }] });
    }
    const quantity = q['quantity'];
    if (typeof quantity !== 'number' || !(quantity > 0)) {
      throw new ZfcError('INVALID_ARGUMENT', `${at}: a shipment or a receipt of one gives each lot's quantity`, { path, errors: [{ path: `${at}/quantity`, message: 'must be a quantity above 0' }] });
    }
    return { gtin: id.gtin, lot: id.lot, quantity, ...(typeof q['uom'] === 'string' ? { uom: q['uom'] } : {}) };
  });
}

/** A GS1 identifier's GLN (a location's or a party's), or undefined. */
function glnOf(id: unknown): string | undefined {
  return typeof id === 'string' ? parsed(id)?.gln : undefined;
}

/**
 * Where the event took place: its business location, else its read point, as a GLN; refused
 * (INVALID_ARGUMENT at the event's bizLocation) when it gives neither, `what` (a shipment, a
 * disposal) naming what needs it.
 */
export function locationOf(event: Json, path: string, what = 'a shipment or a receipt of one'): Location {
  for (const field of ['bizLocation', 'readPoint'] as const) {
    const gln = glnOf((event[field] as Json | undefined)?.['id']);
    if (gln) return { gln };
  }
  throw new ZfcError('INVALID_ARGUMENT', `${path}: ${what} says where it took place`, { path, errors: [{ path: `${path}/bizLocation`, message: 'needs a bizLocation or readPoint with a GLN' }] });
}

/** Where in a captured event each field of Ship's and Receive's input came from. */
const FIELDS: ReadonlyArray<[RegExp, string]> = [
  [/^\/lines/, '/quantityList'], [/^\/containers/, '/epcList'], [/^\/(?:to|destination)\b/, '/destinationList'], [/^\/(?:origin|location)\b/, '/bizLocation'],
];

/** The event's field a field of Ship's or Receive's input came from (a JSON pointer from the document), if known. */
function eventField(given: unknown, path: string): string | undefined {
  const rule = typeof given === 'string' ? FIELDS.find(([re]) => re.test(given)) : undefined;
  return typeof given === 'string' && rule ? `${path}${given.replace(rule[0], rule[1])}` : undefined;
}

/** A refusal of the shipment or receipt, naming the event (and, for a line, the field) it came from. */
function atEvent(err: unknown, path: string): unknown {
  if (!(err instanceof ZfcError) || String(err.details['path'] ?? '').startsWith(path)) return err;
  const field = eventField(err.details['field'], path);
  // a schema refusal's field errors, pointed into the document as a capture's own are
  const errors = Array.isArray(err.details['errors'])
    ? { errors: (err.details['errors'] as Array<{ field?: unknown; message?: unknown }>).map((e) => ({ path: eventField(e.field, path) ?? path, message: String(e.message ?? '') })) }
    : {};
  return new ZfcError(err.code, `${path}: ${err.text}`, { ...err.details, path, ...(field !== undefined ? { field } : {}), ...errors });
}

/**
 * Receives the shipment a captured receiving event names, as Receive would, for the capturer.
 * A second receipt of it in the same document finds it received (Tx reads its own writes).
 *
 * @throws ZfcError SHIPMENT_NOT_FOUND, NOT_OWNER, SHIPMENT_NOT_IN_TRANSIT, RECEIPT_EXCEEDS_SHIPMENT,
 *   UNIT_MISMATCH, INVALID_ARGUMENT — each with `details.path`, the event's JSON pointer.
 */
export async function receiveCaptured(tx: Tx, event: Json, path: string, shipmentId: string, recipient: Participant): Promise<EventBodies['Received']> {
  try {
    const shipment = await getShipment(tx, shipmentId);
    assertReceivable(shipment, recipient);
    const wanted = lotLines(event, path);
    wanted?.forEach((line, i) => {
      const sent = shipment.lines.find((s) => s.gtin === line.gtin && s.lot === line.lot);
      if (sent && line.uom !== undefined && line.uom !== sent.unit) {
        throw new ZfcError('UNIT_MISMATCH', `${path}/quantityList/${i}: shipped in ${sent.unit}, received in ${line.uom}`, { path, field: `${path}/quantityList/${i}/uom`, unit: sent.unit });
      }
    });
    // bounded as Receive's own input is (lines, quantities, identifiers)
    const input = validateValue('Receive', { shipmentId, ...(wanted ? { lines: wanted.map(({ gtin, lot, quantity }) => ({ gtin, lot, quantity })) } : {}), location: locationOf(event, path) });
    const done = await receiveInto(tx, shipment, recipient, input.lines, input.location);
    return { shipment: done.shipment, holdings: done.holdings };
  } catch (err) {
    throw atEvent(err, path);
  }
}

/** The participant whose GLN a party identifier names: exactly one (participant.ts's GLN index). */
async function participantByGln(tx: Tx, gln: string, at: string): Promise<Participant> {
  const found = await participantsWithGln(tx, gln);
  if (found.length === 1) return getParticipant(tx, found[0] as string);
  throw new ZfcError(found.length === 0 ? 'PARTICIPANT_NOT_FOUND' : 'INVALID_ARGUMENT', `${at}: ${found.length === 0 ? 'no participant has' : 'more than one participant has'} GLN ${gln}`, { field: at, gln });
}

/**
 * Ships, as Ship would, the shipment a captured shipping event names, from the capturer.
 *
 * @throws ZfcError FORBIDDEN, SHIPMENT_EXISTS, PARTICIPANT_NOT_FOUND, PARTICIPANT_SUSPENDED,
 *   QUANTITY_EXCEEDS_HOLDING, NOT_OWNER, UNIT_MISMATCH, LOT_RECALLED and the rest of Ship's,
 *   INVALID_ARGUMENT — each with `details.path`, the event's JSON pointer.
 */
export async function shipCaptured(tx: Tx, event: Json, path: string, shipmentId: string, sender: Participant, prefixes: Prefixes = {}): Promise<EventBodies['Shipped']> {
  try {
    assertRole(sender, SHIPPER_ROLES, 'ship');
    const ends = (Array.isArray(event['destinationList']) ? (event['destinationList'] as Json[]) : []).map((d, i) => ({ d, i }));
    const owners = ends.filter(({ d }) => cbvWord('SDT', d['type'], prefixes) === 'owning_party');
    const owner = owners.length === 1 ? owners[0] : undefined;
    const ownerGln = glnOf(owner?.d['destination']);
    if (!owner || !ownerGln) {
      throw new ZfcError('INVALID_ARGUMENT', `${path}: a shipment of this ledger names its recipient: one owning_party in destinationList, a participant's GLN`, { path, errors: [{ path: `${path}/destinationList`, message: 'needs one owning_party naming a participant by GLN' }] });
    }
    const recipient = await participantByGln(tx, ownerGln, `${path}/destinationList/${owner.i}`);
    const lines = lotLines(event, path);
    if (!lines) throw new ZfcError('INVALID_ARGUMENT', `${path}: a shipment of this ledger names its lots and quantities`, { path, errors: [{ path: `${path}/quantityList`, message: 'needs the lots shipped (LGTIN classes) and their quantities' }] });
    const containers: string[] = [];
    for (const [i, epc] of (Array.isArray(event['epcList']) ? (event['epcList'] as unknown[]) : []).entries()) {
      const id = parsed(epc);
      if (id?.kind !== 'sscc' || !id.sscc) {
        throw new ZfcError('INVALID_ARGUMENT', `${path}/epcList/${i}: a shipment of this ledger carries lots (quantityList) and cases or pallets (SSCCs), not single items`, { path, errors: [{ path: `${path}/epcList/${i}`, message: 'must be an SSCC' }] });
      }
      containers.push(id.sscc);
    }
    const destination = glnOf(ends.find(({ d }) => cbvWord('SDT', d['type'], prefixes) === 'location')?.d['destination']);
    // bounded as Ship's own input is (at most LIMITS.linesPerTx lines, quantities up to LIMITS.quantity, identifiers), before a lot is read
    const input = validateValue('Ship', {
      shipmentId, to: recipient.id, lines: lines.map(({ gtin, lot, quantity }) => ({ gtin, lot, quantity })), ...(containers.length > 0 ? { containers } : {}),
      origin: locationOf(event, path), ...(destination ? { destination: { gln: destination } } : {}),
    });
    for (const [i, line] of lines.entries()) {
      const { unit } = await getLot(tx, line);
      if (line.uom !== undefined && line.uom !== unit) {
        throw new ZfcError('UNIT_MISMATCH', `${path}/quantityList/${i}: the lot is counted in ${unit}, shipped in ${line.uom}`, { path, field: `${path}/quantityList/${i}/uom`, unit });
      }
    }
    const done = await shipFrom(tx, sender, input);
    return { shipment: done.shipment, holdings: done.holdings };
  } catch (err) {
    throw atEvent(err, path);
  }
}
