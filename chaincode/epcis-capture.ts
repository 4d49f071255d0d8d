/**
 * Capture of EPCIS events sent by other systems: the rules of one capture transaction.
 *
 * All or nothing (the standard's default capture error behaviour, "rollback"): the whole
 * document is validated, every identifier normalised, every eventID assigned and every ledger
 * rule checked before the first write, so a rejected document records nothing. Events already
 * recorded (same eventID, given or computed) are reported as duplicates and not written again —
 * unless restated with an errorDeclaration, which is then recorded beside the event.
 *
 * Ledger rules: where a captured event ships, sells, or consumes (as a transformation input) a
 * lot the ledger manages — named by its lot URI or by a commissioned item's serial, of a product
 * registered on the ledger — the lot's
 * status rules of lot.ts apply, so a captured shipment of a recalled lot fails with
 * LOT_RECALLED, exactly as a native shipment would. Captured events are evidence only: they do
 * not move holdings (quantities stay governed by the native transactions) — save a shipping or
 * receiving event that names one of the ledger's shipments as its despatch advice, which ships
 * or receives it as Ship or Receive would (epcis-shipments.ts).
 */
import { canonicalJson } from './canonical-json';
import { cbvWord, type Prefixes } from './cbv';
import { parseIdentifier } from './digital-link';
import { ZfcError } from './errors';
import { contextPrefixes, eventHashId, eventPreHash } from './epcis-event-hash';
import { anyClasses, anyEpcs, eventIdentifiers, eventPointer, type EventIdentifiers } from './epcis-identifiers';
import {
  captureKey, eventExists, eventKeyHash, isEventKey, readEvent, storedEvent, writeCapture, writeDeclaration, writeEvent,
  type CaptureRecord, type CaptureResult, type EventRecord, type RejectedEvent, type StoredEpcisEvent,
} from './epcis-ledger';
import { headerElements, isMasterDataKey, writeMasterData, type MasterDataRecord } from './epcis-master-data';
import { linkedShipment, receiveCaptured, shipCaptured, type CapturedReceipt, type CapturedShipment } from './epcis-shipments';
import { disposeCaptured, linkedDisposal, type CapturedDisposal } from './epcis-disposals';
import { validateEpcisDocument, validateEpcisDocumentProceeding, type EpcisEvent } from './epcis-validate';
import { assertRole, requireParticipant } from './access';
import { grantNamedReaders } from './epcis-access';
import { TRANSFORMER_ROLES } from './transformation';
import { containerLots, distinctLots } from './aggregation';
import { assertMayUse, assertNewLot, getHolding } from './lot';
import type { HistoryEntry } from './history';
import { KEY, sequencePart } from './keys';
import { findItem, lotOf as lotOfItem } from './item';
import type { Container, Lot, LotRef, Participant, Product } from './records';
import type { Tx } from './tx';

/** bizSteps whose events use up or move what they name, and the lot rule's name for it. */
export const GATED_BIZ_STEPS: Readonly<Record<string, string>> = {
  shipping: 'ship',
  departing: 'ship',
  loading: 'ship',
  retail_selling: 'sell',
  dispensing: 'sell',
};

/** Dispositions that say what an event names was sold, whatever its bizStep (a till that sends only the state). */
export const SOLD_DISPOSITIONS: ReadonlySet<string> = new Set(['retail_sold', 'dispensed']);

/**
 * The body of the one chaincode event a capture emits (`EpcisCaptured`), as decoded: what the
 * consumers see, whatever layout the payload was written in.
 */
export interface EpcisCapturedBody extends CaptureResult {
  /** The captured events, then the events this capture declared erroneous (with their declaration). */
  readonly events: readonly StoredEpcisEvent[];
  /** The ledger's shipments its shipping events shipped, as Ship's event would give them. */
  readonly shipments?: readonly CapturedShipment[];
  /** The ledger's shipments its receiving events received, as Receive's event would give them. */
  readonly receipts?: readonly CapturedReceipt[];
  /** The ledger's disposals its destroying events recorded, as RecordDisposal's event would give them. */
  readonly disposals?: readonly CapturedDisposal[];
  /** The vocabulary elements its header declared (epcis-master-data.ts), as recorded. */
  readonly masterData?: readonly MasterDataRecord[];
}

/** What a capture did: its result, the events it declared erroneous, the shipments it shipped and received, the disposals it recorded, and the document's @context. */
export interface CaptureOutcome {
  readonly result: CaptureResult;
  readonly declared: readonly StoredEpcisEvent[];
  readonly shipments: readonly CapturedShipment[];
  readonly receipts: readonly CapturedReceipt[];
  readonly disposals?: readonly CapturedDisposal[];
  readonly context?: unknown;
}

/** Chaincode event name of a capture. */
export const EPCIS_CAPTURED = 'EpcisCaptured';

/** The envelope of an `EpcisCaptured` event, decoded (events.ts envelopes' shape). */
export interface EpcisCapturedEnvelope {
  readonly v: 1;
  readonly type: typeof EPCIS_CAPTURED;
  readonly txId: string;
  readonly timestamp: string;
  /** The capturing participant. */
  readonly caller: string;
  readonly body: EpcisCapturedBody;
  /** Always empty: the captured events are in `body.events`, with their canonical identifiers. */
  readonly epcis: readonly never[];
}

/** One key the capture's transaction wrote (LedgerEvent.writes): its value, or null for a delete. */
export interface CaptureWrite {
  readonly key: string;
  readonly value: Uint8Array | null;
}

/**
 * The body as carried in the payload. Today's layout names the captured events (`captured`)
 * and carries the capture's @context once and the declared events whole; the new events'
 * records are in the transaction's writes only. Earlier layouts carried every new event in
 * `events`: each record as written, or (the first layout) whole with its `ids`.
 */
