/**
 * Aggregation: items, lot quantities and cases packed into a case or pallet (SSCC), and
 * unpacked. Packing does not change custody (the packer must hold what it packs); it lets a
 * scan or a shipment of the SSCC cover everything inside it, however deeply nested. What is
 * packed is claimed against the packer's holding (packed.ts), across all its containers, so
 * one holding is never packed twice over; unpacking returns the claim.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireRole } from './access';
import { assertUsableNow, getHolding, getLot } from './lot';
import { findItem, itemQuantity, putItem } from './item';
import { claim, release } from './packed';
import { aggregation } from './epcis-event';
import { add } from './quantity';
import type { Container, Item, Lot, LotQuantity, LotRef } from './records';
import type { AggregationChange, EventBodies } from './events';
import type { TransactionInputs } from './schemas';
import type { Tx } from './tx';

/** How deep containers may nest (item → case → pallet → …). */
export const MAX_NESTING = 8;

type PackedItem = Container['items'][number];

/** Reads a container or throws CONTAINER_NOT_FOUND. */
export function getContainer(tx: Tx, sscc: string): Promise<Container> {
  return tx.need<Container>(KEY.container, [sscc], () => new ZfcError('CONTAINER_NOT_FOUND', `container ${sscc} not found`, { sscc }));
}

/** Writes a container. */
export function putContainer(tx: Tx, container: Container): Promise<void> {
  return tx.put(KEY.container, [container.sscc], container);
}

/** Every lot a container holds, directly or in nested containers (deduplicated, in order). */
export async function containerLots(tx: Tx, container: Container, depth = 0): Promise<LotRef[]> {
  if (depth > MAX_NESTING) throw new ZfcError('INVALID_STATE', `container ${container.sscc} is nested too deeply`, { sscc: container.sscc });
  const refs: LotRef[] = [...container.items.map((i) => ({ gtin: i.gtin, lot: i.lot })), ...container.lots.map((l) => ({ gtin: l.gtin, lot: l.lot }))];
  for (const child of container.containers) refs.push(...(await containerLots(tx, await getContainer(tx, child), depth + 1)));
  return distinctLots(refs);
}

/** Each lot once, as a plain reference, in order of first appearance. */
export function distinctLots(refs: Iterable<LotRef>): LotRef[] {
  const out = new Map<string, LotRef>();
  for (const r of refs) {
    const key = `${r.gtin}\u0000${r.lot}`;
    if (!out.has(key)) out.set(key, { gtin: r.gtin, lot: r.lot });
  }
  return [...out.values()];
}

/** Quantities per lot, summed in order of first appearance. */
class Claims {
  private readonly lines = new Map<string, LotQuantity>();

  add(lot: Pick<Lot, 'gtin' | 'lot' | 'unit'>, quantity: number | undefined): void {
    if (quantity === undefined || quantity <= 0) return;
    const key = `${lot.gtin}\u0000${lot.lot}`;
    this.lines.set(key, { gtin: lot.gtin, lot: lot.lot, unit: lot.unit, quantity: add(this.lines.get(key)?.quantity ?? 0, quantity) });
  }

  list(): LotQuantity[] {
    return [...this.lines.values()];
  }
}

/** What items claim of their lots: one each for lots in pieces, the product's net quantity, or nothing if it declares none. */
async function claimItems(tx: Tx, items: readonly PackedItem[], claims: Claims): Promise<void> {
  for (const item of items) {
    const lot = await getLot(tx, item);
    claims.add(lot, await itemQuantity(tx, lot));
  }
}

/** What a container claims of each lot, directly and in the containers nested in it. */
export async function containerClaims(tx: Tx, container: Container, claims = new Claims(), depth = 0): Promise<LotQuantity[]> {
  if (depth > MAX_NESTING) throw new ZfcError('INVALID_STATE', `container ${container.sscc} is nested too deeply`, { sscc: container.sscc });
  await claimItems(tx, container.items, claims);
  for (const line of container.lots) claims.add(line, line.quantity);
  for (const child of container.containers) await containerClaims(tx, await getContainer(tx, child), claims, depth + 1);
  return claims.list();
}

/** Moves a container and everything nested in it to a new holder. */
export async function transferContainer(tx: Tx, sscc: string, holder: string, depth = 0): Promise<void> {
  if (depth > MAX_NESTING) return;
  const moved: { -readonly [K in keyof Container]: Container[K] } = { ...(await getContainer(tx, sscc)), holder, updatedAt: tx.time };
  delete moved.inTransit;
  await putContainer(tx, moved);
  const container = moved;
  for (const child of container.containers) await transferContainer(tx, child, holder, depth + 1);
}

