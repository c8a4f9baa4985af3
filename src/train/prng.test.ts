import { describe, expect, it } from 'vitest';
import { createPrng, deriveSeed } from './prng';

describe('createPrng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const sa = Array.from({ length: 100 }, () => a.uniform());
    expect(Array.from({ length: 100 }, () => b.uniform())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.uniform())).not.toEqual(sa);
  });

  it('is uniform on [0, 1) with the right mean and variance (1e5 draws)', () => {
    const rng = createPrng(7);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sq += u * u;
    }
    expect(sum / 1e5).toBeCloseTo(0.5, 2);
    expect(sq / 1e5 - (sum / 1e5) ** 2).toBeCloseTo(1 / 12, 2);
  });

  it('draws standard normals (mean 0, variance 1 within 1%)', () => {
    const rng = createPrng(3);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 100_000; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / 1e5)).toBeLessThan(0.01);
    expect(Math.abs(sq / 1e5 - 1)).toBeLessThan(0.015);
  });

  it('draws integers in range and shuffles into a permutation', () => {
    const rng = createPrng(5);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[rng.int(5)]++;
    for (const c of counts) expect(c).toBeGreaterThan(900);
    const items = Int32Array.from({ length: 50 }, (_, i) => i);
    rng.shuffle(items);
    expect(Array.from(items).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(items)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('derives distinct, stable child seeds', () => {
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
    const seeds = new Set([0, 1, 2, 3].flatMap((s) => [10, 11, 12].map((t) => deriveSeed(s, t))));
    expect(seeds.size).toBe(12);
  });
});
