/**
 * The gateway's configuration: read from the environment once, at start, validated, given
 * defaults and frozen. Nothing else in the gateway reads `process.env`.
 *
 * An invalid setting stops the start with one message naming every bad variable, rather than
 * a stack trace from deep inside the server later.
 *
 * @example
 * const config = loadConfig(process.env); // throws ConfigError on a bad setting
 * console.log(config.port, config.dataDir);
 */
import * as path from 'node:path';
import { DEFAULT_CAPTURE_PENDING_BYTES, DEFAULT_CAPTURE_RUNNING } from './epcis-capture-jobs';
import { defaultHeapLimitMb, defaultStoreHeapLimitMb, defaultTraceIndexHeapLimitMb, heapLimitMb } from './heap-room';

/** Which ledger the gateway talks to. */
export type LedgerKind = 'embedded' | 'fabric';

/** The gateway's settings. */
export interface GatewayConfig {
  /** PORT: the listening port (0 picks a free one). */
  readonly port: number;
  /** HOST: the address to listen on. */
  readonly host: string;
  /** ZFC_DATA: the data folder (ledger, index, gateway keys), absolute. */
  readonly dataDir: string;
  /** LEDGER: `embedded` (default) or `fabric`. */
  readonly ledger: LedgerKind;
  /**
   * LEDGER_THREAD: with LEDGER=embedded, run the ledger in a thread of its own (`true`, default)
   * or in the gateway's thread (`false`: one thread, for debugging and CPU profiles).
   */
  readonly ledgerThread: boolean;
  /** BASE_URL: the public origin used in QR codes and links, without a trailing slash. */
  readonly baseUrl: string;
  /** BODY_LIMIT: the largest request body accepted, in bytes. */
  readonly bodyLimitBytes: number;
  /** RATE_LIMIT: requests per minute per client address on public routes. */
  readonly rateLimitPerMinute: number;
  /** RATE_BURST: requests a client may make at once before the rate applies. */
  readonly rateBurst: number;
  /** CAPTURE_CONCURRENCY: EPCIS capture jobs whose documents are in the ledger at once; the others wait their turn. */
  readonly captureConcurrency: number;
  /**
   * CAPTURE_PENDING_BYTES: the documents of unfinished EPCIS capture jobs, in bytes, beyond which
   * a new one is refused with 503 CAPTURE_BUSY (a participant's own, beyond half of it).
   */
  readonly capturePendingBytes: number;
  /**
   * CAPTURE_HEAP_LIMIT_MB: the heap, in MiB, live after a full garbage collection, at which EPCIS
   * capture is refused with 507 CAPTURE_NO_ROOM (heap-room.ts); by default 70% of Node's heap limit less its young generation (room to restart; heap-room.ts).
   */
  readonly captureHeapLimitMb: number;
  /**
   * EPCIS_STORE_HEAP_LIMIT_MB: the live heap, in MiB, at which the EPCIS event store stops following
   * the ledger and /epcis answers 503 EPCIS_STORE_FULL, rather than the gateway aborting; by default 85%
   * of Node's heap limit.
   */
  readonly epcisStoreHeapLimitMb: number;
  /**
   * TRACE_INDEX_HEAP_LIMIT_MB: the live heap, in MiB, at which the trace index stops following the
   * ledger (or, at a start, loading its graph) and its answers are 503 TRACE_INDEX_FULL, rather
   * than the gateway aborting; by default 90% of Node's heap limit.
   */
  readonly traceIndexHeapLimitMb: number;
  /** DEMO_SEED: seed demo data on a first start (`true`/`false`). */
  readonly demoSeed: boolean;
  /** TRUST_PROXY: take the client address from X-Forwarded-For (`true`/`false`). */
  readonly trustProxy: boolean;
  /** FABRIC_NETWORK: the folder network/up wrote (connection profile, identities), when LEDGER=fabric. */
  readonly fabricNetworkDir: string;
  /**
   * EPCIS_HTTP_CALLBACK_HOSTS: comma-separated host names that EPCIS subscriptions may call back
   * over plain http or on the gateway's own network (a shop's server on the same network); every
   * other callback must be https to a public address (public-address.ts).
   */
  readonly epcisHttpCallbackHosts: readonly string[];
  /**
   * EPCIS_GCP_TABLE: GS1's company prefix table (its `gcpprefixformatlist.xml` or `.json`, or a
   * JSON object of prefix → length), absolute, if given: what answers in EPC URN form (`GS1-EPC-Format:
   * Always_EPC_URN`) split company prefixes by, before the ones learnt from captured URNs.
   */
  readonly epcisCompanyPrefixTable: string | undefined;
}

