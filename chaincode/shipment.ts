/**
 * Shipments and receipts: the holder ships quantities of lots to another participant (they
 * leave its holding at once and are in transit); the recipient receives them, in full or
 * short, never over. A quantity is spent once because it is debited when shipped. Containers
 * travel with their packed claims (the lines must carry at least what they hold packed):
 * released from the sender when shipped, claimed by the
 * recipient on receipt (never beyond what it then holds). Receiving is never refused for a
 * recalled lot: the goods have physically arrived and stay recalled.
 *
 * A return (`purpose: 'return'`) sends lot quantities back to their producer, whatever their
 * state: recalled or held stock (which no other shipment may move) goes back to the maker that
 * will destroy or rework it, as recalls are often run. It carries lot quantities only (unpack
 * cases first), every one of them the recipient's own make.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireParticipant, requireRole } from './access';
import { getParticipant } from './participant';
import { assertMayUse, assertUsableNow, credit, debit, getLot } from './lot';
import { claimReceived, release } from './packed';
import { containerClaims, containerLots, getContainer, putContainer, transferContainer } from './aggregation';
import { received, shipped } from './epcis-event';
import { add, sub } from './quantity';
import type { Holding, Location, LotQuantity, Participant, Shipment } from './records';
import type { TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** Reads a shipment or throws SHIPMENT_NOT_FOUND. */
export function getShipment(tx: Tx, shipmentId: string): Promise<Shipment> {
  return tx.need<Shipment>(KEY.shipment, [shipmentId], () => new ZfcError('SHIPMENT_NOT_FOUND', `shipment ${shipmentId} not found`, { shipmentId }));
}

/** Refuses a lot named twice in one list. */
export function assertDistinctLots(lines: readonly { gtin: string; lot: string }[], field: string): void {
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    const key = `${l.gtin}\u0000${l.lot}`;
    if (seen.has(key)) throw new ZfcError('INVALID_ARGUMENT', `${field}/${i}: lot named twice`, { field: `${field}/${i}` });
    seen.add(key);
  });
}

async function shipLines(tx: Tx, sender: string, input: TransactionInputs['Ship']): Promise<{ shippedLines: LotQuantity[]; holdings: Holding[] }> {
  const shippedLines: LotQuantity[] = [];
  const holdings: Holding[] = [];
  for (const [i, line] of input.lines.entries()) {
    const lot = await getLot(tx, line);
    if (input.purpose !== 'return') await assertMayUse(tx, lot, 'ship');
    else if (lot.producer !== input.to) {
      throw new ZfcError('INVALID_ARGUMENT', `/lines/${i}: a return goes back to the lot's producer (${lot.producer}), not to ${input.to}`, { field: `/lines/${i}`, producer: lot.producer, to: input.to });
    }
    holdings.push(await debit(tx, lot, sender, line.quantity));
    shippedLines.push({ gtin: lot.gtin, lot: lot.lot, quantity: line.quantity, unit: lot.unit });
  }
  return { shippedLines, holdings };
}

/** Refuses a shipment whose lines carry less of a lot than its containers hold packed. */
function assertLinesCover(lines: TransactionInputs['Ship']['lines'], packed: readonly LotQuantity[]): void {
  for (const p of packed) {
    const shipped = lines.find((l) => l.gtin === p.gtin && l.lot === p.lot)?.quantity ?? 0;
    if (shipped < p.quantity) {
      throw new ZfcError('INVALID_ARGUMENT', `/lines: the containers hold ${p.quantity} ${p.unit} of lot ${p.gtin}/${p.lot} packed, the lines ship ${shipped}`, {
        field: '/lines', gtin: p.gtin, lot: p.lot, packed: p.quantity, shipped, unit: p.unit,
      });
    }
  }
}

/** Checks and marks the shipped containers in transit, releasing their packed claims; returns them. */
async function checkContainers(tx: Tx, sender: string, ssccs: readonly string[], shipmentId: string): Promise<LotQuantity[]> {
  if (new Set(ssccs).size !== ssccs.length) throw new ZfcError('INVALID_ARGUMENT', '/containers: an SSCC is named twice', { field: '/containers' });
  const released: LotQuantity[] = [];
  for (const sscc of ssccs) {
    const container = await getContainer(tx, sscc);
    if (container.holder !== sender) throw new ZfcError('NOT_OWNER', `container ${sscc} is held by another participant`, { sscc });
    if (container.inTransit) throw new ZfcError('CONFLICT', `container ${sscc} is in transit in shipment ${container.inTransit}`, { sscc, shipmentId: container.inTransit });
    if (container.parent) throw new ZfcError('CONFLICT', `container ${sscc} is packed in ${container.parent}: ship that`, { sscc, parent: container.parent });
    for (const ref of await containerLots(tx, container)) await assertUsableNow(tx, await getLot(tx, ref), 'ship');
    for (const line of await containerClaims(tx, container)) {
      await release(tx, line, sender);
      const i = released.findIndex((r) => r.gtin === line.gtin && r.lot === line.lot);
      if (i >= 0) released[i] = { ...line, quantity: add(released[i]?.quantity ?? 0, line.quantity) }; else released.push(line);
    }
    await putContainer(tx, { ...container, inTransit: shipmentId, updatedAt: tx.time });
  }
  return released;
}

/** The roles that ship. */
export const SHIPPER_ROLES = ['producer', 'processor', 'distributor', 'retailer'] as const;

/** The holder ships lots to another participant. */
export async function ship(tx: Tx, input: TransactionInputs['Ship']): Promise<EventBodies['Shipped']> {
  const sender = await requireRole(tx, SHIPPER_ROLES, 'ship');
  const done = await shipFrom(tx, sender, input);
  shipped(tx, done.shipment, sender, done.recipient);
  return { shipment: done.shipment, holdings: done.holdings };
}

