/**
 * The gateway's one JSON body reader on a real HTTP server (127.0.0.1, port 0): the text of a
 * body comes back beside its value, exactly as sent; the nesting limit holds at its exact
 * boundary (a value at depth 64 passes, one at 65 does not, an empty container counting as a
 * value at its own depth); too large, not JSON and empty bodies are refused as before.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import Koa from 'koa';
import { MAX_DEPTH, readJsonText } from '../../gateway-api/json-body';
import { errorMiddleware } from '../../gateway-api/error-middleware';

describe('JSON body reader', () => {
  let server: Server;
  let base: string;

  before(async () => {
    const app = new Koa();
    app.use(errorMiddleware());
    app.use(async (ctx) => {
      const body = await readJsonText(ctx, 1024);
      ctx.body = body === undefined ? { empty: true } : { text: body.text, value: body.value };
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((r) => server.close(r));
  });

  const send = async (body: string, type = 'application/json'): Promise<{ status: number; body: Record<string, any> }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(base, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const nested = (arrays: number, inner: string): string => '['.repeat(arrays) + inner + ']'.repeat(arrays);

  it('gives back the text beside the value, as sent', async () => {
    const text = '{ "b": [1, 2.50, "caf\\u00e9"],\n  "a": {"x": null} }';
    const r = await send(text);
    expect(r.status).to.equal(200);
    expect(r.body['text']).to.equal(text);
    expect(r.body['value']).to.deep.equal({ b: [1, 2.5, 'café'], a: { x: null } });
  });

  it('holds the nesting limit at its exact boundary', async () => {
    expect(MAX_DEPTH).to.equal(64);
    expect((await send(nested(64, '1'))).status).to.equal(200); // the 1 is at depth 64
    expect((await send(nested(65, ''))).status).to.equal(200); // the innermost (empty) array is at depth 64
    const deep = await send(nested(65, '1'));
    expect(deep.status).to.equal(400);
    expect(deep.body['error']).to.include({ code: 'INVALID_ARGUMENT' });
    expect((await send(`{"a":${nested(63, '{"k":"v"}')}}`)).status).to.equal(400); // the "v" is at depth 65
    expect((await send(`{"a":${nested(62, '{"k":"v"}')}}`)).status).to.equal(200);
  });

  it('refuses bodies too large, not JSON, or of another type, and reads an empty body as none', async () => {
    expect((await send(`"${'x'.repeat(2000)}"`)).body['error']).to.include({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await send('{"a":')).body['error']).to.include({ code: 'INVALID_ARGUMENT' });
    expect((await send('{}', 'text/plain')).body['error']).to.include({ code: 'INVALID_ARGUMENT' });
    expect((await send('')).body).to.deep.equal({ empty: true });
  });
});
