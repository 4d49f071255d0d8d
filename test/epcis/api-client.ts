/**
 * Participants calling a test gateway through its HTTP API, as the EPCIS gateway tests use them:
 * each by name with the API key it was registered with, captures followed until their job ends,
 * and the trace index awaited until it has every committed block.
 */
import { expect } from 'chai';
import type { RunningGateway } from '../../gateway-api/server';
import type { TraceGraph } from '../../gateway-api/trace-model';
import { call, type Reply } from '../gateway/support';
import { documentOf } from './fixtures';

/** A capture job's JSON, as GET /epcis/capture/{id} answers. */
export type CaptureJobBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Named participants' calls to one gateway. */
export class ApiClient {
  /** API keys by participant name. */
  readonly keys: Record<string, string> = {};

  /** `base(url)`: where a request for `url` goes (a getter, so a restarted gateway is followed). */
  constructor(private readonly base: (url: string) => string) {}

  /** A request as participant `who`; `body` is sent as JSON (a string as it is, of `type`). */
  as(who: string, method: string, url: string, body?: unknown, type?: string): Promise<Reply> {
    return call(this.base(url), method, url, { key: this.keys[who] as string, ...(body !== undefined ? { body } : {}), ...(type ? { headers: { 'content-type': type } } : {}) });
  }

  /** Registers participants through `by` (a regulator), each 201, and keeps their API keys. */
  async register(by: string, participants: ReadonlyArray<{ readonly id: string } & Record<string, unknown>>): Promise<void> {
    for (const p of participants) {
      const r = await this.as(by, 'POST', '/v1/participants', p);
      expect(r.status, r.text).to.equal(201);
      this.keys[p.id] = r.body.apiKey;
    }
  }

  /** POSTs the events as one document (202) and follows the job until it ends; returns the job. */
  capture(who: string, events: unknown[]): Promise<CaptureJobBody> {
    return this.captureDocument(who, documentOf(events));
  }

  /** POSTs a document (202; a string as it is, of `type`) and follows the job until it ends; returns the job. */
  async captureDocument(who: string, document: unknown, type?: string): Promise<CaptureJobBody> {
    const r = await this.as(who, 'POST', '/epcis/capture', document, type);
    expect(r.status, r.text).to.equal(202);
    for (let i = 0; i < 500; i++) {
      const job = await this.as(who, 'GET', String(r.headers.get('location')));
      if (!job.body.running) return job.body;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error('capture job did not finish');
  }

  /** GET /v1/trace/{direction}?{params} as `who`, expecting `status`; the graph (the body) it answered. */
  async trace(who: string, direction: 'back' | 'forward', params: string, status = 200): Promise<TraceGraph> {
    const r = await this.as(who, 'GET', `/v1/trace/${direction}?${params}`);
    expect(r.status, r.text).to.equal(status);
    return r.body as TraceGraph;
  }

  /** {@link capture}, expecting the job to succeed. */
  async captureOk(who: string, events: unknown[]): Promise<CaptureJobBody> {
    const job = await this.capture(who, events);
    expect(job['success'], JSON.stringify(job['errors'])).to.equal(true);
    return job;
  }
}

/** Resolves once the gateway's trace index has applied every block committed so far (10 s at most). */
export async function traceIndexed(gw: RunningGateway): Promise<void> {
  const last = (await gw.ledger.height()) - 1;
  for (let i = 0; i < 500 && (gw.index.checkpoint?.blockNumber ?? -1) < last; i++) await new Promise((res) => setTimeout(res, 20));
}
