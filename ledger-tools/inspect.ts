/**
 * `zfc ledger inspect …`: a block, a transaction or a key, as JSON a person can read: values
 * shown as text when they are text (base64 otherwise), creators with their certificate subject,
 * keys with their whole history.
 */
import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { ZfcError } from '../chaincode/errors';
import type { Block } from './block';
import { checkBlock } from './block-check';
import type { LedgerStore } from './store';

/** A value as text if it is UTF-8 text, otherwise as base64. */
export type ShownValue = { readonly text: string } | { readonly base64: string };

/** Shows bytes as text when they decode to printable UTF-8. */
export function showValue(bytes: Uint8Array): ShownValue {
  const buf = Buffer.from(bytes);
  const text = buf.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const printable = Buffer.from(text, 'utf8').equals(buf) && !/[\u0000-\u0008\u000e-\u001f]/.test(text);
  return printable ? { text } : { base64: buf.toString('base64') };
}

/** A block with its transactions' hashes. */
export async function inspectBlock(store: LedgerStore, number: number): Promise<Block & { txHashes: readonly string[] }> {
  const bytes = Number.isInteger(number) && number >= 0 ? await store.blockBytes(number) : undefined;
  if (!bytes) throw new ZfcError('BLOCK_NOT_FOUND', `no block ${number}`, { block: number });
  const check = checkBlock(bytes, number, undefined);
  if (!check.block) throw new ZfcError('LEDGER_CORRUPT', `block ${number} does not parse`, { block: number, problems: check.problems });
  return { ...check.block, txHashes: check.txHashes };
}

/** A transaction, where it is, its hash and its creator. */
export async function inspectTransaction(store: LedgerStore, txId: string) {
  const location = await store.txLocation(txId);
  if (!location) throw new ZfcError('TX_NOT_FOUND', `no transaction ${txId}`, { txId });
  const block = await inspectBlock(store, location.block);
  const tx = block.transactions[location.tx];
  if (!tx) throw new ZfcError('LEDGER_CORRUPT', `block ${location.block} has no transaction ${location.tx}`, { block: location.block });
  const certificate = block.certificates[tx.creator.certificateHash] ?? '';
  return {
    blockNumber: location.block,
    txIndex: location.tx,
    txHash: block.txHashes[location.tx],
    creator: { mspId: tx.creator.mspId, subject: subjectOf(certificate), certificate },
    transaction: tx,
    writes: tx.rwset.writes.map((w) => ({ key: w.key, isDelete: w.isDelete, ...(w.value === undefined ? {} : { value: showValue(Buffer.from(w.value, 'base64')) }) })),
    event: tx.event ? { name: tx.event.name, payload: showValue(Buffer.from(tx.event.payload, 'base64')) } : null,
  };
}

/** A key's current value and version, and its history, newest first. */
export async function inspectKey(store: LedgerStore, key: string) {
  const current = await store.get(key);
  const history = await store.history(key);
  return {
    key,
    exists: current !== undefined,
    ...(current ? { value: showValue(current.value), version: current.version } : {}),
    history: history.map((h) => ({ txId: h.txId, timestamp: h.timestamp, isDelete: h.isDelete, ...(h.isDelete ? {} : { value: showValue(h.value) }) })),
  };
}

function subjectOf(pem: string): string | null {
  try {
    return new X509Certificate(pem).subject;
  } catch {
    return null;
  }
}
