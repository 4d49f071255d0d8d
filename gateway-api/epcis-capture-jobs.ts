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
 *
 * Jobs take turns ({@link CaptureLimits}): a few run at once (their documents in the ledger),
 * the others wait, each participant's in the order sent and the participants in turn, so one
 * participant's backlog does not hold up another's capture. What unfinished jobs hold is
 * bounded: a document that would take the waiting documents past the limit, or its sender's
 * past half of it, is refused (503 CAPTURE_BUSY, with Retry-After) before anything is
 * recorded. Without turns, a burst of documents all went into the ledger at once: each was
 * executed interleaved with all the others, so the burst took longer and held every document's
 * objects in memory at the same time.
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

/** How many jobs run at once, and how much unfinished jobs may hold (the gateway's CAPTURE_CONCURRENCY, CAPTURE_PENDING_BYTES). */
export interface CaptureLimits {
  /** Jobs whose documents are in the ledger at once; the others wait their turn. */
  readonly running?: number;
  /**
   * The documents of unfinished jobs (waiting or running), in UTF-8 bytes, that a new document
   * may not take the total past, nor its sender's own past half of; a document is always taken
   * when nothing is unfinished (the body limit bounds it) or, within the total, when its sender
   * has nothing unfinished.
   */
  readonly pendingBytes?: number;
  /**
   * Asked again when a job's turn comes, and throws when there is no room to capture (the
   * gateway's HeapRoom: CAPTURE_NO_ROOM). A document admitted while there was room may wait
   * behind others' (CAPTURE_PENDING_BYTES of them), and the heap can fill meanwhile: the job then
   * fails with that error and records nothing.
   */
  readonly room?: { assertRoom(): void };
}

/**
 * Two jobs in the ledger at once: while one executes the next is on its way there (its reads,
 * its block's commit). Measured on two cores (bench/epcis.bench.ts): with 1 the ledger waits
 * between documents, and beyond 2 documents only interleave, each slower and all in memory.
 * A job's turn in the ledger ends when the ledger has committed its document
 * ({@link CaptureWork}), not when the gateway's followers have its events: the next document
 * executes while they apply the last.
 */
export const DEFAULT_CAPTURE_RUNNING = 2;

/**
 * A job's work: captures its document and settles with the counts. It calls `committed` once
 * the ledger has committed the document's transaction, if it can tell; that ends the job's
 * turn in the ledger, and the next waiting job starts while this one waits for the rest of its
 * work (the gateway's projection applying its events). Work that never calls it holds its turn
 * until it settles.
 */
export type CaptureWork = (committed: () => void) => Promise<CaptureCounts>;

/** 128 MiB of documents: two documents of the largest body a capture takes (64 MiB), or about 30 s of the ledger's capture work. */
export const DEFAULT_CAPTURE_PENDING_BYTES = 128 * 1024 * 1024;

/** The rate a Retry-After counts on the jobs ahead to clear room at: below what the ledger captures (bench-like events, about 5 MB/s on two cores). */
const DRAIN_BYTES_PER_SECOND = 4 * 1024 * 1024;

/** A sender with unfinished jobs: those waiting for their turn (in order), how many and what they hold, and when it was last served. */
interface Sender {
  readonly turns: Array<() => void>;
  jobs: number;
  bytes: number;
  /** The count of jobs started when its last one started (-1: not yet). */
  served: number;
}

/** How many jobs run and wait, and what their documents hold, in bytes. */
export interface CaptureJobStats {
  readonly running: number;
  readonly waiting: number;
  readonly pendingBytes: number;
}

/** What a job's admission knows of it: whose it is and what its document holds. */
export interface CaptureAdmission {
  /** The sender: its jobs wait in the order sent, and take turns with others'. */
  readonly owner?: string;
  /** The document's UTF-8 bytes. */
  readonly bytes?: number;
}

