/**
 * The app's moments-file reader against the Python writer (python/richscope_export.py): same format
 * version, every key with its dtype and shape, and the same numbers as the raw activations (D_LR within 1e-9).
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { momentsFromContainer, MOMENTS_FORMAT_VERSION } from '../io/moments-file';
import { fileByteSource } from '../io/node-byte-source';
import { openContainer } from '../io/open-container';
import { analyzeCheckpoint } from './analyze-checkpoint';

const dir = 'fixtures/moments';
const expected = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as {
  file: string;
  format_version: number;
  splits: Record<
    string,
    { raw_file: string; n: number; p: number; C: number; q: number; correct: number; dlr: number; r: number }
  >;
  meta: { run: string; step: number; splits: string[] };
  keys: Record<string, { dtype: string; shape: number[] }>;
};

describe('moments file: the TypeScript reader and the Python writer agree', () => {
  it('on the format version and every key, dtype and shape', async () => {
    // a version-1 file (no layers): still read by this version's reader
    expect(expected.format_version).toBe(1);
    expect(MOMENTS_FORMAT_VERSION).toBeGreaterThanOrEqual(expected.format_version);
    const source = await fileByteSource(`${dir}/${expected.file}`);
    const container = await openContainer(source);
    expect(container.format).toBe('moments');
    const arrays = new Map(container.arrays.map((a) => [a.key, a]));
    expect([...arrays.keys()].sort()).toEqual(Object.keys(expected.keys).sort());
    for (const [key, want] of Object.entries(expected.keys)) {
      expect(arrays.get(key)!.dtype, key).toBe(want.dtype);
      expect(arrays.get(key)!.shape, key).toEqual(want.shape);
    }
    const file = await momentsFromContainer(container, source.size);
    expect([file.run, file.step]).toEqual([expected.meta.run, expected.meta.step]);
    expect(file.splits.map((s) => s.name)).toEqual(expected.meta.splits);
    for (const { name, moments } of file.splits) {
      const want = expected.splits[name];
      expect([moments.n, moments.p, moments.c, moments.q, moments.correct]).toEqual([
        want.n,
        want.p,
        want.C,
        want.q,
        want.correct,
      ]);
    }
  });

  it('gives the same numbers as the raw activations', async () => {
    const [momentsFile, rawTrain, rawTest] = await Promise.all(
      [expected.file, expected.splits.train.raw_file, expected.splits.test.raw_file].map((f) =>
        fileByteSource(`${dir}/${f}`),
      ),
    );
    const fromMoments = await analyzeCheckpoint({ fit: [momentsFile] });
    const fromRaw = await analyzeCheckpoint({ fit: [rawTrain], eval: [rawTest] });
    await Promise.all([momentsFile, rawTrain, rawTest].map((s) => s.close()));
    expect(Math.abs(fromMoments.metrics.dlr - fromRaw.metrics.dlr)).toBeLessThan(1e-9);
    expect(Math.abs(fromMoments.metrics.dlr - expected.splits.train.dlr)).toBeLessThan(1e-9);
    expect(fromMoments.metrics.r).toBe(expected.splits.train.r);
    expect(fromMoments.metrics.evalN).toBe(expected.splits.test.n);
    const pairs: [number[] | null, number[] | null][] = [
      [fromMoments.metrics.rho, fromRaw.metrics.rho],
      [fromMoments.metrics.mass, fromRaw.metrics.mass],
      [fromMoments.metrics.utilization, fromRaw.metrics.utilization],
    ];
    for (const [a, b] of pairs) {
      expect(a).not.toBeNull();
      expect(b).not.toBeNull();
      expect(a!.length).toBeGreaterThan(0);
      expect(a).toHaveLength(b!.length);
      a!.forEach((x, k) => expect(Math.abs(x - b![k])).toBeLessThan(1e-9 * Math.max(1, Math.abs(b![k]))));
    }
    expect(fromMoments.metrics.nc1! / fromRaw.metrics.nc1!).toBeCloseTo(1, 9);
    expect([fromMoments.run, fromMoments.step]).toEqual([expected.meta.run, expected.meta.step]);
  });
});
