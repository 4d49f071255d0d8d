/**
 * Products (GTIN-14 trade items): registered by the producer or processor that owns the
 * brand, with the unit its lots are counted in, a declared yield range for transformations,
 * whether a passing test is required before a lot of it ships, and, for products counted in
 * mass or volume, what one item holds (its net quantity).
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireRole } from './access';
import { isCountUnit } from './quantity';
import type { Product } from './records';
import type { TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** Reads a product or throws PRODUCT_NOT_FOUND. */
export function getProduct(tx: Tx, gtin: string): Promise<Product> {
  return tx.need<Product>(KEY.product, [gtin], () => new ZfcError('PRODUCT_NOT_FOUND', `product ${gtin} not found`, { gtin }));
}

/** A producer or processor registers a product it owns. */
export async function registerProduct(tx: Tx, input: TransactionInputs['RegisterProduct']): Promise<EventBodies['ProductRegistered']> {
  const owner = await requireRole(tx, ['producer', 'processor'], 'register products');
  if (await tx.get(KEY.product, [input.gtin])) {
    throw new ZfcError('PRODUCT_EXISTS', `product ${input.gtin} is already registered`, { gtin: input.gtin });
  }
  if (input.yield && input.yield.min > input.yield.max) {
    throw new ZfcError('INVALID_ARGUMENT', '/yield: min must not exceed max', { field: '/yield' });
  }
  if (input.netQuantity !== undefined && isCountUnit(input.unit)) {
    throw new ZfcError('INVALID_ARGUMENT', `/netQuantity: an item of a product counted in ${input.unit} is one ${input.unit}`, { field: '/netQuantity' });
  }
  const product: Product = {
    gtin: input.gtin, name: input.name, category: input.category, unit: input.unit, requiresTest: input.requiresTest,
    ...(input.netQuantity !== undefined ? { netQuantity: input.netQuantity } : {}),
    ...(input.yield ? { yield: { min: input.yield.min, max: input.yield.max } } : {}),
    owner: owner.id, registeredAt: tx.time,
  };
  await tx.put(KEY.product, [product.gtin], product);
  return { product };
}
