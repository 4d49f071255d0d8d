/**
 * The public face mounted beside the API in one process: QR images and label sheets, and the
 * GS1 Digital Link resolver with the consumer page, answered from the trace index. Mounted on
 * the gateway's public router, so they share its rate limit and error middleware.
 */
import { createQrRouter, createResolverRouter } from '../qr-service';
import type { GatewayApp } from './app';
import type { GatewayConfig } from './config';
import { IndexResolverSource } from './index-resolver-source';
import type { TraceIndex } from './trace-index';

/** Mounts the QR service and the resolver on the gateway's public router. */
export function mountPublicParts(gateway: GatewayApp, index: TraceIndex, config: GatewayConfig): void {
  const qr = createQrRouter({ baseUrl: config.baseUrl });
  const resolver = createResolverRouter({
    baseUrl: config.baseUrl,
    source: new IndexResolverSource(index),
    onScan: (resolution) => {
      const { gtin, serial, lot } = resolution.identifier;
      if (gtin) index.countPublicScan(serial ? `${gtin}/${serial}` : `${gtin}/10/${lot ?? ''}`);
    },
  });
  gateway.publicRouter.use(qr.routes());
  gateway.publicRouter.use(resolver.routes());
}
