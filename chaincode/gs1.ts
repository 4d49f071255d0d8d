/**
 * GS1 identifier formats: GTIN, GLN and SSCC with their check digits, the character set of
 * lot codes and serials, and UN/ECE unit codes. Pure functions, used by the chaincode to
 * refuse malformed identifiers and by every other part to build and parse codes.
 *
 * @example
 * gs1CheckDigit('0950600013435') === 2   // GTIN-14 09506000134352
 * isGtin14('09506000134352') === true
 */

/** The GS1 mod-10 check digit of the digits before it (any length). */
export function gs1CheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new TypeError('gs1CheckDigit: digits only');
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** True if `value` is `length` digits ending in a correct GS1 check digit. */
export function hasValidCheckDigit(value: string, length: number): boolean {
  if (value.length !== length || !/^\d+$/.test(value)) return false;
  return gs1CheckDigit(value.slice(0, -1)) === Number(value[value.length - 1]);
}

/** GTIN-14 (AI 01): 14 digits with a valid check digit. */
export function isGtin14(value: unknown): value is string {
  return typeof value === 'string' && hasValidCheckDigit(value, 14);
}

/** GLN (AI 414): 13 digits with a valid check digit. */
export function isGln(value: unknown): value is string {
  return typeof value === 'string' && hasValidCheckDigit(value, 13);
}

/** SSCC (AI 00): 18 digits with a valid check digit. */
export function isSscc(value: unknown): value is string {
  return typeof value === 'string' && hasValidCheckDigit(value, 18);
}

/**
 * Pads a GTIN-8, -12 or -13 to GTIN-14, as GS1 Digital Link requires; returns undefined if the
 * input is not a GTIN with a valid check digit.
 */
export function toGtin14(value: string): string | undefined {
  if (![8, 12, 13, 14].includes(value.length) || !/^\d+$/.test(value)) return undefined;
  const padded = value.padStart(14, '0');
  return isGtin14(padded) ? padded : undefined;
}

/**
 * GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1): the
 * characters allowed in a lot code (AI 10) or serial (AI 21).
 */
export const GS1_CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/;

/** Lot code (AI 10): 1–20 characters of character set 82. */
export function isLotCode(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 20 && GS1_CSET82.test(value);
}

/** Serial (AI 21): 1–20 characters of character set 82. */
export function isSerial(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 20 && GS1_CSET82.test(value);
}

/** UN/ECE Recommendation 20 unit codes accepted for quantities. */
export const UNIT_CODES = ['KGM', 'GRM', 'TNE', 'LTR', 'MLT', 'MTQ', 'EA', 'H87', 'CT', 'BX', 'PK', 'PA'] as const;
export type UnitCode = (typeof UNIT_CODES)[number];

/** True if `value` is an accepted UN/ECE unit code. */
export function isUnitCode(value: unknown): value is UnitCode {
  return typeof value === 'string' && (UNIT_CODES as readonly string[]).includes(value);
}
