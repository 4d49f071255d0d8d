/**
 * What the EPCIS XML binding costs the gateway's thread per event, beside the JSON binding in
 * the same rounds: reading a capture document (XML read into the JSON binding by
 * gateway-api/epcis-xml.ts, then validated, against JSON.parse of the same document, then
 * validated: what the capture route does before the contract), and writing a query answer
 * (gateway-api/epcis-xml-write.ts against JSON.stringify). The events are bench/epcis.bench.ts's,
 * 500 to a document, fresh every round.
 *
 * Figures are µs per event of this process's CPU time: medians and best of interleaved rounds.
 * ZFC_XML_EVENTS sets the events per round (default 20,000), ZFC_XML_ROUNDS the rounds (5).
 * Run alone: `npm run bench -- epcis-xml`.
 */
import { validateEpcisDocument } from '../chaincode/epcis-validate';
import { epcisDocumentFromXml } from '../gateway-api/epcis-xml';
import { queryDocumentXml } from '../gateway-api/epcis-xml-write';
import { benchDocument, benchEvent, BENCH_CONTEXT } from './epcis-events';
import { collectGarbage, interleavedRounds, median } from './rounds';
import { log, runAlone } from './standalone';

const EVENTS = Number(process.env['ZFC_XML_EVENTS'] ?? 20_000);
const ROUNDS = Number(process.env['ZFC_XML_ROUNDS'] ?? 5);
const PER_DOCUMENT = 500;

type Json = Record<string, unknown>;

/** The same documents in both bindings, and the answers they would make. */
interface Batch {
  readonly json: string[];
  readonly xml: string[];
  readonly answers: Json[];
}

const answerOf = (events: Json[]): Json => ({
  '@context': BENCH_CONTEXT,
  type: 'EPCISQueryDocument',
  schemaVersion: '2.0',
  creationDate: '2026-03-01T00:00:00Z',
  epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
});

const PARTS: ReadonlyArray<{ readonly name: string; readonly run: (b: Batch) => number }> = [
  { name: 'read a capture: JSON.parse + validate', run: (b) => b.json.reduce((n, text) => n + (validateEpcisDocument(JSON.parse(text)) ? 1 : 0), 0) },
  { name: 'read a capture: XML into JSON + validate', run: (b) => b.xml.reduce((n, text) => n + (validateEpcisDocument(epcisDocumentFromXml(text)) ? 1 : 0), 0) },
  { name: 'write an answer: JSON.stringify', run: (b) => b.answers.reduce((n, a) => n + JSON.stringify(a).length, 0) },
  { name: 'write an answer: XML', run: (b) => b.answers.reduce((n, a) => n + queryDocumentXml(a).length, 0) },
];

function batch(series: string): Batch {
  const json: string[] = [];
  const xml: string[] = [];
  const answers: Json[] = [];
  for (let i = 0; i < EVENTS; i += PER_DOCUMENT) {
    const events = Array.from({ length: Math.min(PER_DOCUMENT, EVENTS - i) }, (_, j) => benchEvent(i + j, series));
    json.push(JSON.stringify(benchDocument(events)));
    xml.push(queryDocumentXml(answerOf(events)));
    answers.push(JSON.parse(JSON.stringify(answerOf(events))) as Json);
  }
  return { json, xml, answers };
}

/** µs of this process's CPU per event for one part on one fresh batch. */
function measure(run: (b: Batch) => number, series: string): number {
  const b = batch(series);
  collectGarbage();
  const cpu0 = process.cpuUsage();
  run(b);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / EVENTS;
}

/** Runs the parts in interleaved rounds (one warm-up, every other round reversed) and prints medians, bests and the XML/JSON ratios. */
export async function run(): Promise<void> {
  const samples = await interleavedRounds(PARTS, ROUNDS, (part, round, k) => measure(part.run, `X${round}P${k}S`));
  const at = (name: string): number => median(samples.get(name) ?? []);
  const best = (name: string): number => Math.min(...(samples.get(name) ?? []));
  log(`${EVENTS} events per round, ${PER_DOCUMENT} per document, ${ROUNDS} rounds, CPU µs per event: median and best round`);
  log('| part | median | best |');
  log('|---|---:|---:|');
  for (const part of PARTS) log(`| ${part.name} | ${at(part.name).toFixed(2)} | ${best(part.name).toFixed(2)} |`);
  const [readJson, readXml, writeJson, writeXml] = PARTS.map((p) => at(p.name)) as [number, number, number, number];
  log(`ratio XML / JSON: reading a capture ${(readXml / readJson).toFixed(1)}×, writing an answer ${(writeXml / writeJson).toFixed(1)}×`);
}

runAlone(module, run);
