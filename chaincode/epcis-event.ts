/**
 * Builders of the EPCIS 2.0 events the contract records: one function per kind of evidence,
 * each returning a standalone JSON-LD event with GS1 Digital Link identifiers and CBV short
 * names, valid against GS1's official JSON Schema. Event IDs are derived from the transaction
 * ID and the event's index in it (a name-based UUID), so every peer builds the same bytes.
 */
import { createHash } from 'node:crypto';
import { glnUri, itemUri, lotUri, partyUri, ssccUri } from './digital-link';
import { add, sub } from './quantity';
import type { EpcisEvent, EpcisQuantity } from './events';
import type { Tx } from './tx';
import type {
  Analyte, Container, Disposal, Inspection, Location, Lot, LotQuantity, LotRef, Participant, ScanKind, Shipment, TestResult,
} from './records';

/** The namespace of Zhe Food Chain's EPCIS extensions (prefix `zfc:`). */
export const ZFC_EPCIS_NAMESPACE = 'https://ns.zhefoodchain.org/epcis/';

/** The JSON-LD context of every recorded event. */
export const EPCIS_CONTEXT: readonly unknown[] = [
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  { zfc: ZFC_EPCIS_NAMESPACE },
];

type Writable<T> = { -readonly [K in keyof T]: T[K] };
type Fields = Partial<Writable<EpcisEvent>> & Record<string, unknown>;

