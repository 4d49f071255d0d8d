/**
 * How the Fabric ledger reads gateway errors and blocks, without a network: errors are the
 * library's own classes carrying the texts Fabric 2.4 peers send (as seen on the test
 * network), and blocks are real protobuf blocks, so these run everywhere.
 */
import { expect } from 'chai';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { CommitError, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { ZfcError } from '../../chaincode/errors';
import { blockEvents } from '../../ledger-tools/fabric-block';
import { fabricError, findZfcError } from '../../ledger-tools/fabric-error';

const TX = 'a'.repeat(64);

function cause(code: number, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });
}

function endorseError(code: number, message: string, details: string[]): EndorseError {
  return new EndorseError({
    code,
    message,
    transactionId: TX,
    cause: cause(code, message),
    details: details.map((m, i) => ({ address: `127.0.0.1:7${i}51`, mspId: `Org${i}MSP`, message: m })),
  });
}

describe('Fabric ledger: gateway errors to catalogue codes', () => {
  it('finds a chaincode ZfcError in an endorsement detail, with its details and the txId', () => {
    const wire = new ZfcError('LOT_NOT_FOUND', 'lot 09506000134352/ABC1 not found', { gtin: '09506000134352', lot: 'ABC1' }).message;
    const error = fabricError(endorseError(GrpcStatus.ABORTED, '10 ABORTED: failed to endorse transaction, see attached details for more info', [`chaincode response 500, ${wire}`]), 'submit CreateLot');
    expect(error.code).to.equal('LOT_NOT_FOUND');
    expect(error.details).to.deep.equal({ gtin: '09506000134352', lot: 'ABC1' });
    expect(error.txId).to.equal(TX);
  });

  it("maps fabric-contract-api's unknown function and plain errors like the embedded ledger", () => {
    const unknown = fabricError(endorseError(GrpcStatus.ABORTED, 'failed', ["chaincode response 500, You've asked to invoke a function that does not exist: Nope"]), 'submit Nope');
    expect(unknown.code).to.equal('UNKNOWN_TRANSACTION');
    expect(unknown.details).to.deep.equal({ name: 'Nope' });
    const plain = fabricError(endorseError(GrpcStatus.ABORTED, 'failed', ['chaincode response 500, the scale is broken']), 'submit X');
    expect(plain.code).to.equal('ENDORSEMENT_FAILED');
    expect(plain.message).to.include('the scale is broken');
  });

  it('reads a code after other WORD: prefixes that would stop a plain decode', () => {
    const text = 'ABORTED: failed: chaincode response 500, NOT_OWNER: mill holds none\n{"gtin":"1"}';
    expect(findZfcError(text)?.code).to.equal('NOT_OWNER');
    expect(findZfcError('ABORTED: NOPE: nothing here')).to.equal(undefined);
  });

  it('makes an unreachable or silent network LEDGER_UNAVAILABLE', () => {
    for (const code of [GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED]) {
      const error = fabricError(new GatewayError({ code, message: 'No connection established', details: [], cause: cause(code, 'x') }), 'evaluate Get');
      expect(error.code).to.equal('LEDGER_UNAVAILABLE');
      expect(error.details).to.deep.equal({ grpcCode: code });
    }
    const noEndorsers = new GatewayError({ code: GrpcStatus.FAILED_PRECONDITION, message: 'no combination of peers can be derived which satisfy the endorsement policy', details: [], cause: cause(9, 'x') });
    expect(fabricError(noEndorsers, 'submit Put').code).to.equal('LEDGER_UNAVAILABLE');
  });

  it('keeps validation codes of invalidated transactions', () => {
    const codes: [number, string][] = [
      [StatusCode.MVCC_READ_CONFLICT, 'MVCC_READ_CONFLICT'],
      [StatusCode.PHANTOM_READ_CONFLICT, 'PHANTOM_READ_CONFLICT'],
      [StatusCode.DUPLICATE_TXID, 'DUPLICATE_TXID'],
      [StatusCode.ENDORSEMENT_POLICY_FAILURE, 'ENDORSEMENT_FAILED'],
      [StatusCode.BAD_RWSET, 'INTERNAL'],
    ];
    for (const [code, expected] of codes) {
      const error = fabricError(new CommitError({ code: code as CommitError['code'], transactionId: TX, message: 'invalid' }), 'submit Put');
      expect(error.code).to.equal(expected);
      expect(error.txId).to.equal(TX);
    }
  });

  it('passes a ZfcError through and makes anything else INTERNAL without losing the message', () => {
    const own = new ZfcError('LEDGER_CLOSED', 'closed');
    expect(fabricError(own, 'x')).to.equal(own);
    const other = fabricError(new TypeError('boom'), 'submit Put');
    expect(other.code).to.equal('INTERNAL');
    expect(other.message).to.include('boom');
  });
});

