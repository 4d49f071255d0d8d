/**
 * The trace index on its own, fed hand-made facts: a worked example with two farms, a
 * processor, a distributor and two shops, checked lot by lot; reopen and rebuild give the
 * same answers; CSV and DOT exports are well-formed and safe.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Level } from 'level';
import { TraceIndex } from '../../gateway-api/trace-index';
import { hopFromEntry, hopValue } from '../../gateway-api/trace-store';
import { traceCsv, CSV_COLUMNS } from '../../gateway-api/trace-csv';
import { traceDot } from '../../gateway-api/trace-dot';
import type { Fact } from '../../gateway-api/trace-model';
import type { LedgerEvent } from '../../ledger-tools/ledger';

const G1 = '06950000010003';
const G2 = '06950000020002';
const F1 = { gtin: G1, lot: 'F1' };
const F2 = { gtin: G1, lot: '=HYPERLINK("x")' };
const P1 = { gtin: G2, lot: 'P1' };

const EVENTS: Fact[][] = [
  [
    { type: 'participant', id: 'farm-a', name: 'Farm A, "north"', role: 'producer', gln: '6950000000017' },
    { type: 'participant', id: 'farm-b', name: 'Farm B', role: 'producer' },
    { type: 'participant', id: 'proc', name: 'Processor', role: 'processor' },
    { type: 'participant', id: 'dist', name: 'Distributor', role: 'distributor' },
    { type: 'participant', id: 'shop-1', name: '商店 一', role: 'retailer' },
    { type: 'participant', id: 'shop-2', name: 'Shop 2', role: 'retailer' },
  ],
  [{ type: 'product', gtin: G1, name: 'Tea leaves', unit: 'KGM' }],
  [{ type: 'product', gtin: G2, name: 'Green tea', unit: 'KGM' }],
  [{ type: 'lot', kind: 'commissioning', ...F1, producer: 'farm-a', quantity: 100, unit: 'KGM', productionDate: '2026-05-01' }],
  [{ type: 'lot', kind: 'commissioning', ...F2, producer: 'farm-b', quantity: 50, unit: 'KGM', productionDate: '2026-05-02' }],
  [{ type: 'test', lotRef: F1, testId: 'T1', lab: 'lab', verdict: 'pass' }],
  [{ type: 'hop', kind: 'ship', lotRef: F1, from: 'farm-a', to: 'proc', quantity: 100, unit: 'KGM', shipmentId: 'S1' }],
  [{ type: 'hop', kind: 'receive', lotRef: F1, from: 'farm-a', to: 'proc', quantity: 100, unit: 'KGM', shipmentId: 'S1' }],
  [{ type: 'hop', kind: 'ship', lotRef: F2, from: 'farm-b', to: 'proc', quantity: 50, unit: 'KGM', shipmentId: 'S2' }],
  [{ type: 'hop', kind: 'receive', lotRef: F2, from: 'farm-b', to: 'proc', quantity: 50, unit: 'KGM', shipmentId: 'S2' }],
  [
    { type: 'lot', kind: 'transformation', ...P1, producer: 'proc', quantity: 120, unit: 'KGM', productionDate: '2026-05-05' },
    { type: 'input', from: F1, to: P1, quantity: 90, unit: 'KGM' },
    { type: 'input', from: F2, to: P1, quantity: 50, unit: 'KGM' },
  ],
  [{ type: 'items', lotRef: P1, range: { prefix: 'P1-', from: 1, to: 120, width: 4 } }],
  [{ type: 'hop', kind: 'ship', lotRef: P1, from: 'proc', to: 'dist', quantity: 100, unit: 'KGM', shipmentId: 'S3' }],
  [{ type: 'hop', kind: 'receive', lotRef: P1, from: 'proc', to: 'dist', quantity: 100, unit: 'KGM', shipmentId: 'S3' }],
  [{ type: 'hop', kind: 'ship', lotRef: P1, from: 'dist', to: 'shop-1', quantity: 60, unit: 'KGM', shipmentId: 'S4' }],
  [{ type: 'hop', kind: 'receive', lotRef: P1, from: 'dist', to: 'shop-1', quantity: 60, unit: 'KGM', shipmentId: 'S4' }],
  [{ type: 'hop', kind: 'ship', lotRef: P1, from: 'dist', to: 'shop-2', quantity: 40, unit: 'KGM', shipmentId: 'S5' }],
  [{ type: 'hop', kind: 'sale', lotRef: P1, from: 'shop-1', to: '', quantity: 1, unit: 'KGM' }],
  [{ type: 'aggregation', sscc: '369500000000000019', action: 'add', lots: [P1], children: [] }],
  [{ type: 'aggregation', sscc: '369500000000000026', action: 'add', lots: [], children: ['369500000000000019'] }],
  [
    { type: 'recall', recallId: 'R1', lots: [F2], reason: 'pesticide', recallClass: 'I', issuer: 'reg' },
    { type: 'status', lotRef: F2, status: 'recalled', reason: 'pesticide', recallId: 'R1' },
    { type: 'status', lotRef: P1, status: 'recalled', reason: 'pesticide', recallId: 'R1' },
  ],
];

/** Applies each list of facts as one transaction, in blocks from `first` on. */
async function feed(index: TraceIndex, events: Fact[][], first = 0): Promise<void> {
  for (const [j, facts] of events.entries()) {
    const i = first + j;
    await index.applyFacts(facts, { blockNumber: i, txIndex: 0, txId: `tx${i}`, timestamp: `2026-05-${String(1 + i).padStart(2, '0')}T00:00:00.000Z` });
  }
}

