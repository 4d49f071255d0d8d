/**
 * The trace index stops, rather than let Node abort, once the heap live after a full garbage
 * collection reaches TRACE_INDEX_HEAP_LIMIT_MB (gateway-api/heap-room.ts): it follows the ledger
 * no further (or, at a start, does not load a graph the heap has no room for), and everything
 * drawn from its graph answers 503 TRACE_INDEX_FULL. The ledger goes on recording; a restart with
 * room catches the index up from the checkpoint it kept, losing nothing. Real gateways and a real
 * embedded ledger; the full collection is forced, so the figure judged is known.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { heapLiveBytes } from '../../gateway-api/heap-room';
import { projectEvent } from '../../gateway-api/projection';
import { mountPublicParts } from '../../gateway-api/public-parts';
import { startGateway } from '../../gateway-api/server';
import { TraceIndex } from '../../gateway-api/trace-index';
import { call, fullCollection, gln, metric, removeDir, startTestGateway, withCheck, type TestGateway } from './support';
import { expectCode } from '../chaincode/support';
import { until } from '../until';

const GTIN = withCheck('0695000000318');
const lot = (code: string): Record<string, unknown> => ({ gtin: GTIN, lot: code, quantity: 10, unit: 'KGM', productionDate: '2026-04-01', origin: { gln: gln(21) } });

/** Registers a producer and its product on a gateway; returns the producer's API key. */
async function farmOn(t: TestGateway): Promise<string> {
  const r = await call(t.gw.url, 'POST', '/v1/participants', { key: t.regulatorKey, body: { id: 'farm-21', name: 'Farm', role: 'producer', licence: 'L21', gln: gln(21) } });
  expect(r.status, r.text).to.equal(201);
  const key = r.body.apiKey as string;
  const p = await call(t.gw.url, 'POST', '/v1/products', { key, body: { gtin: GTIN, name: 'Rice', category: 'grain', unit: 'KGM', requiresTest: false } });
  expect(p.status, p.text).to.equal(201);
  return key;
}

async function createLot(t: TestGateway, key: string, code: string): Promise<{ txId: string; blockNumber: number }> {
  const r = await call(t.gw.url, 'POST', '/v1/lots', { key, body: lot(code) });
  expect(r.status, r.text).to.equal(201);
  return r.body;
}

const lotCodes = async (t: TestGateway): Promise<string[]> => {
  const r = await call(t.gw.url, 'GET', '/v1/lots?limit=500', { key: t.regulatorKey });
  expect(r.status, r.text).to.equal(200);
  return (r.body.lots as { lot: string }[]).map((l) => l.lot).sort();
};

