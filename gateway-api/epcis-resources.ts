/**
 * The EPCIS 2.0 REST binding's top-level resources, for browsing what a repository knows:
 *
 * - `GET /epcis` — the resources this repository serves (capture, events, the ones below, and
 *   queries where subscriptions are on);
 * - `GET /epcis/eventTypes`, `/epcis/bizSteps`, `/epcis/dispositions` — the vocabularies this
 *   repository answers for (the event types; the CBV's business steps and dispositions);
 * - `GET /epcis/epcs`, `/epcis/readPoints`, `/epcis/bizLocations` — the identifiers the events
 *   name, canonical (GS1 Digital Link, or EPC URNs when `GS1-EPC-Format` asks), each named by an event the
 *   caller may read, in the order first recorded, paged with `perPage` and `nextPageToken`
 *   (`Link: <…>; rel="next"`);
 * - `GET /epcis/{resource}/{id}` — its sub-resources (`events`), and
 *   `GET /epcis/{resource}/{id}/events` — the events of that type, step, disposition, EPC, read
 *   point or business location, as an EPCISQueryDocument, narrowed by any other query parameter
 *   (`/epcis/epcs/{epc}/events` is the router's own).
 *
 * Every list is a JSON-LD `Collection` (`member`). An identifier or value in a path is read like
 * a query's: EPC URN or Digital Link on any domain, a CBV word in any form or a URI outside the
 * CBV; anything else is a 400 naming the path segment, and an unknown event type is a 404.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { canonicalIdentifier } from '../chaincode/epcis-identifiers';
import type { EpcisQueryPlan } from '../chaincode/epcis-match';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from '../chaincode/epcis-match';
import { CBV_BIZ_STEPS, CBV_DISPOSITIONS, EPCIS_EVENT_TYPES } from '../chaincode/epcis-schema';
import { ZfcError } from '../chaincode/errors';
import { isUri } from '../chaincode/epcis-formats';
import { BIZ_STEP, cbvValue, DISPOSITION, EPCIS_CONTEXT_URL, type EpcFormat, type Vocabulary } from './epcis-query';
import { answerPrefixes, type EventStore, type MemberKind } from './epcis-store';
import { linkNextPage } from './page-tokens';

/** What the resources need of the EPCIS router. */
export interface ResourceDeps {
  readonly store: EventStore;
  readonly identityOf: (ctx: Context) => unknown;
  readonly viewerOf?: (ctx: Context) => string | undefined;
  /** Answers a query (ctx's parameters) with the plan's fields in `fixed` set by the path. */
  readonly answer: (ctx: Context, fixed: Partial<EpcisQueryPlan>) => Promise<void>;
  /** The `Link` header of the next page. */
  readonly nextLink: (ctx: Context, token: string) => string;
  /** Whether named queries and subscriptions are served (`/queries`). */
  readonly queries?: boolean;
}

/** A JSON-LD Collection, as the standard's top-level resources answer. */
function collection(ctx: Context, member: readonly string[]): void {
  ctx.type = 'application/ld+json';
  ctx.body = { '@context': EPCIS_CONTEXT_URL, type: 'Collection', member };
}

function badPath(segment: string, message: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `${segment} ${message}`, { errors: [{ path: `/path/${segment}`, message }] });
}

/** Refuses query parameters a list does not take (a list of a vocabulary takes none). */
/** Refuses query parameters other than `allowed`. */
export function onlyParams(ctx: Context, allowed: readonly string[]): void {
  for (const name of Object.keys(ctx.query)) {
    if (!allowed.includes(name)) throw new ZfcError('INVALID_ARGUMENT', `query parameter ${name} is not taken here`, { errors: [{ path: `/query/${name}`, message: allowed.length > 0 ? `only ${allowed.join(', ')} are taken here` : 'this list takes no parameters' }] });
  }
}

/** Refuses a query parameter that says again what the path says. */
function notAlsoIn(ctx: Context, name: string): void {
  if (ctx.query[name] !== undefined) throw new ZfcError('INVALID_ARGUMENT', `query parameter ${name} is given by the path`, { errors: [{ path: `/query/${name}`, message: 'is given by the path' }] });
}

/** A query parameter given at most once. */
export function singleParam(ctx: Context, name: string): string | undefined {
  const v = ctx.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ZfcError('INVALID_ARGUMENT', `query parameter ${name} must be given once`, { errors: [{ path: `/query/${name}`, message: 'must be given once' }] });
  return v;
}

/** The perPage query parameter (a default when absent). */
export function perPageOf(ctx: Context): number {
  const text = singleParam(ctx, 'perPage');
  if (text === undefined) return DEFAULT_PER_PAGE;
  const n = Number(text);
  if (!/^\d{1,4}$/.test(text) || n < 1 || n > MAX_PER_PAGE) throw new ZfcError('INVALID_ARGUMENT', `query parameter perPage must be an integer from 1 to ${MAX_PER_PAGE}`, { errors: [{ path: '/query/perPage', message: `must be an integer from 1 to ${MAX_PER_PAGE}` }] });
  return n;
}

/** One identifier from a path, canonical: a GS1 identifier in any form, or another URI. */
function identifierIn(ctx: Context, segment: string): string {
  let canonical: string;
  try {
    canonical = canonicalIdentifier(String(ctx.params[segment] ?? ''), `/path/${segment}`);
  } catch (err) {
    if (err instanceof ZfcError) throw badPath(segment, `is not a well-formed identifier: ${err.text}`);
    throw err;
  }
  if (!isUri(canonical) || canonical.length > 2048) throw badPath(segment, 'is not an identifier (a URI of at most 2,048 characters)');
  return canonical;
}

