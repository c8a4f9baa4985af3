import { describe, expect, it } from 'vitest';

import { openFormat } from './open-container';
import { expected, fixtureSource, readAllRows } from './testing';

const files = Object.keys(expected).filter((rel) => !rel.includes('moments'));

describe('every fixture decodes exactly to the values NumPy/torch hold', () => {
  it.each(files)('%s', async (rel) => {
    const container = await openFormat(fixtureSource(rel));
    // a file's own eval split is recorded under '<split key>.<array key>'
    const { evalSplit } = container;
    const arrays = [
      ...container.arrays,
      ...(evalSplit?.arrays.map((a) => ({ ...a, key: `${evalSplit.name}.${a.key}` })) ?? []),
    ];
    for (const [key, want] of Object.entries(expected[rel])) {
      const reader = arrays.find((a) => a.key === key);
      expect(reader, `${key} in ${arrays.map((a) => a.key).join(', ')}`).toBeDefined();
      expect(reader!.shape).toEqual(want.shape);
      expect(reader!.dtype).toBe(want.dtype);
      for (const chunkRows of [1, 4, 10_000]) {
        const values = await readAllRows(reader!, chunkRows);
        if (want.values) {
          expect(Array.from(values)).toEqual(want.values);
        } else {
          expect(values[0]).toBe(want.first);
          expect(values[values.length - 1]).toBe(want.last);
          let sum = 0;
          let sumsq = 0;
          for (const v of values) {
            sum += v;
            sumsq += v * v;
          }
          // fsum in Python vs a running sum here: agreement to 1e-12 relative
          expect(Math.abs(sum - want.sum!) / Math.max(1, Math.abs(want.sum!))).toBeLessThan(1e-12);
          expect(Math.abs(sumsq - want.sumsq!) / Math.max(1, Math.abs(want.sumsq!))).toBeLessThan(1e-12);
        }
      }
    }
  });
});
