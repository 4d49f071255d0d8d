/**
 * The EPCIS 2.0 REST binding as a Koa router the gateway mounts:
 *
 * - `POST /epcis/capture` — an EPCISDocument; 202 with a capture job (`Location`), checked
 *   against the schema first (400 with field pointers; 413 beyond 10,000 events); 503
 *   CAPTURE_BUSY with Retry-After when the jobs waiting their turn hold as much as the gateway
 *   keeps (epcis-capture-jobs.ts); 507 CAPTURE_NO_ROOM, here and at `POST /epcis/events`, when
 *   the gateway's heap is full (heap-room.ts). Every route answers 503 EPCIS_NOT_READY while the
 *   store catches up after a start, and 503 EPCIS_STORE_FULL once it stopped for lack of heap.
 * - `GET /epcis/capture/{captureID}` — the job: running, success, each rejected event and why.
 * - `POST /epcis/events` — one event; 201 with `Location: /epcis/events/{eventID}`
 *   (200 when that eventID was already recorded).
 * - `GET /epcis/events` — the standard's query parameters; an EPCISQueryDocument, paged with
 *   `perPage` and `nextPageToken` (`Link: <…>; rel="next"`).
 * - `GET /epcis/events/{eventID}`, `GET /epcis/epcs/{epc}/events`.
 * - The top-level resources (epcis-resources.ts): `GET /epcis/{eventTypes|bizSteps|dispositions|
 *   epcs|readPoints|bizLocations}`, each `…/{value}` and `…/{value}/events`.
 * - With subscriptions: `GET|POST /epcis/queries` (named queries), `GET|DELETE /epcis/queries/{name}`,
 *   `GET /epcis/queries/{name}/events`, `POST /epcis/queries/{name}/subscriptions` (callback URL +
 *   signature token, streaming or scheduled; 201), `GET|DELETE /epcis/queries/{name}/subscriptions/{id}`.
 *
 * Authentication is the gateway's: `identityOf(ctx)` gives the ledger identity a request acts
 * as. Errors are thrown as ZfcErrors for the gateway's one error middleware to map.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { MAX_EVENTS_PER_DOCUMENT } from '../chaincode/epcis-schema';
import type { CaptureErrorBehaviour } from '../chaincode/epcis-capture';
import { MAX_PER_PAGE, type EpcisQueryPlan } from '../chaincode/epcis-match';
import { validateEpcisDocument, validateEpcisEnvelope, validateEpcisEvent, validateEpcisQueryDocument, type EpcisDocument } from '../chaincode/epcis-validate';
import type { EventPage } from '../chaincode/epcis-ledger';
import type { Identity } from '../ledger-tools/ledger';
import { CaptureJobs, jobJson, type CaptureJob, type CaptureWork } from './epcis-capture-jobs';
import { captureJobXml, queryDocumentXml, xmlFormAsked, xmlMediaTypeAsked, type XmlForm } from './epcis-xml-write';
import { answerAsEpcis, assertVersionSpoken, readEpcisBody } from './epcis-http';
import { EPCIS_CONTEXT_URL, epcFormatOf, extensionPrefixes, parseEpcisQuery, queryDocument, type EpcFormat, type EventOrder } from './epcis-query';
import type { CompanyPrefixes } from './company-prefixes';
import { answerPrefixes, type EventStore } from './epcis-store';
import { addQueryRoutes, ownerOf } from './epcis-query-routes';
import { forgedToken, linkNextPage, PageTokens } from './page-tokens';
import { addTopLevelResources, onlyParams, perPageOf, singleParam } from './epcis-resources';
import type { EpcisSubscriptions } from './epcis-subscriptions';

/** What the EPCIS routes need. */
export interface EpcisRouterDeps {
  readonly store: EventStore;
  /** The identity a request acts as; throws ZfcError UNAUTHENTICATED when there is none. */
  readonly identityOf: (ctx: Context) => Identity | Promise<Identity>;
  /** Capture jobs (a fresh in-memory list by default). */
  readonly jobs?: CaptureJobs;
  /** Named queries and subscriptions; without it those routes are absent. */
  readonly subscriptions?: EpcisSubscriptions;
  /** The participant a request reads as, for stores that apply access rules (absent: none). */
  readonly viewerOf?: (ctx: Context) => string | undefined;
  /** Who owns a named query, subscription or capture job made by a request (default: the identity's certificate hash); capture jobs take turns by it. */
  readonly ownerOf?: (ctx: Context) => string;
  /**
   * Throws while the store cannot answer, and every route answers what it threw: 503
   * EPCIS_NOT_READY with Retry-After until the store has caught up with the ledger (and what it
   * restores after a restart is restored), 503 EPCIS_STORE_FULL once it stopped for lack of heap.
   * Default: always available.
   */
  readonly available?: () => void;
  /** Largest request body accepted, in bytes. Default 64 MiB. */
  readonly maxBodyBytes?: number;
  readonly clock?: () => Date;
  /** Asked before a capture (document or event) is read: throws (CAPTURE_NO_ROOM) when the gateway has no heap left to keep it (heap-room.ts). */
  readonly heapRoom?: { assertRoom(): void };
  /**
   * What seals the page tokens of the capture job, named query and top-level resource lists
   * (the event store seals its own). Default: a fresh key, so such tokens die with the process.
   */
  readonly pageTokens?: PageTokens;
}

