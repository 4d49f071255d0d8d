/**
 * The ledger tools' public surface: the Ledger port, the embedded ledger, identities for tests
 * and the demo, and the tools that work on blocks (verify, proofs, inspect, export/import).
 *
 * @example
 * import { openEmbeddedLedger, createCertificateAuthority } from '../ledger-tools';
 * const ca = await createCertificateAuthority('Org1MSP');
 * const alice = await ca.issue({ commonName: 'alice', organizationalUnit: 'client' });
 * const ledger = await openEmbeddedLedger({ dir, contracts });
 * await ledger.submit('Put', ['k', 'v'], alice);
 */
export type {
  BlockHeader,
  CallOptions,
  Checkpoint,
  EventsOptions,
  Identity,
  Ledger,
  LedgerCapabilities,
  LedgerEvent,
  LedgerWrite,
  SubmitResult,
} from './ledger';
export { openEmbeddedLedger, EmbeddedLedger, blockEvents, type EmbeddedLedgerOptions } from './embedded-ledger';
export { openThreadedLedger, ThreadedLedger, type ThreadedLedgerOptions } from './threaded-ledger';
export type { ContractClass } from './chaincode-host';
export {
  createCertificateAuthority,
  CertificateAuthority,
  FABRIC_ATTRIBUTE_OID,
  type CertificateAuthorityPem,
  type IssueRequest,
} from './certificate-authority';
export { chaincodeError } from './chaincode-error';
export { checkCall } from './call-check';
export { checkIdentity } from './identity-check';
export { createCompositeKey, splitCompositeKey } from './state-key';
export { blockHash, transactionHash, GENESIS_PREVIOUS_HASH, type Block, type TransactionRecord, type ValidationCode } from './block';
export { merkleRoot, merkleProof, verifyMerkleProof, type MerkleStep } from './merkle';
export type { ReadWriteSet, KeyRead, KeyWrite, RangeRead, Version } from './rwset';
export { openFabricLedger, type FabricLedgerOptions, type FabricPeer, type FabricTimeouts } from './fabric-ledger';
export { loadFabricNetwork, type FabricNetwork, type FabricParticipant } from './fabric-profile';
export { verifyLedger, type VerifyReport, type VerifyProblem, type VerifyOptions } from './verify';
export { proveTransaction, verifyTransactionProof, type TransactionProof, type ProofCheck } from './proof';
export { inspectBlock, inspectTransaction, inspectKey, showValue, type ShownValue } from './inspect';
export { exportBlocks, importBlocks, type ImportOptions } from './archive';
export { LedgerStore } from './store';
export { registerLedgerCommands } from './commands';
