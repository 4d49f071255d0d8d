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
import { writeTransactionJson } from './transaction-json';
import { Utf8Builder } from './utf8-builder';

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
 * Seals transactions into block `number` after a block whose hash is `previousHash`. The block's
 * bytes are written once, into one buffer: the head (`{"certificates":…,"hash":…,"header":…,
 * "transactions":[`, keys in canonical order) and then each transaction's canonical JSON, in
 * pieces (transaction-json.ts), never as one string of a transaction or of the block
 * (utf8-builder.ts says why). The head's hashes depend on the transactions', so its place is
 * kept with hashes of the same length and written over once they are known. Each transaction's
 * hash is taken of its bytes where they lie in the block.
 */
export function sealBlock(
  number: number,
  previousHash: string,
  timestamp: string,
  txs: readonly TransactionRecord[],
  certificates: Readonly<Record<string, string>>,
): SealedBlock {
  const headerWith = (merkle: string): BlockHeader => ({ number, previousHash, merkleRoot: merkle, timestamp, txCount: txs.length });
  const headOf = (header: BlockHeader, hash: string): string => `{"certificates":${canonicalJson(certificates)},"hash":${JSON.stringify(hash)},"header":${canonicalJson(header)},"transactions":[`;
  const out = new Utf8Builder(estimatedBytes(txs) + 1024);
  const placeholder = headOf(headerWith(HASH_SIZED), HASH_SIZED);
  out.add(placeholder);
  const spans: number[] = [];
  txs.forEach((tx, i) => {
    if (i > 0) out.add(',');
    const start = out.length;
    writeTransactionJson(tx, out);
    spans.push(start, out.length);
  });
  out.add(']}');
  const bytes = out.bytes();
  const txHashes = txs.map((_, i) => sha256Hex(bytes.subarray(spans[2 * i], spans[2 * i + 1])));
  const header = headerWith(merkleRoot(txHashes));
  const hash = blockHash(header);
  const head = headOf(header, hash);
  if (Buffer.byteLength(head) !== Buffer.byteLength(placeholder)) throw new Error(`sealBlock: the head of block ${number} changed length with its hashes`);
  out.overwrite(0, head);
  return { block: { header, hash, certificates, transactions: txs }, bytes, txHashes };
}

/** A hash's length in hex, for the head's place before the hashes are known. */
const HASH_SIZED = '0'.repeat(64);

/**
 * About the bytes of transactions' JSON: their long texts (arguments, payloads, written values)
 * with a quarter more for escapes, and a little for each key and field. The buffer grows if
 * it falls short; an estimate only saves copying.
 */
function estimatedBytes(txs: readonly TransactionRecord[]): number {
  let n = 0;
  for (const tx of txs) {
    n += 512 + tx.response.length + (tx.event ? tx.event.name.length + tx.event.payload.length : 0);
    for (const a of tx.args) n += a.length * 1.25;
    for (const r of tx.rwset.reads) n += 64 + r.key.length;
    for (const w of tx.rwset.writes) n += 48 + w.key.length + (w.value?.length ?? 0);
    for (const r of tx.rwset.ranges) n += 128 + r.startKey.length + r.endKey.length + r.reads.length * 64;
  }
  return n;
}

/** Parses stored block bytes (no checks: see verify for those). */
export function parseBlock(bytes: Uint8Array): Block {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as Block;
}