/**
 * What a capture job keeps to run again after a restart: the validated document as the JSON
 * text it arrived in (jobs saved before kept the document itself; both run again alike).
 */
export interface SavedCapture {
  readonly document: EpcisDocument | string;
  readonly identity: Identity;
  /** `GS1-Capture-Error-Behaviour` (absent: rollback, as jobs saved before it were). */
  readonly behaviour?: CaptureErrorBehaviour;
  /** Who sent it (a participant), whose turn it waits for after a restart (absent: jobs saved before turns). */
  readonly owner?: string;
}

/** The work of a capture job: the document captured into the store, as counts; `committed` once the ledger has it. */
export function captureWork(store: EventStore, saved: SavedCapture): CaptureWork {
  return async (committed) => {
    const r = await store.capture(saved.document, saved.identity, saved.behaviour ?? 'rollback', committed);
    return { captured: r.captured.length, duplicates: r.duplicates.length, ...(r.rejected && r.rejected.length > 0 ? { rejected: r.rejected } : {}), ...(r.masterDataElements ? { masterDataElements: r.masterDataElements } : {}) };
  };
}

/**
 * The position a capture job list's page token holds: the list goes on before it. Sealed
 * (page-tokens.ts: a job's position counts every participant's jobs, which the token does not
 * tell), or the plain form earlier versions issued (`c<position>`, base64url).
 */