/** A job as the records keep it: its JSON and whose it is (absent in records written before jobs were listed). */
type JobRecord = Omit<CaptureJob, 'done'> & { readonly owner?: string };

/** One page of a sender's jobs, newest first, and where the next begins (none: the last page). */
export interface CaptureJobPage {
  readonly jobs: readonly CaptureJob[];
  readonly next?: number;
}

/**
 * A job's saved work as stored: its JSON, except that a `document` given as text goes after the
 * JSON of the rest and a line break, as it is. The document is nearly all of it, and JSON would
 * escape each of its quotes: for the bench's documents (bench/epcis-events.ts) the job's two
 * writes cost about 3.4 µs of CPU per event so, and 1.8 as the text came.
 */
export function savedText(saved: unknown): string {
  if (saved !== null && typeof saved === 'object' && typeof (saved as { document?: unknown }).document === 'string') {
    const { document, ...rest } = saved as { document: string };
    return `${JSON.stringify(rest)}\n${document}`;
  }
  return JSON.stringify(saved);
}

/** The saved work {@link savedText} stored, or a JSON record stored before it (JSON text never holds a bare line break). */
export function savedOf(text: string): unknown {
  const end = text.indexOf('\n');
  if (end < 0) return JSON.parse(text) as unknown;
  return { ...(JSON.parse(text.slice(0, end)) as object), document: text.slice(end + 1) };
}

/** The capture jobs of one gateway. */
export class CaptureJobs {
  /** Each job kept, oldest first, with whose it is and its place in the order jobs were taken (what {@link list} pages by). */
  private readonly jobs = new Map<string, { readonly job: CaptureJob; readonly owner: string; readonly seq: number }>();
  private seq = 0;
  /** Once closing, outcomes are no longer recorded: a job cut short by shutdown resumes on restart. */
  private closing = false;
  /** Each job's last write, so its next one goes after it (level does not order separate writes). */
  private readonly writes = new Map<string, Promise<void>>();
  /** The first write of each job started here (what {@link recorded} waits for). */
  private readonly firstWrites = new WeakMap<CaptureJob, Promise<void>>();
  private readonly maxRunning: number;
  private readonly maxPendingBytes: number;
  private readonly room: { assertRoom(): void } | undefined;
  /** Senders with unfinished jobs (a sender with none is forgotten: new again when it sends). */
  private readonly senders = new Map<string, Sender>();
  /** Jobs started so far: a sender's `served` is this count when its last job started. */
  private starts = 0;
  private running = 0;
  private waitingJobs = 0;
  /** What unfinished jobs' documents hold, in all. */
  private pendingBytes = 0;

  constructor(
    private readonly clock: () => Date = () => new Date(),
    private readonly records?: EpcisRecords,
    limits: CaptureLimits = {},
  ) {
    this.maxRunning = limits.running ?? DEFAULT_CAPTURE_RUNNING;
    this.maxPendingBytes = limits.pendingBytes ?? DEFAULT_CAPTURE_PENDING_BYTES;
    this.room = limits.room;
    if (!Number.isSafeInteger(this.maxRunning) || this.maxRunning < 1) throw new TypeError('limits.running must be a positive whole number');
    if (!Number.isSafeInteger(this.maxPendingBytes) || this.maxPendingBytes < 1) throw new TypeError('limits.pendingBytes must be a positive whole number');
  }

  /**
   * Takes up the jobs the records hold; each one left running is run again with
   * `rerun(saved)`, `saved` being what {@link start} was given, in the order they were created
   * and in turns as any others (`ownerOf(saved)` names whose). Call once, before serving. They
   * were taken before the restart, so no limit of documents refuses them, and they hold no share
   * of it; the room to capture is asked at their turn, as for any job.
   */
  async restore<S>(rerun: (saved: S) => CaptureWork, ownerOf: (saved: S) => string = () => ''): Promise<void> {
    if (!this.records) return;
    const saved = new Map((await this.records.listText('w|')).map(([id, text]) => [id, savedOf(text) as S]));
    const records = (await this.records.list<JobRecord>('j|')).map(([, j]) => j).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    for (const { owner, ...job } of records) {
      const work = saved.get(job.captureID);
      this.remember(job, owner ?? (work !== undefined ? ownerOf(work) : ''));
      if (job.running && work !== undefined) {
        job.success = true; // running again from the start, no error so far (records of earlier versions said false)
        this.queue(job, rerun(work), ownerOf(work), 0);
      }
      else if (job.running) this.fail(job, new ZfcError('INTERNAL', 'the gateway stopped before the capture ended'));
    }
  }

