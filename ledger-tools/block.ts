/**
 * Blocks and transactions as stored and hashed. Everything is canonical JSON, so anyone can
 * recompute a transaction's hash (SHA-256 of its canonical JSON), a block's Merkle root over
 * its transaction hashes, and the block hash (SHA-256 of the header's canonical JSON), which
 * the next block's header carries as `previousHash`.
 */
import { canonicalJson } from '../chaincode/canonical-json';
import { sha256Hex } from '../chaincode/sha256';
import type { BlockHeader } from './ledger';
import { merkleRoot } from './merkle';
import type { ReadWriteSet } from './rwset';
import { transactionJson } from './transaction-json';

/** The previous hash of block 0. */
export const GENESIS_PREVIOUS_HASH = '0'.repeat(64);

/** Fabric's validation codes for the outcomes the embedded ledger can produce. */
export type ValidationCode = 'VALID' | 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT';

/** A transaction as recorded in a block. */
export interface TransactionRecord {
  readonly txId: string;
  /** ISO 8601, UTC, from the proposal: what the chaincode saw as the transaction timestamp. */
  readonly timestamp: string;
  /** Who submitted it: the MSP ID and the SHA-256 (hex) of the certificate PEM, found in the block's `certificates`. */
  readonly creator: { readonly mspId: string; readonly certificateHash: string };
  /** The transaction name as invoked: `Fn` or `Contract:Fn`. */
  readonly fn: string;
  readonly args: readonly string[];
  readonly rwset: ReadWriteSet;
  /** The chaincode's response payload, base64. */
  readonly response: string;
  readonly event: { readonly name: string; readonly payload: string } | null;
  readonly validationCode: ValidationCode;
}

/**
 * A sealed block. `hash` is SHA-256 of the header's canonical JSON, hex. Each creator's
 * certificate is stored once per block in `certificates`, keyed by its SHA-256, which the
 * transactions carry (so the Merkle root binds them).
 */
export interface Block {
  readonly header: BlockHeader;
  readonly hash: string;
  readonly certificates: Readonly<Record<string, string>>;
  readonly transactions: readonly TransactionRecord[];
}

/** SHA-256, hex: the chaincode's own (one-shot where Node has it), so ledger and contract hash alike. */
export { sha256Hex };

/** A transaction's hash: SHA-256 of its canonical JSON. */
export function transactionHash(tx: TransactionRecord): string {
  return sha256Hex(canonicalJson(tx));
}

/** A block's hash: SHA-256 of its header's canonical JSON. */
export function blockHash(header: BlockHeader): string {
  return sha256Hex(canonicalJson(header));
}

/** A block ready to store: the block, its canonical bytes and its transactions' hashes. */
export interface SealedBlock {
  readonly block: Block;
  readonly bytes: Buffer;
  readonly txHashes: readonly string[];
}

/**
 * Seals transactions into block `number` after a block whose hash is `previousHash`. Each
 * transaction is serialized and UTF-8 encoded once: its hash is taken of those bytes, and the
 * block's bytes are those pieces copied together (keys `certificates` < `hash` < `header` <
 * `transactions`: the result is canonical JSON of the block). Hashing the text and encoding the
 * whole block's text again encoded every transaction twice.
 */
export function sealBlock(
  number: number,
  previousHash: string,
  timestamp: string,
  txs: readonly TransactionRecord[],
  certificates: Readonly<Record<string, string>>,
): SealedBlock {
  const txBytes = txs.map((tx) => Buffer.from(transactionJson(tx), 'utf8'));
  const txHashes = txBytes.map((bytes) => sha256Hex(bytes));
  const header: BlockHeader = { number, previousHash, merkleRoot: merkleRoot(txHashes), timestamp, txCount: txs.length };
  const hash = blockHash(header);
  const pieces = [Buffer.from(`{"certificates":${canonicalJson(certificates)},"hash":${JSON.stringify(hash)},"header":${canonicalJson(header)},"transactions":[`, 'utf8')];
  txBytes.forEach((bytes, i) => pieces.push(...(i > 0 ? [COMMA, bytes] : [bytes])));
  pieces.push(CLOSE);
  return { block: { header, hash, certificates, transactions: txs }, bytes: Buffer.concat(pieces), txHashes };
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/** Parses stored block bytes (no checks: see verify for those). */
export function parseBlock(bytes: Uint8Array): Block {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as Block;
}
