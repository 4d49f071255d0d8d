/**
 * The Ledger port over Hyperledger Fabric, through the peers' gateway service
 * (@hyperledger/fabric-gateway on @grpc/grpc-js).
 *
 * Why it looks the way it does:
 * - every call has a deadline, and a peer that is down or silent becomes LEDGER_UNAVAILABLE;
 *   a call that fails before anything was sent to the orderers is tried on the next peer, so
 *   writes go on while one organisation's peer is stopped; a LEDGER_UNAVAILABLE after the
 *   transaction went to the orderers carries its txId, as it may still commit;
 * - MVCC_READ_CONFLICT (and its range twin) is retried a bounded number of times with a new
 *   transaction, as the concurrent writer has committed by then;
 * - events are read from full blocks, which carry the transaction index and timestamp that
 *   the port's checkpoints need; a dropped stream resumes from the last delivered event on
 *   the same or another peer, so consumers see no gap and no duplicate.
 */
import * as grpc from '@grpc/grpc-js';
import { createPrivateKey } from 'node:crypto';
import { connect, signers, type Gateway, type ConnectOptions } from '@hyperledger/fabric-gateway';
import { CommitError } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { ZfcError } from '../chaincode/errors';
import { isAfter } from './call-check';
import { blockEvents, blockNumberOf } from './fabric-block';
import { fabricError, isUnreachable } from './fabric-error';
import { checkIdentity } from './identity-check';
import type {
  CallOptions,
  EventsOptions,
  Identity,
  Ledger,
  LedgerCapabilities,
  LedgerEvent,
  SubmitResult,
} from './ledger';

/** A peer that clients may use as their gateway. */
export interface FabricPeer {
  readonly mspId: string;
  /** host:port of the peer's gRPC service, e.g. "127.0.0.1:7151". */
  readonly endpoint: string;
  /** PEM of the CA that issued the peer's TLS certificate. */
  readonly tlsRootCert: string;
  /** TLS server name to expect, when it differs from the endpoint's host. */
  readonly hostOverride?: string;
}

/** Deadlines, in milliseconds. */
export interface FabricTimeouts {
  readonly evaluate: number;
  readonly endorse: number;
  readonly submit: number;
  readonly commitStatus: number;
  /** Longest pause between two attempts to reopen a dropped event stream. */
  readonly reconnect: number;
}

/** Options of {@link openFabricLedger}. */
export interface FabricLedgerOptions {
  /** Every peer a client may use; each identity prefers the peers of its own organisation. */
  readonly peers: readonly FabricPeer[];
  readonly channel: string;
  readonly chaincode: string;
  /** Signs the ledger's own requests: block events and the chain height. */
  readonly identity: Identity;
  readonly timeouts?: Partial<FabricTimeouts>;
  /** How many times a transaction invalidated by a read conflict is tried again (default 3). */
  readonly mvccRetries?: number;
  /** Ask for the chain height when opening, so a network that is down fails now (default true). */
  readonly probe?: boolean;
}

const DEFAULT_TIMEOUTS: FabricTimeouts = {
  evaluate: 10_000,
  endorse: 30_000,
  submit: 15_000,
  commitStatus: 60_000,
  reconnect: 5_000,
};

const RETRYABLE = new Set(['MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT']);
const UTF8 = new TextEncoder();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const deadline = (ms: number) => (): grpc.CallOptions => ({ deadline: Date.now() + ms });
const keyOf = (identity: Identity): string => `${identity.mspId}\n${identity.certificate}`;

/** The same checks as the embedded ledger's, before anything is signed or sent. */
function checkCall(fn: unknown, args: unknown, identity: Identity): void {
  if (typeof fn !== 'string' || fn.length === 0) throw new ZfcError('INVALID_ARGUMENT', 'the transaction name must be a non-empty string');
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new ZfcError('INVALID_ARGUMENT', 'transaction arguments must be an array of strings', { fn });
  }
  checkIdentity(identity);
}

/** The Fabric implementation of the Ledger port; see {@link openFabricLedger}. */
class FabricLedger implements Ledger {
  readonly kind = 'fabric';
  readonly capabilities: LedgerCapabilities = { blocks: false };
  readonly #options: FabricLedgerOptions;
  readonly #timeouts: FabricTimeouts;
  readonly #clients = new Map<string, grpc.Client>();
  readonly #gateways = new Map<string, Gateway>();
  readonly #streams = new Set<() => void>();
  /**
   * The peer that reported the highest committed block of this ledger's submits. Peers commit
   * blocks in order but not at the same moment, so reads go there first: a read after an
   * acknowledged write sees it (read-your-writes), whichever identity reads.
   */
  #freshest: { peer: FabricPeer; block: number } | undefined;
  #closed = false;

