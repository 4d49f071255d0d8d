/**
 * A batch of scans is one observation per kind, place and time: each scan keeps its own key,
 * but the EPCIS evidence is one ObjectEvent OBSERVE listing every code read together (items
 * once each, lot quantities of one class summed), so a gate reading 200 codes writes one event
 * key, not 200; and a key the batch writes many times (the holding that each sale debits) is
 * written once. Checked through the transaction's read-write set, GetEpcisEvent, GetLotHistory
 * and the reads after it.
 */
import { expect } from 'chai';
import { epcisEventId, type EpcisEvent } from '../../chaincode';
import { validateEpcisEvent } from '../../chaincode/epcis-validate';
import type { EmbeddedLedger, ReadWriteSet } from '../../ledger-tools';
import { EmbeddedStub } from '../../ledger-tools/embedded-stub';
import { actor, expectCode, gln, openWorld, type World } from './support';
import { BREAD, buildChain } from './chain';

const SCAN_KEY = '\u0000zfc.scan\u0000';
const EPCIS_KEY = '\u0000zfc.epcis\u0000';
const lotClass = `https://id.gs1.org/01/${BREAD}/10/BR1`;
const itemEpc = (serial: string): string => `https://id.gs1.org/01/${BREAD}/21/${serial}`;

interface Written { txId: string; eventIDs: string[]; body: { scans: unknown[] } }

/** Runs `run`, listing every key the chaincode sends to the (real, in-process) stub's putState: on Fabric each is a round trip. */
async function putStateCalls<T>(run: () => Promise<T>): Promise<{ result: T; keys: string[] }> {
  const original = EmbeddedStub.prototype.putState;
  const keys: string[] = [];
  EmbeddedStub.prototype.putState = function putState(this: EmbeddedStub, key: string, value: Uint8Array | string) {
    keys.push(key);
    return original.call(this, key, value);
  };
  try {
    return { result: await run(), keys };
  } finally {
    EmbeddedStub.prototype.putState = original;
  }
}

