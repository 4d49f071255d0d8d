/**
 * Captured EPCIS events (`EpcisCaptured`) as trace-index facts, so that events which arrived
 * only through `POST /epcis/capture` join the same trace graph as the ledger's own records:
 *
 * - commissioning (ObjectEvent ADD): a lot node made by the capturer;
 * - TransformationEvent: each input lot or item → each output, outputs made by the capturer;
 * - AggregationEvent with an SSCC parent: what the case or pallet carries (lots, items, SSCCs);
 * - shipping / receiving / retail_selling ObjectEvents: custody hops, the other side taken from
 *   the source and destination lists (a party's GLN when it names no participant we know). An
 *   SSCC in the event gives a unit hop: the graph moves what the case or pallet carries, whether
 *   a captured AggregationEvent or the ledger's Aggregate packed it, as the contract's Ship of
 *   containers moves theirs (this projection is stateless and cannot know the contents);
 * - TransactionEvents (ADD or OBSERVE) with those bizSteps: the same custody hops — a sale or a
 *   purchase order fulfilled names the items or lots and the parties just as a shipment does.
 *   Any other TransactionEvent only ties EPCs to a business transaction (an order, an invoice),
 *   and the trace model has no node for a business transaction: it gives nothing. The hop's
 *   shipment is the eventID (as for ObjectEvents), not the bizTransaction: the two sides of one
 *   delivery often cite different documents (the buyer's order, the seller's despatch advice).
 *   A DELETE disassociates objects from a transaction; it moves nothing, so it gives nothing;
 * - AssociationEvent (EPCIS 2.0) with an SSCC parent: read as packing, exactly like an
 *   AggregationEvent, since a trace from the case or pallet must reach what was put with it.
 *   With any other parent — in practice a GIAI or GRAI asset (a sensor, a returnable crate) —
 *   it names nothing the trace shows (traces start from lots, items and SSCCs) and gives nothing:
 *   a crate reused across many lots would otherwise join lots that never met.
 *
 * Error declarations (EPCIS 2.0 §7.4.1.2): when a recorded event is later declared erroneous,
 * the capture emits its record again with `declaration` set. That record gives one retraction
 * fact carrying the facts the event gave when captured (this projection is stateless, so it
 * recomputes them exactly), which the index withdraws; the corrective events named in the
 * declaration are ordinary captured events and stand. An event captured already carrying an
 * errorDeclaration asserts nothing about the world and gives nothing.
 *
 * Identifiers come from the stored event's canonical forms (`ids`, from epcis-identifiers.ts),
 * so an item named by EPC URN in one event and by Digital Link on any domain in the next is one
 * node. A lot is GTIN + lot (LGTIN); an item is GTIN + serial and stands for its own lot unless
 * the ledger commissioned it under one (trace-model.ts `itemAsLot`). Other identifiers (GRAI,
 * GIAI, product classes without a lot) name nothing the trace shows and are left out.
 *
 * Stateless like projection.ts: the same captured event always gives the same facts.
 */
import { cbvWord } from '../chaincode/cbv';
import { contextPrefixes } from '../chaincode/epcis-event-hash';
import { tryParseIdentifier } from '../chaincode/digital-link';
import { normalizeCached } from '../chaincode/epcis-identifiers';
import type { StoredEpcisEvent } from '../chaincode/epcis-ledger';
import { itemAsLot, type Fact, type LotRef } from './trace-model';

type Json = Readonly<Record<string, unknown>>;

/** One thing an event names, as the trace graph sees it. */
type Thing = { readonly lot: LotRef; readonly quantity: number; readonly unit: string } | { readonly sscc: string };

/** A canonical identifier as a lot (LGTIN), an item's own lot (SGTIN) or a logistic unit (SSCC). */
function thingOf(canonical: string, quantity = 1, unit = 'EA'): Thing | undefined {
  const id = tryParseIdentifier(canonical);
  if (!id) return undefined;
  if (id.kind === 'sscc' && id.sscc) return { sscc: id.sscc };
  if (id.kind === 'lot' && id.gtin && id.lot !== undefined) return { lot: { gtin: id.gtin, lot: id.lot }, quantity, unit };
  if (id.kind === 'item' && id.gtin && id.serial !== undefined) return { lot: itemAsLot(id.gtin, id.serial), quantity: 1, unit: 'EA' };
  return undefined;
}

function canonical(text: unknown): string | undefined {
  try {
    return normalizeCached(String(text));
  } catch {
    return undefined;
  }
}

/** The things of an EPC list (canonical identifiers) and a quantity list (as captured). */
function things(epcs: readonly string[], quantities: unknown): Thing[] {
  const out: Thing[] = [];
  for (const epc of epcs) {
    const t = thingOf(epc);
    if (t) out.push(t);
  }
  for (const q of Array.isArray(quantities) ? (quantities as Json[]) : []) {
    const c = canonical(q['epcClass']);
    const amount = typeof q['quantity'] === 'number' ? q['quantity'] : 0;
    const t = c ? thingOf(c, amount, typeof q['uom'] === 'string' ? q['uom'] : 'EA') : undefined;
    if (t) out.push(t);
  }
  return out;
}

const lotsOf = (list: readonly Thing[]): Array<Extract<Thing, { lot: LotRef }>> => list.filter((t): t is Extract<Thing, { lot: LotRef }> => 'lot' in t);
const ssccsOf = (list: readonly Thing[]): string[] => list.filter((t): t is { sscc: string } => 'sscc' in t).map((t) => t.sscc);

