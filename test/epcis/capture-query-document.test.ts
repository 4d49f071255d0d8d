/**
 * `POST /epcis/capture` takes an EPCISQueryDocument too, as the REST binding says it should: a
 * company copies what another repository answered into this one. Two gateways: GS1's examples
 * are captured into the first, its answer to a query is captured as it came into the second, and
 * the second then answers the same events field by field (each its own recordTime). A malformed
 * query document is refused with pointers into it.
 */
import { expect } from 'chai';
import { call, removeDir, startTestGateway, type Reply, type TestGateway } from '../gateway/support';
import { example, exampleNames, objectEvent } from './fixtures';

type Json = Record<string, unknown>;

describe('EPCIS capture of an EPCISQueryDocument (another repository\'s answer)', function () {
  this.timeout(120_000);
  let source: TestGateway;
  let target: TestGateway;
  const at = (t: TestGateway, method: string, url: string, body?: unknown): Promise<Reply> => call(t.gw.url, method, url, { key: t.regulatorKey, ...(body !== undefined ? { body } : {}) });
  const captured = async (t: TestGateway, body: unknown): Promise<Json> => {
    const r = await at(t, 'POST', '/epcis/capture', body);
    expect(r.status, r.text).to.equal(202);
    let job = (await at(t, 'GET', String(r.headers.get('location')))).body as Json;
    for (let i = 0; i < 400 && job['running']; i++) {
      await new Promise((res) => setTimeout(res, 25));
      job = (await at(t, 'GET', String(r.headers.get('location')))).body as Json;
    }
    return job;
  };
  const without = (e: Json, key: string): Json => {
    const copy = { ...e };
    delete copy[key];
    return copy;
  };

  before(async () => {
    source = await startTestGateway();
    target = await startTestGateway();
  });

  after(async () => {
    for (const t of [source, target]) {
      await t?.gw.close();
      if (t) await removeDir(t.dir);
    }
  });

  it('captures the answer of one repository into another, event for event', async () => {
    for (const name of exampleNames()) expect((await captured(source, example(name)))['success'], name).to.equal(true);
    const answer = await at(source, 'GET', '/epcis/events?perPage=1000');
    expect(answer.status).to.equal(200);
    const sent = (answer.body.epcisBody.queryResults.resultsBody.eventList as Json[]);
    expect(sent.length).to.be.greaterThan(10);
    const job = await captured(target, answer.body);
    expect(job['success'], JSON.stringify(job['errors'])).to.equal(true);
    expect(job['captured']).to.equal(sent.length);
    const back = (await at(target, 'GET', '/epcis/events?perPage=1000')).body.epcisBody.queryResults.resultsBody.eventList as Json[];
    const byID = new Map(back.map((e) => [e['eventID'], e]));
    for (const e of sent) {
      const got = byID.get(e['eventID']);
      expect(got, String(e['eventID'])).to.not.equal(undefined);
      expect(without(got as Json, 'recordTime'), String(e['eventID'])).to.deep.equal(without(e, 'recordTime')); // recorded here at its own time
    }
    // the same answer again: every event a duplicate
    expect((await captured(target, answer.body))['duplicates']).to.equal(sent.length);
  });

  it('refuses a malformed query document with pointers into it, and captures nothing', async () => {
    const answer = (await at(source, 'GET', '/epcis/events?perPage=2')).body as Json;
    // two events neither repository has; the second is malformed
    const fresh = (n: number): Json => objectEvent(n, { eventID: `urn:uuid:7f7f7f7f-0000-4000-8000-00000000000${n}` });
    const bad = { ...answer, epcisBody: { queryResults: { ...((answer['epcisBody'] as Json)['queryResults'] as Json), resultsBody: { eventList: [fresh(1), { ...fresh(2), action: 'TELEPORT' }] } } } };
    const r = await at(target, 'POST', '/epcis/capture', bad);
    expect(r.status, r.text).to.equal(400);
    expect(r.body.error.details.errors.map((e: { path: string }) => e.path)).to.include('/epcisBody/queryResults/resultsBody/eventList/1/action');
    expect((await at(target, 'GET', `/epcis/events/${encodeURIComponent(String(fresh(1)['eventID']))}`)).status, 'the valid event was not captured either').to.equal(404);
    const noResults = await at(target, 'POST', '/epcis/capture', { ...answer, epcisBody: {} });
    expect(noResults.status, noResults.text).to.equal(400);
  });
});
