/**
 * The chaincode's public surface: the contracts (fabric-contract-api convention, so
 * `fabric-chaincode-node server` can serve this package; root package.json `main` points at
 * dist/chaincode/index.js), the JSON Schemas of every transaction input and their types,
 * the chaincode events and their payload types, the records, errors, canonical JSON and GS1.
 *
 * @example
 * import { contracts, SCHEMAS, decodeEvent } from '../chaincode';
 * const ledger = await openEmbeddedLedger({ dir, contracts });
 * await ledger.submit('CreateLot', [JSON.stringify(lot)], producer);
 */
import 'reflect-metadata';
import { ZfcContract } from './contract';
import { EpcisContract } from './epcis-contract';

/** The contracts this chaincode serves; the first is the default (`Fn` = `zfc:Fn`). */
export const contracts = [ZfcContract, EpcisContract];

export { ZfcContract, CONTRACT_NAME, runSubmit, runQuery, type SubmitAnswer } from './contract';
export { SCHEMAS, LIMITS, type JsonSchema, type TransactionName, type TransactionInputs, type ParticipantInput, type ScanInput, type TraceInput } from './schemas';
export { parseInput, validateValue, createAjv, addZfcFormats, MAX_ARGUMENT_LENGTH } from './validate';
export {
  EVENT_NAMES, EVENT_VERSION, encodeEvent, decodeEvent,
  type EventName, type EventBodies, type EventEnvelope, type AnyEventEnvelope, type EpcisEvent, type EpcisQuantity, type AggregationChange,
} from './events';
export * from './records';
export { epcisEventId, EPCIS_CONTEXT, ZFC_EPCIS_NAMESPACE } from './epcis-event';
export { x509IdOf } from './access';
export { QUERIES } from './queries';
export type { TracePage, TraceLot } from './trace';
export type { HistoryEntry } from './history';
export { massBalance } from './transformation';
export { SCAN_ROLES } from './scan';
export { Tx } from './tx';
export { ZfcError, decodeZfcError, isErrorCode, httpStatus, ERROR_CATALOGUE, type ErrorCode, type ErrorDetails } from './errors';
export { canonicalJson, canonicalBytes } from './canonical-json';
export * as gs1 from './gs1';
