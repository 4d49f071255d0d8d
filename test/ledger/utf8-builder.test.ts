/**
 * The block's bytes are built in pieces (ledger-tools/utf8-builder.ts): long texts are quoted a
 * slice at a time and encoded a chunk at a time. Whatever the text — surrogate pairs across a
 * slice's end, lone surrogates, escapes, text of three bytes a character, more bytes than the
 * buffer was sized for — the bytes must be exactly those of JSON.stringify and of the block's
 * canonical JSON.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { sealBlock, type TransactionRecord } from '../../ledger-tools/block';
import { transactionJson } from '../../ledger-tools/transaction-json';
import { quoteInto, StringSink, Utf8Builder } from '../../ledger-tools/utf8-builder';
import { referenceCanonicalJson as reference } from '../canonical-reference';
import { pick, seededRandom } from '../seeded-random';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Pieces whose lengths (1 to 3 code units) put every kind of character on every position of a slice's end. */
const PIECES = ['a', '😀', '"', '\\', '\n', '\u0000', '\ud800', '\udfff', 'é', '中', '\u2028', 'x😀', '\ud83d\ude00\ud800'];

function longText(seed: number, length: number): string {
  const rnd = seededRandom(seed);
  let out = '';
  while (out.length < length) out += pick(rnd, PIECES);
  return out;
}

/** JSON.stringify(text) as quoteInto writes it, through a string and through the byte builder. */
function quotedBothWays(text: string, estimate = 64): { text: string; bytes: Buffer } {
  const sink = new StringSink();
  quoteInto(sink, text);
  const builder = new Utf8Builder(estimate);
  quoteInto(builder, text);
  return { text: sink.text, bytes: builder.bytes() };
}

describe('utf8-builder: long texts quoted and encoded in pieces', () => {
  it('quotes texts of every length around a slice exactly as JSON.stringify, pairs and lone surrogates included', () => {
    for (const length of [0, 1, 8191, 8192, 8193, 16383, 16385, 40000]) {
      for (let seed = 1; seed <= 12; seed++) {
        const text = longText(seed * 1000 + length, length).slice(0, length);
        const { text: quoted, bytes } = quotedBothWays(text);
        const expected = JSON.stringify(text);
        expect(quoted === expected, `length ${length}, seed ${seed}`).to.equal(true);
        expect(bytes.equals(Buffer.from(expected, 'utf8')), `bytes, length ${length}, seed ${seed}`).to.equal(true);
      }
    }
  });

  it('keeps a surrogate pair whole when it straddles a slice at any offset', () => {
    for (let at = 8185; at <= 8200; at++) {
      const text = `${'a'.repeat(at)}😀${'b'.repeat(20000)}`;
      const { text: quoted } = quotedBothWays(text);
      expect(quoted, `pair at ${at}`).to.equal(JSON.stringify(text));
      expect(quoted.includes('\\ud83d'), `pair at ${at} escaped as lone halves`).to.equal(false);
    }
  });

  it('grows past a short estimate, for text of three bytes a character', () => {
    const text = '中'.repeat(100_000);
    const builder = new Utf8Builder(16);
    builder.add('[');
    quoteInto(builder, text);
    builder.add(']');
    expect(builder.bytes().equals(Buffer.from(`[${JSON.stringify(text)}]`, 'utf8'))).to.equal(true);
  });

  it('refuses to write over bytes it has not written', () => {
    const builder = new Utf8Builder(1024);
    builder.add('abc');
    builder.overwrite(1, 'X');
    expect(builder.bytes().toString()).to.equal('aXc');
    expect(() => builder.overwrite(2, 'YZ')).to.throw(RangeError);
  });

  it('seals a block of large transactions (arguments, payloads and values of hundreds of KB) as the canonical JSON of the block', () => {
    const big = (seed: number, length: number): string => longText(seed, length);
    const txs: TransactionRecord[] = [0, 1, 2].map((i) => ({
      txId: `tx${i}`,
      timestamp: '2026-03-01T00:00:00.000Z',
      creator: { mspId: 'Org1MSP', certificateHash: 'c'.repeat(64) },
      fn: 'epcis:CaptureEvents',
      args: [big(i + 1, 200_000 + i * 777), big(i + 7, 9000)],
      rwset: {
        reads: Array.from({ length: 300 }, (_, j) => ({ key: `epcis.e|${j}${big(j, 3)}`, version: j % 2 ? null : { block: j, tx: 1 } })),
        ranges: [{ startKey: 'a', endKey: 'b', exhausted: true, reads: Array.from({ length: 2000 }, (_, j) => ({ key: `k${j}`, version: { block: 1, tx: j } })) }],
        writes: Array.from({ length: 300 }, (_, j) => (j % 50 === 0 ? { key: `d${j}`, isDelete: true } : { key: `w${j}`, isDelete: false, value: Buffer.from(big(j + 99, 700)).toString('base64') })),
      },
      response: Buffer.from(big(i + 40, 150_000)).toString('base64'),
      event: { name: 'EpcisCaptured', payload: Buffer.from(big(i + 50, 150_000)).toString('base64') },
      validationCode: 'VALID',
    }));
    const sealed = sealBlock(7, 'p'.repeat(64), '2026-03-01T00:00:01.000Z', txs, { ['c'.repeat(64)]: 'PEM' });
    expect(sealed.txHashes).to.deep.equal(txs.map((tx) => sha256(reference(tx))));
    expect(sealed.block.hash).to.equal(sha256(reference(sealed.block.header)));
    expect(sealed.bytes.equals(Buffer.from(reference(sealed.block), 'utf8'))).to.equal(true);
    for (const tx of txs) expect(transactionJson(tx) === reference(tx)).to.equal(true);
  });
});
