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
      return JSON.stringify(value);
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
    out += (i > 0 ? ',' : '') + fast(items[i]);
  }
  return `${out}]`;
}

function fastObject(obj: Record<string, unknown>): string {
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) throw UNENCODABLE;
  let out = '{';
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v === undefined) continue; // as JSON.stringify: an absent optional property
    out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + fast(v);
  }
  return `${out}}`;
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
