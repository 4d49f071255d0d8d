/**
 * Composite keys of world state, in one place so that every record's address is visible.
 *
 * Fabric's composite keys are joined with U+0000; a user-supplied part containing it (or any
 * other control character) could forge another record's key, so every part is checked here,
 * whatever validation ran before. Identities are keyed by a hash of MSP ID and X.509 ID.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { ZfcError } from './errors';

/** The object types of composite keys. */
export const KEY = {
  meta: 'zfc.meta',
  participant: 'zfc.participant',
  /** A GLN's participant (participant.ts): one participant per GLN, found without reading them all. */
  gln: 'zfc.gln',
  identity: 'zfc.identity',
  product: 'zfc.product',
  lot: 'zfc.lot',
  holding: 'zfc.holding',
  packed: 'zfc.packed',
  serials: 'zfc.serials',
  item: 'zfc.item',
  test: 'zfc.test',
  input: 'zfc.input',
  output: 'zfc.output',
  warning: 'zfc.warning',
  lotWarning: 'zfc.lotwarning',
  container: 'zfc.container',
  /** A case or pallet (SSCC) a captured EPCIS event packed with managed lots (epcis-capture.ts), for the recall gate. */
  capturedUnit: 'zfc.capturedunit',
  shipment: 'zfc.shipment',
  scan: 'zfc.scan',
  history: 'zfc.history',
  epcis: 'zfc.epcis',
  /** A participant whose EPCIS events named another as a trading party, and so may be read by it (epcis-access.ts). */
  readGrant: 'zfc.readgrant',
  recall: 'zfc.recall',
  /** A regulator's inspection of a site (inspection.ts). */
  inspection: 'zfc.inspection',
  /** A quantity of a lot destroyed or disposed of by its holder (disposal.ts). */
  disposal: 'zfc.disposal',
  recallVisit: 'zfc.recallvisit',
  openRecall: 'zfc.openrecall',
} as const;

/** A composite key object type. */
export type KeyType = (typeof KEY)[keyof typeof KEY];

/** Control characters, lone surrogates, line separators and BOM: never part of a key. */
const CONTROL = /\p{Cc}|\p{Cs}|[\u2028\u2029\ufeff]/u;

/** Refuses a key part that is empty, too long or carries a control character. */
export function checkKeyPart(part: string, field = 'key'): string {
  if (typeof part !== 'string' || part.length === 0 || part.length > 256 || CONTROL.test(part)) {
    throw new ZfcError('INVALID_ARGUMENT', `${field} is not a valid identifier`, { field });
  }
  return part;
}

/** A composite key from checked parts. */
export function compositeKey(stub: Context['stub'], type: KeyType, parts: readonly string[]): string {
  return stub.createCompositeKey(type, parts.map((p) => checkKeyPart(p)));
}

/** The hash that keys an identity: SHA-256 of MSP ID, newline, X.509 ID. */
export function identityHash(mspId: string, x509Id: string): string {
  return createHash('sha256').update(`${mspId}\n${x509Id}`, 'utf8').digest('hex');
}

/** A sortable, fixed-width sequence part: the transaction time plus its ID and an index. */
export function sequencePart(timestamp: string, txId: string, index: number): string {
  return `${timestamp}~${txId}~${String(index).padStart(6, '0')}`;
}
