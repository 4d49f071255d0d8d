/**
 * The trace index's durable copy in its own level database, laid out as a graph so that
 * each question is a range scan over one prefix:
 *
 *   L|lot            the lot (its creating fact)          X|lot|seq   its status changes
 *   L|lot|seq        a captured claim to have made it
 *   I|lot|seq        an input edge into the lot           O|lot|seq   the same edge, from the input's side
 *   H|lot|seq        a custody hop (ship, receive, sale,  T|lot|seq   a test
 *                    disposal)
 *   S|lot|seq        another scan                         N|gtin|seq  item serials commissioned
 *   A|sscc|seq       packing/unpacking of a logistic unit R|recall|seq a recall, then its progress
 *   U|sscc|seq       a custody step of a logistic unit as a whole (loaded after A|: the graph
 *                    gives one hop to each lot the unit carried, so it needs the packings first)
 *   P|id|seq         a participant                        G|gtin      a product
 *   V|id|seq         a regulator's inspection of a participant's site
 *   W|seq            a warning                            M|checkpoint the last applied ledger position
 *   C|code           anonymous (consumer) scans of a code: counted here, never on the ledger
 *   D|code           where and when an item's code was last scanned anonymously (recent points)
 *   E|code           a possible cloned code: the impossible journey that flagged it
 *   Ed|code          anonymous scans of an item its holder had recorded destroyed (when, how
 *                    many, the last place): where a diverted package surfaces
 *   Z|seq            an error declaration's retraction of a captured event's facts (loaded last;
 *                    {@link TraceStore.walk}, the disk-only check, reads them first and skips
 *                    what they withdrew)
 *
 * C, D and E are the index's own observations, not projections of the ledger: a rebuild keeps them.
 *
 * Every value is the positioned fact itself, so loading replays facts into the in-memory graph;
 * a custody hop (H|), one per captured shipping or receiving event and the most numerous fact,
 * is kept compact: its key already holds its lot and position, so its value is a list of the
 * rest ({@link hopValue}); hops stored before (the whole fact) are read as they are.
 * Free text in keys is URI-encoded, so `|` only ever separates; `seq` is fixed-width and sorts
 * in ledger order. A batch of facts and the checkpoint after them are written atomically.
 */
import { Level } from 'level';
import type { Checkpoint } from '../ledger-tools/ledger';
import { type Fact, type FactPosition, type PositionedFact, type LotRef } from './trace-model';
import type { TraceGraphStore } from './trace-graph';

type Db = Level<string, unknown>;
type Op = { type: 'put'; key: string; value: unknown };

const enc = encodeURIComponent;
const lk = (r: LotRef): string => `${r.gtin}|${enc(r.lot)}`;
const END = '~';
type HopFact = Extract<PositionedFact, { type: 'hop' }>;
type InputFact = Extract<PositionedFact, { type: 'input' }>;
type AggregationFact = Extract<Fact, { type: 'aggregation' }>;
type RetractionFact = Extract<Fact, { type: 'retraction' }>;
type PositionedUnitHop = Extract<PositionedFact, { type: 'unitHop' }>;

/** One packing or unpacking of a unit as the disk walk needs it: when, and which members (lot keys, units; `*` for all). */
interface Packed {
  readonly seq: string;
  readonly action: 'add' | 'delete';
  readonly members: readonly string[];
}

/** One custody step of a unit, as each lot it carried sees it. */
interface UnitStep {
  readonly kind: string;
  /** The transaction, kind and shipment: a lot gets one hop per step however many units carried it. */
  readonly step: string;
}

/** The signatures a retraction matches stored facts by: the capturing transaction and the fact's content. */
const hopSig = (f: { lotRef: LotRef; txId: string; kind: string; shipmentId?: string; quantity: number }): string =>
  `H|${lk(f.lotRef)}|${f.txId}|${f.kind}|${f.shipmentId ?? ''}|${f.quantity}`;