interface WireBody extends CaptureResult {
  readonly context?: unknown;
  readonly events?: ReadonlyArray<EventRecord | StoredEpcisEvent>;
  readonly declaredEvents?: readonly StoredEpcisEvent[];
}

/**
 * A capture payload of today's layout read without the writes that hold its events' records
 * (a ledger, or a relay of its events, that dropped `LedgerEvent.writes`). A programmer's
 * mistake, raised rather than answered with no events: a follower that skipped the capture
 * would never see its events again.
 */
export class CaptureWritesMissingError extends TypeError {
  constructor(readonly txId: string, detail: string) {
    super(`EpcisCaptured of ${txId}: ${detail}; the captured events are in the transaction's writes (LedgerEvent.writes)`);
    this.name = 'CaptureWritesMissingError';
  }
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** What a capture of today's layout wrote: its record, its new events' records and the master data its header declared. */
interface Written {
  readonly capture?: CaptureRecord;
  readonly records: Map<string, EventRecord>;
  readonly masterData: MasterDataRecord[];
}

/** The capture's record, its new events' records and its master data, from the transaction's writes (one pass). */
function writtenRecords(txId: string, writes: readonly CaptureWrite[]): Written {
  const ofCapture = captureKey(txId);
  let capture: CaptureRecord | undefined;
  const records = new Map<string, EventRecord>();
  const masterData: MasterDataRecord[] = [];
  for (const w of writes) {
    if (!w.value) continue;
    if (w.key === ofCapture) capture = JSON.parse(text(w.value)) as CaptureRecord;
    else if (isEventKey(w.key)) {
      const record = JSON.parse(text(w.value)) as EventRecord;
      if (record.txId !== txId) continue; // a declaration's rewrite of an older event
      (record as { txId: string }).txId = txId; // the one string, not a copy per record: a projection keeps every record
      records.set(record.eventID, record);
    } else if (isMasterDataKey(w.key)) masterData.push(JSON.parse(text(w.value)) as MasterDataRecord);
  }
  return { ...(capture ? { capture } : {}), records, masterData };
}

/** The events a capture of today's layout wrote, in captured order, rebuilt from what it wrote. */
function capturedEvents(txId: string, captured: WireBody['captured'], written: Written | undefined): StoredEpcisEvent[] {
  if (captured.length === 0) return [];
  if (!written) throw new CaptureWritesMissingError(txId, `${captured.length} captured events and no writes given`);
  const { capture, records } = written;
  if (!capture) throw new CaptureWritesMissingError(txId, 'no capture record among the writes given');
  return captured.map((c) => {
    const record = records.get(c.eventID);
    if (!record) throw new CaptureWritesMissingError(txId, `no record of ${c.eventID} among the writes given`);
    return storedEvent(record, capture);
  });
}

/**
 * The envelope of an already parsed `EpcisCaptured` payload, its events in the consumers' form
 * (each event's canonical identifiers derived here); undefined for any other envelope. Today's
 * layout takes its new events from `writes`, the capturing transaction's write set
 * (LedgerEvent.writes); earlier layouts carry them in the payload and need none.
 *
 * @throws CaptureWritesMissingError for a capture of today's layout whose records are not in `writes`.
 */
export function expandEpcisCaptured(parsed: unknown, writes?: readonly CaptureWrite[]): EpcisCapturedEnvelope | undefined {
  const env = parsed as (Omit<EpcisCapturedEnvelope, 'body'> & { body?: WireBody }) | null;
  if (!env || typeof env !== 'object' || env.v !== 1 || env.type !== EPCIS_CAPTURED || !env.body) return undefined;
  const { context, declaredEvents, events: wire, ...result } = env.body;
  let events: StoredEpcisEvent[];
  let masterData: readonly MasterDataRecord[] = [];
  if (Array.isArray(wire)) {
    const capture: CaptureRecord = { capturedBy: env.caller, recordTime: env.timestamp, ...(context !== undefined ? { context } : {}) };
    events = wire.map((r) => ('ids' in r ? (r as StoredEpcisEvent) : storedEvent(r as EventRecord, capture))); // 'ids': the first layout
  } else if (wire === undefined && Array.isArray(result.captured)) {
    const declared = result.masterDataElements ?? 0;
    if (declared > 0 && !writes) throw new CaptureWritesMissingError(env.txId, `${declared} vocabulary elements declared and no writes given`);
    const written = writes && (result.captured.length > 0 || declared > 0) ? writtenRecords(env.txId, writes) : undefined;
    events = capturedEvents(env.txId, result.captured, written);
    masterData = written?.masterData ?? [];
  } else {
    return undefined;
  }
  return { ...env, body: { ...result, events: [...events, ...(declaredEvents ?? [])], ...(masterData.length > 0 ? { masterData } : {}) } };
}

/**
 * The envelope of an `EpcisCaptured` event payload, or undefined for any other payload (or a
 * malformed one). `writes` are its transaction's writes (LedgerEvent.writes).
 *
 * @throws CaptureWritesMissingError for a capture of today's layout whose records are not in `writes`.
 */
export function decodeEpcisCaptured(payload: Uint8Array, writes?: readonly CaptureWrite[]): EpcisCapturedEnvelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text(payload));
  } catch {
    return undefined;
  }
  try {
    return expandEpcisCaptured(parsed, writes);
  } catch (err) {
    if (err instanceof CaptureWritesMissingError) throw err;
    return undefined; // a malformed capture payload (never written by the contract) names nothing
  }
}

/**
 * What a captured event makes, as the trace reads it (epcis-trace-facts.ts): the lots and items
 * an ObjectEvent commissions (ADD, with a commissioning bizStep or none), and a transformation's
 * outputs.
 */
