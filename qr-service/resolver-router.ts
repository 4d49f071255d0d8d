/**
 * The resolver as a Koa router for the gateway to mount at the root of the public domain:
 * `GET /01/…` (and HEAD). Scans are reported through `onScan` so the gateway can count them in
 * the trace index and look for cloned codes; the resolver itself keeps nothing.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { basePath } from './page-route';
import { resolveRequest, type ResolverOptions } from './resolver';
import type { Resolution } from './resolution';
import type { ResolverSource } from './resolver-source';

export interface ResolverRouterOptions extends ResolverOptions {
  readonly source: ResolverSource;
  /** Called after each successful resolution (not awaited; errors are ignored by the resolver). */
  readonly onScan?: (resolution: Resolution, ctx: Context) => void;
}

/**
 * A router answering Digital Link URIs whose key is a GTIN, under the base URL's path (if any).
 *
 * @example
 * app.use(createResolverRouter({ baseUrl: 'https://zfc.example.cn', source }).routes());
 */
export function createResolverRouter(options: ResolverRouterOptions): Router {
  const router = new Router();
  const prefix = basePath(options.baseUrl); // codes on `https://host/prefix` carry `/prefix/01/…`: answer there
  router.get(`${prefix}/01/*rest`, async (ctx) => {
    const res = await resolveRequest({
      path: ctx.path, querystring: ctx.querystring, accept: ctx.get('accept'), acceptLanguage: ctx.get('accept-language'),
    }, options.source, options);
    ctx.status = res.status;
    ctx.set(res.headers);
    ctx.type = res.type;
    ctx.body = res.body;
    if (res.resolution !== undefined && options.onScan) {
      try {
        options.onScan(res.resolution, ctx);
      } catch {
        // counting a scan must never break the answer to it
      }
    }
  });
  return router;
}
