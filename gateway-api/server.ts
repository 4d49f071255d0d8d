/**
 * The gateway as a running service: open the ledger (factory), the trace index (following the
 * ledger from its checkpoint), the gateway's own store, build the app, listen. `close()` undoes
 * it in reverse. Used by `zfc start` and by the HTTP tests (port 0, temp data folder).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ZfcError } from '../chaincode/errors';
import type { Ledger } from '../ledger-tools/ledger';
import { createApp, type GatewayApp } from './app';
import { answerClientErrors } from './client-errors';
import { parsePrefixTable } from './company-prefixes';
import { ConfigError, type GatewayConfig } from './config';
import { EmbeddedIssuer } from './embedded-identities';
import { ProjectedEventStore } from './epcis-projection';
import { PageTokens } from './page-tokens';
import { CaptureJobs } from './epcis-capture-jobs';
import { captureWork, createEpcisRouter, gatewayCallerIdentity, gatewayCallerParticipant, notReady, type SavedCapture } from './epcis-routes';
import { EpcisSubscriptions } from './epcis-subscriptions';
import { traceEpcisExport } from './trace-epcis';
import { GatewayStore } from './gateway-store';
import { importNetworkIdentities } from './network-identities';
import { serveEpcisSockets } from './epcis-websocket';
import { openLedger, type OpenedLedger } from './ledger-factory';
import { HeapRoom, heapLiveBytes, heapRoomBelow } from './heap-room';
import { projectEvent } from './projection';
import { isPublicHost, publicLookup } from './public-address';
import { TraceIndex } from './trace-index';

/** A running gateway. */
export interface RunningGateway extends GatewayApp {
  readonly url: string;
  readonly server: http.Server;
  readonly ledger: Ledger;
  readonly index: TraceIndex;
  readonly store: GatewayStore;
  /** Embedded deployments only. */
  readonly issuer: EmbeddedIssuer | undefined;
  close(): Promise<void>;
}

/** What the service is made of, opened but not yet listening. */
export interface GatewayParts {
  readonly ledger: Ledger;
  readonly index: TraceIndex;
  readonly store: GatewayStore;
  readonly issuer: EmbeddedIssuer | undefined;
  readonly gateway: GatewayApp;
  readonly following: Promise<void>;
  /** The EPCIS 2.0 event store behind /epcis (capture and query). */
  readonly epcis: ProjectedEventStore;
  /** EPCIS named queries and subscriptions (callbacks: https, or http to the configured hosts). */
  readonly subscriptions: EpcisSubscriptions;
  /** EPCIS capture jobs (kept in the gateway's store; unfinished ones run again on start). */
  readonly captureJobs: CaptureJobs;
  /** Identities the ledger's network provided: name → the participant each acts for. */
  readonly networkParticipants: Readonly<Record<string, string>>;
  /**
   * Settles once the EPCIS event store has caught up with the ledger and the subscriptions and
   * unfinished capture jobs kept from before are restored. The gateway listens before (its
   * other routes need none of it); until then `/epcis` and `/readyz` answer 503.
   */
  readonly epcisReady: Promise<void>;
  /** Throws what `/epcis` answers while the store cannot: EPCIS_STORE_FULL once it stopped for lack of heap, EPCIS_NOT_READY while it catches up. */
  readonly epcisAvailable: () => void;
}

/** Opens the ledger, the index (and starts following), the store, and builds the app. */
export async function openGateway(config: GatewayConfig): Promise<GatewayParts> {
  const prefixTable = config.epcisCompanyPrefixTable === undefined ? undefined : await readPrefixTable(config.epcisCompanyPrefixTable);
  const opened = await openLedger(config);
  const undo: (() => Promise<void>)[] = [() => opened.ledger.close()];
  try {
    const index = await TraceIndex.open({ dir: path.join(config.dataDir, 'index'), project: projectEvent, room: heapRoomBelow(config.traceIndexHeapLimitMb) });
    undo.push(() => index.close());
    const store = await GatewayStore.open(path.join(config.dataDir, 'gateway'));
    undo.push(() => store.close());
    return await assemble(config, opened, index, store, prefixTable);
  } catch (err) {
    for (const close of undo.reverse()) await close().catch(() => undefined);
    throw err;
  }
}

/** GS1's company prefix table from EPCIS_GCP_TABLE; a file that cannot be read or holds no good table stops the start, naming it. */
async function readPrefixTable(file: string): Promise<Map<string, number>> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`EPCIS_GCP_TABLE=${JSON.stringify(file)}: cannot be read (${(err as Error).message})`]);
  }
  try {
    return parsePrefixTable(text, file);
  } catch (err) {
    throw new ConfigError([`EPCIS_GCP_TABLE: ${err instanceof ZfcError ? err.text : (err as Error).message}`]);
  }
}

