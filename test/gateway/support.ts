/**
 * Helpers of the gateway's HTTP tests: a real gateway on port 0 over a fresh embedded ledger
 * in a temporary folder, a small JSON client, valid GS1 identifiers, and what the heap guards'
 * tests need: a forced full collection and a metric's value.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gs1CheckDigit } from '../../chaincode/gs1';
import { loadConfig, type GatewayConfig } from '../../gateway-api/config';
import { startGateway, type RunningGateway } from '../../gateway-api/server';
import { initialiseRegulator } from '../../gateway-api/bootstrap';

/** A GS1 key with its check digit: `body` without the last digit. */
export function withCheck(body: string): string {
  return body + String(gs1CheckDigit(body));
}

/** The `n`th test GLN (695000000001 is the test regulator's). */
export const gln = (n: number): string => withCheck(`69500000${String(n).padStart(4, '0')}`);

/** A running test gateway and the regulator's key. */
export interface TestGateway {
  readonly gw: RunningGateway;
  readonly dir: string;
  readonly config: GatewayConfig;
  readonly regulatorKey: string;
  /** Closes its gateway and removes its folder (the gateway it holds when called: a test may restart it as `{ ...t, gw }`). */
  stop(this: TestGateway): Promise<void>;
}

async function stopTestGateway(this: TestGateway): Promise<void> {
  await this.gw.close();
  await removeDir(this.dir);
}

/** Starts a gateway in `dir` (a fresh temp folder when absent). */
export async function startTestGateway(dir?: string, env: Record<string, string> = {}): Promise<TestGateway> {
  const data = dir ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-gw-')));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ZFC_DATA: data, RATE_LIMIT: '100000', RATE_BURST: '100000', ...env });
  const gw = await startGateway(config);
  const reg = await initialiseRegulator(gw, { id: 'samr', name: 'Market Regulator', licence: 'REG-1', gln: gln(1) });
  return { gw, dir: data, config, regulatorKey: reg.key, stop: stopTestGateway };
}

/** A JSON answer. */
export interface Reply {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly text: string;
  readonly headers: Headers;
}

/** Sends a request; `body` is sent as JSON unless it is a string. */
export async function call(
  base: string,
  method: string,
  url: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key) headers['authorization'] = `Bearer ${options.key}`;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + url, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** POSTs `body` with `key` and expects 201 (the message names `who` and the answer): a test's setup writes. */
export async function created(base: string, key: string, url: string, body: unknown, who = ''): Promise<Reply> {
  const r = await call(base, 'POST', url, { key, body });
  expect(r.status, `${who} POST ${url}: ${r.text}`).to.equal(201);
  return r;
}

/** Removes a temp folder. */
export async function removeDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true });
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * A full garbage collection, then a turn of the event loop so that the gateway's heap watcher
 * (gateway-api/heap-room.ts) has read the heap live after it.
 */
export async function fullCollection(): Promise<void> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The value of a metric without labels in a /metrics exposition. */
export function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}