/** A bad setting (or several): the message names each variable and what is wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads, validates and freezes the configuration from an environment (`process.env` at start). */
export function loadConfig(env: Env, cwd: string = process.cwd()): GatewayConfig {
  const problems: string[] = [];
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!/^[0-9]+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be a whole number from ${min} to ${max}`);
      return def;
    }
    return n;
  };
  // a heap limit at or above the heap Node may grow to would never be reached: Node aborts first
  const heapMb = (name: string, def: number): number => {
    const heap = heapLimitMb();
    const n = int(name, def, 1, 1024 * 1024);
    if (n < heap) return n;
    problems.push(`${name}=${n}: must be below this process's heap limit (${heap} MiB), or Node runs out of heap first; give Node a larger heap (NODE_OPTIONS=--max-old-space-size=<MiB>)`);
    return def;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name}=${JSON.stringify(raw)}: must be true or false`);
    return def;
  };
  const port = int('PORT', 8080, 0, 65535);
  const host = env['HOST'] || '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) problems.push(`HOST=${JSON.stringify(host)}: must be a host name or address`);
  const ledgerRaw = env['LEDGER'] || 'embedded';
  if (ledgerRaw !== 'embedded' && ledgerRaw !== 'fabric') problems.push(`LEDGER=${JSON.stringify(ledgerRaw)}: must be embedded or fabric`);
  const baseUrl = checkBaseUrl(env['BASE_URL'] || `http://localhost:${port}`, problems);
  const config: GatewayConfig = {
    port,
    host,
    dataDir: path.resolve(cwd, env['ZFC_DATA'] || './data'),
    ledger: ledgerRaw === 'fabric' ? 'fabric' : 'embedded',
    ledgerThread: bool('LEDGER_THREAD', true),
    baseUrl,
    bodyLimitBytes: int('BODY_LIMIT', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    rateLimitPerMinute: int('RATE_LIMIT', 600, 1, 1_000_000),
    rateBurst: int('RATE_BURST', 60, 1, 1_000_000),
    captureConcurrency: int('CAPTURE_CONCURRENCY', DEFAULT_CAPTURE_RUNNING, 1, 64),
    capturePendingBytes: int('CAPTURE_PENDING_BYTES', DEFAULT_CAPTURE_PENDING_BYTES, 1024 * 1024, 16 * 1024 * 1024 * 1024),
    captureHeapLimitMb: heapMb('CAPTURE_HEAP_LIMIT_MB', defaultHeapLimitMb()),
    epcisStoreHeapLimitMb: heapMb('EPCIS_STORE_HEAP_LIMIT_MB', defaultStoreHeapLimitMb()),
    traceIndexHeapLimitMb: heapMb('TRACE_INDEX_HEAP_LIMIT_MB', defaultTraceIndexHeapLimitMb()),
    demoSeed: bool('DEMO_SEED', true),
    trustProxy: bool('TRUST_PROXY', false),
    fabricNetworkDir: path.resolve(cwd, env['FABRIC_NETWORK'] || 'network/data'),
    epcisHttpCallbackHosts: Object.freeze(hostList(env['EPCIS_HTTP_CALLBACK_HOSTS'] ?? '', problems)),
    epcisCompanyPrefixTable: env['EPCIS_GCP_TABLE'] ? path.resolve(cwd, env['EPCIS_GCP_TABLE']) : undefined,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

function hostList(raw: string, problems: string[]): string[] {
  const hosts = raw.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  for (const h of hosts) if (!/^[a-z0-9.:[\]-]{1,253}$/.test(h)) problems.push(`EPCIS_HTTP_CALLBACK_HOSTS: ${JSON.stringify(h)} is not a host name`);
  return hosts;
}

function checkBaseUrl(raw: string, problems: string[]): string {
  try {
    const url = new URL(raw);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username) throw new Error('bad');
    return url.toString().replace(/\/+$/, '');
  } catch {
    problems.push(`BASE_URL=${JSON.stringify(raw)}: must be an http(s) origin such as https://trace.example.cn`);
    return raw;
  }
}
