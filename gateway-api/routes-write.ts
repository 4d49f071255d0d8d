/**
 * The write routes: each is one contract transaction, submitted with the caller's identity.
 *
 * The route table is the single description of the write API: the OpenAPI document is built
 * from it and from the contract's schemas. The gateway checks the body against the same schema
 * the chaincode uses before submitting (so bad input costs no endorsement), waits until the
 * trace index has the transaction (so a read after a write sees it), and records the answer
 * under the caller's Idempotency-Key.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { x509IdOf } from '../chaincode/access';
import { SCHEMAS, type TransactionName } from '../chaincode/schemas';
import { validateValue } from '../chaincode/validate';
import type { Identity, Ledger } from '../ledger-tools/ledger';
import type { ApiKeys, Caller } from './api-keys';
import { fingerprint, type Answer, type IdempotencyStore } from './idempotency';
import { readJson } from './json-body';
import { submitRetrying } from './submit-retrying';
import type { TraceIndex } from './trace-index';
import type { Wallet } from './wallet';

/** Issues an identity for a new participant (embedded deployments); absent on Fabric. */
export interface IdentityIssuer {
  issue(participant: string, role: string): Promise<Identity>;
}

/** One write route. */
export interface WriteRoute {
  readonly path: string;
  readonly tx: TransactionName;
  readonly summary: string;
  /** Builds the transaction input from the body and path parameters. */
  readonly input?: (body: unknown, params: Readonly<Record<string, string>>) => unknown;
}

/** Every write route. */
export const WRITE_ROUTES: readonly WriteRoute[] = [
  { path: '/v1/participants', tx: 'RegisterParticipant', summary: 'Register a participant (regulator). Without `identities`, the gateway issues one and returns an API key for it.' },
  { path: '/v1/participants/:id/suspension', tx: 'SuspendParticipant', summary: 'Suspend a participant (regulator).', input: (b, p) => withParams(b, { id: p['id'] }) },
  { path: '/v1/participants/:id/identities', tx: 'AddIdentity', summary: 'Add an X.509 identity (`{ identity: { mspId, id } }`) to a participant (regulator).', input: (b, p) => withParams(b, { participant: p['id'] }) },
  { path: '/v1/participants/:id/identities/removal', tx: 'RemoveIdentity', summary: 'Remove one of a participant\'s identities (`{ identity: { mspId, id } }`); one must remain (regulator).', input: (b, p) => withParams(b, { participant: p['id'] }) },
  { path: '/v1/participants/:id/reinstatement', tx: 'ReinstateParticipant', summary: 'Reinstate a participant (regulator).', input: (b, p) => withParams(b, { id: p['id'] }) },
  { path: '/v1/products', tx: 'RegisterProduct', summary: 'Register a product (GTIN).' },
  { path: '/v1/lots', tx: 'CreateLot', summary: 'Commission a lot (producer).' },
  { path: '/v1/lots/:gtin/:lot/items', tx: 'CommissionItems', summary: 'Commission item serials under a lot.', input: (b, p) => withParams(b, { gtin: p['gtin'], lot: p['lot'] }) },
  { path: '/v1/tests', tx: 'RecordTest', summary: 'Record a test result (lab).' },
  { path: '/v1/transformations', tx: 'TransformLots', summary: 'Transform input lots into a new lot (processor).' },
  { path: '/v1/aggregations', tx: 'Aggregate', summary: 'Pack items, lots or cases into a case or pallet (SSCC).' },
  { path: '/v1/disaggregations', tx: 'Disaggregate', summary: 'Unpack a case or pallet.' },
  { path: '/v1/shipments', tx: 'Ship', summary: 'Ship quantities of lots to another participant.' },
  { path: '/v1/shipments/:id/receipt', tx: 'Receive', summary: 'Receive a shipment (in full or short).', input: (b, p) => withParams(b, { shipmentId: p['id'] }) },
  { path: '/v1/scans', tx: 'RecordScans', summary: 'Record one scan or many (an object, an array, or `{ scans: [...] }`).', input: scansInput },
  { path: '/v1/holds', tx: 'PlaceHold', summary: 'Put a lot on hold (regulator).' },
  { path: '/v1/holds/release', tx: 'ReleaseHold', summary: 'Release a hold (regulator).' },
  { path: '/v1/recalls', tx: 'IssueRecall', summary: 'Recall lots; the gateway continues the propagation until complete.' },
  { path: '/v1/inspections', tx: 'RecordInspection', summary: 'Record an inspection of a participant\'s site and what it found (regulator); the inspection plan then counts what happened there since.' },
  { path: '/v1/disposals', tx: 'RecordDisposal', summary: 'Record that the holder destroyed or disposed of a quantity of a lot it holds (recalled stock destroyed under supervision, a held lot, spoiled food): it leaves the holding for good, and the recall\'s progress counts it.' },
];

/** What the write routes need. */
export interface WriteDeps {
  readonly ledger: Ledger;
  readonly index: TraceIndex;
  readonly keys: ApiKeys;
  readonly wallet: Wallet;
  readonly idempotency: IdempotencyStore;
  readonly bodyLimitBytes: number;
  readonly issuer?: IdentityIssuer;
  readonly onSubmit?: (fn: string, outcome: string) => void;
}

/** Adds every write route to a router (which must already authenticate into ctx.state.caller). */
export function addWriteRoutes(router: Router, deps: WriteDeps): void {
  for (const route of WRITE_ROUTES) {
    router.post(route.path, async (ctx) => {
      await answerWrite(ctx, deps, route, await readJson(ctx, deps.bodyLimitBytes));
    });
  }
}

