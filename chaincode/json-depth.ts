/**
 * How deeply a parsed JSON value nests, for every reader of untrusted JSON (the gateway's and
 * the QR service's request bodies). JSON.parse accepts any depth, but everything recursive after
 * it (canonical JSON, schema checks, JSON.stringify, Array#join) overflows the stack on a deep
 * enough value, which would surface as an internal error instead of the caller's mistake.
 */

/** The deepest nesting a request body may have. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when some value inside `value` lies deeper than `limit`: `value` itself is at depth 0 and
 * each member of an array or object one deeper than it (in `[[1]]` the 1 is at depth 2). The
 * walk gives up past `limit`: it never recurses more than `limit` + 1 frames, however deep the
 * value, and allocates nothing.
 *
 * @example
 * nestedDeeperThan(JSON.parse('[[1]]'), 1) // true
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  return depthOf(value, 0, limit) > limit;
}

function depthOf(value: unknown, d: number, limit: number): number {
  if (d > limit || value === null || typeof value !== 'object') return d;
  let max = d;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && max <= limit; i++) max = Math.max(max, depthOf(value[i], d + 1, limit));
    return max;
  }
  for (const key in value) {
    max = Math.max(max, depthOf((value as Record<string, unknown>)[key], d + 1, limit));
    if (max > limit) break;
  }
  return max;
}