describe('gateway: trace index', () => {
  let dir: string;
  let index: TraceIndex;

  beforeEach(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-trace-'));
    index = await TraceIndex.open({ dir: path.join(dir, 'index') });
    await feed(index, EVENTS);
  });

  afterEach(async () => {
    await index.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('traces an item back to both farms, with tests and custody', () => {
    const g = index.traceBack({ item: { gtin: G2, serial: 'P1-0007' } }, 'item');
    expect(g.lots.map((l) => `${l.lot}@${l.depth}`)).to.deep.equal(['P1@0', 'F1@1', '=HYPERLINK("x")@1']);
    expect(g.lots[1]?.tests.map((t) => t.verdict)).to.deep.equal(['pass']);
    expect(g.edges).to.have.length(2);
    expect(g.hops.filter((h) => h.kind === 'sale')).to.have.length(0);
    expect(g.hops.map((h) => h.shipmentId)).to.include.members(['S1', 'S2', 'S3']);
    expect(g.participants.map((p) => p.id)).to.include.members(['farm-a', 'farm-b', 'proc']);
  });

  it('refuses an unknown item, a serial outside the range, an unknown lot and SSCC', () => {
    expect(() => index.traceBack({ item: { gtin: G2, serial: 'P1-0121' } }, '')).to.throw().with.property('code', 'ITEM_NOT_FOUND');
    expect(() => index.traceBack({ item: { gtin: G2, serial: 'P1-7' } }, '')).to.throw().with.property('code', 'ITEM_NOT_FOUND');
    expect(() => index.traceForward({ lot: { gtin: G1, lot: 'nope' } }, '')).to.throw().with.property('code', 'LOT_NOT_FOUND');
    expect(() => index.traceBack({ sscc: '369500000000000033' }, '')).to.throw().with.property('code', 'CONTAINER_NOT_FOUND');
  });

  it('traces a farm lot forward to every holder with quantities and sales', () => {
    const g = index.traceForward({ lot: F1 }, 'F1');
    expect(g.lots.map((l) => l.lot)).to.deep.equal(['F1', 'P1']);
    const shop1 = g.holders.find((h) => h.lot.lot === 'P1' && h.participant === 'shop-1');
    expect(shop1).to.include({ received: 60, sold: 1, sales: 1 });
    const shop2 = g.holders.find((h) => h.lot.lot === 'P1' && h.participant === 'shop-2');
    expect(shop2, 'in transit: shipped to, not received').to.equal(undefined);
    expect(g.hops.filter((h) => h.kind === 'ship' && h.to === 'shop-2')).to.have.length(1);
  });

  it('resolves a pallet through nested logistic units', () => {
    const g = index.traceBack({ sscc: '369500000000000026' }, 'pallet');
    expect(g.start.lots).to.deep.equal([P1]);
    expect(g.lots).to.have.length(3);
  });

  it('answers a lot page with holdings, status and the recall', () => {
    const lot = index.lot(P1);
    expect(lot.status).to.equal('recalled');
    expect(lot.recallId).to.equal('R1');
    const holding = Object.fromEntries(lot.holders.map((h) => [h.participant, h.holding]));
    expect(holding).to.deep.equal({ proc: 20, dist: 0, 'shop-1': 59 });
    const f1 = index.lot(F1);
    expect(Object.fromEntries(f1.holders.map((h) => [h.participant, h.holding]))).to.deep.equal({ 'farm-a': 0, proc: 10 });
    expect(index.recall('R1').affected).to.deep.equal([F2, P1].sort((a, b) => (`${a.gtin}|${a.lot}` < `${b.gtin}|${b.lot}` ? -1 : 1)));
    expect(index.searchLots({ status: 'recalled' }).lots.map((l) => l.lot)).to.have.members(['P1', F2.lot]);
    expect(index.searchLots({ holder: 'shop-1' }).lots.map((l) => l.lot)).to.deep.equal(['P1']);
  });

  it('answers the same traces from the level layout alone', async () => {
    for (const [dir, start] of [['back', P1], ['forward', F1], ['forward', F2], ['back', F1]] as const) {
      const g = dir === 'back' ? index.traceBack({ lot: start }, '') : index.traceForward({ lot: start }, '');
      expect(await index.traceOnDisk(dir, start), `${dir} ${start.lot}`).to.deep.equal({ lots: g.lots.length, edges: g.edges.length, hops: g.hops.length });
    }
  });

  it('keeps each hop compact (its key holds its lot and position), and reads hops stored whole before it the same', async () => {
    // a lot whose name holds the key's separator, a percent sign and CJK; a hop with a location and no shipment
    const odd = { gtin: G1, lot: 'A|B %7C 批次' };
    await feed(index, [
      [{ type: 'lot', kind: 'commissioning', ...odd, producer: 'farm-a', quantity: 10, unit: 'KGM', productionDate: '2026-06-01' }],
      [{ type: 'hop', kind: 'ship', lotRef: odd, from: 'farm-a', to: 'proc', quantity: 2.5, unit: 'KGM', location: '6950000000017' }],
      [{ type: 'hop', kind: 'sale', lotRef: odd, from: 'farm-a', to: '', quantity: 1, unit: 'KGM' }],
    ], EVENTS.length);
    const answers = async (ix: TraceIndex): Promise<string> =>
      JSON.stringify([ix.traceBack({ lot: P1 }, 'x'), ix.traceForward({ lot: F1 }, 'y'), ix.traceForward({ lot: odd }, 'z'), ix.lot(odd), await ix.history(odd), await ix.history(P1)]);
    const expected = await answers(index);
    const onDisk = async (): Promise<unknown[]> => [await index.traceOnDisk('forward', F1), await index.traceOnDisk('forward', odd)];
    const walked = await onDisk();
    await index.close();
    const db = new Level<string, unknown>(path.join(dir, 'index'), { valueEncoding: 'json' });
    const hops = await db.iterator({ gte: 'H|', lt: 'H|~' }).all();
    expect(hops).to.have.length(EVENTS.flat().filter((f) => f.type === 'hop').length + 2);
    for (const [key, value] of hops) {
      expect(value, key).to.be.an('array');
      const hop = hopFromEntry(key, value);
      expect(hopValue(hop), key).to.deep.equal(value); // nothing lost either way
      expect(Buffer.byteLength(JSON.stringify(value))).to.be.below(Buffer.byteLength(JSON.stringify(hop)) * 0.7);
    }
    const located = hops.map(([key, value]) => hopFromEntry(key, value)).find((h) => h.lotRef.lot === odd.lot && h.kind === 'ship');
    expect(located).to.deep.include({ lotRef: odd, quantity: 2.5, location: '6950000000017', txId: `tx${EVENTS.length + 1}` });
    expect(located).to.not.have.property('shipmentId');
    // the whole facts, as stores of the earlier layout hold them
    await db.batch(hops.map(([key, value]) => ({ type: 'put' as const, key, value: hopFromEntry(key, value) })));
    await db.close();
    index = await TraceIndex.open({ dir: path.join(dir, 'index') });
    expect(await answers(index)).to.equal(expected);
    expect(await onDisk()).to.deep.equal(walked);
  });

  it('keeps a return\'s purpose and a disposal\'s items in a hop\'s compact value, with or without the fields before them', () => {
    const base = { type: 'hop', kind: 'ship', lotRef: { gtin: G1, lot: 'F|1%' }, from: 'shop-1', to: 'farm-a', quantity: 3, unit: 'KGM', txId: 'tx9', timestamp: '2026-05-01T00:00:00.000Z', seq: '0000000009.000000.0000' } as const;
    for (const hop of [{ ...base, shipmentId: 'RT-1', purpose: 'return' as const }, { ...base, shipmentId: 'RT-1', location: '6950000000017', purpose: 'return' as const }, { ...base, purpose: 'return' as const }, { ...base, shipmentId: 'RT-2' }, { ...base, kind: 'dispose' as const, to: '', serials: ['S-1', 'S|2'] }, { ...base, kind: 'dispose' as const, to: '', location: '6950000000017', serials: ['S-3'] }]) {
      const key = `H|${G1}|${encodeURIComponent(hop.lotRef.lot)}|${hop.seq}`;
      expect(hopFromEntry(key, JSON.parse(JSON.stringify(hopValue(hop)))), JSON.stringify(hop)).to.deep.equal(hop);
    }
  });

  it('names a destroyed item scanned since, whose serial may hold a slash, with its lot and who disposed of it', async () => {
    const D1 = { gtin: G2, lot: 'D1' };
    await feed(index, [
      [{ type: 'lot', kind: 'commissioning', gtin: G2, lot: 'D1', producer: 'proc', quantity: 10, unit: 'EA', location: '', productionDate: '2026-04-01' }, { type: 'items', lotRef: D1, serials: ['A/1', 'A-2'] }],
      [{ type: 'hop', kind: 'dispose', lotRef: D1, from: 'proc', to: '', quantity: 1, unit: 'EA', serials: ['A/1'] }],
    ], EVENTS.length);
    index.countPublicScan(`${G2}/A/1`);
    index.countPublicScan(`${G2}/A-2`);
    const found = index.destroyedItemWarnings().map((w) => [w.details['serial'], w.lot?.lot, w.details['scans'], w.details['disposedBy']]);
    expect(found).to.deep.equal([['A/1', 'D1', 1, 'proc']]);
  });

  it('pages a lot search with a cursor', () => {
    const first = index.searchLots({ limit: 2 });
    expect(first.lots).to.have.length(2);
    const second = index.searchLots({ limit: 2, cursor: first.next as string });
    expect(second.lots).to.have.length(1);
    expect(second.next).to.equal(undefined);
  });

  it('keeps anonymous scan counts across a reopen', async () => {
    index.countPublicScan(`${G2}/P1-0007`);
    expect(index.countPublicScan(`${G2}/P1-0007`)).to.equal(2);
    await index.close();
    index = await TraceIndex.open({ dir: path.join(dir, 'index') });
    expect(index.publicScanCount(`${G2}/P1-0007`)).to.equal(2);
    expect(index.publicScanCount(`${G2}/P1-0008`)).to.equal(0);
  });

  it('gives identical answers after reopening from level', async () => {
    const before = [index.traceBack({ lot: P1 }, 'x'), index.traceForward({ lot: F1 }, 'y'), index.lot(P1), await index.history(P1)];
    await index.close();
    index = await TraceIndex.open({ dir: path.join(dir, 'index') });
    const after = [index.traceBack({ lot: P1 }, 'x'), index.traceForward({ lot: F1 }, 'y'), index.lot(P1), await index.history(P1)];
    expect(JSON.stringify(after)).to.equal(JSON.stringify(before));
    expect(index.checkpoint).to.deep.equal({ blockNumber: EVENTS.length - 1, txIndex: 0 });
  });

  it('positions projected facts in place, or on a copy when the projection froze them: the same answers either way', async () => {
    const answers = async (ix: TraceIndex): Promise<string> =>
      JSON.stringify([ix.traceBack({ lot: P1 }, 'x'), ix.traceForward({ lot: F1 }, 'y'), ix.lot(P1), await ix.history(P1), ix.recall('R1')]);
    const expected = await answers(index);
    const ledgerEvents: LedgerEvent[] = EVENTS.map((_, i) => ({
      blockNumber: i, txIndex: 0, txId: `tx${i}`, eventName: 'Test', payload: Buffer.from(String(i)), timestamp: `2026-05-${String(1 + i).padStart(2, '0')}T00:00:00.000Z`,
    }));
    const handed: Fact[] = [];
    const fresh = (e: LedgerEvent): Fact[] => (EVENTS[Number(String(e.payload))] ?? []).map((f) => structuredClone(f));
    const frozen = (e: LedgerEvent): Fact[] => fresh(e).map((f) => Object.freeze(f));
    for (const [name, project] of [['fresh', (e: LedgerEvent) => { const facts = fresh(e); handed.push(...facts); return facts; }], ['frozen', frozen]] as const) {
      const other = await TraceIndex.open({ dir: path.join(dir, name), project });
      try {
        await other.applyEvents(ledgerEvents);
        expect(await answers(other), name).to.equal(expected);
      } finally {
        await other.close();
      }
    }
    expect(handed[0]).to.include({ txId: 'tx0', seq: '0000000000.000000.0000' }); // positioned in place
    expect(Object.isFrozen(frozen(ledgerEvents[3] as LedgerEvent)[0])).to.equal(true);
  });

  it('exports a sortable, formula-safe CSV with one row per critical tracking event', () => {
    const csv = traceCsv(index.traceForward({ lot: F2 }, 'F2'));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).to.equal(CSV_COLUMNS.join(','));
    expect(lines.some((l) => l.startsWith('commissioning,"\'=HYPERLINK(""x"")"'))).to.equal(true);
    expect(lines.filter((l) => l.startsWith('shipping,'))).to.have.length(4);
    expect(lines.filter((l) => l.startsWith('sale,'))).to.have.length(1);
    const dates = lines.slice(1).map((l) => l.split(',')[8] ?? '');
    expect(dates.length).to.be.greaterThan(5);
  });

  it('exports DOT with escaped labels', () => {
    const dot = traceDot(index.traceBack({ lot: P1 }, 'P1'));
    expect(dot.startsWith('digraph trace_back {')).to.equal(true);
    expect(dot).to.include('Farm A, \\"north\\"');
    expect(dot).to.include('color="red"');
  });
});