const edgeSig = (f: { from: LotRef; to: LotRef; txId: string; quantity: number }): string => `I|${lk(f.from)}>${lk(f.to)}|${f.txId}|${f.quantity}`;
const unitHopSig = (f: { sscc: string; txId: string; kind: string; shipmentId?: string; to: string }): string => `U|${f.sscc}|${f.txId}|${f.kind}|${f.shipmentId ?? ''}|${f.to}`;

/** The distinct members of a packing: lots by key (`gtin|lot`), then child units (SSCCs, no `|`); `*` for an unpacking of everything. */
function members(f: AggregationFact): string[] {
  const all = [...new Set(f.lots.map(lk)), ...new Set(f.children)];
  return all.length === 0 && f.action === 'delete' ? ['*'] : all;
}

/** The signature a retraction matches one member of a packing or unpacking by. */
const packingSig = (f: AggregationFact, member: string, txId: string): string => `A|${f.action}|${f.sscc}>${member}|${txId}`;
const stepOf = (f: { txId: string; kind: string; shipmentId?: string }): string => `${f.txId}|${f.kind}|${f.shipmentId ?? ''}`;

/**
 * The facts error declarations withdrew, as a multiset of signatures: each stored fact that
 * matches one is skipped once, as the graph withdraws each retracted fact once.
 */
class Withdrawn {
  private readonly counts = new Map<string, number>();
  /** `from>to` lot pairs with a withdrawn edge (a forward walk reads those edges' transactions). */
  readonly pairs = new Set<string>();

  add(sig: string): void {
    this.counts.set(sig, (this.counts.get(sig) ?? 0) + 1);
  }

  addEdge(from: LotRef, to: LotRef, sig: string): void {
    this.pairs.add(`${lk(from)}>${lk(to)}`);
    this.add(sig);
  }

  /** True (and one fewer left) when a stored fact with this signature was withdrawn. */
  take(sig: string): boolean {
    const n = this.counts.get(sig) ?? 0;
    if (n === 0) return false;
    if (n === 1) this.counts.delete(sig);
    else this.counts.set(sig, n - 1);
    return true;
  }
}

/** The store's layout: 2 keeps each captured claim to have made a lot under its own position (`L|lot|seq`). */
export const TRACE_LAYOUT = 2;

/** Values read per call while loading: fewer promises than one per value. */
const LOAD_BATCH = 4096;

/**
 * Prefixes loaded into memory, in an order where each depends only on the ones before (item
 * serials first: a captured item resolves to the lot the ledger commissioned it under).
 */
const LOAD_ORDER = ['P|', 'G|', 'R|', 'N|', 'L|', 'I|', 'H|', 'T|', 'A|', 'U|', 'X|', 'W|', 'S|', 'V|', 'Z|'] as const;

/**
 * A hop's stored value: what its key (`H|gtin|lot|seq`) does not hold, as a list — kind, from,
 * to, quantity, unit, txId, timestamp, then the shipment, location, a return's purpose and a
 * disposal's items when there are any (null holding the place of one absent before another).
 * About half the bytes of the whole fact (the trace index's largest share of its writes).
 */
export function hopValue(f: HopFact): unknown[] {
  const v: unknown[] = [f.kind, f.from, f.to, f.quantity, f.unit, f.txId, f.timestamp];
  const tail = [f.shipmentId, f.location, f.purpose, f.serials];
  let last = tail.length - 1;
  while (last >= 0 && tail[last] === undefined) last--;
  for (let i = 0; i <= last; i++) v.push(tail[i] ?? null);
  return v;
}

/**
 * The hop a stored `H|` entry records: a compact value ({@link hopValue}) joined with its key,
 * or a whole fact as stored before. The key is read from its end: the lot is URI-encoded and the
 * position fixed-width, neither holding `|`.
 */
