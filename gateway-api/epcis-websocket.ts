/**
 * EPCIS 2.0 query subscriptions over WebSockets (the REST binding: `GET /epcis/queries/{name}/events`
 * with `Upgrade: websocket`): a subscriber that keeps a connection open is sent, as one
 * EPCISQueryDocument per message (its `queryName` and `subscriptionID` set), each new event the
 * named query matches (`stream=true`) or, on a schedule (`second`, `minute`, `hour`,
 * `dayOfMonth`, `month`, `dayOfWeek`, with `reportIfEmpty`), what matched since the last report;
 * with `initialRecordTime`, the matching events recorded since then first. The matching, the
 * access rule (only events the subscriber may read) and the limits are the callback
 * subscriptions' (epcis-subscriptions.ts); only the delivery differs: nothing is kept or retried,
 * and the subscription lives exactly as long as the connection. A handshake whose Accept prefers
 * XML (`application/xml`, `text/xml`) is sent the XML binding's EPCISQueryDocuments, their CBV
 * values as its `GS1-CBV-XML-Format` asks, and is refused with EPCISExceptions. Its
 * `GS1-EPC-Format` says how the messages write EPCs, as for a callback subscription.
 *
 * The handshake is authenticated like every API call (`Authorization: Bearer` with the
 * participant's key) and refused, before any upgrade, with the API's own HTTP problem answers:
 * 401, 404 for an unknown query, 400 for bad parameters, 406 for a version not spoken, 503
 * while the event store catches up after a start. A connection whose unsent messages pass
 * {@link EpcisSocketOptions.maxBufferedBytes} is closed (1013: subscribe again, from
 * initialRecordTime), so a subscriber that stops reading cannot fill the gateway's memory; one
 * that does not answer a ping within {@link EpcisSocketOptions.pingMs} is dropped, and one whose
 * API key has been revoked meanwhile is closed (1008) at the next ping. Removing the named query
 * closes its connections (1000), and so does closing the gateway (1001).
 *
 * @example
 * const sockets = serveEpcisSockets(httpServer, { subscriptions, authenticate: async (h) => (await keys.authenticate(h)).participant });
 * // client: new WebSocket('wss://gateway/epcis/queries/my-recalls/events?stream=true', { headers: { authorization: `Bearer ${key}` } })
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { ZfcError } from '../chaincode/errors';
import { endWithAnswer, errorAnswer, problemInXml, toZfcError, type ProblemForm } from './error-middleware';
import { assertVersionSpoken } from './epcis-http';
import { problemOf } from './epcis-problems';
import { EPCIS_HEADERS, epcFormatOf } from './epcis-query';
import { SCHEDULE_FIELDS } from './epcis-schedule';
import type { EpcisSubscriptions, SubscriptionRequest } from './epcis-subscriptions';
import { problemXml, xmlFormAsked } from './epcis-xml-write';

/** What the WebSocket subscriptions need. */
export interface EpcisSocketOptions {
  readonly subscriptions: EpcisSubscriptions;
  /** The participant an `Authorization` header names; throws ZfcError UNAUTHENTICATED (or another refusal) otherwise. */
  readonly authenticate: (authorization: string | undefined) => Promise<string>;
  /** Throws while the event store cannot answer (503 EPCIS_NOT_READY while it catches up, EPCIS_STORE_FULL once it stopped), refusing the handshake with it. Default: always available. */
  readonly available?: () => void;
  /** Bytes a connection may have waiting to be sent before it is closed as too slow. Default 8 MiB. */
  readonly maxBufferedBytes?: number;
  /** How often each connection is pinged (and its key checked again); one that did not answer the last ping is dropped. Default 30 s. */
  readonly pingMs?: number;
}

/** Where subscriptions are served: `/epcis/queries/{name}/events`. */
const PATH = /^\/epcis\/queries\/([^/]+)\/events$/;

/** The query parameters a subscription takes (the query itself is the named one's). */
const PARAMETERS = new Set(['stream', 'initialRecordTime', 'reportIfEmpty', ...Object.keys(SCHEDULE_FIELDS)]);

/** WebSocket close codes (RFC 6455 §7.4.1). */
const NORMAL = 1000;
const GOING_AWAY = 1001;
const POLICY = 1008;
const TRY_AGAIN_LATER = 1013;

function bad(name: string, message: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `${name} ${message}`, { errors: [{ path: `/query/${name}`, message }] });
}

/** A subscription request from the handshake's query string (each parameter once). */
function requestOf(params: URLSearchParams): SubscriptionRequest {
  const one = (name: string): string | undefined => {
    const all = params.getAll(name);
    if (all.length > 1) throw bad(name, 'is given more than once');
    return all[0];
  };
  for (const name of new Set(params.keys())) if (!PARAMETERS.has(name)) throw bad(name, `is not a subscription parameter (${[...PARAMETERS].join(', ')}); the query is the named one's`);
  const flag = (name: string): boolean | undefined => {
    const v = one(name);
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false') throw bad(name, 'must be true or false');
    return v === 'true';
  };
  const schedule: Record<string, string> = {};
  for (const field of Object.keys(SCHEDULE_FIELDS)) {
    const v = one(field);
    if (v !== undefined) schedule[field] = v;
  }
  const stream = flag('stream');
  const reportIfEmpty = flag('reportIfEmpty');
  const initialRecordTime = one('initialRecordTime');
  return {
    ...(stream !== undefined ? { stream } : {}),
    ...(Object.keys(schedule).length > 0 ? { schedule } : {}),
    ...(reportIfEmpty !== undefined ? { reportIfEmpty } : {}),
    ...(initialRecordTime !== undefined ? { initialRecordTime } : {}),
  };
}

