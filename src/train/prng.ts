/**
 * Seeded pseudo-random numbers for the trainer: same seed, same tasks, same initial weights, same
 * mini-batches, so a run in the browser, in the `examples` script and in a test is bit-identical.
 */
import { createNormal, createRandom } from '../core/random';

/** A seeded stream of numbers. */
export interface Prng {
  /** uniform in [0, 1) */
  uniform(): number;
  /** standard normal (Box-Muller, spare value cached) */
  normal(): number;
  /** uniform integer in 0..n-1 */
  int(n: number): number;
  /** Fisher-Yates shuffle in place; returns the array */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T;
}

/** mulberry32 (32-bit state, period 2^32) with Box-Muller normals: good enough for initialisation and sampling. */
export function createPrng(seed: number): Prng {
  // the same generator as the rest of the project (src/core/random.ts), so one algorithm serves all
  const uniform = createRandom(seed);
  const normal = createNormal(uniform);
  function int(n: number): number {
    return Math.floor(uniform() * n);
  }
  function shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
  return { uniform, normal, int, shuffle };
}

/** A child seed derived from a seed and a purpose tag, so streams for data, weights and batches never overlap. */
export function deriveSeed(seed: number, tag: number): number {
  let h = (seed ^ Math.imul(tag + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
