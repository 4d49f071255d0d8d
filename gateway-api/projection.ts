/**
 * The projection of the contract's chaincode events (chaincode/events.ts) into trace-index
 * facts. Stateless on purpose: each event carries everything needed, so replaying the same
 * events always gives the same facts, which is what makes the index rebuildable.
 */
import type { AnyEventEnvelope, EventBodies } from '../chaincode/events';
import type { LedgerEvent } from '../ledger-tools/ledger';
import { expandEpcisCaptured, type EpcisCapturedBody } from '../chaincode/epcis-capture';
import { capturedFacts } from './epcis-trace-facts';
import { decodedPayload } from './ledger-payload';
import type { Fact, LotRef } from './trace-model';

/**
 * The facts of one committed chaincode event; foreign events give none. The payload is decoded
 * once for this projection and the EPCIS one (ledger-payload.ts), captured EPCIS events only
 * through the capture contract's decoder: an `EpcisCaptured` envelope it refused gives nothing.
 */
export function projectEvent(event: LedgerEvent): Fact[] {
  const decoded = decodedPayload(event);
  if (decoded.kind === 'captured') return captureFacts(decoded.captured.body);
  if (decoded.kind === 'foreign' || decoded.envelope.type === 'EpcisCaptured') return [];
  return projectEnvelope(decoded.envelope);
}

/**
 * The facts of one decoded envelope. An `EpcisCaptured` envelope of today's layout names its
 * events and leaves their records to its transaction's `writes` (LedgerEvent.writes): without
 * them it throws CaptureWritesMissingError rather than answer with no facts.
 */
export function projectEnvelope(env: AnyEventEnvelope, writes?: LedgerEvent['writes']): Fact[] {
  switch (env.type) {
    case 'ParticipantRegistered':
    case 'ParticipantSuspended':
    case 'ParticipantReinstated': {
      const p = env.body.participant;
      return [{ type: 'participant', id: p.id, name: p.name, role: p.role, gln: p.gln, status: p.status }];
    }
    case 'ProductRegistered':
      return [{ type: 'product', gtin: env.body.product.gtin, name: env.body.product.name, unit: env.body.product.unit, owner: env.body.product.owner }];
    case 'LotCreated':
      return lotCreated(env.body);
    case 'ItemsCommissioned':
      return itemsCommissioned(env.body);
    case 'TestRecorded':
      return testRecorded(env.body);
    case 'LotTransformed':
      return transformed(env.body);
    case 'Aggregated':
      return [aggregation(env.body.container.sscc, 'add', env.body.added, env.body.claimed)];
    case 'Disaggregated':
      return [aggregation(env.body.container.sscc, 'delete', env.body.removed)];
    case 'Shipped':
      return shipped(env.body);
    case 'Received':
      return received(env.body);
    case 'Scanned':
      return scanned(env.body);
    case 'LotHeld':
      return [{ type: 'status', lotRef: ref(env.body.lot), status: 'on_hold', reason: env.body.hold.reason }];
    case 'LotReleased':
      return [{ type: 'status', lotRef: ref(env.body.lot), status: 'active', reason: env.body.reason }];
    case 'RecallIssued':
    case 'RecallProgressed':
      return recalled(env.body);
    case 'StockDisposed':
      return disposed(env.body);
    case 'InspectionRecorded': {
      const i = env.body.inspection;
      return [{ type: 'inspection', inspectionId: i.inspectionId, participant: i.participant, inspectedAt: i.inspectedAt, outcome: i.outcome, inspector: i.inspector }];
    }
    case 'EpcisCaptured': {
      const expanded = expandEpcisCaptured(env, writes); // events captured through the EPCIS interface
      return expanded ? captureFacts(expanded.body) : [];
    }
    default:
      return []; // an event that changes nothing the trace shows (identities of a participant, …)
  }
}

/**
 * The facts of a capture: each event's, in order; a shipping or receiving event that shipped or
 * received one of the ledger's shipments gives the shipment's or the receipt's facts instead,
 * exactly as Ship's or Receive's event would (its own would give the hops without the shipment),
 * and a destroying event that recorded one of its disposals the disposal's, as RecordDisposal's would.
 */
function captureFacts(body: EpcisCapturedBody): Fact[] {
  const moved = new Map<string, Fact[]>();
  for (const s of body.shipments ?? []) moved.set(s.eventID, shipped(s));
  for (const r of body.receipts ?? []) moved.set(r.eventID, received(r));
  for (const d of body.disposals ?? []) moved.set(d.eventID, disposed(d));
  if (moved.size === 0) return capturedFacts(body.events);
  return body.events.flatMap((e) => (!e.declaration && moved.get(e.eventID)) || capturedFacts([e]));
}

/** A disposal: the quantity leaves its holder's holding for good. */
function disposed(b: EventBodies['StockDisposed']): Fact[] {
  const d = b.disposal;
  return [{ type: 'hop', kind: 'dispose', lotRef: ref(d), from: d.holder, to: '', quantity: d.quantity, unit: d.unit, location: d.location.gln, ...(d.serials && d.serials.length > 0 ? { serials: [...d.serials] } : {}) }];
}

function ref(r: LotRef): LotRef {
  return { gtin: r.gtin, lot: r.lot };
}

function lotCreated(b: EventBodies['LotCreated']): Fact[] {
  const l = b.lot;
  return [
    {
      type: 'lot',
      kind: 'commissioning',
      gtin: l.gtin,
      lot: l.lot,
      producer: l.producer,
      quantity: l.quantity,
      unit: l.unit,
      location: l.origin?.gln ?? b.location.gln,
      originName: [l.origin?.name, l.origin?.region, l.origin?.country].filter((x) => x).join(', '),
      productionDate: l.productionDate,
      ...(l.expiryDate !== undefined ? { expiry: l.expiryDate } : {}),
    },
  ];
}

