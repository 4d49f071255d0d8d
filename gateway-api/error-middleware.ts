/**
 * The one place errors become HTTP: first in the middleware chain, it turns every failure
 * into `{ "error": { "code", "message", "details" } }` with the catalogue's status.
 *
 * A {@link ZfcError} keeps its code; a ledger error whose message carries a wire-form code is
 * decoded; Koa's own client errors (a body too large, a malformed request) get the matching
 * code; anything else is a 500 `INTERNAL` that says nothing about what broke — the cause goes
 * to the log with a request ID the caller can quote.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import accepts from 'accepts';
import type { Middleware } from 'koa';
import { ZfcError, decodeZfcError, type ErrorCode } from '../chaincode/errors';

/**
 * A route's own form of its errors, beside the project's: set as `ctx.state.problem` by a router
 * whose standard says how errors look (the EPCIS routes: RFC 7807 problem details); its fields
 * join the body, which is then `application/problem+json`.
 */
export type ProblemForm = (error: ZfcError, method: string, path: string) => object;

/** Where unexpected errors are reported (stderr by default). */
export type ErrorLog = (line: string) => void;

const BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'INVALID_ARGUMENT',
  429: 'RATE_LIMITED',
};

/** Maps any thrown value to a ZfcError; `internal` is true when the cause must be hidden. */
export function toZfcError(err: unknown): { error: ZfcError; internal: boolean } {
  if (err instanceof ZfcError) return { error: err, internal: false };
  const e = err as { status?: unknown; expose?: unknown; message?: unknown; type?: unknown };
  if (typeof e?.message === 'string') {
    const decoded = decodeZfcError(e.message);
    if (decoded) return { error: decoded, internal: false };
  }
  const status = typeof e?.status === 'number' ? e.status : 500;
  const code = BY_STATUS[status];
  if (code && status < 500 && e?.expose !== false) return { error: new ZfcError(code), internal: false };
  return { error: new ZfcError('INTERNAL', 'Internal error.'), internal: true };
}

const stderrLog: ErrorLog = (line) => process.stderr.write(`${line}\n`);

/** How a failure is answered over HTTP. */
export interface ErrorAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: object;
}

/**
 * The answer to a failure of `method path`: the catalogue's status, `{ error }` joined by the
 * route's `problem` form when it has one, Retry-After when the error says when to come back;
 * an unexpected failure's cause goes to `log` under a request ID the body names. The error
 * middleware answers with it, and so does anything that answers outside Koa (a WebSocket
 * handshake refused before its upgrade).
 */
export function errorAnswer(err: unknown, method: string, path: string, problem?: ProblemForm, log: ErrorLog = stderrLog): ErrorAnswer {
  const { error, internal } = toZfcError(err);
  const body = error.toJSON();
  if (internal) {
    const requestId = randomUUID();
    log(`[gateway] ${requestId} ${method} ${path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    body.error.details = { requestId };
  }
  const headers: Record<string, string> = {};
  if (typeof error.details['retryAfterSeconds'] === 'number') headers['Retry-After'] = String(error.details['retryAfterSeconds']);
  if (error.code === 'PAYLOAD_TOO_LARGE') headers['Connection'] = 'close';
  return {
    status: error.status,
    contentType: problem ? 'application/problem+json' : 'application/json',
    headers,
    body: problem ? { ...problem(error, method, path), ...body } : body,
  };
}

/**
 * Writes a refusal's answer straight to `socket` and closes the connection: for refusals made
 * outside Koa (a WebSocket handshake refused before its upgrade, a request Node's HTTP parser
 * refused). `headers` are the answer's own (its content type first); the length and
 * `Connection: close` are added.
 */
export function endWithAnswer(socket: Duplex, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  const all = { ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
}

/**
 * A route's XML form of its problem answers (`ctx.state.problemXml`, beside `ctx.state.problem`):
 * a request whose Accept prefers XML gets the problem body written by it, as
 * `application/problem+xml` (the EPCIS routes: the XML binding's EPCISException).
 */
export type ProblemXml = (body: object) => string;

/** The media types a problem answer is negotiated among (Accept), JSON's first. */
const PROBLEM_TYPES = ['application/problem+json', 'application/json', 'application/problem+xml', 'application/xml', 'text/xml'];

/**
 * Whether `answer` goes to `req` in XML: a route's problem (not the plain error form) to a
 * reader whose Accept prefers an XML type to JSON. The error middleware asks, and so does a
 * WebSocket handshake refused before its upgrade.
 */
export function problemInXml(req: IncomingMessage, answer: ErrorAnswer): boolean {
  if (answer.contentType !== 'application/problem+json') return false;
  const chosen = accepts(req).type(PROBLEM_TYPES);
  return typeof chosen === 'string' && chosen.endsWith('xml');
}

/** The error middleware; mount it first. */
export function errorMiddleware(log: ErrorLog = stderrLog): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new ZfcError('NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
    } catch (err) {
      const answer = errorAnswer(err, ctx.method, ctx.path, ctx.state['problem'] as ProblemForm | undefined, log);
      const xml = ctx.state['problemXml'] as ProblemXml | undefined;
      const asXml = xml !== undefined && problemInXml(ctx.req, answer);
      ctx.status = answer.status;
      ctx.type = asXml ? 'application/problem+xml' : answer.contentType;
      ctx.body = asXml ? xml(answer.body) : answer.body;
      if (xml !== undefined) ctx.vary('Accept');
      for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value);
    }
  };
}