export function hopFromEntry(key: string, value: unknown): HopFact {
  if (!Array.isArray(value)) return value as HopFact;
  const last = key.lastIndexOf('|');
  const before = key.lastIndexOf('|', last - 1);
  const [kind, from, to, quantity, unit, txId, timestamp, shipmentId, location, purpose, serials] = value as [HopFact['kind'], string, string, number, string, string, string, string | null | undefined, string | null | undefined, string | null | undefined, string[] | null | undefined];
  return {
    type: 'hop',
    kind,
    lotRef: { gtin: key.slice(2, before), lot: decodeURIComponent(key.slice(before + 1, last)) },
    from,
    to,
    quantity,
    unit,
    ...(typeof shipmentId === 'string' ? { shipmentId } : {}),
    ...(typeof location === 'string' ? { location } : {}),
    ...(purpose === 'return' ? { purpose } : {}),
    ...(Array.isArray(serials) ? { serials } : {}),
    txId,
    timestamp,
    seq: key.slice(last + 1),
  };
}

/** The level keys (and values) that record one fact. */
export function factOps(f: PositionedFact): Op[] {
  const put = (key: string, value: unknown = f): Op => ({ type: 'put', key, value });
  switch (f.type) {
    case 'participant':
      return [put(`P|${enc(f.id)}|${f.seq}`)];
    case 'product':
      return [put(`G|${f.gtin}`)];
    case 'lot':
      // the ledger's record once per lot; captured claims each under its position, so that a
      // load replays them in ledger order after it (the first claim stands, as in the graph)
      return [put(f.captured ? `L|${lk(f)}|${f.seq}` : `L|${lk(f)}`)];
    case 'input':
      return [put(`I|${lk(f.to)}|${f.seq}`), put(`O|${lk(f.from)}|${f.seq}`, { to: f.to, seq: f.seq })];
    case 'hop':
      return [put(`H|${lk(f.lotRef)}|${f.seq}`, hopValue(f))];
    case 'test':
      return [put(`T|${lk(f.lotRef)}|${f.seq}`)];
    case 'items':
      return [put(`N|${f.lotRef.gtin}|${f.seq}`)];
    case 'aggregation':
      return [put(`A|${f.sscc}|${f.seq}`)];
    case 'unitHop':
      return [put(`U|${f.sscc}|${f.seq}`)];
    case 'status':
      return [put(`X|${lk(f.lotRef)}|${f.seq}`)];
    case 'recall':
      return [put(`R|${enc(f.recallId)}|${f.seq}`)];
    case 'warning':
      return [put(`W|${f.seq}`)];
    case 'scan':
      return [put(`S|${lk(f.lotRef)}|${f.seq}`)];
    case 'retraction':
      return [put(`Z|${f.seq}`)];
    case 'inspection':
      return [put(`V|${enc(f.participant)}|${f.seq}`)];
  }
}

/** The level database of the index. */
export class TraceStore {
  private constructor(private readonly db: Db) {}

  /** Opens (creating if needed) the database in `dir`. */
  static async open(dir: string): Promise<TraceStore> {
    const db: Db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    await db.open();
    return new TraceStore(db);
  }

  /**
   * Writes facts and the checkpoint after them in one atomic batch. A chained batch: level's
   * array form copies and checks every operation once more before handing it over, which cost
   * the capture path about a third of each hop's write (bench/epcis.bench.ts, one hop an event).
   */
  async write(facts: readonly PositionedFact[], checkpoint: Checkpoint | undefined): Promise<void> {
    if (facts.length === 0 && !checkpoint) return;
    const batch = this.db.batch();
    for (const f of facts) for (const op of factOps(f)) batch.put(op.key, op.value);
    if (checkpoint) batch.put('M|checkpoint', checkpoint);
    await batch.write();
  }

  /** The last ledger position applied, if any. */
  async checkpoint(): Promise<Checkpoint | undefined> {
    return (await this.db.get('M|checkpoint')) as Checkpoint | undefined;
  }