function itemsCommissioned(b: EventBodies['ItemsCommissioned']): Fact[] {
  const lotRef = ref(b.lot);
  const facts: Fact[] = b.batch.ranges.map((r) => ({ type: 'items', lotRef, range: { prefix: r.prefix, from: r.from, to: r.to, width: r.width } }));
  if (b.batch.serials.length > 0) facts.push({ type: 'items', lotRef, serials: [...b.batch.serials] });
  return facts;
}

function testRecorded(b: EventBodies['TestRecorded']): Fact[] {
  const t = b.test;
  const lotRef = ref(t);
  const analytes = t.analytes.map((a) => ({ name: a.name, value: a.value, unit: a.unit, limit: a.limit, limitType: a.limitType }));
  const facts: Fact[] = [{ type: 'test', lotRef, testId: t.testId, lab: t.lab, verdict: t.verdict, method: t.method, sampledAt: t.sampledAt, analytes }];
  if (t.verdict === 'fail') {
    facts.push({ type: 'warning', kind: 'failed_test', lotRef, message: `test ${t.testId} failed (${t.method})`, details: { testId: t.testId, lab: t.lab } });
  }
  if (b.held) facts.push({ type: 'status', lotRef, status: 'on_hold', reason: `failed test ${t.testId}` });
  return facts;
}

function transformed(b: EventBodies['LotTransformed']): Fact[] {
  const o = b.output;
  const facts: Fact[] = [
    {
      type: 'lot',
      kind: 'transformation',
      gtin: o.gtin,
      lot: o.lot,
      producer: o.producer,
      quantity: o.quantity,
      unit: o.unit,
      location: b.location.gln,
      productionDate: o.productionDate,
      ...(o.expiryDate !== undefined ? { expiry: o.expiryDate } : {}),
    },
  ];
  for (const e of b.edges) facts.push({ type: 'input', from: ref(e.input), to: ref(e.output), quantity: e.quantity, unit: e.unit });
  if (b.warning) {
    facts.push({
      type: 'warning',
      kind: 'material_balance',
      lotRef: ref(o),
      message: `output ${b.balance.output} ${b.balance.unit} against inputs ${b.balance.inputTotal} (${b.balance.verdict})`,
      details: { transformationId: b.transformationId, balance: b.balance, participant: b.participant },
    });
  }
  return facts;
}

/**
 * A packing or unpacking. A packing's quantities are what a captured shipment of the unit moves:
 * what it claimed of each lot, items included, when the event says (`claimed`); for an event
 * written before it did, its lot quantities only (its items then move with no quantity).
 */
function aggregation(sscc: string, action: 'add' | 'delete', change: EventBodies['Aggregated']['added'], claimed?: EventBodies['Aggregated']['claimed']): Fact {
  const lots = new Map<string, LotRef>();
  for (const l of change.lots) lots.set(`${l.gtin}|${l.lot}`, ref(l));
  for (const i of change.items) lots.set(`${i.gtin}|${i.lot}`, { gtin: i.gtin, lot: i.lot });
  const quantities = (claimed ?? change.lots).map((l) => ({ lotRef: ref(l), quantity: l.quantity, unit: l.unit }));
  return { type: 'aggregation', sscc, action, lots: [...lots.values()], children: [...change.containers], quantities };
}

function shipped(b: EventBodies['Shipped']): Fact[] {
  const s = b.shipment;
  return s.lines.map((l) => ({
    type: 'hop',
    kind: 'ship',
    lotRef: ref(l),
    from: s.from,
    to: s.to,
    quantity: l.quantity,
    unit: l.unit,
    shipmentId: s.shipmentId,
    location: s.origin.gln,
    ...(s.purpose === 'return' ? { purpose: 'return' as const } : {}),
  }));
}

function received(b: EventBodies['Received']): Fact[] {
  const s = b.shipment;
  const r = s.received;
  if (!r) return [];
  return r.lines.map((l) => ({
    type: 'hop',
    kind: 'receive',
    lotRef: ref(l),
    from: s.from,
    to: s.to,
    quantity: l.quantity,
    unit: l.unit,
    shipmentId: s.shipmentId,
    location: r.location.gln,
  }));
}

function scanned(b: EventBodies['Scanned']): Fact[] {
  const facts: Fact[] = [];
  for (const s of b.scans) {
    const code = 'sscc' in s.code ? s.code.sscc : 'serial' in s.code ? `${s.code.gtin}/21/${s.code.serial}` : `${s.code.gtin}/10/${s.code.lot}`;
    for (const l of s.lots) {
      if (s.kind === 'sale') {
        const held = b.holdings.find((h) => h.holder === s.participant && h.gtin === l.gtin && h.lot === l.lot);
        const quantity = s.quantity ?? ('serial' in s.code ? 1 : 0);
        facts.push({ type: 'hop', kind: 'sale', lotRef: ref(l), from: s.participant, to: '', quantity, unit: held?.unit ?? 'EA', location: s.location.gln });
      } else {
        facts.push({ type: 'scan', lotRef: ref(l), code, kind: s.kind, participant: s.participant, location: s.location.gln });
      }
    }
  }
  return facts;
}

function recalled(b: EventBodies['RecallIssued']): Fact[] {
  const r = b.recall;
  const facts: Fact[] = [{ type: 'recall', recallId: r.recallId, lots: r.lots.map(ref), reason: r.reason, recallClass: r.class, issuer: r.issuedBy, status: r.status }];
  for (const m of b.marked) facts.push({ type: 'status', lotRef: ref(m), status: 'recalled', reason: r.reason, recallId: r.recallId });
  return facts;
}
