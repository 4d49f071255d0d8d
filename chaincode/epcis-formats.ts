/**
 * The two JSON Schema formats the EPCIS schema uses, `date-time` and `uri`, exactly as
 * ajv-formats defines them (full mode), each with a fast path for the forms nearly every
 * captured event is written in. The full checks split, match several patterns and compare
 * numbers (`date-time`) or run an RFC 3986 pattern thousands of characters long (`uri`); they
 * were a third of document validation. A fast pattern accepts only text the full check accepts
 * too, and anything it does not accept goes to the full check, so the answers are the same
 * (test/epcis/formats.test.ts compares both on generated text).
 */
import { fullFormats } from 'ajv-formats/dist/formats';

/** A date-time format as ajv takes it: a validator and the comparison ajv-formats gives it. */
interface DateTimeFormat {
  readonly validate: (text: string) => boolean;
  readonly compare: (a: string, b: string) => number | undefined;
}

const fullDateTime = fullFormats['date-time'] as DateTimeFormat;
const fullUri = fullFormats.uri as (text: string) => boolean;

/**
 * RFC 3339 date-times the full check accepts: a day of at most 28 (valid in every month of
 * every year), hour 00–23, minute and second 00–59, any fraction, `Z` or an offset of at most
 * 23:59. Other days, leap seconds, lower-case separators and the rest take the full check.
 */
const FAST_DATE_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * URIs the full check accepts: `urn:` and a path of unreserved characters and colons (an EPC
 * URN, a CBV URN), or `http(s)://` a plain host, an optional port and segments of unreserved
 * characters (a Digital Link, most Web URIs). Anything else takes the full check.
 */
const FAST_URI = /^(?:urn:[A-Za-z0-9._~:-]+|https?:\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[A-Za-z0-9._~-]*)*)$/;

/** `date-time`: the fast pattern, else ajv-formats' full check. */
export function isDateTime(text: string): boolean {
  return FAST_DATE_TIME.test(text) || fullDateTime.validate(text);
}

/** `uri`: the fast pattern, else ajv-formats' full check. */
export function isUri(text: string): boolean {
  return FAST_URI.test(text) || fullUri(text);
}

/** The formats to give ajv (`ajv.addFormat(name, format)`), in place of ajv-formats' own. */
export const EPCIS_FORMATS = {
  'date-time': { validate: isDateTime, compare: fullDateTime.compare },
  uri: isUri,
} as const;

/** ajv-formats' full checks, unchanged: the oracle the fast paths are tested against. */
export const FULL_FORMATS = { 'date-time': fullDateTime.validate, uri: fullUri } as const;
