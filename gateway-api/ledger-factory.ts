/**
 * The factory seam: the one place that picks a ledger from configuration. Everything above it
 * speaks the Ledger port only.
 *
 * - `embedded` (default): the Merkle-sealed ledger in `$ZFC_DATA/ledger`, running the contract
 *   in a thread of its own (ledger-tools/threaded-ledger.ts; in the gateway's own thread with
 *   LEDGER_THREAD=false); it can show blocks and transactions with inclusion proofs.
 * - `fabric`: the Fabric network that `network/up` described in `$FABRIC_NETWORK`; its demo
 *   participants' identities are offered for the wallet.
 */
import * as path from 'node:path';
import { contracts } from '../chaincode';
import { ZfcError } from '../chaincode/errors';
import {
  loadFabricNetwork,
  merkleProof,
  openEmbeddedLedger,
  openFabricLedger,
  openThreadedLedger,
  ThreadedLedger,
  transactionHash,
  type Block,
  type EmbeddedLedger,
  type Identity,
  type Ledger,
} from '../ledger-tools';
import type { TxLocation } from '../ledger-tools/store';
import type { GatewayConfig } from './config';
import type { LedgerInspector } from './routes-read';

/** An opened ledger and what comes with it. */
export interface OpenedLedger {
  readonly ledger: Ledger;
  readonly inspector?: LedgerInspector;
  /** Identities the ledger's network already has, by participant name (Fabric). */
  readonly identities: Readonly<Record<string, Identity>>;
}

/** Opens the ledger the configuration names. */
export async function openLedger(config: GatewayConfig): Promise<OpenedLedger> {
  if (config.ledger === 'fabric') return openFabric(config);
  const dir = path.join(config.dataDir, 'ledger');
  let ledger: EmbeddedLedger | ThreadedLedger;
  try {
    ledger = config.ledgerThread ? await openThreadedLedger({ dir, contractsModule: require.resolve('../chaincode') }) : await openEmbeddedLedger({ dir, contracts });
  } catch (err) {
    const why = err instanceof ZfcError ? err.text : err instanceof Error ? err.message : String(err);
    throw new ZfcError('LEDGER_UNAVAILABLE', `cannot open the embedded ledger in ${dir} (is another zfc using ZFC_DATA=${config.dataDir}?): ${why}`, { dir });
  }
  const blocks: BlockSource = ledger instanceof ThreadedLedger ? ledger : { block: (n) => ledger.block(n), txLocation: (txId) => (ledger as EmbeddedLedger).store.txLocation(txId) };
  return { ledger, inspector: embeddedInspector(blocks), identities: {} };
}

async function openFabric(config: GatewayConfig): Promise<OpenedLedger> {
  try {
    const net = loadFabricNetwork(config.fabricNetworkDir);
    const ledger = await openFabricLedger(net.ledgerOptions());
    return { ledger, identities: { ...net.participants } };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ZfcError('LEDGER_UNAVAILABLE', `LEDGER=fabric: cannot open the Fabric network in ${config.fabricNetworkDir} (start it with network/up, or set FABRIC_NETWORK): ${why}`);
  }
}

/** Where the embedded ledger's blocks and transactions are read (in-process or in the ledger's thread). */
export interface BlockSource {
  block(number: number): Promise<Block>;
  txLocation(txId: string): Promise<TxLocation | undefined>;
}

/** Blocks and transactions with Merkle inclusion proofs, from the embedded ledger's store. */
export function embeddedInspector(ledger: BlockSource): LedgerInspector {
  return {
    block: (n) => ledger.block(n),
    transaction: async (txId) => {
      const at = await ledger.txLocation(txId);
      if (!at) throw new ZfcError('TX_NOT_FOUND', `no transaction ${txId}`, { txId });
      const block = await ledger.block(at.block);
      const tx = block.transactions[at.tx];
      if (!tx) throw new ZfcError('TX_NOT_FOUND', `no transaction ${txId}`, { txId });
      const hashes = block.transactions.map(transactionHash);
      return {
        transaction: tx,
        block: { number: block.header.number, hash: block.hash, header: block.header },
        proof: { txHash: hashes[at.tx], index: at.tx, steps: merkleProof(hashes, at.tx), merkleRoot: block.header.merkleRoot },
      };
    },
  };
}