async function packItems(tx: Tx, holder: string, sscc: string, items: readonly { gtin: string; serial: string }[]): Promise<PackedItem[]> {
  const packed: PackedItem[] = [];
  for (const ref of items) {
    const item = await findItem(tx, ref.gtin, ref.serial);
    if (item.container) throw new ZfcError('CONFLICT', `item ${ref.gtin}/${ref.serial} is already packed in ${item.container}`, { ...ref, container: item.container });
    if (item.status === 'sold') throw new ZfcError('INVALID_STATE', `item ${ref.gtin}/${ref.serial} is sold`, { ...ref });
    if (item.status === 'disposed') throw new ZfcError('INVALID_STATE', `item ${ref.gtin}/${ref.serial} was destroyed or disposed of (disposal ${item.disposalId ?? ''})`, { ...ref, disposalId: item.disposalId });
    const lot = await getLot(tx, item);
    await assertUsableNow(tx, lot, 'pack');
    const holding = await getHolding(tx, lot, holder);
    if (!holding || holding.quantity <= 0) throw new ZfcError('NOT_OWNER', `${holder} holds none of lot ${lot.gtin}/${lot.lot}`, { gtin: lot.gtin, lot: lot.lot });
    await putItem(tx, { ...item, container: sscc });
    packed.push({ gtin: item.gtin, serial: item.serial, lot: item.lot });
  }
  return packed;
}

async function packLots(tx: Tx, existing: readonly LotQuantity[], lots: readonly { gtin: string; lot: string; quantity: number }[]): Promise<{ all: LotQuantity[]; added: LotQuantity[] }> {
  const all = [...existing];
  const added: LotQuantity[] = [];
  for (const line of lots) {
    const lot = await getLot(tx, line);
    await assertUsableNow(tx, lot, 'pack');
    const i = all.findIndex((l) => l.gtin === line.gtin && l.lot === line.lot);
    const total = add(i >= 0 ? (all[i]?.quantity ?? 0) : 0, line.quantity);
    const entry: LotQuantity = { gtin: lot.gtin, lot: lot.lot, quantity: total, unit: lot.unit };
    if (i >= 0) all[i] = entry; else all.push(entry);
    added.push({ gtin: lot.gtin, lot: lot.lot, quantity: line.quantity, unit: lot.unit });
    tx.touch(lot);
  }
  return { all, added };
}

async function assertNotAncestor(tx: Tx, child: string, parent: Container | undefined, sscc: string): Promise<void> {
  let cursor: string | undefined = child === sscc ? sscc : parent?.parent;
  for (let depth = 0; cursor && depth <= MAX_NESTING; depth++) {
    if (cursor === child) throw new ZfcError('INVALID_ARGUMENT', `/containers: ${child} would contain itself`, { field: '/containers', sscc: child });
    cursor = (await tx.get<Container>(KEY.container, [cursor]))?.parent;
  }
}

async function packContainers(tx: Tx, holder: string, parent: Container | undefined, sscc: string, children: readonly string[]): Promise<string[]> {
  for (const child of children) {
    await assertNotAncestor(tx, child, parent, sscc);
    const container = await getContainer(tx, child);
    if (container.holder !== holder) throw new ZfcError('NOT_OWNER', `container ${child} is held by another participant`, { sscc: child });
    if (container.inTransit) throw new ZfcError('CONFLICT', `container ${child} is in transit`, { sscc: child, shipmentId: container.inTransit });
    if (container.parent) throw new ZfcError('CONFLICT', `container ${child} is already packed in ${container.parent}`, { sscc: child, parent: container.parent });
    await putContainer(tx, { ...container, parent: sscc, updatedAt: tx.time });
  }
  return [...children];
}

