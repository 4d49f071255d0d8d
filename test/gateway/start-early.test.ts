/**
 * A restart over a ledger that already holds many captured EPCIS events: the gateway listens as
 * soon as its ledger and trace index are open, and serves everything but /epcis while its EPCIS
 * event store catches up with the ledger; /epcis and /readyz answer 503 with Retry-After until
 * then, and /epcis answers in full after. Closing it while it catches up ends cleanly. Real
 * gateway, real embedded ledger, real HTTP.
 */
import { expect } from 'chai';
import { listen, openGateway } from '../../gateway-api/server';
import { documentOf, objectEvent } from '../epcis/fixtures';
import { call, removeDir, startTestGateway, type TestGateway } from './support';

const EVENTS = 40_000;
const PER_DOCUMENT = 500;

describe('gateway: serving while the EPCIS event store catches up after a restart', function () {
  this.timeout(180_000);
  let t: TestGateway;
  let key: string;

  before(async () => {
    t = await startTestGateway();
    key = t.regulatorKey;
    const documents = Array.from({ length: EVENTS / PER_DOCUMENT }, (_, d) =>
      JSON.stringify(documentOf(Array.from({ length: PER_DOCUMENT }, (_, i) => objectEvent(i, { epcList: [`urn:epc:id:sgtin:0614141.107346.E${d}x${i}`] })))),
    );
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < documents.length) {
        const r = await call(t.gw.url, 'POST', '/epcis/capture', { key, body: documents[next++], headers: { 'content-type': 'application/ld+json' } });
        expect(r.status, r.text).to.equal(202);
        for (;;) {
          const job = await call(t.gw.url, 'GET', String(r.headers.get('location')), { key });
          if (!job.body.running) {
            expect(job.body.success, job.text).to.equal(true);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }));
    await t.gw.close();
  });

  after(async () => {
    await removeDir(t.dir);
  });

  it('answers /healthz and /v1 at once, /epcis and /readyz with 503 and Retry-After until the store has caught up, and /epcis in full after', async () => {
    const trace = `/v1/trace/back?code=${encodeURIComponent('urn:epc:id:sgtin:0614141.107346.E0x0')}`;
    // the probes race the catch-up (about half a second to spare on a two-core machine): a start
    // whose store caught up before every probe was answered proves nothing, and is made again
    const ATTEMPTS = 3;
    for (let attempt = 1; ; attempt++) {
      const parts = await openGateway(t.config);
      const gw = await listen(parts, t.config);
      try {
        expect(parts.epcis.isReady, `${EVENTS} events cannot be applied before the gateway listens`).to.equal(false);
        const [healthz, lots, early, readyz, traced, traceAsEpcis] = await Promise.all([
          call(gw.url, 'GET', '/healthz'),
          call(gw.url, 'GET', '/v1/lots', { key }),
          call(gw.url, 'GET', '/epcis/events?perPage=1', { key }),
          call(gw.url, 'GET', '/readyz'),
          call(gw.url, 'GET', trace, { key }),
          call(gw.url, 'GET', `${trace}&format=epcis`, { key }),
        ]);
        if (parts.epcis.isReady) {
          expect(attempt, `the store caught up before the probes were answered, ${ATTEMPTS} starts running`).to.be.lessThan(ATTEMPTS);
          continue; // closed below, and started again
        }
        // still catching up once every answer arrived, so each must have said so
        expect(healthz.status).to.equal(200);
        expect(lots.status, lots.text).to.equal(200);
        expect(traced.status, 'the trace itself is served').to.equal(200);
        expect(early.status, early.text).to.equal(503);
        expect(early.body.error.code).to.equal('EPCIS_NOT_READY');
        expect(early.headers.get('retry-after')).to.equal('1');
        expect(readyz.status).to.equal(503);
        expect(readyz.body.error.code).to.equal('EPCIS_NOT_READY');
        expect(readyz.headers.get('retry-after')).to.equal('1');
        expect(traceAsEpcis.status, 'a trace as EPCIS events needs the projection').to.equal(503);
        await parts.epcisReady;
        expect((await call(gw.url, 'GET', `${trace}&format=epcis`, { key })).status).to.equal(200);
        expect((await call(gw.url, 'GET', '/readyz')).status).to.equal(200);
        const all = await call(gw.url, 'GET', `/epcis/events?MATCH_epc=${encodeURIComponent(`urn:epc:id:sgtin:0614141.107346.E${EVENTS / PER_DOCUMENT - 1}x${PER_DOCUMENT - 1}`)}`, { key });
        expect(all.status, all.text).to.equal(200);
        expect(all.body.epcisBody.queryResults.resultsBody.eventList).to.have.length(1); // the last event captured before the restart
        return;
      } finally {
        await gw.close();
      }
    }
  });

  it('closes cleanly while the store is still catching up, and starts again after', async () => {
    const parts = await openGateway(t.config);
    const gw = await listen(parts, t.config);
    expect(parts.epcis.isReady).to.equal(false);
    await gw.close();
    const again = await openGateway(t.config);
    const running = await listen(again, t.config);
    try {
      await again.epcisReady;
      const r = await call(running.url, 'GET', '/epcis/events?perPage=1', { key });
      expect(r.status, r.text).to.equal(200);
    } finally {
      await running.close();
    }
  });
});
