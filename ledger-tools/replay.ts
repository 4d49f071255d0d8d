/**
 * Replays blocks into a fresh world state, in memory: the state a ledger must hold after its
 * blocks. While replaying it re-checks each recorded MVCC outcome (a transaction marked VALID
 * must have read current versions; one marked MVCC_READ_CONFLICT must not have). Verify compares
 * the result with the stored state; import writes it.
 */
import type { Block } from './block';
import { sameVersion, type Version } from './rwset';
import type { StateWrite } from './store';

/** A replayed key: its value and version. */
export interface ReplayedValue {
  readonly value: Buffer;
  readonly version: Version;
}

/** World state rebuilt from blocks. */
export class StateReplay {
  readonly state = new Map<string, ReplayedValue>();

  /** Applies a block's valid writes; returns them as store writes, with any validation-code problems. */
  apply(block: Block): { writes: StateWrite[]; problems: string[] } {
    const writes: StateWrite[] = [];
    const problems: string[] = [];
    const n = block.header.number;
    block.transactions.forEach((tx, i) => {
      const readsCurrent = tx.rwset.reads.every((r) => sameVersion(r.version, this.state.get(r.key)?.version ?? null));
      if (tx.validationCode === 'VALID' && !readsCurrent) problems.push(`block ${n} transaction ${i} is marked VALID but read a stale version`);
      if (tx.validationCode === 'MVCC_READ_CONFLICT' && readsCurrent) problems.push(`block ${n} transaction ${i} is marked MVCC_READ_CONFLICT but its reads were current`);
      if (tx.validationCode !== 'VALID') return;
      for (const w of tx.rwset.writes) {
        const version = { block: n, tx: i };
        const value = w.isDelete ? null : Buffer.from(w.value ?? '', 'base64');
        if (value) this.state.set(w.key, { value, version });
        else this.state.delete(w.key);
        writes.push({ key: w.key, value, version, txId: tx.txId, timestamp: tx.timestamp });
      }
    });
    return { writes, problems };
  }
}