describe('chaincode: a batch of scans, one EPCIS event per kind, place and time', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    await buildChain(w);
    await w.submit('CommissionItems', { gtin: BREAD, lot: 'BR1', ranges: [{ prefix: 'B', from: 1, to: 10, width: 3 }] }, actor(w, 'bakery'));
  });
  after(async () => w?.close());

  const shop = () => actor(w, 'shop');
  const at = (g: string) => ({ gln: g });
  async function lastWrites(): Promise<ReadWriteSet['writes']> {
    const ledger = w.ledger as EmbeddedLedger;
    const block = await ledger.block((await ledger.height()) - 1);
    return (block.transactions[block.transactions.length - 1] as { rwset: ReadWriteSet }).rwset.writes;
  }
  const event = (eventID: string) => w.evaluate<EpcisEvent>('GetEpcisEvent', { eventID }, shop());

  it('200 scans of a lot at one gate: 200 scan keys, one EPCIS event key, the lot listed once', async () => {
    const scan = { kind: 'check', gtin: BREAD, lot: 'BR1', location: at(shop().gln) };
    const { result: answer, keys } = await putStateCalls(() => w.submit<Written>('RecordScans', { scans: Array.from({ length: 200 }, () => scan) }, shop()));
    expect(answer.body.scans).to.have.length(200);
    if (w.capabilities.has('inProcess')) {
      expect(keys.filter((k) => k.startsWith(SCAN_KEY))).to.have.length(200);
      expect(keys.filter((k) => k.startsWith(EPCIS_KEY))).to.have.length(1);
      expect(keys).to.have.length(202); // and the lot's history entry
    }
    if (w.capabilities.has('blocks')) expect((await lastWrites()).map((x) => x.key).sort()).to.deep.equal([...keys].sort());
    expect(answer.eventIDs).to.deep.equal([epcisEventId(answer.txId, 0)]);
    const e = await event(answer.eventIDs[0] ?? '');
    expect(e).to.include({ type: 'ObjectEvent', action: 'OBSERVE', 'zfc:scanKind': 'check' });
    expect(e.quantityList).to.deep.equal([{ epcClass: lotClass }]);
    expect(e.epcList).to.equal(undefined);
    expect(() => validateEpcisEvent(e)).to.not.throw();
    const history = await w.evaluate<{ entries: { txId: string; eventIDs: string[]; epcis: EpcisEvent[] }[] }>('GetLotHistory', { gtin: BREAD, lot: 'BR1', pageSize: 100 }, shop());
    const entry = history.entries.find((h) => h.txId === answer.txId);
    expect(entry?.eventIDs).to.deep.equal(answer.eventIDs);
    expect(entry?.epcis).to.deep.equal([e]);
  });

  it('splits a batch by kind, place and time, in order of first scan; items once each, lot quantities summed', async () => {
    const later = '2026-03-01T10:00:00+08:00';
    const here = at(shop().gln);
    const answer = await w.submit<Written>('RecordScans', { scans: [
      { kind: 'receive', gtin: BREAD, serial: 'B001', location: here },
      { kind: 'sale', gtin: BREAD, serial: 'B001', location: here },
      { kind: 'check', gtin: BREAD, serial: 'B003', location: at(gln(9)) },
      { kind: 'sale', gtin: BREAD, lot: 'BR1', quantity: 2, location: here },
      { kind: 'receive', gtin: BREAD, serial: 'B002', location: here },
      { kind: 'receive', gtin: BREAD, serial: 'B001', location: here },
      { kind: 'sale', gtin: BREAD, serial: 'B004', location: here, time: later },
      { kind: 'sale', gtin: BREAD, lot: 'BR1', quantity: 3, location: here },
      { kind: 'sale', gtin: BREAD, serial: 'B002', location: here },
    ] }, shop());
    if (w.capabilities.has('blocks')) expect((await lastWrites()).filter((x) => x.key.startsWith(SCAN_KEY))).to.have.length(9);
    expect(answer.eventIDs).to.deep.equal([0, 1, 2, 3].map((i) => epcisEventId(answer.txId, i)));
    const events = await Promise.all(answer.eventIDs.map(event));
    expect(events.map((e) => [e['zfc:scanKind'], e.bizStep, e.readPoint?.id, e.epcList, e.quantityList])).to.deep.equal([
      ['receive', 'receiving', `https://id.gs1.org/414/${shop().gln}`, [itemEpc('B001'), itemEpc('B002')], undefined],
      ['sale', 'retail_selling', `https://id.gs1.org/414/${shop().gln}`, [itemEpc('B001'), itemEpc('B002')], [{ epcClass: lotClass, quantity: 5, uom: 'EA' }]],
      ['check', undefined, `https://id.gs1.org/414/${gln(9)}`, [itemEpc('B003')], undefined],
      ['sale', 'retail_selling', `https://id.gs1.org/414/${shop().gln}`, [itemEpc('B004')], undefined],
    ]);
    expect(events[3]).to.include({ eventTime: later, eventTimeZoneOffset: '+08:00' });
    expect(events[0]?.eventTime).to.equal(events[1]?.eventTime);
    for (const e of events) expect(() => validateEpcisEvent(e)).to.not.throw();
  });

  it('sales of one lot in a batch debit its holding per scan but write it once, and items once each', async () => {
    const holdingKey = `\u0000zfc.holding\u0000${BREAD}\u0000BR1\u0000shop\u0000`;
    const before = await w.evaluate<{ holdings: { holder: string; quantity: number }[] }>('GetLot', { gtin: BREAD, lot: 'BR1' }, shop());
    const held = before.holdings.find((h) => h.holder === 'shop')?.quantity ?? 0;
    const here = at(shop().gln);
    const sale = (n: number) => ({ kind: 'sale', gtin: BREAD, lot: 'BR1', quantity: n, location: here });
    const { result: answer, keys } = await putStateCalls(() => w.submit<Written & { body: { holdings: { quantity: number }[] } }>('RecordScans', { scans: [
      sale(1), { kind: 'check', gtin: BREAD, serial: 'B006', location: here }, sale(2), { kind: 'sale', gtin: BREAD, serial: 'B006', location: here }, sale(3),
    ] }, shop()));
    if (w.capabilities.has('inProcess')) {
      expect(keys.filter((k) => k === holdingKey)).to.have.length(1);
      expect(keys.filter((k) => k.startsWith('\u0000zfc.item\u0000'))).to.have.length(1);
      expect(keys.filter((k) => k.startsWith(SCAN_KEY))).to.have.length(5);
      expect(keys.filter((k) => k.startsWith(EPCIS_KEY))).to.have.length(2);
      expect(new Set(keys).size).to.equal(keys.length);
    }
    if (w.capabilities.has('blocks')) expect(keys).to.have.length((await lastWrites()).length);
    expect(answer.body.holdings.map((h) => h.quantity)).to.deep.equal([held - 7]);
    const after = await w.evaluate<{ holdings: { holder: string; quantity: number }[] }>('GetLot', { gtin: BREAD, lot: 'BR1' }, shop());
    expect(after.holdings.find((h) => h.holder === 'shop')?.quantity).to.equal(held - 7);
    const item = await w.evaluate<{ item: { status: string } }>('GetItem', { gtin: BREAD, serial: 'B006' }, shop());
    expect(item.item.status).to.equal('sold');
  });

  it('a refused scan in a batch records nothing, naming its index', async () => {
    const height = await w.ledger.height();
    const scan = { kind: 'check', gtin: BREAD, serial: 'B005', location: at(shop().gln) };
    const err = await expectCode(w.submit('RecordScans', { scans: [scan, scan, { ...scan, serial: 'NOPE' }, scan] }, shop()), 'ITEM_NOT_FOUND');
    expect(err.details).to.include({ index: 2 });
    expect(await w.ledger.height()).to.equal(height);
  });
});
