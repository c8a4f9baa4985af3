import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { openContainer } from './open-container';
import { fixtureBytes } from './testing';

describe('openContainer', () => {
  it.each([
    ['npy/features_f4.npy', 'npy'],
    ['npz/checkpoint_stored.npz', 'npz'],
    ['npz/moments.npz', 'moments'],
    ['safetensors/checkpoint.safetensors', 'safetensors'],
    ['torch/dict.pt', 'torch'],
    ['torch/dict_legacy.pt', 'torch'],
  ])('recognises %s by its bytes even when misnamed', async (rel, format) => {
    const container = await openContainer(bytesByteSource(fixtureBytes(rel), 'misnamed.bin'));
    expect(container.format).toBe(format);
  });

  it('opens text tables by extension (text has no magic bytes)', async () => {
    const container = await openContainer(bytesByteSource(fixtureBytes('csv/table.tsv'), 'run/table.txt'));
    expect(container.format).toBe('csv');
  });

  it('refuses an unknown kind of file clearly', async () => {
    await expect(
      openContainer(bytesByteSource(new TextEncoder().encode('hello'), 'notes.md')),
    ).rejects.toThrow(
      'notes.md: unrecognised file type .md: expected .npy, .npz, .safetensors, a torch.save file (.pt, .pth, .bin) or a table (.csv, .tsv, .txt)',
    );
  });
});
