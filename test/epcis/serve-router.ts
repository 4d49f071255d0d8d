/**
 * The EPCIS router alone on a loopback port, behind the gateway's error middleware, for tests
 * that call it as one participant: a request with `Authorization: Bearer alice` is `alice`, any
 * other is UNAUTHENTICATED.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { ZfcError } from '../../chaincode/errors';
import { createEpcisRouter, type EpcisRouterDeps } from '../../gateway-api/epcis-routes';
import { errorMiddleware } from '../../gateway-api/error-middleware';
import type { Identity } from '../../ledger-tools/ledger';

/** Serves a router made from `deps`, with `alice` as the only caller. */
export async function serveRouterAs(alice: Identity, deps: Omit<EpcisRouterDeps, 'identityOf'>): Promise<{ base: string; server: Server }> {
  const app = new Koa();
  app.use(errorMiddleware());
  const router = createEpcisRouter({
    ...deps,
    identityOf: (ctx) => {
      if (ctx.get('authorization') !== 'Bearer alice') throw new ZfcError('UNAUTHENTICATED');
      return alice;
    },
  });
  app.use(router.routes()).use(router.allowedMethods());
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
