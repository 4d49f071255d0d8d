/**
 * A synthetic supply chain with a realistic shape, for the trace benchmark: many farms
 * harvesting small lots, fewer processors mixing a dozen or more of them into each product
 * lot, some product lots blended again, distributors fanning each lot out to thousands of
 * shops, and shops selling it. Seeded, so every run builds the same chain.
 *
 * It yields facts as the trace index takes them, one ledger event at a time, so the same
 * stream can be loaded into the index and into SQLite.
 */
import { gs1CheckDigit } from '../chaincode/gs1';
import type { Fact, LotRef } from '../gateway-api/trace-model';

/** One synthetic ledger event: its facts. */
export interface ChainEvent {
  readonly facts: readonly Fact[];
}

/** The chain's size and the start points the benchmark samples. */
export interface ChainShape {
  readonly farms: number;
  readonly processors: number;
  readonly distributors: number;
  readonly shops: number;
  readonly farmLots: LotRef[];
  /** Shop-held items: a lot sold at a shop, with a serial. */
  readonly shopItems: { gtin: string; lot: string; serial: string }[];
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gtin(n: number): string {
  const body = `0695${String(n).padStart(9, '0')}`;
  return body + String(gs1CheckDigit(body));
}

/** Builds a chain of about `events` events; calls `emit` for each, returns the shape. */
export function buildChain(events: number, emit: (e: ChainEvent) => void, seed = 42): ChainShape {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const scale = Math.max(events / 1_000_000, 0.001);
  const farms = Math.max(50, Math.round(5000 * scale));
  const processors = Math.max(4, Math.round(40 * Math.sqrt(scale)));
  const distributors = Math.max(10, Math.round(200 * scale));
  const shops = Math.max(100, Math.round(5000 * scale));
  const rawProducts = Array.from({ length: 20 }, (_, i) => gtin(1000 + i));
  const madeProducts = Array.from({ length: 10 }, (_, i) => gtin(2000 + i));
  const blendProducts = Array.from({ length: 3 }, (_, i) => gtin(3000 + i));
  const shape: ChainShape = { farms, processors, distributors, shops, farmLots: [], shopItems: [] };
  const recent: { ref: LotRef; farm: string }[] = [];
  const recentMade: { ref: LotRef; by: string }[] = [];
  let count = 0;
  let testNo = 0;
  let shipNo = 0;
  const out = (...facts: Fact[]): void => {
    emit({ facts });
    count += 1;
  };

  out(...participants(farms, processors, distributors, shops));
  out(...[...rawProducts, ...madeProducts, ...blendProducts].map((g, i) => ({ type: 'product' as const, gtin: g, name: `product ${i}`, unit: 'KGM' })));

  const ship = (ref: LotRef, from: string, to: string, quantity: number): void => {
    const shipmentId = `SH${shipNo++}`;
    out({ type: 'hop', kind: 'ship', lotRef: ref, from, to, quantity, unit: 'KGM', shipmentId });
    out({ type: 'hop', kind: 'receive', lotRef: ref, from, to, quantity, unit: 'KGM', shipmentId });
  };
  const test = (ref: LotRef, verdict = 'pass'): void => {
    out({ type: 'test', lotRef: ref, testId: `T${testNo++}`, lab: `lab-${testNo % 5}`, verdict });
  };
  const distribute = (ref: LotRef, by: string, quantity: number): void => {
    const nd = int(5, 15);
    for (let d = 0; d < nd && count < events; d++) {
      const dist = `dist-${int(0, distributors - 1)}`;
      const dq = quantity / nd;
      ship(ref, by, dist, dq);
      const ns = int(5, 15);
      for (let s = 0; s < ns && count < events; s++) {
        const shop = `shop-${int(0, shops - 1)}`;
        ship(ref, dist, shop, dq / ns);
        const sales = int(1, 4);
        for (let k = 0; k < sales && count < events; k++) {
          out({ type: 'hop', kind: 'sale', lotRef: ref, from: shop, to: '', quantity: 1, unit: 'KGM' });
        }
        if (shape.shopItems.length < 100_000 && rnd() < 0.5) shape.shopItems.push({ ...ref, serial: String(int(1, 99999)) });
      }
    }
  };

  for (let batch = 0; count < events; batch++) {
    const processor = `proc-${int(0, processors - 1)}`;
    const inputs: LotRef[] = [];
    const k = int(8, 24);
    for (let i = 0; i < k; i++) {
      const reuse = recent.length > 50 && rnd() < 0.3;
      if (reuse) {
        const r = recent[int(recent.length - 50, recent.length - 1)] as { ref: LotRef; farm: string };
        ship(r.ref, r.farm, processor, 100);
        inputs.push(r.ref);
        continue;
      }
      const farm = `farm-${int(0, farms - 1)}`;
      const ref = { gtin: rawProducts[int(0, rawProducts.length - 1)] as string, lot: `F${shape.farmLots.length}` };
      out({ type: 'lot', kind: 'commissioning', ...ref, producer: farm, quantity: 1000, unit: 'KGM', location: farm, productionDate: '2026-05-01' });
      test(ref);
      ship(ref, farm, processor, 500);
      shape.farmLots.push(ref);
      recent.push({ ref, farm });
      if (recent.length > 200) recent.shift();
      inputs.push(ref);
    }
    const made = { gtin: madeProducts[batch % madeProducts.length] as string, lot: `P${batch}` };
    out({ type: 'lot', kind: 'transformation', ...made, producer: processor, quantity: 4000, unit: 'KGM', location: processor, productionDate: '2026-05-10' });
    for (const input of new Set(inputs)) out({ type: 'input', from: input, to: made, quantity: 300, unit: 'KGM' });
    test(made);
    recentMade.push({ ref: made, by: processor });
    distribute(made, processor, 3000);
    if (batch % 5 === 4 && recentMade.length >= 4) {
      const blend = { gtin: blendProducts[batch % blendProducts.length] as string, lot: `B${batch}` };
      const by = `proc-${int(0, processors - 1)}`;
      out({ type: 'lot', kind: 'transformation', ...blend, producer: by, quantity: 2000, unit: 'KGM', location: by, productionDate: '2026-05-12' });
      for (const m of recentMade.slice(-4)) out({ type: 'input', from: m.ref, to: blend, quantity: 250, unit: 'KGM' });
      test(blend);
      distribute(blend, by, 2000);
    }
  }
  return shape;
}

function participants(farms: number, processors: number, distributors: number, shops: number): Fact[] {
  const out: Fact[] = [];
  const add = (prefix: string, role: string, n: number): void => {
    for (let i = 0; i < n; i++) out.push({ type: 'participant', id: `${prefix}-${i}`, name: `${prefix} ${i}`, role });
  };
  add('farm', 'producer', farms);
  add('proc', 'processor', processors);
  add('dist', 'distributor', distributors);
  add('shop', 'retailer', shops);
  return out;
}