/**
 * Runs one write route for an authenticated request, under its Idempotency-Key, and answers
 * it (for routes that build the body themselves, such as a scan of a package URL).
 */
export async function answerWrite(ctx: Context, deps: WriteDeps, route: WriteRoute, body: unknown): Promise<void> {
  const caller = ctx.state['caller'] as Caller;
  const print = fingerprint('POST', ctx.path, body);
  const key = ctx.get('idempotency-key') || undefined;
  const answer = await deps.idempotency.run(caller.keyId, key, print, () => execute(deps, route, caller, body, ctx.params as Record<string, string>));
  if (answer.replayed) ctx.set('Idempotent-Replayed', 'true');
  ctx.status = answer.status;
  ctx.body = answer.body;
}

async function execute(deps: WriteDeps, route: WriteRoute, caller: Caller, body: unknown, params: Record<string, string>): Promise<Answer> {
  const raw = route.input ? route.input(body, params) : body;
  if (route.tx === 'RegisterParticipant') return registerParticipant(deps, caller, raw);
  const input = validateValue(route.tx, raw);
  const result = await submit(deps, route.tx, input, caller.identity);
  if (route.tx === 'IssueRecall') return { status: 201, body: await continueRecall(deps, caller, result) };
  return { status: 201, body: result };
}

/** Submits a transaction and waits until the trace index has applied it. */
async function submit(deps: WriteDeps, fn: TransactionName, input: unknown, identity: Identity): Promise<{ txId: string; blockNumber: number; result: unknown }> {
  const res = await submitRetrying(deps.ledger, fn, [JSON.stringify(input)], identity, (code) => deps.onSubmit?.(fn, code));
  deps.onSubmit?.(fn, 'ok');
  await deps.index.waitFor(res.txId, 5000);
  return { txId: res.txId, blockNumber: res.blockNumber, result: decodePayload(res.payload) };
}

async function registerParticipant(deps: WriteDeps, caller: Caller, raw: unknown): Promise<Answer> {
  const needsIdentity = isObject(raw) && !('identities' in raw);
  if (!needsIdentity) return { status: 201, body: await submit(deps, 'RegisterParticipant', validateValue('RegisterParticipant', raw), caller.identity) };
  if (!deps.issuer) throw new ZfcError('INVALID_ARGUMENT', 'identities are required on this ledger', { field: '/identities' });
  // Check everything else before issuing a certificate: a stand-in identity fills the one missing field.
  validateValue('RegisterParticipant', { ...raw, identities: [{ mspId: 'Placeholder', id: 'x509::/CN=placeholder::/CN=placeholder' }] });
  const id = String(raw['id']);
  const identity = await deps.issuer.issue(id, String(raw['role']));
  const input = validateValue('RegisterParticipant', { ...raw, identities: [{ mspId: identity.mspId, id: x509IdOf(identity.mspId, identity.certificate) }] });
  const result = await submit(deps, 'RegisterParticipant', input, caller.identity);
  await deps.wallet.put(id, identity);
  const created = await deps.keys.create({ participant: id, label: 'issued at registration' });
  // The key is shown once: a retry gets the same answer without it (keys are stored hashed only).
  return { status: 201, body: { ...result, apiKey: created.key, apiKeyId: created.id }, replay: { ...result, apiKey: null, apiKeyId: created.id } };
}

/** A recall larger than one transaction continues from its cursor until complete. */
async function continueRecall(deps: WriteDeps, caller: Caller, first: { txId: string; blockNumber: number; result: unknown }): Promise<unknown> {
  let last = first;
  const txIds = [first.txId];
  for (let i = 0; i < 10_000 && recallStatus(last.result) === 'propagating'; i++) {
    const recallId = recallIdOf(last.result);
    if (!recallId) break;
    last = await submit(deps, 'ContinueRecall', { recallId }, caller.identity);
    txIds.push(last.txId);
  }
  return { ...first, result: last.result, txIds };
}

function recallOf(result: unknown): Record<string, unknown> | undefined {
  if (!isObject(result)) return undefined;
  const body = isObject(result['body']) ? result['body'] : result;
  const r = body['recall'];
  return isObject(r) ? r : undefined;
}

function recallStatus(result: unknown): unknown {
  return recallOf(result)?.['status'];
}

function recallIdOf(result: unknown): string | undefined {
  const id = recallOf(result)?.['recallId'];
  return typeof id === 'string' ? id : undefined;
}

/** The chaincode's payload: JSON when it is JSON, else base64. */
export function decodePayload(payload: Uint8Array): unknown {
  const text = Buffer.from(payload).toString('utf8');
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { base64: Buffer.from(payload).toString('base64') };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges path parameters into the body; a body that names them differently is refused. */
function withParams(body: unknown, params: Record<string, string | undefined>): unknown {
  const b = body === undefined ? {} : body;
  if (!isObject(b)) return b;
  for (const [k, v] of Object.entries(params)) {
    if (k in b && b[k] !== v) throw new ZfcError('INVALID_ARGUMENT', `/${k} in the body differs from the path`, { field: `/${k}` });
  }
  return { ...b, ...params };
}

function scansInput(body: unknown): unknown {
  if (Array.isArray(body)) return { scans: body };
  if (isObject(body) && !('scans' in body)) return { scans: [body] };
  return body;
}

/** The request schema of a write route, as OpenAPI shows it. */
export function requestSchema(route: WriteRoute): Record<string, unknown> {
  return SCHEMAS[route.tx] as Record<string, unknown>;
}

