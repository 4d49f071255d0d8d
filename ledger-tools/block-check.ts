/**
 * The checks one stored block must pass on its own and against its predecessor: it parses, its
 * bytes are exactly the canonical JSON of what they hold, its number is its position, it names
 * the previous block's hash, its Merkle root is that of its transactions' hashes, its hash is
 * that of its header, and every creator's certificate is present and hashes to the reference.
 * Used by verify and by import.
 */
import { sealBlock, sha256Hex, parseBlock, type Block } from './block';

/** What a block check found. */
export interface BlockCheck {
  /** The parsed block, when the bytes parse into a block's shape. */
  readonly block: Block | undefined;
  /** The hash the next block must name: the recomputed hash of this block's header. */
  readonly hash: string | undefined;
  readonly txHashes: readonly string[];
  readonly problems: readonly string[];
}

/** Checks the stored bytes of block `number`, which must follow a block whose hash is `previousHash`. */
export function checkBlock(bytes: Uint8Array, number: number, previousHash: string | undefined): BlockCheck {
  let block: Block;
  try {
    block = parseBlock(bytes);
  } catch (err) {
    return { block: undefined, hash: undefined, txHashes: [], problems: [`block ${number} does not parse: ${(err as Error).message}`] };
  }
  const problems: string[] = [];
  let resealed;
  try {
    const { header, transactions, certificates } = block;
    resealed = sealBlock(header.number, header.previousHash, header.timestamp, transactions, certificates);
  } catch (err) {
    return { block: undefined, hash: undefined, txHashes: [], problems: [`block ${number} is malformed: ${(err as Error).message}`] };
  }
  const { header } = block;
  if (header.number !== number) problems.push(`block ${number} says it is block ${header.number}`);
  if (previousHash !== undefined && header.previousHash !== previousHash) problems.push(`block ${number} does not chain: previousHash ${header.previousHash} is not ${previousHash}`);
  if (header.txCount !== block.transactions.length) problems.push(`block ${number} counts ${header.txCount} transactions but holds ${block.transactions.length}`);
  if (resealed.block.header.merkleRoot !== header.merkleRoot) problems.push(`block ${number} Merkle root does not match its transactions`);
  if (resealed.block.hash !== block.hash) problems.push(`block ${number} hash does not match its header`);
  if (!resealed.bytes.equals(Buffer.from(bytes))) problems.push(`block ${number} bytes are not the canonical JSON of its content`);
  problems.push(...checkCertificates(block));
  return { block, hash: resealed.block.hash, txHashes: resealed.txHashes, problems };
}

function checkCertificates(block: Block): string[] {
  const problems: string[] = [];
  const n = block.header.number;
  for (const [hash, pem] of Object.entries(block.certificates)) {
    if (typeof pem !== 'string' || sha256Hex(pem) !== hash) problems.push(`block ${n} certificate ${hash.slice(0, 16)}… does not match its hash`);
  }
  block.transactions.forEach((tx, i) => {
    if (!(tx.creator.certificateHash in block.certificates)) problems.push(`block ${n} transaction ${i} names a certificate the block does not hold`);
  });
  return problems;
}
