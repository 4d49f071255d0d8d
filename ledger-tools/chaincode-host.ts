/**
 * Runs fabric-contract-api contracts exactly as a Fabric peer's chaincode container does: through
 * fabric-shim's own ChaincodeFromContract, which builds the transaction context and the
 * ClientIdentity, routes `ContractName:Fn` (or the default contract's `Fn`), marshals the string
 * arguments, calls the before/around/after hooks and `unknownTransaction`, and turns a thrown
 * error into `shim.error(err.message)`. Only the stub underneath is ours.
 */
import 'reflect-metadata';
import { JSONSerializer, type Contract } from 'fabric-contract-api';
import type { EmbeddedStub } from './embedded-stub';

/** A contract class, exactly what a chaincode's index exports in `contracts`. */
export type ContractClass = new () => Contract;

/** The response of a chaincode invocation, as fabric-shim builds it. */
export interface ChaincodeResponse {
  readonly status: number;
  readonly message?: string;
  readonly payload?: Uint8Array;
}

interface ShimChaincode {
  Invoke(stub: EmbeddedStub): Promise<ChaincodeResponse>;
}

type ShimChaincodeConstructor = new (
  contracts: ContractClass[],
  serializers: { transaction: string; serializers: Record<string, unknown> },
  metadata: Record<string, unknown>,
  title: string,
  version: string,
) => ShimChaincode;

interface ShimLogger {
  getLogger(name: string): { silent: boolean };
}

/* eslint-disable @typescript-eslint/no-require-imports -- fabric-shim's contract SPI has no typed entry point */
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract.js') as ShimChaincodeConstructor;
const shimLogger = require('fabric-shim/lib/logger') as ShimLogger;
const contractApiLogger = require('fabric-contract-api/lib/logger') as ShimLogger;
/* eslint-enable @typescript-eslint/no-require-imports */

// The peer logs a failed invocation in the chaincode container; here the caller gets the error itself.
shimLogger.getLogger('contracts-spi/chaincodefromcontract.js').silent = true;
shimLogger.getLogger('contracts-spi/datamarshall.js').silent = true;
contractApiLogger.getLogger('./lib/contract.js').silent = true;

/** Hosts one chaincode (a set of contracts) for the embedded ledger. */
export class ChaincodeHost {
  private readonly chaincode: ShimChaincode;

  constructor(contracts: readonly ContractClass[]) {
    if (!Array.isArray(contracts) || contracts.length === 0) throw new TypeError('at least one contract class is needed');
    const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
    // ChaincodeFromContract appends its system contract to the array it is given: pass a copy.
    this.chaincode = new ChaincodeFromContract([...contracts], serializers, {}, 'chaincode', '0.0.0');
  }

  /** Invokes the transaction named by the stub's first argument. */
  invoke(stub: EmbeddedStub): Promise<ChaincodeResponse> {
    return this.chaincode.Invoke(stub);
  }
}
