/**
 * The `/epcis/queries` routes: named queries (listed, paged; removed by their owner with their
 * subscriptions), their events, and streaming or scheduled subscriptions whose deliveries are
 * signed (epcis-subscriptions.ts), in JSON-LD or, to a subscriber whose Accept prefers XML, in the
 * XML binding; a subscription's owner reads it back with its delivery counts and last delivery
 * (`GET …/subscriptions[/{id}]`, only its own). Mounted by createEpcisRouter when it is given
 * subscriptions.
 */
import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { EpcisQueryPlan } from '../chaincode/epcis-match';
import { ZfcError } from '../chaincode/errors';
import type { Identity } from '../ledger-tools/ledger';
import { extensionPrefixes, parseEpcisQuery, type EpcFormat } from './epcis-query';
import { readJsonBody } from './epcis-http';
import type { EpcisRouterDeps } from './epcis-routes';
import { onlyParams, perPageOf, singleParam } from './epcis-resources';
import { QUERY_NAME, type EpcisSubscriptions, type SubscriptionRequest } from './epcis-subscriptions';
import { xmlFormAsked } from './epcis-xml-write';
import { forgedToken, linkNextPage, type PageTokens } from './page-tokens';

/** The owner of what a request creates (a named query, a subscription, a capture job): the gateway's participant, else the certificate's hash. */
export function ownerOf(ctx: Context, deps: EpcisRouterDeps, identity: Identity): string {
  if (deps.ownerOf) return deps.ownerOf(ctx);
  return `${identity.mspId}:${createHash('sha256').update(identity.certificate).digest('hex').slice(0, 32)}`;
}

function stringParams(value: unknown): Record<string, string | string[]> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ZfcError('INVALID_ARGUMENT', 'query must be an object of query parameters', { errors: [{ path: '/query', message: 'must be an object of query parameters' }] });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(value)) {
    const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    if (!ok) throw new ZfcError('INVALID_ARGUMENT', `query.${k} must be a string or a list of strings`, { errors: [{ path: `/query/${k}`, message: 'must be a string or a list of strings' }] });
    out[k] = v as string | string[];
  }
  if (['nextPageToken', 'perPage', 'orderBy', 'orderDirection', 'eventCountLimit', 'maxEventCount'].some((k) => k in out)) {
    throw new ZfcError('INVALID_ARGUMENT', 'a named query says which events, not how to page, order or limit them (ask its /events with those)', { errors: [{ path: '/query', message: 'must not hold perPage, nextPageToken, orderBy, orderDirection, eventCountLimit or maxEventCount' }] });
  }
  return out;
}

/** `/queries`: named queries, their events, and streaming subscriptions with signed deliveries. */
export function addQueryRoutes(
  router: Router,
  deps: EpcisRouterDeps,
  subs: EpcisSubscriptions,
  limit: number,
  answer: (ctx: Context, fixed?: Parameters<typeof parseEpcisQuery>[1]) => Promise<void>,
  nextLink: (ctx: Context, token: string) => string,
  pageTokens: PageTokens,
): void {
  router.get('/queries', async (ctx) => {
    await deps.identityOf(ctx);
    onlyParams(ctx, ['perPage', 'nextPageToken']);
    const token = singleParam(ctx, 'nextPageToken') ?? '';
    const after = token ? queriesPosition(pageTokens, token) : '';
    const page = subs.queriesPage(after, perPageOf(ctx));
    if (page.next) linkNextPage(ctx, nextLink, pageTokens.seal({ q: page.next }));
    ctx.body = page.queries.map((q) => ({ name: q.name, query: q.query, createdAt: q.createdAt }));
  });

  router.post('/queries', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    const body = (await readJsonBody(ctx, Math.min(limit, 1024 * 1024))) as { name?: unknown; query?: unknown } | null;
    const query = stringParams(body?.query);
    const { plan } = parseEpcisQuery(query, {}, extensionPrefixes(ctx.get('GS1-Extensions')));
    const q = await subs.define(String(body?.name ?? ''), plan, query, ownerOf(ctx, deps, identity));
    ctx.set('Location', `/epcis/queries/${encodeURIComponent(q.name)}`);
    ctx.status = 201;
    ctx.body = { name: q.name, query: q.query, createdAt: q.createdAt };
  });

  router.get('/queries/:name', async (ctx) => {
    await deps.identityOf(ctx);
    const q = subs.query(ctx.params['name'] ?? '');
    ctx.body = { name: q.name, query: q.query, createdAt: q.createdAt, subscriptions: subs.subscriptionsOf(q.name).length };
  });

  router.delete('/queries/:name', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    await subs.removeQuery(ctx.params['name'] ?? '', ownerOf(ctx, deps, identity));
    ctx.status = 204;
  });

  router.get('/queries/:name/events', async (ctx) => {
    await deps.identityOf(ctx);
    await answer(ctx, withoutPerPage(subs.query(ctx.params['name'] ?? '').plan));
  });

  router.post('/queries/:name/subscriptions', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    const body = await readJsonBody(ctx, 64 * 1024);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ZfcError('INVALID_ARGUMENT', 'a subscription is a JSON object', { errors: [{ path: '', message: 'must be an object' }] });
    // deliveries in XML for a subscriber whose Accept prefers it: the 201 itself stays JSON, the binding's one form for it
    // its EPCs as GS1-EPC-Format asked (read by the EPCIS router for every request)
    const form = { xml: xmlFormAsked(ctx.req), epc: ctx.state['epcFormat'] as EpcFormat | undefined };
    const sub = await subs.subscribe(ctx.params['name'] ?? '', body as SubscriptionRequest, ownerOf(ctx, deps, identity), form);
    ctx.set('Location', `/epcis/queries/${encodeURIComponent(sub.queryName)}/subscriptions/${sub.subscriptionID}`);
    ctx.status = 201;
    ctx.body = sub;
  });

  router.get('/queries/:name/subscriptions', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    const q = subs.query(ctx.params['name'] ?? '');
    ctx.body = { subscriptions: subs.subscriptionsOf(q.name, ownerOf(ctx, deps, identity)) };
  });

  router.get('/queries/:name/subscriptions/:id', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    ctx.body = subs.subscription(ctx.params['name'] ?? '', ctx.params['id'] ?? '', ownerOf(ctx, deps, identity));
  });

  router.delete('/queries/:name/subscriptions/:id', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    await subs.unsubscribe(ctx.params['id'] ?? '', ownerOf(ctx, deps, identity));
    ctx.status = 204;
  });
}

/** A named query's conditions, leaving paging to the request. */
function withoutPerPage(plan: EpcisQueryPlan): Partial<EpcisQueryPlan> {
  const copy: Record<string, unknown> = { ...plan };
  delete copy['perPage'];
  return copy as Partial<EpcisQueryPlan>;
}

/**
 * The name a `/queries` page token says to go on after: sealed (page-tokens.ts), or the plain
 * form earlier versions issued (the name, base64url).
 */
function queriesPosition(pageTokens: PageTokens, token: string): string {
  const sealed = pageTokens.open(token);
  if (sealed !== undefined) {
    const name = sealed['q'];
    if (typeof name !== 'string' || !QUERY_NAME.test(name)) throw forgedToken();
    return name;
  }
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (!QUERY_NAME.test(name)) throw forgedToken();
  return name;
}
