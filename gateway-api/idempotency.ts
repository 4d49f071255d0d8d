/**
 * Idempotency-Key on writes: a retried request is recorded once and gets the first answer.
 *
 * The first answer to (API key, Idempotency-Key) is stored with a fingerprint of the request
 * (method, path, canonical JSON body). A retry with the same fingerprint gets the stored
 * answer; a different request under the same key is 422 IDEMPOTENCY_KEY_REUSED. Concurrent
 * duplicates wait for the first instead of racing it. Server errors (5xx) are not recorded,
 * so the caller can retry them.
 */
import { createHash } from 'node:crypto';
import type { AbstractSublevel } from 'abstract-level';
import { ZfcError } from '../chaincode/errors';
import { canonicalJson } from '../chaincode/canonical-json';

/** A recorded answer. */
export interface RecordedAnswer {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
  readonly at: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sub = AbstractSublevel<any, any, string, RecordedAnswer>;

/** The answer of a write: HTTP status and JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** What a retry gets instead of `body`, when the body holds a secret shown once (a new API key). */
  readonly replay?: unknown;
}

/** The fingerprint of a request. */
export function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${body === undefined ? '' : canonicalJson(body)}`).digest('hex');
}

/** Idempotency records. */
export class IdempotencyStore {
  private readonly inFlight = new Map<string, Promise<Answer>>();

  constructor(private readonly db: Sub) {}

  /** Runs `work` once per (scope, key); returns the first answer on a retry and whether it was replayed. */
  async run(scope: string, key: string | undefined, print: string, work: () => Promise<Answer>): Promise<Answer & { replayed: boolean }> {
    if (key === undefined) return { ...(await work()), replayed: false };
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw new ZfcError('INVALID_ARGUMENT', 'Idempotency-Key must be 1 to 200 printable ASCII characters', { field: 'Idempotency-Key' });
    }
    const id = `${scope}|${key}`;
    const pending = this.inFlight.get(id);
    if (pending) await pending.catch(() => undefined);
    const stored = await this.db.get(id);
    if (stored) {
      if (stored.fingerprint !== print) throw new ZfcError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request', { idempotencyKey: key });
      return { status: stored.status, body: stored.body, replayed: true };
    }
    const p = this.runOnce(id, print, work);
    this.inFlight.set(id, p);
    try {
      return { ...(await p), replayed: false };
    } finally {
      this.inFlight.delete(id);
    }
  }

  private async runOnce(id: string, print: string, work: () => Promise<Answer>): Promise<Answer> {
    try {
      const answer = await work();
      if (answer.status < 500) {
        const body = answer.replay !== undefined ? answer.replay : answer.body;
        await this.db.put(id, { fingerprint: print, status: answer.status, body, at: new Date().toISOString() });
      }
      return answer;
    } catch (err) {
      if (err instanceof ZfcError && err.status < 500) {
        await this.db.put(id, { fingerprint: print, status: err.status, body: err.toJSON(), at: new Date().toISOString() });
      }
      throw err;
    }
  }
}
