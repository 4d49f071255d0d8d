/**
 * Requests Node's HTTP parser refuses before the app sees them, answered as the app answers every
 * other refusal: the catalogue's code in a typed body (under /epcis, an RFC 7807 problem with the
 * standard's exception and headers) instead of Node's bare status line.
 *
 * - A request line or headers past the parser's limit (16 KiB): 414 `URI_TOO_LONG` when the URL
 *   is what is long (the EPCIS binding's URITooLongException: a query too large for a URL, which
 *   a named query holds instead), else 431 `HEADERS_TOO_LARGE`.
 * - A request that does not arrive in time: 408 `REQUEST_TIMEOUT`.
 * - Anything else the parser cannot read: 400 `INVALID_ARGUMENT`, naming the parser's reason.
 *
 * The answer never echoes the URL: it may be as long as the limit, or hold what the client did
 * not mean to send back.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ZfcError } from '../chaincode/errors';
import { endWithAnswer, errorAnswer } from './error-middleware';
import { problemOf } from './epcis-problems';
import { EPCIS_HEADERS } from './epcis-query';

/** A request line longer than this, in a head past the parser's limit, makes the URL the long part. */
const LONG_LINE = 8 * 1024;

/** What the parser had of the request when it gave up: its method and path, if it had the start. */
interface Head {
  readonly method?: string;
  readonly path?: string;
  /** Bytes of the request line, as far as the parser had it. */
  readonly lineLength: number;
}

function headOf(raw: Buffer | undefined): Head {
  if (!raw || raw.length === 0) return { lineLength: 0 };
  const end = raw.indexOf('\r\n');
  const line = raw.subarray(0, end < 0 ? raw.length : end);
  const m = /^([A-Z]{3,10}) (\/[^ ?#]{0,200})/.exec(line.subarray(0, 256).toString('latin1'));
  return m ? { method: m[1] as string, path: m[2] as string, lineLength: line.length } : { lineLength: 0 };
}

/** The error a parser failure (`code`, Node's) stands for. */
function errorOf(code: string | undefined, head: Head): ZfcError {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return head.lineLength > LONG_LINE
      ? new ZfcError('URI_TOO_LONG', `the URL is longer than this server reads (${LONG_LINE} bytes); a query this large can be defined once as a named query (POST /epcis/queries) and read by its name`)
      : new ZfcError('HEADERS_TOO_LARGE', 'the request line and headers together are longer than this server reads (16 KiB)');
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new ZfcError('REQUEST_TIMEOUT', 'the request did not arrive in time');
  return new ZfcError('INVALID_ARGUMENT', 'the request is not well-formed HTTP', { reason: code ?? 'unknown' });
}

/** Answers `server`'s refused requests with typed bodies (see the module's comment). */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const head = headOf(err.rawPacket);
    const path = head.path ?? '/';
    const epcis = /^\/epcis(?:\/|$)/.test(path);
    const answer = errorAnswer(errorOf(err.code, head), head.method ?? 'GET', path, epcis ? problemOf : undefined);
    endWithAnswer(socket, answer.status, { 'Content-Type': answer.contentType, ...(epcis ? EPCIS_HEADERS : {}), ...answer.headers }, JSON.stringify(answer.body));
  });
}