/** A handshake's refusals as problems: a subscription's own parameters are its controls (the REST binding's 400 for subscriptions). */
const handshakeProblem: ProblemForm = (error, method, path) => ({ ...problemOf(error, method, path), ...(error.status === 400 ? { type: 'epcisException:SubscriptionControlsException' } : {}) });

/**
 * Answers a handshake as the API answers a refused request, instead of upgrading it: in the XML
 * binding (an EPCISException) to a subscriber that asked for XML.
 */
function refuse(socket: Duplex, req: IncomingMessage, err: unknown, path: string): void {
  const answer = errorAnswer(err, 'GET', path, handshakeProblem);
  const asXml = problemInXml(req, answer);
  const body = asXml ? problemXml(answer.body as object) : JSON.stringify(answer.body);
  endWithAnswer(socket, answer.status, { 'Content-Type': asXml ? 'application/problem+xml' : answer.contentType, ...EPCIS_HEADERS, ...answer.headers }, body);
}

/** A close reason within the 123 bytes a close frame carries. */
const reason = (text: string): string => (Buffer.byteLength(text) <= 123 ? text : `${Buffer.from(text).subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '')}…`);

/**
 * Serves WebSocket subscriptions on `server`'s upgrade requests (every other upgrade is answered
 * 404). Returns how to stop: open connections are closed (1001) and no more are taken.
 */
export function serveEpcisSockets(server: Server, options: EpcisSocketOptions): { /** Connections open (not closing). */ readonly connections: () => number; close(): void } {
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();
  /** Each connection's Authorization header and participant, asked again at every ping: a revoked key's connections close. */
  const credentials = new WeakMap<WebSocket, { readonly authorization: string | undefined; readonly owner: string }>();
  let closed = false;
  wss.on('headers', (headers) => {
    for (const [k, v] of Object.entries(EPCIS_HEADERS)) headers.push(`${k}: ${v}`);
  });
  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
      const held = credentials.get(ws);
      if (held) {
        options.authenticate(held.authorization).then(
          (owner) => owner !== held.owner && ws.close(POLICY, 'the API key now acts for another participant'),
          (err: unknown) => ws.close(POLICY, reason(toZfcError(err).error.text)),
        );
      }
    }
  }, options.pingMs ?? 30_000);
  pinger.unref();

  const open = (ws: WebSocket, checked: ReturnType<EpcisSubscriptions['checkAttach']>, authorization: string | undefined): void => {
    alive.set(ws, true);
    credentials.set(ws, { authorization, owner: checked.owner });
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    ws.on('message', () => undefined); // the standard gives subscribers nothing to say; what they send is read and dropped
    let attached: ReturnType<EpcisSubscriptions['attach']>;
    try {
      attached = options.subscriptions.attach(checked, {
        send: (body) => {
          if (ws.readyState !== WebSocket.OPEN) return false;
          if (ws.bufferedAmount > maxBuffered) {
            ws.close(TRY_AGAIN_LATER, reason('the subscriber reads too slowly; subscribe again (initialRecordTime) for what it missed'));
            return false;
          }
          ws.send(body);
          return true;
        },
        end: (why) => ws.close(closed ? GOING_AWAY : NORMAL, reason(why)),
      });
    } catch (err) {
      ws.close(POLICY, reason(toZfcError(err).error.text)); // taken meanwhile (the owner's last subscription, say)
      return;
    }
    ws.on('close', () => attached.end());
  };

  const handle = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://gateway');
    try {
      if (closed) throw new ZfcError('LEDGER_CLOSED', 'the gateway is closing');
      const m = PATH.exec(url.pathname);
      if (!m) throw new ZfcError('NOT_FOUND', 'WebSocket subscriptions are served at /epcis/queries/{name}/events only', { path: url.pathname.slice(0, 200) });
      assertVersionSpoken({ get: (name: string) => String(req.headers[name.toLowerCase()] ?? '') });
      options.available?.();
      const owner = await options.authenticate(req.headers.authorization);
      let name: string;
      try {
        name = decodeURIComponent(m[1] as string);
      } catch {
        throw new ZfcError('NOT_FOUND', 'no such query', { name: (m[1] as string).slice(0, 100) });
      }
      const form = { xml: xmlFormAsked(req), epc: epcFormatOf(String(req.headers['gs1-epc-format'] ?? '')) };
      const checked = options.subscriptions.checkAttach(name, requestOf(url.searchParams), owner, form);
      if (closed || socket.destroyed) return void socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => open(ws, checked, req.headers.authorization));
    } catch (err) {
      refuse(socket, req, err, url.pathname);
    }
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => void handle(req, socket, head);
  server.on('upgrade', onUpgrade);
  return {
    connections: () => [...wss.clients].filter((ws) => ws.readyState === WebSocket.OPEN).length,
    close: () => {
      closed = true;
      clearInterval(pinger);
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(GOING_AWAY, 'the gateway is closing');
      wss.close();
    },
  };
}
