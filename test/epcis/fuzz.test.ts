/* eslint-disable @typescript-eslint/no-explicit-any -- the test mutates arbitrary JSON documents */
/**
 * Generated hostile input through a whole gateway on its embedded ledger: GS1's official examples
 * with fields deleted, replaced by values of the wrong type (empty, huge, unicode, lone
 * surrogates, the composite-key separator, NUL, `__proto__`, nesting) or repeated, captured as
 * documents and as single events, and queries with random parameters and headers. Whatever comes
 * in, the gateway answers with a typed problem or does the work, never a 5xx, and a refusal
 * changes nothing: the event store grows by exactly what each capture job says it captured
 * (nothing for a refused document or a rolled-back job). A failure names its seed and step;
 * `ZFC_FUZZ_SEED=n npm test` runs another seed.
 */
import { expect } from 'chai';
import { pick, seededRandom } from '../seeded-random';
import { call, startTestGateway, type Reply, type TestGateway } from '../gateway/support';
import { example, exampleNames } from './fixtures';

/** The run's seed: fixed, so a failure reproduces; ZFC_FUZZ_SEED explores others. */
const SEED = Number(process.env['ZFC_FUZZ_SEED'] ?? 20261129);
const STEPS = 400;

/** Values a client may send where another type belongs. */
const WEIRD: readonly unknown[] = [
  null, 0, -1, 1e308, '', ' ', '|', 'a|b', '\u0000', '\ud800', '😀'.repeat(40), 'x'.repeat(70_000), [], {}, [[[]]], { a: { b: { c: {} } } }, true,
  'urn:epc:id:sgtin:0614141.107346.2018', 'https://id.gs1.org/01/09506000134352/21/1', '2026-13-45T99:99:99Z', '2026-01-01T00:00:00+25:00',
  'ni:///sha-256;abc', '__proto__', JSON.parse('{"__proto__":{"polluted":1}}'), 'urn:epc:id:sscc:0614141.1234567890', '%00', '../../etc/passwd',
];

const QUERY_NAMES = [
  'eventType', 'GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'EQ_bizStep', 'EQ_disposition', 'EQ_readPoint', 'EQ_bizLocation', 'MATCH_epc',
  'MATCH_anyEPC', 'MATCH_parentID', 'MATCH_epcClass', 'EQ_eventID', 'perPage', 'nextPageToken', 'orderBy', 'orderDirection', 'eventCountLimit',
  'maxEventCount', 'EQ_ex:grade', 'GT_maxValue_CEL', 'EQ_type', 'WD_bizLocation', 'HASATTR_bizLocation', 'EXISTS_errorDeclaration',
  'GE_quantity', 'EQ_bizTransaction_po', 'EQ_INNER_ILMD_ex:x', 'GE_errorDeclarationTime', 'EQ_source_owning_party', 'MATCH_anyEPCClass',
];

/** One of {@link WEIRD}, a fresh copy (a mutation may later reach into it). */
function weird(rnd: () => number): unknown {
  const v = pick(rnd, WEIRD);
  return v !== null && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : v;
}

/** Every path into a JSON value (objects and arrays), the root excluded. */
function paths(value: unknown, at: string[] = [], out: string[][] = []): string[][] {
  if (at.length > 0) out.push(at);
  if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) paths((value as any)[k], [...at, k], out);
  return out;
}

/** `doc` with one to three mutations: a field deleted, replaced by a weird value, a list repeated, or a field added. */
function mutated(rnd: () => number, doc: any): any {
  const copy = JSON.parse(JSON.stringify(doc));
  for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
    const path = pick(rnd, paths(copy));
    let parent: any = copy;
    for (const k of path.slice(0, -1)) parent = parent[k];
    if (parent === null || typeof parent !== 'object') continue;
    const key = path[path.length - 1] as string;
    const how = rnd();
    if (how < 0.3) delete parent[key];
    else if (how < 0.7) parent[key] = weird(rnd);
    else if (how < 0.85 && Array.isArray(parent[key])) parent[key].push(...parent[key]);
    else parent[`${key}x`] = weird(rnd);
  }
  return copy;
}

/** Text safe in a URL whatever it holds (a lone surrogate cannot be percent-encoded). */
const urlText = (v: unknown): string => encodeURIComponent(String(typeof v === 'string' ? v : JSON.stringify(v)).replace(/[\ud800-\udfff]/g, '?'));

