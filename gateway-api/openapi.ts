/**
 * The OpenAPI 3.1 document of the gateway, generated from the write-route table and the
 * contract's own JSON Schemas (the ones the chaincode validates with), plus a readable HTML
 * page of the same content that needs no script or CDN.
 */
import { ERROR_CATALOGUE } from '../chaincode/errors';
import { ID_PATTERN, SCHEMAS } from '../chaincode/schemas';
import { MAX_KEY_LABEL } from './routes-keys';
import { epcisOpenApi } from './epcis-openapi';
import { WRITE_ROUTES } from './routes-write';

interface ReadRoute {
  readonly path: string;
  readonly summary: string;
  readonly params: readonly string[];
  readonly auth: boolean;
  /** The component schema of a 200 answer, when documented. */
  readonly answer?: string;
}

/** Every read and operations route, as documented. */
export const READ_ROUTES: readonly ReadRoute[] = [
  { path: '/v1/lots', summary: 'Search lots by product (GTIN), producer, holder, status; paginated with limit and cursor.', params: ['product', 'producer', 'holder', 'status', 'limit', 'cursor'], auth: true },
  { path: '/v1/lots/{gtin}/{lot}', summary: 'A lot: status, holders and holdings, lineage, tests, warnings.', params: [], auth: true },
  { path: '/v1/lots/{gtin}/{lot}/labels.pdf', summary: 'A PDF label sheet of the lot\'s commissioned items (QR code, product name in Chinese and English, lot, serial, expiry); offset and limit page through large lots (producer, holders, regulators; needs the QR service, as `zfc start` mounts it).', params: ['offset', 'limit'], auth: true },
  { path: '/v1/lots/{gtin}/{lot}/history', summary: 'The lot\'s events in ledger order.', params: [], auth: true },
  { path: '/v1/trace/back', summary: 'Every input lot back to the origins, with producers, tests and custody hops. Start from code (Digital Link, element string, EPC URN), gtin+lot, gtin+serial or sscc; format=json|csv|dot|epcis (EPCIS: its EPCs as the GS1-EPC-Format header asks, as on /epcis).', params: ['code', 'gtin', 'lot', 'serial', 'sscc', 'format'], auth: true, answer: 'TraceGraph' },
  { path: '/v1/trace/forward', summary: 'Every downstream lot and holder with quantities and sales; same parameters as trace back.', params: ['code', 'gtin', 'lot', 'serial', 'sscc', 'format'], auth: true, answer: 'TraceGraph' },
  { path: '/v1/participants', summary: 'The network\'s directory, by ID: every participant\'s name, role, GLN, status (active or suspended) and its site\'s latest inspection outcome; role, status; paginated with limit (1-500, default 50) and cursor.', params: ['role', 'status', 'limit', 'cursor'], auth: true },
  { path: '/v1/participants/{id}', summary: 'A participant as the contract records it: role, licence, GLN, status and the identities it acts through.', params: [], auth: true },
  { path: '/v1/products', summary: 'The registered products, by GTIN: name, unit and the participant that registered it (owner); paginated with limit (1-500, default 50) and cursor.', params: ['owner', 'limit', 'cursor'], auth: true },
  { path: '/v1/products/{gtin}', summary: 'A product as the contract records it: name, category, unit, owner, whether its lots need a passing test to ship, its declared yield.', params: [], auth: true },
  { path: '/v1/holdings', summary: 'Stock: what each participant holds now (quantity above zero), by lot, with the lot\'s status (status=recalled: the recalled stock still held, and where); a participant\'s own, or (regulators) anyone\'s with participant, or everyone\'s; paginated with limit (1-500, default 50) and cursor.', params: ['participant', 'status', 'limit', 'cursor'], auth: true },
  { path: '/v1/keys', summary: 'API keys (never the keys themselves): the caller\'s participant\'s, or (regulators) anyone\'s with participant, or all; `current` marks the key of this request.', params: ['participant'], auth: true },
  { path: '/v1/shipments', summary: 'Shipments in the order shipped, oldest first: a participant\'s own (direction=incoming|outgoing; status=in_transit lists what waits to be received), a regulator\'s of anyone (participant) or of all; status=in_transit|received; paginated with limit (1-500, default 50) and cursor.', params: ['participant', 'direction', 'status', 'limit', 'cursor'], auth: true },
  { path: '/v1/shipments/{id}', summary: 'A shipment: lines shipped, lines received, in transit or received.', params: [], auth: true },
  { path: '/v1/recalls', summary: 'The recalls, newest first: each with the lots it named and how many it reached (affectedCount; the lots at /v1/recalls/{id}); status=propagating|complete; paginated with limit (1-500, default 50) and cursor. The public notices are at /recalls.', params: ['status', 'limit', 'cursor'], auth: true },
  { path: '/recalls', summary: 'The public recall notices (no key): a page in Chinese or English, or `{ recalls }` for Accept: application/json; newest first, each with the products and lots it reached.', params: ['lang'], auth: false },
  { path: '/v1/recalls/{id}', summary: 'A recall, the lots it reached, and what became of them (progress): for each lot, what was made, sold to consumers, destroyed or disposed of (POST /v1/disposals), used to make other lots, still held and by whom, and on its way, a page of lots at a time (limit 1-500, default 50; cursor: the progress\'s next; affected: the same page\'s lots, affectedCount: all of them); closedOut once nothing of any of them is held or in transit. format=csv: every lot at once as a spreadsheet, a row per lot and participant still holding some (with its GLN, holding and latest inspection), limit and cursor not taken.', params: ['limit', 'cursor', 'format'], auth: true },
  { path: '/', summary: 'The public home page (no key): a form that finds a package\'s page from the numbers printed on it or a pasted code, the latest recalls, and where companies and programs go next; `{ name, links }` for Accept: application/json.', params: ['lang'], auth: false },
  { path: '/lookup', summary: 'The home page\'s form (no key): 303 to the page of a code (Digital Link on any domain, element string, EPC URN) or of a barcode number (GTIN-8/12/13/14) with its lot or serial; 400 with the form given back and what was wrong, or a typed error for Accept: application/json.', params: ['code', 'gtin', 'lot', 'serial', 'lang'], auth: false },
  { path: '/v1/warnings', summary: 'Material-balance warnings, failed tests, untested lots shipped, possible cloned codes, items recorded destroyed yet scanned since (regulators).', params: [], auth: true },
  { path: '/v1/inspections/plan', summary: 'Which sites to inspect first, and why (regulators): every participant scored from failed tests, recalls it originated, material-balance warnings, recalled or held stock it still holds, untested lots it shipped, receipts overdue by overdueDays (default 7) at asOf (default now) and the findings of its latest inspection, counting only what happened since that inspection; each signal with its count and evidence; since (a last round of inspections) leaves out the events recorded before it at every site, not the stock, shipments and inspection outcomes of now; limit (1-500, default 50); format=json|csv.', params: ['limit', 'overdueDays', 'asOf', 'since', 'format'], auth: true },
  { path: '/v1/inspections/{inspectionId}', summary: 'An inspection with its findings, as the contract answers (regulators, and the participant inspected; to anyone else it is not found).', params: [], auth: true },
  { path: '/v1/ledger/blocks/{n}', summary: 'A block of the ledger (regulators: a block holds every participant\'s transactions).', params: [], auth: true },
  { path: '/v1/ledger/tx/{txId}', summary: 'A transaction with its Merkle inclusion proof (regulators, and the participant that submitted it).', params: [], auth: true },
  { path: '/healthz', summary: 'The process is up.', params: [], auth: false },
  { path: '/readyz', summary: 'The ledger is reachable and the trace index has caught up.', params: [], auth: false },
  { path: '/metrics', summary: 'Prometheus metrics.', params: [], auth: false },
  { path: '/openapi.json', summary: 'This document.', params: [], auth: false },
];

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: { code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) }, message: { type: 'string' }, details: { type: 'object' } },
    },
    // on /epcis routes the body is also an RFC 7807 problem (application/problem+json) of the standard's exception type
    type: { type: 'string', description: 'On /epcis: the EPCIS exception, such as epcisException:QueryParameterException.' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
};

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

