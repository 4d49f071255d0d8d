/**
 * A test-only contract that writes records straight into world state (a participant for the
 * caller's identity, a lot), so the EPCIS contract can be exercised on the real embedded ledger
 * before, and independently of, the main contract's onboarding flows.
 */
import 'reflect-metadata';
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalBytes } from '../../chaincode/canonical-json';
import { identityHash, KEY } from '../../chaincode/keys';

/** Seeds records for tests; never part of the deployed chaincode. */
@Info({ title: 'seed', description: 'test fixtures' })
export class SeedContract extends Contract {
  constructor() {
    super('seed');
  }

  /** Registers the calling identity as the participant given (JSON). */
  @Transaction()
  @Returns('string')
  async Participant(ctx: Context, participantJson: string): Promise<string> {
    const p = JSON.parse(participantJson) as { id: string };
    const link = identityHash(ctx.clientIdentity.getMSPID(), ctx.clientIdentity.getID());
    await ctx.stub.putState(ctx.stub.createCompositeKey(KEY.participant, [p.id]), canonicalBytes(p));
    await ctx.stub.putState(ctx.stub.createCompositeKey(KEY.identity, [link]), canonicalBytes({ participant: p.id }));
    return p.id;
  }

  /** Writes a product record (JSON with `gtin`). */
  @Transaction()
  @Returns('string')
  async Product(ctx: Context, productJson: string): Promise<string> {
    const product = JSON.parse(productJson) as { gtin: string };
    await ctx.stub.putState(ctx.stub.createCompositeKey(KEY.product, [product.gtin]), canonicalBytes(product));
    return product.gtin;
  }

  /** Writes an item record (JSON with `gtin`, `serial`, `lot`). */
  @Transaction()
  @Returns('string')
  async Item(ctx: Context, itemJson: string): Promise<string> {
    const item = JSON.parse(itemJson) as { gtin: string; serial: string };
    await ctx.stub.putState(ctx.stub.createCompositeKey(KEY.item, [item.gtin, item.serial]), canonicalBytes(item));
    return `${item.gtin}/${item.serial}`;
  }

  /** Writes a value under a plain key, as given (records of an earlier layout, for instance). */
  @Transaction()
  @Returns('string')
  async Raw(ctx: Context, key: string, value: string): Promise<string> {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return key;
  }

  /** Writes a lot record (JSON) as the ledger would keep it. */
  @Transaction()
  @Returns('string')
  async Lot(ctx: Context, lotJson: string): Promise<string> {
    const lot = JSON.parse(lotJson) as { gtin: string; lot: string };
    await ctx.stub.putState(ctx.stub.createCompositeKey(KEY.lot, [lot.gtin, lot.lot]), canonicalBytes(lot));
    return `${lot.gtin}/${lot.lot}`;
  }
}
