/**
 * A small supply chain most refusal tests start from: wheat (test required) from farm-a,
 * tested and partly shipped to the mill, eggs (items) from farm-b, flour milled from wheat.
 */
import { actor, gln, gtin, type World } from './support';

export const WHEAT = gtin(11);
export const FLOUR = gtin(12);
export const EGGS = gtin(13);
export const SHA = 'b'.repeat(64);

/** A passing or failing test input. */
export function testInput(testId: string, lot: { gtin: string; lot: string }, verdict: 'pass' | 'fail' = 'pass'): Record<string, unknown> {
  return {
    testId, ...lot, method: 'GB 2762-2022', sampledAt: '2026-02-21T09:00:00Z',
    analytes: [{ name: 'cadmium', value: verdict === 'pass' ? 0.01 : 0.5, unit: 'mg/kg', limit: 0.1 }],
    verdict, report: { sha256: SHA, uri: `https://lab.example/${testId}.pdf` },
  };
}

/** Registers products and lots: W1 (1000 KGM at farm-a, tested), W2 (untested), E1 (eggs, 20 items). */
export async function seed(w: World): Promise<void> {
  await w.submit('RegisterProduct', { gtin: WHEAT, name: 'wheat', category: 'grain', unit: 'KGM', requiresTest: true }, actor(w, 'farm-a'));
  await w.submit('RegisterProduct', { gtin: FLOUR, name: 'flour', category: 'flour', unit: 'KGM', requiresTest: false, yield: { min: 0.7, max: 0.8 } }, actor(w, 'mill'));
  await w.submit('RegisterProduct', { gtin: EGGS, name: 'eggs', category: 'eggs', unit: 'EA', requiresTest: false }, actor(w, 'farm-b'));
  for (const lot of ['W1', 'W2']) {
    await w.submit('CreateLot', { gtin: WHEAT, lot, quantity: 1000, unit: 'KGM', productionDate: '2026-02-20', expiryDate: '2027-02-20', origin: { gln: gln(90), country: 'CN' } }, actor(w, 'farm-a'));
  }
  await w.submit('RecordTest', testInput('T-W1', { gtin: WHEAT, lot: 'W1' }), actor(w, 'lab'));
  await w.submit('CreateLot', { gtin: EGGS, lot: 'E1', quantity: 20, unit: 'EA', productionDate: '2026-02-20', origin: { gln: gln(91) } }, actor(w, 'farm-b'));
  await w.submit('CommissionItems', { gtin: EGGS, lot: 'E1', ranges: [{ prefix: 'E', from: 1, to: 20, width: 4 }] }, actor(w, 'farm-b'));
}
