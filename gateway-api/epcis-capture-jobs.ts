/**
 * Capture jobs (EPCIS 2.0 §12 capture interface): `POST /epcis/capture` answers 202 at once
 * with a job; the document is then submitted to the ledger and the job records how it ended
 * and, on failure, each rejected event and why. The list is bounded: the ledger, not the job
 * list, is the record of what was captured.
 *
 * With records (epcis-records.ts) each job is kept in the gateway's database, and so is the
 * work of a job still running (its document), until it ends: the job and its work are written
 * in one batch that the route awaits before answering 202 (an acknowledged job is on record),
 * and each job's later writes follow its earlier ones in order (a finished job is never
 * overwritten by its own "running" record). After a restart,
 * {@link CaptureJobs.restore} runs the unfinished ones again: capture records a repeated eventID
 * (or content hash) once, so a document the ledger had already taken ends as duplicates.
 */
import { randomUUID } from 'node:crypto';
import { isErrorCode, ZfcError } from '../chaincode/errors';
import { problemOf } from './epcis-problems';
import type { EpcisRecords, RecordOp } from './epcis-records';
import type { CaptureErrorBehaviour } from '../chaincode/epcis-capture';
import type { RejectedEvent } from '../chaincode/epcis-ledger';

/** What a job's work settles with: counts, and the events a proceeding capture left out. */
export type CaptureCounts = { captured: number; duplicates: number; rejected?: readonly RejectedEvent[]; masterDataElements?: number };

/** A capture job as the standard's REST binding describes it. */
export interface CaptureJob {
  readonly captureID: string;
  readonly createdAt: string;
  finishedAt?: string;
  running: boolean;
  success: boolean;
  readonly captureErrorBehaviour: CaptureErrorBehaviour;
  /** Number of events in the document. */
  readonly eventCount: number;
  /** Events written and events skipped as already recorded, once finished. */
  captured?: number;
  duplicates?: number;
  /** Vocabulary elements (master data) the document's header declared and the ledger recorded, when any. */
  masterDataElements?: number;
  /**
   * Why it failed: the error, and each rejected event's JSON pointer and reason, each also as
   * the standard's RFC 7807 problem (`type`, `title`, `status`: epcis-problems.ts).
   */
  errors: Array<{ type: string; title: string; status: number; code: string; message: string; path?: string; errors?: readonly unknown[] }>;
  /** Settles when the job finishes (not part of the job's JSON: see {@link jobJson}). */
  done?: Promise<void>;
}

/** A job's JSON form, as `GET /epcis/capture/{captureID}` answers. */
export function jobJson(job: CaptureJob): Omit<CaptureJob, 'done'> {
  const json: CaptureJob = { ...job };
  delete json.done;
  return json;
}

/** An event a proceeding capture left out, as a job error: the standard's problem, the project's code, where and why. */
function rejectedProblem(r: RejectedEvent): CaptureJob['errors'][number] {
  const { type, title, status } = problemOf(new ZfcError(isErrorCode(r.code) ? r.code : 'INVALID_ARGUMENT', r.message), 'POST', '/epcis/capture');
  return { type, title, status, code: r.code, message: r.message, path: r.path, ...(r.errors ? { errors: r.errors } : {}) };
}

/** Jobs kept before the oldest are forgotten. */
export const MAX_JOBS = 10_000;

/** The capture jobs of one gateway. */
export class CaptureJobs {
  private readonly jobs = new Map<string, CaptureJob>();
  /** Once closing, outcomes are no longer recorded: a job cut short by shutdown resumes on restart. */
  private closing = false;
  /** Each job's last write, so its next one goes after it (level does not order separate writes). */
  private readonly writes = new Map<string, Promise<void>>();
  /** The first write of each job started here (what {@link recorded} waits for). */
  private readonly firstWrites = new WeakMap<CaptureJob, Promise<void>>();

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
  start(eventCount: number, work: () => Promise<CaptureCounts>, saved?: unknown, behaviour: CaptureErrorBehaviour = 'rollback'): CaptureJob {
    const job: CaptureJob = {
      captureID: randomUUID(),
      createdAt: this.clock().toISOString(),
      running: true,
      success: false,
      captureErrorBehaviour: behaviour,
      eventCount,
      errors: [],
    };
    this.remember(job);
    this.firstWrites.set(job, this.write(job.captureID, [
      { type: 'put', key: `j|${job.captureID}`, value: jobJson(job) },
      ...(saved !== undefined ? [{ type: 'put', key: `w|${job.captureID}`, value: saved } as const] : []),
    ]));
    this.run(job, work);
    return job;
  }

  /**
   * Settles once what {@link start} wrote of the job is stored (at once without records), and
   * rejects if it could not be: answer 202 only after it, so a job the client was told about
   * survives a restart.
   */
  recorded(job: CaptureJob): Promise<void> {
    return this.firstWrites.get(job) ?? Promise.resolve();
  }

  /**
   * Writes a job's records after its earlier writes. The returned promise rejects if this write
   * fails (the records also report it); later writes of the job go on either way.
   */
  private write(captureID: string, ops: RecordOp[]): Promise<void> {
    const records = this.records;
    if (!records) return Promise.resolve();
    const before = this.writes.get(captureID);
    const attempt = before ? before.then(() => records.batch(ops)) : records.batch(ops); // issued now when nothing is pending
    const settled = attempt.catch(() => undefined); // also marks the attempt handled
    this.writes.set(captureID, settled);
    void settled.then(() => {
      if (this.writes.get(captureID) === settled) this.writes.delete(captureID);
    });
    return attempt;
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
    void this.write(oldest, [{ type: 'del', key: `j|${oldest}` }]).catch(() => undefined);
  }

  private run(job: CaptureJob, work: () => Promise<CaptureCounts>): void {
    job.done = work().then(
      (r) => {
        // proceeding past refused events: the job ends unsuccessful, naming each (the rest are captured)
        const refused = r.rejected ?? [];
        if (refused.length > 0) job.errors = refused.map(rejectedProblem);
        this.finish(job, refused.length === 0, r);
      },
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
      if (r.masterDataElements !== undefined) job.masterDataElements = r.masterDataElements;
    }
    if (this.closing) return;
    void this.write(job.captureID, [{ type: 'put', key: `j|${job.captureID}`, value: jobJson(job) }, { type: 'del', key: `w|${job.captureID}` }]).catch(() => undefined);
  }

  private fail(job: CaptureJob, err: unknown): void {
    const e = err instanceof ZfcError ? err : new ZfcError('INTERNAL', 'the capture failed');
    const perField = Array.isArray(e.details['errors']) ? (e.details['errors'] as Array<{ path: string; message: string }>) : [];
    const path = typeof e.details['path'] === 'string' ? e.details['path'] : undefined;
    const { type, title, status } = problemOf(e, 'POST', '/epcis/capture');
    job.errors =
      perField.length > 0
        ? perField.map((f) => ({ type, title, status, code: e.code, message: f.message, path: f.path }))
        : [{ type, title, status, code: e.code, message: e.text, ...(path !== undefined ? { path } : {}) }];
    this.finish(job, false);
  }
}
