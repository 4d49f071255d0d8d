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
    return write(value, '$'); // again, tracking the path, to say where the value cannot be encoded
  }
}

/** Thrown by {@link fast} where a value cannot be encoded; {@link write} then names the place. */
const UNENCODABLE = new Error('canonicalJson: unencodable value');

/**
 * The same bytes as {@link write} without building a path for every value: stored records and
 * blocks are encoded in every transaction, and the paths were most of the work and garbage.
 */
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
    if (!(i in items)) throw UNENCODABLE; // a hole: let write() give it the form it always had
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

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path}`);
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? writeArray(value, path) : writeObject(value as Record<string, unknown>, path);
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value} at ${path}`);
  }
}

function writeArray(items: readonly unknown[], path: string): string {
  return `[${items.map((item, i) => write(item, `${path}[${i}]`)).join(',')}]`;
}

function writeObject(obj: Record<string, unknown>, path: string): string {
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`canonicalJson: only plain objects can be encoded (at ${path})`);
  }
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v === undefined) continue; // as JSON.stringify: an absent optional property
    parts.push(`${JSON.stringify(key)}:${write(v, `${path}.${key}`)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Canonical JSON as UTF-8 bytes. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
