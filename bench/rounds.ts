/**
 * What the benches measure with: medians, a full garbage collection on demand, and interleaved
 * rounds of several parts, so that a busy spell of a shared machine weighs on every part alike.
 */
import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The q-quantile of some numbers (0 for none). */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
}

/** The median of some numbers (0 for none). */
export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/**
 * A full collection, so that the heap in use is what is live, or so that garbage from building
 * one batch is not charged to the next part. `global.gc` exists only under --expose-gc; V8 lets a
 * running process turn it on.
 */
export const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/**
 * Runs `measure` on every part in `rounds` interleaved rounds after one warm-up round, every
 * other round in reverse (so no part always follows the same one, whose heap it inherits), and
 * gives each part's figures by name. `measure` gets the part, the round and its place in it.
 */
export async function interleavedRounds<P extends { readonly name: string }>(parts: readonly P[], rounds: number, measure: (part: P, round: number, place: number) => number): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(parts.map((p) => [p.name, []]));
  for (let round = 0; round <= rounds; round++) {
    const order = round % 2 === 0 ? parts : [...parts].reverse();
    order.forEach((part, place) => {
      const figure = measure(part, round, place);
      if (round > 0) samples.get(part.name)?.push(figure);
    });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return samples;
}
