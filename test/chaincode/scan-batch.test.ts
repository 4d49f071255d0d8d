/**
 * A batch of scans is one observation per kind, place and time: each scan keeps its own key,
 * but the EPCIS evidence is one ObjectEvent OBSERVE listing every code read together (items
 * once each, lot quantities of one class summed), so a gate reading 200 codes writes one event
 * key, not 200. Checked through the transaction's read-write set, GetEpcisEvent, GetLotHistory
 * and the chaincode event.
 */
import { expect } from 'chai';
import { epcisEventId, type EpcisEvent } from '../../chaincode';
import { validateEpcisEvent } from '../../chaincode/epcis-validate';
import type { EmbeddedLedger, ReadWriteSet } from '../../ledger-tools';
import { actor, expectCode, gln, openWorld, type World } from './support';
import { BREAD, buildChain } from './chain';

const SCAN_KEY = '\u0000zfc.scan\u0000';
const EPCIS_KEY = '\u0000zfc.epcis\u0000';
const lotClass = `https://id.gs1.org/01/${BREAD}/10/BR1`;
const itemEpc = (serial: string): string => `https://id.gs1.org/01/${BREAD}/21/${serial}`;

interface Written { txId: string; eventIDs: string[]; body: { scans: unknown[] } }

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
    const answer = await w.submit<Written>('RecordScans', { scans: Array.from({ length: 200 }, () => scan) }, shop());
    expect(answer.body.scans).to.have.length(200);
    const writes = await lastWrites();
    expect(writes.filter((x) => x.key.startsWith(SCAN_KEY))).to.have.length(200);
    expect(writes.filter((x) => x.key.startsWith(EPCIS_KEY))).to.have.length(1);
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
    expect((await lastWrites()).filter((x) => x.key.startsWith(SCAN_KEY))).to.have.length(9);
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

  it('a refused scan in a batch records nothing, naming its index', async () => {
    const height = await w.ledger.height();
    const scan = { kind: 'check', gtin: BREAD, serial: 'B005', location: at(shop().gln) };
    const err = await expectCode(w.submit('RecordScans', { scans: [scan, scan, { ...scan, serial: 'NOPE' }, scan] }, shop()), 'ITEM_NOT_FOUND');
    expect(err.details).to.include({ index: 2 });
    expect(await w.ledger.height()).to.equal(height);
  });
});
