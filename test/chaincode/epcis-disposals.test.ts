/**
 * A shop whose own EPCIS system records the stock it destroyed takes it off the ledger with that
 * event: a captured destroying event naming a new disposal by the ledger's own extension
 * (`zfc:disposalId`, epcis-disposals.ts) does what RecordDisposal does — recalled stock included
 * — and is refused as RecordDisposal would be, the whole capture with it; its record keeps the
 * disposal, the payload carries it for the trace, and an error declaration cannot undo it. Other
 * destroying events stay evidence. On the hand-worked chain (chain.ts); runs on the embedded
 * ledger and on Fabric alike.
 */
import { expect } from 'chai';
import type { Disposal, Holding } from '../../chaincode';
import { glnUri, itemUri, lotUri, toEpcUrn } from '../../chaincode/digital-link';
import { ZFC_EPCIS_NAMESPACE } from '../../chaincode/epcis-event';
import { actor, allEvents, expectCode, type World, openWorld } from './support';
import { BREAD, SUGAR, WHEAT, buildChain, ref } from './chain';

type Json = Record<string, unknown>;
type Captured = { txId: string; captured: Array<{ eventID: string }>; duplicates: unknown[]; rejected?: Array<{ index: number; code: string; path: string }> };

describe('chaincode: captured destroying events record the ledger\'s disposals they name', function () {
  let w: World;
  let minute = 0;
  before(async () => {
    w = await openWorld();
    await buildChain(w);
    await w.submit('IssueRecall', { recallId: 'R-9', lots: [ref(WHEAT, 'W1')], reason: 'ergot', class: 'I' }, actor(w, 'samr'));
  });
  after(async () => w?.close());

  const at = (who: string): Json => ({ bizLocation: { id: toEpcUrn(glnUri(actor(w, who).gln), 7) } });
  /** A destroying event of `quantity` of bread lot BR1 at the shop, naming `disposalId`. */
  const destroying = (disposalId: string, quantity: number, extra: Json = {}): Json => ({
    type: 'ObjectEvent', eventTime: `2026-03-04T10:${String(minute++ % 60).padStart(2, '0')}:00Z`, eventTimeZoneOffset: '+08:00',
    action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed',
    quantityList: [{ epcClass: lotUri(BREAD, 'BR1'), quantity, uom: 'EA' }],
    'zfc:disposalId': disposalId, 'zfc:reason': '召回 R-9 监督销毁', ...at('shop'), ...extra,
  });
  const documentOf = (events: Json[], context: unknown[] = [{ zfc: ZFC_EPCIS_NAMESPACE }]): Json => ({
    type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-04T00:00:00Z',
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', ...context], epcisBody: { eventList: events },
  });
  const capture = (who: string, ...events: Json[]) => w.submit<Captured>('epcis:CaptureEvents', documentOf(events), actor(w, who));
  const held = async (who: string, lot = 'BR1'): Promise<number> =>
    (await w.evaluate<{ holdings: Holding[] }>('GetLot', ref(BREAD, lot), actor(w, 'samr'))).holdings.find((h) => h.holder === who)?.quantity ?? 0;
  type Payload = { eventName: string; body: { disposals?: Array<{ eventID: string; disposal: Disposal; holding: Holding }> } };
  const lastPayload = async (): Promise<Payload> => (await allEvents(w)).at(-1) as unknown as Payload;
  /** Refused with `code`, naming the event at `path`, and nothing written. */
  async function refused(start: () => Promise<unknown>, code: Parameters<typeof expectCode>[1], path = '/epcisBody/eventList/0'): Promise<Json> {
    const height = await w.ledger.height();
    const shop = await held('shop');
    const err = await expectCode(start(), code);
    expect(err.details['path'], JSON.stringify(err.details)).to.equal(path);
    expect(await w.ledger.height(), 'nothing was written').to.equal(height);
    expect(await held('shop'), 'the holding is untouched').to.equal(shop);
    return err.details;
  }

  it('takes the recalled quantity off the shop\'s holding as RecordDisposal would, once however often the event is sent', async () => {
    const before = await held('shop');
    const event = destroying('DC-1', 40);
    const done = await capture('shop', event);
    expect(done.captured).to.have.length(1);
    const eventID = done.captured[0]?.eventID ?? '';
    expect(await held('shop')).to.equal(before - 40);
    // the payload carries the disposal as StockDisposed would, for the trace
    const last = await lastPayload();
    expect(last.eventName).to.equal('EpcisCaptured');
    expect(last.body.disposals?.map((d) => d.eventID)).to.deep.equal([eventID]);
    expect(last.body.disposals?.[0]?.disposal).to.deep.include({
      disposalId: 'DC-1', gtin: BREAD, lot: 'BR1', quantity: 40, unit: 'EA', method: 'destroyed', reason: '召回 R-9 监督销毁', holder: 'shop',
      location: { gln: actor(w, 'shop').gln }, lotStatus: 'recalled', recallId: 'R-9', txId: done.txId,
    });
    expect(last.body.disposals?.[0]?.holding).to.deep.include({ holder: 'shop', quantity: before - 40 });
    // the event's record names the disposal it recorded
    const stored = await w.evaluate<{ disposal?: string; event: Json }>('epcis:GetEvent', eventID, actor(w, 'shop'));
    expect(stored.disposal).to.equal('DC-1');
    // sent again: a duplicate, nothing taken twice
    const again = await capture('shop', event);
    expect([again.captured.length, again.duplicates.length]).to.deep.equal([0, 1]);
    expect(await held('shop')).to.equal(before - 40);
    // the disposal ID is the ledger's: another event, or RecordDisposal itself, may not take it again
    await refused(() => capture('shop', destroying('DC-1', 1)), 'CONFLICT');
    await expectCode(w.submit('RecordDisposal', { disposalId: 'DC-1', ...ref(BREAD, 'BR1'), quantity: 1, method: 'destroyed', reason: 'again', location: { gln: actor(w, 'shop').gln } }, actor(w, 'shop')), 'CONFLICT');
    // what it did stands: an error declaration does not undo it
    const declared = await refused(() => capture('shop', { ...event, eventID, errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z', reason: 'incorrect_data' } }), 'INVALID_STATE');
    expect(declared['disposalId']).to.equal('DC-1');
  });

  it('reads the extension under any prefix bound to the ledger\'s namespace, zfc: unbound, or in full, the disposition in any CBV form, and says why when the event does not', async () => {
    const before = await held('shop');
    const renamed = Object.fromEntries(Object.entries(destroying('DC-2', 3)).map(([k, v]) => [k.replace(/^zfc:/, 'zhe:'), v]));
    await w.submit<Captured>('epcis:CaptureEvents', documentOf([renamed], [{ zhe: ZFC_EPCIS_NAMESPACE }]), actor(w, 'shop'));
    expect(await held('shop')).to.equal(before - 3);
    const full = { ...destroying('', 2), 'zfc:disposalId': undefined, [`${ZFC_EPCIS_NAMESPACE}disposalId`]: 'DC-3', disposition: 'https://ref.gs1.org/cbv/Disp-disposed', 'zfc:reason': undefined };
    const done = await capture('shop', JSON.parse(JSON.stringify(full)) as Json);
    expect(await held('shop')).to.equal(before - 5);
    const disposal = (await lastPayload()).body.disposals?.[0]?.disposal;
    expect(disposal).to.deep.include({ disposalId: 'DC-3', method: 'disposed', quantity: 2 });
    expect(disposal?.reason).to.equal(`EPCIS event ${done.captured[0]?.eventID}: destroying, disposed`);
    // a document that binds no prefix zfc can mean only the ledger's by it
    await w.submit<Captured>('epcis:CaptureEvents', documentOf([destroying('DC-4', 1)], []), actor(w, 'shop'));
    expect(await held('shop')).to.equal(before - 6);
  });

  it('leaves other destroying events as evidence: another namespace\'s disposalId, an OBSERVE, no disposal ID', async () => {
    const before = await held('shop');
    const foreign = await w.submit<Captured>('epcis:CaptureEvents', documentOf([destroying('DC-F1', 5)], [{ zfc: 'https://example.org/not-zfc/' }]), actor(w, 'shop'));
    expect(foreign.captured).to.have.length(1);
    await capture('shop', destroying('DC-F2', 5, { action: 'OBSERVE' }));
    const { 'zfc:disposalId': _id, ...unnamed } = destroying('', 5);
    void _id;
    await capture('shop', unnamed);
    expect(await held('shop')).to.equal(before);
    expect((await lastPayload()).body.disposals).to.equal(undefined);
  });

  it('refuses what RecordDisposal refuses, naming the event and the field, and writes nothing', async () => {
    await refused(() => capture('shop', destroying('DC-R1', 100_000)), 'QUANTITY_EXCEEDS_HOLDING');
    await refused(() => capture('lab', { ...destroying('DC-R1', 1), ...at('lab') }), 'FORBIDDEN');
    await refused(() => capture('shop', destroying('DC-R1', 1, { quantityList: [{ epcClass: lotUri(BREAD, 'BR2'), quantity: 1 }] })), 'NOT_OWNER'); // the shop holds none of BR2
    await refused(() => capture('shop', destroying('DC-R1', 1, { quantityList: [{ epcClass: lotUri(BREAD, 'NOPE'), quantity: 1 }] })), 'LOT_NOT_FOUND');
    const unit = await refused(() => capture('shop', destroying('DC-R1', 1, { quantityList: [{ epcClass: lotUri(BREAD, 'BR1'), quantity: 1, uom: 'KGM' }] })), 'UNIT_MISMATCH');
    expect(unit['field']).to.equal('/epcisBody/eventList/0/quantityList/0/uom');
    const errorAt = async (event: Json, field: string, code: Parameters<typeof expectCode>[1] = 'INVALID_ARGUMENT'): Promise<void> => {
      const details = await refused(() => capture('shop', event), code);
      const errors = (details['errors'] as Array<{ path: string }> | undefined)?.map((e) => e.path) ?? [details['field']];
      expect(errors, JSON.stringify(details)).to.include(field);
    };
    const e0 = '/epcisBody/eventList/0';
    await errorAt(destroying('DC-R1', 1, { disposition: 'damaged' }), `${e0}/disposition`);
    await errorAt(destroying('DC-R1', 1, { quantityList: [{ epcClass: lotUri(BREAD, 'BR1'), quantity: 1 }, { epcClass: lotUri(BREAD, 'BR1'), quantity: 1 }] }), `${e0}/quantityList`);
    await errorAt(destroying('DC-R1', 1, { epcList: [lotUri(BREAD, 'BR1')] }), `${e0}/epcList/0`); // a lot is a quantity, not an instance
    await errorAt(destroying('DC-R1', 1, { epcList: [itemUri(BREAD, 'B-404')] }), `${e0}/epcList/0`, 'ITEM_NOT_FOUND');
    await errorAt(destroying('DC-R1', 1, { quantityList: [], epcList: [] }), `${e0}/quantityList`);
    await errorAt(destroying('DC-R1', 1, { quantityList: [{ epcClass: itemUri(BREAD, 'B-1'), quantity: 1 }] }), `${e0}/quantityList/0/epcClass`);
    await errorAt(destroying('DC-R1', 1e13), `${e0}/quantityList/0/quantity`);
    await errorAt(destroying('DC-R1', 1, { 'zfc:reason': 'x'.repeat(5000) }), `${e0}/zfc:reason`);
    await errorAt(destroying('DC-R1', 1, { 'zfc:reason': 7 }), `${e0}/zfc:reason`);
    await errorAt(destroying('DC-R1', 1, { bizLocation: undefined }), `${e0}/bizLocation`);
    await errorAt(destroying('a|b\u0000', 1), `${e0}/zfc:disposalId`);
    await errorAt(destroying('DC-R1', 1, { 'zfc:disposalId': 42 }), `${e0}/zfc:disposalId`);
    // one document, one disposal ID
    await refused(() => capture('shop', destroying('DC-R2', 1), destroying('DC-R2', 1)), 'CONFLICT', '/epcisBody/eventList/1');
    // the refused capture recorded neither: the ID is still free
    await w.submit('RecordDisposal', { disposalId: 'DC-R2', ...ref(BREAD, 'BR1'), quantity: 1, method: 'destroyed', reason: 'still free', location: { gln: actor(w, 'shop').gln } }, actor(w, 'shop'));
  });

  it('marks the labelled items an event names disposed, counting them beside its quantity as EPCIS does', async () => {
    const bakery = actor(w, 'bakery');
    await w.submit('TransformLots', { transformationId: 'BAKE-9', inputs: [{ ...ref(SUGAR, 'S1'), quantity: 5 }], output: { ...ref(BREAD, 'BR9'), quantity: 20, productionDate: '2026-03-01' }, location: { gln: actor(w, 'bakery').gln } }, bakery);
    await w.submit('CommissionItems', { ...ref(BREAD, 'BR9'), ranges: [{ prefix: 'BX-', from: 1, to: 10 }] }, bakery);
    await w.submit('Ship', { shipmentId: 'SH-BX', to: 'shop', lines: [{ ...ref(BREAD, 'BR9'), quantity: 10 }], origin: { gln: actor(w, 'bakery').gln } }, bakery);
    await w.submit('Receive', { shipmentId: 'SH-BX', location: { gln: actor(w, 'shop').gln } }, actor(w, 'shop'));
    const status = async (serial: string): Promise<string> => (await w.evaluate<{ item: { status: string } }>('GetItem', { gtin: BREAD, serial }, actor(w, 'samr'))).item.status;
    // two items (one as an EPC URN) and one more piece: three leave the holding
    await capture('shop', destroying('DC-I1', 1, { quantityList: [{ epcClass: lotUri(BREAD, 'BR9'), quantity: 1, uom: 'EA' }], epcList: [toEpcUrn(itemUri(BREAD, 'BX-1'), 7), itemUri(BREAD, 'BX-2')] }));
    expect(await held('shop', 'BR9')).to.equal(7);
    expect([await status('BX-1'), await status('BX-2'), await status('BX-3')]).to.deep.equal(['disposed', 'disposed', 'active']);
    expect((await lastPayload()).body.disposals?.[0]?.disposal).to.deep.include({ lot: 'BR9', quantity: 3, serials: ['BX-1', 'BX-2'] });
    // items alone: their lot is theirs
    await capture('shop', destroying('DC-I2', 1, { quantityList: undefined, epcList: [itemUri(BREAD, 'BX-3')] }));
    expect([await held('shop', 'BR9'), await status('BX-3')]).to.deep.equal([6, 'disposed']);
    // refused as RecordDisposal refuses the items, at the item's place in the event
    const twice = await refused(() => capture('shop', destroying('DC-I3', 1, { quantityList: undefined, epcList: [itemUri(BREAD, 'BX-4'), itemUri(BREAD, 'BX-1')] })), 'INVALID_STATE');
    expect(twice['field']).to.equal('/epcisBody/eventList/0/epcList/1');
    await refused(() => capture('shop', destroying('DC-I3', 1, { quantityList: undefined, epcList: [itemUri(BREAD, 'BX-4'), itemUri(WHEAT, 'X-1')] })), 'INVALID_ARGUMENT');
    // items of no declared size (sugar, weighed) need their weight in quantityList
    const farmB = actor(w, 'farm-b');
    await w.submit('CommissionItems', { ...ref(SUGAR, 'S1'), ranges: [{ prefix: 'SG', from: 1, to: 3 }] }, farmB);
    const sugar = { quantityList: undefined, epcList: [itemUri(SUGAR, 'SG1')], bizLocation: { id: glnUri(farmB.gln) } };
    const err = await expectCode(capture('farm-b', destroying('DC-I4', 1, sugar)), 'INVALID_ARGUMENT');
    expect((err.details['errors'] as Array<{ path: string }>).map((e) => e.path)).to.deep.equal(['/epcisBody/eventList/0/quantityList']);
    await capture('farm-b', destroying('DC-I4', 1, { ...sugar, quantityList: [{ epcClass: lotUri(SUGAR, 'S1'), quantity: 0.5, uom: 'KGM' }] }));
    expect((await lastPayload()).body.disposals?.[0]?.disposal).to.deep.include({ lot: 'S1', quantity: 0.5, unit: 'KGM', serials: ['SG1'] });
  });

  it('proceeding past refused events keeps none of a refused disposal\'s writes', async () => {
    const before = await held('shop');
    const r = await w.submit<Captured>('epcis:CaptureEventsProceeding', documentOf([destroying('DC-P1', 4), destroying('DC-P2', 100_000), destroying('DC-P1', 1)]), actor(w, 'shop'));
    expect(r.captured).to.have.length(1);
    expect(r.rejected?.map((x) => [x.index, x.code, x.path])).to.deep.equal([
      [1, 'QUANTITY_EXCEEDS_HOLDING', '/epcisBody/eventList/1'],
      [2, 'CONFLICT', '/epcisBody/eventList/2'],
    ]);
    expect(await held('shop')).to.equal(before - 4);
    expect((await lastPayload()).body.disposals?.map((d) => d.disposal.disposalId)).to.deep.equal(['DC-P1']);
  });
});
