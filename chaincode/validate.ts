/**
 * Input validation: every transaction's one argument is parsed as JSON and checked against
 * its schema (each compiled once per process, on first use), so rule modules see typed,
 * well-formed values.
 * Failures are INVALID_ARGUMENT with details naming the field.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ZfcError } from './errors';
import { isGln, isGtin14, isSscc } from './gs1';
import { SCHEMAS, type TransactionInputs, type TransactionName } from './schemas';

/** The largest argument accepted, in UTF-16 code units (a warehouse gate's 1000 scans fit easily). */
export const MAX_ARGUMENT_LENGTH = 4 * 1024 * 1024;

/** Registers the GS1 formats (`gtin`, `gln`, `sscc`) and ajv-formats on an Ajv instance. */
export function addZfcFormats(ajv: Ajv): Ajv {
  addFormats(ajv);
  ajv.addFormat('gtin', { type: 'string', validate: (v: string) => isGtin14(v) });
  ajv.addFormat('gln', { type: 'string', validate: (v: string) => isGln(v) });
  ajv.addFormat('sscc', { type: 'string', validate: (v: string) => isSscc(v) });
  return ajv;
}

/** An Ajv instance configured as the chaincode's (strict, all errors, GS1 formats). */
export function createAjv(): Ajv {
  return addZfcFormats(new Ajv({ allErrors: true, strict: true, unicodeRegExp: true }));
}

let shared: Ajv | undefined;
const compiled = new Map<TransactionName, ValidateFunction>();

/** The compiled validator of a transaction's schema. */
function validator(name: TransactionName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const schema = SCHEMAS[name];
    if (!schema) throw new TypeError(`no schema for ${name}`);
    shared ??= createAjv();
    validate = shared.compile(schema);
    compiled.set(name, validate);
  }
  return validate;
}

/** The field an Ajv error is about, as a JSON pointer (`/lines/0/quantity`). */
function fieldOf(error: ErrorObject): string {
  const missing = error.keyword === 'required' ? `/${String(error.params['missingProperty'])}` : '';
  const extra = error.keyword === 'additionalProperties' ? `/${String(error.params['additionalProperty'])}` : '';
  return `${error.instancePath}${missing}${extra}` || '/';
}

/** Checks a parsed value against a transaction's schema. */
export function validateValue<N extends TransactionName>(name: N, value: unknown): TransactionInputs[N] {
  const validate = validator(name);
  if (validate(value)) return value as TransactionInputs[N];
  const errors = (validate.errors ?? []).slice(0, 10).map((e) => ({ field: fieldOf(e), message: e.message ?? e.keyword }));
  const first = errors[0] ?? { field: '/', message: 'invalid' };
  throw new ZfcError('INVALID_ARGUMENT', `${first.field}: ${first.message}`, { field: first.field, errors });
}

/** Parses a transaction's JSON argument and checks it against the transaction's schema. */
export function parseInput<N extends TransactionName>(name: N, raw: unknown): TransactionInputs[N] {
  if (typeof raw !== 'string') throw new ZfcError('INVALID_ARGUMENT', 'the argument must be a JSON string', { field: '/' });
  if (raw.length > MAX_ARGUMENT_LENGTH) {
    throw new ZfcError('INVALID_ARGUMENT', 'the argument is too large', { field: '/', limit: MAX_ARGUMENT_LENGTH });
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ZfcError('INVALID_ARGUMENT', 'the argument is not valid JSON', { field: '/' });
  }
  return validateValue(name, value);
}
