/**
 * Looking an identifier up, GS1-resolver style: an item, else its lot, else its product. An
 * unknown serial walks up to the lot written beside it in the code (or the item's own lot), an
 * unknown lot to the product; only an unknown product is "not found".
 */
import { ZfcError } from '../chaincode/errors';
import { gtinLink, type ParsedIdentifier } from '../chaincode/digital-link';
import type { ItemView, LotView, ProductView, ResolverSource } from './resolver-source';

/** How deep a lookup got. */
export type ResolvedLevel = 'product' | 'lot' | 'item';

/** What the resolver knows about a scanned identifier. */
export interface Resolution {
  readonly identifier: ParsedIdentifier;
  /** What the code named. */
  readonly requested: ResolvedLevel;
  /** What was found: less than `requested` when the lookup walked up. */
  readonly level: ResolvedLevel;
  /** The scanned identifier on the deployment's domain, without data attributes. */
  readonly anchor: string;
  readonly product: ProductView;
  readonly lot?: LotView;
  readonly item?: ItemView;
}

/** Looks `identifier` (a product, lot or item) up in `source`; PRODUCT_NOT_FOUND if the GTIN is unknown. */
export async function lookUp(identifier: ParsedIdentifier, source: ResolverSource, baseUrl: string): Promise<Resolution> {
  const gtin = identifier.gtin;
  if (gtin === undefined || !['product', 'lot', 'item'].includes(identifier.kind)) {
    throw new ZfcError('NOT_FOUND', `this resolver answers for products, lots and items, not a ${identifier.kind}`, { identifier: identifier.canonical });
  }
  const requested = identifier.kind as ResolvedLevel;
  const [product, item] = await Promise.all([
    source.product(gtin),
    identifier.serial === undefined ? Promise.resolve(undefined) : source.item(gtin, identifier.serial),
  ]);
  if (product === undefined) throw new ZfcError('PRODUCT_NOT_FOUND', `no product ${gtin}`, { gtin });
  const lotCode = item?.lot ?? identifier.lot;
  const lot = lotCode === undefined ? undefined : await source.lot(gtin, lotCode);
  const level: ResolvedLevel = item !== undefined ? 'item' : lot !== undefined ? 'lot' : 'product';
  const anchor = gtinLink({
    gtin,
    ...(identifier.lot === undefined ? {} : { lot: identifier.lot }),
    ...(identifier.serial === undefined ? {} : { serial: identifier.serial }),
  }, baseUrl);
  return {
    identifier, requested, level, anchor, product,
    ...(lot === undefined ? {} : { lot }),
    ...(item === undefined ? {} : { item }),
  };
}