function madeBy(event: EpcisEvent, ids: EventIdentifiers, prefixes: Prefixes): { how: 'commission' | 'transform'; identifiers: string[] } {
  if (event.type === 'TransformationEvent') return { how: 'transform', identifiers: [...ids.outputEPCList, ...ids.outputEPCClasses] };
  const step = cbvWord('BizStep', event['bizStep'], prefixes);
  if (event.type === 'ObjectEvent' && event['action'] === 'ADD' && (step === undefined || step === 'commissioning')) return { how: 'commission', identifiers: [...ids.epcList, ...ids.epcClasses] };
  return { how: 'commission', identifiers: [] };
}

/** A case or pallet (SSCC) in canonical form. */
const SSCC = /^https:\/\/id\.gs1\.org\/00\/(\d{18})$/;

/** A canonical identifier built on a GTIN (a lot, an item, a product class), and the GTIN. */
const GTIN_BASED = /^https:\/\/id\.gs1\.org\/01\/(\d{14})(?:\/|$)/;

/** What a captured event does with what it names, as the contract's rules see it. */
interface Gate {
  readonly action: string;
  readonly identifiers: readonly string[];
}

/**
 * The uses a captured event makes of what it names, each with the rule's action name: a
 * transformation uses up its inputs, a packing (an AggregationEvent that adds, or an
 * AssociationEvent that adds to a case or pallet, as the trace reads it) packs its children, and
 * a shipping or selling bizStep ships or sells everything the event names. None for any other
 * event: an observation of a recalled lot is evidence, and recorded; so is a sensor or a crate
 * associated with it.
 */
function gatesOf(event: EpcisEvent, ids: EventIdentifiers, prefixes: Prefixes): Gate[] {
  const gates: Gate[] = [];
  if (event.type === 'TransformationEvent') gates.push({ action: 'transform', identifiers: [...ids.inputEPCList, ...ids.inputEPCClasses] });
  if (event['action'] === 'ADD' && (event.type === 'AggregationEvent' || (event.type === 'AssociationEvent' && SSCC.test(ids.parentID ?? '')))) {
    gates.push({ action: 'pack', identifiers: [...ids.childEPCs, ...ids.epcClasses] });
  }
  const step = event.type !== 'TransformationEvent' ? cbvWord('BizStep', event['bizStep'], prefixes) : undefined; // its bare word: a Web URI or compact IRI of it is the same step
  const sold = event.type !== 'TransformationEvent' && SOLD_DISPOSITIONS.has(cbvWord('Disp', event['disposition'], prefixes) ?? '');
  const action = step !== undefined && Object.hasOwn(GATED_BIZ_STEPS, step) ? GATED_BIZ_STEPS[step] : sold ? 'sell' : undefined;
  if (action) gates.push({ action, identifiers: [...anyEpcs(ids), ...anyClasses(ids)] });
  return gates;
}

/**
 * Reads of ledger records during one capture, each key read at most once: many events name the
 * same product, lot or read point, and every read costs a state lookup and an MVCC check.
 */
class LedgerLookups {
  private readonly products = new Map<string, Promise<Product | undefined>>();
  private readonly lots = new Map<string, Promise<Lot | undefined>>();
  private readonly holdings = new Map<string, Promise<number>>();

  constructor(private readonly tx: Tx) {}

  /** True if the ledger manages the product (only then can it manage its lots and items). */
  managesProduct(gtin: string): Promise<boolean> {
    return this.product(gtin).then((p) => p !== undefined);
  }

  /** The product record of a GTIN the ledger manages, or undefined. */
  product(gtin: string): Promise<Product | undefined> {
    let known = this.products.get(gtin);
    if (!known) {
      known = this.tx.get<Product>(KEY.product, [gtin]);
      this.products.set(gtin, known);
    }
    return known;
  }

  lot(ref: LotRef): Promise<Lot | undefined> {
    const key = `${ref.gtin}\u0000${ref.lot}`;
    let lot = this.lots.get(key);
    if (!lot) {
      lot = this.tx.get<Lot>(KEY.lot, [ref.gtin, ref.lot]);
      this.lots.set(key, lot);
    }
    return lot;
  }

  /** The managed lot an identifier names (a lot URI, or a commissioned item), if any. */
  async lotOf(canonical: string): Promise<Lot | undefined> {
    // Most captured identifiers name products the ledger does not manage: ask about the GTIN
    // (read at most once per capture) before parsing the identifier in full.
    const gtin = GTIN_BASED.exec(canonical)?.[1];
    if (gtin !== undefined && !(await this.managesProduct(gtin))) return undefined;
    let parsed;
    try {
      parsed = parseIdentifier(canonical);
    } catch {
      return undefined; // a private (non-GS1) identifier: not a lot the ledger manages
    }
    if (!parsed.gtin || !(await this.managesProduct(parsed.gtin))) return undefined;
    if (parsed.kind === 'lot' && parsed.lot) return this.lot({ gtin: parsed.gtin, lot: parsed.lot });
    if (parsed.kind === 'item' && parsed.serial) {
      const item = await findItem(this.tx, parsed.gtin, parsed.serial).catch((err: unknown) => {
        if (err instanceof ZfcError && err.code === 'ITEM_NOT_FOUND') return undefined; // not commissioned here
        throw err;
      });
      return item ? this.lot(lotOfItem(item)) : undefined;
    }
    return undefined;
  }

