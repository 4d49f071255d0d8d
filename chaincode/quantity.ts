/**
 * Quantity arithmetic: fixed to six decimals so that sums and differences of decimal
 * quantities give the same result on every peer and never drift (0.1 + 0.2 is 0.3 here),
 * and unit conversion within a dimension (mass, volume) for mass balance.
 */
import type { UnitCode } from './gs1';

/** Rounds to six decimals. */
export function fix(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** a + b, fixed. */
export function add(a: number, b: number): number {
  return fix(a + b);
}

/** a − b, fixed. */
export function sub(a: number, b: number): number {
  return fix(a - b);
}

/**
 * Units that count pieces: one item (one serial) of a lot counted in them is one of the unit.
 * Lots in any other unit (mass, volume) need an item's net quantity to know what it weighs.
 */
export const COUNT_UNITS: readonly UnitCode[] = ['EA', 'H87', 'CT', 'BX', 'PK', 'PA'];

/** True if one item of a lot in `unit` is one of the unit. */
export function isCountUnit(unit: UnitCode): boolean {
  return COUNT_UNITS.includes(unit);
}

const FACTORS: Partial<Record<UnitCode, { dimension: 'mass' | 'volume'; factor: number }>> = {
  GRM: { dimension: 'mass', factor: 0.001 },
  KGM: { dimension: 'mass', factor: 1 },
  TNE: { dimension: 'mass', factor: 1000 },
  MLT: { dimension: 'volume', factor: 0.001 },
  LTR: { dimension: 'volume', factor: 1 },
  MTQ: { dimension: 'volume', factor: 1000 },
};

/** `quantity` of `from` in `to`, or undefined if they are not of one dimension. */
export function convert(quantity: number, from: UnitCode, to: UnitCode): number | undefined {
  if (from === to) return quantity;
  const a = FACTORS[from];
  const b = FACTORS[to];
  if (!a || !b || a.dimension !== b.dimension) return undefined;
  return fix((quantity * a.factor) / b.factor);
}