/** The holder packs items, lot quantities or containers into a case or pallet. */
export async function aggregate(tx: Tx, input: TransactionInputs['Aggregate']): Promise<EventBodies['Aggregated']> {
  const packer = await requireRole(tx, ['producer', 'processor', 'distributor', 'retailer'], 'pack');
  if (!input.items && !input.lots && !input.containers) throw new ZfcError('INVALID_ARGUMENT', 'give items, lots or containers to pack', { field: '/items' });
  const existing = await tx.get<Container>(KEY.container, [input.sscc]);
  if (existing && existing.holder !== packer.id) throw new ZfcError('NOT_OWNER', `container ${input.sscc} is held by another participant`, { sscc: input.sscc });
  if (existing?.inTransit) throw new ZfcError('CONFLICT', `container ${input.sscc} is in transit`, { sscc: input.sscc, shipmentId: existing.inTransit });
  if (new Set(input.containers ?? []).size !== (input.containers ?? []).length) throw new ZfcError('INVALID_ARGUMENT', '/containers: an SSCC is named twice', { field: '/containers' });
  const items = await packItems(tx, packer.id, input.sscc, input.items ?? []);
  const lots = await packLots(tx, existing?.lots ?? [], input.lots ?? []);
  const claims = new Claims();
  await claimItems(tx, items, claims);
  for (const line of lots.added) claims.add(line, line.quantity);
  const claimed = claims.list();
  for (const line of claimed) await claim(tx, line, packer.id);
  const containers = await packContainers(tx, packer.id, existing, input.sscc, input.containers ?? []);
  const container: Container = {
    sscc: input.sscc, holder: packer.id, items: [...(existing?.items ?? []), ...items], lots: lots.all,
    containers: [...(existing?.containers ?? []), ...containers], ...(existing?.parent ? { parent: existing.parent } : {}), updatedAt: tx.time,
  };
  await putContainer(tx, container);
  const added: AggregationChange = { items, lots: lots.added, containers };
  aggregation(tx, 'ADD', input.sscc, added, input.location);
  return { container, added, location: { ...input.location }, claimed };
}

function pick<T>(all: readonly T[], named: readonly unknown[] | undefined, match: (t: T, n: never) => boolean, what: string): T[] {
  if (!named) return [];
  return named.map((n, i) => {
    const found = all.find((t) => match(t, n as never));
    if (!found) throw new ZfcError('INVALID_ARGUMENT', `/${what}/${i}: not in the container`, { field: `/${what}/${i}` });
    return found;
  });
}

/** The holder unpacks a container: the named children, or everything. */
export async function disaggregate(tx: Tx, input: TransactionInputs['Disaggregate']): Promise<EventBodies['Disaggregated']> {
  const packer = await requireRole(tx, ['producer', 'processor', 'distributor', 'retailer'], 'unpack');
  const container = await getContainer(tx, input.sscc);
  if (container.holder !== packer.id) throw new ZfcError('NOT_OWNER', `container ${input.sscc} is held by another participant`, { sscc: input.sscc });
  if (container.inTransit) throw new ZfcError('CONFLICT', `container ${input.sscc} is in transit`, { sscc: input.sscc, shipmentId: container.inTransit });
  const everything = !input.items && !input.lots && !input.containers;
  const removed: AggregationChange = everything
    ? { items: container.items, lots: container.lots, containers: container.containers }
    : {
      items: pick(container.items, input.items, (t, n: { gtin: string; serial: string }) => t.gtin === n.gtin && t.serial === n.serial, 'items'),
      lots: pick(container.lots, input.lots, (t, n: LotRef) => t.gtin === n.gtin && t.lot === n.lot, 'lots'),
      containers: pick(container.containers, input.containers, (t, n: string) => t === n, 'containers'),
    };
  for (const i of removed.items) {
    const item: { -readonly [K in keyof Item]: Item[K] } = { ...(await findItem(tx, i.gtin, i.serial)) };
    delete item.container;
    await putItem(tx, item);
  }
  for (const c of removed.containers) {
    const child: { -readonly [K in keyof Container]: Container[K] } = { ...(await getContainer(tx, c)), updatedAt: tx.time };
    delete child.parent;
    await putContainer(tx, child);
  }
  removed.lots.forEach((l) => tx.touch(l));
  const returned = new Claims();
  await claimItems(tx, removed.items, returned);
  for (const line of removed.lots) returned.add(line, line.quantity);
  for (const line of returned.list()) await release(tx, line, packer.id);
  const updated: Container = {
    ...container, updatedAt: tx.time,
    items: container.items.filter((i) => !removed.items.includes(i)),
    lots: container.lots.filter((l) => !removed.lots.includes(l)),
    containers: container.containers.filter((c) => !removed.containers.includes(c)),
  };
  await putContainer(tx, updated);
  if (removed.items.length + removed.lots.length + removed.containers.length > 0) aggregation(tx, 'DELETE', input.sscc, removed, input.location);
  return { container: updated, removed, location: { ...input.location } };
}
