import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BLOB_READ_AHEAD_BYTES, blobByteSource, readExact } from './byte-source';
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

  it('serves small reads from one read-ahead window, each the bytes a direct slice gives', async () => {
    const size = 3 * BLOB_READ_AHEAD_BYTES + 123;
    const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7919) % 251);
    const blob = new Blob([bytes]);
    let slices = 0;
    const counted = {
      size: blob.size,
      slice: (start?: number, end?: number) => {
        slices++;
        return blob.slice(start, end);
      },
    } as Blob;
    const src = blobByteSource(counted, 'b.bin');
    const reads: [number, number][] = [];
    for (let offset = 0; offset < 2 * BLOB_READ_AHEAD_BYTES; offset += 4096) reads.push([offset, 100]);
    reads.push([10, 20], [size - 50, 100], [BLOB_READ_AHEAD_BYTES + 5, BLOB_READ_AHEAD_BYTES]);
    for (const [offset, length] of reads) {
      const got = await src.read(offset, length);
      expect(got).toEqual(bytes.slice(offset, Math.min(size, offset + length)));
    }
    // two windows for the forward pass, one back at the start, one at the end, one long direct read
    expect(slices).toBe(5);
    // what a read gave is the caller's own: changing it changes no later read
    const first = await src.read(0, 8);
    first.fill(0);
    expect(await src.read(0, 8)).toEqual(bytes.slice(0, 8));
  });
});
