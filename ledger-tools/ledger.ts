/**
 * The Ledger port: the one interface that the gateway, the tools and the tests use,
 * whatever ledger is behind it (the embedded ledger, or Hyperledger Fabric).
 *
 * Arguments are strings, as on Fabric; results are the chaincode's payload bytes. Failures
 * are {@link ZfcError}s with a code from the catalogue, whichever ledger raised them.
 *
 * @example
 * const { payload, txId, blockNumber } = await ledger.submit('CreateLot', [JSON.stringify(lot)], producer);
 * for await (const event of ledger.events({ after: checkpoint })) index.apply(event);
 */

/** Who is calling: an MSP ID and an X.509 certificate, as Fabric's `ctx.clientIdentity` sees it. */
export interface Identity {
  readonly mspId: string;
  /** The X.509 certificate, PEM. */
  readonly certificate: string;
  /** The private key, PEM (PKCS#8); needed only by ledgers that sign proposals (Fabric). */
  readonly privateKey?: string;
}

/** Options of a submit or evaluate call. */
export interface CallOptions {
  /** Transient data: seen by the chaincode, never written to the ledger. */
  readonly transient?: Readonly<Record<string, Uint8Array>>;
}

/** A committed transaction's outcome. */
export interface SubmitResult {
  /** The chaincode's response payload. */
  readonly payload: Uint8Array;
  readonly txId: string;
  readonly blockNumber: number;
}

/** A position in the ledger: a block and a transaction's index within it. */
export interface Checkpoint {
  readonly blockNumber: number;
  readonly txIndex: number;
}

/** One key a transaction wrote: its new value, or null where it deleted the key. */
export interface LedgerWrite {
  readonly key: string;
  readonly value: Uint8Array | null;
}

/** A chaincode event from a committed, valid transaction. */
export interface LedgerEvent extends Checkpoint {
  readonly txId: string;
  readonly eventName: string;
  readonly payload: Uint8Array;
  /** The transaction's timestamp, ISO 8601 (UTC). */
  readonly timestamp: string;
  /**
   * The transaction's write set in the chaincode's namespace, in write-set order (sorted by
   * key), so a payload may name what was written instead of carrying a second copy of it (as
   * `EpcisCaptured` does). Plain data (strings, arrays, byte arrays), so an event can be posted
   * between worker threads. Every ledger of this project fills it; an event without it can only
   * be read where its payload carries everything.
   */
  readonly writes?: readonly LedgerWrite[];
}

/** Options of {@link Ledger.events}. */
export interface EventsOptions {
  /** Deliver only events strictly after this checkpoint; from the first block if absent. */
  readonly after?: Checkpoint;
  /** Ends the iteration (without an error) when aborted. */
  readonly signal?: AbortSignal;
  /**
   * Called with a block's number once every event of it has been handed out — for blocks
   * without chaincode events too (configuration blocks, invalid transactions, reads that
   * were submitted) — so a follower knows how far the ledger is behind it, not only how far
   * its last event is.
   */
  readonly onBlockEnd?: (blockNumber: number) => void;
}

/** Optional behaviour a ledger declares, so that tests and routes switch on it, never on a guess. */
export interface LedgerCapabilities {
  /** Blocks and transactions can be read back, with Merkle inclusion proofs. */
  readonly blocks: boolean;
}

/** A block header as stored and hashed. */
export interface BlockHeader {
  readonly number: number;
  readonly previousHash: string;
  readonly merkleRoot: string;
  readonly timestamp: string;
  readonly txCount: number;
}

/** The Ledger port. */
export interface Ledger {
  readonly kind: 'embedded' | 'fabric';
  readonly capabilities: LedgerCapabilities;
  /** Endorse, order and commit a transaction; resolves when its block is durable. */
  submit(fn: string, args: readonly string[], identity: Identity, options?: CallOptions): Promise<SubmitResult>;
  /** Run a read; commits nothing. */
  evaluate(fn: string, args: readonly string[], identity: Identity, options?: CallOptions): Promise<Uint8Array>;
  /** Committed chaincode events in block order, following new blocks until aborted or closed. */
  events(options?: EventsOptions): AsyncIterable<LedgerEvent>;
  /** The number of blocks committed so far (the next block's number). */
  height(): Promise<number>;
  close(): Promise<void>;
}
