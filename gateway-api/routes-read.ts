/**
 * The read routes: lots, histories, traces, recalls, warnings and the inspection plan from the
 * trace index, and blocks and transactions (with inclusion proofs) from the ledger when it can
 * show them.
 *
 * Query parameters are checked as strictly as bodies: a repeated parameter, a GTIN with a bad
 * check digit or a lot code outside GS1's character set is a 400, never a lookup.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { isGtin14, isLotCode, isSerial, isSscc } from '../chaincode/gs1';
import { ID_PATTERN } from '../chaincode/schemas';
import { ROLES } from '../chaincode/records';
import { parseIdentifier } from '../chaincode/digital-link';
import type { TransactionRecord } from '../ledger-tools/block';
import { certificateHash } from '../ledger-tools/embedded-ledger';
import type { Identity, Ledger } from '../ledger-tools/ledger';
import type { Caller } from './api-keys';
import { traceStartOf, type TraceStart } from './trace-graph';
import type { TraceIndex } from './trace-index';
import { traceCsv } from './trace-csv';
import { recallCsv } from './recall-csv';
import { inspectionPlanCsv } from './inspection-plan';
import { utcInstantOf } from './rfc3339';
import { decodePayload } from './routes-write';
import { traceDot } from './trace-dot';
import { epcFormatOf } from './epcis-query';
import type { TraceEpcisExport } from './trace-epcis';

/** Blocks and transactions with proofs, for ledgers that keep them (capability `blocks`). */
export interface LedgerInspector {
  block(n: number): Promise<unknown>;
  /** The transaction with its block and inclusion proof; `transaction.creator` says who submitted it. */
  transaction(txId: string): Promise<{ readonly transaction: Pick<TransactionRecord, 'creator'> }>;
}

/** What the read routes need. */
export interface ReadDeps {
  readonly index: TraceIndex;
  /** The contract's own reads, as the caller (an inspection's findings). */
  readonly ledger?: Ledger;
  readonly inspector?: LedgerInspector;
  /** `format=epcis`: the trace's EPCIS events as an EPCISQueryDocument, its EPCs as `GS1-EPC-Format` asks. */
  readonly epcisExport?: TraceEpcisExport;
}

