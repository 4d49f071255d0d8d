/**
 * A second front for a test gateway: the EPCIS router mounted with every option (access rules
 * by participant, named queries and subscriptions) behind the gateway's own error middleware
 * and API-key authentication, on its own loopback port, over the gateway's ledger. The gateway's
 * own mount (server.ts) is tested as it is; this one lets the tests switch options on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { errorMiddleware } from '../../gateway-api/error-middleware';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import { createEpcisRouter, gatewayCallerIdentity, gatewayCallerParticipant } from '../../gateway-api/epcis-routes';
import { EpcisSubscriptions, type SubscriptionOptions } from '../../gateway-api/epcis-subscriptions';
import type { TestGateway } from '../gateway/support';

/** The running front. */
export interface EpcisFront {
  readonly url: string;
  readonly projection: ProjectedEventStore;
  readonly subscriptions: EpcisSubscriptions;
  close(): Promise<void>;
}

/** Starts a front over `t`'s ledger and API keys. */
export async function startEpcisFront(t: TestGateway, options: Omit<SubscriptionOptions, 'source'> = {}): Promise<EpcisFront> {
  const projection = await ProjectedEventStore.open(t.gw.ledger);
  const subscriptions = new EpcisSubscriptions({ source: projection, ...options });
  const app = new Koa();
  app.silent = true;
  app.use(errorMiddleware(() => undefined));
  app.use(async (ctx, next) => {
    ctx.state['caller'] = await t.gw.store.keys.authenticate(ctx.get('authorization') || undefined);
    await next();
  });
  const router = createEpcisRouter({
    store: projection,
    subscriptions,
    identityOf: gatewayCallerIdentity,
    viewerOf: gatewayCallerParticipant,
    ownerOf: gatewayCallerParticipant,
  });
  app.use(router.routes()).use(router.allowedMethods());
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    projection,
    subscriptions,
    async close() {
      await subscriptions.close();
      await projection.close();
      await new Promise((r) => server.close(r));
    },
  };
}
