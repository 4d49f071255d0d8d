/**
 * Inclusion proofs: everything a third party needs to check, with nothing but SHA-256 and
 * canonical JSON, that a transaction is in a block — the transaction, its hash, the Merkle path
 * to the block's root, and the block header whose hash the chain (or a published anchor) vouches
 * for.
 */
import { canonicalJson } from '../chaincode/canonical-json';
import { ZfcError } from '../chaincode/errors';
import { blockHash, sha256Hex, type TransactionRecord } from './block';
import type { BlockHeader } from './ledger';
import { merkleProof, verifyMerkleProof, type MerkleStep } from './merkle';
import { checkBlock } from './block-check';
import type { LedgerStore } from './store';

/** A transaction's inclusion proof. */
export interface TransactionProof {
  readonly format: 'zfc-tx-proof/1';
  /** How to check it, in words, for whoever holds only this file. */
  readonly howToVerify: string;
  readonly txId: string;
  readonly blockNumber: number;
  readonly txIndex: number;
  readonly transaction: TransactionRecord;
  /** SHA-256 of the transaction's canonical JSON. */
  readonly txHash: string;
  readonly merkleProof: readonly MerkleStep[];
  readonly header: BlockHeader;
  /** SHA-256 of the header's canonical JSON. */
  readonly blockHash: string;
}

/** The outcome of {@link verifyTransactionProof}. */
export interface ProofCheck {
  readonly valid: boolean;
  readonly problems: readonly string[];
}

const HOW_TO_VERIFY =
  'txHash = SHA-256(canonical JSON of transaction: keys sorted, no whitespace); fold merkleProof over txHash ' +
  '(left: SHA-256(sibling || node), right: SHA-256(node || sibling), hashes as raw 32 bytes) to get header.merkleRoot; ' +
  'blockHash = SHA-256(canonical JSON of header); compare blockHash with the ledger or a published anchor.';

/**
 * The inclusion proof of a committed transaction, or TX_NOT_FOUND.
 *
 * @example
 * const proof = await proveTransaction(ledger.store, txId);
 * verifyTransactionProof(proof).valid === true;
 */
export async function proveTransaction(store: LedgerStore, txId: string): Promise<TransactionProof> {
  const location = typeof txId === 'string' ? await store.txLocation(txId) : undefined;
  if (!location) throw new ZfcError('TX_NOT_FOUND', `no transaction ${String(txId)}`, { txId });
  const bytes = await store.blockBytes(location.block);
  if (!bytes) throw new ZfcError('LEDGER_CORRUPT', `block ${location.block} is missing`, { block: location.block });
  const check = checkBlock(bytes, location.block, undefined);
  const transaction = check.block?.transactions[location.tx];
  if (!check.block || !transaction || check.problems.length > 0) {
    throw new ZfcError('LEDGER_CORRUPT', `block ${location.block} fails verification`, { block: location.block, problems: check.problems });
  }
  return {
    format: 'zfc-tx-proof/1',
    howToVerify: HOW_TO_VERIFY,
    txId,
    blockNumber: location.block,
    txIndex: location.tx,
    transaction,
    txHash: check.txHashes[location.tx] as string,
    merkleProof: merkleProof(check.txHashes, location.tx),
    header: check.block.header,
    blockHash: check.block.hash,
  };
}

/** Checks a proof with SHA-256 and canonical JSON alone. Optionally against a block hash you trust. */
export function verifyTransactionProof(proof: TransactionProof, trustedBlockHash?: string): ProofCheck {
  const problems: string[] = [];
  try {
    if (proof.format !== 'zfc-tx-proof/1') problems.push(`unknown proof format ${JSON.stringify(proof.format)}`);
    if (proof.transaction.txId !== proof.txId) problems.push('the transaction is not the one the proof names');
    const txHash = sha256Hex(canonicalJson(proof.transaction));
    if (txHash !== proof.txHash) problems.push('the transaction does not hash to txHash');
    if (!verifyMerkleProof(txHash, proof.merkleProof, proof.header.merkleRoot)) problems.push('the Merkle path does not lead to the header’s Merkle root');
    const hash = blockHash(proof.header);
    if (hash !== proof.blockHash) problems.push('the header does not hash to blockHash');
    if (proof.header.number !== proof.blockNumber) problems.push('the header is not of the block the proof names');
    if (trustedBlockHash !== undefined && hash !== trustedBlockHash.toLowerCase()) problems.push('the block hash is not the trusted one');
  } catch (err) {
    problems.push(`the proof is malformed: ${(err as Error).message}`);
  }
  return { valid: problems.length === 0, problems };
}