function jobsPosition(tokens: PageTokens, token: string): number {
  const sealed = tokens.open(token);
  if (sealed !== undefined) {
    const position = sealed['j'];
    if (!Number.isSafeInteger(position) || (position as number) < 0) throw forgedToken();
    return position as number;
  }
  const m = /^c(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw forgedToken('the capture jobs');
  return Number(m[1]);
}

/** A page token of a query with eventCountLimit: how many events earlier pages gave, and the store's own token. */
function servedBy(token: string): { served: number; inner: string } {
  if (token === '') return { served: 0, inner: '' };
  const m = /^n(\d{1,16})x([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) throw forgedToken('a query with eventCountLimit');
  return { served: Number(m[1]), inner: m[2] as string };
}

/**
 * maxEventCount: refuses (QUERY_TOO_LARGE, the standard's QueryTooLargeException) a query that
 * matches more events than `max`, counting them a page at a time up to one more.
 */
async function assertAtMost(store: EventStore, plan: EpcisQueryPlan, max: number, identity: Identity, viewer: string | undefined, order: EventOrder | undefined): Promise<void> {
  let count = 0;
  let token = '';
  do {
    const page = await store.query({ ...plan, perPage: MAX_PER_PAGE }, token, identity, viewer, order);
    count += page.events.length;
    if (count > max) throw new ZfcError('QUERY_TOO_LARGE', `the query matches more than ${max} events (maxEventCount): narrow it, or page through it without maxEventCount`, { maxEventCount: max });
    token = page.nextPageToken;
  } while (token);
}

/** Whether a body is an EPCISQueryDocument, which capture takes too (the REST binding: another repository's answer, captured as it came). */
function isQueryDocument(value: unknown): boolean {
  return !!value && typeof value === 'object' && (value as Record<string, unknown>)['type'] === 'EPCISQueryDocument';
}

/**
 * The events of an EPCISQueryDocument as the EPCISDocument they are captured in: checked as a
 * query document (errors point into it; its envelope alone when the capture proceeds), then its
 * @context, schemaVersion, creationDate and `queryResults.resultsBody.eventList` make the document.
 */
function documentOfQueryResults(value: Record<string, unknown>, envelopeOnly: boolean): EpcisDocument {
  const q = envelopeOnly ? validateEpcisEnvelope(value, 'EPCISQueryDocument') : validateEpcisQueryDocument(value);
  const results = ((q['epcisBody'] as Record<string, unknown>)['queryResults'] as Record<string, unknown>)['resultsBody'] as { eventList?: unknown[] };
  return {
    '@context': q['@context'],
    type: 'EPCISDocument',
    schemaVersion: q['schemaVersion'],
    creationDate: q['creationDate'],
    epcisBody: { eventList: results.eventList ?? [] },
  } as EpcisDocument;
}

/** A single event as a one-event document (its own @context becomes the document's). */
function wrapEvent(event: Record<string, unknown>, now: string): EpcisDocument {
  const { '@context': context, ...rest } = event;
  return {
    '@context': context ?? EPCIS_CONTEXT_URL,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: now,
    epcisBody: { eventList: [rest as EpcisDocument['epcisBody']['eventList'][number]] },
  };
}

/** The answer of an EPCIS route while the store catches up after a start. */
export function notReady(): ZfcError {
  return new ZfcError('EPCIS_NOT_READY', 'the EPCIS event store is catching up with the ledger after a start; try again shortly', { retryAfterSeconds: 1 });
}

/**
 * Answers `json` (of `jsonType`), or what `xml()` writes in the XML binding (epcis-xml-write.ts)
 * when the request's Accept prefers XML to JSON (`asXml`: the media type it chose).
 */
function answerNegotiated(ctx: Context, asXml: XmlForm['mediaType'] | undefined, json: object, jsonType: string, xml: () => string): void {
  ctx.vary('Accept');
  ctx.type = asXml ?? jsonType;
  ctx.body = asXml ? xml() : json;
}

/**
 * An EPCISQueryDocument, as JSON-LD or in the XML binding; in XML, its CBV values as the
 * request's `GS1-CBV-XML-Format` asks, which the answer's header then names.
 */
function answerQueryDocument(ctx: Context, doc: Record<string, unknown>): void {
  const form = xmlFormAsked(ctx.req);
  if (form) ctx.set('GS1-CBV-XML-Format', form.cbv);
  answerNegotiated(ctx, form?.mediaType, doc, 'application/ld+json', () => queryDocumentXml(doc, form?.cbv));
}

/** A capture job, as JSON or as the XML binding's EPCISCaptureJob. */
function answerJob(ctx: Context, job: CaptureJob): void {
  const json = jobJson(job);
  answerNegotiated(ctx, xmlMediaTypeAsked(ctx.req), json, 'application/json', () => captureJobXml(json));
}

/** How a request's answer writes EPCs, and the company prefixes its EPC URNs are written by. */
function answerFormat(ctx: Context, store: EventStore): [EpcFormat, CompanyPrefixes | undefined] {
  const format = ctx.state['epcFormat'] as EpcFormat;
  return [format, answerPrefixes(store, format)];
}

function nextLink(ctx: Context, token: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(ctx.query)) {
    if (k === 'nextPageToken' || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  }
  params.set('nextPageToken', token);
  return `<${ctx.path}?${params.toString()}>; rel="next"`;
}

/**
 * The identity of the gateway's authenticated caller (`ctx.state.caller`, set by the API
 * router's authentication): the `identityOf` to use when mounting on the gateway's apiRouter.
 */
export function gatewayCallerIdentity(ctx: Context): Identity {
  const caller = ctx.state['caller'] as { identity?: Identity } | undefined;
  if (!caller?.identity) throw new ZfcError('UNAUTHENTICATED', 'an API key is required');
  return caller.identity;
}

/** The participant of the gateway's authenticated caller: the `viewerOf` and `ownerOf` to mount with. */
export function gatewayCallerParticipant(ctx: Context): string {
  const caller = ctx.state['caller'] as { participant?: string } | undefined;
  if (!caller?.participant) throw new ZfcError('UNAUTHENTICATED', 'an API key is required');
  return caller.participant;
}

/**
 * The EPCIS router.
 *
 * @example
 * const store = await ProjectedEventStore.open(ledger);
 * const epcis = createEpcisRouter({ store, identityOf: gatewayCallerIdentity, viewerOf: gatewayCallerParticipant, ownerOf: gatewayCallerParticipant });
 * apiRouter.use(epcis.routes(), epcis.allowedMethods()); // gateway-api/app.ts
 */
export function createEpcisRouter(deps: EpcisRouterDeps): Router {
  const jobs = deps.jobs ?? new CaptureJobs(deps.clock);
  const pageTokens = deps.pageTokens ?? PageTokens.ephemeral(undefined, deps.clock);
  const limit = deps.maxBodyBytes ?? 64 * 1024 * 1024;
  const now = (): string => (deps.clock ?? (() => new Date()))().toISOString();
  const router = new Router({ prefix: '/epcis' });
  const available = deps.available;
  router.use(async (ctx, next) => {
    answerAsEpcis(ctx); // on every answer, refusals included (also set by the gateway before authentication)
    assertVersionSpoken(ctx);
    const format = epcFormatOf(ctx.get('GS1-EPC-Format')); // how answers write EPCs (Digital Link unless asked)
    ctx.state['epcFormat'] = format;
    ctx.set('GS1-EPC-Format', format);
    available?.();
    await next();
  });

  router.post('/capture', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    const header = ctx.get('GS1-Capture-Error-Behaviour').trim();
    if (header && header !== 'rollback' && header !== 'proceed') {
      throw new ZfcError('INVALID_ARGUMENT', 'the capture error behaviour is rollback (the default) or proceed', { errors: [{ path: '/headers/GS1-Capture-Error-Behaviour', message: 'must be rollback or proceed' }] });
    }
    const behaviour: CaptureErrorBehaviour = header === 'proceed' ? 'proceed' : 'rollback';
    deps.heapRoom?.assertRoom();
    const owner = ownerOf(ctx, deps, identity);
    const declared = Number(ctx.get('content-length')) || 0;
    if (declared <= limit) jobs.admit({ owner, bytes: declared }); // a document with no room is refused before it is read (one too large for any room is 413, below)
    const body = await readEpcisBody(ctx, limit, 'document');
    const fromQuery = isQueryDocument(body.value);
    // proceeding, a bad event is the job's to report (the contract names it): only the envelope is judged here
    const proceed = behaviour === 'proceed';
    const doc = fromQuery
      ? documentOfQueryResults(body.value as Record<string, unknown>, proceed)
      : ((proceed ? validateEpcisEnvelope(body.value) : validateEpcisDocument(body.value)) as EpcisDocument);
    // a document is submitted and saved as the text it was validated in, not encoded again (a query document's events become one)
    const saved: SavedCapture = { document: fromQuery ? JSON.stringify(doc) : body.text, identity, ...(behaviour === 'proceed' ? { behaviour } : {}), owner };
    const job = jobs.start(doc.epcisBody.eventList.length, captureWork(deps.store, saved), saved, behaviour, { owner, bytes: Buffer.byteLength(saved.document as string) });
    await jobs.recorded(job); // acknowledged only once on record
    ctx.set('GS1-EPCIS-Capture-Limit', String(MAX_EVENTS_PER_DOCUMENT));
    ctx.set('Location', `/epcis/capture/${job.captureID}`);
    ctx.status = 202;
    answerJob(ctx, job);
  });

  // the caller's own capture jobs, newest first, paged (a job's errors name its document's events: no one else's are listed)
  router.get('/capture', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    // the binding's list is JSON only (its XML schema has no list of jobs): a client that takes no JSON is told so
    if (!ctx.accepts('application/json')) throw new ZfcError('NOT_ACCEPTABLE', 'the list of capture jobs is answered as JSON only (application/json); each job is also answered in XML at /epcis/capture/{captureID}', { header: 'Accept', value: ctx.get('Accept').slice(0, 100) });
    onlyParams(ctx, ['perPage', 'nextPageToken']);
    const token = singleParam(ctx, 'nextPageToken');
    const page = jobs.list(ownerOf(ctx, deps, identity), perPageOf(ctx), token === undefined ? undefined : jobsPosition(pageTokens, token));
    if (page.next !== undefined) linkNextPage(ctx, nextLink, pageTokens.seal({ j: page.next }));
    ctx.body = page.jobs.map(jobJson);
  });

  router.get('/capture/:captureID', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    const job = jobs.get(ctx.params['captureID'] ?? '', ownerOf(ctx, deps, identity)); // another's job is as absent
    if (!job) throw new ZfcError('NOT_FOUND', 'no such capture job', { captureID: ctx.params['captureID'] });
    answerJob(ctx, job);
  });

  router.post('/events', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    deps.heapRoom?.assertRoom();
    const event = validateEpcisEvent((await readEpcisBody(ctx, limit, 'event')).value);
    const result = await deps.store.capture(wrapEvent(event, now()), identity);
    const eventID = result.captured[0]?.eventID ?? result.duplicates[0]?.eventID ?? '';
    ctx.set('Location', `/epcis/events/${encodeURIComponent(eventID)}`);
    ctx.status = result.captured.length > 0 ? 201 : 200;
    ctx.body = { eventID, duplicate: result.captured.length === 0 };
  });

  const answer = async (ctx: Context, fixed: Parameters<typeof parseEpcisQuery>[1] = {}): Promise<void> => {
    const identity = await deps.identityOf(ctx);
    const viewer = deps.viewerOf?.(ctx);
    const { plan, pageToken, order, limits } = parseEpcisQuery(ctx.query, fixed, extensionPrefixes(ctx.get('GS1-Extensions')));
    if (limits?.maxEventCount !== undefined && !pageToken) await assertAtMost(deps.store, plan, limits.maxEventCount, identity, viewer, order);
    // eventCountLimit: the first N over every page; the token carries how many went before
    const limit = limits?.eventCountLimit;
    const { served, inner } = limit !== undefined ? servedBy(pageToken) : { served: 0, inner: pageToken };
    const remaining = limit !== undefined ? limit - served : Number.POSITIVE_INFINITY;
    const page: EventPage = remaining > 0 ? await deps.store.query({ ...plan, perPage: Math.min(plan.perPage, remaining) }, inner, identity, viewer, order) : { events: [], nextPageToken: '' };
    const more = page.nextPageToken !== '' && page.events.length < remaining;
    const next = !more ? '' : limit !== undefined ? `n${served + page.events.length}x${page.nextPageToken}` : page.nextPageToken;
    linkNextPage(ctx, nextLink, { nextPageToken: next, nextPageTokenExpires: page.nextPageTokenExpires });
    answerQueryDocument(ctx, queryDocument(page.events, now(), 'SimpleEventQuery', ...answerFormat(ctx, deps.store)));
  };

  router.get('/events', (ctx) => answer(ctx));

  router.get('/events/:eventID', async (ctx) => {
    const identity = await deps.identityOf(ctx);
    const eventID = ctx.params['eventID'] ?? '';
    const stored = await deps.store.get(eventID, identity, deps.viewerOf?.(ctx));
    if (!stored) throw new ZfcError('EVENT_NOT_FOUND', 'no event with this eventID', { eventID });
    answerQueryDocument(ctx, queryDocument([stored], now(), 'SimpleEventQuery', ...answerFormat(ctx, deps.store)));
  });

  if (deps.subscriptions) addQueryRoutes(router, deps, deps.subscriptions, limit, answer, nextLink, pageTokens);

  router.get('/epcs/:epc/events', async (ctx) => {
    const { plan } = parseEpcisQuery({ MATCH_anyEPC: ctx.params['epc'] ?? '' });
    await answer(ctx, { anyEpcs: plan.anyEpcs ?? [] });
  });

  // the binding's optional release of a page token's resources: a token here is a sealed position
  // that holds nothing on the server, so there is nothing to release, and it cannot be withdrawn
  router.delete('/nextPageToken/:token', async (ctx) => {
    await deps.identityOf(ctx);
    throw new ZfcError('NOT_IMPLEMENTED', 'page tokens here hold no resources on the server (each is a sealed position in the answer\'s order): there is nothing to release, and the token stays usable until it expires (GS1-Next-Page-Token-Expires)', { token: 'stateless' });
  });

  addTopLevelResources(router, { store: deps.store, identityOf: deps.identityOf, ...(deps.viewerOf ? { viewerOf: deps.viewerOf } : {}), answer, nextLink, queries: deps.subscriptions !== undefined });

  // discovery (the REST binding's OPTIONS on every resource): the methods it allows, the versions
  // spoken (set on every answer), and at /capture the capture limits
  const discover = async (ctx: Context): Promise<void> => {
    await deps.identityOf(ctx);
    const methods = new Set(router.match(ctx.path, 'GET').path.flatMap((layer) => layer.methods).filter((m) => m !== 'OPTIONS'));
    if (methods.size === 0) throw new ZfcError('NOT_FOUND', `no resource ${ctx.path.slice(0, 200)}`);
    ctx.set('Allow', ['OPTIONS', ...methods].join(', '));
    if (/\/capture\/?$/.test(ctx.path)) {
      ctx.set('GS1-EPCIS-Capture-Limit', String(MAX_EVENTS_PER_DOCUMENT));
      ctx.set('GS1-EPCIS-Capture-File-Size-Limit', String(limit));
    }
    ctx.status = 204;
  };
  router.options('/', discover);
  router.options('/{*rest}', discover);

  return router;
}
