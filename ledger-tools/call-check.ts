/**
 * The argument checks every ledger applies before a call leaves the process: a transaction name
 * and string arguments, as Fabric requires. Shared by the embedded and the Fabric ledger so bad
 * input gets the same typed error whichever ledger is behind the port. Also what following
 * events after a checkpoint means, for the embedded ledger in either thread.
 */
import { ZfcError } from '../chaincode/errors';
import type { Checkpoint, LedgerEvent } from './ledger';

/** Throws INVALID_ARGUMENT unless `fn` is a non-empty string and `args` an array of strings. */
export function checkCall(fn: unknown, args: unknown): void {
  if (typeof fn !== 'string' || fn.length === 0) throw new ZfcError('INVALID_ARGUMENT', 'the transaction name must be a non-empty string');
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new ZfcError('INVALID_ARGUMENT', 'transaction arguments must be an array of strings', { fn });
  }
}

/** A checkpoint to follow events after: a block number and a transaction index, both integers from 0. */
export function checkCheckpoint(after: unknown): void {
  const c = after as { blockNumber?: unknown; txIndex?: unknown } | null;
  const valid = typeof c === 'object' && c !== null && Number.isSafeInteger(c.blockNumber) && Number.isSafeInteger(c.txIndex) && (c.blockNumber as number) >= 0 && (c.txIndex as number) >= 0;
  if (!valid) throw new ZfcError('INVALID_ARGUMENT', 'a checkpoint is a block number and a transaction index, both integers from 0', { after });
}

/** True if ledger position `event` comes strictly after `checkpoint` (always, without one). */
export function isAfter(event: Checkpoint, checkpoint: Checkpoint | undefined): boolean {
  if (!checkpoint) return true;
  return event.blockNumber > checkpoint.blockNumber || (event.blockNumber === checkpoint.blockNumber && event.txIndex > checkpoint.txIndex);
}

/** A block's events that come after `after` (all of them without one, or in a later block). */
export function* eventsAfter(events: readonly LedgerEvent[], after: Checkpoint | undefined): Generator<LedgerEvent> {
  for (const event of events) {
    if (!after || event.blockNumber !== after.blockNumber || event.txIndex > after.txIndex) yield event;
  }
}
