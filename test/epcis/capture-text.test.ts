/**
 * `POST /epcis/capture` passes on the document as the text it arrived in: that text is what the
 * schema check saw (parsed), what the ledger is given and what the job keeps for a restart —
 * never the value encoded again. Checked on a real Koa server (127.0.0.1, port 0) over the
 * embedded ledger, the projection store and capture jobs kept in a real level database: a
 * pretty-printed document with escapes is saved verbatim and captured intact, a query right
 * after its job finishes sees its events, a job saved before (the document itself) still runs
 * again, and a refused document leaves no job and no record.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Level } from 'level';
import { EpcisContract } from '../../chaincode/epcis-contract';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import { CaptureJobs, savedOf } from '../../gateway-api/epcis-capture-jobs';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import { EpcisRecords, type JsonSection, type RecordOp } from '../../gateway-api/epcis-records';
import { captureWork } from '../../gateway-api/epcis-routes';
import { createCertificateAuthority, openEmbeddedLedger, type EmbeddedLedger, type Identity } from '../../ledger-tools';
import { documentOf, objectEvent } from './fixtures';
import { SeedContract } from './seed-contract';
import { serveRouterAs } from './serve-router';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Real records that also remember every value put (alone or in a batch), to see what a job saved before it ended. */
class WatchedRecords extends EpcisRecords {
  readonly puts: Array<[string, unknown]> = [];

  constructor(db: JsonSection) {
    super(db);
  }

  override put(key: string, value: unknown): Promise<void> {
    this.puts.push([key, value]);
    return super.put(key, value);
  }

  override batch(ops: readonly RecordOp[]): Promise<void> {
    for (const op of ops) if (op.type === 'put') this.puts.push([op.key, op.value]);
    return super.batch(ops);
  }
}

describe('EPCIS capture of the document as received', function () {
  this.timeout(60_000);
  let dir: string;
  let ledger: EmbeddedLedger;
  let db: Level<string, unknown>;
  let records: WatchedRecords;
  let store: ProjectedEventStore;
  let alice: Identity;
  let server: Server;
  let base: string;

  const post = (text: string): Promise<Response> =>
    fetch(`${base}/epcis/capture`, { method: 'POST', headers: { authorization: 'Bearer alice', 'content-type': 'application/ld+json' }, body: text });
  const get = async (path: string): Promise<Json> => (await (await fetch(base + path, { headers: { authorization: 'Bearer alice' } })).json()) as Json;
  const settle = async (location: string): Promise<Json> => {
    for (let i = 0; i < 600; i++) {
      const job = await get(location);
      if (!job['running']) return job;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('capture job did not finish');
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zfc-epcis-text-'));
    ledger = await openEmbeddedLedger({ dir: join(dir, 'ledger'), contracts: [EpcisContract, SeedContract] });
    alice = await (await createCertificateAuthority('Org1MSP')).issue({ commonName: 'alice', organizationalUnit: 'client' });
    await ledger.submit('seed:Participant', [JSON.stringify({ id: 'P-ALICE', name: 'Alice Foods', role: 'retailer', status: 'active', identities: [] })], alice);
    db = new Level<string, unknown>(join(dir, 'gateway'), { valueEncoding: 'json' });
    records = new WatchedRecords(db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' }));
    store = await ProjectedEventStore.open(ledger);
    ({ base, server } = await serveRouterAs(alice, { store, jobs: new CaptureJobs(undefined, records) }));
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    await store.close();
    await records.settled();
    await db.close();
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('saves and captures the text it was sent, escapes and all, and a query right after the job sees the events', async () => {
    const events = [0, 1, 2].map((i) => objectEvent(600 + i, { epcList: [`urn:epc:id:sgtin:0614141.107346.T${i}`], 'ex:note': `caf\u00e9 \u201c${i}\u201d` }));
    const doc = { ...documentOf(events), '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.org/ext/' }] };
    // pretty-printed, non-ASCII written as \u escapes: a text JSON.stringify of the value would not give back
    const text = JSON.stringify(doc, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(text).to.not.equal(JSON.stringify(JSON.parse(text)));
    const res = await post(text);
    expect(res.status, await res.clone().text()).to.equal(202);
    const job = await settle(String(res.headers.get('location')));
    expect(job).to.include({ running: false, success: true, captured: 3, duplicates: 0 });

    const saved = records.puts.filter(([k]) => k === `w|${String(job['captureID'])}`).map(([, v]) => v);
    expect(saved).to.have.length(1);
    // stored as it came, after the JSON of the rest of the job's work: not escaped into a JSON string
    expect(saved[0]).to.be.a('string');
    expect((saved[0] as string).endsWith(`\n${text}`)).to.equal(true);
    expect((savedOf(saved[0] as string) as { document: unknown }).document).to.equal(text);
    await records.settled();
    expect(await records.listText('w|')).to.deep.equal([]);

    const found = await get(`/epcis/events?MATCH_epc=${encodeURIComponent('urn:epc:id:sgtin:0614141.107346.T1')}`);
    const list = found['epcisBody']['queryResults']['resultsBody']['eventList'] as Json[];
    expect(list.map((e) => e['ex:note'])).to.deep.equal(['caf\u00e9 \u201c1\u201d']);
  });

  it('runs again a job saved with the document itself (as jobs were saved before), and with its text', async () => {
    const asValue = validateEpcisDocument(documentOf([objectEvent(700, { epcList: ['urn:epc:id:sgtin:0614141.107346.V1'] })]));
    expect(await captureWork(store, { document: asValue, identity: alice })(() => undefined)).to.deep.equal({ captured: 1, duplicates: 0 });
    const asText = JSON.stringify(documentOf([objectEvent(700, { epcList: ['urn:epc:id:sgtin:0614141.107346.V1'] }), objectEvent(701, { epcList: ['urn:epc:id:sgtin:0614141.107346.V2'] })]));
    expect(await captureWork(store, { document: asText, identity: alice })(() => undefined)).to.deep.equal({ captured: 1, duplicates: 1 });
    const page = await store.query({ perPage: 10, epcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/V2', prefix: false }] }, '', alice);
    expect(page.events.map((e) => e.eventTime)).to.deep.equal(['2026-03-01T08:11:41.000Z']);
  });

  it('says once that the ledger has committed a capture, before the store answers, and never for a refused one', async () => {
    const commits: boolean[] = [];
    let answered = false;
    const text = JSON.stringify(documentOf([objectEvent(710, { epcList: ['urn:epc:id:sgtin:0614141.107346.W1'] })]));
    const result = await store.capture(text, alice, 'rollback', () => commits.push(answered));
    answered = true;
    expect(result.captured).to.have.length(1);
    expect(commits, 'called once, while the store had not yet answered').to.deep.equal([false]);
    const refused = JSON.stringify(documentOf([{ type: 'ObjectEvent', action: 'OBSERVE' }]));
    let failed = false;
    await store.capture(refused, alice, 'rollback', () => commits.push(true)).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(commits, 'nothing committed for a refused document').to.deep.equal([false]);
  });

  it('refuses a document that is not valid, keeping no job and no record', async () => {
    const before = records.puts.length;
    const bad = JSON.stringify(documentOf([objectEvent(800, { action: 'FLY' })]), null, 1);
    const res = await post(bad);
    expect(res.status).to.equal(400);
    expect(((await res.json()) as Json)['error']['code']).to.equal('INVALID_ARGUMENT');
    expect((await post('{"type": "EPCISDocument",')).status).to.equal(400);
    expect(records.puts.length).to.equal(before);
  });
});
