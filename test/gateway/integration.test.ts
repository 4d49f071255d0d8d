/**
 * The gateway and the QR service joined up, on the demo chain (a real server on port 0 over
 * a fresh embedded ledger): cloned codes flagged from located anonymous scans and listed with
 * the warnings, kept across a rebuild; a participant's scan POSTed to the package URL recorded
 * on the ledger, a sale of a recalled item and a dispatch of a held one refused with 409; the
 * contract's AddIdentity / RemoveIdentity over HTTP (regulators only), in the OpenAPI document.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { x509IdOf } from '../../chaincode/access';
import { start } from '../../gateway-api/commands';
import { loadConfig } from '../../gateway-api/config';
import { DEMO, readDemoKeys, type DemoKeys } from '../../gateway-api/demo-seed';
import { openLedger } from '../../gateway-api/ledger-factory';
import { projectEvent } from '../../gateway-api/projection';
import type { RunningGateway } from '../../gateway-api/server';
import { TraceIndex } from '../../gateway-api/trace-index';
import { findCjkFont, LABELS_PER_PAGE, packageLink } from '../../qr-service';
import { decodeMatrix, pdfQrSymbols, readPdf } from '../qr/support';
import { call, removeDir } from './support';

const PUBLIC = 'https://zfc.example.cn';
const HANGZHOU = '30.25,120.16';
const BEIJING = '39.90,116.40';
const item = (serial: string, lot: string = DEMO.teaLot): string => `/01/${DEMO.tea}/10/${lot}/21/${serial}`;

describe('gateway: QR scans, clone warnings, package-URL scans, identities', function () {
  this.timeout(180_000);
  let dir = '';
  let gw: RunningGateway;
  let keys: DemoKeys;
  let base = '';

  before(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-integ-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ZFC_DATA: dir, RATE_LIMIT: '100000', RATE_BURST: '100000', BASE_URL: PUBLIC });
    gw = await start(config, () => undefined);
    base = gw.url;
    keys = (await readDemoKeys(dir)) as DemoKeys;
  });

  after(async () => {
    await gw?.close();
    await removeDir(dir);
  });

  const warnings = async (): Promise<{ kind: string; details: Record<string, unknown>; lot?: { lot: string } }[]> => {
    const r = await call(base, 'GET', '/v1/warnings', { key: keys.regulator });
    expect(r.status, r.text).to.equal(200);
    return r.body.warnings;
  };
  const clones = async (): Promise<string[]> => (await warnings()).filter((w) => w.kind === 'possible_clone').map((w) => String(w.details['serial']));

  describe('cloned codes', () => {
    it('flags a serial scanned in Hangzhou and then Beijing a moment later, lists it with the warnings and shows it on the page', async () => {
      expect(await clones()).to.deep.equal([]);
      expect((await call(base, 'GET', `${item('A00020')}?loc=${HANGZHOU}`)).status).to.equal(200);
      expect(await clones(), 'one located scan proves nothing').to.deep.equal([]);
      expect((await call(base, 'GET', `${item('A00020')}?lat=39.90&lon=116.40`)).status).to.equal(200);
      const flagged = (await warnings()).filter((w) => w.kind === 'possible_clone');
      expect(flagged.map((w) => w.details['serial'])).to.deep.equal(['A00020']);
      expect(flagged[0]?.lot?.lot).to.equal(DEMO.teaLot);
      const page = await call(base, 'GET', item('A00020'), { headers: { accept: 'text/html', 'accept-language': 'en' } });
      expect(page.text).to.contain('POSSIBLE_CLONE');
      expect(page.text).to.match(/scanned 1,\d{3} km apart/);
    });

    it('does not flag scans in one city, scans without a place, unknown serials or bad places', async () => {
      await call(base, 'GET', `${item('A00021')}?loc=${HANGZHOU}`);
      await call(base, 'GET', `${item('A00021')}?loc=30.28,120.12`); // a few km away
      await call(base, 'GET', item('A00021'));
      await call(base, 'GET', `${item('A00022')}?loc=999,5`);
      await call(base, 'GET', `${item('A00022')}?loc=${BEIJING},1`);
      await call(base, 'GET', `${item('A00022')}?loc=${BEIJING}`);
      await call(base, 'GET', `${item('Z99999')}?loc=${HANGZHOU}`);
      await call(base, 'GET', `${item('Z99999')}?loc=${BEIJING}`);
      expect(await clones()).to.deep.equal(['A00020']);
      expect(gw.index.publicScanCount(`${DEMO.tea}/A00021`)).to.equal(3);
    });

    it('reads a proxy\'s location header only when TRUST_PROXY is set', async () => {
      await call(base, 'GET', item('A00023'), { headers: { 'x-scan-location': HANGZHOU } });
      await call(base, 'GET', item('A00023'), { headers: { 'x-scan-location': BEIJING } });
      expect(await clones()).to.not.include('A00023');
    });

    it('only regulators list warnings', async () => {
      expect((await call(base, 'GET', '/v1/warnings', { key: keys.retailer })).status).to.equal(403);
    });
  });

  describe('a participant scanning the package URL with its key', () => {
    it('records a sale on the ledger (reusing RecordScans), idempotently', async () => {
      const headers = { 'idempotency-key': 'till-7-sale-A00030' };
      const r = await call(base, 'POST', `${item('A00030')}?kind=sale`, { key: keys.retailer, headers });
      expect(r.status, r.text).to.equal(201);
      expect(r.body.txId).to.match(/^[0-9a-f]{64}$/);
      const again = await call(base, 'POST', `${item('A00030')}?kind=sale`, { key: keys.retailer, headers });
      expect(again.status).to.equal(201);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect(again.body.txId).to.equal(r.body.txId);
      const history = await call(base, 'GET', `/v1/lots/${DEMO.tea}/${DEMO.teaLot}/history`, { key: keys.regulator });
      const scans = history.body.events.filter((e: { txId: string }) => e.txId === r.body.txId);
      expect(scans.length, 'the sale is on the ledger and in the index').to.be.greaterThan(0);
      const twice = await call(base, 'POST', item('A00030'), { key: keys.retailer, body: { kind: 'sale' } });
      expect(twice.status, 'an item is sold once').to.equal(409);
    });

    it('refuses the sale of a recalled item with 409 LOT_RECALLED, and records nothing', async () => {
      const before = (await call(base, 'GET', `/v1/lots/${DEMO.tea}/${DEMO.recalledTeaLot}/history`, { key: keys.regulator })).body.events.length;
      const r = await call(base, 'POST', item('B00012', DEMO.recalledTeaLot), { key: keys.retailer, body: { kind: 'sale' } });
      expect(r.status, r.text).to.equal(409);
      expect(r.body.error.code).to.equal('LOT_RECALLED');
      const after = (await call(base, 'GET', `/v1/lots/${DEMO.tea}/${DEMO.recalledTeaLot}/history`, { key: keys.regulator })).body.events.length;
      expect(after).to.equal(before);
    });

    it('refuses a dispatch of an item of a held lot with 409 LOT_ON_HOLD', async () => {
      const hold = { gtin: DEMO.tea, lot: DEMO.teaLot, reason: 'sampling' };
      expect((await call(base, 'POST', '/v1/holds', { key: keys.regulator, body: hold })).status).to.equal(201);
      try {
        const r = await call(base, 'POST', item('A00031'), { key: keys.retailer, body: { kind: 'dispatch' } });
        expect(r.status, r.text).to.equal(409);
        expect(r.body.error.code).to.equal('LOT_ON_HOLD');
      } finally {
        expect((await call(base, 'POST', '/v1/holds/release', { key: keys.regulator, body: { ...hold, reason: 'sample passed' } })).status).to.equal(201);
      }
    });

    it('refuses anonymous, kindless, unknown-kind and hostile requests with 4xx', async () => {
      expect((await call(base, 'POST', item('A00032'), { body: { kind: 'sale' } })).status).to.equal(401);
      const kindless = await call(base, 'POST', item('A00032'), { key: keys.retailer });
      expect(kindless.status).to.equal(400);
      expect(kindless.body.error.code).to.equal('INVALID_ARGUMENT');
      expect((await call(base, 'POST', `${item('A00032')}?kind=steal`, { key: keys.retailer })).status).to.equal(400);
      expect((await call(base, 'POST', `${item('A00032')}?kind=sale`, { key: keys.retailer, body: { kind: 'check' } })).status).to.equal(400);
      expect((await call(base, 'POST', item('A00032'), { key: keys.retailer, body: [1] })).status).to.equal(400);
      expect((await call(base, 'POST', item('A00032'), { key: keys.retailer, body: { kind: 'sale', extra: 1 } })).status).to.equal(400);
      expect((await call(base, 'POST', `/01/${DEMO.tea.slice(0, -1)}0/21/A00032`, { key: keys.retailer, body: { kind: 'sale' } })).status).to.equal(400);
      expect((await call(base, 'POST', `${item('A00032')}?kind=sale&kind=sale`, { key: keys.retailer })).status).to.equal(400);
      // the item is still for sale, and the URL exactly as the code carries it (expiry and all) works
      const scanned = await call(base, 'POST', `${item('A00032')}?17=271231&kind=sale`, { key: keys.retailer });
      expect(scanned.status, scanned.text).to.equal(201);
    });

    it('tells a till that GETs the package URL with its key and a kind to POST', async () => {
      const r = await call(base, 'GET', `${item('A00034')}?kind=sale`, { key: keys.retailer });
      expect(r.status).to.equal(400);
      expect(r.body.error.message).to.contain('POST');
      expect((await call(base, 'POST', `${item('A00034')}?kind=sale`, { key: keys.retailer })).status, 'nothing was recorded').to.equal(201);
    });

    it('leaves the anonymous GET to the resolver', async () => {
      const r = await call(base, 'GET', item('A00033'), { headers: { accept: 'application/json' } });
      expect(r.status).to.equal(200);
      expect(JSON.stringify(r.body)).to.contain('gs1:pip');
    });
  });

  describe('identities of a participant (AddIdentity / RemoveIdentity)', () => {
    it('a regulator adds and removes an identity; others may not; both routes are documented', async () => {
      const issuer = gw.issuer;
      if (!issuer) throw new Error('embedded ledger expected');
      const extra = await issuer.issue('westlake-market-till-2', 'retailer');
      const identity = { mspId: extra.mspId, id: x509IdOf(extra.mspId, extra.certificate) };
      const url = '/v1/participants/westlake-market/identities';
      const denied = await call(base, 'POST', url, { key: keys.retailer, body: { identity } });
      expect(denied.status, denied.text).to.equal(403);
      const added = await call(base, 'POST', url, { key: keys.regulator, body: { identity } });
      expect(added.status, added.text).to.equal(201);
      const dup = await call(base, 'POST', '/v1/participants/hefang-shop/identities', { key: keys.regulator, body: { identity } });
      expect(dup.status, 'an identity acts for one participant only').to.be.within(400, 499);
      const mismatch = await call(base, 'POST', url, { key: keys.regulator, body: { participant: 'hefang-shop', identity } });
      expect(mismatch.status).to.equal(400);
      const removed = await call(base, 'POST', `${url}/removal`, { key: keys.regulator, body: { identity } });
      expect(removed.status, removed.text).to.equal(201);
      const again = await call(base, 'POST', `${url}/removal`, { key: keys.regulator, body: { identity } });
      expect(again.status).to.be.within(400, 499);
      const doc = (await call(base, 'GET', '/openapi.json')).body;
      expect(doc.paths['/v1/participants/{id}/identities']?.post).to.be.an('object');
      expect(doc.paths['/v1/participants/{id}/identities/removal']?.post).to.be.an('object');
    });
  });

  describe('label sheets of a lot, from ledger data', () => {
    const labels = async (key: string, query = '', lot: string = DEMO.teaLot): Promise<{ status: number; headers: Headers; pdf: Buffer }> => {
      const res = await fetch(`${base}/v1/lots/${DEMO.tea}/${lot}/labels.pdf${query}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, headers: res.headers, pdf: Buffer.from(await res.arrayBuffer()) };
    };

    it('prints the lot\'s commissioned items, a page of them at a time, each code its own item', async function () {
      try {
        findCjkFont();
      } catch {
        this.skip();
      }
      const first = await labels(keys.regulator, '?limit=50');
      expect(first.status, first.pdf.toString()).to.equal(200);
      expect(first.headers.get('content-type')).to.equal('application/pdf');
      expect(first.headers.get('x-labels')).to.equal('50');
      expect(first.headers.get('x-labels-total'), 'the demo commissions A00001–A00600').to.equal('600');
      const { pages, streams } = readPdf(first.pdf);
      expect(pages).to.equal(Math.ceil(50 / LABELS_PER_PAGE));
      const symbols = streams.flatMap(pdfQrSymbols);
      expect(symbols.length).to.equal(50);
      const lotDetail = (await call(base, 'GET', `/v1/lots/${DEMO.tea}/${DEMO.teaLot}`, { key: keys.regulator })).body;
      const link = (serial: string): string => packageLink(PUBLIC, { gtin: DEMO.tea, lot: DEMO.teaLot, serial, expiry: lotDetail.expiry });
      expect(decodeMatrix(symbols[0] as boolean[][])).to.equal(link('A00001'));
      expect(decodeMatrix(symbols[49] as boolean[][])).to.equal(link('A00050'));
      expect(first.pdf.toString('latin1')).to.contain('GT-2026-05A');

      const last = await labels(keys.retailer, '?offset=590&limit=50');
      expect(last.status, 'a holder of the lot may print').to.equal(200);
      expect(last.headers.get('x-labels')).to.equal('10');
      const tail = readPdf(last.pdf);
      expect(tail.pages).to.equal(1);
      const tailSymbols = tail.streams.flatMap(pdfQrSymbols);
      expect(tailSymbols.length).to.equal(10);
      expect(decodeMatrix(tailSymbols[9] as boolean[][])).to.equal(link('A00600'));
    });

    it('refuses strangers, lots without items, bad pages and anonymous callers', async () => {
      expect((await labels(keys.lab)).status, 'the lab neither made nor holds the lot').to.equal(403);
      expect((await labels(keys.regulator, '', DEMO.farmLot)).status, 'the farm lot has no items').to.equal(404);
      expect((await labels(keys.regulator, '', 'NO-SUCH-LOT')).status).to.equal(404);
      expect((await labels(keys.regulator, '?offset=600')).status).to.equal(404);
      expect((await labels(keys.regulator, '?limit=0')).status).to.equal(400);
      expect((await labels(keys.regulator, '?limit=999999')).status).to.equal(400);
      expect((await labels(keys.regulator, '?limit=5&limit=6')).status).to.equal(400);
      expect((await labels(keys.regulator, '?size=5')).status).to.equal(400);
      expect((await fetch(`${base}/v1/lots/${DEMO.tea}/${DEMO.teaLot}/labels.pdf`)).status).to.equal(401);
      const doc = (await call(base, 'GET', '/openapi.json')).body;
      expect(doc.paths['/v1/lots/{gtin}/{lot}/labels.pdf']?.get).to.be.an('object');
    });
  });

  describe('anonymous scans survive a rebuild of the index', () => {
    it('keeps counts and clone flags when the index is rebuilt from the ledger', async () => {
      const count = gw.index.publicScanCount(`${DEMO.tea}/A00020`);
      expect(count).to.equal(3);
      const config = loadConfig({ ZFC_DATA: dir });
      await gw.close();
      const opened = await openLedger(config);
      let index = await TraceIndex.open({ dir: path.join(dir, 'index'), project: projectEvent });
      try {
        await index.rebuild(opened.ledger);
        expect(index.lotCount).to.be.greaterThan(3);
        await index.close();
        index = await TraceIndex.open({ dir: path.join(dir, 'index'), project: projectEvent });
        expect(index.publicScanCount(`${DEMO.tea}/A00020`)).to.equal(count);
        expect(index.cloneWarnings().map((w) => w.details['serial'])).to.deep.equal(['A00020']);
      } finally {
        await index.close();
        await opened.ledger.close();
      }
      gw = await start(loadConfig({ PORT: '0', HOST: '127.0.0.1', ZFC_DATA: dir, BASE_URL: PUBLIC }), () => undefined);
      base = gw.url;
      expect(await clones()).to.deep.equal(['A00020']);
    });
  });
});