describe('EPCIS: generated hostile input through the whole gateway', function () {
  this.timeout(180_000);
  let t: TestGateway;

  before(async () => {
    t = await startTestGateway();
  });
  after(async () => {
    await t.stop();
  });

  /** The events the gateway's event store holds, as /metrics reports them. */
  const stored = async (): Promise<number> => {
    const m = /^zfc_epcis_events (\d+)$/m.exec((await call(t.gw.url, 'GET', '/metrics')).text);
    if (!m) throw new Error('no zfc_epcis_events in /metrics');
    return Number(m[1]);
  };

  /** A refusal is a typed problem: the standard's exception type, and the project's code. */
  const assertProblem = (r: Reply, step: string): void => {
    expect(r.status, `${step}: ${r.text.slice(0, 300)}`).to.be.within(400, 499);
    expect(r.body?.type, step).to.match(/^epcisException:\w+Exception$/);
    expect(r.body?.error?.code, step).to.be.a('string');
  };

  it(`answers ${STEPS} mutated captures, events and queries (seed ${SEED}) with typed problems or the work, and a refusal changes nothing`, async () => {
    const rnd = seededRandom(SEED);
    const docs = exampleNames().map(example);
    const key = t.regulatorKey;
    const tally: Record<string, number> = {};
    for (let i = 0; i < STEPS; i++) {
      const before = await stored();
      const action = rnd();
      if (action < 0.45) {
        const behaviour = rnd() < 0.5 ? 'proceed' : 'rollback';
        const doc = mutated(rnd, pick(rnd, docs));
        const step = `step ${i} capture (${behaviour}) ${JSON.stringify(doc).slice(0, 200)}`;
        const r = await call(t.gw.url, 'POST', '/epcis/capture', { key, body: doc, headers: { 'content-type': 'application/ld+json', 'GS1-Capture-Error-Behaviour': behaviour } });
        tally[`capture ${r.status}`] = (tally[`capture ${r.status}`] ?? 0) + 1;
        if (r.status !== 202) {
          assertProblem(r, step);
          expect(await stored(), `${step}: refused, yet events were stored`).to.equal(before);
          continue;
        }
        let job = r.body;
        for (let polls = 0; job.running && polls < 1000; polls++) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          job = (await call(t.gw.url, 'GET', String(r.headers.get('location')), { key })).body;
        }
        expect(job.running, step).to.equal(false);
        for (const e of job.errors as any[]) expect(e.code, `${step}: ${JSON.stringify(e)}`).to.not.equal('INTERNAL');
        const captured: number = job.captured ?? 0;
        if (behaviour === 'rollback' && !job.success) expect(captured, `${step}: a rolled-back job captured nothing`).to.equal(0);
        expect(await stored(), `${step}: the store grows by what the job captured (${JSON.stringify(job).slice(0, 300)})`).to.equal(before + captured);
      } else if (action < 0.7) {
        const doc = pick(rnd, docs);
        const event = { '@context': doc['@context'], ...mutated(rnd, doc.epcisBody.eventList[0]) };
        const step = `step ${i} event ${JSON.stringify(event).slice(0, 200)}`;
        const r = await call(t.gw.url, 'POST', '/epcis/events', { key, body: event, headers: { 'content-type': 'application/ld+json' } });
        tally[`event ${r.status}`] = (tally[`event ${r.status}`] ?? 0) + 1;
        if (r.status === 201 || r.status === 200) expect(await stored(), step).to.equal(before + (r.status === 201 ? 1 : 0));
        else {
          assertProblem(r, step);
          expect(await stored(), `${step}: refused, yet events were stored`).to.equal(before);
        }
      } else {
        const query = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => `${pick(rnd, QUERY_NAMES)}=${urlText(pick(rnd, WEIRD))}`).join('&');
        const route = pick(rnd, ['/epcis/events', '/epcis/events', `/epcis/epcs/${urlText(pick(rnd, WEIRD))}/events`, '/epcis/bizSteps/shipping/events', `/epcis/events/${urlText(pick(rnd, WEIRD))}`]);
        const headers: Record<string, string> = {};
        if (rnd() < 0.4) headers['GS1-EPC-Format'] = pick(rnd, ['Always_EPC_URN', 'Never_Translates', 'No_Preference', 'bogus']);
        if (rnd() < 0.3) headers['GS1-Extensions'] = pick(rnd, ['ex=https://example.org/ext/', 'ex=', '=', 'ex=not a uri', '|']);
        const step = `step ${i} GET ${route}?${query.slice(0, 300)} ${JSON.stringify(headers)}`;
        const r = await call(t.gw.url, 'GET', `${route}?${query}`, { key, headers });
        tally[`query ${r.status}`] = (tally[`query ${r.status}`] ?? 0) + 1;
        if (r.status !== 200) assertProblem(r, step);
        expect(await stored(), `${step}: a query stored events`).to.equal(before);
      }
    }
    // both sides were exercised: work done and input refused
    expect(tally['capture 202'], JSON.stringify(tally)).to.be.greaterThan(0);
    expect(Object.keys(tally).some((k) => /^(capture|event) 4\d\d$/.test(k)), JSON.stringify(tally)).to.equal(true);
    expect((await call(t.gw.url, 'GET', '/readyz')).status).to.equal(200);
  });
});