  /**
   * The managed lots an identifier names: a lot's, a commissioned item's, or every lot a case or
   * pallet carries: the ones the ledger's own Aggregate packed (through nested ones), as the
   * contract's Ship of containers checks them, and the ones captured packing events put in it
   * ({@link CapturedUnit}).
   */
  async lotsOf(canonical: string): Promise<Lot[]> {
    const sscc = SSCC.exec(canonical)?.[1];
    if (sscc === undefined) {
      const lot = await this.lotOf(canonical);
      return lot ? [lot] : [];
    }
    const [container, captured] = await Promise.all([this.tx.get<Container>(KEY.container, [sscc]), this.tx.get<CapturedUnit>(KEY.capturedUnit, [sscc])]);
    const refs = distinctLots([...(container ? await containerLots(this.tx, container) : []), ...(captured?.lots ?? [])]);
    const lots = await Promise.all(refs.map((ref) => this.lot(ref)));
    return lots.filter((lot): lot is Lot => lot !== undefined);
  }

  /**
   * Refuses making a lot or item of a product the ledger manages where the contract would refuse
   * it: commissioning by anyone but the product's owner (NOT_OWNER, as CreateLot), transforming
   * by anyone but a processor or producer (FORBIDDEN, as TransformLots), and either for a lot the
   * ledger already has (LOT_EXISTS). A capture would otherwise restate, in the trace, who made a
   * lot the contract recorded, and how much.
   */
  async mayMake(canonical: string, how: 'commission' | 'transform', maker: Participant): Promise<void> {
    const gtin = GTIN_BASED.exec(canonical)?.[1];
    if (gtin === undefined) return; // not a GTIN-based identifier: no product of the ledger's
    const product = await this.product(gtin);
    if (!product) return;
    if (how === 'commission' && product.owner !== maker.id) throw new ZfcError('NOT_OWNER', `product ${gtin} belongs to another participant`, { gtin });
    if (how === 'transform') assertRole(maker, TRANSFORMER_ROLES, 'transform lots');
    let parsed;
    try {
      parsed = parseIdentifier(canonical);
    } catch {
      return;
    }
    if (parsed.kind === 'lot' && parsed.lot !== undefined) await assertNewLot(this.tx, { gtin, lot: parsed.lot });
  }

  /** Refuses a lot the rule's action may not use, with the contract's own checks for that use (lot.ts assertMayUse). */
  usable(lot: Lot, action: string): Promise<void> {
    return assertMayUse(this.tx, lot, action);
  }

  /**
   * Refuses a lot the capturer holds none of (NOT_OWNER): only the holder of a quantity may ship,
   * sell, transform or pack it, so a capture cannot claim custody of another's goods, nor make
   * its own products out of them in the trace (a counterfeiter's "made from" a premium lot).
   */
  async held(lot: Lot, holder: Participant, action: string): Promise<void> {
    const key = `${lot.gtin}\u0000${lot.lot}`;
    let quantity = this.holdings.get(key);
    if (!quantity) this.holdings.set(key, (quantity = getHolding(this.tx, lot, holder.id).then((h) => h?.quantity ?? 0)));
    if ((await quantity) <= 0) {
      throw new ZfcError('NOT_OWNER', `${holder.id} holds none of lot ${lot.gtin}/${lot.lot}, and a captured event may ${action} only what its capturer holds`, { gtin: lot.gtin, lot: lot.lot, holder: holder.id });
    }
  }
}

/**
 * The GTIN a canonical identifier is built on, if any: what {@link LedgerLookups.lotOf} asks the
 * ledger about before anything else (the common forms by pattern, any other by parsing).
 */
function gtinOf(canonical: string): string | undefined {
  const gtin = GTIN_BASED.exec(canonical)?.[1];
  if (gtin !== undefined) return gtin;
  try {
    return parseIdentifier(canonical).gtin;
  } catch {
    return undefined; // a private (non-GS1) identifier
  }
}

/**
 * What the lot rules would ask the ledger about an event: the GTINs of what it makes (as
 * {@link LedgerLookups.mayMake} reads them) and of what its gates use (as
 * {@link LedgerLookups.lotsOf} does), and whether a gate uses a case or pallet (whose contents
 * are read whatever they are).
 */
interface RuledGtins {
  readonly gtins: readonly string[];
  readonly unit: boolean;
}

function ruledGtins({ event, ids }: Candidate, prefixes: Prefixes): RuledGtins {
  const gtins: string[] = [];
  let unit = false;
  for (const id of madeBy(event, ids, prefixes).identifiers) {
    const gtin = GTIN_BASED.exec(id)?.[1];
    if (gtin !== undefined) gtins.push(gtin);
  }
  for (const gate of gatesOf(event, ids, prefixes)) {
    for (const id of gate.identifiers) {
      if (SSCC.test(id)) unit = true;
      const gtin = gtinOf(id);
      if (gtin !== undefined) gtins.push(gtin);
    }
  }
  return { gtins, unit };
}

/**
 * The events the lot rules may have something to say about (in their order), the others
 * answered here with no lots judged: only an event that makes a product the ledger manages, or
 * uses (ships, sells, packs, transforms) a case or pallet or anything built on such a product,
 * can meet a rule. Most captured events name products of other systems: each distinct GTIN of
 * the document is read once, up front, instead of each event awaiting its own lookups
 * ({@link checkLotRules} reads nothing more for them either).
 */
async function eventsUnderLotRules(lookups: LedgerLookups, events: readonly Fresh[], prefixes: Prefixes): Promise<Fresh[]> {
  const named: Array<RuledGtins | undefined> = events.map((c) => {
    try {
      return ruledGtins(c, prefixes);
    } catch {
      return undefined; // judged in full, where the refusal is the event's
    }
  });
  const gtins = new Set<string>();
  for (const n of named) for (const gtin of n?.gtins ?? []) gtins.add(gtin);
  const managed = new Set<string>();
  await Promise.all([...gtins].map(async (gtin) => {
    if (await lookups.managesProduct(gtin)) managed.add(gtin);
  }));
  return events.filter((_, i) => {
    const n = named[i];
    return n === undefined || n.unit || n.gtins.some((gtin) => managed.has(gtin));
  });
}

