/**
 * Canonical JSON by its definition, written the obvious way (sorted keys, no whitespace,
 * JSON.stringify for scalars, undefined properties left out): the oracle the fast encoders
 * (chaincode/canonical-json.ts, ledger-tools/block.ts) are compared with.
 */
export function referenceCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    return `{${entries.map((k) => `${JSON.stringify(k)}:${referenceCanonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
