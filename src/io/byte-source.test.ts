import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { blobByteSource, readExact } from './byte-source';
import { fileByteSource } from './node-byte-source';
import { openContainer } from './open-container';
import { fixtureBytes, readAllRows } from './testing';
import { InputError } from './types';

describe('byte sources', () => {
  it('a Blob source reads slices, short at the end', async () => {
    const src = blobByteSource(new Blob([Uint8Array.from([1, 2, 3, 4, 5])]), 'b.bin');
    expect(src.size).toBe(5);
    expect(Array.from(await src.read(1, 2))).toEqual([2, 3]);
    expect(Array.from(await src.read(3, 10))).toEqual([4, 5]);
    expect((await src.read(9, 1)).length).toBe(0);
  });

  it('a Node file source reads by offset and opens any fixture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'richscope-io-'));
    const path = join(dir, 'features.npy');
    writeFileSync(path, fixtureBytes('npy/features_f4.npy'));
    const src = await fileByteSource(path);
    try {
      expect(src.name).toBe('features.npy');
      const container = await openContainer(src);
      expect((await readAllRows(container.arrays[0])).length).toBe(13 * 6);
    } finally {
      await src.close();
    }
  });

  it('a missing file is an InputError', async () => {
    await expect(fileByteSource('/nonexistent/x.npy')).rejects.toBeInstanceOf(InputError);
  });

  it('readExact refuses reads past the end', async () => {
    const src = blobByteSource(new Blob([new Uint8Array(4)]), 'b.bin');
    await expect(readExact(src, 2, 4, 'the header')).rejects.toThrow(
      'b.bin: truncated: the header needs bytes 2..6 but the file holds 4 bytes',
    );
  });
});
