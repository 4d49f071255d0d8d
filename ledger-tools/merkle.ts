/**
 * The Merkle tree over a block's transaction hashes (merkletreejs, SHA-256): leaves are the
 * transaction hashes themselves, each parent is SHA-256(left ‖ right), and an odd node at the
 * end of a level is carried up unchanged. Proofs are lists of sibling hashes with their side,
 * so a third party can check one with nothing but SHA-256 ({@link verifyMerkleProof}).
 */
import { hash } from 'node:crypto';
import { MerkleTree } from 'merkletreejs';

/** One step of an inclusion proof: the sibling hash (hex) and on which side it goes. */
export interface MerkleStep {
  readonly position: 'left' | 'right';
  readonly hash: string;
}

function sha256(data: Buffer): Buffer {
  return hash('sha256', data, 'buffer');
}

function tree(leafHashes: readonly string[]): MerkleTree {
  const leaves = leafHashes.map((h) => Buffer.from(h, 'hex'));
  return new MerkleTree(leaves, sha256, { hashLeaves: false, sortPairs: false, duplicateOdd: false });
}

/** The Merkle root of transaction hashes (hex); SHA-256 of nothing for an empty list. */
export function merkleRoot(leafHashes: readonly string[]): string {
  if (leafHashes.length === 0) return hash('sha256', '', 'hex');
  if (leafHashes.length === 1) return leafHashes[0] as string;
  return tree(leafHashes).getRoot().toString('hex');
}

/** The inclusion proof of the leaf at `index`. */
export function merkleProof(leafHashes: readonly string[], index: number): MerkleStep[] {
  const leaf = leafHashes[index];
  if (leaf === undefined) throw new RangeError(`no leaf at index ${index}`);
  if (leafHashes.length === 1) return [];
  return tree(leafHashes)
    .getProof(Buffer.from(leaf, 'hex'), index)
    .map((step) => ({ position: step.position === 'left' ? 'left' : 'right', hash: step.data.toString('hex') }));
}

/** Checks an inclusion proof with SHA-256 alone: folds the steps over the leaf and compares with the root. */
export function verifyMerkleProof(leafHash: string, steps: readonly MerkleStep[], root: string): boolean {
  let node: Buffer = Buffer.from(leafHash, 'hex');
  for (const step of steps) {
    const sibling = Buffer.from(step.hash, 'hex');
    node = sha256(step.position === 'left' ? Buffer.concat([sibling, node]) : Buffer.concat([node, sibling]));
  }
  return node.toString('hex') === root.toLowerCase();
}