  constructor(options: FabricLedgerOptions) {
    if (options.peers.length === 0) throw new TypeError('FabricLedger needs at least one peer');
    this.#options = options;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  async submit(fn: string, args: readonly string[], identity: Identity, options?: CallOptions): Promise<SubmitResult> {
    checkCall(fn, args, identity);
    const retries = this.#options.mvccRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#submitOnce(fn, args, identity, options);
      } catch (err) {
        const error = fabricError(err, `submit ${fn}`);
        if (!RETRYABLE.has(error.code)) throw error;
        if (attempt >= retries) {
          throw new ZfcError(error.code, `${error.text} (gave up after ${attempt + 1} attempts)`, { ...error.details, attempts: attempt + 1 }, error.txId);
        }
        await sleep(20 * 2 ** attempt + Math.floor(Math.random() * 20));
      }
    }
  }

  async evaluate(fn: string, args: readonly string[], identity: Identity, options?: CallOptions): Promise<Uint8Array> {
    checkCall(fn, args, identity);
    return this.#onAnyPeer(
      identity,
      `evaluate ${fn}`,
      (gateway) => this.#contract(gateway).evaluate(fn, this.#proposalOptions(args, options)),
      this.#readOrder(identity),
    );
  }

  /**
   * The channel's height, asked first of the peer that committed this ledger's latest submit
   * (as reads are): peers commit a block at slightly different times, and another peer could
   * answer a height without the block a submit here has just been told is committed.
   */
  async height(): Promise<number> {
    const identity = this.#options.identity;
    const bytes = await this.#onAnyPeer(
      identity,
      'height',
      (gateway) => gateway.getNetwork(this.#options.channel).getContract('qscc').evaluateTransaction('GetChainInfo', this.#options.channel),
      this.#readOrder(identity),
    );
    return common.BlockchainInfo.deserializeBinary(bytes).getHeight();
  }

  events(options: EventsOptions = {}): AsyncIterable<LedgerEvent> {
    return { [Symbol.asyncIterator]: () => this.#follow(options) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of this.#streams) stop();
    for (const gateway of this.#gateways.values()) gateway.close();
    for (const client of this.#clients.values()) client.close();
    this.#gateways.clear();
    this.#clients.clear();
  }

  /** Endorses on the first reachable peer, then orders and waits for the commit. */
  async #submitOnce(fn: string, args: readonly string[], identity: Identity, options?: CallOptions): Promise<SubmitResult> {
    const what = `submit ${fn}`;
    let via: FabricPeer | undefined;
    const endorsed = await this.#onAnyPeer(identity, what, (gateway, peer) => {
      via = peer;
      return this.#contract(gateway).newProposal(fn, this.#proposalOptions(args, options)).endorse();
    });
    const txId = endorsed.getTransactionId();
    try {
      // Not tried elsewhere from here on: the transaction may already be with the orderers.
      const submitted = await endorsed.submit();
      const status = await submitted.getStatus();
      if (!status.successful) {
        throw new CommitError({ code: status.code, transactionId: txId, message: `transaction ${txId} is invalid (code ${status.code})` });
      }
      const blockNumber = Number(status.blockNumber);
      if (via && (!this.#freshest || blockNumber >= this.#freshest.block)) this.#freshest = { peer: via, block: blockNumber };
      return { payload: submitted.getResult(), txId, blockNumber };
    } catch (err) {
      const error = fabricError(err, what);
      throw error.txId ? error : error.withTxId(txId);
    }
  }

  /** Runs `call` through the identity's preferred peer, moving on while peers are unreachable. */
  async #onAnyPeer<T>(
    identity: Identity,
    what: string,
    call: (gateway: Gateway, peer: FabricPeer) => Promise<T>,
    order: readonly FabricPeer[] = this.#peersFor(identity),
  ): Promise<T> {
    this.#assertOpen();
    let first: ZfcError | undefined;
    let answered: ZfcError | undefined;
    for (const peer of order) {
      try {
        return await call(this.#gateway(identity, peer), peer);
      } catch (err) {
        const error = fabricError(err, what);
        if (!isUnreachable(error) || this.#closed) throw error;
        first ??= error;
        // A peer that answered (e.g. "not enough endorsers") says more than a refused connection.
        if (!answered && !/No connection established|ECONNREFUSED/.test(error.message)) answered = error;
      }
    }
    throw answered ?? first ?? new ZfcError('LEDGER_UNAVAILABLE', `${what}: no peer`);
  }

  /** The peers in the order a read should try them: the freshest first, then as for any call. */
  #readOrder(identity: Identity): FabricPeer[] {
    const fresh = this.#freshest?.peer;
    const rest = this.#peersFor(identity);
    return fresh ? [fresh, ...rest.filter((p) => p !== fresh)] : rest;
  }

  /** The peers in the order an identity should try them: its own organisation's first. */
  #peersFor(identity: Identity): FabricPeer[] {
    const own = this.#options.peers.filter((p) => p.mspId === identity.mspId);
    return [...own, ...this.#options.peers.filter((p) => p.mspId !== identity.mspId)];
  }

  #contract(gateway: Gateway) {
    return gateway.getNetwork(this.#options.channel).getContract(this.#options.chaincode);
  }

  #proposalOptions(args: readonly string[], options?: CallOptions) {
    const transientData = options?.transient ? { ...options.transient } : undefined;
    return transientData ? { arguments: [...args], transientData } : { arguments: [...args] };
  }

  #assertOpen(): void {
    if (this.#closed) throw new ZfcError('LEDGER_CLOSED', 'the Fabric ledger is closed');
  }

  #client(peer: FabricPeer): grpc.Client {
    let client = this.#clients.get(peer.endpoint);
    if (!client) {
      const settings: grpc.ChannelOptions = {
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 10_000,
        'grpc.max_receive_message_length': 100 * 1024 * 1024,
        ...(peer.hostOverride ? { 'grpc.ssl_target_name_override': peer.hostOverride } : {}),
      };
      client = new grpc.Client(peer.endpoint, grpc.credentials.createSsl(Buffer.from(peer.tlsRootCert)), settings);
      this.#clients.set(peer.endpoint, client);
    }
    return client;
  }

  #gateway(identity: Identity, peer: FabricPeer): Gateway {
    const key = `${keyOf(identity)}\n${peer.endpoint}`;
    let gateway = this.#gateways.get(key);
    if (!gateway) {
      if (!identity.privateKey) {
        throw new ZfcError('UNAUTHENTICATED', `identity of ${identity.mspId} has no private key, which Fabric needs to sign`);
      }
      const options: ConnectOptions = {
        client: this.#client(peer),
        identity: { mspId: identity.mspId, credentials: UTF8.encode(identity.certificate) },
        signer: signers.newPrivateKeySigner(createPrivateKey(identity.privateKey)),
        evaluateOptions: deadline(this.#timeouts.evaluate),
        endorseOptions: deadline(this.#timeouts.endorse),
        submitOptions: deadline(this.#timeouts.submit),
        commitStatusOptions: deadline(this.#timeouts.commitStatus),
      };
      gateway = connect(options);
      this.#gateways.set(key, gateway);
    }
    return gateway;
  }

  /**
   * Follows committed events after `options.after`, reopening the block stream (on the next
   * peer) whenever it drops, from the last event handed out.
   */
  async *#follow(options: EventsOptions): AsyncGenerator<LedgerEvent> {
    this.#assertOpen();
    let cursor = options.after;
    let nextBlock = cursor ? cursor.blockNumber : 0;
    let failures = 0;
    const peers = this.#peersFor(this.#options.identity);
    while (!this.#closed && !options.signal?.aborted) {
      const peer = peers[failures % peers.length] as FabricPeer;
      const network = this.#gateway(this.#options.identity, peer).getNetwork(this.#options.channel);
      let stream: Awaited<ReturnType<typeof network.getBlockEvents>> | undefined;
      const stop = (): void => stream?.close();
      this.#streams.add(stop);
      options.signal?.addEventListener('abort', stop);
      try {
        stream = await network.getBlockEvents({ startBlock: BigInt(nextBlock) });
        if (options.signal?.aborted || this.#closed) return;
        for await (const block of stream) {
          failures = 0;
          for (const event of blockEvents(block, this.#options.chaincode)) {
            if (!isAfter(event, cursor)) continue;
            cursor = event;
            yield event;
          }
          nextBlock = blockNumberOf(block) + 1;
          options.onBlockEnd?.(nextBlock - 1);
        }
        // The peer ended the stream without an error: reopen it, after a pause.
        failures++;
        await sleep(Math.min(this.#timeouts.reconnect, 100 * 2 ** Math.min(failures, 6)));
      } catch (err) {
        if (this.#closed || options.signal?.aborted) return;
        const error = fabricError(err, 'events');
        if (!isUnreachable(error) && (err as { code?: unknown }).code !== grpc.status.CANCELLED) throw error;
        failures++;
        await sleep(Math.min(this.#timeouts.reconnect, 100 * 2 ** Math.min(failures, 6)));
      } finally {
        stream?.close();
        this.#streams.delete(stop);
        options.signal?.removeEventListener('abort', stop);
      }
    }
  }
}

/**
 * Opens the Fabric ledger. Rejects with LEDGER_UNAVAILABLE if no peer answers (unless
 * `probe` is false).
 *
 * @example
 * const ledger = await openFabricLedger({ peers, channel: 'zfc', chaincode: 'zfc', identity: regulator });
 * const { txId } = await ledger.submit('CreateLot', [JSON.stringify(lot)], farm);
 */
export async function openFabricLedger(options: FabricLedgerOptions): Promise<Ledger> {
  const ledger = new FabricLedger(options);
  if (options.probe ?? true) {
    try {
      await ledger.height();
    } catch (err) {
      await ledger.close();
      throw err;
    }
  }
  return ledger;
}
