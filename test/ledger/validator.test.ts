/**
 * The validator on its own, for what the ledger tests reach only by timing: a block that
 * becomes durable (and leaves the pending overlay) while the next block is being validated
 * must still count, or a phantom slips through.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PendingWrites } from '../../ledger-tools/pending-writes';
import type { ReadWriteSet } from '../../ledger-tools/rwset';
import { LedgerStore } from '../../ledger-tools/store';
import { validateBlock } from '../../ledger-tools/validator';

describe('Validator', () => {
  let dir: string;
  let store: LedgerStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zfc-validator-'));
    store = await LedgerStore.open(dir);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const countRange: ReadWriteSet = {
    reads: [],
    ranges: [{ startKey: 'r/', endKey: 'r0', exhausted: true, reads: [] }],
    writes: [{ key: 'count', isDelete: false, value: Buffer.from('0').toString('base64') }],
  };
  const readKey: ReadWriteSet = { reads: [{ key: 'k', version: null }], ranges: [], writes: [] };

  it('sees pending writes of earlier blocks: a new key in a read range is a phantom, a changed key a conflict', async () => {
    const pending = new PendingWrites();
    pending.add(4, [
      { key: 'r/1', version: { block: 4, tx: 0 } },
      { key: 'k', version: { block: 4, tx: 1 } },
    ]);
    expect(await validateBlock(store, 5, [countRange, readKey], pending)).to.deep.equal(['PHANTOM_READ_CONFLICT', 'MVCC_READ_CONFLICT']);
    expect(await validateBlock(store, 5, [countRange, readKey])).to.deep.equal(['VALID', 'VALID']);
  });

  it('still counts a pending block that settles while the validation is reading the store', async () => {
    const pending = new PendingWrites();
    pending.add(4, [{ key: 'r/1', version: { block: 4, tx: 0 } }]);
    const validating = validateBlock(store, 5, [countRange], pending);
    pending.settle(4, ['r/1']); // as if block 4 became durable now (this test never writes it)
    expect(await validating).to.deep.equal(['PHANTOM_READ_CONFLICT']);
  });
});
