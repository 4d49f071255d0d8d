/**
 * Operations routes, public and rate-limited: liveness, readiness (the ledger answers, the trace
 * index and the EPCIS event store have caught up), Prometheus metrics, the OpenAPI document and
 * its docs page.
 */
import type Router from '@koa/router';
import { ZfcError } from '../chaincode/errors';
import type { Ledger } from '../ledger-tools/ledger';
import type { GatewayMetrics } from './metrics';
import { docsPage, openApiDocument } from './openapi';
import type { TraceIndex } from './trace-index';

/** What the operations routes need. */
export interface OpsDeps {
  readonly ledger: Ledger;
  readonly index: TraceIndex;
  readonly metrics: GatewayMetrics;
  readonly baseUrl: string;
  /** Throws while the EPCIS event store cannot answer: catching up (EPCIS_NOT_READY), or stopped for lack of heap (EPCIS_STORE_FULL). Absent: no such store, or always. */
  readonly epcisAvailable?: () => void;
}

/** Adds /healthz, /readyz, /metrics, /openapi.json and /docs. */
export function addOpsRoutes(router: Router, deps: OpsDeps): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    let height: number;
    try {
      height = await deps.ledger.height();
    } catch {
      throw new ZfcError('LEDGER_UNAVAILABLE', 'the ledger does not answer');
    }
    if (deps.index.stopped) throw deps.index.stopped;
    if (!(await deps.index.caughtUp(deps.ledger))) {
      throw new ZfcError('INDEX_NOT_READY', 'the trace index is catching up', { height, index: deps.index.checkpoint ?? null, retryAfterSeconds: 1 });
    }
    deps.epcisAvailable?.();
    ctx.body = { status: 'ready', ledger: deps.ledger.kind, height, index: deps.index.checkpoint ?? null };
  });
  router.get('/metrics', async (ctx) => {
    deps.metrics.indexLots.set(deps.index.lotCount);
    deps.metrics.indexBlock.set(deps.index.checkpoint?.blockNumber ?? -1);
    deps.metrics.indexStopped.set(deps.index.stopped ? 1 : 0);
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.scrape();
  });
  router.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument(deps.baseUrl);
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = docsPage(deps.baseUrl);
  });
}
