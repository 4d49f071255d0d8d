/**
 * The level operations of a block are those of their definition: per write a state entry
 * (encodeState) or its deletion and a history entry (encodeHistory) under the key's history
 * prefix and the write's padded version, then each transaction's index entry, where the block
 * is in the block file ("@offset,length", and the file's end; the block itself when no place is
 * given) and the height — however blockOperations shares the parts that writes of one transaction have in common.
 */
import { expect } from 'chai';
import type { SealedBlock } from '../../ledger-tools/block';
import type { BlockLocation } from '../../ledger-tools/block-file';
import { blockKey, blockOperations, encodeHistory, encodeState, historyPrefix, padNumber, stateKey, txKey, type Op, type StateWrite } from '../../ledger-tools/store';
import { pick, seededRandom } from '../seeded-random';

function reference(sealed: SealedBlock, writes: readonly StateWrite[], location?: BlockLocation): Op[] {
  const { header, transactions } = sealed.block;
  const ops: Op[] = [];
  for (const w of writes) {
    ops.push(w.value ? { type: 'put', key: stateKey(w.key), value: encodeState(w.value, w.version) } : { type: 'del', key: stateKey(w.key) });
    ops.push({ type: 'put', key: historyPrefix(w.key) + padNumber(w.version.block) + padNumber(w.version.tx), value: encodeHistory(w) });
  }
  transactions.forEach((tx, i) => ops.push({ type: 'put', key: txKey(tx.txId), value: Buffer.from(`${header.number},${i}`) }));
  ops.push({ type: 'put', key: blockKey(header.number), value: location ? Buffer.from(`@${location.offset},${location.length}`) : sealed.bytes });
  if (location) ops.push({ type: 'put', key: 'm!blockfile', value: Buffer.from(String(location.offset + location.length)) });
  ops.push({ type: 'put', key: 'm!height', value: Buffer.from(String(header.number + 1)) });
  return ops;
}

const TEXT = ['a', 'é', '😀', '\n', '|', '0', '\u0000', 'tx'];

describe('Store block operations', () => {
  it('are those of the definition, for generated blocks of writes, deletes and transactions', () => {
    const rnd = seededRandom(92);
    const text = (): string => Array.from({ length: Math.floor(rnd() * 4) }, () => pick(rnd, TEXT)).join('');
    for (let round = 0; round < 500; round++) {
      const number = Math.floor(rnd() * 2 ** 32);
      const txCount = Math.floor(rnd() * 4);
      const transactions = Array.from({ length: txCount }, (_, i) => ({ txId: `t${i}${text()}`, timestamp: pick(rnd, ['2026-03-01T00:00:00.000Z', text()]) }));
      const writes: StateWrite[] = [];
      transactions.forEach((tx, i) => {
        // usually one version object per transaction, as the ledger makes them; sometimes a copy per write
        const version = { block: number, tx: i };
        for (let n = Math.floor(rnd() * 5); n > 0; n--) {
          const value = rnd() < 0.2 ? null : Buffer.from(text().repeat(1 + Math.floor(rnd() * 50)), 'utf8');
          writes.push({ key: `k${text()}`, value, version: rnd() < 0.8 ? version : { ...version }, txId: tx.txId, timestamp: tx.timestamp });
        }
      });
      if (rnd() < 0.2 && writes.length > 1) writes.reverse(); // writes of a transaction need not be together
      const sealed = { block: { header: { number }, transactions }, bytes: Buffer.from(text()) } as unknown as SealedBlock;
      const location = rnd() < 0.5 ? undefined : { offset: Math.floor(rnd() * 2 ** 40), length: 1 + Math.floor(rnd() * 2 ** 24) };
      expect(blockOperations(sealed, writes, location)).to.deep.equal(reference(sealed, writes, location));
    }
  });
});
