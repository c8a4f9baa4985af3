import { describe, expect, it } from 'vitest';

import { openContainer } from './open-container';
import { openTorch } from './torch';
import { bytesByteSource } from './byte-source';
import { expected, fixtureBytes, fixtureSource, readAllRows } from './testing';
import { InputError } from './types';

async function problem(rel: string): Promise<string> {
  const error = await openTorch(fixtureSource(rel)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problem;
}

describe('openTorch', () => {
  it('names tensors of nested dicts with dots, takes the step and notes the other entries', async () => {
    const container = await openContainer(fixtureSource('torch/nested.pt'));
    expect(container.arrays.map((a) => a.key)).toEqual(['train.features', 'train.logits', 'train.labels']);
    expect(container.step).toBe(200);
    expect(container.notes).toEqual([
      'ignored entries that are not numeric arrays: name (a string)',
      'step 200 from step (used when the file name has none)',
    ]);
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

  it('reads NumPy arrays inside a torch file from their bytes, zip and legacy alike', async () => {
    for (const rel of ['torch/idiom_numpy.pt', 'torch/idiom_numpy_legacy.pt']) {
      const container = await openContainer(fixtureSource(rel));
      expect(container.arrays.map((a) => `${a.key} ${a.dtype}`)).toEqual([
        'features float32',
        'logits float64',
        'labels int64',
      ]);
      for (const reader of container.arrays)
        expect(Array.from(await readAllRows(reader, 4)), `${rel} ${reader.key}`).toEqual(
          expected[rel][reader.key].values,
        );
      expect(container.step).toBe(300);
      expect(container.notes).toEqual([
        'ignored entries that are not numeric arrays: class_names (dtype <U4)',
        'step 300 from step (used when the file name has none)',
      ]);
    }
  });

  it('reads the numpy._core spelling of NumPy 2 as well', async () => {
    // the legacy format's pickles follow one another, so a longer module name shifts nothing that matters
    const rel = 'torch/idiom_numpy_legacy.pt';
    const text = new TextDecoder('latin1').decode(fixtureBytes(rel));
    expect(text).toContain('numpy.core.multiarray\n');
    const renamed = Uint8Array.from(
      text.replaceAll('numpy.core.multiarray\n', 'numpy._core.multiarray\n'),
      (ch) => ch.charCodeAt(0),
    );
    const container = await openContainer(bytesByteSource(renamed, 'numpy2.pt'));
    for (const reader of container.arrays)
      expect(Array.from(await readAllRows(reader, 4))).toEqual(expected[rel][reader.key].values);
    expect(container.step).toBe(300);
  });

  it('refuses NumPy objects other than arrays, saying what it reads', async () => {
    expect(await problem('torch/bad_numpy_object.pt')).toMatch(
      /^refusing to load unknown global numpy\.random\._pickle\.__generator_ctor \(NumPy arrays are read from their bytes, but no other NumPy object/,
    );
  });

  it('refuses complex tensors', async () => {
    expect(await problem('torch/bad_complex.pt')).toMatch(
      /^tensors of torch\.ComplexFloatStorage are not supported/,
    );
  });
});
