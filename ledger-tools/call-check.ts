/**
 * The argument checks every ledger applies before a call leaves the process: a transaction name
 * and string arguments, as Fabric requires. Shared by the embedded and the Fabric ledger so bad
 * input gets the same typed error whichever ledger is behind the port.
 */
import { ZfcError } from '../chaincode/errors';

/** Throws INVALID_ARGUMENT unless `fn` is a non-empty string and `args` an array of strings. */
export function checkCall(fn: unknown, args: unknown): void {
  if (typeof fn !== 'string' || fn.length === 0) throw new ZfcError('INVALID_ARGUMENT', 'the transaction name must be a non-empty string');
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new ZfcError('INVALID_ARGUMENT', 'transaction arguments must be an array of strings', { fn });
  }
}
