/**
 * JSON Schemas of every transaction's one JSON argument, and their TypeScript types.
 *
 * The same schemas validate in the chaincode and in the gateway, and feed the OpenAPI
 * document; each has an `$id` and is self-contained (no external `$ref`), so it can be
 * embedded anywhere. GS1 check digits are the formats `gtin`, `gln` and `sscc` (see
 * validate.ts, which registers them on any Ajv instance with {@link addZfcFormats}).
 */
import { DISPOSAL_METHODS, INSPECTION_OUTCOMES, ROLES, SCAN_KINDS, type DisposalMethod, type InspectionOutcome, type RecallClass, type Role, type ScanKind } from './records';
import { UNIT_CODES, type UnitCode } from './gs1';

/** Limits on the size of one transaction's input. */
export const LIMITS = {
  text: 200,
  longText: 2000,
  serialsPerTx: 10_000,
  rangesPerTx: 100,
  scansPerTx: 1000,
  linesPerTx: 200,
  analytes: 100,
  identities: 20,
  recallLots: 100,
  recallBudget: 1000,
  defaultRecallBudget: 200,
  /** Ancestor lots a use of a lot may walk while a recall is incomplete (recall-gate.ts). */
  recallGateLots: 1000,
  traceDepth: 50,
  traceLots: 2000,
  pageSize: 500,
  quantity: 1e12,
} as const;

const ID_BASE = 'https://zhefoodchain.org/schemas/chaincode/';

/** A JSON Schema object (draft-07). */
export type JsonSchema = Readonly<Record<string, unknown>>;

// ---- shared fragments (inlined into each schema) -------------------------------------------
const text = (max: number = LIMITS.text): JsonSchema => ({
  type: 'string', minLength: 1, maxLength: max, pattern: '^[^\\p{Cc}\\p{Cs}\\u2028\\u2029\\ufeff]+$',
});
/** The IDs records are named by (shipments, transformations, recalls, participants, …). */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$';
const id = { type: 'string', pattern: ID_PATTERN } as const;
const gtin = { type: 'string', pattern: '^[0-9]{14}$', format: 'gtin' } as const;
const gln = { type: 'string', pattern: '^[0-9]{13}$', format: 'gln' } as const;
const sscc = { type: 'string', pattern: '^[0-9]{18}$', format: 'sscc' } as const;
const gs1Chars = '^[!"%&\'()*+,\\-./0-9:;<=>?A-Z_a-z]{1,20}$';
const lot = { type: 'string', pattern: gs1Chars } as const;
const serial = { type: 'string', pattern: gs1Chars } as const;
const unit = { type: 'string', enum: [...UNIT_CODES] } as const;
const quantity = { type: 'number', exclusiveMinimum: 0, maximum: LIMITS.quantity } as const;
const date = { type: 'string', format: 'date', maxLength: 10 } as const;
const dateTime = { type: 'string', format: 'date-time', maxLength: 35 } as const;
const obj = (properties: Record<string, unknown>, required: readonly string[]): JsonSchema => ({
  type: 'object', additionalProperties: false, properties, required: [...required],
});
const list = (items: unknown, maxItems: number, minItems = 1): JsonSchema => ({ type: 'array', items, minItems, maxItems });
const location = obj({ gln, name: text() }, ['gln']);
const lotRef = obj({ gtin, lot }, ['gtin', 'lot']);
const lotQuantity = obj({ gtin, lot, quantity }, ['gtin', 'lot', 'quantity']);
const itemRef = obj({ gtin, serial }, ['gtin', 'serial']);
const page = { pageSize: { type: 'integer', minimum: 1, maximum: LIMITS.pageSize }, bookmark: { type: 'string', maxLength: 512 } };

const schema = (name: string, description: string, body: JsonSchema): JsonSchema => ({
  $id: `${ID_BASE}${name}.json`, $schema: 'http://json-schema.org/draft-07/schema#', title: name, description, ...body,
});

