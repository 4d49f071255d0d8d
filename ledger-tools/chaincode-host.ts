/**
 * Runs fabric-contract-api contracts exactly as a Fabric peer's chaincode container does: through
 * fabric-shim's own ChaincodeFromContract, which builds the transaction context and the
 * ClientIdentity, routes `ContractName:Fn` (or the default contract's `Fn`), marshals the string
 * arguments, calls the before/around/after hooks and `unknownTransaction`, and turns a thrown
 * error into `shim.error(err.message)`. Only the stub underneath is ours.
 */
import 'reflect-metadata';
import { JSONSerializer, type Contract } from 'fabric-contract-api';
import { decodeArgument, type EmbeddedStub } from './embedded-stub';

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
  getLogger(name: string): Record<string, unknown>;
}

interface ShimIdentityFields {
  stub: EmbeddedStub;
  mspId: string;
  idBytes: Uint8Array;
  id: string;
  attrs: Record<string, string>;
}

type ClientIdentityConstructor = new (stub: EmbeddedStub) => ShimIdentityFields;

/* eslint-disable @typescript-eslint/no-require-imports -- fabric-shim's contract SPI has no typed entry point */
const shimChaincode = require('fabric-shim/lib/chaincode') as { ClientIdentity: ClientIdentityConstructor };
const shimLogger = require('fabric-shim/lib/logger') as ShimLogger;
const contractApiLogger = require('fabric-contract-api/lib/logger') as ShimLogger;
installIdentityCache();
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract.js') as ShimChaincodeConstructor;
/* eslint-enable @typescript-eslint/no-require-imports */

// A peer's chaincode container logs to its own stdout, where nobody reads per-call debug lines;
// winston formats every line even below its level, which costs more than the transaction itself.
// Here the caller gets errors directly, so the shim's own loggers are silenced (a contract's
// ctx.logging loggers are left alone).
for (const name of ['lib/chaincode.js', 'lib/stub.js', 'lib/iterators.js', 'contracts-spi/chaincodefromcontract.js', 'contracts-spi/datamarshall.js']) {
  silence(shimLogger.getLogger(name));
}
for (const name of ['./lib/contract.js', './lib/jsontransactionserializer.js']) silence(contractApiLogger.getLogger(name));

function silence(logger: Record<string, unknown>): void {
  const noop = (): void => undefined;
  for (const level of ['log', 'error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']) logger[level] = noop;
}

/**
 * fabric-shim's ClientIdentity parses the caller's certificate on every invocation. The result
 * depends on the certificate alone, so the embedded host parses each certificate once: the
 * ClientIdentity that ChaincodeFromContract builds is fabric-shim's own class, with fields
 * copied from the first parse of the same MSP ID and certificate.
 */
function installIdentityCache(): void {
  const Original = shimChaincode.ClientIdentity;
  // Keyed by the creator's certificate bytes object (the stub hands out one Buffer per certificate).
  const cache = new WeakMap<Uint8Array, Map<string, ShimIdentityFields>>();
  function CachingClientIdentity(stub: EmbeddedStub): ShimIdentityFields {
    const creator = stub.getCreator();
    const known = cache.get(creator.idBytes)?.get(creator.mspid);
    if (known) {
      const identity = Object.create(Original.prototype) as ShimIdentityFields;
      identity.stub = stub;
      identity.mspId = known.mspId;
      identity.idBytes = creator.idBytes;
      identity.id = known.id;
      identity.attrs = known.attrs;
      return identity;
    }
    const identity = new Original(stub);
    const byMsp = cache.get(creator.idBytes) ?? new Map<string, ShimIdentityFields>();
    byMsp.set(creator.mspid, identity);
    cache.set(creator.idBytes, byMsp);
    return identity;
  }
  CachingClientIdentity.prototype = Original.prototype;
  shimChaincode.ClientIdentity = CachingClientIdentity as unknown as ClientIdentityConstructor;
}

/**
 * A string parameter as the contract's data marshall validates it: any string passes a schema of
 * only `{ type: 'string' }`, so this one stands in for the argument (see {@link HostSerializer}).
 */
const STRING_WITNESS = 'string';

/**
 * fabric-contract-api's JSONSerializer, except for a parameter whose schema is exactly
 * `{ type: 'string' }` (a TypeScript `string` parameter): the value is the argument's text, as
 * JSONSerializer gives it, but without the JSON encoding of it that JSONSerializer computes and
 * discards, and the data marshall validates (and debug-formats, at any log level) a short string
 * in its place. A capture's argument is a whole EPCISDocument, so each of those was a JSON escape
 * of hundreds of kilobytes per transaction; the outcome of validation is the same, since every
 * decoded argument is a string. Every other schema goes to JSONSerializer unchanged.
 */
export class HostSerializer extends JSONSerializer {
  override fromBuffer(data: Buffer, fullSchema: unknown, loggerPrefix?: string): unknown {
    if (data && isPlainStringSchema((fullSchema as { properties?: { prop?: unknown } } | undefined)?.properties?.prop)) {
      return { value: decodeArgument(data), validateData: STRING_WITNESS };
    }
    return super.fromBuffer(data, fullSchema, loggerPrefix) as unknown;
  }
}

function isPlainStringSchema(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object' || (schema as { type?: unknown }).type !== 'string') return false;
  for (const key in schema) if (key !== 'type') return false;
  return true;
}

/** Hosts one chaincode (a set of contracts) for the embedded ledger. */
export class ChaincodeHost {
  private readonly chaincode: ShimChaincode;

  constructor(contracts: readonly ContractClass[]) {
    if (!Array.isArray(contracts) || contracts.length === 0) throw new TypeError('at least one contract class is needed');
    const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: HostSerializer } };
    // ChaincodeFromContract appends its system contract to the array it is given: pass a copy.
    this.chaincode = new ChaincodeFromContract([...contracts], serializers, {}, 'chaincode', '0.0.0');
  }

  /** Invokes the transaction named by the stub's first argument. */
  invoke(stub: EmbeddedStub): Promise<ChaincodeResponse> {
    return this.chaincode.Invoke(stub);
  }
}