/** Adds every read route to an authenticated router. */
export function addReadRoutes(router: Router, deps: ReadDeps): void {
  const { index } = deps;
  router.get('/v1/lots', (ctx) => {
    const q = query(ctx, ['product', 'producer', 'holder', 'status', 'limit', 'cursor']);
    if (q['product'] !== undefined && !isGtin14(q['product'])) throw bad('product', 'must be a GTIN-14');
    if (q['status'] !== undefined && !LOT_STATUSES.includes(q['status'])) throw bad('status', `must be ${LOT_STATUSES.join(', ')}`);
    ctx.body = index.searchLots({ ...definedOnly(q, ['product', 'producer', 'holder', 'status', 'cursor']), ...limitOf(q) });
  });
  router.get('/v1/lots/:gtin/:lot', (ctx) => {
    ctx.body = index.lot(lotParams(ctx));
  });
  router.get('/v1/lots/:gtin/:lot/history', async (ctx) => {
    ctx.body = { events: await index.history(lotParams(ctx)) };
  });
  router.get('/v1/trace/back', (ctx) => traceRoute(ctx, deps, 'back'));
  router.get('/v1/trace/forward', (ctx) => traceRoute(ctx, deps, 'forward'));
  router.get('/v1/shipments/:id', (ctx) => {
    ctx.body = index.shipment(String(ctx.params['id']));
  });
  router.get('/v1/recalls', (ctx) => {
    const q = query(ctx, ['status', 'limit', 'cursor']);
    if (q['status'] !== undefined && q['status'] !== 'propagating' && q['status'] !== 'complete') throw bad('status', 'must be propagating or complete');
    ctx.body = index.recalls({ ...definedOnly(q, ['status', 'cursor']), ...limitOf(q) });
  });
  router.get('/v1/recalls/:id', async (ctx) => {
    const q = query(ctx, ['limit', 'cursor', 'format']);
    const format = q['format'] ?? 'json';
    if (format !== 'json' && format !== 'csv') throw bad('format', 'must be json or csv');
    const id = String(ctx.params['id']);
    if (format === 'json') {
      ctx.body = index.recall(id, { ...definedOnly(q, ['cursor']), ...limitOf(q) });
      return;
    }
    for (const field of ['limit', 'cursor'] as const) if (q[field] !== undefined) throw bad(field, 'pages the JSON answer: the CSV has every lot the recall reached');
    ctx.body = await recallCsv(index, id);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="recall-${id.replace(/[^A-Za-z0-9._-]/g, '_')}.csv"`);
  });
  const isRegulator = (ctx: Context): boolean => callerIsRegulator(index, ctx);
  // the network's directory: who is on it, in what role, at which GLN, active or suspended; each record whole from the contract
  router.get('/v1/participants', (ctx) => {
    const q = query(ctx, ['role', 'status', 'limit', 'cursor']);
    if (q['role'] !== undefined && !(ROLES as readonly string[]).includes(q['role'])) throw bad('role', `must be ${ROLES.join(', ')}`);
    if (q['status'] !== undefined && q['status'] !== 'active' && q['status'] !== 'suspended') throw bad('status', 'must be active or suspended');
    ctx.body = index.participants({ ...definedOnly(q, ['role', 'status', 'cursor']), ...limitOf(q) });
  });
  router.get('/v1/participants/:id', async (ctx) => {
    const id = idParam(ctx, 'id');
    ctx.body = decodePayload(await contract(deps).evaluate('GetParticipant', [JSON.stringify({ id })], (ctx.state['caller'] as Caller).identity));
  });
  router.get('/v1/products', (ctx) => {
    const q = query(ctx, ['owner', 'limit', 'cursor']);
    ctx.body = index.products({ ...definedOnly(q, ['owner', 'cursor']), ...limitOf(q) });
  });
  router.get('/v1/products/:gtin', async (ctx) => {
    const gtin = String(ctx.params['gtin']);
    if (!isGtin14(gtin)) throw bad('gtin', 'must be a GTIN-14 with its check digit');
    ctx.body = decodePayload(await contract(deps).evaluate('GetProduct', [JSON.stringify({ gtin })], (ctx.state['caller'] as Caller).identity));
  });
  // stock: a participant's own (what of a recall is still on its shelves), or a regulator's of anyone or everyone
  router.get('/v1/holdings', (ctx) => {
    const q = query(ctx, ['participant', 'status', 'limit', 'cursor']);
    const participant = listedFor(index, ctx, q['participant'], 'stock');
    if (q['status'] !== undefined && !LOT_STATUSES.includes(q['status'])) throw bad('status', `must be ${LOT_STATUSES.join(', ')}`);
    ctx.body = index.holdings({ ...(participant !== undefined ? { participant } : {}), ...definedOnly(q, ['status', 'cursor']), ...limitOf(q) });
  });
  // a participant's own shipments (what is on its way to it, to receive), or a regulator's pick of anyone's
  router.get('/v1/shipments', (ctx) => {
    const q = query(ctx, ['participant', 'direction', 'status', 'limit', 'cursor']);
    const participant = listedFor(index, ctx, q['participant'], 'shipments');
    const direction = q['direction'];
    if (direction !== undefined && direction !== 'incoming' && direction !== 'outgoing') throw bad('direction', 'must be incoming or outgoing');
    if (direction !== undefined && participant === undefined) throw bad('direction', 'needs a participant: incoming to whom, outgoing from whom');
    const status = q['status'];
    if (status !== undefined && status !== 'in_transit' && status !== 'received') throw bad('status', 'must be in_transit or received');
    ctx.body = index.shipments({
      ...(participant !== undefined ? { participant } : {}),
      ...(direction !== undefined ? { direction } : {}),
      ...(status !== undefined ? { status } : {}),
      ...limitOf(q),
      ...(q['cursor'] !== undefined ? { cursor: q['cursor'] } : {}),
    });
  });
  router.get('/v1/warnings', (ctx) => {
    if (!isRegulator(ctx)) throw new ZfcError('FORBIDDEN', 'only regulators list warnings');
    ctx.body = { warnings: [...index.warnings(), ...index.untestedShipped(), ...index.cloneWarnings(), ...index.destroyedItemWarnings()] };
  });
  router.get('/v1/inspections/plan', (ctx) => {
    if (!isRegulator(ctx)) throw new ZfcError('FORBIDDEN', 'only regulators plan inspections');
    const q = query(ctx, ['limit', 'overdueDays', 'asOf', 'since', 'format']);
    const format = q['format'] ?? 'json';
    if (format !== 'json' && format !== 'csv') throw bad('format', 'must be json or csv');
    const limit = limitOf(q).limit ?? 50;
    const overdueDays = q['overdueDays'] === undefined ? 7 : Number(q['overdueDays']);
    if (!/^[0-9]{1,3}$/.test(q['overdueDays'] ?? '7') || overdueDays < 1 || overdueDays > 365) throw bad('overdueDays', 'must be a whole number of days, 1 to 365');
    const asOf = instant(q, 'asOf') ?? new Date().toISOString();
    const since = instant(q, 'since');
    const plan = index.inspectionPlan({ asOf, overdueDays, limit, ...(since !== undefined ? { since } : {}) });
    if (format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', 'attachment; filename="inspection-plan.csv"');
      ctx.body = inspectionPlanCsv(plan);
    } else {
      ctx.body = plan;
    }
  });
  // an inspection with its findings, as the contract answers the caller: a regulator, or the site inspected
  router.get('/v1/inspections/:inspectionId', async (ctx) => {
    const inspectionId = idParam(ctx, 'inspectionId');
    ctx.body = decodePayload(await contract(deps).evaluate('GetInspection', [JSON.stringify({ inspectionId })], (ctx.state['caller'] as Caller).identity));
  });
  // Blocks and transactions carry every write in full, captured EPCIS events included: a
  // participant reads only what it submitted itself, as the EPCIS access rule would let it.
  router.get('/v1/ledger/blocks/:n', async (ctx) => {
    const n = String(ctx.params['n']);
    if (!/^[0-9]{1,15}$/.test(n)) throw bad('n', 'must be a block number');
    if (!isRegulator(ctx)) throw new ZfcError('FORBIDDEN', 'only regulators read whole blocks, which hold every participant\'s transactions; read your own at /v1/ledger/tx/{txId}');
    ctx.body = await inspector(deps).block(Number(n));
  });
  router.get('/v1/ledger/tx/:txId', async (ctx) => {
    const txId = String(ctx.params['txId']);
    if (!/^[0-9a-f]{64}$/.test(txId)) throw bad('txId', 'must be a transaction ID (64 hex digits)');
    const found = await inspector(deps).transaction(txId);
    // another participant's transaction is not found, as if it did not exist (its existence is not the caller's to learn)
    if (!isRegulator(ctx) && !submittedBy(found.transaction.creator, (ctx.state['caller'] as Caller).identity)) throw new ZfcError('TX_NOT_FOUND', `no transaction ${txId}`, { txId });
    ctx.body = found;
  });
}

/** Whether a transaction's creator is this identity. */
function submittedBy(creator: TransactionRecord['creator'], identity: Identity): boolean {
  return creator.mspId === identity.mspId && creator.certificateHash === certificateHash(identity.certificate);
}

/** A lot's statuses, as searches filter by them. */
const LOT_STATUSES: readonly string[] = ['active', 'on_hold', 'recalled'];

const ID = new RegExp(ID_PATTERN);

/** A path parameter that must be an ID (a participant's, an inspection's). */
function idParam(ctx: Context, name: string): string {
  const id = String(ctx.params[name]);
  if (!ID.test(id)) throw bad(name, 'must be an ID (letters, digits, . _ : -; at most 64)');
  return id;
}

/** Whether the authenticated caller acts for a regulator. */
export function callerIsRegulator(index: TraceIndex, ctx: Context): boolean {
  return index.participant((ctx.state['caller'] as Caller).participant).role === 'regulator';
}

/**
 * Whose records a list shows: the caller's own; for a regulator, `asked`'s, or everyone's
 * (undefined) when it names no one. Anyone else naming another is refused (FORBIDDEN).
 */
export function listedFor(index: TraceIndex, ctx: Context, asked: string | undefined, what: string): string | undefined {
  const own = (ctx.state['caller'] as Caller).participant;
  if (asked === undefined || asked === own) return callerIsRegulator(index, ctx) && asked === undefined ? undefined : own;
  if (!callerIsRegulator(index, ctx)) throw new ZfcError('FORBIDDEN', `a participant lists its own ${what}; only regulators list another's`);
  return asked;
}

/** The ledger, to evaluate the contract's own reads as the caller. */
function contract(deps: ReadDeps): Ledger {
  if (!deps.ledger) throw new ZfcError('NOT_FOUND', 'this gateway does not read the contract');
  return deps.ledger;
}

/** A page size parameter (1-500), if given. */
function limitOf(q: Record<string, string | undefined>): { limit?: number } {
  if (q['limit'] === undefined) return {};
  if (!/^[0-9]{1,3}$/.test(q['limit']) || Number(q['limit']) < 1 || Number(q['limit']) > 500) throw bad('limit', 'must be 1 to 500');
  return { limit: Number(q['limit']) };
}

function inspector(deps: ReadDeps): LedgerInspector {
  if (!deps.inspector) throw new ZfcError('NOT_FOUND', 'this ledger does not serve blocks and proofs');
  return deps.inspector;
}

async function traceRoute(ctx: Context, deps: ReadDeps, direction: 'back' | 'forward'): Promise<void> {
  const q = query(ctx, ['code', 'gtin', 'lot', 'serial', 'sscc', 'format']);
  const format = q['format'] ?? 'json';
  const formats = ['json', 'csv', 'dot', ...(deps.epcisExport ? ['epcis'] : [])];
  if (!formats.includes(format)) throw bad('format', `must be ${formats.join(', ')}`);
  const { start, code } = traceStart(q);
  const graph = direction === 'back' ? deps.index.traceBack(start, code) : deps.index.traceForward(start, code);
  if (format === 'epcis' && deps.epcisExport) {
    const epcFormat = epcFormatOf(ctx.get('GS1-EPC-Format')); // as the EPCIS query interface writes EPCs
    ctx.body = await deps.epcisExport(graph, ctx.state['caller'] as Caller, epcFormat);
    ctx.type = 'application/ld+json';
    ctx.set('GS1-EPC-Format', epcFormat);
  } else if (format === 'csv') {
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="trace-${direction}.csv"`);
    ctx.body = traceCsv(graph);
  } else if (format === 'dot') {
    ctx.type = 'text/vnd.graphviz; charset=utf-8';
    ctx.body = traceDot(graph);
  } else {
    ctx.body = graph;
  }
}

/** Where a trace starts, from `code` (Digital Link, element string, EPC URN) or GS1 parts. */
export function traceStart(q: Record<string, string | undefined>): { start: TraceStart; code: string } {
  if (q['code'] !== undefined) return fromCode(q['code']);
  const { gtin, lot, serial, sscc } = q;
  if (sscc !== undefined) {
    if (!isSscc(sscc)) throw bad('sscc', 'must be an SSCC with a valid check digit');
    return { start: { sscc }, code: sscc };
  }
  if (gtin === undefined || !isGtin14(gtin)) throw bad('gtin', 'must be a GTIN-14 with a valid check digit (or give code or sscc)');
  if (lot !== undefined && !isLotCode(lot)) throw bad('lot', 'must be 1 to 20 characters of the GS1 set');
  if (serial !== undefined) {
    if (!isSerial(serial)) throw bad('serial', 'must be 1 to 20 characters of the GS1 set');
    return { start: { item: { gtin, serial, ...(lot !== undefined ? { lot } : {}) } }, code: `${gtin}/${serial}` };
  }
  if (lot === undefined) throw bad('lot', 'is required with gtin (or give serial)');
  return { start: { lot: { gtin, lot } }, code: `${gtin}/${lot}` };
}

function fromCode(code: string): { start: TraceStart; code: string } {
  const id = parseIdentifier(code);
  const start = traceStartOf(id);
  if (!start) throw bad('code', 'must name a lot, an item or an SSCC');
  return { start, code: id.canonical };
}

function lotParams(ctx: Context): { gtin: string; lot: string } {
  const gtin = String(ctx.params['gtin']);
  const lot = String(ctx.params['lot']);
  if (!isGtin14(gtin)) throw bad('gtin', 'must be a GTIN-14 with a valid check digit');
  if (!isLotCode(lot)) throw bad('lot', 'must be 1 to 20 characters of the GS1 set');
  return { gtin, lot };
}

/** The allowed query parameters as single strings; repeated or unknown ones are refused. */
function query(ctx: Context, allowed: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(ctx.query)) {
    if (!allowed.includes(k)) throw bad(k, `is not a parameter of this route (allowed: ${allowed.join(', ')})`);
    if (typeof v !== 'string') throw bad(k, 'must be given once');
    if (v.length > 2048) throw bad(k, 'is too long');
    out[k] = v;
  }
  return out;
}

/** A date-time parameter (RFC 3339) as UTC ISO text, if given. */
function instant(q: Record<string, string | undefined>, field: string): string | undefined {
  if (q[field] === undefined) return undefined;
  const t = utcInstantOf(q[field]);
  if (t === undefined) throw bad(field, 'must be an ISO 8601 date and time with a zone, such as 2026-03-01T00:00:00Z');
  return t;
}

function definedOnly(q: Record<string, string | undefined>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (q[k] !== undefined) out[k] = q[k] as string;
  return out;
}

function bad(field: string, message: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `${field} ${message}`, { field });
}
