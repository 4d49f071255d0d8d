/**
 * Transformations: a processor consumes quantities of lots it holds into one new output lot.
 * Lineage edges are written both ways (input → output, output → input) so recalls walk down
 * and traces walk either way by prefix. Mass balance compares the output with the inputs and
 * the product's declared yield; an excess (or a shortfall) is kept as a warning for regulators.
 */
import { ZfcError } from './errors';
import { KEY, sequencePart } from './keys';
import { requireRole } from './access';
import { getProduct } from './product';
import { assertMayUse, assertNewLot, credit, debit, getLot, newLot, putLot } from './lot';
import { convert, fix } from './quantity';
import { lotTransformed } from './epcis-event';
import type { Holding, LineageEdge, Lot, LotQuantity, MassBalance, Product, Warning } from './records';
import type { TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** Tolerance of the yield comparison (relative). */
const YIELD_TOLERANCE = 1e-9;

/** The mass balance of a transformation: inputs converted to the output's unit, against the yield. */
export function massBalance(inputs: readonly LotQuantity[], output: Pick<Lot, 'quantity' | 'unit'>, product: Pick<Product, 'yield'>): MassBalance {
  const converted = inputs.map((i) => convert(i.quantity, i.unit, output.unit)).filter((q): q is number => q !== undefined);
  const base = { output: output.quantity, unit: output.unit, ...(product.yield ? { yield: product.yield } : {}) };
  if (converted.length === 0) return { ...base, inputTotal: 0, verdict: 'unchecked' };
  const inputTotal = fix(converted.reduce((a, b) => a + b, 0));
  const ratio = fix(output.quantity / inputTotal);
  const range = product.yield ?? { min: 0, max: 1 };
  const verdict = ratio > range.max * (1 + YIELD_TOLERANCE) ? 'excess' : ratio < range.min * (1 - YIELD_TOLERANCE) ? 'shortfall' : 'ok';
  return { ...base, inputTotal, ratio, verdict };
}

function assertDistinct(inputs: TransactionInputs['TransformLots']['inputs']): void {
  const seen = new Set<string>();
  inputs.forEach((i, n) => {
    const key = `${i.gtin}\u0000${i.lot}`;
    if (seen.has(key)) throw new ZfcError('INVALID_ARGUMENT', `/inputs/${n}: lot named twice`, { field: `/inputs/${n}` });
    seen.add(key);
  });
}

async function consume(tx: Tx, holder: string, inputs: TransactionInputs['TransformLots']['inputs']): Promise<{ consumed: LotQuantity[]; holdings: Holding[] }> {
  const consumed: LotQuantity[] = [];
  const holdings: Holding[] = [];
  for (const input of inputs) {
    const lot = await getLot(tx, input);
    await assertMayUse(tx, lot, 'transform');
    holdings.push(await debit(tx, lot, holder, input.quantity));
    consumed.push({ gtin: lot.gtin, lot: lot.lot, quantity: input.quantity, unit: lot.unit });
  }
  return { consumed, holdings };
}

async function writeEdges(tx: Tx, transformationId: string, consumed: readonly LotQuantity[], output: Lot): Promise<LineageEdge[]> {
  const edges: LineageEdge[] = [];
  for (const c of consumed) {
    const edge: LineageEdge = {
      input: { gtin: c.gtin, lot: c.lot }, output: { gtin: output.gtin, lot: output.lot },
      quantity: c.quantity, unit: c.unit, transformationId, txId: tx.txId,
    };
    await tx.put(KEY.input, [output.gtin, output.lot, c.gtin, c.lot], edge);
    await tx.put(KEY.output, [c.gtin, c.lot, output.gtin, output.lot], edge);
    edges.push(edge);
  }
  return edges;
}

/** The roles that may transform lots (TransformLots, and captured TransformationEvents of the ledger's products). */
export const TRANSFORMER_ROLES = ['processor', 'producer'] as const;

/** A processor transforms lots it holds into a new lot. */
export async function transformLots(tx: Tx, input: TransactionInputs['TransformLots']): Promise<EventBodies['LotTransformed']> {
  const processor = await requireRole(tx, TRANSFORMER_ROLES, 'transform lots');
  assertDistinct(input.inputs);
  const product = await getProduct(tx, input.output.gtin);
  await assertNewLot(tx, input.output);
  const { consumed, holdings } = await consume(tx, processor.id, input.inputs);
  const output = newLot(tx, {
    gtin: input.output.gtin, lot: input.output.lot, productName: product.name, quantity: input.output.quantity, unit: product.unit,
    producer: processor.id, origin: { ...input.location }, productionDate: input.output.productionDate, madeBy: 'transformation',
    expiryDate: input.output.expiryDate,
  });
  await putLot(tx, output);
  holdings.push(await credit(tx, output, processor.id, output.quantity));
  const edges = await writeEdges(tx, input.transformationId, consumed, output);
  const balance = massBalance(consumed, output, product);
  const warning = balance.verdict === 'excess' || balance.verdict === 'shortfall' ? await warn(tx, input.transformationId, consumed, output, balance) : undefined;
  lotTransformed(tx, input.transformationId, consumed, output, input.location);
  return {
    transformationId: input.transformationId, participant: processor.id, inputs: consumed, output, edges, holdings,
    location: { ...input.location }, balance, ...(warning ? { warning } : {}),
  };
}

async function warn(tx: Tx, transformationId: string, inputs: readonly LotQuantity[], output: Lot, balance: MassBalance): Promise<Warning> {
  const warning: Warning = {
    warningId: sequencePart(tx.time, tx.txId, 0), kind: 'material_balance', transformationId,
    output: { gtin: output.gtin, lot: output.lot }, inputs, balance, participant: tx.callerId, at: tx.time, txId: tx.txId,
  };
  await tx.put(KEY.warning, [warning.warningId], warning);
  await tx.put(KEY.lotWarning, [output.gtin, output.lot, warning.warningId], warning);
  return warning;
}