  /** Jobs in the ledger and waiting their turn, and what unfinished jobs' documents hold (the gateway's metrics). */
  stats(): CaptureJobStats {
    return { running: this.running, waiting: this.waitingJobs, pendingBytes: this.pendingBytes };
  }

  /**
   * Refuses (503 CAPTURE_BUSY, with Retry-After) a document the unfinished jobs have no room
   * for ({@link CaptureLimits.pendingBytes}); {@link start} asks too, so a route may ask first,
   * with the declared Content-Length, before it reads and checks the body.
   */
  admit(admission: CaptureAdmission = {}): void {
    const owner = admission.owner ?? '';
    const bytes = admission.bytes ?? 0;
    const mine = this.senders.get(owner)?.bytes ?? 0;
    const total = this.pendingBytes + bytes;
    if (this.pendingBytes === 0 || (total <= this.maxPendingBytes && (mine === 0 || mine + bytes <= this.maxPendingBytes / 2))) return;
    const whose = total > this.maxPendingBytes ? 'the gateway' : 'this participant';
    // when the jobs ahead will have freed the room this document needs, at the rate the ledger clears them
    const needed = Math.max(total - this.maxPendingBytes, mine + bytes - this.maxPendingBytes / 2);
    throw new ZfcError('CAPTURE_BUSY', `${whose} has as many documents waiting to be captured as it keeps (${this.maxPendingBytes} bytes in all, half of it per participant); send this one again later`, {
      pendingBytes: this.pendingBytes,
      participantPendingBytes: mine,
      documentBytes: bytes,
      limitBytes: this.maxPendingBytes,
      retryAfterSeconds: Math.min(60, Math.max(1, Math.ceil(needed / DRAIN_BYTES_PER_SECOND))),
    });
  }

