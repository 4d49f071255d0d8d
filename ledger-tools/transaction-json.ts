/**
 * The canonical JSON of a transaction record, written directly for its known shape: the same
 * bytes as `canonicalJson(tx)` (keys in sorted order, no whitespace), without the generic
 * encoder's per-node key sorting, so sealing a block of hundreds of transactions stays cheap.
 * A test checks it against canonicalJson on every kind of field.
 *
 * {@link writeTransactionJson} gives the text in pieces to a sink, so that a block's bytes are
 * encoded without one string of the whole transaction ever being made (utf8-builder.ts says why:
 * a capture's transaction is close to a megabyte of JSON).
 */
import { quote } from '../chaincode/canonical-json';
import type { TransactionRecord } from './block';
import type { KeyRead, KeyWrite, RangeRead, Version } from './rwset';
import { quoteInto, StringSink, type TextSink } from './utf8-builder';

const str = quote;

/** canonicalJson(tx), faster. */
export function transactionJson(tx: TransactionRecord): string {
  const sink = new StringSink();
  writeTransactionJson(tx, sink);
  return sink.text;
}

/** Adds canonicalJson(tx) to `sink`, in pieces; a long text (an argument, a payload) a slice at a time. */
export function writeTransactionJson(tx: TransactionRecord, sink: TextSink): void {
  sink.add('{"args":[');
  tx.args.forEach((a, i) => {
    if (i > 0) sink.add(',');
    quoteInto(sink, a, str);
  });
  sink.add(`],"creator":{"certificateHash":${str(tx.creator.certificateHash)},"mspId":${str(tx.creator.mspId)}},"event":`);
  if (tx.event) {
    sink.add(`{"name":${str(tx.event.name)},"payload":`);
    quoteInto(sink, tx.event.payload, str);
    sink.add('}');
  } else sink.add('null');
  sink.add(`,"fn":${str(tx.fn)},"response":`);
  quoteInto(sink, tx.response, str);
  sink.add(',"rwset":{"ranges":[');
  const { ranges, reads, writes } = tx.rwset;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i] as RangeRead;
    sink.add(`${i > 0 ? ',' : ''}{"endKey":${str(r.endKey)},"exhausted":${r.exhausted},"reads":[`);
    readsInto(sink, r.reads);
    sink.add(`],"startKey":${str(r.startKey)}}`);
  }
  sink.add('],"reads":[');
  readsInto(sink, reads);
  sink.add('],"writes":[');
  for (let i = 0; i < writes.length; i++) {
    if (i > 0) sink.add(',');
    writeJson(writes[i] as KeyWrite, sink);
  }
  sink.add(`]},"timestamp":${str(tx.timestamp)},"txId":${str(tx.txId)},"validationCode":${str(tx.validationCode)}}`);
}

function versionJson(v: Version | null): string {
  return v ? `{"block":${v.block},"tx":${v.tx}}` : 'null';
}

function readJson(r: KeyRead): string {
  return `{"key":${str(r.key)},"version":${versionJson(r.version)}}`;
}

function readsInto(sink: TextSink, reads: readonly KeyRead[]): void {
  for (let i = 0; i < reads.length; i++) sink.add((i > 0 ? ',' : '') + readJson(reads[i] as KeyRead));
}

function writeJson(w: KeyWrite, sink: TextSink): void {
  if (w.value === undefined) {
    sink.add(`{"isDelete":${w.isDelete},"key":${str(w.key)}}`);
    return;
  }
  sink.add(`{"isDelete":${w.isDelete},"key":${str(w.key)},"value":`);
  quoteInto(sink, w.value, str);
  sink.add('}');
}
