/**
 * sealBlock assembles a block's bytes from each transaction's encoded JSON: they must be exactly
 * the canonical JSON of the block (by its plain definition, not by the encoders the ledger uses),
 * and the hashes those of the definitions, for any number of transactions and any text in them.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { sealBlock, type TransactionRecord } from '../../ledger-tools/block';
import { merkleRoot } from '../../ledger-tools/merkle';
import { referenceCanonicalJson as reference } from '../canonical-reference';
import { pick, seededRandom } from '../seeded-random';


const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const TEXTS = ['', 'a', 'Zé', '"q"', '\\', '\u0000\u001f', '\u007f', '😀', '\ud800', 'x\udfff', '\ue000', '中文', 'b|c', '\u2028', '/'];

function text(rnd: () => number): string {
  let out = '';
  for (let i = Math.floor(rnd() * 4); i > 0; i--) out += pick(rnd, TEXTS) + String(Math.floor(rnd() * 100));
  return out;
}

function transaction(rnd: () => number, i: number): TransactionRecord {
  const key = (): string => `k/${text(rnd)}`;
  const version = (): { block: number; tx: number } | null => (rnd() < 0.3 ? null : { block: Math.floor(rnd() * 9), tx: Math.floor(rnd() * 9) });
  return {
    txId: `tx${i}${text(rnd)}`,
    timestamp: '2026-03-01T00:00:00.000Z',
    creator: { mspId: 'Org1MSP', certificateHash: text(rnd) },
    fn: pick(rnd, ['Put', 'epcis:CaptureEvents']),
    args: Array.from({ length: Math.floor(rnd() * 3) }, () => text(rnd).repeat(1 + Math.floor(rnd() * 500))),
    rwset: {
      reads: Array.from({ length: Math.floor(rnd() * 3) }, () => ({ key: key(), version: version() })),
      ranges: rnd() < 0.3 ? [{ startKey: key(), endKey: key(), exhausted: rnd() < 0.5, reads: [{ key: key(), version: version() }] }] : [],
      writes: Array.from({ length: Math.floor(rnd() * 3) }, () => (rnd() < 0.2 ? { key: key(), isDelete: true } : { key: key(), isDelete: false, value: Buffer.from(text(rnd)).toString('base64') })),
    },
    response: Buffer.from(text(rnd)).toString('base64'),
    event: rnd() < 0.5 ? null : { name: text(rnd) || 'E', payload: Buffer.from(text(rnd)).toString('base64') },
    validationCode: pick(rnd, ['VALID', 'MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT'] as const),
  };
}

describe('sealBlock', () => {
  it('gives the canonical JSON of the block and the defined hashes, for 0 to 5 transactions of varied text', () => {
    const rnd = seededRandom(20261128);
    for (let round = 0; round < 300; round++) {
      const txs = Array.from({ length: round % 6 }, (_, i) => transaction(rnd, i));
      const certificates = Object.fromEntries(txs.map((tx) => [tx.creator.certificateHash, text(rnd)]));
      const sealed = sealBlock(round, text(rnd) || '0', '2026-03-01T00:00:01.000Z', txs, certificates);
      const hashes = txs.map((tx) => sha256(reference(tx)));
      expect(sealed.txHashes).to.deep.equal(hashes);
      expect(sealed.block.header.merkleRoot).to.equal(merkleRoot(hashes));
      expect(sealed.block.hash).to.equal(sha256(reference(sealed.block.header)));
      expect(sealed.bytes.equals(Buffer.from(reference(sealed.block), 'utf8')), `round ${round}`).to.equal(true);
    }
  });
});
