/**
 * A participant's scanner or till reads the code on a package and POSTs to the URL in it
 * (`/01/{gtin}/10/{lot}/21/{serial}`, `/01/{gtin}/10/{lot}`, `/00/{sscc}`) with its API key:
 * that records one scan on the ledger through RecordScans — the same transaction, checks,
 * idempotency and answers as `POST /v1/scans`. A sale or dispatch of a recalled or held item
 * is refused by the contract (409 LOT_RECALLED / LOT_ON_HOLD), so a till can block the sale.
 * Anonymous GETs of the same URL stay with the resolver (consumer page, linkset).
 *
 * Body (optional, JSON): `{ kind?, location?, quantity?, time? }`; the kind may be given as
 * `?kind=` instead; the location defaults to the caller's own GLN as the index knows it. The
 * code's own query (`?17=` expiry) is ignored: the item is named by the path.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { normaliseBaseUrl, parseIdentifier } from '../chaincode/digital-link';
import type { Caller } from './api-keys';
import { readJson } from './json-body';
import { answerWrite, WRITE_ROUTES, type WriteDeps, type WriteRoute } from './routes-write';

/** What the package-scan route needs beyond the write routes'. */
export interface PackageScanDeps extends WriteDeps {
  /** The deployment's public base URL, which the codes carry. */
  readonly baseUrl: string;
}

const SCANS = WRITE_ROUTES.find((r) => r.tx === 'RecordScans') as WriteRoute;

/** Adds `POST /01/…` and `POST /00/…` (under the base URL's path) to an authenticated router. */
export function addPackageScanRoutes(router: Router, deps: PackageScanDeps): void {
  const base = normaliseBaseUrl(deps.baseUrl);
  const prefix = new URL(base).pathname.replace(/\/+$/, '');
  const handler = async (ctx: Context): Promise<void> => {
    const body = await readJson(ctx, deps.bodyLimitBytes);
    const scan = scanOf(ctx, deps, `${base}${ctx.path.slice(prefix.length)}`, body === undefined ? {} : body);
    await answerWrite(ctx, deps, SCANS, { scans: [scan] });
  };
  router.post(`${prefix}/01/*rest`, handler);
  router.post(`${prefix}/00/*rest`, handler);
}

function scanOf(ctx: Context, deps: PackageScanDeps, url: string, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ZfcError('INVALID_ARGUMENT', 'the body must be a JSON object', { field: '/' });
  const b = body as Record<string, unknown>;
  const id = parseIdentifier(url);
  if (Array.isArray(ctx.query['kind'])) throw new ZfcError('INVALID_ARGUMENT', 'kind must be given once', { field: 'kind' });
  const kind = typeof ctx.query['kind'] === 'string' ? ctx.query['kind'] : b['kind'];
  if (kind === undefined) throw new ZfcError('INVALID_ARGUMENT', 'a scan kind is required (?kind= or "kind" in the body)', { field: '/kind' });
  if (ctx.query['kind'] !== undefined && b['kind'] !== undefined && b['kind'] !== kind) {
    throw new ZfcError('INVALID_ARGUMENT', 'kind in the body differs from ?kind=', { field: '/kind' });
  }
  const what = id.kind === 'item' ? { gtin: id.gtin, serial: id.serial }
    : id.kind === 'lot' ? { gtin: id.gtin, lot: id.lot }
    : id.kind === 'sscc' ? { sscc: id.sscc }
    : undefined;
  if (what === undefined) throw new ZfcError('INVALID_ARGUMENT', `a ${id.kind} code cannot be scanned here: give an item, a lot or an SSCC`, { field: 'path' });
  const location = b['location'] ?? ownLocation(ctx, deps);
  return { ...b, kind, ...what, location };
}

function ownLocation(ctx: Context, deps: PackageScanDeps): { gln: string } {
  const caller = ctx.state['caller'] as Caller;
  const gln = deps.index.participant(caller.participant).gln;
  if (!gln) throw new ZfcError('INVALID_ARGUMENT', 'location is required: the caller has no GLN on record', { field: '/location' });
  return { gln };
}
