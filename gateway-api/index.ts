/**
 * The gateway's public surface: the app factory, the service around it, configuration, the
 * trace index and its exports, and the CLI commands.
 *
 * @example
 * import { loadConfig, startGateway } from '../gateway-api';
 * const gw = await startGateway(loadConfig(process.env));
 * console.log(gw.url);
 */
export { createApp, type AppOptions, type GatewayApp } from './app';
export { loadConfig, ConfigError, type GatewayConfig, type LedgerKind } from './config';
export { startGateway, openGateway, listen, type RunningGateway, type GatewayParts } from './server';
export { openLedger, embeddedInspector, type OpenedLedger } from './ledger-factory';
export { GatewayStore } from './gateway-store';
export { importNetworkIdentities } from './network-identities';
export type { ApiKeys, ApiKeyRecord, Caller } from './api-keys';
export { EmbeddedIssuer, REGULATOR_MSP, ENTERPRISE_MSP } from './embedded-identities';
export { initialiseRegulator, initialiseNetworkRegulator, type RegulatorDetails } from './bootstrap';
export { seedDemo, readDemoKeys, isSeeded, DEMO, type DemoKeys } from './demo-seed';
export { TraceIndex, factSeq, type Projection, type LotDetail, type LotQuery } from './trace-index';
export type { TraceStart } from './trace-graph';
export type * from './trace-model';
export { lotKey, lotFromKey } from './trace-model';
export { projectEvent, projectEnvelope } from './projection';
export { traceCsv, CSV_COLUMNS } from './trace-csv';
export { traceDot } from './trace-dot';
export { traceEpcisExport, traceTransactions, type TraceEpcisExport } from './trace-epcis';
export { IndexResolverSource } from './index-resolver-source';
export { mountPublicParts } from './public-parts';
export { WRITE_ROUTES, decodePayload, type IdentityIssuer, type WriteRoute } from './routes-write';
export type { LedgerInspector } from './routes-read';
export { openApiDocument } from './openapi';
export { registerGatewayCommands, start } from './commands';
