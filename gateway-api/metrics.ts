/**
 * Prometheus metrics of one gateway: request counts and durations by route, and the trace
 * index's size and position. Each app has its own registry, so several apps (tests, a restart)
 * can run in one process. The process's own metrics (CPU, memory, GC, event loop) are collected
 * once per process and served beside each gateway's.
 */
import type { Middleware } from 'koa';
import { toZfcError } from './error-middleware';
import type { CaptureJobStats } from './epcis-capture-jobs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's metrics. */
export interface GatewayMetrics {
  /** The gateway's own metrics. */
  readonly registry: Registry;
  /** The text exposition that /metrics serves: the process's metrics, then the gateway's. */
  scrape(): Promise<string>;
  readonly middleware: Middleware;
  readonly indexLots: Gauge;
  readonly indexBlock: Gauge;
  /** 1 once the trace index stopped for lack of heap (TRACE_INDEX_FULL), else 0: set at every scrape. */
  readonly indexStopped: Gauge;
  readonly submits: Counter;
  /** Reports the EPCIS capture jobs' turns at every scrape: how many run, how many wait, what their documents hold. */
  watchCaptureJobs(stats: () => CaptureJobStats): void;
  /** Reports at every scrape how many events the EPCIS event store holds in memory (it grows with the ledger), and whether it stopped for lack of heap. */
  watchEpcisStore(size: () => number, stopped: () => boolean): void;
  /** Reports at every scrape the heap live after the last full collection, beside the limit at which capture is refused (heap-room.ts). */
  watchHeapRoom(live: () => number, limitBytes: number): void;
}

let processRegistry: Registry | undefined;

/**
 * The process's metrics, collected into one registry for the life of the process. prom-client's
 * collectors watch GC and the event loop for good (a PerformanceObserver that is never
 * disconnected), and they hold their registry: collected once per gateway, they kept every
 * closed gateway, with its EPCIS event store and trace graph, alive to the end of the process.
 */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Creates a registry with the gateway's metrics. */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  const shared = processMetrics();
  const scrape = async (): Promise<string> => `${await shared.metrics()}\n${await registry.metrics()}`;
  const requests = new Counter({ name: 'zfc_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'zfc_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const indexLots = new Gauge({ name: 'zfc_trace_index_lots', help: 'Lots in the trace index', registers: [registry] });
  const indexBlock = new Gauge({ name: 'zfc_trace_index_block', help: 'Last ledger block applied to the trace index', registers: [registry] });
  const indexStopped = new Gauge({ name: 'zfc_trace_index_stopped', help: '1 once the trace index stopped following the ledger for lack of heap (its answers are 503 TRACE_INDEX_FULL), else 0', registers: [registry] });
  const submits = new Counter({ name: 'zfc_ledger_submits_total', help: 'Transactions submitted', labelNames: ['fn', 'outcome'], registers: [registry] });
  const middleware: Middleware = async (ctx, next) => {
    const end = duration.startTimer();
    let status = 0;
    try {
      await next();
      status = ctx.status;
    } catch (err) {
      status = toZfcError(err).error.status;
      throw err;
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const labels = { method: ctx.method, route: typeof route === 'string' ? route : 'unmatched' };
      end(labels);
      requests.inc({ ...labels, status: String(status) });
    }
  };
  /** A gauge read at every scrape. */
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  };
  const watchCaptureJobs = (stats: () => CaptureJobStats): void => {
    gauge('zfc_epcis_capture_jobs_running', 'EPCIS capture jobs whose documents are in the ledger', () => stats().running);
    gauge('zfc_epcis_capture_jobs_waiting', 'EPCIS capture jobs waiting their turn', () => stats().waiting);
    gauge('zfc_epcis_capture_pending_bytes', 'Bytes of the documents of unfinished EPCIS capture jobs', () => stats().pendingBytes);
  };
  const watchEpcisStore = (size: () => number, stopped: () => boolean): void => {
    gauge('zfc_epcis_store_stopped', '1 once the EPCIS event store stopped following the ledger for lack of heap (/epcis answers 503 EPCIS_STORE_FULL), else 0', () => (stopped() ? 1 : 0));
    gauge('zfc_epcis_events', 'EPCIS events in the gateway\'s event store, all held in memory (about 2 kB each with the trace graph)', size);
  };
  const watchHeapRoom = (live: () => number, limitBytes: number): void => {
    gauge('zfc_heap_live_bytes', 'Heap in use just after the last full garbage collection (0 before the first)', live);
    gauge('zfc_capture_heap_limit_bytes', 'The live heap at which EPCIS capture is refused with 507 CAPTURE_NO_ROOM (CAPTURE_HEAP_LIMIT_MB)', () => limitBytes);
  };
  return { registry, scrape, middleware, indexLots, indexBlock, indexStopped, submits, watchCaptureJobs, watchEpcisStore, watchHeapRoom };
}