/**
 * What a shipment changes — the sender's holdings debited, its cases and pallets in transit,
 * the shipment recorded in transit — after the checks Ship makes of it (a new ID, another
 * active participant, distinct lots, containers the sender holds, lines covering them, lots the
 * sender holds enough of and may ship). The sender's role is the caller's to check, and the
 * evidence its to record: Ship records its own EPCIS event, a captured shipping event is its own.
 */
export async function shipFrom(tx: Tx, sender: Participant, input: TransactionInputs['Ship']): Promise<EventBodies['Shipped'] & { recipient: Participant }> {
  if (await tx.get(KEY.shipment, [input.shipmentId])) throw new ZfcError('SHIPMENT_EXISTS', `shipment ${input.shipmentId} already exists`, { shipmentId: input.shipmentId });
  if (input.to === sender.id) throw new ZfcError('INVALID_ARGUMENT', '/to: a participant cannot ship to itself', { field: '/to' });
  const recipient = await getParticipant(tx, input.to);
  if (recipient.status !== 'active') throw new ZfcError('PARTICIPANT_SUSPENDED', `participant ${recipient.id} is suspended`, { participant: recipient.id });
  assertDistinctLots(input.lines, '/lines');
  const containers = input.containers ?? [];
  if (input.purpose === 'return' && containers.length > 0) throw new ZfcError('INVALID_ARGUMENT', '/containers: a return carries lot quantities; unpack its cases first', { field: '/containers' });
  assertLinesCover(input.lines, await checkContainers(tx, sender.id, containers, input.shipmentId));
  const { shippedLines, holdings } = await shipLines(tx, sender.id, input);
  const shipment: Shipment = {
    shipmentId: input.shipmentId, from: sender.id, to: recipient.id, ...(input.purpose ? { purpose: input.purpose } : {}), lines: shippedLines, containers: [...containers],
    origin: { ...input.origin }, ...(input.destination ? { destination: { ...input.destination } } : {}),
    status: 'in_transit', shippedAt: tx.time, txId: tx.txId,
  };
  await tx.put(KEY.shipment, [shipment.shipmentId], shipment);
  return { shipment, holdings, recipient };
}

function receiptLines(shipment: Shipment, lines: TransactionInputs['Receive']['lines']): LotQuantity[] {
  if (!lines) return [...shipment.lines];
  assertDistinctLots(lines, '/lines');
  return lines.map((line, i) => {
    const sent = shipment.lines.find((s) => s.gtin === line.gtin && s.lot === line.lot);
    if (!sent || line.quantity > sent.quantity) {
      throw new ZfcError('RECEIPT_EXCEEDS_SHIPMENT', `/lines/${i}: more than was shipped`, { field: `/lines/${i}`, shipped: sent?.quantity ?? 0, received: line.quantity });
    }
    return { ...sent, quantity: line.quantity };
  });
}

/** The recipient receives a shipment, in full or short. */
export async function receive(tx: Tx, input: TransactionInputs['Receive']): Promise<EventBodies['Received']> {
  const recipient = await requireParticipant(tx);
  const shipment = await getShipment(tx, input.shipmentId);
  assertReceivable(shipment, recipient);
  const done = await receiveInto(tx, shipment, recipient, input.lines, input.location);
  received(tx, done.shipment, done.lines, input.location, await getParticipant(tx, shipment.from), recipient);
  return { shipment: done.shipment, holdings: done.holdings };
}

/** A shipment may be received only by its addressee, and only while in transit. */
export function assertReceivable(shipment: Shipment, recipient: Participant): void {
  if (shipment.to !== recipient.id) throw new ZfcError('NOT_OWNER', `shipment ${shipment.shipmentId} is addressed to another participant`, { shipmentId: shipment.shipmentId });
  if (shipment.status !== 'in_transit') throw new ZfcError('SHIPMENT_NOT_IN_TRANSIT', `shipment ${shipment.shipmentId} is ${shipment.status}`, { status: shipment.status });
}

/**
 * What a receipt changes — the recipient's holdings, the shipment's cases and pallets, and the
 * shipment, received with its lines and shortfall — for a shipment {@link assertReceivable}
 * passed; `lines` absent receives it in full. The evidence (an EPCIS receiving event) is the
 * caller's: Receive records its own, a captured receiving event is its own.
 */
export async function receiveInto(
  tx: Tx,
  shipment: Shipment,
  recipient: Participant,
  inputLines: TransactionInputs['Receive']['lines'],
  location: Location,
): Promise<{ shipment: Shipment; lines: LotQuantity[]; holdings: Holding[] }> {
  const lines = receiptLines(shipment, inputLines);
  const holdings: Holding[] = [];
  for (const line of lines) holdings.push(await credit(tx, await getLot(tx, line), recipient.id, line.quantity));
  const shortfall = shipment.lines
    .map((s) => ({ ...s, quantity: sub(s.quantity, lines.find((l) => l.gtin === s.gtin && l.lot === s.lot)?.quantity ?? 0) }))
    .filter((s) => s.quantity > 0);
  for (const sscc of shipment.containers) {
    for (const line of await containerClaims(tx, await getContainer(tx, sscc))) await claimReceived(tx, line, recipient.id);
    await transferContainer(tx, sscc, recipient.id);
  }
  const updated: Shipment = { ...shipment, status: 'received', received: { lines, shortfall, at: tx.time, location: { ...location }, txId: tx.txId } };
  await tx.put(KEY.shipment, [shipment.shipmentId], updated);
  return { shipment: updated, lines, holdings };
}
