/**
 * State keys exactly as Fabric encodes them: composite keys are `\u0000type\u0000a\u0000b\u0000`,
 * simple keys may not start with `\u0000`, and keys sort by their UTF-8 bytes (code point order),
 * which is how both LevelDB on a peer and level here order them.
 */

/** Composite keys live in their own namespace, starting with this character. */
export const COMPOSITE_KEY_NAMESPACE = '\u0000';
/** Separator after the object type and after each attribute. */
export const MIN_UNICODE_RUNE = '\u0000';
/** The highest code point: the end of a partial composite key's range. */
export const MAX_UNICODE_RUNE = '\u{10ffff}';
/** What an empty start key of `getStateByRange` becomes, so simple-key ranges skip composite keys. */
export const EMPTY_KEY_SUBSTITUTE = '\u0001';

/** As fabric-shim's `createCompositeKey`. */
export function createCompositeKey(objectType: string, attributes: readonly string[]): string {
  checkAttribute(objectType);
  if (!Array.isArray(attributes)) throw new Error('attributes must be an array');
  let key = COMPOSITE_KEY_NAMESPACE + objectType + MIN_UNICODE_RUNE;
  for (const attribute of attributes) {
    checkAttribute(attribute);
    key += attribute + MIN_UNICODE_RUNE;
  }
  return key;
}

/** As fabric-shim's `splitCompositeKey`. */
export function splitCompositeKey(compositeKey: string): { objectType: string | null; attributes: string[] } {
  const result: { objectType: string | null; attributes: string[] } = { objectType: null, attributes: [] };
  if (compositeKey && compositeKey.length > 1 && compositeKey.charAt(0) === COMPOSITE_KEY_NAMESPACE) {
    const parts = compositeKey.substring(1).split(MIN_UNICODE_RUNE);
    result.objectType = parts[0] ?? null;
    parts.pop();
    if (parts.length > 1) {
      parts.shift();
      result.attributes = parts;
    }
  }
  return result;
}

function checkAttribute(attribute: unknown): void {
  if (!attribute || typeof attribute !== 'string' || attribute.length === 0) {
    throw new Error('object type or attribute not a non-zero length string');
  }
}

/** As Fabric: a simple key must not start with the composite-key namespace. */
export function checkSimpleKey(key: string): void {
  if (key && key.charAt(0) === COMPOSITE_KEY_NAMESPACE) {
    throw new Error(`first character of the key [${key}] contains a null character which is not allowed`);
  }
}

/** A key that can be written: a non-empty, well-formed string (Fabric requires valid UTF-8). */
export function checkWritableKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw new Error('key must not be an empty string');
  if (LONE_SURROGATE.test(key)) throw new Error(`key [${key}] is not valid UTF-8`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Orders keys by code point, as their UTF-8 bytes sort (JavaScript's `<` sorts UTF-16 units). */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

// Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, so they rank above 0xE000–0xFFFF.
function codeUnitRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** True if `key` is in the half-open range [start, end); an empty `end` means no upper bound. */
export function inRange(key: string, start: string, end: string): boolean {
  return compareKeys(key, start) >= 0 && (end === '' || compareKeys(key, end) < 0);
}