const identity = obj({ mspId: id, id: { ...text(1024), pattern: '^x509::/[^\\p{Cc}\\p{Cs}]+::/[^\\p{Cc}\\p{Cs}]+$' } }, ['mspId', 'id']);
const participantBody = {
  id, name: text(), role: { type: 'string', enum: [...ROLES] }, licence: text(64), gln,
  identities: list(identity, LIMITS.identities),
};
const participantRequired = ['id', 'name', 'role', 'licence', 'gln', 'identities'];
/** A trace starts from gtin+lot, gtin+serial or sscc (exactly one; checked by the trace itself). */
const trace = obj({
  gtin, lot, serial, sscc, maxDepth: { type: 'integer', minimum: 1, maximum: LIMITS.traceDepth },
  maxLots: { type: 'integer', minimum: 1, maximum: LIMITS.traceLots }, ...page,
}, []);

/** The schema of each transaction's argument, by transaction name. */
export const SCHEMAS = {
  Init: schema('Init', 'Registers the first regulator; once, by an admin (OU=admin) of the regulator\'s MSP.',
    obj({ regulator: obj(participantBody, participantRequired) }, ['regulator'])),
  RegisterParticipant: schema('RegisterParticipant', 'A regulator registers an enterprise or another regulator.',
    obj(participantBody, participantRequired)),
  SuspendParticipant: schema('SuspendParticipant', 'A regulator suspends a participant: it can do nothing until reinstated.',
    obj({ id, reason: text() }, ['id', 'reason'])),
  ReinstateParticipant: schema('ReinstateParticipant', 'A regulator reinstates a suspended participant.',
    obj({ id, reason: text() }, ['id', 'reason'])),
  AddIdentity: schema('AddIdentity', 'A regulator adds an X.509 identity to a participant; the identity must act for no one yet.',
    obj({ participant: id, identity }, ['participant', 'identity'])),
  RemoveIdentity: schema('RemoveIdentity', 'A regulator removes one of a participant\'s identities; at least one must remain.',
    obj({ participant: id, identity }, ['participant', 'identity'])),
  RegisterProduct: schema('RegisterProduct', 'A producer or processor registers a trade item it owns.',
    obj({
      gtin, name: text(), category: text(64), unit, requiresTest: { type: 'boolean' }, netQuantity: quantity,
      yield: obj({ min: { type: 'number', exclusiveMinimum: 0, maximum: 1000 }, max: { type: 'number', exclusiveMinimum: 0, maximum: 1000 } }, ['min', 'max']),
    }, ['gtin', 'name', 'category', 'unit', 'requiresTest'])),
  CreateLot: schema('CreateLot', 'A producer commissions a lot of one of its products.',
    obj({
      gtin, lot, quantity, unit, productionDate: date, expiryDate: date,
      origin: obj({ gln, name: text(), country: { type: 'string', pattern: '^[A-Z]{2}$' }, region: text(100) }, ['gln']),
    }, ['gtin', 'lot', 'quantity', 'unit', 'productionDate', 'origin'])),
  CommissionItems: schema('CommissionItems', 'The lot\'s producer commissions item serials (AI 21) in ranges or lists.',
    obj({
      gtin, lot,
      ranges: list(obj({
        prefix: { type: 'string', pattern: '^[!"%&\'()*+,\\-./0-9:;<=>?A-Z_a-z]{0,19}$' },
        from: { type: 'integer', minimum: 0, maximum: 1e15 }, to: { type: 'integer', minimum: 0, maximum: 1e15 },
        width: { type: 'integer', minimum: 0, maximum: 19 },
      }, ['from', 'to']), LIMITS.rangesPerTx),
      serials: { ...list(serial, LIMITS.serialsPerTx), uniqueItems: true },
    }, ['gtin', 'lot'])),
  RecordTest: schema('RecordTest', 'A lab records a test of a lot; a failing verdict puts the lot on hold.',
    obj({
      testId: id, gtin, lot, method: text(), standard: text(), sampledAt: dateTime,
      analytes: list(obj({
        name: text(100), value: { type: 'number' }, unit: text(32), limit: { type: 'number' },
        limitType: { type: 'string', enum: ['max', 'min'] }, measurementType: { type: 'string', pattern: '^[A-Z][A-Za-z]{1,40}$' },
        substance: { type: 'string', format: 'uri', maxLength: 512 },
      }, ['name', 'value', 'unit', 'limit']), LIMITS.analytes),
      verdict: { type: 'string', enum: ['pass', 'fail'] },
      report: obj({ sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' }, uri: { type: 'string', format: 'uri', maxLength: 1024 } }, ['sha256', 'uri']),
    }, ['testId', 'gtin', 'lot', 'method', 'sampledAt', 'analytes', 'verdict', 'report'])),
  TransformLots: schema('TransformLots', 'A processor consumes quantities of lots it holds into a new output lot.',
    obj({
      transformationId: id, inputs: list(lotQuantity, LIMITS.linesPerTx),
      output: obj({ gtin, lot, quantity, productionDate: date, expiryDate: date }, ['gtin', 'lot', 'quantity', 'productionDate']),
      location,
    }, ['transformationId', 'inputs', 'output', 'location'])),
  Aggregate: schema('Aggregate', 'The holder packs items, lot quantities or cases into a case or pallet (SSCC).',
    obj({ sscc, items: list(itemRef, LIMITS.serialsPerTx), lots: list(lotQuantity, LIMITS.linesPerTx), containers: list(sscc, LIMITS.linesPerTx), location },
      ['sscc', 'location'])),
  Disaggregate: schema('Disaggregate', 'The holder unpacks a case or pallet (everything, when no children are named).',
    obj({ sscc, items: list(itemRef, LIMITS.serialsPerTx), lots: list(lotRef, LIMITS.linesPerTx), containers: list(sscc, LIMITS.linesPerTx), location },
      ['sscc', 'location'])),
  Ship: schema('Ship', 'The holder ships quantities of lots (and the cases or pallets carrying them) to another participant; purpose `return` sends lot quantities back to their producer, recalled or held as they may be.',
    obj({ shipmentId: id, to: id, lines: list(lotQuantity, LIMITS.linesPerTx), containers: list(sscc, LIMITS.linesPerTx), origin: location, destination: location, purpose: { type: 'string', enum: ['return'] } },
      ['shipmentId', 'to', 'lines', 'origin'])),
  Receive: schema('Receive', 'The recipient receives a shipment, in full or short (never over).',
    obj({ shipmentId: id, lines: list(lotQuantity, LIMITS.linesPerTx, 0), location }, ['shipmentId', 'location'])),
  RecordScans: schema('RecordScans', 'One or many scans of items, lots or SSCCs; each recorded under its own key.',
    obj({
      scans: list(obj({
        kind: { type: 'string', enum: [...SCAN_KINDS] },
        gtin, lot, serial, sscc, quantity, location, time: dateTime,
      }, ['kind', 'location']), LIMITS.scansPerTx),
    }, ['scans'])),
  PlaceHold: schema('PlaceHold', 'A regulator puts a lot on hold.', obj({ gtin, lot, reason: text() }, ['gtin', 'lot', 'reason'])),
  ReleaseHold: schema('ReleaseHold', 'A regulator releases a hold.', obj({ gtin, lot, reason: text() }, ['gtin', 'lot', 'reason'])),
  IssueRecall: schema('IssueRecall', 'A regulator, or the producer of every named lot, recalls lots; the recall propagates downstream.',
    obj({
      recallId: id, lots: { ...list(lotRef, LIMITS.recallLots), uniqueItems: true }, reason: text(LIMITS.longText),
      class: { type: 'string', enum: ['I', 'II', 'III'] }, budget: { type: 'integer', minimum: 1, maximum: LIMITS.recallBudget },
    }, ['recallId', 'lots', 'reason', 'class'])),
  RecordInspection: schema('RecordInspection', 'A regulator records an inspection of a participant\'s site and what it found; non-compliance needs its findings.',
    obj({
      inspectionId: id, participant: id, inspectedAt: dateTime,
      outcome: { type: 'string', enum: [...INSPECTION_OUTCOMES] }, findings: text(LIMITS.longText),
      report: obj({ sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' }, uri: { type: 'string', format: 'uri', maxLength: 1024 } }, ['sha256', 'uri']),
    }, ['inspectionId', 'participant', 'inspectedAt', 'outcome'])),
  RecordDisposal: schema('RecordDisposal', 'The holder destroys, or otherwise disposes of, a quantity of a lot (recalled stock withdrawn and destroyed, a held lot, spoiled food): it leaves the holding for good; the labelled items among it (serials), if named, may never be sold or packed again.',
    obj({ disposalId: id, gtin, lot, quantity, method: { type: 'string', enum: [...DISPOSAL_METHODS] }, reason: text(), location, serials: { ...list(serial, LIMITS.serialsPerTx), uniqueItems: true } },
      ['disposalId', 'gtin', 'lot', 'quantity', 'method', 'reason', 'location'])),
  ContinueRecall: schema('ContinueRecall', 'Continues a recall\'s propagation from its cursor.',
    obj({ recallId: id, budget: { type: 'integer', minimum: 1, maximum: LIMITS.recallBudget } }, ['recallId'])),
  // reads
  GetCaller: schema('GetCaller', 'The participant the caller acts for.', obj({}, [])),
  GetParticipant: schema('GetParticipant', 'A participant.', obj({ id }, ['id'])),
  GetProduct: schema('GetProduct', 'A product.', obj({ gtin }, ['gtin'])),
  GetLot: schema('GetLot', 'A lot: status, remaining quantity per holder, what each holder has packed, tests, warnings.', obj({ gtin, lot }, ['gtin', 'lot'])),
  GetItem: schema('GetItem', 'An item: its lot, and its state once scanned.', obj({ gtin, serial }, ['gtin', 'serial'])),
  GetContainer: schema('GetContainer', 'A case or pallet and its contents.', obj({ sscc }, ['sscc'])),
  GetShipment: schema('GetShipment', 'A shipment.', obj({ shipmentId: id }, ['shipmentId'])),
  GetRecall: schema('GetRecall', 'A recall and its progress.', obj({ recallId: id }, ['recallId'])),
  GetInspection: schema('GetInspection', 'An inspection with its findings (regulators, and the participant inspected).', obj({ inspectionId: id }, ['inspectionId'])),
  GetLotHistory: schema('GetLotHistory', 'The EPCIS events of a lot, in order (paginated).', obj({ gtin, lot, ...page }, ['gtin', 'lot'])),
  GetLotLineage: schema('GetLotLineage', 'The direct inputs and outputs of a lot.', obj({ gtin, lot }, ['gtin', 'lot'])),
  TraceBack: schema('TraceBack', 'Every lot a lot (or an item\'s lot, or every lot in an SSCC) was made from, breadth first, bounded and paginated.', trace),
  TraceForward: schema('TraceForward', 'Every lot made from a lot (or an item\'s lot, or every lot in an SSCC), breadth first, bounded and paginated.', trace),
  ListWarnings: schema('ListWarnings', 'Material-balance warnings (regulators only), paginated.', obj({ ...page }, [])),
  GetEpcisEvent: schema('GetEpcisEvent', 'One recorded EPCIS event by its eventID.',
    obj({ eventID: { type: 'string', pattern: '^urn:uuid:[0-9a-f-]{36}$' } }, ['eventID'])),
} as const satisfies Record<string, JsonSchema>;

/** Every transaction name. */
export type TransactionName = keyof typeof SCHEMAS;

// ---- TypeScript types of the inputs --------------------------------------------------------
interface LocationInput { gln: string; name?: string }
interface LotRefInput { gtin: string; lot: string }
interface LotQuantityInput extends LotRefInput { quantity: number }
interface PageInput { pageSize?: number; bookmark?: string }

/** Inputs of every transaction, by name. */
export interface TransactionInputs {
  Init: { regulator: ParticipantInput };
  RegisterParticipant: ParticipantInput;
  SuspendParticipant: { id: string; reason: string };
  ReinstateParticipant: { id: string; reason: string };
  AddIdentity: { participant: string; identity: { mspId: string; id: string } };
  RemoveIdentity: { participant: string; identity: { mspId: string; id: string } };
  RegisterProduct: { gtin: string; name: string; category: string; unit: UnitCode; requiresTest: boolean; yield?: { min: number; max: number }; netQuantity?: number };
  CreateLot: {
    gtin: string; lot: string; quantity: number; unit: UnitCode; productionDate: string; expiryDate?: string;
    origin: LocationInput & { country?: string; region?: string };
  };
  CommissionItems: { gtin: string; lot: string; ranges?: { prefix?: string; from: number; to: number; width?: number }[]; serials?: string[] };
  RecordTest: {
    testId: string; gtin: string; lot: string; method: string; standard?: string; sampledAt: string;
    analytes: { name: string; value: number; unit: string; limit: number; limitType?: 'max' | 'min'; measurementType?: string; substance?: string }[];
    verdict: 'pass' | 'fail'; report: { sha256: string; uri: string };
  };
  TransformLots: {
    transformationId: string; inputs: LotQuantityInput[];
    output: { gtin: string; lot: string; quantity: number; productionDate: string; expiryDate?: string };
    location: LocationInput;
  };
  Aggregate: { sscc: string; items?: { gtin: string; serial: string }[]; lots?: LotQuantityInput[]; containers?: string[]; location: LocationInput };
  Disaggregate: { sscc: string; items?: { gtin: string; serial: string }[]; lots?: LotRefInput[]; containers?: string[]; location: LocationInput };
  Ship: { shipmentId: string; to: string; lines: LotQuantityInput[]; containers?: string[]; origin: LocationInput; destination?: LocationInput; purpose?: 'return' };
  Receive: { shipmentId: string; lines?: LotQuantityInput[]; location: LocationInput };
  RecordScans: { scans: ScanInput[] };
  PlaceHold: LotRefInput & { reason: string };
  ReleaseHold: LotRefInput & { reason: string };
  IssueRecall: { recallId: string; lots: LotRefInput[]; reason: string; class: RecallClass; budget?: number };
  ContinueRecall: { recallId: string; budget?: number };
  RecordInspection: { inspectionId: string; participant: string; inspectedAt: string; outcome: InspectionOutcome; findings?: string; report?: { sha256: string; uri: string } };
  RecordDisposal: LotQuantityInput & { disposalId: string; method: DisposalMethod; reason: string; location: LocationInput; serials?: string[] };
  GetCaller: Record<string, never>;
  GetParticipant: { id: string };
  GetProduct: { gtin: string };
  GetLot: LotRefInput;
  GetItem: { gtin: string; serial: string };
  GetContainer: { sscc: string };
  GetShipment: { shipmentId: string };
  GetRecall: { recallId: string };
  GetInspection: { inspectionId: string };
  GetLotHistory: LotRefInput & PageInput;
  GetLotLineage: LotRefInput;
  TraceBack: TraceInput;
  TraceForward: TraceInput;
  ListWarnings: PageInput;
  GetEpcisEvent: { eventID: string };
}

/** Input of RegisterParticipant (and of Init's regulator). */
export interface ParticipantInput {
  id: string; name: string; role: Role; licence: string; gln: string;
  identities: { mspId: string; id: string }[];
}

/** One scan: give `gtin`+`serial` (item), `gtin`+`lot` (lot) or `sscc` (logistic unit). */
export interface ScanInput {
  kind: ScanKind; gtin?: string; lot?: string; serial?: string; sscc?: string;
  /**
   * For a sale scan of a lot code: how much was sold, in the lot's unit. For a sale scan of
   * an item of a lot counted in mass or volume whose product declares no net quantity: the
   * item's net quantity (required then; if the product declares one, it must equal it).
   */
  quantity?: number;
  location: LocationInput;
  /** When the scanner read it; the transaction time if absent. */
  time?: string;
}

/** Input of a bounded trace: from a lot (`gtin`+`lot`), an item (`gtin`+`serial`) or an SSCC. */
export interface TraceInput extends PageInput { gtin?: string; lot?: string; serial?: string; sscc?: string; maxDepth?: number; maxLots?: number }
