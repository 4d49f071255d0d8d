/**
 * Export and import of a whole ledger as NDJSON: one stored block per line, byte for byte (each
 * line is the block's canonical JSON). Import rebuilds a ledger in an empty folder from those
 * lines — checking each block and its place in the chain before writing it, replaying the state
 * — and ends with a full verify, so an archive that was altered is refused.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ZfcError } from '../chaincode/errors';
import { GENESIS_PREVIOUS_HASH } from './block';
import { checkBlock } from './block-check';
import { StateReplay } from './replay';
import { LedgerStore } from './store';
import { verifyLedger, type VerifyReport } from './verify';

/**
 * The ledger's blocks as NDJSON lines (each ending in a newline), from one snapshot.
 *
 * @example
 * for await (const line of exportBlocks(ledger.store)) out.write(line);
 */
export async function* exportBlocks(store: LedgerStore): AsyncGenerator<Buffer> {
  const snapshot = store.db.snapshot();
  try {
    const stored = await store.db.get('m!height', { snapshot });
    const height = stored ? Number(stored.toString('utf8')) : 0;
    for (let n = 0; n < height; n++) {
      const bytes = await store.blockBytes(n, snapshot);
      if (!bytes) throw new ZfcError('LEDGER_CORRUPT', `block ${n} is missing`, { block: n });
      yield Buffer.concat([bytes, Buffer.from('\n')]);
    }
  } finally {
    await snapshot.close();
  }
}

/** Options of {@link importBlocks}. */
export interface ImportOptions {
  readonly onProgress?: (blocks: number) => void;
}

/**
 * Rebuilds a ledger in `dir` (which must hold no blocks yet) from NDJSON blocks, then verifies it.
 * Throws LEDGER_CORRUPT naming the first block that fails, having written only the blocks before it.
 */
export async function importBlocks(dir: string, input: Readable | AsyncIterable<string>, options: ImportOptions = {}): Promise<VerifyReport> {
  const store = await LedgerStore.open(dir);
  try {
    if ((await store.height()) > 0) throw new ZfcError('INVALID_STATE', `the ledger in ${dir} already holds blocks; import needs an empty folder`, { dir });
    const lines = 'pipe' in input ? createInterface({ input, crlfDelay: Infinity }) : input;
    const replay = new StateReplay();
    let previous = GENESIS_PREVIOUS_HASH;
    let n = 0;
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const bytes = Buffer.from(line, 'utf8');
      const check = checkBlock(bytes, n, previous);
      if (!check.block || !check.hash || check.problems.length > 0) {
        throw new ZfcError('LEDGER_CORRUPT', `block ${n} of the archive fails verification`, { block: n, problems: check.problems });
      }
      const replayed = replay.apply(check.block);
      if (replayed.problems.length > 0) throw new ZfcError('LEDGER_CORRUPT', `block ${n} of the archive fails replay`, { block: n, problems: replayed.problems });
      await store.commit({ block: check.block, bytes, txHashes: check.txHashes }, replayed.writes);
      previous = check.hash;
      n++;
      options.onProgress?.(n);
    }
    return await verifyLedger(store);
  } finally {
    await store.close();
  }
}