/**
 * Applies the ledger's lot rules to one event; the error names the event's position. Returns
 * the managed lots the rules judged its use of (what it ships, sells, packs or transforms).
 */
async function checkLotRules(lookups: LedgerLookups, { event, ids, path, link }: Fresh, maker: Participant, prefixes: Prefixes): Promise<{ judged: Lot[]; packed: Lot[] }> {
  const named = async (id: string, check: () => Promise<void>): Promise<void> => {
    try {
      await check();
    } catch (err) {
      if (err instanceof ZfcError) throw new ZfcError(err.code, `${path}: ${err.text}`, { ...err.details, path, identifier: id });
      throw err;
    }
  };
  const made = madeBy(event, ids, prefixes);
  for (const id of new Set(made.identifiers)) await named(id, () => lookups.mayMake(id, made.how, maker));
  // a shipping event that names a ledger shipment is Ship's: its holding checks are Ship's own, by quantity (epcis-shipments.ts)
  const moves = link !== undefined;
  const judged: Lot[] = [];
  const packed: Lot[] = [];
  for (const gate of gatesOf(event, ids, prefixes)) {
    for (const id of new Set(gate.identifiers)) {
      for (const lot of await lookups.lotsOf(id)) {
        await named(id, () => lookups.usable(lot, gate.action));
        if (!moves) await named(id, () => lookups.held(lot, maker, gate.action));
        judged.push(lot);
        if (gate.action === 'pack') packed.push(lot);
      }
    }
  }
  return { judged, packed };
}

/**
 * A case or pallet that captured events packed with lots the ledger manages: what the recall
 * gate reads when a later captured event ships or sells the unit by its SSCC (LedgerLookups.lotsOf).
 * A packing (an AggregationEvent that adds, an AssociationEvent that adds to an SSCC) adds the
 * managed lots of its children, nested units' lots included, as they were when it was packed; a
 * disaggregation (an AggregationEvent or AssociationEvent that deletes) naming no children empties it. One that deletes some
 * children keeps every lot: a pallet may still hold other items of them, and a gate that stops a
 * unit of no recalled goods is the safe error.
 */
interface CapturedUnit {
  readonly sscc: string;
  readonly lots: readonly LotRef[];
  readonly txId: string;
}

/** Records, in document order, the managed lots captured packing events put in units, and the units emptied. */
async function recordCapturedUnits(tx: Tx, fresh: readonly Candidate[], packed: ReadonlyMap<Candidate, readonly LotRef[]>): Promise<void> {
  for (const c of fresh) {
    const sscc = SSCC.exec(c.ids.parentID ?? '')?.[1];
    if (sscc === undefined) continue;
    // the managed lots the gate found in its children, and those of units packed earlier in this document (Tx reads its own writes)
    const inner: LotRef[] = [];
    if (c.event['action'] === 'ADD') {
      for (const child of c.ids.childEPCs) {
        const unit = SSCC.exec(child)?.[1];
        if (unit !== undefined) inner.push(...((await tx.get<CapturedUnit>(KEY.capturedUnit, [unit]))?.lots ?? []));
      }
    }
    const lots = [...(packed.get(c) ?? []), ...inner];
    if (lots.length > 0) {
      const before = (await tx.get<CapturedUnit>(KEY.capturedUnit, [sscc]))?.lots ?? [];
      await tx.put(KEY.capturedUnit, [sscc], { sscc, lots: distinctLots([...before, ...lots]), txId: tx.txId } satisfies CapturedUnit);
    } else if ((c.event.type === 'AggregationEvent' || c.event.type === 'AssociationEvent') && c.event['action'] === 'DELETE' && c.ids.childEPCs.length === 0 && c.ids.epcClasses.length === 0) {
      if (await tx.get<CapturedUnit>(KEY.capturedUnit, [sscc])) await tx.del(KEY.capturedUnit, [sscc]);
    }
  }
}

/**
 * The lot histories a capture adds to (history.ts): for each managed lot, the captured events
 * that moved it (a shipment shipped or received) or whose use of it the rules judged, in
 * document order. A lot's history then tells what captured EPCIS did to it as it tells what the
 * contract's own transactions did, and reads the events back from their records.
 */
class CapturedHistories {
  private readonly lots = new Map<string, { ref: LotRef; eventIDs: Set<string> }>();

  add(ref: LotRef, eventID: string): void {
    const key = `${ref.gtin}\u0000${ref.lot}`;
    let entry = this.lots.get(key);
    if (!entry) this.lots.set(key, (entry = { ref: { gtin: ref.gtin, lot: ref.lot }, eventIDs: new Set() }));
    entry.eventIDs.add(eventID); // a Set: a day's sales of one lot may be thousands of events
  }

  /** One history entry per lot, under the capture's time and transaction. */
  async write(tx: Tx, caller: Participant): Promise<void> {
    for (const { ref, eventIDs } of this.lots.values()) {
      const entry: HistoryEntry = { txId: tx.txId, time: tx.time, event: EPCIS_CAPTURED, caller: caller.id, eventIDs: [...eventIDs] };
      await tx.put(KEY.history, [ref.gtin, ref.lot, sequencePart(tx.time, tx.txId, 0)], entry);
    }
  }
}

interface Candidate {
  readonly index: number;
  readonly path: string;
  readonly event: EpcisEvent;
  readonly ids: EventIdentifiers;
  readonly eventID: string;
  readonly generatedID: boolean;
  /** The eventID's state key hash (epcis-ledger.ts eventKeyHash), computed once for the dedupe read and the write. */
  readonly keyHash: string;
}

/** A new event, with the ledger shipment it ships or receives (a desadv urn:zfc:shipment:…), or the disposal it records (zfc:disposalId), if any. */
interface Fresh extends Candidate {
  readonly link: ReturnType<typeof linkedShipment>;
  readonly disposal: string | undefined;
}

