/**
 * Submitting a transaction that may lose a read conflict to a concurrent one. A transaction
 * invalidated at commit (MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT) changed nothing, so running it
 * again against the new state is safe, and what was asked then happens, or is refused, on the
 * state as it now is: the same EPCIS events captured twice at once (a client that retried while
 * its first request was in flight) are recorded once, the second capture finding them recorded.
 */
import { ZfcError } from '../chaincode/errors';
import type { Identity, Ledger, SubmitResult } from '../ledger-tools/ledger';

/** Attempts before a conflict is reported to the caller. */
export const SUBMIT_ATTEMPTS = 10;

/**
 * `ledger.submit`, run again (after a short random pause, so that the losers do not collide again)
 * while it loses read conflicts, at most {@link SUBMIT_ATTEMPTS} times. `failed` hears the code of
 * every failed attempt (metrics); any other error is thrown at once.
 *
 * @example
 * const { txId } = await submitRetrying(ledger, 'epcis:CaptureEvents', [documentText], identity);
 */
export async function submitRetrying(ledger: Ledger, fn: string, args: readonly string[], identity: Identity, failed?: (code: string) => void): Promise<SubmitResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ledger.submit(fn, args, identity);
    } catch (err) {
      const code = err instanceof ZfcError ? err.code : 'error';
      failed?.(code);
      if (attempt >= SUBMIT_ATTEMPTS || (code !== 'MVCC_READ_CONFLICT' && code !== 'PHANTOM_READ_CONFLICT')) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