/** A party or place as the trace names it: the participant's GLN. */
function partyOf(canonicalUri: string | undefined): string {
  if (!canonicalUri) return '';
  const id = tryParseIdentifier(canonicalUri);
  return id?.gln ?? canonicalUri;
}

function placeOf(e: StoredEpcisEvent): string {
  return partyOf(e.ids.bizLocation ?? e.ids.readPoint);
}

function commissioned(e: StoredEpcisEvent, lots: ReturnType<typeof lotsOf>, kind: 'commissioning' | 'transformation'): Fact[] {
  const location = placeOf(e);
  const productionDate = e.eventTime.slice(0, 10);
  return lots.map((t) => ({ type: 'lot', kind, gtin: t.lot.gtin, lot: t.lot.lot, producer: e.capturedBy, quantity: t.quantity, unit: t.unit, productionDate, ...(location ? { location } : {}), captured: true }));
}

/** Custody hops (of lots, then of logistic units) for a shipping, receiving or retail_selling bizStep; none for any other. */
function custodyHops(e: StoredEpcisEvent, named: readonly Thing[]): Fact[] {
  const step = cbvWord('BizStep', e.event['bizStep'], () => contextPrefixes(e.context));
  const location = placeOf(e);
  const at = { shipmentId: e.eventID, ...(location ? { location } : {}) };
  const hop = (kind: 'ship' | 'receive' | 'sale', from: string, to: string): Fact[] => [
    ...lotsOf(named).map((t): Fact => ({ type: 'hop', kind, lotRef: t.lot, from, to, quantity: t.quantity, unit: t.unit, ...at })),
    ...ssccsOf(named).map((sscc): Fact => ({ type: 'unitHop', kind, sscc, from, to, ...at })),
  ];
  if (step === 'shipping') return hop('ship', e.capturedBy, partyOf(e.ids.destinations[0]));
  if (step === 'receiving') return hop('receive', partyOf(e.ids.sources[0]), e.capturedBy);
  if (step === 'retail_selling') return hop('sale', e.capturedBy, '');
  return [];
}

function objectFacts(e: StoredEpcisEvent): Fact[] {
  const ev = e.event;
  const named = things(e.ids.epcList, ev['quantityList']);
  const step = cbvWord('BizStep', ev['bizStep'], () => contextPrefixes(e.context));
  if (ev['action'] === 'ADD' && (step === undefined || step === 'commissioning')) return commissioned(e, lotsOf(named), 'commissioning');
  return custodyHops(e, named);
}

function transactionFacts(e: StoredEpcisEvent): Fact[] {
  if (e.event['action'] === 'DELETE') return [];
  return custodyHops(e, things(e.ids.epcList, e.event['quantityList']));
}
function transformationFacts(e: StoredEpcisEvent): Fact[] {
  const inputs = lotsOf(things(e.ids.inputEPCList, e.event['inputQuantityList']));
  const outputs = lotsOf(things(e.ids.outputEPCList, e.event['outputQuantityList']));
  const facts = commissioned(e, outputs, 'transformation');
  for (const o of outputs) for (const i of inputs) facts.push({ type: 'input', from: i.lot, to: o.lot, quantity: i.quantity, unit: i.unit });
  return facts;
}

function aggregationFacts(e: StoredEpcisEvent): Fact[] {
  const parent = e.ids.parentID ? thingOf(e.ids.parentID) : undefined;
  const action = e.event['action'];
  if (!parent || !('sscc' in parent) || (action !== 'ADD' && action !== 'DELETE')) return [];
  const children = things(e.ids.childEPCs, e.event['childQuantityList']);
  const lots = lotsOf(children);
  const quantities = lots.map((t) => ({ lotRef: t.lot, quantity: t.quantity, unit: t.unit }));
  return [{ type: 'aggregation', sscc: parent.sscc, action: action === 'ADD' ? 'add' : 'delete', lots: lots.map((t) => t.lot), children: ssccsOf(children), quantities }];
}

/** The trace facts of one captured event; a declared record gives the retraction of its facts. */
export function capturedEventFacts(e: StoredEpcisEvent): Fact[] {
  return e.declaration ? retraction(e) : assertedFacts(e);
}

function retraction(e: StoredEpcisEvent): Fact[] {
  const facts = assertedFacts(e);
  return facts.length > 0 ? [{ type: 'retraction', eventID: e.eventID, capturedTxId: e.txId, facts }] : [];
}

/** What the event asserts about custody, lineage and packing, as captured. */
function assertedFacts(e: StoredEpcisEvent): Fact[] {
  if (e.event['errorDeclaration'] !== undefined) return [];
  switch (e.event['type']) {
    case 'ObjectEvent':
      return objectFacts(e);
    case 'TransactionEvent':
      return transactionFacts(e);
    case 'TransformationEvent':
      return transformationFacts(e);
    case 'AggregationEvent':
    case 'AssociationEvent':
      return aggregationFacts(e); // only with an SSCC parent
    default:
      return [];
  }
}

/**
 * The trace facts of a capture transaction's events, in order. A loop, not `flatMap`: Node 20's
 * flatMap spent about 300 ns an event more (one fact an event), and every captured event comes here.
 */
export function capturedFacts(events: readonly StoredEpcisEvent[]): Fact[] {
  const facts: Fact[] = [];
  for (const e of events) for (const f of capturedEventFacts(e)) facts.push(f);
  return facts;
}
