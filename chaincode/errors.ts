/**
 * The error catalogue: one stable code per failure, each with its HTTP status.
 *
 * Codes are stable across versions; messages may change. The chaincode throws a
 * {@link ZfcError}; on the wire (Fabric or the embedded ledger) only the error's message
 * travels, so the message carries the code and details in a form that
 * {@link decodeZfcError} recovers from any text that contains it, such as Fabric's
 * "chaincode response 500, …". Programmer mistakes stay plain `TypeError`s.
 *
 * @example
 * throw new ZfcError('LOT_NOT_FOUND', 'lot 09506000134352/ABC1 not found', { gtin, lot });
 */
export const ERROR_CATALOGUE = {
  // input and identity
  INVALID_ARGUMENT: { status: 400, message: 'The request is malformed or fails validation.' },
  UNAUTHENTICATED: { status: 401, message: 'No valid credentials were presented.' },
  UNKNOWN_IDENTITY: { status: 403, message: 'The caller is not registered as a participant.' },
  PARTICIPANT_SUSPENDED: { status: 403, message: 'The participant is suspended.' },
  FORBIDDEN: { status: 403, message: 'The caller may not perform this action.' },
  NOT_OWNER: { status: 403, message: 'The caller does not hold or own this record.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  URI_TOO_LONG: { status: 414, message: 'The request\'s URL is too long.' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request\'s headers are too large.' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests.' },
  NOT_FOUND: { status: 404, message: 'No such resource.' },
  // records
  PARTICIPANT_NOT_FOUND: { status: 404, message: 'No such participant.' },
  PARTICIPANT_EXISTS: { status: 409, message: 'The participant is already registered.' },
  IDENTITY_IN_USE: { status: 409, message: 'The identity already acts for another participant.' },
  GLN_IN_USE: { status: 409, message: 'The GLN already identifies another participant.' },
  PRODUCT_NOT_FOUND: { status: 404, message: 'No such product.' },
  PRODUCT_EXISTS: { status: 409, message: 'The product is already registered.' },
  LOT_NOT_FOUND: { status: 404, message: 'No such lot.' },
  LOT_EXISTS: { status: 409, message: 'The lot already exists.' },
  ITEM_NOT_FOUND: { status: 404, message: 'No such item.' },
  ITEM_EXISTS: { status: 409, message: 'The item serial is already commissioned.' },
  TEST_NOT_FOUND: { status: 404, message: 'No such test.' },
  SHIPMENT_NOT_FOUND: { status: 404, message: 'No such shipment.' },
  SHIPMENT_EXISTS: { status: 409, message: 'The shipment already exists.' },
  SHIPMENT_NOT_IN_TRANSIT: { status: 409, message: 'The shipment is not in transit.' },
  RECALL_NOT_FOUND: { status: 404, message: 'No such recall.' },
  INSPECTION_NOT_FOUND: { status: 404, message: 'No such inspection (or not one of yours).' },
  RECALL_EXISTS: { status: 409, message: 'The recall already exists.' },
  CONTAINER_NOT_FOUND: { status: 404, message: 'No such case or pallet.' },
  EVENT_NOT_FOUND: { status: 404, message: 'No such event.' },
  EVENT_ID_CONFLICT: { status: 409, message: 'The eventID is already recorded for a different event.' },
  // rules
  QUANTITY_EXCEEDS_HOLDING: { status: 409, message: 'The quantity exceeds what the caller holds.' },
  RECEIPT_EXCEEDS_SHIPMENT: { status: 409, message: 'The receipt exceeds what was shipped.' },
  UNIT_MISMATCH: { status: 422, message: 'The unit of measure does not match the lot.' },
  TEST_REQUIRED: { status: 409, message: 'The lot has no passing test and its product requires one before shipping.' },
  LOT_ON_HOLD: { status: 409, message: 'The lot is on hold.' },
  LOT_RECALLED: { status: 409, message: 'The lot is recalled: it must not be sold, shipped or used.' },
  LOT_EXPIRED: { status: 409, message: 'The lot is past its expiry date.' },
  INVALID_STATE: { status: 409, message: 'The record is not in a state that allows this action.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: 'The idempotency key was used with a different request.' },
  // ledger
  MVCC_READ_CONFLICT: { status: 409, message: 'A concurrent transaction changed what this one read; retry it.' },
  PHANTOM_READ_CONFLICT: { status: 409, message: 'A concurrent transaction changed a range this one read; retry it.' },
  DUPLICATE_TXID: { status: 409, message: 'A transaction with this ID was already committed.' },
  UNKNOWN_TRANSACTION: { status: 400, message: 'The contract has no such transaction function.' },
  ENDORSEMENT_FAILED: { status: 502, message: 'The transaction could not be endorsed.' },
  LEDGER_UNAVAILABLE: { status: 503, message: 'The ledger cannot be reached.' },
  LEDGER_CLOSED: { status: 503, message: 'The ledger is closed.' },
  TX_NOT_FOUND: { status: 404, message: 'No such transaction.' },
  BLOCK_NOT_FOUND: { status: 404, message: 'No such block.' },
  LEDGER_CORRUPT: { status: 500, message: 'The ledger failed verification.' },
  INDEX_NOT_READY: { status: 503, message: 'The trace index is catching up.' },
  EPCIS_NOT_READY: { status: 503, message: 'The EPCIS event store is catching up with the ledger.' },
  CAPTURE_BUSY: { status: 503, message: 'The gateway has as many documents waiting to be captured as it keeps; send again later.' },
  EPCIS_STORE_FULL: { status: 503, message: 'The EPCIS event store stopped following the ledger: the gateway has no heap left to keep more events. Its operator must give it more heap and restart it.' },
  TRACE_INDEX_FULL: { status: 503, message: 'The trace index stopped following the ledger: the gateway has no heap left to keep more of its graph. Its operator must give it more heap and restart it.' },
  CAPTURE_NO_ROOM: { status: 507, message: 'The gateway has no memory left to keep more EPCIS events; nothing was recorded. Its operator must give it more heap.' },
  NOT_IMPLEMENTED: { status: 501, message: 'This deployment does not offer this.' },
  NOT_ACCEPTABLE: { status: 406, message: 'The server cannot answer in the version or form the request asks for.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The body is not of a media type this resource takes.' },
  QUERY_TOO_LARGE: { status: 413, message: 'The query matches more events than it allows (maxEventCount).' },
  QUERY_TOO_COMPLEX: { status: 413, message: 'The query asks for more work than one answer may take; narrow it.' },
  // services
  FONT_NOT_FOUND: { status: 500, message: 'No CJK font is installed, so labels in Chinese cannot be printed.' },
  INTERNAL: { status: 500, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable error code from the catalogue. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Structured, JSON-safe details of an error: which field, which lot, what limit. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

const WIRE = /\b([A-Z][A-Z0-9_]{2,}): ([^\n]*)(?:\n(\{[\s\S]*\}))?\s*$/;

/** True if `code` is in the catalogue. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, code);
}

/** The HTTP status for a code. */
export function httpStatus(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/**
 * An error with a stable code, a human message and JSON details.
 *
 * Its `message` is the wire form `CODE: text` followed, when there are details, by a newline
 * and their JSON, so it survives being reduced to a message string by Fabric's shim.
 */
export class ZfcError extends Error {
  override readonly name = 'ZfcError';
  readonly code: ErrorCode;
  readonly text: string;
  readonly details: ErrorDetails;
  /** The transaction this error came from, when known. */
  readonly txId: string | undefined;

  constructor(code: ErrorCode, text?: string, details: ErrorDetails = {}, txId?: string) {
    const oneLine = (text ?? ERROR_CATALOGUE[code].message).replace(/[\r\n]+/g, ' ');
    const hasDetails = Object.keys(details).length > 0;
    super(`${code}: ${oneLine}${hasDetails ? `\n${JSON.stringify(details)}` : ''}`);
    this.code = code;
    this.text = oneLine;
    this.details = details;
    this.txId = txId;
  }

  /** The HTTP status of this error's code. */
  get status(): number {
    return httpStatus(this.code);
  }

  /** The same error, tagged with the transaction it came from. */
  withTxId(txId: string): ZfcError {
    return new ZfcError(this.code, this.text, this.details, txId);
  }

  /** The body the gateway sends: `{ error: { code, message, details } }`. */
  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetails } } {
    return { error: { code: this.code, message: this.text, details: this.details } };
  }
}

/**
 * Recovers a {@link ZfcError} from any text that contains one's wire form (a chaincode
 * response message, a Fabric endorsement error's details). Returns undefined if there is none.
 */
export function decodeZfcError(text: string, txId?: string): ZfcError | undefined {
  const m = WIRE.exec(text);
  if (!m || !isErrorCode(m[1])) return undefined;
  let details: ErrorDetails = {};
  if (m[3]) {
    try {
      const parsed: unknown = JSON.parse(m[3]);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) details = parsed as ErrorDetails;
    } catch {
      details = {};
    }
  }
  return new ZfcError(m[1], m[2] ?? '', details, txId);
}
