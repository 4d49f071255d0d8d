/**
 * The hand-worked supply chain of the trace and recall tests (quantities in KGM unless EA):
 *
 *   farm-a: W1 wheat 1000, W2 wheat 1000 (both tested)      farm-b: S1 sugar 500
 *   W1 800 → mill, W2 500 → mill
 *   mill:   F1 flour 450 ← W1 400 + W2 200      F2 flour 300 ← W1 400
 *   mill:   F1 450 → bakery, F2 300 → bakery;   farm-b: S1 100 → bakery
 *   bakery: BR1 bread 400 EA ← F1 200 + S1 50    BR2 bread 500 EA ← F1 250 + F2 100
 *   bakery: BR1 300 → dist → shop (200)
 *
 * Trace back from BR1: BR1 ; F1, S1 ; W1, W2.  Trace forward from W1: W1 ; F1, F2 ; BR1, BR2.
 */
import { actor, gln, gtin, type World } from './support';
import { testInput } from './scenario';

export const WHEAT = gtin(21);
export const FLOUR = gtin(22);
export const SUGAR = gtin(23);
export const BREAD = gtin(24);
export const ref = (g: string, lot: string) => ({ gtin: g, lot });

async function ship(w: World, id: string, from: string, to: string, lines: { gtin: string; lot: string; quantity: number }[]): Promise<void> {
  await w.submit('Ship', { shipmentId: id, to, lines, origin: { gln: actor(w, from).gln }, destination: { gln: actor(w, to).gln } }, actor(w, from));
  await w.submit('Receive', { shipmentId: id, location: { gln: actor(w, to).gln } }, actor(w, to));
}

async function transform(w: World, who: string, id: string, inputs: { gtin: string; lot: string; quantity: number }[], output: { gtin: string; lot: string; quantity: number }): Promise<void> {
  await w.submit('TransformLots', { transformationId: id, inputs, output: { ...output, productionDate: '2026-02-26' }, location: { gln: actor(w, who).gln } }, actor(w, who));
}

/** Builds the chain above on a registered world. */
export async function buildChain(w: World): Promise<void> {
  await w.submit('RegisterProduct', { gtin: WHEAT, name: 'wheat', category: 'grain', unit: 'KGM', requiresTest: true }, actor(w, 'farm-a'));
  await w.submit('RegisterProduct', { gtin: SUGAR, name: 'sugar', category: 'sugar', unit: 'KGM', requiresTest: false }, actor(w, 'farm-b'));
  await w.submit('RegisterProduct', { gtin: FLOUR, name: 'flour', category: 'flour', unit: 'KGM', requiresTest: false, yield: { min: 0.7, max: 0.8 } }, actor(w, 'mill'));
  await w.submit('RegisterProduct', { gtin: BREAD, name: 'bread', category: 'bakery', unit: 'EA', requiresTest: false }, actor(w, 'bakery'));
  for (const lot of ['W1', 'W2']) {
    await w.submit('CreateLot', { gtin: WHEAT, lot, quantity: 1000, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(100), country: 'CN', region: 'Zhejiang' } }, actor(w, 'farm-a'));
    await w.submit('RecordTest', testInput(`T-${lot}`, ref(WHEAT, lot)), actor(w, 'lab'));
  }
  await w.submit('CreateLot', { gtin: SUGAR, lot: 'S1', quantity: 500, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(101) } }, actor(w, 'farm-b'));
  await ship(w, 'SH-1', 'farm-a', 'mill', [{ ...ref(WHEAT, 'W1'), quantity: 800 }, { ...ref(WHEAT, 'W2'), quantity: 500 }]);
  await transform(w, 'mill', 'MILL-1', [{ ...ref(WHEAT, 'W1'), quantity: 400 }, { ...ref(WHEAT, 'W2'), quantity: 200 }], { ...ref(FLOUR, 'F1'), quantity: 450 });
  await transform(w, 'mill', 'MILL-2', [{ ...ref(WHEAT, 'W1'), quantity: 400 }], { ...ref(FLOUR, 'F2'), quantity: 300 });
  await ship(w, 'SH-2', 'mill', 'bakery', [{ ...ref(FLOUR, 'F1'), quantity: 450 }, { ...ref(FLOUR, 'F2'), quantity: 300 }]);
  await ship(w, 'SH-3', 'farm-b', 'bakery', [{ ...ref(SUGAR, 'S1'), quantity: 100 }]);
  await transform(w, 'bakery', 'BAKE-1', [{ ...ref(FLOUR, 'F1'), quantity: 200 }, { ...ref(SUGAR, 'S1'), quantity: 50 }], { ...ref(BREAD, 'BR1'), quantity: 400 });
  await transform(w, 'bakery', 'BAKE-2', [{ ...ref(FLOUR, 'F1'), quantity: 250 }, { ...ref(FLOUR, 'F2'), quantity: 100 }], { ...ref(BREAD, 'BR2'), quantity: 500 });
  await ship(w, 'SH-4', 'bakery', 'dist', [{ ...ref(BREAD, 'BR1'), quantity: 300 }]);
  await ship(w, 'SH-5', 'dist', 'shop', [{ ...ref(BREAD, 'BR1'), quantity: 200 }]);
}
