/**
 * The chaincode's CPU work per captured EPCIS event, part by part: document validation, the
 * event hash ID, identifier collection, one EPC's normalisation, and (for the trace index) the
 * parse of its canonical URI. Each fast part runs beside its baseline in the same process and
 * the same rounds — the implementation before the speed work (test/epcis/event-hash-reference.ts;
 * identifiers through the full parsers, `normalizeEpcByParser`, `parseIdentifierByParser`) — so
 * the ratio holds on a loaded machine. Validation has no baseline here (ajv-formats' own formats
 * are no longer wired in). Events are shaped like bench/epcis.bench.ts's (one fresh serial each,
 * half EPC URN and half Digital Link, an SGLN read point, a bizTransaction, an extension), go
 * through JSON as the chaincode receives them, and are fresh every round, so no EPC is ever a
 * cache hit.
 *
 * Figures are µs per event of this process's CPU time (collector threads included): medians and
 * best of interleaved rounds. ZFC_PARTS_EVENTS sets the events per round (default 20,000),
 * ZFC_PARTS_ROUNDS the rounds (5). Run alone: `node .build/<you>/bench/epcis-parts.bench.js`.
 */
import { normalizeEpc, normalizeEpcByParser, parseIdentifier, parseIdentifierByParser } from '../chaincode/digital-link';
import { eventHashId } from '../chaincode/epcis-event-hash';
import { eventIdentifiers, eventPointer } from '../chaincode/epcis-identifiers';
import { validateEpcisDocument } from '../chaincode/epcis-validate';
import { referenceHashId, referenceIdentifiers } from '../test/epcis/event-hash-reference';
import { BENCH_CONTEXT, benchDocument, benchEvent } from './epcis-events';
import { collectGarbage, interleavedRounds, median } from './rounds';
import { log, runAlone } from './standalone';

const EVENTS = Number(process.env['ZFC_PARTS_EVENTS'] ?? 20_000);
const ROUNDS = Number(process.env['ZFC_PARTS_ROUNDS'] ?? 5);
const CONTEXT = BENCH_CONTEXT;

type Json = Record<string, unknown>;

/** Events per document, as bench/epcis.bench.ts sends them. */
const PER_DOCUMENT = 500;

/** A measured part: `run` gets fresh events (and them as documents) and does the work on all of them. */
interface Part {
  readonly name: string;
  readonly run: (events: Json[], docs: Json[], canonical: string[]) => unknown;
}

const PARTS: readonly Part[] = [
  { name: 'validate document', run: (_e, docs) => each(docs, (doc) => validateEpcisDocument(doc)) },
  { name: 'eventHashId (before)', run: (events) => each(events, (e) => referenceHashId(e, CONTEXT)) },
  { name: 'eventHashId', run: (events) => each(events, (e) => eventHashId(e, CONTEXT)) },
  { name: 'eventIdentifiers (before)', run: (events) => each(events, (e, i) => referenceIdentifiers(e, eventPointer(i))) },
  { name: 'eventIdentifiers', run: (events) => each(events, (e, i) => eventIdentifiers(e, eventPointer(i))) },
  {
    name: 'hash + identifiers, as a capture (before)',
    run: (events) => each(events, (e, i) => referenceIdentifiers(e, eventPointer(i)) && referenceHashId(e, CONTEXT)),
  },
  { name: 'hash + identifiers, as a capture', run: (events) => each(events, (e, i) => eventIdentifiers(e, eventPointer(i)) && eventHashId(e, CONTEXT)) },
  { name: 'normalize EPC (full parser)', run: (events) => each(events, (e) => normalizeEpcByParser((e['epcList'] as string[])[0] as string)) },
  { name: 'normalize EPC', run: (events) => each(events, (e) => normalizeEpc((e['epcList'] as string[])[0] as string)) },
  { name: 'parse canonical EPC (full parser)', run: (_e, _d, canonical) => each(canonical, (c) => parseIdentifierByParser(c)) },
  { name: 'parse canonical EPC', run: (_e, _d, canonical) => each(canonical, (c) => parseIdentifier(c)) },
];

/** Calls `fn` on every item, keeping nothing but a count, so no result is retained for the collector to trace. */
function each<T>(items: readonly T[], fn: (item: T, i: number) => unknown): number {
  let kept = 0;
  for (let i = 0; i < items.length; i++) if (fn(items[i] as T, i)) kept++;
  return kept;
}

/** µs of this thread's CPU per event for one part on one fresh batch. */
function measure(part: Part, series: string): number {
  // through JSON, as the chaincode receives them: flat strings, not the concatenations JS builds
  const events = JSON.parse(JSON.stringify(Array.from({ length: EVENTS }, (_, i) => benchEvent(i, series)))) as Json[];
  const docs: Json[] = [];
  for (let i = 0; i < events.length; i += PER_DOCUMENT) docs.push(benchDocument(events.slice(i, i + PER_DOCUMENT)));
  // the canonical URIs the trace index parses back, as they come out of the stored record
  const canonical = JSON.parse(JSON.stringify(events.map((e) => normalizeEpc((e['epcList'] as string[])[0] as string)))) as string[];
  collectGarbage();
  const cpu0 = process.cpuUsage();
  part.run(events, docs, canonical);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / EVENTS;
}

/** Runs every part in interleaved rounds (one warm-up), alternating their order, and prints medians, bests and the ratios to the baselines. */
export async function run(): Promise<void> {
  const samples = await interleavedRounds(PARTS, ROUNDS, (part, round, k) => measure(part, `R${round}P${k}S`));
  const at = (name: string): number => median(samples.get(name) ?? []);
  const best = (name: string): number => Math.min(...(samples.get(name) ?? []));
  log(`${EVENTS} events per round, ${ROUNDS} rounds, CPU µs per event: median and best round`);
  log('| part | median | best | vs before (median) |');
  log('|---|---:|---:|---:|');
  for (const part of PARTS) {
    const before = part.name.endsWith(')') ? undefined : PARTS.find((p) => p.name.startsWith(`${part.name} (`));
    const ratio = before ? `${(at(before.name) / at(part.name)).toFixed(1)}× faster` : '';
    log(`| ${part.name} | ${at(part.name).toFixed(2)} | ${best(part.name).toFixed(2)} | ${ratio} |`);
  }
}

runAlone(module, run);