/** Protobuf's base-128 varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) return [...out, v];
    out.push((v % 128) | 0x80);
  }
}

/** A serialized ChannelHeader with field 3, timestamp { seconds = 1; nanos = 2 }, appended. */
function withTimestamp(header: Uint8Array, seconds: number, nanos: number): Uint8Array {
  const ts = Buffer.from([0x08, ...varint(seconds), 0x10, ...varint(nanos)]);
  return Buffer.concat([Buffer.from(header), Buffer.from([0x1a, ts.length]), ts]);
}

/** An endorser transaction envelope of `chaincode` that set event `name`. */
function envelope(txId: string, chaincode: string, name: string, payload: string, seconds = 1_780_000_000): Uint8Array {
  const event = new peer.ChaincodeEvent();
  event.setChaincodeId(chaincode);
  event.setTxId(txId);
  event.setEventName(name);
  event.setPayload(Buffer.from(payload));
  const ccAction = new peer.ChaincodeAction();
  ccAction.setEvents(event.serializeBinary());
  const response = new peer.ProposalResponsePayload();
  response.setExtension$(ccAction.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(response.serializeBinary());
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setAction(endorsed);
  const action = new peer.TransactionAction();
  action.setPayload(actionPayload.serializeBinary());
  const tx = new peer.Transaction();
  tx.setActionsList([action]);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setTxId(txId);
  const header = new common.Header();
  header.setChannelHeader(withTimestamp(channelHeader.serializeBinary(), seconds, 250_000_000));
  const body = new common.Payload();
  body.setHeader(header);
  body.setData(tx.serializeBinary());
  const env = new common.Envelope();
  env.setPayload(body.serializeBinary());
  return env.serializeBinary();
}

function block(number: number, envelopes: Uint8Array[], validation: number[]): common.Block {
  const b = new common.Block();
  const header = new common.BlockHeader();
  header.setNumber(number);
  b.setHeader(header);
  const data = new common.BlockData();
  data.setDataList(envelopes);
  b.setData(data);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList([new Uint8Array(), new Uint8Array(), Uint8Array.from(validation), new Uint8Array()]);
  b.setMetadata(metadata);
  return b;
}

describe('Fabric ledger: chaincode events from blocks', () => {
  it("gives each valid transaction's event of the chaincode, with block, index, txId and time", () => {
    const b = block(7, [
      envelope('t0', 'zfc', 'LotCreated', '{"a":1}'),
      envelope('t1', 'zfc', 'Shipped', '{"b":2}'),
      envelope('t2', 'other', 'Put', 'x'),
      envelope('t3', 'zfc', '', ''),
      envelope('t4', 'zfc', 'Received', '{"c":3}'),
    ], [peer.TxValidationCode.VALID, peer.TxValidationCode.MVCC_READ_CONFLICT, 0, 0, 0]);
    const events = blockEvents(b, 'zfc');
    expect(events.map((e) => [e.blockNumber, e.txIndex, e.txId, e.eventName])).to.deep.equal([
      [7, 0, 't0', 'LotCreated'],
      [7, 4, 't4', 'Received'],
    ]);
    expect(Buffer.from(events[0]!.payload).toString()).to.equal('{"a":1}');
    expect(events[0]!.timestamp).to.equal(new Date(1_780_000_000_250).toISOString());
  });

  it('reads nothing from a block without a validation filter (never trusts unvalidated transactions)', () => {
    const b = block(3, [envelope('t0', 'zfc', 'LotCreated', '{}')], []);
    expect(blockEvents(b, 'zfc')).to.deep.equal([]);
  });
});
