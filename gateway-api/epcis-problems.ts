/**
 * Errors as the EPCIS 2.0 REST binding writes them: RFC 7807 problem details whose `type` is one
 * of the standard's exceptions (`epcisException:ValidationException`, `…:QueryParameterException`,
 * `…:NoSuchNameException`, …), so a standard client can tell them apart. The project's own error
 * (`error: { code, message, details }`, as on every route) stays in the same body: nothing that
 * reads one form loses the other.
 *
 * @example
 * problemOf(new ZfcError('INVALID_ARGUMENT', 'query parameter EQ_colour …'), 'GET', '/epcis/events')
 * // { type: 'epcisException:QueryParameterException', title: 'The request is malformed …', status: 400, detail: '…', instance: '/epcis/events' }
 */
import { ERROR_CATALOGUE, type ZfcError } from '../chaincode/errors';

/** An RFC 7807 problem with an EPCIS exception type. */
export interface EpcisProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
}

const ex = (name: string): string => `epcisException:${name}`;

/**
 * The standard's exception for an error of a request (`method`, `path` under `/epcis`): by its
 * status first (security, negotiation, media type, size, absence, the server's own failure), then
 * by what the request was (a subscription's controls, a query's parameters or definition, a
 * capture's events).
 */
export function problemType(error: ZfcError, method: string, path: string): string {
  const p = path.replace(/^\/epcis(?=\/|$)/, '');
  const { status } = error;
  if (status === 401 || status === 403) return ex('SecurityException');
  if (status === 406) return ex('NotAcceptableException');
  if (status === 415) return ex('UnsupportedMediaTypeException');
  if (status === 414) return ex('URITooLongException');
  if (error.code === 'QUERY_TOO_COMPLEX') return ex('QueryTooComplexException');
  if (status === 413) return ex(p.startsWith('/capture') || (p === '/events' && method === 'POST') ? 'CaptureLimitExceededException' : 'QueryTooLargeException');
  if (status === 404) return ex(error.details['name'] !== undefined && /^\/queries\//.test(p) ? 'NoSuchNameException' : 'NoSuchResourceException');
  if (status >= 500) return ex('ImplementationException');
  if (error.code === 'CONFLICT' && p === '/queries' && method === 'POST') return ex('ResourceAlreadyExistsException');
  if (/^\/queries\/[^/]+\/subscriptions/.test(p) && method === 'POST') return ex('SubscriptionControlsException');
  if (p === '/queries' && method === 'POST') return ex('QueryValidationException');
  if (method === 'GET') return ex('QueryParameterException');
  return ex('ValidationException');
}

/** The problem details of an error of a request to `path`. */
export function problemOf(error: ZfcError, method: string, path: string): EpcisProblem {
  return { type: problemType(error, method, path), title: ERROR_CATALOGUE[error.code].message, status: error.status, detail: error.text, instance: path };
}
