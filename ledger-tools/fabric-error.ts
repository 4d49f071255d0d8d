/**
 * Turns what @hyperledger/fabric-gateway throws into the catalogue's typed errors, so that a
 * caller sees the same codes on Fabric as on the embedded ledger.
 *
 * A chaincode's ZfcError reaches the client only as text inside the gateway error's details
 * ("chaincode response 500, LOT_NOT_FOUND: …"), so each detail's message is decoded first; a
 * transaction invalidated at commit keeps its validation code (MVCC_READ_CONFLICT, …); a peer
 * or orderer that cannot be reached, or that does not answer before the deadline, is
 * LEDGER_UNAVAILABLE.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { ZfcError, decodeZfcError } from '../chaincode/errors';
import { chaincodeError } from './chaincode-error';

/** gRPC codes that say the ledger could not be reached or did not answer in time. */
const UNREACHABLE = new Set<number>([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED]);

/** Gateway messages that say no peer could be found to satisfy the endorsement policy. */
const NO_ENDORSERS = /no (combination of )?peers|failed to (collect|select) endorse|no endorsement plan|unavailable|connection refused/i;

/** The chaincode's own message inside a gateway detail, without the peer's prefix. */
const CHAINCODE_RESPONSE = /chaincode response \d+, ?([\s\S]*)$/;

/**
 * Finds a ZfcError's wire form anywhere in `text`, even after other "WORD: " prefixes that
 * {@link decodeZfcError} alone would stop at.
 */
export function findZfcError(text: string, txId?: string): ZfcError | undefined {
  const starts = /\b[A-Z][A-Z0-9_]{2,}: /g;
  for (let m = starts.exec(text); m; m = starts.exec(text)) {
    const found = decodeZfcError(text.slice(m.index), txId);
    if (found) return found;
  }
  return undefined;
}

/** The typed error for a chaincode's response message in a gateway error detail. */
function fromChaincode(message: string, txId?: string): ZfcError | undefined {
  const inner = CHAINCODE_RESPONSE.exec(message)?.[1];
  if (inner !== undefined) return findZfcError(inner, txId) ?? chaincodeError(inner, txId);
  return findZfcError(message, txId);
}

/** The transaction ID that the gateway's errors carry, when they carry one. */
function txIdOf(err: unknown): string | undefined {
  const id = (err as { transactionId?: unknown } | null)?.transactionId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Maps a commit-time validation failure to its catalogue code. */
export function fromCommitError(err: CommitError): ZfcError {
  const txId = err.transactionId;
  const details = { validationCode: err.code };
  switch (err.code) {
    case StatusCode.MVCC_READ_CONFLICT:
      return new ZfcError('MVCC_READ_CONFLICT', undefined, details, txId);
    case StatusCode.PHANTOM_READ_CONFLICT:
      return new ZfcError('PHANTOM_READ_CONFLICT', undefined, details, txId);
    case StatusCode.DUPLICATE_TXID:
      return new ZfcError('DUPLICATE_TXID', undefined, details, txId);
    case StatusCode.ENDORSEMENT_POLICY_FAILURE:
      return new ZfcError('ENDORSEMENT_FAILED', 'the endorsements do not satisfy the policy', details, txId);
    default:
      return new ZfcError('INTERNAL', `the transaction was invalidated at commit (${err.message})`, details, txId);
  }
}

/** Maps a gateway (gRPC) error: chaincode errors by their code, the rest by gRPC status. */
function fromGatewayError(err: GatewayError, what: string): ZfcError {
  const txId = txIdOf(err);
  for (const detail of err.details) {
    const found = fromChaincode(detail.message, txId);
    if (found) return found;
  }
  const found = findZfcError(err.message, txId);
  if (found) return found;
  const text = [err.message, ...err.details.map((d) => `${d.mspId}@${d.address}: ${d.message}`)].join('; ');
  if (UNREACHABLE.has(err.code)) {
    return new ZfcError('LEDGER_UNAVAILABLE', `${what}: the Fabric network did not answer (${text})`, { grpcCode: err.code }, txId);
  }
  if (err.code === GrpcStatus.FAILED_PRECONDITION && NO_ENDORSERS.test(text)) {
    return new ZfcError('LEDGER_UNAVAILABLE', `${what}: not enough peers can endorse (${text})`, { grpcCode: err.code }, txId);
  }
  return new ZfcError('ENDORSEMENT_FAILED', `${what}: ${text}`, { grpcCode: err.code }, txId);
}

/**
 * The catalogue error for anything a gateway call threw. `what` names the call, for the
 * message ("submit CreateLot").
 */
export function fabricError(err: unknown, what: string): ZfcError {
  if (err instanceof ZfcError) return err;
  if (err instanceof CommitError) return fromCommitError(err);
  if (err instanceof GatewayError) return fromGatewayError(err, what);
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'number' && UNREACHABLE.has(code)) {
    return new ZfcError('LEDGER_UNAVAILABLE', `${what}: the Fabric network did not answer (${message})`, { grpcCode: code });
  }
  return findZfcError(message, txIdOf(err)) ?? new ZfcError('INTERNAL', `${what}: ${message}`, {}, txIdOf(err));
}

/** True if the error says the peer we talked to could not be reached (try another one). */
export function isUnreachable(err: ZfcError): boolean {
  return err.code === 'LEDGER_UNAVAILABLE';
}
