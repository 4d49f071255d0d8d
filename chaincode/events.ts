/**
 * The chaincode events: the contract between the ledger and every projection of it.
 *
 * Every transaction emits exactly one chaincode event. Its name says what changed; its payload
 * is canonical JSON of an {@link EventEnvelope}: a typed body carrying everything a projection
 * (the trace index, EPCIS query, subscriptions) needs, plus the EPCIS 2.0 events recorded by
 * the transaction. A projection must never need to read world state to apply an event.
 *
 * @example
 * for await (const e of ledger.events()) {
 *   const env = decodeEvent(e.payload);
 *   if (env.type === 'Shipped') index.addShipment(env.body.shipment);
 * }
 */
import { canonicalBytes } from './canonical-json';
import type { EpcisCapturedBody } from './epcis-capture';
import type {
  AffectedLot, Container, Disposal, Hold, Inspection, Item, LineageEdge, Location, Lot, LotQuantity, LotRef, MassBalance,
  Participant, ParticipantIdentity, Product, Recall, Scan, SerialBatch, Shipment, TestResult, Warning, Holding,
} from './records';

/** Version of the envelope format; bumped only on an incompatible change. */
export const EVENT_VERSION = 1;

/** An EPCIS 2.0 event as recorded (JSON-LD, GS1 Digital Link identifiers, CBV short names). */
export interface EpcisEvent {
  readonly '@context': readonly unknown[];
  readonly type: 'ObjectEvent' | 'AggregationEvent' | 'TransformationEvent' | 'TransactionEvent' | 'AssociationEvent';
  /** `urn:uuid:…`, derived from the transaction ID and the event's index in it. */
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventTimeZoneOffset: string;
  readonly recordTime: string;
  readonly action?: 'ADD' | 'OBSERVE' | 'DELETE';
  readonly bizStep?: string;
  readonly disposition?: string;
  readonly epcList?: readonly string[];
  readonly quantityList?: readonly EpcisQuantity[];
  readonly parentID?: string;
  readonly childEPCs?: readonly string[];
  readonly childQuantityList?: readonly EpcisQuantity[];
  readonly inputQuantityList?: readonly EpcisQuantity[];
  readonly outputQuantityList?: readonly EpcisQuantity[];
  readonly transformationID?: string;
  readonly readPoint?: { readonly id: string };
  readonly bizLocation?: { readonly id: string };
  readonly sourceList?: readonly { readonly type: string; readonly source: string }[];
  readonly destinationList?: readonly { readonly type: string; readonly destination: string }[];
  readonly bizTransactionList?: readonly { readonly type: string; readonly bizTransaction: string }[];
  readonly ilmd?: Readonly<Record<string, unknown>>;
  readonly sensorElementList?: readonly unknown[];
  /** Extensions use the `zfc:` prefix declared in `@context`. */
  readonly [extension: `zfc:${string}`]: unknown;
}

/** A quantity element of an EPCIS quantity list. */
export interface EpcisQuantity {
  readonly epcClass: string;
  readonly quantity: number;
  readonly uom: string;
}

