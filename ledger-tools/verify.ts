/**
 * `zfc ledger verify`: recompute every transaction hash, Merkle root and block hash, check the
 * chain, replay the blocks into a fresh state and compare it — and the history and transaction
 * index derived with it — with what is stored. Reads one snapshot, so it can run while the
 * ledger is committing. Reports every problem found with the block it belongs to; the first bad
 * block is the lowest of them.
 */
import { GENESIS_PREVIOUS_HASH, type Block } from './block';
import { checkBlock } from './block-check';
import { StateReplay } from './replay';
import { encodeHistory, encodeHistoryWithValue, encodeState, historyPrefix, padNumber, txKey, type LedgerStore, type StateWrite } from './store';

/** One thing verify found wrong, and the block it belongs to (null when it cannot be placed). */
export interface VerifyProblem {
  readonly block: number | null;
  readonly message: string;
}

/** The outcome of {@link verifyLedger}. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly height: number;
  readonly transactions: number;
  readonly stateKeys: number;
  /** The lowest block with a problem, or null if none. */
  readonly firstBadBlock: number | null;
  readonly problems: readonly VerifyProblem[];
}

/** Options of {@link verifyLedger}. */
export interface VerifyOptions {
  /** Called after each block with the number of blocks checked and the height. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Verifies a ledger store end to end.
 *
 * @example
 * const report = await verifyLedger(ledger.store);
 * if (!report.ok) console.error(`first bad block: ${report.firstBadBlock}`, report.problems);
 */
export async function verifyLedger(store: LedgerStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const db = store.db;
  const snapshot = db.snapshot();
  const problems: VerifyProblem[] = [];
  const add = (block: number | null, message: string): void => {
    problems.push({ block, message });
  };
  try {
    const heightBytes = await db.get('m!height', { snapshot });
    const height = heightBytes ? Number(heightBytes.toString('utf8')) : 0;
    const replay = new StateReplay();
    const history = new Map<string, StateWrite>();
    let previous: string | undefined = GENESIS_PREVIOUS_HASH;
    let transactions = 0;
    for (let n = 0; n < height; n++) {
      let bytes: Buffer | undefined;
      try {
        bytes = await store.blockBytes(n, snapshot);
      } catch (err) {
        add(n, `block ${n} cannot be read: ${(err as Error).message}`);
        previous = undefined;
        continue;
      }
      if (!bytes) {
        add(n, `block ${n} is missing`);
        previous = undefined;
        continue;
      }
      const check = checkBlock(bytes, n, previous);
      for (const message of check.problems) add(n, message);
      previous = check.hash;
      if (check.block) {
        transactions += check.block.transactions.length;
        const txIds = check.block.transactions.map((tx) => tx.txId);
        const index = await db.getMany(txIds.map(txKey), { snapshot });
        index.forEach((entry, i) => {
          if (entry?.toString('utf8') !== `${n},${i}`) add(n, `transaction index entry of block ${n} transaction ${i} is wrong or missing`);
        });
        replayBlock(replay, check.block, history, add);
      }
      options.onProgress?.(n + 1, height);
    }
    const stateKeys = await compareState(store, snapshot, replay, add);
    await compareHistory(store, snapshot, history, add);
    await compareIndexSize(store, snapshot, transactions, add);
    const placed = problems.filter((p) => p.block !== null).map((p) => p.block as number);
    const firstBadBlock = placed.length > 0 ? placed.reduce((a, b) => Math.min(a, b)) : null;
    return { ok: problems.length === 0, height, transactions, stateKeys, firstBadBlock, problems };
  } finally {
    await snapshot.close();
  }
}

type Snapshot = ReturnType<LedgerStore['db']['snapshot']>;

function replayBlock(replay: StateReplay, block: Block, history: Map<string, StateWrite>, add: Add): void {
  const n = block.header.number;
  try {
    const replayed = replay.apply(block);
    for (const message of replayed.problems) add(n, message);
    for (const w of replayed.writes) history.set(historyPrefix(w.key) + padNumber(w.version.block) + padNumber(w.version.tx), w);
  } catch (err) {
    add(n, `block ${n} cannot be replayed: ${(err as Error).message}`);
  }
}
type Add = (block: number | null, message: string) => void;

async function compareState(store: LedgerStore, snapshot: Snapshot, replay: StateReplay, add: Add): Promise<number> {
  const seen = new Set<string>();
  for await (const [k, v] of store.db.iterator({ gte: 's!', lt: 's"', snapshot })) {
    const key = k.slice(2);
    seen.add(key);
    const expected = replay.state.get(key);
    if (!expected) {
      add(v.length >= 8 ? v.readUInt32BE(0) : null, `state holds key ${JSON.stringify(key)} that no block wrote`);
    } else if (!encodeState(expected.value, expected.version).equals(v)) {
      add(expected.version.block, `state of key ${JSON.stringify(key)} differs from what block ${expected.version.block} wrote`);
    }
  }
  for (const [key, expected] of replay.state) {
    if (!seen.has(key)) add(expected.version.block, `state lacks key ${JSON.stringify(key)} written by block ${expected.version.block}`);
  }
  return seen.size;
}

/** Each entry is what its block's write gives, in this layout or (entries of ledgers before it) with the value repeated. */
async function compareHistory(store: LedgerStore, snapshot: Snapshot, expected: Map<string, StateWrite>, add: Add): Promise<void> {
  for await (const [k, v] of store.db.iterator({ gte: 'h!', lt: 'h"', snapshot })) {
    const block = Number(k.slice(-24, -12));
    const want = expected.get(k);
    if (!want) add(Number.isInteger(block) ? block : null, `history holds an entry no block wrote: ${JSON.stringify(k)}`);
    else if (!encodeHistory(want).equals(v) && !encodeHistoryWithValue(want).equals(v)) add(block, `history entry ${JSON.stringify(k)} differs from block ${block}`);
    expected.delete(k);
  }
  for (const k of expected.keys()) add(Number(k.slice(-24, -12)), `history lacks the entry ${JSON.stringify(k)}`);
}

async function compareIndexSize(store: LedgerStore, snapshot: Snapshot, transactions: number, add: Add): Promise<void> {
  let entries = 0;
  const keys = store.db.keys({ gte: 't!', lt: 't"', snapshot });
  for (let page = await keys.nextv(1000); page.length > 0; page = await keys.nextv(1000)) entries += page.length;
  await keys.close();
  if (entries !== transactions) add(null, `the transaction index has ${entries} entries for ${transactions} transactions`);
}