function pathParams(path: string): object[] {
  return [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
}

function componentSchema(schema: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...schema };
  delete rest['$schema'];
  delete rest['$id'];
  return rest;
}

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const lotRef = { type: 'object', required: ['gtin', 'lot'], properties: { gtin: str, lot: str } };
const objectOf = (properties: Record<string, unknown>): Record<string, unknown> => ({ type: 'object', required: Object.keys(properties), properties });

/** The JSON trace answer (TraceGraph in trace-model.ts). */
const TRACE_GRAPH_SCHEMA = objectOf({
  direction: { type: 'string', enum: ['back', 'forward'] },
  start: objectOf({ code: str, lots: { type: 'array', items: lotRef } }),
  lots: {
    type: 'array',
    items: objectOf({
      gtin: str, lot: str, product: str, kind: str, producer: str, producerName: str, quantity: num, unit: str, location: str,
      productionDate: str, expiry: str, status: str, txId: str, timestamp: str, depth: { type: 'integer' }, tests: { type: 'array' },
    }),
  },
  edges: { type: 'array', items: objectOf({ from: lotRef, to: lotRef, quantity: num, unit: str, txId: str, timestamp: str }) },
  hops: {
    type: 'array',
    items: objectOf({ lot: lotRef, kind: { type: 'string', enum: ['ship', 'receive', 'sale', 'dispose'] }, from: str, to: str, quantity: num, unit: str, shipmentId: str, location: str, txId: str, timestamp: str }),
  },
  holders: { type: 'array', items: objectOf({ lot: lotRef, participant: str, received: num, shipped: num, sold: num, sales: num, disposed: num, unit: str }) },
  participants: {
    type: 'array',
    items: { ...objectOf({ id: str, name: str, role: str, gln: str }), properties: { id: str, name: str, role: str, gln: str, inspection: objectOf({ outcome: str, inspectedAt: str }) }, additionalProperties: false },
  },
});

