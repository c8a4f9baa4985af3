import { describe, expect, it } from 'vitest';

import { openContainer } from './open-container';
import { openTorch } from './torch';
import { expected, fixtureSource, readAllRows } from './testing';
import { InputError } from './types';

async function problem(rel: string): Promise<string> {
  const error = await openTorch(fixtureSource(rel)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problem;
}

describe('openTorch', () => {
  it('names tensors of nested dicts with dots and notes the non-tensor entries', async () => {
    const container = await openTorch(fixtureSource('torch/nested.pt'));
    expect(container.arrays.map((a) => a.key)).toEqual(['train.features', 'train.logits', 'train.labels']);
    expect(container.notes).toEqual(['ignored non-tensor entries: step, name']);
  });

  it('reads views (transposes, slices, offsets, permutes) of shared storages, zip and legacy alike', async () => {
    for (const rel of ['torch/views.pt', 'torch/views_legacy.pt']) {
      const container = await openTorch(fixtureSource(rel));
      for (const reader of container.arrays) {
        const values = Array.from(await readAllRows(reader, 3));
        expect(values, `${rel} ${reader.key}`).toEqual(expected[rel][reader.key].values);
      }
    }
  });

  it('opens the legacy format by content, whatever the extension', async () => {
    const container = await openContainer(fixtureSource('torch/dict_legacy.pt'));
    expect(container.format).toBe('torch');
    expect(container.arrays.map((a) => a.key)).toEqual(['features', 'logits', 'labels']);
  });

  it('refuses an unknown pickle global', async () => {
    expect(await problem('torch/bad_global.pt')).toBe('refusing to load unknown global posix.system');
  });

  it('refuses NumPy arrays inside a torch file, saying what to do instead', async () => {
    expect(await problem('torch/bad_numpy.pt')).toMatch(
      /^refusing to load unknown global numpy\.core\.multiarray\._reconstruct \(a NumPy array inside a torch file/,
    );
  });

  it('refuses complex tensors', async () => {
    expect(await problem('torch/bad_complex.pt')).toMatch(
      /^tensors of torch\.ComplexFloatStorage are not supported/,
    );
  });
});