/** Bodies of every event, by event name. */
export interface EventBodies {
  /** A participant registered (by a regulator, or the first regulator by Init). */
  ParticipantRegistered: { readonly participant: Participant; readonly init: boolean };
  ParticipantSuspended: { readonly participant: Participant; readonly reason: string };
  ParticipantReinstated: { readonly participant: Participant; readonly reason: string };
  /** An identity now acts for the participant (given as it is after the change). */
  IdentityAdded: { readonly participant: Participant; readonly identity: ParticipantIdentity };
  /** An identity no longer acts for the participant (given as it is after the change). */
  IdentityRemoved: { readonly participant: Participant; readonly identity: ParticipantIdentity };
  ProductRegistered: { readonly product: Product };
  /** A lot commissioned by a producer; `holding` is the producer's initial holding. */
  LotCreated: { readonly lot: Lot; readonly holding: Holding; readonly location: Location };
  /** Serials commissioned under a lot (ranges and lists); `serials` lists every one. */
  ItemsCommissioned: { readonly batch: SerialBatch; readonly lot: LotRef; readonly serials: readonly string[] };
  /** A lab test; `held` is true when a failing verdict put the lot on hold. */
  TestRecorded: { readonly test: TestResult; readonly lot: Lot; readonly held: boolean };
  /**
   * Input lots consumed into a new output lot. `holdings` are the caller's remaining
   * holdings of each input after the consumption, and its holding of the output.
   */
  LotTransformed: {
    readonly transformationId: string;
    readonly participant: string;
    readonly inputs: readonly LotQuantity[];
    readonly output: Lot;
    readonly edges: readonly LineageEdge[];
    readonly holdings: readonly Holding[];
    readonly location: Location;
    readonly balance: MassBalance;
    readonly warning?: Warning;
  };
  /** Items, lots or containers packed into a case or pallet. */
  /**
   * `claimed`: what the packing claimed of each lot, its items' share (one each for lots in pieces,
   * the product's net quantity otherwise) and the lot quantities together, in each lot's unit:
   * what a shipment of the unit moves. Absent from events written before it was given.
   */
  Aggregated: { readonly container: Container; readonly added: AggregationChange; readonly location: Location; readonly claimed?: readonly LotQuantity[] };
  Disaggregated: { readonly container: Container; readonly removed: AggregationChange; readonly location: Location };
  /** Quantities left the sender (its holdings after shipping are given) and are in transit. */
  Shipped: { readonly shipment: Shipment; readonly holdings: readonly Holding[] };
  /** A receipt; `holdings` are the recipient's holdings after it; `shortfall` never received. */
  Received: { readonly shipment: Shipment; readonly holdings: readonly Holding[] };
  /** One or many scans; sale scans of lots may reduce holdings (given after the scans). */
  Scanned: { readonly scans: readonly Scan[]; readonly items: readonly Item[]; readonly holdings: readonly Holding[] };
  LotHeld: { readonly lot: Lot; readonly hold: Hold };
  LotReleased: { readonly lot: Lot; readonly reason: string };
  /** A recall issued; `marked` are the lots marked recalled in this transaction. */
  RecallIssued: { readonly recall: Recall; readonly marked: readonly AffectedLot[] };
  /** A recall continued from its cursor; `marked` in this transaction. */
  RecallProgressed: { readonly recall: Recall; readonly marked: readonly AffectedLot[] };
  /** A quantity of a lot destroyed or disposed of by its holder; `holding` is what it holds after. */
  StockDisposed: { readonly disposal: Disposal; readonly holding: Holding };
  /** A regulator's inspection of a site, with the site as the ledger knows it. */
  InspectionRecorded: { readonly inspection: Inspection; readonly site: Pick<Participant, 'id' | 'name' | 'role' | 'gln'> };
  /**
   * EPCIS events captured through the `epcis` contract, as decodeEpcisCaptured gives them
   * (epcis-capture.ts): on the wire the body only names the captured events, whose records are
   * in the transaction's writes (LedgerEvent.writes), so read this event through that decoder.
   */
  EpcisCaptured: EpcisCapturedBody;
}

/** What an aggregation added or a disaggregation removed. */
export interface AggregationChange {
  readonly items: readonly { readonly gtin: string; readonly serial: string; readonly lot: string }[];
  readonly lots: readonly LotQuantity[];
  readonly containers: readonly string[];
}

/** Every chaincode event name. */
export type EventName = keyof EventBodies;

/** The chaincode event names, for projections that switch on them. */
export const EVENT_NAMES: readonly EventName[] = [
  'ParticipantRegistered', 'ParticipantSuspended', 'ParticipantReinstated', 'ProductRegistered',
  'LotCreated', 'ItemsCommissioned', 'TestRecorded', 'LotTransformed', 'Aggregated', 'Disaggregated',
  'Shipped', 'Received', 'Scanned', 'LotHeld', 'LotReleased', 'RecallIssued', 'RecallProgressed',
  'IdentityAdded', 'IdentityRemoved', 'EpcisCaptured', 'InspectionRecorded', 'StockDisposed',
];

/** The payload of a chaincode event (canonical JSON). */
export interface EventEnvelope<N extends EventName = EventName> {
  readonly v: typeof EVENT_VERSION;
  readonly type: N;
  readonly txId: string;
  /** The transaction timestamp, ISO 8601 UTC. */
  readonly timestamp: string;
  /** The participant that submitted the transaction. */
  readonly caller: string;
  readonly body: EventBodies[N];
  /** The EPCIS events this transaction recorded, in order. */
  readonly epcis: readonly EpcisEvent[];
}

/** Any envelope, discriminated by `type`. */
export type AnyEventEnvelope = { [N in EventName]: EventEnvelope<N> }[EventName];

/** The bytes of an envelope, as set on the transaction. */
export function encodeEvent(envelope: AnyEventEnvelope): Buffer {
  return canonicalBytes(envelope);
}

/** Parses an event payload back into its envelope; throws TypeError on a foreign payload. */
export function decodeEvent(payload: Uint8Array): AnyEventEnvelope {
  const parsed: unknown = JSON.parse(Buffer.from(payload).toString('utf8'));
  if (!parsed || typeof parsed !== 'object') throw new TypeError('decodeEvent: not an object');
  const env = parsed as { v?: unknown; type?: unknown };
  if (env.v !== EVENT_VERSION || !EVENT_NAMES.includes(env.type as EventName)) {
    throw new TypeError(`decodeEvent: not a Zhe Food Chain event (${String(env.type)})`);
  }
  return parsed as AnyEventEnvelope;
}
