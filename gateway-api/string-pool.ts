/**
 * One string for each text that many long-lived records repeat (places, parties, a transaction's
 * ID and time, units). Strings decoded from JSON or built by concatenation are each a copy of
 * their own; a projection or graph that keeps every event would hold thousands of copies of the
 * same few texts.
 */

/**
 * `text`, made one flat string in place (the same string, equal before and after). A string built
 * by concatenation (`${root}/21/${serial}`) is a tree of its parts until something reads it
 * character by character: about 300 bytes for a 40-character identifier, where the flat copy that
 * reading one character makes (and that the garbage collector then keeps instead of the tree) is
 * about 75. Worth it only for strings kept long, by every event.
 */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** Texts remembered before the pool starts afresh (its answers stay equal either way). */
const DEFAULT_LIMIT = 100_000;

/**
 * @example
 * const pool = new StringPool();
 * view.location = pool.of(fact.location);
 */
export class StringPool {
  private readonly known = new Map<string, string>();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** The pool's string equal to `text` (`text` itself the first time). */
  of(text: string): string {
    const known = this.known.get(text);
    if (known !== undefined) return known;
    if (this.known.size >= this.limit) this.known.clear();
    this.known.set(text, flat(text));
    return text;
  }
}
