import { describe, expect, it } from 'vitest';

import { readMomentsFile } from './moments-file';
import { openContainer } from './open-container';
import { expected, fixtureSource } from './testing';
import { InputError } from './types';

interface ExpectedMoments {
  n: number;
  mean: number[];
  scatter: number[];
  correct: number;
}

describe('readMomentsFile', () => {
  it('returns the per-split moments with the full scatter matrix assembled from blocks', async () => {
    const file = await readMomentsFile(fixtureSource('npz/moments.npz'));
    expect(file.run).toBe('digits');
    expect(file.step).toBe(200);
    expect(file.splits.map((s) => s.name)).toEqual(['train', 'test']);
    for (const { name, moments } of file.splits) {
      const want = expected['npz/moments.npz'][`moments:${name}`] as unknown as ExpectedMoments;
      expect(moments).toMatchObject({
        n: want.n,
        p: 6,
        c: 3,
        q: 3,
        targetKind: 'onehot',
        correct: want.correct,
      });
      expect(Array.from(moments.mean)).toEqual(want.mean);
      // blocks were computed as one matrix in NumPy: the lower triangle mirrors the upper exactly
      expect(Array.from(moments.scatter)).toEqual(want.scatter);
    }
  });

  it('is reported as format moments by openContainer', async () => {
    expect((await openContainer(fixtureSource('npz/moments.npz'))).format).toBe('moments');
  });

  it('refuses an npz that is not a moments file', async () => {
    const error = await readMomentsFile(fixtureSource('npz/checkpoint_stored.npz')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problem).toBe('moments file: missing array richscope_moments');
  });
});
