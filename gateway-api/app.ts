/**
 * The gateway's Koa application, apart from any listener (server.ts listens), so tests and
 * other parts can drive it directly.
 *
 * Order matters and is fixed here: the one error middleware first, then metrics and security
 * headers, then two routers — public routes (no key, rate-limited: operations, QR codes, the
 * resolver and consumer pages that other parts mount) and the authenticated /v1 API.
 *
 * @example
 * const { app, publicRouter } = createApp({ ledger, index, store, config });
 * publicRouter.use(createQrRouter(...).routes()); // parts mount their routes
 * http.createServer(app.callback()).listen(0);
 */
import Koa from 'koa';
import Router from '@koa/router';
import type { Ledger } from '../ledger-tools/ledger';
import type { GatewayConfig } from './config';
import { errorMiddleware, type ErrorLog } from './error-middleware';
import type { GatewayStore } from './gateway-store';
import { createMetrics, type GatewayMetrics } from './metrics';
import { rateLimit } from './rate-limit';
import { addOpsRoutes } from './routes-ops';
import { addReadRoutes, type LedgerInspector } from './routes-read';
import { addPackageScanRoutes } from './routes-package-scan';
import { addWriteRoutes, type IdentityIssuer, type WriteDeps } from './routes-write';
import { addKeyRoutes } from './routes-keys';
import { answerAsEpcis } from './epcis-http';
import type { TraceEpcisExport } from './trace-epcis';
import type { TraceIndex } from './trace-index';

/** What the app is made of. */
export interface AppOptions {
  readonly ledger: Ledger;
  readonly index: TraceIndex;
  /** API keys, wallet and idempotency records. */
  readonly store: GatewayStore;
  readonly config: GatewayConfig;
  /** Issues identities for participants registered without one (embedded deployments). */
  readonly issuer?: IdentityIssuer;
  /** Blocks and transactions with proofs (ledgers with the `blocks` capability). */
  readonly inspector?: LedgerInspector;
  /** `format=epcis` of traces (when the gateway has an EPCIS event store). */
  readonly epcisExport?: TraceEpcisExport;
  /** Throws while that EPCIS event store cannot answer (catching up, or stopped for lack of heap): `/readyz` answers what it threw. */
  readonly epcisAvailable?: () => void;
  /** Where unexpected errors are logged (stderr by default). */
  readonly log?: ErrorLog;
}

/** The app and the routers other parts mount their routes on. */
export interface GatewayApp {
  readonly app: Koa;
  /** No API key; rate-limited per client address. */
  readonly publicRouter: Router;
  /** `Authorization: Bearer` required; `ctx.state.caller` is the authenticated {@link Caller}. */
  readonly apiRouter: Router;
  readonly metrics: GatewayMetrics;
}

/** Creates the gateway application. */
export function createApp(options: AppOptions): GatewayApp {
  const { ledger, index, store, config } = options;
  const app = new Koa();
  app.proxy = config.trustProxy;
  app.silent = true;
  const metrics = createMetrics();
  app.use(errorMiddleware(options.log));
  app.use(metrics.middleware);
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (ctx.path === '/epcis' || ctx.path.startsWith('/epcis/')) {
      // the EPCIS interface's own error form and version headers, also on refusals before its router (authentication, rate limits)
      answerAsEpcis(ctx);
    }
    await next();
  });

  const publicRouter = new Router();
  publicRouter.use(rateLimit({ perMinute: config.rateLimitPerMinute, burst: config.rateBurst, trustProxy: config.trustProxy }));
  addOpsRoutes(publicRouter, { ledger, index, metrics, baseUrl: config.baseUrl, ...(options.epcisAvailable ? { epcisAvailable: options.epcisAvailable } : {}) });

  const apiRouter = new Router();
  apiRouter.use(async (ctx, next) => {
    ctx.state['caller'] = await store.keys.authenticate(ctx.get('authorization') || undefined);
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  addReadRoutes(apiRouter, {
    index,
    ledger,
    ...(options.inspector ? { inspector: options.inspector } : {}),
    ...(options.epcisExport ? { epcisExport: options.epcisExport } : {}),
  });
  const writeDeps: WriteDeps = {
    ledger,
    index,
    keys: store.keys,
    wallet: store.wallet,
    idempotency: store.idempotency,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    onSubmit: (fn, outcome) => metrics.submits.inc({ fn, outcome }),
  };
  addWriteRoutes(apiRouter, writeDeps);
  addKeyRoutes(apiRouter, { keys: store.keys, index, idempotency: store.idempotency, bodyLimitBytes: config.bodyLimitBytes });
  addPackageScanRoutes(apiRouter, { ...writeDeps, baseUrl: config.baseUrl });

  app.use(publicRouter.routes());
  app.use(apiRouter.routes());
  return { app, publicRouter, apiRouter, metrics };
}
