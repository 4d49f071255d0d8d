/**
 * A shop's subscription endpoint on loopback, as the subscription tests use it: it records every
 * delivery (body, GS1-Signature header, the status it answered) and answers with what `answer`
 * says, so a test can make deliveries fail and watch them retried.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One delivery as the endpoint received it. */
export interface Delivery {
  readonly body: string;
  readonly signature: string;
  readonly status: number;
  /** Every header of the delivery. */
  readonly headers: IncomingHttpHeaders;
}

/** The running endpoint. */
export interface CallbackReceiver {
  /** The callback URL to subscribe with. */
  readonly url: string;
  /** Every delivery, in arrival order (a test may empty it). */
  readonly deliveries: Delivery[];
  /** The status to answer the next delivery with; called with the number of deliveries so far. Default 200. */
  answer: (received: number) => number;
  close(): Promise<void>;
}

/** Starts an endpoint at `path` on a loopback port. */
export async function startCallbackReceiver(path: string): Promise<CallbackReceiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = receiver.answer(deliveries.length);
      deliveries.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['gs1-signature']), status, headers: req.headers });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: CallbackReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    deliveries,
    answer: () => 200,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return receiver;
}

/** True if the delivery carries the HMAC-SHA256 signature of its body under `token`. */
export function signedWith(token: string, d: Delivery): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', token).update(d.body, 'utf8').digest('hex')}`);
  const given = Buffer.from(d.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The eventIDs a JSON-LD delivery carries, in order. */
export function eventIDsOf(d: Delivery): string[] {
  return (JSON.parse(d.body).epcisBody.queryResults.resultsBody.eventList as Array<{ eventID: string }>).map((e) => e.eventID);
}