/** An event type from a path; an unknown one is not a resource here. */
function eventTypeIn(ctx: Context): string {
  const type = String(ctx.params['eventType'] ?? '');
  if (!(EPCIS_EVENT_TYPES as readonly string[]).includes(type)) throw new ZfcError('NOT_FOUND', `no event type ${JSON.stringify(type.slice(0, 100))} (this repository holds ${EPCIS_EVENT_TYPES.join(', ')})`, { eventType: type.slice(0, 100) });
  return type;
}

function vocabularyValueIn(ctx: Context, segment: string, vocabulary: Vocabulary): string {
  const text = String(ctx.params[segment] ?? '');
  const value = cbvValue(vocabulary, text);
  if (value === undefined) throw badPath(segment, `is neither a CBV ${vocabulary.what} nor a URI outside the CBV`);
  return value;
}

/** A resource whose members are values of a path segment, and how each value narrows a query. */
interface Resource {
  readonly name: string;
  readonly segment: string;
  /** What its list holds (the OpenAPI document's summary). */
  readonly summary: string;
  /** The list: a fixed vocabulary, or the identifiers the store knows of this kind. */
  readonly list: readonly string[] | MemberKind;
  /** The value in the path, checked, and the query parameter it stands for. */
  readonly value: (ctx: Context) => string;
  readonly param: string;
  readonly narrow: (value: string) => Partial<EpcisQueryPlan>;
}

const RESOURCES: readonly Resource[] = [
  { name: 'eventTypes', segment: 'eventType', summary: 'The event types this repository holds.', list: EPCIS_EVENT_TYPES, value: eventTypeIn, param: 'eventType', narrow: (v) => ({ eventTypes: [v] }) },
  { name: 'bizSteps', segment: 'bizStep', summary: 'The CBV business steps (bare words).', list: CBV_BIZ_STEPS, value: (ctx) => vocabularyValueIn(ctx, 'bizStep', BIZ_STEP), param: 'EQ_bizStep', narrow: (v) => ({ bizSteps: [v] }) },
  { name: 'dispositions', segment: 'disposition', summary: 'The CBV dispositions (bare words).', list: CBV_DISPOSITIONS, value: (ctx) => vocabularyValueIn(ctx, 'disposition', DISPOSITION), param: 'EQ_disposition', narrow: (v) => ({ dispositions: [v] }) },
  { name: 'epcs', segment: 'epc', summary: 'The EPCs events name that the caller may read, canonical (Digital Link), in the order first recorded; paged (`Link` rel="next").', list: 'epcs', value: (ctx) => identifierIn(ctx, 'epc'), param: 'MATCH_anyEPC', narrow: (v) => ({ anyEpcs: [{ value: v, prefix: false }] }) },
  { name: 'readPoints', segment: 'readPoint', summary: 'The read points of events the caller may read, canonical; paged.', list: 'readPoints', value: (ctx) => identifierIn(ctx, 'readPoint'), param: 'EQ_readPoint', narrow: (v) => ({ readPoints: [v] }) },
  { name: 'bizLocations', segment: 'bizLocation', summary: 'The business locations of events the caller may read, canonical; paged.', list: 'bizLocations', value: (ctx) => identifierIn(ctx, 'bizLocation'), param: 'EQ_bizLocation', narrow: (v) => ({ bizLocations: [v] }) },
];

/**
 * The top-level resources the router serves, in the order `GET /epcis` lists them: each one's
 * name, path segment, summary, and whether its list is paged (identifiers) or fixed (a vocabulary).
 */
export const TOP_LEVEL_RESOURCES: ReadonlyArray<{ readonly name: string; readonly segment: string; readonly summary: string; readonly paged: boolean }> = RESOURCES.map((r) => ({
  name: r.name, segment: r.segment, summary: r.summary, paged: typeof r.list === 'string',
}));

/**
 * Adds the top-level resources to the EPCIS router (whose prefix is `/epcis`). The router
 * already serves `/epcs/{epc}/events`; every other path here is new.
 */
export function addTopLevelResources(router: Router, deps: ResourceDeps): void {
  // the root: what this repository serves (EPCIS 2.0 §12.4, discovery)
  router.get('/', async (ctx) => {
    await deps.identityOf(ctx);
    onlyParams(ctx, []);
    collection(ctx, ['capture', 'events', ...RESOURCES.map((r) => r.name), ...(deps.queries ? ['queries'] : [])]);
  });
  for (const r of RESOURCES) {
    router.get(`/${r.name}`, async (ctx) => {
      await deps.identityOf(ctx);
      if (typeof r.list !== 'string') {
        onlyParams(ctx, []);
        collection(ctx, r.list);
        return;
      }
      onlyParams(ctx, ['perPage', 'nextPageToken']);
      if (!deps.store.members) throw new ZfcError('NOT_IMPLEMENTED', `this deployment's event store does not list ${r.name}`);
      const page = await deps.store.members(r.list, singleParam(ctx, 'nextPageToken') ?? '', perPageOf(ctx), deps.viewerOf?.(ctx));
      linkNextPage(ctx, deps.nextLink, page);
      const prefixes = answerPrefixes(deps.store, ctx.state['epcFormat'] as EpcFormat);
      collection(ctx, prefixes ? page.members.map((m) => prefixes.urnOf(m)) : page.members);
    });
    router.get(`/${r.name}/:${r.segment}`, async (ctx) => {
      await deps.identityOf(ctx);
      onlyParams(ctx, []);
      r.value(ctx);
      collection(ctx, ['events']);
    });
    if (r.name === 'epcs') continue; // the router's own route
    router.get(`/${r.name}/:${r.segment}/events`, async (ctx) => {
      const value = r.value(ctx);
      notAlsoIn(ctx, r.param);
      await deps.answer(ctx, r.narrow(value));
    });
  }
}
