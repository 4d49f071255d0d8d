/**
 * Date-times clients send (RFC 3339: a date, a time with seconds, and its offset), in the one
 * form records and answers carry: UTC, `Date#toISOString`.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

/** `value` as a UTC ISO string, or undefined when it is not an RFC 3339 date-time (or no real date). */
export function utcInstantOf(value: unknown): string | undefined {
  const t = typeof value === 'string' && RFC3339.test(value) ? Date.parse(value) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}
