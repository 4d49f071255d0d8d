/**
 * UTF-8 bytes assembled from many pieces of text without ever making one long string.
 *
 * V8 keeps every string of more than about 128 KB in its large-object space, which takes fresh
 * memory from the operating system for each one and gives it back when it is collected; the
 * first write to each of its pages is then a page fault. On the virtual machines this project
 * runs on a fault costs some microseconds (on the two-core VMs used for `npm run bench`,
 * 7-20 µs a 4 KB page), so a 900 KB transaction's JSON cost more to flatten into one string and
 * encode than to write. A builder gathers pieces into chunks well under that size and encodes
 * each chunk straight into one Buffer, which it grows only when an estimate falls short.
 *
 * {@link quoteInto} writes JSON.stringify's form of a string of any length in slices, for the
 * same reason: JSON.stringify of a long text makes one long string.
 */

/** Characters gathered before they are encoded: a flattened chunk stays far below V8's large-object size. */
const CHUNK = 16 * 1024;

/** Characters JSON-quoted at a time: at most six characters out for one in (`\u0000`), two bytes each, is still under 128 KB. */
const SLICE = 8 * 1024;

/** Where the pieces of a JSON text go: a string, or the bytes of a {@link Utf8Builder}. */
export interface TextSink {
  add(text: string): void;
}

/** A sink that keeps the text as one string (for callers that want the string itself). */
export class StringSink implements TextSink {
  text = '';
  add(text: string): void {
    this.text += text;
  }
}

/** UTF-8 bytes built from pieces of text; see the module's comment. */
export class Utf8Builder implements TextSink {
  private buf: Buffer;
  private written = 0;
  private pending = '';

  /** `estimate`: the bytes expected in all, so the buffer is allocated once (it grows if they are more). */
  constructor(estimate: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, Math.ceil(estimate)));
  }

  add(text: string): void {
    this.pending += text;
    if (this.pending.length >= CHUNK) this.flush();
  }

  /** The bytes written so far (every piece added is encoded). */
  get length(): number {
    this.flush();
    return this.written;
  }

  /** Writes `text` (encoded, a few bytes) over bytes already written at `offset`; they must be as many. */
  overwrite(offset: number, text: string): void {
    this.flush();
    const bytes = Buffer.byteLength(text, 'utf8');
    if (offset < 0 || offset + bytes > this.written) throw new RangeError(`overwrite: ${bytes} bytes at ${offset} pass the ${this.written} written`);
    this.buf.write(text, offset, 'utf8');
  }

  /** The bytes, a view of the builder's buffer (nothing may be added after). */
  bytes(): Buffer {
    this.flush();
    return this.buf.subarray(0, this.written);
  }

  private flush(): void {
    const text = this.pending;
    if (text.length === 0) return;
    this.pending = '';
    // a UTF-16 code unit is at most three bytes of UTF-8; only near the end are the bytes counted exactly
    if (this.written + text.length * 3 > this.buf.length && this.written + Buffer.byteLength(text, 'utf8') > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.written + text.length * 3));
      this.buf.copy(grown, 0, 0, this.written);
      this.buf = grown;
    }
    this.written += this.buf.write(text, this.written, 'utf8');
  }
}

/**
 * Adds JSON.stringify(text) to `sink`, a slice at a time for a long text. A slice never ends
 * between the two halves of a surrogate pair: JSON.stringify keeps a pair as it is and escapes
 * a lone half, so a pair split in two would be written differently.
 */
export function quoteInto(sink: TextSink, text: string, quote: (short: string) => string = JSON.stringify): void {
  if (text.length <= SLICE) {
    sink.add(quote(text));
    return;
  }
  sink.add('"');
  for (let i = 0; i < text.length; ) {
    let end = Math.min(i + SLICE, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate goes with what follows it
    sink.add(JSON.stringify(text.slice(i, end)).slice(1, -1));
    i = end;
  }
  sink.add('"');
}