  /**
   * Whether a store with applied facts was written by code of an earlier layout: it says no
   * layout, or an older one (before layout 2 every captured claim to have made a lot overwrote
   * the last under `L|lot`, so the trace showed the last claimant, not the first). Such a store
   * must be rebuilt from the ledger.
   */
  async isOlderLayout(): Promise<boolean> {
    const layout = await this.db.get('M|layout');
    return typeof layout !== 'number' || layout < TRACE_LAYOUT;
  }

  /** Records that the store is of this code's layout (when it is new, or once rebuilt). */
  async markLayout(): Promise<void> {
    await this.db.put('M|layout', TRACE_LAYOUT);
  }

  /** A small value of the index's own (API keys and the like do not live here). */
  async getMeta(name: string): Promise<unknown> {
    return this.db.get(`M|${name}`);
  }

  /**
   * Replays every stored fact into an in-memory graph, asking `room` before each batch of them:
   * when it says no, the load ends there, incomplete (the graph then answers nothing right).
   */
  async load(graph: TraceGraphStore, room: () => boolean = () => true): Promise<{ facts: number; complete: boolean }> {
    let n = 0;
    for (const prefix of LOAD_ORDER) {
      const range = { gte: prefix, lt: prefix + END };
      const hops = prefix === 'H|'; // a hop needs its key: its lot and position are there
      const it: { nextv(size: number): Promise<unknown[]>; close(): Promise<void> } = hops ? this.db.iterator(range) : this.db.values(range);
      try {
        for (let batch = await it.nextv(LOAD_BATCH); batch.length > 0; batch = await it.nextv(LOAD_BATCH)) {
          if (!room()) return { facts: n, complete: false };
          for (const item of batch) graph.apply(hops ? hopFromEntry(...(item as [string, unknown])) : (item as PositionedFact));
          n += batch.length;
        }
      } finally {
        await it.close();
      }
    }
    graph.sortAll();
    return { facts: n, complete: true };
  }

  /**
   * A trace answered from disk alone, by range scans over the graph layout (no memory graph):
   * the check that the layout is complete, and the baseline that shows what the in-memory
   * graph buys. Returns the counts of lots, lineage edges and custody hops reached, as the
   * graph counts them: error declarations' retractions (Z|) are read first and the hops and
   * edges they withdrew are skipped, and unit hops (U|) count one hop for each lot the unit
   * carried at the time, resolved from the packings (A|) — both read once per walk, and both
   * empty (two empty range scans) in a ledger without captured declarations or unit shipments.
   * Unlike the graph, it does not join a captured item to the lot the ledger commissioned it
   * under (that needs the serial ranges in memory): an item stands for its own lot here.
   */
  async walk(direction: 'back' | 'forward', start: LotRef, maxLots = 100_000): Promise<{ lots: number; edges: number; hops: number }> {
    const withdrawn = await this.withdrawn();
    const unitHops = await this.unitHopsByLot(withdrawn);
    const counted = (kind: string): boolean => direction === 'forward' || (kind !== 'sale' && kind !== 'dispose'); // as the graph's traces count them
    const seen = new Set<string>([lk(start)]);
    let frontier: LotRef[] = [start];
    let edges = 0;
    let hops = 0;
    while (frontier.length > 0 && seen.size < maxLots) {
      const next: LotRef[] = [];
      for (const ref of frontier) {
        await Promise.all([this.db.get(`L|${lk(ref)}`), this.scan(`T|${lk(ref)}|`)]); // what an answer shows of each lot
        const steps = new Set<string>();
        for (const h of await this.hops(ref)) {
          if (withdrawn.take(hopSig(h))) continue;
          steps.add(stepOf(h));
          if (counted(h.kind)) hops += 1;
        }
        for (const u of unitHops.get(lk(ref)) ?? []) {
          if (steps.has(u.step)) continue; // the event named the lot itself, or another unit carrying it: one hop, as in the graph
          steps.add(u.step);
          if (counted(u.kind)) hops += 1;
        }
        for (const m of await this.links(direction, ref, withdrawn)) {
          edges += 1;
          if (seen.has(lk(m))) continue;
          seen.add(lk(m));
          next.push(m);
        }
      }
      frontier = next;
    }
    return { lots: seen.size, edges, hops };
  }