  /**
   * Starts a job that settles with `work`, run when its turn comes. Returns at once. `saved`
   * (JSON) is kept with an unfinished job so {@link restore} can run it again after a restart.
   *
   * @throws ZfcError CAPTURE_BUSY when the unfinished jobs have no room for it ({@link admit}); nothing is recorded.
   */
  start(eventCount: number, work: CaptureWork, saved?: unknown, behaviour: CaptureErrorBehaviour = 'rollback', admission: CaptureAdmission = {}): CaptureJob {
    this.admit(admission);
    const job: CaptureJob = {
      captureID: randomUUID(),
      createdAt: this.clock().toISOString(),
      running: true,
      success: true, // no error so far: GS1's binding reads running with success false as "failing, rolling back"
      captureErrorBehaviour: behaviour,
      eventCount,
      errors: [],
    };
    this.remember(job, admission.owner ?? '');
    this.firstWrites.set(job, this.write(job.captureID, [
      { type: 'put', key: `j|${job.captureID}`, value: this.recordOf(job) },
      ...(saved !== undefined ? [{ type: 'put', key: `w|${job.captureID}`, value: savedText(saved), valueEncoding: 'utf8' } as const] : []),
    ]));
    this.queue(job, work, admission.owner ?? '', admission.bytes ?? 0);
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

  private remember(job: CaptureJob, owner: string): void {
    this.jobs.set(job.captureID, { job, owner, seq: ++this.seq });
    if (this.jobs.size <= MAX_JOBS) return;
    const oldest = this.jobs.keys().next().value as string;
    this.jobs.delete(oldest);
    void this.write(oldest, [{ type: 'del', key: `j|${oldest}` }]).catch(() => undefined);
  }

  /** Queues a job for its turn; its `bytes` count as unfinished until it ends. */
  private queue(job: CaptureJob, work: CaptureWork, owner: string, bytes: number): void {
    let sender = this.senders.get(owner);
    if (!sender) this.senders.set(owner, (sender = { turns: [], jobs: 0, bytes: 0, served: -1 }));
    const mine = sender;
    mine.jobs++;
    mine.bytes += bytes;
    this.pendingBytes += bytes;
    this.waitingJobs++;
    /** Whether the job holds one of the turns in the ledger (from its start until its document is committed, or it settles). */
    let inLedger = false;
    const leaveLedger = (): void => {
      if (!inLedger) return;
      inLedger = false;
      this.running--;
      this.next();
    };
    const turn = new Promise<void>((resolve) => mine.turns.push(() => {
      inLedger = true;
      resolve();
    }));
    job.done = turn
      .then(() => {
        this.room?.assertRoom();
        return work(leaveLedger);
      })
      .then(
        (r) => {
          // proceeding past refused events: the job ends unsuccessful, naming each (the rest are captured)
          const refused = r.rejected ?? [];
          if (refused.length > 0) job.errors = refused.map(rejectedProblem);
          this.finish(job, refused.length === 0, r);
        },
        (err: unknown) => this.fail(job, err),
      )
      .finally(() => {
        this.pendingBytes -= bytes;
        mine.bytes -= bytes;
        if (--mine.jobs === 0) this.senders.delete(owner); // nothing left: new again when it sends, and the map stays as small as the senders at work
        leaveLedger();
      });
    this.next();
  }

  /** Starts waiting jobs while there is room, each the first of the waiting sender served longest ago. */
  private next(): void {
    while (this.running < this.maxRunning && this.waitingJobs > 0 && !this.closing) {
      let first: Sender | undefined;
      for (const sender of this.senders.values()) if (sender.turns.length > 0 && (!first || sender.served < first.served)) first = sender;
      const go = first?.turns.shift();
      if (!first || !go) return;
      first.served = ++this.starts;
      this.waitingJobs--;
      this.running++;
      go();
    }
  }

  /**
   * A job by ID, or undefined; with `reader`, only a job that is the reader's (or whose owner
   * its record, from before jobs had owners, does not say).
   */
  get(captureID: string, reader?: string): CaptureJob | undefined {
    const kept = this.jobs.get(captureID);
    return kept && (reader === undefined || !kept.owner || kept.owner === reader) ? kept.job : undefined;
  }

  /**
   * A page of `owner`'s jobs that are still kept, newest first: at most `perPage`, taken before
   * position `before` (a page's `next`; from the newest without one). Jobs that records from
   * before jobs had owners restored are listed to no one (each is still read by its ID).
   */
  list(owner: string, perPage: number, before = Number.POSITIVE_INFINITY): CaptureJobPage {
    const jobs: CaptureJob[] = [];
    if (owner === '') return { jobs };
    const kept = [...this.jobs.values()];
    let last = 0;
    for (let i = kept.length - 1; i >= 0; i--) {
      const k = kept[i] as (typeof kept)[number];
      if (k.seq >= before || k.owner !== owner) continue;
      if (jobs.length === perPage) return { jobs, next: last };
      jobs.push(k.job);
      last = k.seq;
    }
    return { jobs };
  }

  /** A job as its records keep it: its JSON, and whose it is. */
  private recordOf(job: CaptureJob): JobRecord {
    return { ...jobJson(job), owner: this.jobs.get(job.captureID)?.owner ?? '' };
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
    void this.write(job.captureID, [{ type: 'put', key: `j|${job.captureID}`, value: this.recordOf(job) }, { type: 'del', key: `w|${job.captureID}` }]).catch(() => undefined);
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