/**
 * The candidate as a new event, written out field by field. Node 20's V8 takes a slow path for an
 * object literal that begins with a spread and adds properties after it (`{ ...c, link }`): 1 to
 * 3.5 µs an object (more for the objects JSON.parse makes), where this literal costs tens of
 * nanoseconds; a spread at the end of a literal (`{ a, b, ...more }`) is not slow.
 */
function freshOf(c: Candidate, link: Fresh['link'], disposal: string | undefined): Fresh {
  return { index: c.index, path: c.path, event: c.event, ids: c.ids, eventID: c.eventID, generatedID: c.generatedID, keyHash: c.keyHash, link, disposal };
}

/**
 * Each event's canonical identifiers and eventID, in document order (pure: no state read),
 * leaving out the events `guard` has refused or refuses now (a malformed identifier, when the
 * capture proceeds).
 */
function candidates(events: readonly EpcisEvent[], context: unknown, guard: Guard): Candidate[] {
  const out: Candidate[] = [];
  events.forEach((event, index) => {
    if (guard.has(index)) return;
    const path = eventPointer(index);
    const c = guard.sync(index, () => {
      const given = typeof event['eventID'] === 'string' ? event['eventID'] : undefined;
      const eventID = given ?? eventHashId(event, context);
      return { index, path, event, ids: eventIdentifiers(event, path), eventID, generatedID: given === undefined, keyHash: eventKeyHash(eventID) };
    });
    if (c) out.push(c);
  });
  return out;
}

/** What a capture does with an event the rules refuse (`GS1-Capture-Error-Behaviour`). */
export type CaptureErrorBehaviour = 'rollback' | 'proceed';

/**
 * Runs the work of one event. Rolling back, a refusal refuses the whole capture (it is thrown);
 * proceeding, it is recorded against the event (which is then left out) and the capture goes on.
 * Only the contract's typed refusals are an event's: anything else is thrown either way.
 */
class Guard {
  readonly rejected: RejectedEvent[] = [];
  private readonly refused = new Set<number>();

  constructor(private readonly proceed: boolean) {}

  /** Whether an event was refused. */
  has(index: number): boolean {
    return this.refused.has(index);
  }

  /** Records a refusal of the event at `index` (its schema errors, before anything ran). */
  reject(index: number, err: ZfcError): void {
    this.refused.add(index);
    const errors = Array.isArray(err.details['errors']) ? { errors: err.details['errors'] as unknown[] } : {};
    this.rejected.push({ index, path: eventPointer(index), code: err.code, message: err.text, ...errors });
  }

  /** An event's refusal: thrown when rolling back (or when it is no typed refusal), recorded when proceeding. */
  refuse(index: number, err: unknown): undefined {
    if (!this.proceed || !(err instanceof ZfcError)) throw err;
    this.reject(index, err);
    return undefined;
  }

  sync<T>(index: number, work: () => T): T | undefined {
    try {
      return work();
    } catch (err) {
      return this.refuse(index, err);
    }
  }

  async run<T>(index: number, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      return this.refuse(index, err);
    }
  }
}

/**
 * Splits candidates into new events and duplicates (repeated in the document, or already on
 * the ledger). The existence reads are issued together: they are independent, and one at a
 * time each would wait for the last.
 */
async function dedupe(tx: Tx, all: readonly Candidate[]): Promise<{ fresh: Candidate[]; duplicates: Candidate[]; recorded: Set<string>; first: ReadonlyMap<string, Candidate> }> {
  const first = new Map<string, Candidate>();
  for (const c of all) if (!first.has(c.eventID)) first.set(c.eventID, c);
  const unique = [...first.values()];
  const exists = await Promise.all(unique.map((c) => eventExists(tx.stub, c.eventID, c.keyHash)));
  const recorded = new Set(unique.filter((_, i) => exists[i]).map((c) => c.eventID));
  const isFresh = (c: Candidate): boolean => first.get(c.eventID) === c && !recorded.has(c.eventID);
  const fresh = all.filter(isFresh);
  const duplicates = all.filter((c) => !isFresh(c));
  return { fresh, duplicates, recorded, first };
}

/**
 * Error declarations (EPCIS 2.0 §7.4.1.2): a recorded event restated with an errorDeclaration is
 * recorded as a declaration about it — by the participant that captured it, or a regulator; the
 * restated event must be the same event (equal pre-hash strings, which leave the declaration
 * out). Returns the declared candidates and their rewritten records.
 */
async function declarations(tx: Tx, { duplicates, recorded, first }: { duplicates: readonly Candidate[]; recorded: ReadonlySet<string>; first: ReadonlyMap<string, Candidate> }, context: unknown, caller: Participant, guard: Guard): Promise<{ declared: Candidate[]; records: StoredEpcisEvent[] }> {
  const declared: Candidate[] = [];
  const records: StoredEpcisEvent[] = [];
  const seen = new Set<string>();
  const reads = new Map<string, Promise<StoredEpcisEvent | undefined>>();
  const stored = (id: string): Promise<StoredEpcisEvent | undefined> => {
    let read = reads.get(id);
    if (!read) reads.set(id, (read = readEvent(tx.stub, id)));
    return read;
  };
  for (const c of duplicates) {
    const restated = c.event['errorDeclaration'];
    if (!restated || typeof restated !== 'object') {
      await guard.run(c.index, () => assertSameEvent(c, first.get(c.eventID), recorded, context, () => stored(c.eventID)));
      continue;
    }
    const record = await guard.run(c.index, () => declaration(tx, c, recorded, seen, context, caller, stored));
    if (record) {
      records.push(record);
      declared.push(c);
    }
  }
  return { declared, records };
}

