/**
 * Capture jobs (EPCIS 2.0 §12 capture interface): `POST /epcis/capture` answers 202 at once
 * with a job; the document is then submitted to the ledger and the job records how it ended
 * and, on failure, each rejected event and why. Jobs live in memory, bounded: the ledger, not
 * the job list, is the record of what was captured.
 */
import { randomUUID } from 'node:crypto';
import { ZfcError } from '../chaincode/errors';

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

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** Starts a job that settles with `work`. Returns at once. */
  start(eventCount: number, work: () => Promise<{ captured: number; duplicates: number }>): CaptureJob {
    const job: CaptureJob = {
      captureID: randomUUID(),
      createdAt: this.clock().toISOString(),
      running: true,
      success: false,
      captureErrorBehaviour: 'rollback',
      eventCount,
      errors: [],
    };
    this.jobs.set(job.captureID, job);
    if (this.jobs.size > MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value as string);
    job.done = work().then(
      (r) => this.finish(job, true, r),
      (err: unknown) => this.fail(job, err),
    );
    return job;
  }

  /** A job by ID, or undefined. */
  get(captureID: string): CaptureJob | undefined {
    return this.jobs.get(captureID);
  }

  private finish(job: CaptureJob, success: boolean, r?: { captured: number; duplicates: number }): void {
    job.running = false;
    job.success = success;
    job.finishedAt = this.clock().toISOString();
    if (r) {
      job.captured = r.captured;
      job.duplicates = r.duplicates;
    }
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