async function assemble(config: GatewayConfig, opened: OpenedLedger, index: TraceIndex, store: GatewayStore, companyPrefixTable: ReadonlyMap<string, number> | undefined): Promise<GatewayParts> {
  const networkParticipants = await importNetworkIdentities(opened.ledger, store.wallet, opened.identities);
  const issuer = opened.ledger.kind === 'embedded' ? await EmbeddedIssuer.open(store) : undefined;
  if (index.olderLayout) {
    // written before captured claims were kept apart: rebuilt once from the ledger, or traces could name the wrong maker
    process.stderr.write('[gateway] the trace index was written by an earlier version: rebuilding it from the ledger (once)\n');
    await index.rebuild(opened.ledger, 200);
  }
  const following = index.follow(opened.ledger).catch((err: unknown) => {
    process.stderr.write(`[gateway] the trace index stopped following the ledger: ${err instanceof Error ? err.message : String(err)}\n`);
  });
  const tokenKey = await pageTokenKey(store);
  const epcis = ProjectedEventStore.start(opened.ledger, { tokenKey, room: heapRoomBelow(config.epcisStoreHeapLimitMb), ...(companyPrefixTable ? { companyPrefixTable } : {}) });
  let epcisUp = false;
  /** Throws what /epcis answers while the store cannot: stopped for lack of heap, or still catching up. */
  const epcisAvailable = (): void => {
    if (epcis.stopped) throw epcis.stopped;
    if (!epcisUp) throw notReady();
  };
  const exportTrace = traceEpcisExport(epcis);
  const gateway = createApp({
    epcisExport: (graph, caller, format) => {
      epcisAvailable();
      return exportTrace(graph, caller, format);
    },
    epcisAvailable,
    ledger: opened.ledger,
    index,
    store,
    config,
    ...(issuer ? { issuer } : {}),
    ...(opened.inspector ? { inspector: opened.inspector } : {}),
  });
  const httpHosts = new Set(config.epcisHttpCallbackHosts);
  const subscriptions = new EpcisSubscriptions({ source: epcis, records: store.epcis, ledger: opened.ledger, holds: (participant, ids) => index.holdsAny(participant, ids), holdingsAt: async (at) => void (await index.reached(at)), allowDestination: (u) => httpHosts.has(u.hostname.toLowerCase()) || (u.protocol === 'https:' && isPublicHost(u.hostname)), lookup: publicLookup(httpHosts) });
  const heapRoom = new HeapRoom(config.captureHeapLimitMb);
  const captureJobs = new CaptureJobs(undefined, store.epcis, { running: config.captureConcurrency, pendingBytes: config.capturePendingBytes, room: heapRoom });
  gateway.metrics.watchCaptureJobs(() => captureJobs.stats());
  gateway.metrics.watchEpcisStore(() => epcis.size, () => epcis.stopped !== undefined);
  gateway.metrics.watchHeapRoom(heapLiveBytes, config.captureHeapLimitMb * 1024 * 1024);
  // subscriptions ask the store who may read what they catch up on, and a job run again waits
  // for the store to apply its transaction: both start once the store has caught up
  const epcisReady = epcis.ready.then(async () => {
    if (epcis.closed) return; // closed while catching up: nothing to restore into
    await subscriptions.restore();
    await captureJobs.restore<SavedCapture>((saved) => captureWork(epcis, saved), (saved) => saved.owner ?? '');
    epcisUp = true;
  });
  epcisReady.catch((err: unknown) => {
    process.stderr.write(`[epcis] the EPCIS event store could not start; /epcis stays unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
  });
  const epcisRouter = createEpcisRouter({ store: epcis, pageTokens: new PageTokens(tokenKey), subscriptions, jobs: captureJobs, available: epcisAvailable, heapRoom, identityOf: gatewayCallerIdentity, viewerOf: gatewayCallerParticipant, ownerOf: gatewayCallerParticipant });
  gateway.apiRouter.use(epcisRouter.routes(), epcisRouter.allowedMethods());
  return { ledger: opened.ledger, index, store, issuer, gateway, following, epcis, subscriptions, captureJobs, networkParticipants, epcisReady, epcisAvailable };
}

/** The key EPCIS page tokens are sealed with: made once, kept in the gateway's store, so tokens outlive a restart. */
async function pageTokenKey(store: GatewayStore): Promise<Buffer> {
  const kept = await store.getMeta('epcisPageTokenKey');
  if (typeof kept === 'string' && /^[A-Za-z0-9_-]{43}$/.test(kept)) return Buffer.from(kept, 'base64url');
  const key = randomBytes(32);
  await store.putMeta('epcisPageTokenKey', key.toString('base64url'));
  return key;
}

/** Starts listening; resolves with the URL. */
export async function listen(parts: GatewayParts, config: GatewayConfig): Promise<RunningGateway> {
  const server = http.createServer(parts.gateway.app.callback());
  answerClientErrors(server); // what Node's parser refuses is answered with a typed body too
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // EPCIS subscriptions over WebSockets: the same subscriptions, authenticated by the same keys
  const sockets = serveEpcisSockets(server, { subscriptions: parts.subscriptions, available: parts.epcisAvailable, authenticate: async (authorization) => (await parts.store.keys.authenticate(authorization)).participant });
  const close = async (): Promise<void> => {
    sockets.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await closeParts(parts);
  };
  return { ...parts.gateway, url, server, ledger: parts.ledger, index: parts.index, store: parts.store, issuer: parts.issuer, close };
}

/** Closes what {@link openGateway} opened, in reverse (after the HTTP server, if one listened). */
export async function closeParts(parts: GatewayParts): Promise<void> {
  parts.index.stop();
  parts.captureJobs.close();
  await parts.epcis.close(); // first: a restore not yet begun then never begins
  await parts.epcisReady.catch(() => undefined); // one begun ends before what it uses closes
  await parts.subscriptions.close();
  await parts.ledger.close();
  await parts.following;
  await parts.index.close();
  await parts.store.close();
}

/**
 * Opens everything and listens, and resolves once the EPCIS event store has caught up too (what
 * tests and tools want; `zfc start` listens as soon as it can: see {@link GatewayParts.epcisReady}).
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const parts = await openGateway(config);
  const running = await listen(parts, config);
  await parts.epcisReady.catch(() => undefined);
  return running;
}
