/**
 * The whole gateway in a process of its own, for the EPCIS capture bench: as `npm start` runs it
 * (openGateway and listen, its ledger in a thread of its own unless told otherwise, Node's
 * options from bin/zfc.js), with no demo data and a regulator to send as. A gateway is deployed
 * as its own process; run inside the bench's process it would share that process's heap, garbage
 * collector and compiled code with the bench's other ledgers and its in-process router, and be
 * measured slower than it runs.
 *
 * The bench forks this module and speaks to it over Node's IPC channel: the child first sends
 * {@link GatewayReady} (its address and the regulator's API key), then answers each
 * {@link GatewayRequest} with a {@link GatewayAnswer}. Requests are what the bench measured in
 * process before: a capture job's end (awaited, not polled), whether the trace index has caught
 * up, and counts of the EPCIS store. The child exits when the bench disconnects.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { gs1CheckDigit } from '../chaincode/gs1';
import { initialiseRegulator } from '../gateway-api/bootstrap';
import { loadConfig } from '../gateway-api/config';
import { listen, openGateway } from '../gateway-api/server';

/** Node's options for the gateway, as bin/zfc.js (`npm start`) gives them. */
export const GATEWAY_NODE_OPTIONS = ['--max-semi-space-size=64', '--heap-growing-percent=300'];

export interface GatewayReady {
  readonly ready: { readonly url: string; readonly key: string; readonly pid: number };
}

/** What the bench asks the gateway's process. */
export type GatewayQuestion =
  | { readonly op: 'job'; readonly captureID: string }
  | { readonly op: 'caughtUp' }
  | { readonly op: 'size' }
  | { readonly op: 'countSince'; readonly geEventTime: string };

export type GatewayRequest = GatewayQuestion & { readonly id: number };

export type GatewayAnswer = { readonly id: number; readonly result: unknown } | { readonly id: number; readonly error: string };

/** The outcome of one capture job, as the bench checks it. */
export interface JobOutcome {
  readonly success: boolean;
  readonly errors: readonly unknown[];
}

/** A gateway running in a child process, and how to ask it what the bench needs. */
export class GatewayProcess {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly key: string,
    /** The gateway's process ID: its CPU time is read from /proc/<pid>. */
    readonly pid: number,
  ) {
    child.on('message', (m: GatewayAnswer) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if ('error' in m) w.reject(new Error(m.error));
      else w.resolve(m.result);
    });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`the gateway process exited (${String(code)})`));
      this.waiting.clear();
    });
  }

  /** Forks the gateway over `dataDir` and waits until it listens with its EPCIS store ready. */
  static async start(dataDir: string, ledgerThread: boolean): Promise<GatewayProcess> {
    const child = fork(__filename, [dataDir, String(ledgerThread)], { execArgv: GATEWAY_NODE_OPTIONS, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const ready = await new Promise<GatewayReady['ready']>((resolve, reject) => {
      child.once('message', (m: GatewayReady) => resolve(m.ready));
      child.once('exit', (code) => reject(new Error(`the gateway process exited before it was ready (${String(code)})`)));
    });
    return new GatewayProcess(child, ready.url, ready.key, ready.pid);
  }

  private ask<T>(request: GatewayQuestion): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...request, id });
    });
  }

  /** The end of capture job `captureID`. */
  job(captureID: string): Promise<JobOutcome> {
    return this.ask({ op: 'job', captureID });
  }

  /** Whether the trace index has applied every block of the gateway's ledger. */
  caughtUp(): Promise<boolean> {
    return this.ask({ op: 'caughtUp' });
  }

  /** The events in the gateway's EPCIS store. */
  size(): Promise<number> {
    return this.ask({ op: 'size' });
  }

  /** The events in the store whose eventTime is `geEventTime` or later. */
  countSince(geEventTime: string): Promise<number> {
    return this.ask({ op: 'countSince', geEventTime });
  }

  /** Closes the gateway (it closes its ledger) and waits for its process to end. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const ended = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await ended;
  }
}

/** The child's side: runs the gateway over argv's data folder and answers the bench. */
async function serve(dataDir: string, ledgerThread: string): Promise<void> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ZFC_DATA: dataDir, RATE_LIMIT: '1000000', RATE_BURST: '1000000', LEDGER_THREAD: ledgerThread });
  const parts = await openGateway(config);
  const running = await listen(parts, config);
  await parts.epcisReady;
  const { key } = await initialiseRegulator(running, { id: 'samr', name: 'Bench Regulator', licence: 'REG-BENCH', gln: `695000000001${gs1CheckDigit('695000000001')}` });
  const answer = async (m: GatewayRequest): Promise<unknown> => {
    switch (m.op) {
      case 'job': {
        const job = parts.captureJobs.get(m.captureID);
        if (!job) throw new Error(`no capture job ${m.captureID}`);
        await job.done;
        return { success: job.success, errors: job.errors } satisfies JobOutcome;
      }
      case 'caughtUp':
        return parts.index.caughtUp(parts.ledger);
      case 'size':
        return parts.epcis.size;
      case 'countSince': {
        let count = 0;
        for (let token: string | undefined; token !== ''; ) {
          const page = await parts.epcis.query({ perPage: 1000, geEventTime: m.geEventTime }, token ?? '');
          count += page.events.length;
          token = page.nextPageToken;
        }
        return count;
      }
    }
  };
  process.on('message', (m: GatewayRequest) => {
    answer(m).then(
      (result) => process.send?.({ id: m.id, result }),
      (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.once('disconnect', () => {
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`bench gateway: closing failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
  process.send?.({ ready: { url: running.url, key, pid: process.pid } } satisfies GatewayReady);
}

if (require.main === module) {
  serve(process.argv[2] ?? '', process.argv[3] ?? 'true').catch((err: unknown) => {
    process.stderr.write(`bench gateway: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
