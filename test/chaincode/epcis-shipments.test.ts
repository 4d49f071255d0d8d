/**
 * Participants whose own EPCIS systems record their despatches and receipts move the ledger's
 * goods with them: a captured shipping event naming a new shipment as its despatch advice
 * (`urn:zfc:shipment:{id}`) does what Ship does — the sender's holding debited, the shipment in
 * transit to the participant its owning_party names — and a captured receiving event naming a
 * shipment does what Receive does, short or in full. Each is refused as Ship or Receive would
 * be, the whole capture with it; its record keeps which shipment it moved, and the payload
 * carries what it did for the trace. On the hand-worked chain (chain.ts).
 */
import { expect } from 'chai';
import type { Holding, Shipment } from '../../chaincode';
import { glnUri, itemUri, lotUri, partyUri, ssccUri, toEpcUrn } from '../../chaincode/digital-link';
import type { EmbeddedLedger, ReadWriteSet } from '../../ledger-tools';
import { actor, allEvents, expectCode, gln, sscc, type World, openWorld } from './support';
import { BREAD, buildChain, ref } from './chain';

type Json = Record<string, unknown>;

describe('chaincode: captured shipping and receiving events ship and receive the ledger\'s shipments they name', function () {
  let w: World;
  let hour = 0;
  before(async () => {
    w = await openWorld();
    await buildChain(w);
    const ship = (id: string, quantity: number) =>
      w.submit('Ship', { shipmentId: id, to: 'shop', lines: [{ ...ref(BREAD, 'BR2'), quantity }], origin: { gln: actor(w, 'bakery').gln } }, actor(w, 'bakery'));
    await ship('SR-1', 100);
    await ship('SR-2', 50);
    await ship('SR-3', 30);
  });
  after(async () => w?.close());

  const at = (who: string): Json => ({ bizLocation: { id: toEpcUrn(glnUri(actor(w, who).gln), 7) } });
  /** A receiving event naming a shipment as its despatch advice, at the next hour. */
  const receiving = (shipmentId: string, extra: Json = {}): Json => ({
    type: 'ObjectEvent', eventTime: `2026-03-02T${String(hour++ % 24).padStart(2, '0')}:00:00Z`, eventTimeZoneOffset: '+08:00', action: 'OBSERVE', bizStep: 'receiving', epcList: [],
    bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:77' }, { type: 'desadv', bizTransaction: `urn:zfc:shipment:${shipmentId}` }],
    ...at('shop'), ...extra,
  });
  const documentOf = (...events: Json[]): Json => ({
    type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-02T00:00:00Z', '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], epcisBody: { eventList: events },
  });
  const capture = (who: string, ...events: Json[]) => w.submit<{ captured: Array<{ eventID: string }>; duplicates: unknown[] }>('epcis:CaptureEvents', documentOf(...events), actor(w, who));
  const shipment = (id: string) => w.evaluate<Shipment>('GetShipment', { shipmentId: id }, actor(w, 'samr'));
  const held = async (who: string): Promise<number> =>
    (await w.evaluate<{ holdings: Holding[] }>('GetLot', ref(BREAD, 'BR2'), actor(w, 'samr'))).holdings.find((h) => h.holder === who)?.quantity ?? 0;
  /** Refused with `code`, naming the event at `path`, and nothing written. */
  async function refused(start: () => Promise<unknown>, code: Parameters<typeof expectCode>[1], path = '/epcisBody/eventList/0'): Promise<Json> {
    const height = await w.ledger.height();
    const err = await expectCode(start(), code); // started after the height is read: a call that wrote would show
    expect(err.details['path'], JSON.stringify(err.details)).to.equal(path);
    expect(await w.ledger.height(), 'nothing was written').to.equal(height);
    return err.details;
  }

  it('receives short by its quantityList (a Digital Link or URN lot class), credits the shop, and is recorded once however often it is sent', async () => {
    const before = await held('shop');
    const event = receiving('SR-1', { quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 60, uom: 'EA' }] });
    const done = await capture('shop', event);
    expect(done.captured).to.have.length(1);
    const s = await shipment('SR-1');
    expect(s.status).to.equal('received');
    expect(s.received?.lines).to.deep.equal([{ ...ref(BREAD, 'BR2'), quantity: 60, unit: 'EA' }]);
    expect(s.received?.shortfall).to.deep.equal([{ ...ref(BREAD, 'BR2'), quantity: 40, unit: 'EA' }]);
    expect(s.received?.location).to.deep.equal({ gln: actor(w, 'shop').gln });
    expect(await held('shop')).to.equal(before + 60);
    // the payload carries the receipt as Receive's event would, for the trace
    const last = (await allEvents(w)).at(-1) as unknown as { eventName: string; body: { receipts?: Array<{ eventID: string; shipment: Shipment }> } };
    expect(last.eventName).to.equal('EpcisCaptured');
    expect(last.body.receipts?.map((r) => [r.eventID, r.shipment.shipmentId, r.shipment.status])).to.deep.equal([[done.captured[0]?.eventID, 'SR-1', 'received']]);
    // the same event again is a duplicate: no second receipt
    const again = await capture('shop', event);
    expect([again.captured.length, again.duplicates.length]).to.deep.equal([0, 1]);
    expect(await held('shop')).to.equal(before + 60);
  });

  it('refuses what Receive refuses, naming the event and the field, and writes nothing', async () => {
    await refused(() => capture('dist', receiving('SR-2', at('dist'))), 'NOT_OWNER');
    const over = await refused(() => capture('shop', receiving('SR-2', { quantityList: [{ epcClass: toEpcUrn(lotUri(BREAD, 'BR2'), 7), quantity: 51 }] })), 'RECEIPT_EXCEEDS_SHIPMENT');
    expect(over['field']).to.equal('/epcisBody/eventList/0/quantityList/0');
    const unit = await refused(() => capture('shop', receiving('SR-2', { quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 5, uom: 'KGM' }] })), 'UNIT_MISMATCH');
    expect(unit['field']).to.equal('/epcisBody/eventList/0/quantityList/0/uom');
    await refused(() => capture('shop', receiving('SR-2', { quantityList: [{ epcClass: lotUri(BREAD, 'BR1'), quantity: 5 }] })), 'RECEIPT_EXCEEDS_SHIPMENT'); // a lot it did not carry
    await refused(() => capture('shop', receiving('SR-1')), 'SHIPMENT_NOT_IN_TRANSIT'); // received already
    await refused(() => capture('shop', receiving('SR-404')), 'SHIPMENT_NOT_FOUND');
    await refused(() => capture('shop', { ...receiving('SR-2'), bizLocation: undefined, readPoint: undefined }), 'INVALID_ARGUMENT');
    await refused(() => capture('shop', receiving('SR-2', { quantityList: [{ epcClass: toEpcUrn(lotUri(BREAD, 'BR2'), 7), quantity: 0 }] })), 'INVALID_ARGUMENT');
    // one document may not receive a shipment twice: the second receipt finds it received
    await refused(() => capture('shop', receiving('SR-2', { quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 10 }] }), receiving('SR-2')), 'SHIPMENT_NOT_IN_TRANSIT', '/epcisBody/eventList/1');
    await refused(() => capture('shop', receiving('SR-2', { bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:zfc:shipment:SR-2' }, { type: 'desadv', bizTransaction: 'urn:zfc:shipment:SR-3' }] })), 'INVALID_ARGUMENT');
    expect((await shipment('SR-2')).status).to.equal('in_transit');
  });

  it('receives in full without a quantityList, and a receiving event naming another system\'s despatch advice stays evidence', async () => {
    const before = await held('shop');
    await capture('shop', receiving('SR-2', { readPoint: { id: toEpcUrn(glnUri(actor(w, 'shop').gln), 7) }, bizLocation: undefined }));
    expect((await shipment('SR-2')).received?.lines).to.deep.equal([{ ...ref(BREAD, 'BR2'), quantity: 50, unit: 'EA' }]);
    expect(await held('shop')).to.equal(before + 50);
    const other = await capture('shop', receiving('SR-3', { bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:1152' }] }));
    expect(other.captured).to.have.length(1);
    expect((await shipment('SR-3')).status).to.equal('in_transit');
  });

  /** A shipping event of bread lot BR2 from the bakery, naming a shipment as its despatch advice, to `to`. */
  const shipping = (shipmentId: string, quantity: number, to = 'shop', extra: Json = {}): Json => ({
    type: 'ObjectEvent', eventTime: `2026-03-03T${String(hour++ % 24).padStart(2, '0')}:00:00Z`, eventTimeZoneOffset: '+08:00', action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit',
    epcList: [], quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity, uom: 'EA' }],
    bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:zfc:shipment:${shipmentId}` }],
    destinationList: [{ type: 'owning_party', destination: toEpcUrn(partyUri(actor(w, to).gln), 7) }, { type: 'location', destination: glnUri(actor(w, to).gln) }],
    ...at('bakery'), ...extra,
  });

  it('ships from the capturer\'s holding to the participant its owning_party names, and the recipient\'s captured receipt receives it: EPCIS end to end', async () => {
    const bakery = await held('bakery');
    const shopBefore = await held('shop');
    const done = await capture('bakery', shipping('SC-1', 40));
    expect(done.captured).to.have.length(1);
    const s = await shipment('SC-1');
    expect(s).to.deep.include({ from: 'bakery', to: 'shop', status: 'in_transit', origin: { gln: actor(w, 'bakery').gln }, destination: { gln: actor(w, 'shop').gln } });
    expect(s.lines).to.deep.equal([{ ...ref(BREAD, 'BR2'), quantity: 40, unit: 'EA' }]);
    expect(await held('bakery')).to.equal(bakery - 40);
    const last = (await allEvents(w)).at(-1) as unknown as { body: { shipments?: Array<{ eventID: string; shipment: Shipment }> } };
    expect(last.body.shipments?.map((x) => [x.eventID, x.shipment.shipmentId])).to.deep.equal([[done.captured[0]?.eventID, 'SC-1']]);
    await capture('shop', receiving('SC-1'));
    expect((await shipment('SC-1')).status).to.equal('received');
    expect(await held('shop')).to.equal(shopBefore + 40);
  });

  it('refuses a captured shipment as Ship refuses one, naming the event and the field, and writes nothing', async () => {
    const over = await refused(() => capture('bakery', shipping('SC-2', 100_000)), 'QUANTITY_EXCEEDS_HOLDING');
    expect(over['path']).to.equal('/epcisBody/eventList/0');
    await refused(() => capture('lab', { ...shipping('SC-2', 1), ...at('lab') }), 'FORBIDDEN');
    await refused(() => capture('bakery', shipping('SR-1', 1)), 'SHIPMENT_EXISTS');
    await refused(() => capture('bakery', shipping('SC-2', 1, 'bakery')), 'INVALID_ARGUMENT'); // to itself
    const nobody = await refused(() => capture('bakery', shipping('SC-2', 1, 'shop', { destinationList: [{ type: 'owning_party', destination: partyUri(gln(999)) }] })), 'PARTICIPANT_NOT_FOUND');
    expect(nobody['field']).to.equal('/epcisBody/eventList/0/destinationList/0');
    await refused(() => capture('bakery', shipping('SC-2', 1, 'shop', { destinationList: [] })), 'INVALID_ARGUMENT');
    const twoOwners = [{ type: 'owning_party', destination: partyUri(actor(w, 'shop').gln) }, { type: 'owning_party', destination: partyUri(actor(w, 'dist').gln) }];
    await refused(() => capture('bakery', shipping('SC-2', 1, 'shop', { destinationList: twoOwners })), 'INVALID_ARGUMENT'); // whose is it?
    await refused(() => capture('bakery', shipping('SC-2', 1, 'shop', { quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 1, uom: 'KGM' }] })), 'UNIT_MISMATCH');
    await refused(() => capture('bakery', shipping('SC-2', 1, 'shop', { epcList: [itemUri(BREAD, 'B-1')] })), 'INVALID_ARGUMENT'); // an item, not a case
    await refused(() => capture('bakery', shipping('SC-2', 1, 'shop', { epcList: [ssccUri(sscc(77))] })), 'CONTAINER_NOT_FOUND');
    await refused(() => capture('bakery', shipping('.starts-with-a-dot', 1)), 'INVALID_ARGUMENT');
    await refused(() => capture('bakery', shipping('SC-2', 1), shipping('SC-2', 1)), 'SHIPMENT_EXISTS', '/epcisBody/eventList/1'); // one document, one shipment ID
    const missing = await w.evaluate<Shipment>('GetShipment', { shipmentId: 'SC-2' }, actor(w, 'samr')).catch((err: { code: string }) => err.code);
    expect(missing).to.equal('SHIPMENT_NOT_FOUND');
  });

  it('bounds a captured shipment or receipt as Ship\'s and Receive\'s own input is bounded, naming the event\'s field, before a lot is read', async () => {
    const huge = await refused(() => capture('bakery', shipping('SC-B1', 1e13)), 'INVALID_ARGUMENT');
    expect(huge['errors'], JSON.stringify(huge)).to.deep.include({ path: '/epcisBody/eventList/0/quantityList/0/quantity', message: 'must be <= 1000000000000' });
    // 201 lines of lots the ledger does not have: refused for their number, not for the first unknown lot
    const many = Array.from({ length: 201 }, (_, i) => ({ epcClass: lotUri(BREAD, `NOPE${i}`), quantity: 1, uom: 'EA' }));
    const lines = await refused(() => capture('bakery', shipping('SC-B2', 1, 'shop', { quantityList: many })), 'INVALID_ARGUMENT');
    expect(lines['errors'], JSON.stringify(lines)).to.deep.include({ path: '/epcisBody/eventList/0/quantityList', message: 'must NOT have more than 200 items' });
    const receipt = await refused(() => capture('shop', receiving('SR-3', { quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 1e13 }] })), 'INVALID_ARGUMENT');
    expect(receipt['errors'], JSON.stringify(receipt)).to.deep.include({ path: '/epcisBody/eventList/0/quantityList/0/quantity', message: 'must be <= 1000000000000' });
    await expectCode(shipment('SC-B1'), 'SHIPMENT_NOT_FOUND');
  });

  it('writes the lot\'s history as Ship and Receive do: each lot a captured event moved or used has an entry naming it, read back whole; a refused event has none', async () => {
    type Entry = { txId: string; event: string; caller: string; eventIDs: string[]; epcis: Array<Record<string, unknown>> };
    const historyOf = async (lot: string, txId: string): Promise<Entry[]> =>
      (await w.evaluate<{ entries: Entry[] }>('GetLotHistory', { ...ref(BREAD, lot), pageSize: 500 }, actor(w, 'samr'))).entries.filter((e) => e.txId === txId);
    // a shipment it ships, and a sale of the lot (no shipment: the holder rule judged its use) in one capture
    const selling: Json = {
      type: 'ObjectEvent', eventTime: '2026-03-05T10:00:00Z', eventTimeZoneOffset: '+08:00', action: 'OBSERVE', bizStep: 'retail_selling', disposition: 'retail_sold',
      epcList: [], quantityList: [{ epcClass: toEpcUrn(lotUri(BREAD, 'BR2'), 7), quantity: 2, uom: 'EA' }], ...at('bakery'),
    };
    const shipped = await capture('bakery', shipping('SC-H1', 3), selling);
    const [shipID, saleID] = shipped.captured.map((c) => c.eventID) as [string, string];
    const [entry, ...others] = await historyOf('BR2', (shipped as unknown as { txId: string }).txId);
    expect(others, 'one entry per lot and capture').to.deep.equal([]);
    expect(entry).to.deep.include({ event: 'EpcisCaptured', caller: 'bakery', eventIDs: [shipID, saleID] });
    expect(entry?.epcis.map((e) => [e['eventID'], e['bizStep'], typeof e['recordTime']])).to.deep.equal([[shipID, 'shipping', 'string'], [saleID, 'retail_selling', 'string']]);
    expect(entry?.epcis[0]?.['bizTransactionList']).to.deep.equal([{ type: 'desadv', bizTransaction: 'urn:zfc:shipment:SC-H1' }]);
    // the receipt, in the recipient's capture
    const received = await capture('shop', receiving('SC-H1'));
    const [receipt] = await historyOf('BR2', (received as unknown as { txId: string }).txId);
    expect(receipt).to.deep.include({ event: 'EpcisCaptured', caller: 'shop', eventIDs: [received.captured[0]?.eventID] });
    // proceeding: the refused two-lot shipment leaves BR1's history alone, the accepted one is in BR2's
    const r = await w.submit<{ txId: string; captured: Array<{ eventID: string }>; rejected: unknown[] }>('epcis:CaptureEventsProceeding', documentOf(
      shipping('SC-H2', 1),
      shipping('SC-H3', 1, 'shop', { quantityList: [{ epcClass: lotUri(BREAD, 'BR1'), quantity: 1, uom: 'EA' }, { epcClass: lotUri(BREAD, 'BR2'), quantity: 1_000_000, uom: 'EA' }] }),
    ), actor(w, 'bakery'));
    expect(r.rejected).to.have.length(1);
    expect(await historyOf('BR1', r.txId)).to.deep.equal([]);
    expect((await historyOf('BR2', r.txId)).map((e) => e.eventIDs)).to.deep.equal([[r.captured[0]?.eventID]]);
    // an event that names no lot of the ledger's writes no history
    const foreign = await capture('bakery', { ...selling, quantityList: [{ epcClass: lotUri('09506000000299', 'X1'), quantity: 1 }] });
    expect(await historyOf('BR2', (foreign as unknown as { txId: string }).txId)).to.deep.equal([]);
    // a day's sales of the lot, 2,100 events: one entry naming them all; a page reads at most 2,000 events and says how many it left out
    const sales = Array.from({ length: 2100 }, (_, i) => ({ ...selling, eventTime: new Date(Date.UTC(2026, 2, 6) + i * 1000).toISOString(), quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 0.001, uom: 'EA' }] }));
    const day = await capture('bakery', ...sales);
    const page = await w.evaluate<{ entries: Array<Entry & { epcisOmitted?: number }> }>('GetLotHistory', { ...ref(BREAD, 'BR2'), pageSize: 500 }, actor(w, 'samr'));
    const dayEntry = page.entries.find((e) => e.txId === (day as unknown as { txId: string }).txId);
    expect(dayEntry?.eventIDs).to.have.length(2100);
    expect((dayEntry?.epcis.length ?? 0) + (dayEntry?.epcisOmitted ?? 0)).to.equal(2100);
    expect(dayEntry?.epcisOmitted ?? 0).to.be.greaterThan(0);
    expect(page.entries.reduce((n, e) => n + e.epcis.length, 0)).to.equal(2000);
  });

  it('keeps the receipt: the event that made it cannot be declared erroneous', async () => {
    const event = receiving('SR-3');
    const [{ eventID } = { eventID: '' }] = (await capture('shop', event)).captured;
    expect((await shipment('SR-3')).status).to.equal('received');
    const details = await refused(() => capture('shop', { ...event, eventID, errorDeclaration: { declarationTime: '2026-03-03T00:00:00Z', reason: 'incorrect_data' } }), 'INVALID_STATE');
    expect(details['shipmentId']).to.equal('SR-3');
    // nor the event that shipped one
    const sent = shipping('SC-3', 1);
    const [{ eventID: sentID } = { eventID: '' }] = (await capture('bakery', sent)).captured;
    expect((await refused(() => capture('bakery', { ...sent, eventID: sentID, errorDeclaration: { declarationTime: '2026-03-04T00:00:00Z', reason: 'did_not_occur' } }), 'INVALID_STATE'))['shipmentId']).to.equal('SC-3');
  });

  it('proceeding past refused events (CaptureEventsProceeding) captures the rest, names each refused one and why, and keeps none of a refused event\'s writes', async () => {
    const heldOf = async (lot: string): Promise<number> =>
      (await w.evaluate<{ holdings: Holding[] }>('GetLot', ref(BREAD, lot), actor(w, 'samr'))).holdings.find((h) => h.holder === 'bakery')?.quantity ?? 0;
    const [br1, br2] = [await heldOf('BR1'), await heldOf('BR2')];
    // a shipment of two lots whose second line is more than held: the first line's debit must not stay
    const twoLots = shipping('SC-P1', 1, 'shop', { quantityList: [{ epcClass: lotUri(BREAD, 'BR1'), quantity: 1, uom: 'EA' }, { epcClass: lotUri(BREAD, 'BR2'), quantity: 1_000_000, uom: 'EA' }] });
    const events = [shipping('SC-P2', 2), twoLots, { ...shipping('SC-P3', 1), action: 'TELEPORT' }, receiving('SC-NONE', at('bakery'))];
    // all or nothing, the invalid event refuses it all, and nothing is written
    const height = await w.ledger.height();
    await expectCode(capture('bakery', ...events), 'INVALID_ARGUMENT');
    expect(await w.ledger.height()).to.equal(height);
    const r = await w.submit<{ captured: Array<{ index: number }>; rejected: Array<{ index: number; code: string; path: string; errors?: Array<{ path: string }> }> }>('epcis:CaptureEventsProceeding', documentOf(...events), actor(w, 'bakery'));
    expect(r.captured.map((c) => c.index)).to.deep.equal([0]);
    expect(r.rejected.map((x) => [x.index, x.code, x.path])).to.deep.equal([
      [1, 'QUANTITY_EXCEEDS_HOLDING', '/epcisBody/eventList/1'],
      [2, 'INVALID_ARGUMENT', '/epcisBody/eventList/2'],
      [3, 'SHIPMENT_NOT_FOUND', '/epcisBody/eventList/3'],
    ]);
    expect(r.rejected[1]?.errors?.map((e) => e.path)).to.deep.equal(['/epcisBody/eventList/2/action']);
    expect(await heldOf('BR1'), 'the refused shipment\'s first line was not debited').to.equal(br1);
    expect(await heldOf('BR2')).to.equal(br2 - 2);
    expect((await shipment('SC-P2')).status).to.equal('in_transit');
    await expectCode(shipment('SC-P1'), 'SHIPMENT_NOT_FOUND');
    // the envelope or the caller still refuses it all
    await expectCode(w.submit('epcis:CaptureEventsProceeding', { ...documentOf(shipping('SC-P4', 1)), schemaVersion: 7 }, actor(w, 'bakery')), 'INVALID_ARGUMENT');
    await expectCode(w.submit('epcis:CaptureEventsProceeding', documentOf(shipping('SC-P4', 1)), w.stranger), 'UNKNOWN_IDENTITY');
  });

  /** The read-write set of the last committed transaction (a ledger with blocks). */
  async function lastRwset(): Promise<ReadWriteSet> {
    const ledger = w.ledger as EmbeddedLedger;
    const block = await ledger.block((await ledger.height()) - 1);
    return (block.transactions.at(-1) as { rwset: ReadWriteSet }).rwset;
  }

  it('finds the recipient by the GLN index: one read, no range of participants (which any registration would conflict with)', async () => {
    await capture('bakery', shipping('SC-4', 1));
    expect((await shipment('SC-4')).to).to.equal('shop');
    if (w.capabilities.has('blocks')) {
      const rwset = await lastRwset();
      expect(rwset.ranges, 'range reads').to.deep.equal([]);
      expect(rwset.reads.map((r) => r.key).filter((k) => k.includes('zfc.gln'))).to.have.length(1);
    }
  });

  it('a ledger initialised before the GLN index finds its participants by reading them all, refuses their GLNs to newcomers, and indexes newcomers', async function () {
    if (!w.capabilities.has('inProcess')) this.skip(); // forgetting the index takes the embedded ledger's own store
    // what a ledger initialised before the index looks like: no index keys, no word that it is complete
    const db = (w.ledger as EmbeddedLedger).store.db;
    for await (const key of db.keys({ gte: 's!\u0000zfc.gln\u0000', lt: 's!\u0000zfc.gln\u0001' })) await db.del(key);
    await db.del('s!\u0000zfc.meta\u0000glnIndex\u0000');
    await capture('bakery', shipping('SC-5', 1));
    expect((await shipment('SC-5')).to).to.equal('shop');
    expect((await lastRwset()).ranges.map((r) => r.startKey)).to.deep.equal(['\u0000zfc.participant\u0000']);
    const newcomer = (id: string, n: number, glnOf = gln(n)) => ({
      id, name: id, role: 'retailer', licence: `L-${id}`, gln: glnOf, identities: [{ mspId: 'TradeMSP', id: `x509::/CN=${id}::/CN=ca` }],
    });
    const clash = await expectCode(w.submit('RegisterParticipant', newcomer('shop-twin', 0, actor(w, 'shop').gln), actor(w, 'samr')), 'GLN_IN_USE');
    expect(clash.details).to.include({ gln: actor(w, 'shop').gln, participant: 'shop' });
    await w.submit('RegisterParticipant', newcomer('shop-new', 701), actor(w, 'samr'));
    expect((await lastRwset()).writes.map((x) => x.key)).to.include('\u0000zfc.gln\u0000' + gln(701) + '\u0000');
    await expectCode(w.submit('RegisterParticipant', newcomer('shop-new-twin', 701), actor(w, 'samr')), 'GLN_IN_USE');
  });
});