describe('gateway: the trace index stops for lack of heap', function () {
  this.timeout(120_000);

  it('stops between batches, keeping the checkpoint of the last one applied; reopened, it follows on from there to the same graph', async () => {
    const t = await startTestGateway();
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-index-'));
    try {
      const key = await farmOn(t);
      await createLot(t, key, 'F1');
      // room for the first batch of events only (a new index loads nothing, so asks first when it applies)
      let asked = 0;
      const opened = await TraceIndex.open({ dir, project: projectEvent, room: () => asked++ === 0 });
      const following = opened.follow(t.gw.ledger);
      await until(() => opened.checkpoint !== undefined);
      const applied = opened.checkpoint;
      const later = await createLot(t, key, 'F2');
      await following; // ends once stopped
      const stopped = opened.stopped;
      expect(stopped?.code).to.equal('TRACE_INDEX_FULL');
      expect(stopped?.status).to.equal(503);
      expect(stopped?.message).to.include('restart it with more heap').and.include('TRACE_INDEX_HEAP_LIMIT_MB');
      expect(stopped?.details['checkpoint']).to.deep.equal(applied);
      expect(stopped?.details['stoppedAtBlock']).to.be.greaterThan(applied?.blockNumber ?? Infinity);
      expect(opened.checkpoint, 'nothing after the checkpoint was applied').to.deep.equal(applied);
      for (const read of [() => opened.searchLots({}), () => opened.lot({ gtin: GTIN, lot: 'F1' }), () => opened.traceBack({ lot: { gtin: GTIN, lot: 'F1' } }, 'F1'), () => opened.participant('farm-21'), () => opened.holdsAny('farm-21', [])]) {
        await expectCode(Promise.resolve().then((): unknown => read()), 'TRACE_INDEX_FULL');
      }
      // a writer waiting for its transaction is told at once that it will not be applied (not after the timeout)
      expect(await opened.waitFor(later.txId, 600_000)).to.equal(false);
      expect(await opened.reached({ blockNumber: later.blockNumber, txIndex: 0, txId: later.txId }, 600_000)).to.equal(false);
      await opened.close();

      const again = await TraceIndex.open({ dir, project: projectEvent });
      try {
        expect(again.stopped).to.equal(undefined);
        expect(again.checkpoint).to.deep.equal(applied);
        void again.follow(t.gw.ledger);
        await until(() => again.caughtUp(t.gw.ledger));
        await until(() => t.gw.index.caughtUp(t.gw.ledger));
        expect(again.searchLots({ limit: 500 }).lots.map((l) => l.lot).sort()).to.deep.equal(['F1', 'F2']);
        expect(again.searchLots({ limit: 500 })).to.deep.equal(t.gw.index.searchLots({ limit: 500 }));
        expect(again.lot({ gtin: GTIN, lot: 'F2' })).to.deep.equal(t.gw.index.lot({ gtin: GTIN, lot: 'F2' }));
      } finally {
        await again.close();
      }
    } finally {
      await t.stop();
      await removeDir(dir);
    }
  });

  describe('a gateway whose index has no room', () => {
    let t: TestGateway;
    let key = '';
    before(async () => {
      heapLiveBytes(); // watching full collections from now on
      await fullCollection(); // the heap figure is known (and above 1 MiB) before the index follows anything
      t = await startTestGateway(undefined, { TRACE_INDEX_HEAP_LIMIT_MB: '1' });
      mountPublicParts(t.gw, t.gw.index, t.config); // the consumer pages, as `npm start` mounts them
    });
    after(async () => {
      await t.stop();
    });

    it('answers what reads the graph, and /readyz, with 503 TRACE_INDEX_FULL, and goes on recording', async () => {
      expect(t.gw.index.stopped?.code).to.equal('TRACE_INDEX_FULL');
      const ready = await call(t.gw.url, 'GET', '/readyz');
      expect(ready.status, ready.text).to.equal(503);
      expect(ready.body.error.code).to.equal('TRACE_INDEX_FULL');
      expect(ready.body.error.message).to.include('restart it with more heap');
      expect(ready.headers.get('retry-after')).to.equal(null); // not a wait: the operator must act
      expect((await call(t.gw.url, 'GET', '/healthz')).status).to.equal(200);
      expect(metric((await call(t.gw.url, 'GET', '/metrics')).text, 'zfc_trace_index_stopped')).to.equal(1);
      // the ledger's own transactions are recorded, under the contract's rules: a recalled lot cannot be shipped
      key = await farmOn(t);
      await createLot(t, key, 'S1');
      const dist = await call(t.gw.url, 'POST', '/v1/participants', { key: t.regulatorKey, body: { id: 'dist-22', name: 'Distributor', role: 'distributor', licence: 'L22', gln: gln(22) } });
      expect(dist.status, dist.text).to.equal(201);
      const ship = (id: string): Promise<{ status: number; body: any; text: string }> => call(t.gw.url, 'POST', '/v1/shipments', { key, body: { shipmentId: id, to: 'dist-22', lines: [{ gtin: GTIN, lot: 'S1', quantity: 1 }], origin: { gln: gln(21) } } }); // eslint-disable-line @typescript-eslint/no-explicit-any
      const shipped = await ship('SH-S1');
      expect(shipped.status, shipped.text).to.equal(201);
      const recall = await call(t.gw.url, 'POST', '/v1/recalls', { key: t.regulatorKey, body: { recallId: 'RC-S1', lots: [{ gtin: GTIN, lot: 'S1' }], reason: 'a test of the heap limit', class: 'I' } });
      expect(recall.status, recall.text).to.equal(201);
      const refused = await ship('SH-S2');
      expect([refused.status, refused.body.error.code], refused.text).to.deep.equal([409, 'LOT_RECALLED']);
      const lots = await call(t.gw.url, 'GET', '/v1/lots', { key: t.regulatorKey });
      expect(lots.status, lots.text).to.equal(503);
      expect(lots.body.error.code).to.equal('TRACE_INDEX_FULL');
      const trace = await call(t.gw.url, 'GET', `/v1/trace/back?gtin=${GTIN}&lot=S1`, { key: t.regulatorKey });
      expect(trace.status, trace.text).to.equal(503);
      expect(trace.body.error.code).to.equal('TRACE_INDEX_FULL');
      const plan = await call(t.gw.url, 'GET', '/v1/inspections/plan', { key: t.regulatorKey });
      expect([plan.status, plan.body.error.code], 'an inspection plan would miss what the index did not apply').to.deep.equal([503, 'TRACE_INDEX_FULL']);
      // a consumer's scan is answered with the error, not with a page that would miss the lot's latest status
      const page = await call(t.gw.url, 'GET', `/01/${GTIN}/10/S1`, { headers: { accept: 'application/json' } });
      expect(page.status, page.text).to.equal(503);
      expect(page.body.error.code).to.equal('TRACE_INDEX_FULL');
      // in a browser: a notice to scan again later, not the counterfeit warning of an unregistered product
      for (const [lang, says, not] of [['zh-CN', '暂时无法查询', '未登记的产品'], ['en', 'Record unavailable for now', 'counterfeit']]) {
        const html = await fetch(`${t.gw.url}/01/${GTIN}/10/S1`, { headers: { accept: 'text/html', 'accept-language': lang as string } });
        expect(html.status).to.equal(503);
        const text = await html.text();
        expect(text).to.include(says as string).and.not.include(not as string).and.not.include('Rice');
        expect(text).to.not.include('role="alert"');
      }
      // the EPCIS event store is a store of its own, and answers
      expect((await call(t.gw.url, 'GET', '/epcis/events', { key: t.regulatorKey })).status).to.equal(200);
    });

    it('catches up after a restart with room, losing nothing recorded meanwhile', async () => {
      await t.gw.close();
      t = { ...t, gw: await startGateway({ ...t.config, traceIndexHeapLimitMb: t.config.epcisStoreHeapLimitMb }) };
      await until(async () => (await call(t.gw.url, 'GET', '/readyz')).status === 200);
      expect(t.gw.index.stopped).to.equal(undefined);
      expect(await lotCodes(t)).to.deep.equal(['S1']);
      const s1 = await call(t.gw.url, 'GET', `/v1/lots/${GTIN}/S1`, { key: t.regulatorKey });
      expect(s1.body).to.include({ status: 'recalled', recallId: 'RC-S1' });
      expect(s1.body.holders.map((h: { participant: string; holding: number }) => [h.participant, h.holding])).to.deep.equal([['farm-21', 9]]); // one shipped, in transit
      const shipment = await call(t.gw.url, 'GET', '/v1/shipments/SH-S1', { key: t.regulatorKey });
      expect(shipment.body).to.include({ status: 'in_transit', from: 'farm-21', to: 'dist-22' });
      expect(metric((await call(t.gw.url, 'GET', '/metrics')).text, 'zfc_trace_index_stopped')).to.equal(0);
    });

    it('does not load a graph the heap has no room for at a start, and loads it whole once there is room', async () => {
      await createLot(t, key, 'S2');
      await until(() => t.gw.index.caughtUp(t.gw.ledger));
      const before = await lotCodes(t);
      expect(before).to.deep.equal(['S1', 'S2']);
      const config = t.config;
      await t.gw.close();
      await fullCollection();
      t = { ...t, gw: await startGateway({ ...config, traceIndexHeapLimitMb: 1 }) };
      expect(t.gw.index.stopped?.code).to.equal('TRACE_INDEX_FULL');
      expect(t.gw.index.stopped?.message).to.include('while loading its graph');
      expect(t.gw.index.lotCount, 'what was loaded is let go').to.equal(0);
      const ready = await call(t.gw.url, 'GET', '/readyz');
      expect([ready.status, ready.body.error.code]).to.deep.equal([503, 'TRACE_INDEX_FULL']);
      await t.gw.close();
      t = { ...t, gw: await startGateway({ ...config, traceIndexHeapLimitMb: config.epcisStoreHeapLimitMb }) };
      await until(async () => (await call(t.gw.url, 'GET', '/readyz')).status === 200);
      expect(await lotCodes(t)).to.deep.equal(before);
    });
  });
});