  /** The lots a lot's lineage edges lead to (inputs going back, outputs going forward), withdrawn edges left out. */
  private async links(direction: 'back' | 'forward', ref: LotRef, withdrawn: Withdrawn): Promise<LotRef[]> {
    const out: LotRef[] = [];
    if (direction === 'back') {
      for (const e of (await this.scan(`I|${lk(ref)}|`)) as InputFact[]) if (!withdrawn.take(edgeSig(e))) out.push(e.from);
      return out;
    }
    for (const o of (await this.scan(`O|${lk(ref)}|`)) as { to: LotRef; seq: string }[]) {
      // the O| side holds no transaction: read the edge itself only when one between these lots was withdrawn
      const e = withdrawn.pairs.has(`${lk(ref)}>${lk(o.to)}`) ? ((await this.db.get(`I|${lk(o.to)}|${o.seq}`)) as InputFact | undefined) : undefined;
      if (!e || !withdrawn.take(edgeSig(e))) out.push(o.to);
    }
    return out;
  }

  /** What the stored error declarations withdrew, as signatures of the stored facts. */
  private async withdrawn(): Promise<Withdrawn> {
    const w = new Withdrawn();
    for (const r of (await this.scan('Z|')) as RetractionFact[]) {
      const txId = r.capturedTxId;
      for (const f of r.facts) {
        if (f.type === 'hop') w.add(hopSig({ ...f, txId }));
        else if (f.type === 'input') w.addEdge(f.from, f.to, edgeSig({ ...f, txId }));
        else if (f.type === 'unitHop') w.add(unitHopSig({ ...f, txId }));
        else if (f.type === 'aggregation') for (const member of members(f)) w.add(packingSig(f, member, txId));
      }
    }
    return w;
  }

  /** The unit steps each lot (by key) took part in, in ledger order, from every stored unit hop not withdrawn. */
  private async unitHopsByLot(withdrawn: Withdrawn): Promise<Map<string, UnitStep[]>> {
    const out = new Map<string, UnitStep[]>();
    const packings = new Map<string, Packed[]>();
    const unitHops = ((await this.scan('U|')) as PositionedUnitHop[]).sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    for (const u of unitHops) {
      if (withdrawn.take(unitHopSig(u))) continue;
      for (const key of await this.unitContents(u.sscc, u.seq, packings, withdrawn)) {
        const steps = out.get(key);
        const step = { kind: u.kind, step: stepOf(u) };
        if (steps) steps.push(step);
        else out.set(key, [step]);
      }
    }
    return out;
  }

