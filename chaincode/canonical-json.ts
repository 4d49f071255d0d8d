/**
 * Canonical JSON: the one byte form used for state, events, blocks and hashes.
 *
 * Object keys are sorted by UTF-16 code unit order (as JavaScript's default sort), no
 * whitespace, and values that JSON cannot carry faithfully are refused rather than silently
 * dropped, so the same value always gives the same bytes on every peer and in every tool.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  try {
    return fast(value);
  } catch (err) {
    if (err !== UNENCODABLE) throw err;
    // Walk again only to say where: encoding never pays for building paths.
    throw whyUnencodable(value, '$') ?? new TypeError('canonicalJson: cannot encode the value');
  }
}

/** Thrown by {@link fast} where a value cannot be encoded; {@link whyUnencodable} then names the place. */
const UNENCODABLE = new Error('canonicalJson: unencodable value');

/** Encodes with sorted keys and no whitespace; throws {@link UNENCODABLE} at the first value JSON cannot carry. */
function fast(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw UNENCODABLE;
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? fastArray(value) : fastObject(value as Record<string, unknown>);
    default:
      throw UNENCODABLE;
  }
}

function fastArray(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (!(i in items)) throw UNENCODABLE; // a hole would be read back as null: refuse it
    if (i > 0) out += ',';
    out += fast(items[i]);
  }
  return `${out}]`;
}

function fastObject(obj: Record<string, unknown>): string {
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) throw UNENCODABLE;
  const keys = sortStrings(Object.keys(obj));
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = obj[key];
    if (v === undefined) continue; // as JSON.stringify: an absent optional property
    if (first) first = false;
    else out += ',';
    out += keyPrefix(key) + fast(v);
  }
  return `${out}}`;
}

/**
 * Text that JSON.stringify writes unchanged between its quotes: no quote, backslash, control
 * character or surrogate (a lone one is escaped; pairs are simply left to JSON.stringify). Most
 * strings of a record are such text, and testing for it and quoting costs far less than a call
 * of JSON.stringify each.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** JSON.stringify of a string, faster for the common text. */
export function quote(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** Object keys' `"key":` texts, remembered: records repeat the same few keys endlessly. */
const KEY_PREFIXES = new Map<string, string>();
const KEY_PREFIXES_MAX = 4096;
const KEY_PREFIX_MAX_LENGTH = 128;

function keyPrefix(key: string): string {
  let prefix = KEY_PREFIXES.get(key);
  if (prefix !== undefined) return prefix;
  prefix = `${quote(key)}:`;
  if (key.length <= KEY_PREFIX_MAX_LENGTH) {
    if (KEY_PREFIXES.size >= KEY_PREFIXES_MAX) KEY_PREFIXES.clear();
    KEY_PREFIXES.set(key, prefix);
  }
  return prefix;
}

const SMALL_SORT = 16;

/**
 * Strings sorted by UTF-16 code unit, as `Array#sort` without a comparator sorts them. An
 * object's few keys are sorted by insertion with `<` (the same order), without the generic
 * sort's set-up; many keys go to `Array#sort`.
 */
function sortStrings(items: string[]): string[] {
  const n = items.length;
  if (n > SMALL_SORT) return items.sort();
  for (let i = 1; i < n; i++) {
    const item = items[i] as string;
    let j = i - 1;
    for (; j >= 0 && item < (items[j] as string); j--) items[j + 1] = items[j] as string;
    items[j + 1] = item;
  }
  return items;
}

/** The error for the first value below `value` that canonical JSON cannot carry, if any. */
function whyUnencodable(value: unknown, path: string): TypeError | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : new TypeError(`canonicalJson: non-finite number at ${path}`);
  if (typeof value !== 'object') return new TypeError(`canonicalJson: cannot encode ${typeof value} at ${path}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const why = i in value ? whyUnencodable(value[i], `${path}[${i}]`) : new TypeError(`canonicalJson: array hole at ${path}[${i}]`);
      if (why) return why;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return new TypeError(`canonicalJson: only plain objects can be encoded (at ${path})`);
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    const why = v === undefined ? undefined : whyUnencodable(v, `${path}.${key}`);
    if (why) return why;
  }
  return undefined;
}

/** Canonical JSON as UTF-8 bytes. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