/**
 * Refuses (EVENT_ID_CONFLICT) a repeated eventID that names a different event than the one
 * recorded under it, or than its first use in the document: a repeat is recorded once only when
 * it is the same event (equal pre-hash strings, the event hash's canonical form, which leaves an
 * error declaration out). Otherwise a participant could take another's eventID first, and the
 * other's event would be dropped as a "duplicate"; or a sender would believe a changed event
 * replaced the recorded one, which only an error declaration does.
 */
async function assertSameEvent(c: Candidate, first: Candidate | undefined, recorded: ReadonlySet<string>, context: unknown, stored: () => Promise<StoredEpcisEvent | undefined>): Promise<void> {
  const mine = eventPreHash(c.event, context);
  let theirs: string | undefined;
  if (recorded.has(c.eventID)) {
    const s = await stored();
    theirs = s ? eventPreHash(s.event, s.context) : undefined;
  } else if (first && first !== c) {
    theirs = eventPreHash(first.event, context);
  }
  if (theirs !== undefined && theirs !== mine) {
    throw new ZfcError('EVENT_ID_CONFLICT', `${c.path}: eventID ${c.eventID.slice(0, 200)} is already recorded for a different event (a correction is an errorDeclaration restating the event)`, {
      path: c.path, eventID: c.eventID, errors: [{ path: `${c.path}/eventID`, message: 'names a different recorded event' }],
    });
  }
}

/**
 * The declaration a duplicate restating its event with an errorDeclaration makes of the recorded
 * event, written; undefined if it makes none. `read` is the capture's one read of each recorded event.
 */
async function declaration(tx: Tx, c: Candidate, recorded: ReadonlySet<string>, seen: Set<string>, context: unknown, caller: Participant, read: (eventID: string) => Promise<StoredEpcisEvent | undefined>): Promise<StoredEpcisEvent | undefined> {
  const declaration = c.event['errorDeclaration'] as Record<string, unknown>;
  if (!recorded.has(c.eventID) || seen.has(c.eventID)) return undefined;
  seen.add(c.eventID);
  const stored = await read(c.eventID);
  if (!stored || stored.declaration || stored.event['errorDeclaration'] !== undefined) return undefined; // already declared: a plain duplicate
  const movedShipment = stored.shipped ?? stored.receipt;
  if (movedShipment !== undefined) {
    const what = stored.shipped !== undefined ? 'shipped' : 'received';
    throw new ZfcError('INVALID_STATE', `${c.path}: this event ${what} shipment ${movedShipment} on the ledger, which an error declaration does not undo`, { path: c.path, eventID: c.eventID, shipmentId: movedShipment });
  }
  if (stored.disposal !== undefined) {
    throw new ZfcError('INVALID_STATE', `${c.path}: this event recorded disposal ${stored.disposal} on the ledger, which an error declaration does not undo`, { path: c.path, eventID: c.eventID, disposalId: stored.disposal });
  }
  if (stored.capturedBy !== caller.id && caller.role !== 'regulator') {
    throw new ZfcError('FORBIDDEN', `${c.path}: only the participant that captured an event, or a regulator, may declare it erroneous`, { path: c.path, eventID: c.eventID });
  }
  if (eventPreHash(c.event, context) !== eventPreHash(stored.event, stored.context)) {
    throw new ZfcError('INVALID_ARGUMENT', `${c.path}: an error declaration must restate the event it declares erroneous`, {
      errors: [{ path: `${c.path}/errorDeclaration`, message: 'restates a different event than the one recorded under this eventID' }],
    });
  }
  return writeDeclaration(tx.stub, stored, { errorDeclaration: declaration, declaredBy: caller.id, declaredAt: tx.time, txId: tx.txId });
}

/**
 * Captures every event of an EPCISDocument (already parsed JSON) in this transaction: all or
 * nothing, or (`proceed`) every event the rules accept, the others named in `result.rejected`.
 *
 * @throws ZfcError INVALID_ARGUMENT (with `details.errors[].path`), UNKNOWN_IDENTITY,
 *   PARTICIPANT_SUSPENDED, LOT_RECALLED / LOT_ON_HOLD, NOT_OWNER / LOT_EXISTS (with
 *   `details.path`), rolling back, or for a bad envelope or caller either way; nothing is written.
 */
