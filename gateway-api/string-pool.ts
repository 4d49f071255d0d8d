/**
 * One string for each text that many long-lived records repeat (places, parties, a transaction's
 * ID and time, units). Strings decoded from JSON or built by concatenation are each a copy of
 * their own; a projection or graph that keeps every event would hold thousands of copies of the
 * same few texts.
 */

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
    this.known.set(text, text);
    return text;
  }
}