  /** The lots (by key) a unit carried just before `seq`, through nested units, as the graph's contents. */
  private async unitContents(sscc: string, seq: string, packings: Map<string, Packed[]>, withdrawn: Withdrawn): Promise<Set<string>> {
    const lots = new Set<string>();
    const seen = new Set<string>();
    const stack = [sscc];
    for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
      if (seen.has(s)) continue;
      seen.add(s);
      const inside = new Set<string>();
      for (const p of await this.packed(s, packings, withdrawn)) {
        if (p.seq >= seq) break;
        if (p.action === 'add') for (const m of p.members) inside.add(m);
        else if (p.members.includes('*')) inside.clear();
        else for (const m of p.members) inside.delete(m);
      }
      for (const m of inside) {
        if (m.includes('|')) lots.add(m);
        else stack.push(m);
      }
    }
    return lots;
  }

  /** The packings and unpackings of a unit (A|) in ledger order, each member a retraction withdrew left out; read once per walk. */
  private async packed(sscc: string, cache: Map<string, Packed[]>, withdrawn: Withdrawn): Promise<Packed[]> {
    const known = cache.get(sscc);
    if (known) return known;
    const list: Packed[] = [];
    for (const f of (await this.scan(`A|${sscc}|`)) as (AggregationFact & FactPosition)[]) {
      list.push({ seq: f.seq, action: f.action, members: members(f).filter((m) => !withdrawn.take(packingSig(f, m, f.txId))) });
    }
    cache.set(sscc, list);
    return list;
  }

  /** A lot's custody hops, read from disk in ledger order. */
  private async hops(ref: LotRef): Promise<HopFact[]> {
    const prefix = `H|${lk(ref)}|`;
    return (await this.db.iterator({ gte: prefix, lt: prefix + END }).all()).map(([key, value]) => hopFromEntry(key, value));
  }

  private async scan(prefix: string): Promise<unknown[]> {
    return this.db.values({ gte: prefix, lt: prefix + END }).all();
  }

  /** The input lots of a lot, read from disk (one range scan). */
  async inputsOf(ref: LotRef): Promise<PositionedFact[]> {
    const out: PositionedFact[] = [];
    const prefix = `I|${lk(ref)}|`;
    for await (const v of this.db.values({ gte: prefix, lt: prefix + END })) out.push(v as PositionedFact);
    return out;
  }

  /** The scans of a lot that are not custody changes, read from disk. */
  async scansOf(ref: LotRef, limit: number): Promise<PositionedFact[]> {
    const out: PositionedFact[] = [];
    const prefix = `S|${lk(ref)}|`;
    for await (const v of this.db.values({ gte: prefix, lt: prefix + END, limit })) out.push(v as PositionedFact);
    return out;
  }

  /** The item-commissioning facts of a product (`N|gtin|…`), in ledger order. */
  async itemFacts(gtin: string): Promise<PositionedFact[]> {
    return (await this.scan(`N|${gtin}|`)) as PositionedFact[];
  }

  /** Records the anonymous scan count of a code (`C|code`, outside the facts). */
  async putPublicScans(code: string, n: number): Promise<void> {
    await this.db.put(`C|${enc(code)}`, n);
  }

  /** Every anonymous scan count. */
  async publicScans(): Promise<[string, number][]> {
    const out: [string, number][] = [];
    for await (const [k, v] of this.db.iterator({ gte: 'C|', lt: 'C|' + END })) out.push([decodeURIComponent(k.slice(2)), v as number]);
    return out;
  }

  /** Records an item code's recent located anonymous scans (`D|code`). */
  async putScanPoints(code: string, points: readonly unknown[]): Promise<void> {
    await this.db.put(`D|${enc(code)}`, points);
  }

  /** Records a possible cloned code (`E|code`). */
  async putCloneFlag(code: string, flag: unknown): Promise<void> {
    await this.db.put(`E|${enc(code)}`, flag);
  }

  /** Records the anonymous scans of a destroyed item (`Ed|code`). */
  async putDestroyedSeen(code: string, seen: unknown): Promise<void> {
    await this.db.put(`Ed|${enc(code)}`, seen);
  }

  /** Every value under one of the public prefixes (`D|` points, `E|` clone flags, `Ed|` destroyed items seen), by code. */
  async publicEntries(prefix: 'D|' | 'E|' | 'Ed|'): Promise<[string, unknown][]> {
    const out: [string, unknown][] = [];
    for await (const [k, v] of this.db.iterator({ gte: prefix, lt: prefix + END })) out.push([decodeURIComponent(k.slice(prefix.length)), v]);
    return out;
  }

  /**
   * Deletes every projection of the ledger (before a rebuild), keeping the index's own
   * observations (C|, D|, E|, Ed|: anonymous scans), which the ledger cannot give back.
   */
  async clear(): Promise<void> {
    await this.db.clear({ lt: 'C|' });
    await this.db.clear({ gte: 'F' });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