export async function captureDocument(tx: Tx, document: unknown, behaviour: CaptureErrorBehaviour = 'rollback'): Promise<CaptureOutcome> {
  const proceed = behaviour === 'proceed';
  const { document: doc, invalid } = proceed ? validateEpcisDocumentProceeding(document) : { document: validateEpcisDocument(document), invalid: new Map<number, never>() };
  const caller = await requireParticipant(tx);
  const guard = new Guard(proceed);
  for (const [index, errors] of invalid) {
    guard.reject(index, new ZfcError('INVALID_ARGUMENT', `invalid event: ${errors[0]?.path ?? ''} ${errors[0]?.message ?? ''}`.trim(), { errors }));
  }
  const context = doc['@context'];
  const prefixes = contextPrefixes(context); // the document's namespaces: a CBV word may come as a compact IRI
  const masterData = headerElements(doc); // the header's, judged with the envelope: a bad one refuses the capture
  const deduped = await dedupe(tx, candidates(doc.epcisBody.eventList, context, guard));
  const { fresh: news, duplicates: repeated } = deduped;
  // each new event's ledger shipment or disposal, read once (a malformed despatch advice or disposal ID refuses the event)
  const unchecked: Fresh[] = [];
  for (const c of news) {
    const fresh = guard.sync(c.index, () => freshOf(c, linkedShipment(c.event, c.path, prefixes), linkedDisposal(c.event, c.path, prefixes)));
    if (fresh) unchecked.push(fresh);
  }
  const { declared, records: declarationRecords } = await declarations(tx, deduped, context, caller, guard);
  const duplicates = repeated.filter((c) => !declared.includes(c) && !guard.has(c.index)).map((c) => ({ index: c.index, eventID: c.eventID }));
  const lookups = new LedgerLookups(tx);
  const ruled = await eventsUnderLotRules(lookups, unchecked, prefixes);
  const verdicts = await Promise.allSettled(ruled.map((c) => checkLotRules(lookups, c, caller, prefixes)));
  const lotsOfEvent = new Map<Candidate, LotRef[]>();
  const packedBy = new Map<Candidate, LotRef[]>();
  verdicts.forEach((v, i) => {
    const c = ruled[i] as Fresh;
    if (v.status === 'rejected') {
      guard.refuse(c.index, v.reason); // rolling back: the first refused event, in document order
      return;
    }
    if (v.value.judged.length > 0) lotsOfEvent.set(c, v.value.judged);
    if (v.value.packed.length > 0) packedBy.set(c, v.value.packed);
  });
  // shipping and receiving events linked to the ledger's shipments, and destroying events to its
  // disposals, in document order (a document may ship a shipment and another's receipt; Tx reads
  // its own writes); an event refused while proceeding leaves none of its writes behind
  const shipments: CapturedShipment[] = [];
  const receipts: CapturedReceipt[] = [];
  const disposals: CapturedDisposal[] = [];
  const moved = new Map<Candidate, { shipped: string } | { receipt: string } | { disposal: string }>();
  for (const c of unchecked) {
    const { link, disposal } = c;
    if ((!link && disposal === undefined) || guard.has(c.index)) continue;
    const restore = proceed ? tx.savepoint() : undefined;
    const done = await guard.run(c.index, async () => {
      if (disposal !== undefined) {
        const done = await disposeCaptured(tx, c.event, c.path, c.eventID, disposal, caller, prefixes);
        disposals.push({ eventID: c.eventID, ...done });
        moved.set(c, { disposal });
        lotsOfEvent.set(c, [...(lotsOfEvent.get(c) ?? []), done.disposal]);
      } else if (link?.step === 'shipping') {
        const done = await shipCaptured(tx, c.event, c.path, link.shipmentId, caller, prefixes);
        shipments.push({ eventID: c.eventID, ...done });
        moved.set(c, { shipped: link.shipmentId });
        lotsOfEvent.set(c, [...(lotsOfEvent.get(c) ?? []), ...done.shipment.lines]);
      } else if (link) {
        const done = await receiveCaptured(tx, c.event, c.path, link.shipmentId, caller);
        receipts.push({ eventID: c.eventID, ...done });
        moved.set(c, { receipt: link.shipmentId });
        lotsOfEvent.set(c, [...(lotsOfEvent.get(c) ?? []), ...(done.shipment.received?.lines ?? [])]);
      }
      return true;
    });
    if (!done) restore?.();
  }
  const fresh = unchecked.filter((c) => !guard.has(c.index));
  for (const c of fresh) await writeEvent(tx.stub, { eventID: c.eventID, generatedID: c.generatedID, txId: tx.txId, event: c.event, ...moved.get(c) }, c.keyHash);
  await grantNamedReaders(tx, caller.id, fresh.map((c) => c.ids)); // the parties its events name read the caller's events
  if (fresh.length > 0) await writeCapture(tx.stub, tx.txId, { capturedBy: caller.id, recordTime: tx.time, ...(context !== undefined ? { context } : {}) });
  if (masterData.length > 0) await writeMasterData(tx.stub, masterData, caller.id, tx.txId, tx.time);
  const histories = new CapturedHistories();
  for (const c of fresh) for (const ref of lotsOfEvent.get(c) ?? []) histories.add(ref, c.eventID);
  await histories.write(tx, caller);
  await recordCapturedUnits(tx, fresh, packedBy);
  const result: CaptureResult = {
    txId: tx.txId,
    recordTime: tx.time,
    capturedBy: caller.id,
    captured: fresh.map((c) => ({ index: c.index, eventID: c.eventID, generatedID: c.generatedID })),
    duplicates: duplicates.sort((x, y) => x.index - y.index),
    declared: declared.map((c) => ({ index: c.index, eventID: c.eventID })),
    ...(proceed ? { rejected: guard.rejected.sort((x, y) => x.index - y.index) } : {}),
    ...(masterData.length > 0 ? { masterDataElements: masterData.length } : {}),
  };
  return { result, declared: declarationRecords, shipments, receipts, ...(disposals.length > 0 ? { disposals } : {}), ...(context !== undefined ? { context } : {}) };
}

/**
 * The `EpcisCaptured` payload: canonical JSON of the envelope whose body is the capture's
 * result (naming each new event), the capture's @context once, and the declared events whole.
 * The new events' records are not copied in: they are in the transaction's writes, once, and
 * {@link expandEpcisCaptured} rebuilds the consumers' events from them (the same events a read
 * of world state gives). Error declarations are rare and their events' captures are other
 * transactions, so they travel whole.
 */
export function capturedPayload(outcome: CaptureOutcome, timestamp: string): Buffer {
  const { result, declared, shipments, receipts, disposals = [], context } = outcome;
  const body = {
    ...result,
    ...(context !== undefined ? { context } : {}),
    ...(declared.length > 0 ? { declaredEvents: declared } : {}),
    ...(shipments.length > 0 ? { shipments } : {}),
    ...(receipts.length > 0 ? { receipts } : {}),
    ...(disposals.length > 0 ? { disposals } : {}),
  };
  return Buffer.from(canonicalJson({ v: 1, type: EPCIS_CAPTURED, txId: result.txId, timestamp, caller: result.capturedBy, body, epcis: [] }), 'utf8');
}
