/**
 * Capture jobs (EPCIS 2.0 §12 capture interface): `POST /epcis/capture` answers 202 at once
 * with a job; the document is then submitted to the ledger and the job records how it ended
 * and, on failure, each rejected event and why. The list is bounded: the ledger, not the job
 * list, is the record of what was captured.
 *
 * With records (epcis-records.ts) each job is kept in the gateway's database, and so is the
 * work of a job still running (its document), until it ends. After a restart,
 * {@link CaptureJobs.restore} runs the unfinished ones again: capture records a repeated eventID
 * (or content hash) once, so a document the ledger had already taken ends as duplicates.
 */
import { randomUUID } from 'node:crypto';
import { ZfcError } from '../chaincode/errors';
import type { EpcisRecords } from './epcis-records';

/** What a job's work settles with. */
export type CaptureCounts = { captured: number; duplicates: number };

/** A capture job as the standard's REST binding describes it. */
export interface CaptureJob {
  readonly captureID: string;
  readonly createdAt: string;
  finishedAt?: string;
  running: boolean;
  success: boolean;
  readonly captureErrorBehaviour: 'rollback';
  /** Number of events in the document. */
  readonly eventCount: number;
  /** Events written and events skipped as already recorded, once finished. */
  captured?: number;
  duplicates?: number;
  /** Why it failed: the error, and each rejected event's JSON pointer and reason. */
  errors: Array<{ code: string; message: string; path?: string }>;
  /** Settles when the job finishes (not part of the job's JSON: see {@link jobJson}). */
  done?: Promise<void>;
}

/** A job's JSON form, as `GET /epcis/capture/{captureID}` answers. */
export function jobJson(job: CaptureJob): Omit<CaptureJob, 'done'> {
  const json: CaptureJob = { ...job };
  delete json.done;
  return json;
}

/** Jobs kept before the oldest are forgotten. */
export const MAX_JOBS = 10_000;

/** The capture jobs of one gateway. */
export class CaptureJobs {
  private readonly jobs = new Map<string, CaptureJob>();
  /** Once closing, outcomes are no longer recorded: a job cut short by shutdown resumes on restart. */
  private closing = false;

  constructor(
    private readonly clock: () => Date = () => new Date(),
    private readonly records?: EpcisRecords,
  ) {}

  /**
   * Takes up the jobs the records hold; each one left running is run again with
   * `rerun(saved)`, `saved` being what {@link start} was given. Call once, before serving.
   */
  async restore<S>(rerun: (saved: S) => () => Promise<CaptureCounts>): Promise<void> {
    if (!this.records) return;
    const saved = new Map(await this.records.list<S>('w|'));
    const jobs = (await this.records.list<CaptureJob>('j|')).map(([, j]) => j).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    for (const job of jobs) {
      this.remember(job);
      const work = saved.get(job.captureID);
      if (job.running && work !== undefined) this.run(job, rerun(work));
      else if (job.running) this.fail(job, new ZfcError('INTERNAL', 'the gateway stopped before the capture ended'));
    }
  }

  /**
   * Starts a job that settles with `work`. Returns at once. `saved` (JSON) is kept with a
   * running job so {@link restore} can run it again after a restart.
   */
  start(eventCount: number, work: () => Promise<CaptureCounts>, saved?: unknown): CaptureJob {
    const job: CaptureJob = {
      captureID: randomUUID(),
      createdAt: this.clock().toISOString(),
      running: true,
      success: false,
      captureErrorBehaviour: 'rollback',
      eventCount,
      errors: [],
    };
    this.remember(job);
    if (this.records && saved !== undefined) void this.records.put(`w|${job.captureID}`, saved).catch(() => undefined);
    this.run(job, work);
    return job;
  }

  /** Stops recording outcomes (the gateway is shutting down; unfinished jobs stay resumable). */
  close(): void {
    this.closing = true;
  }

  private remember(job: CaptureJob): void {
    this.jobs.set(job.captureID, job);
    if (this.jobs.size <= MAX_JOBS) return;
    const oldest = this.jobs.keys().next().value as string;
    this.jobs.delete(oldest);
    void this.records?.del(`j|${oldest}`).catch(() => undefined);
  }

  private run(job: CaptureJob, work: () => Promise<CaptureCounts>): void {
    void this.records?.put(`j|${job.captureID}`, jobJson(job)).catch(() => undefined);
    job.done = work().then(
      (r) => this.finish(job, true, r),
      (err: unknown) => this.fail(job, err),
    );
  }

  /** A job by ID, or undefined. */
  get(captureID: string): CaptureJob | undefined {
    return this.jobs.get(captureID);
  }

  private finish(job: CaptureJob, success: boolean, r?: CaptureCounts): void {
    job.running = false;
    job.success = success;
    job.finishedAt = this.clock().toISOString();
    if (r) {
      job.captured = r.captured;
      job.duplicates = r.duplicates;
    }
    if (!this.records || this.closing) return;
    void this.records.put(`j|${job.captureID}`, jobJson(job)).catch(() => undefined);
    void this.records.del(`w|${job.captureID}`).catch(() => undefined);
  }

  private fail(job: CaptureJob, err: unknown): void {
    const e = err instanceof ZfcError ? err : new ZfcError('INTERNAL', 'the capture failed');
    const perField = Array.isArray(e.details['errors']) ? (e.details['errors'] as Array<{ path: string; message: string }>) : [];
    const path = typeof e.details['path'] === 'string' ? e.details['path'] : undefined;
    job.errors =
      perField.length > 0
        ? perField.map((f) => ({ code: e.code, message: f.message, path: f.path }))
        : [{ code: e.code, message: e.text, ...(path !== undefined ? { path } : {}) }];
    this.finish(job, false);
  }
}
