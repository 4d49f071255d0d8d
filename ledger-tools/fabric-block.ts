/**
 * Reads the chaincode events out of a Fabric block.
 *
 * The gateway's own chaincode-event stream gives neither a transaction's index in its block
 * nor its timestamp, and the Ledger port's checkpoints need both; full blocks have them,
 * together with each transaction's validation code, so events of invalid transactions are
 * left out exactly as the embedded ledger leaves them out. Each event carries its transaction's
 * writes in the chaincode's namespace (the endorsed read/write set, as committed), which the
 * embedded ledger gives too.
 */
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import type { LedgerEvent, LedgerWrite } from './ledger';

const ENDORSER_TRANSACTION = common.HeaderType.ENDORSER_TRANSACTION;
const VALID = peer.TxValidationCode.VALID;

/** ISO 8601 (UTC, milliseconds) of a protobuf timestamp. */
function isoTime(ts: { getSeconds(): number; getNanos(): number } | undefined): string {
  if (!ts) return new Date(0).toISOString();
  return new Date(ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6)).toISOString();
}

/** The chaincode action (event, results) of one endorser transaction, if it has one. */
function chaincodeActionOf(tx: peer.Transaction): peer.ChaincodeAction | undefined {
  const action = tx.getActionsList()[0];
  if (!action) return undefined;
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = actionPayload.getAction();
  if (!endorsed) return undefined;
  const response = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
  return peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
}

/** The chaincode event an action set, if any. */
function chaincodeEventOf(ccAction: peer.ChaincodeAction): peer.ChaincodeEvent | undefined {
  const eventBytes = ccAction.getEvents_asU8();
  if (eventBytes.length === 0) return undefined;
  return peer.ChaincodeEvent.deserializeBinary(eventBytes);
}

/**
 * The writes of an action's read/write set in `namespace` (the chaincode's name), in write-set
 * order; none if it wrote nothing there. Private-data hashes are left out: their values are not
 * in the block.
 */
export function writesOf(ccAction: peer.ChaincodeAction, namespace: string): LedgerWrite[] {
  const results = ccAction.getResults_asU8();
  if (results.length === 0) return [];
  const ns = ledger.rwset.TxReadWriteSet.deserializeBinary(results).getNsRwsetList().find((n) => n.getNamespace() === namespace);
  if (!ns) return [];
  return ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8())
    .getWritesList()
    .map((w) => ({ key: w.getKey(), value: w.getIsDelete() ? null : w.getValue_asU8() }));
}

/** One transaction's event, or undefined if it is not a valid transaction of `chaincode` with an event. */
function eventOfEnvelope(
  envelopeBytes: Uint8Array,
  blockNumber: number,
  txIndex: number,
  chaincode: string,
): LedgerEvent | undefined {
  const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
  const header = payload.getHeader();
  if (!header) return undefined;
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  if (channelHeader.getType() !== ENDORSER_TRANSACTION) return undefined;
  const ccAction = chaincodeActionOf(peer.Transaction.deserializeBinary(payload.getData_asU8()));
  const event = ccAction && chaincodeEventOf(ccAction);
  if (!ccAction || !event || event.getChaincodeId() !== chaincode || event.getEventName() === '') return undefined;
  return {
    blockNumber,
    txIndex,
    txId: channelHeader.getTxId(),
    eventName: event.getEventName(),
    payload: event.getPayload_asU8(),
    timestamp: isoTime(channelHeader.getTimestamp()),
    writes: writesOf(ccAction, chaincode),
  };
}

/**
 * The events of `chaincode` in a block, in transaction order, from valid transactions only.
 *
 * @example
 * for await (const block of await network.getBlockEvents({ startBlock: 5n })) emit(blockEvents(block, 'zfc'));
 */
export function blockEvents(block: common.Block, chaincode: string): LedgerEvent[] {
  const blockNumber = block.getHeader()?.getNumber() ?? 0;
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  const events: LedgerEvent[] = [];
  block
    .getData()
    ?.getDataList_asU8()
    .forEach((envelope, txIndex) => {
      if (filter?.[txIndex] !== VALID) return;
      const event = eventOfEnvelope(envelope, blockNumber, txIndex, chaincode);
      if (event) events.push(event);
    });
  return events;
}

/** The number of a block. */
export function blockNumberOf(block: common.Block): number {
  return block.getHeader()?.getNumber() ?? 0;
}
