/**
 * Turns a chaincode's error message (all that travels from chaincode to client, on Fabric and
 * here) back into a typed error: a ZfcError thrown by the contract comes back with its code and
 * details; fabric-shim's own "no such function/contract" messages become UNKNOWN_TRANSACTION;
 * anything else is ENDORSEMENT_FAILED carrying the message.
 */
import { ZfcError, decodeZfcError } from '../chaincode/errors';

const UNKNOWN_FUNCTION = /You've asked to invoke a function that does not exist: ?(.*)$|Contract name is not known: ?(.*)$/m;

/**
 * The typed error for a chaincode error message.
 *
 * @example
 * if (response.status !== 200) throw chaincodeError(response.message ?? '', txId);
 */
export function chaincodeError(message: string, txId?: string): ZfcError {
  const decoded = decodeZfcError(message, txId);
  if (decoded) return decoded;
  const unknown = UNKNOWN_FUNCTION.exec(message);
  if (unknown) {
    const name = (unknown[1] ?? unknown[2] ?? '').trim();
    return new ZfcError('UNKNOWN_TRANSACTION', `the contract has no transaction ${JSON.stringify(name)}`, { name }, txId);
  }
  return new ZfcError('ENDORSEMENT_FAILED', message || 'the chaincode failed without a message', {}, txId);
}
