/**
 * The public face mounted beside the API in one process: QR images and label sheets, and the
 * GS1 Digital Link resolver with the consumer page, the public recall notices, answered from
 * the trace index, and the home page that finds a package's page from its printed numbers. Mounted on
 * the gateway's public router, so they share its rate limit and error middleware; label sheets
 * of a lot's items (routes-labels.ts) go on the authenticated API.
 *
 * Each resolved code counts as an anonymous scan in the trace index; an item's scan that says
 * where it happened (scan-location.ts) is also checked for a cloned code.
 */
import { ZfcError } from '../chaincode/errors';
import { basePath, createHomeRouter, createQrRouter, createRecallNoticesRouter, createResolverRouter, qrConfig, qrConfigFromEnv, type HomeLink } from '../qr-service';
import type { GatewayApp } from './app';
import type { GatewayConfig } from './config';
import { IndexResolverSource } from './index-resolver-source';
import { addLabelRoutes } from './routes-labels';
import { scanLocation } from './scan-location';
import type { TraceIndex } from './trace-index';

/** What the home page lists for companies and programs: the gateway's own documents and health (routes-ops.ts, epcis-routes.ts). */
const HOME_LINKS: Readonly<Record<string, HomeLink>> = {
  docs: { href: '/docs', label: { zh: '接口文档（API 密钥由监管部门发放）', en: 'API documentation (API keys are issued by the regulator)' } },
  openapi: { href: '/openapi.json', label: { zh: 'OpenAPI 3 描述文件', en: 'OpenAPI 3 document' } },
  epcis: { href: '/epcis', label: { zh: 'GS1 EPCIS 2.0 捕获与查询接口（需 API 密钥）', en: 'GS1 EPCIS 2.0 capture and query interface (with an API key)' } },
  health: { href: '/readyz', label: { zh: '服务状态', en: 'Service status' } },
};

/** Mounts the QR service and the resolver on the gateway's public router, and label sheets on its API. */
export function mountPublicParts(gateway: GatewayApp, index: TraceIndex, config: GatewayConfig): void {
  const qr = createQrRouter({ baseUrl: config.baseUrl });
  const source = new IndexResolverSource(index);
  const resolver = createResolverRouter({
    baseUrl: config.baseUrl,
    source,
    recallNotices: true,
    onScan: (resolution, ctx) => {
      const { gtin, serial, lot } = resolution.identifier;
      if (!gtin) return;
      if (!serial) {
        index.countPublicScan(`${gtin}/10/${lot ?? ''}`);
        return;
      }
      // Only a known item's code is compared for clones: an unknown serial walks up to its lot.
      const place = resolution.item ? scanLocation(ctx, config.trustProxy) : undefined;
      index.countPublicScan(`${gtin}/${serial}`, place ? { ...place, at: new Date().toISOString() } : undefined);
    },
  });
  gateway.publicRouter.use(qr.routes());
  const codePath = `${basePath(config.baseUrl)}/01/`;
  gateway.publicRouter.use(async (ctx, next) => {
    // A till that GETs the package URL with its key and a kind would record nothing: say how.
    if (ctx.method === 'GET' && ctx.path.startsWith(codePath) && ctx.get('authorization') && ctx.query['kind'] !== undefined) {
      throw new ZfcError('INVALID_ARGUMENT', 'a scan is recorded with POST to the package URL (a GET only resolves the code)', { field: 'method' });
    }
    await next();
  });
  gateway.publicRouter.use(resolver.routes());
  gateway.publicRouter.use(createRecallNoticesRouter({ baseUrl: config.baseUrl, source }).routes());
  gateway.publicRouter.use(createHomeRouter({ baseUrl: config.baseUrl, recalls: source, links: HOME_LINKS }).routes());
  // Label sheets cost seconds of CPU and print the ledger's items: behind an API key.
  // The CJK font and the most labels per sheet come from ZFC_CJK_FONT(_FACE) and ZFC_MAX_LABELS.
  addLabelRoutes(gateway.apiRouter, { index, qr: qrConfig({ ...qrConfigFromEnv(process.env), baseUrl: config.baseUrl }) });
}