/** `urn:uuid:` of a name-based (SHA-256, version 8 layout) UUID of txId and index. */
export function epcisEventId(txId: string, index: number): string {
  const h = createHash('sha256').update(`zfc-epcis\n${txId}\n${index}`, 'utf8').digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The UTC offset of an ISO 8601 date-time (`+00:00` for `Z`). */
export function timeZoneOffset(dateTime: string): string {
  const m = /([+-]\d\d:\d\d)$/.exec(dateTime);
  return m?.[1] ?? '+00:00';
}

/** Records an event on the transaction: common fields first, then the given ones. */
function record(tx: Tx, type: EpcisEvent['type'], fields: Fields, eventTime: string = tx.time): EpcisEvent {
  const event = {
    '@context': EPCIS_CONTEXT,
    type,
    eventID: epcisEventId(tx.txId, tx.epcis.length),
    eventTime,
    eventTimeZoneOffset: timeZoneOffset(eventTime),
    recordTime: tx.time,
    ...fields,
  } as EpcisEvent;
  tx.epcis.push(event);
  return event;
}

const place = (location: Location): { readPoint: { id: string }; bizLocation: { id: string } } => ({
  readPoint: { id: glnUri(location.gln) }, bizLocation: { id: glnUri(location.gln) },
});

/** An EPCIS quantity element of a lot (quantity optional: a lot as a class). */
export function lotQuantity(ref: LotRef, quantity?: number, uom?: string): EpcisQuantity {
  const base = { epcClass: lotUri(ref.gtin, ref.lot) };
  return (quantity === undefined ? base : { ...base, quantity, uom }) as EpcisQuantity;
}

const quantities = (lines: readonly LotQuantity[]): EpcisQuantity[] => lines.map((l) => lotQuantity(l, l.quantity, l.unit));

function lotIlmd(lot: Lot): Record<string, unknown> {
  return {
    'cbvmda:lotNumber': lot.lot,
    'zfc:productionDate': lot.productionDate,
    ...(lot.expiryDate ? { 'cbvmda:itemExpirationDate': lot.expiryDate } : {}),
    ...(lot.origin.country ? { 'cbvmda:countryOfOrigin': lot.origin.country } : {}),
    ...(lot.origin.region ? { 'zfc:originRegion': lot.origin.region } : {}),
    'zfc:origin': glnUri(lot.origin.gln),
    'zfc:producer': lot.producer,
  };
}

/** A lot commissioned: ObjectEvent ADD, commissioning / active, with its ILMD. */
export function lotCommissioned(tx: Tx, lot: Lot, location: Location): EpcisEvent {
  return record(tx, 'ObjectEvent', {
    action: 'ADD', bizStep: 'commissioning', disposition: 'active',
    quantityList: [lotQuantity(lot, lot.quantity, lot.unit)], ...place(location), ilmd: lotIlmd(lot),
  });
}

/** Item serials commissioned under a lot: ObjectEvent ADD, commissioning / active. */
export function itemsCommissioned(tx: Tx, lot: Lot, serials: readonly string[]): EpcisEvent {
  return record(tx, 'ObjectEvent', {
    action: 'ADD', bizStep: 'commissioning', disposition: 'active',
    epcList: serials.map((s) => itemUri(lot.gtin, s)), ...place(lot.origin),
    ilmd: { 'cbvmda:lotNumber': lot.lot, ...(lot.expiryDate ? { 'cbvmda:itemExpirationDate': lot.expiryDate } : {}) },
  });
}

function sensorReport(a: Analyte): Record<string, unknown> {
  return {
    type: a.measurementType ?? 'MassConcentration', value: a.value, uom: a.unit,
    ...(a.substance ? { chemicalSubstance: a.substance } : {}),
    'zfc:analyte': a.name, 'zfc:limit': a.limit, 'zfc:limitType': a.limitType,
  };
}

/** A lab test: ObjectEvent OBSERVE, inspecting / conformant or non_conformant, analytes as sensor reports. */
export function testRecorded(tx: Tx, test: TestResult, lab: Participant): EpcisEvent {
  return record(tx, 'ObjectEvent', {
    action: 'OBSERVE', bizStep: 'inspecting', disposition: test.verdict === 'pass' ? 'conformant' : 'non_conformant',
    quantityList: [lotQuantity(test)],
    readPoint: { id: glnUri(lab.gln) },
    sensorElementList: [{ sensorMetadata: { time: test.sampledAt }, sensorReport: test.analytes.map(sensorReport) }],
    'zfc:testId': test.testId, 'zfc:lab': test.lab, 'zfc:method': test.method,
    ...(test.standard ? { 'zfc:standard': test.standard } : {}),
    'zfc:report': { 'zfc:sha256': test.report.sha256, 'zfc:uri': test.report.uri },
  });
}

/**
 * A regulator's inspection of a site: ObjectEvent OBSERVE, inspecting, at the site's GLN and at
 * the time of the inspection; conformant unless non-compliant. The findings stay in the
 * inspection's record (GetInspection); the event says who, where, when and the outcome.
 */
export function inspected(tx: Tx, inspection: Inspection, site: Participant): EpcisEvent {
  return record(tx, 'ObjectEvent', {
    action: 'OBSERVE', bizStep: 'inspecting', disposition: inspection.outcome === 'non_compliant' ? 'non_conformant' : 'conformant',
    epcList: [],
    readPoint: { id: glnUri(site.gln) }, bizLocation: { id: glnUri(site.gln) },
    'zfc:inspectionId': inspection.inspectionId, 'zfc:participant': site.id, 'zfc:outcome': inspection.outcome, 'zfc:inspector': inspection.inspector,
    ...(inspection.report ? { 'zfc:report': { 'zfc:sha256': inspection.report.sha256, 'zfc:uri': inspection.report.uri } } : {}),
  }, inspection.inspectedAt);
}

/** A transformation: TransformationEvent with input and output quantity lists. */
export function lotTransformed(tx: Tx, transformationId: string, inputs: readonly LotQuantity[], output: Lot, location: Location): EpcisEvent {
  return record(tx, 'TransformationEvent', {
    transformationID: `urn:zfc:transformation:${encodeURIComponent(transformationId)}`,
    bizStep: 'commissioning', disposition: 'active',
    inputQuantityList: quantities(inputs), outputQuantityList: [lotQuantity(output, output.quantity, output.unit)],
    ...place(location), ilmd: lotIlmd(output),
  });
}

/** Packing or unpacking: AggregationEvent ADD (packing) or DELETE (unpacking). */
export function aggregation(tx: Tx, action: 'ADD' | 'DELETE', sscc: string, change: Pick<Container, 'items' | 'lots' | 'containers'>, location: Location): EpcisEvent {
  const childEPCs = [...change.items.map((i) => itemUri(i.gtin, i.serial)), ...change.containers.map((c) => ssccUri(c))];
  return record(tx, 'AggregationEvent', {
    action, bizStep: action === 'ADD' ? 'packing' : 'unpacking', disposition: action === 'ADD' ? 'container_closed' : 'container_open',
    parentID: ssccUri(sscc), childEPCs, ...(change.lots.length > 0 ? { childQuantityList: quantities(change.lots) } : {}),
    ...place(location),
  });
}

/**
 * A shipment as a business transaction (EPCIS's `bizTransaction`, type `desadv`, the despatch
 * advice): the shipping and the receiving events both name it, so an EPCIS client correlates
 * them, and finds both with `EQ_bizTransaction_desadv`, by the standard's own field. A shipment
 * ID is letters, digits and `._:-` (the contract's schema), all of which a URN may carry as they are.
 */
export function shipmentUri(shipmentId: string): string {
  return `${SHIPMENT_URN}${shipmentId}`;
}

/** The business transaction URI of a shipment, up to its ID. */
export const SHIPMENT_URN = 'urn:zfc:shipment:';

function parties(from: Participant, to: Participant, shipment: Shipment): Fields {
  return {
    bizTransactionList: [{ type: 'desadv', bizTransaction: shipmentUri(shipment.shipmentId) }],
    sourceList: [{ type: 'owning_party', source: partyUri(from.gln) }, { type: 'location', source: glnUri(shipment.origin.gln) }],
    destinationList: [
      { type: 'owning_party', destination: partyUri(to.gln) },
      ...(shipment.destination ? [{ type: 'location', destination: glnUri(shipment.destination.gln) }] : []),
    ],
  };
}

/** A shipment leaving: ObjectEvent OBSERVE, shipping / in_transit (a return: returned), with source and destination. */
export function shipped(tx: Tx, shipment: Shipment, from: Participant, to: Participant): EpcisEvent {
  return record(tx, 'ObjectEvent', {
    action: 'OBSERVE', bizStep: 'shipping', disposition: shipment.purpose === 'return' ? 'returned' : 'in_transit',
    epcList: shipment.containers.map((c) => ssccUri(c)), quantityList: quantities(shipment.lines),
    readPoint: { id: glnUri(shipment.origin.gln) }, ...parties(from, to, shipment), 'zfc:shipmentId': shipment.shipmentId,
  });
}

/** A receipt: ObjectEvent OBSERVE, receiving / in_progress. */
export function received(tx: Tx, shipment: Shipment, lines: readonly LotQuantity[], location: Location, from: Participant, to: Participant): EpcisEvent {
  return record(tx, 'ObjectEvent', {
    action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress',
    epcList: shipment.containers.map((c) => ssccUri(c)),
    ...(lines.length > 0 ? { quantityList: quantities(lines) } : {}),
    ...place(location), ...parties(from, to, shipment), 'zfc:shipmentId': shipment.shipmentId,
  });
}

const SCAN_STEP: Record<ScanKind, Fields> = {
  receive: { bizStep: 'receiving' },
  dispatch: { bizStep: 'departing' },
  sale: { bizStep: 'retail_selling', disposition: 'retail_sold' },
  check: {},
};

/** What a scan read, as EPCIS: an item or SSCC in epcList, a lot in quantityList. */
export interface ScannedCode { gtin?: string; lot?: string; serial?: string; sscc?: string; quantity?: number; unit?: string }

/** Adds a lot class to a quantity list: once as a class, quantities of one class and unit summed. */
function addClass(classes: Map<string, EpcisQuantity>, element: EpcisQuantity): void {
  const key = `${element.epcClass}\u0000${element.uom ?? ''}\u0000${element.quantity === undefined ? 'class' : 'quantity'}`;
  const known = classes.get(key);
  classes.set(key, known?.quantity !== undefined ? { ...known, quantity: add(known.quantity, element.quantity) } : element);
}

/** What scans observed together read: items and SSCCs in epcList (each once), lots in quantityList. */
function scannedWhat(codes: readonly ScannedCode[]): Fields {
  const epcs = new Set<string>();
  const classes = new Map<string, EpcisQuantity>();
  for (const code of codes) {
    if (code.sscc) epcs.add(ssccUri(code.sscc));
    else if (code.serial && code.gtin) epcs.add(itemUri(code.gtin, code.serial));
    else addClass(classes, lotQuantity({ gtin: code.gtin ?? '', lot: code.lot ?? '' }, code.quantity, code.unit));
  }
  return { ...(epcs.size > 0 ? { epcList: [...epcs] } : {}), ...(classes.size > 0 ? { quantityList: [...classes.values()] } : {}) };
}

/**
 * Scans of one kind at one place and time, observed together: one ObjectEvent OBSERVE listing
 * every code read (EPCIS lets one event carry many EPCs), with the CBV step of the kind (none
 * for a plain check).
 */
export function scanned(tx: Tx, kind: ScanKind, codes: readonly ScannedCode[], location: Location, time: string): EpcisEvent {
  return record(tx, 'ObjectEvent', {
    action: 'OBSERVE', ...SCAN_STEP[kind], ...scannedWhat(codes), ...place(location), 'zfc:scanKind': kind,
  }, time);
}

/** A hold placed or released: ObjectEvent OBSERVE, holding. */
export function holdChanged(tx: Tx, lot: LotRef, held: boolean, reason: string): EpcisEvent {
  return record(tx, 'ObjectEvent', {
    action: 'OBSERVE', bizStep: 'holding', disposition: held ? 'non_sellable_other' : 'sellable_accessible',
    quantityList: [lotQuantity(lot)], 'zfc:reason': reason,
  });
}

/**
 * A quantity of a lot destroyed or disposed of: ObjectEvent DELETE (it leaves the supply chain),
 * destroying / destroyed or disposed, where it happened; the recall it closes out, if any. The
 * items the holder named are the epcList, and the quantityList the rest of the quantity: all of
 * it when the items' size is unknown (`itemsQuantity` undefined: variable-measure items, whose
 * weight is in the quantity), none when the items are all of it.
 */
export function disposed(tx: Tx, disposal: Disposal, itemsQuantity?: number): EpcisEvent {
  const rest = sub(disposal.quantity, itemsQuantity ?? 0);
  const items = (disposal.serials ?? []).map((s) => itemUri(disposal.gtin, s));
  return record(tx, 'ObjectEvent', {
    action: 'DELETE', bizStep: 'destroying', disposition: disposal.method,
    ...(items.length > 0 || rest <= 0 ? { epcList: items } : {}),
    ...(rest > 0 ? { quantityList: [lotQuantity(disposal, rest, disposal.unit)] } : {}), ...place(disposal.location),
    'zfc:disposalId': disposal.disposalId, 'zfc:reason': disposal.reason,
    ...(disposal.recallId !== undefined ? { 'zfc:recallId': disposal.recallId } : {}),
  });
}

/** Lots marked recalled: ObjectEvent OBSERVE, holding / recalled. */
export function recalled(tx: Tx, recallId: string, lots: readonly LotRef[], reason: string): EpcisEvent {
  return record(tx, 'ObjectEvent', {
    action: 'OBSERVE', bizStep: 'holding', disposition: 'recalled',
    ...(lots.length > 0 ? { quantityList: lots.map((l) => lotQuantity(l)) } : { epcList: [] }),
    'zfc:recallId': recallId, 'zfc:reason': reason,
  });
}
