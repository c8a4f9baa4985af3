import { describe, expect, it } from 'vitest';

import { bytesByteSource } from '../io/byte-source';
import { fileByteSource } from '../io/node-byte-source';
import { kernelSimilarity } from './kernel-similarity';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const path = (name: string) => `fixtures/digits-mlp/${name}_train.npz`;
const source = (name: string) => bytesByteSource(new Uint8Array(readFileSync(path(name))), path(name));

describe('kernelSimilarity (docs/method.md §5)', () => {
  it('is 1 for a checkpoint against itself', async () => {
    expect(await kernelSimilarity([source('mlp96_rich_step0')], [source('mlp96_rich_step0')])).toBeCloseTo(
      1,
      12,
    );
  });

  it('matches linear CKA computed by NumPy on the raw features', async () => {
    const script = `
import numpy as np, sys
a = np.load(sys.argv[1])['features'].astype(np.float64); b = np.load(sys.argv[2])['features'].astype(np.float64)
a -= a.mean(0); b -= b.mean(0)
print(repr(float(np.linalg.norm(a.T @ b) ** 2 / (np.linalg.norm(a.T @ a) * np.linalg.norm(b.T @ b)))))`;
    const expected = Number(
      execFileSync('python3', [
        '-c',
        script,
        path('mlp96_rich_step1500'),
        path('mlp96_rich_step0'),
      ]).toString(),
    );
    const fit = await fileByteSource(path('mlp96_rich_step1500'));
    const reference = await fileByteSource(path('mlp96_rich_step0'));
    const similarity = await kernelSimilarity([fit], [reference], { chunkRows: 300 });
    expect(Math.abs(similarity - expected)).toBeLessThan(1e-9);
    // the lazy run's features never move: similarity to initialisation stays 1
    expect(await kernelSimilarity([source('mlp96_lazy_step1500')], [source('mlp96_lazy_step0')])).toBeCloseTo(
      1,
      10,
    );
    expect(similarity).toBeLessThan(0.95);
  });

  it('refuses different sample counts', async () => {
    const test = bytesByteSource(
      new Uint8Array(readFileSync('fixtures/digits-mlp/mlp96_rich_step0_test.npz')),
      'test.npz',
    );
    await expect(kernelSimilarity([source('mlp96_rich_step0')], [test])).rejects.toThrow(
      /same samples: 1347 rows vs 450 rows/,
    );
  });
});