const errorResponse = { description: 'An error from the catalogue.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };

/** The OpenAPI 3.1 document. */
export function openApiDocument(baseUrl: string, version = '0.1.0'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of WRITE_ROUTES) {
    const p = openApiPath(r.path);
    paths[p] = {
      post: {
        operationId: r.tx,
        summary: r.summary,
        security: [{ apiKey: [] }],
        parameters: [...pathParams(p), { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${r.tx}` } } } },
        responses: { '201': { description: 'Committed: transaction ID, block number and the contract\'s result.' }, default: errorResponse },
      },
    };
  }
  for (const r of READ_ROUTES) {
    paths[r.path] = {
      ...(paths[r.path] ?? {}),
      get: {
        summary: r.summary,
        ...(r.auth ? { security: [{ apiKey: [] }] } : {}),
        parameters: [...pathParams(r.path), ...r.params.map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }))],
        responses: {
          '200': r.answer ? { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${r.answer}` } } } } : { description: 'OK' },
          default: errorResponse,
        },
      },
    };
  }
  // the home page's form answers with a redirect to the code's page (qr-service/home-page.ts)
  (paths['/lookup'] as { get: { responses: Record<string, unknown> } }).get.responses = { '303': { description: 'See Other: Location is the code\'s page on this deployment.' }, default: errorResponse };
  // API keys (routes-keys.ts): beside the ledger's write routes, as they write the gateway's own records
  paths['/v1/keys'] = {
    ...(paths['/v1/keys'] ?? {}),
    post: {
      operationId: 'CreateApiKey',
      summary: 'Issue an API key: to the caller\'s participant, or (regulators) to `participant`; the key is in the 201 answer once (a retry under the same Idempotency-Key gets it as null).',
      security: [{ apiKey: [] }],
      parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } }],
      requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateApiKey' } } } },
      responses: { '201': { description: 'The key record, `current`, and the key itself.' }, default: errorResponse },
    },
  };
  paths['/v1/keys/{id}/revocation'] = {
    post: {
      operationId: 'RevokeApiKey',
      summary: 'Revoke an API key at once: one of the caller\'s own (not its last active one), or (regulators) anyone\'s.',
      security: [{ apiKey: [] }],
      parameters: pathParams('/v1/keys/{id}/revocation'),
      responses: { '200': { description: 'The key record, with revokedAt.' }, default: errorResponse },
    },
  };
  const schemas: Record<string, unknown> = {
    Error: ERROR_SCHEMA,
    TraceGraph: TRACE_GRAPH_SCHEMA,
    CreateApiKey: { type: 'object', additionalProperties: false, properties: { label: { type: 'string', maxLength: MAX_KEY_LABEL }, participant: { type: 'string', pattern: ID_PATTERN } } },
  };
  for (const r of WRITE_ROUTES) schemas[r.tx] = componentSchema(SCHEMAS[r.tx]);
  const epcis = epcisOpenApi();
  Object.assign(paths, epcis.paths);
  Object.assign(schemas, epcis.schemas);
  return {
    openapi: '3.1.0',
    info: { title: 'Zhe Food Chain gateway', version, description: 'Every role of the food traceability ledger over HTTP. Errors are `{ "error": { "code", "message", "details" } }`.' },
    servers: [{ url: baseUrl }],
    paths,
    components: { schemas, securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer zfc_…`' } } },
  };
}

/** A readable HTML page of the same routes and schemas. */
export function docsPage(baseUrl: string): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const writes = WRITE_ROUTES.map(
    (r) => `<section><h3><code>POST ${esc(openApiPath(r.path))}</code></h3><p>${esc(r.summary)} <small>(transaction <code>${r.tx}</code>)</small></p><details><summary>request schema</summary><pre>${esc(JSON.stringify(componentSchema(SCHEMAS[r.tx]), null, 2))}</pre></details></section>`,
  ).join('\n');
  const reads = READ_ROUTES.map((r) => `<section><h3><code>GET ${esc(r.path)}</code></h3><p>${esc(r.summary)}${r.params.length ? ` Parameters: ${r.params.map((p) => `<code>${p}</code>`).join(', ')}.` : ''}${r.auth ? '' : ' No key needed.'}</p></section>`).join('\n');
  const errors = Object.entries(ERROR_CATALOGUE).map(([code, e]) => `<tr><td><code>${code}</code></td><td>${e.status}</td><td>${esc(e.message)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Zhe Food Chain API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code,pre{background:#f4f4f4}pre{padding:.5rem;overflow:auto}section{border-top:1px solid #ddd}td{padding:0 .5rem}</style></head><body>
<h1>Zhe Food Chain gateway API</h1><p>Base URL <code>${esc(baseUrl)}</code>. Send <code>Authorization: Bearer zfc_…</code> and, on writes, an <code>Idempotency-Key</code>. Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Writes</h2>${writes}<h2>Reads and operations</h2>${reads}<h2>Errors</h2><table><tr><th>code</th><th>status</th><th>meaning</th></tr>${errors}</table></body></html>`;
}
