import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BLOB_READ_AHEAD_BYTES, WHOLE_FILE_BYTES, blobByteSource, readExact } from './byte-source';
import { fileByteSource } from './node-byte-source';
import { openContainer } from './open-container';
import { fixtureBytes, readAllRows, temporaryFolder } from './testing';
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
    const dir = temporaryFolder('richscope-io-');
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

  it('a Node file source reads a file of up to WHOLE_FILE_BYTES whole when opened; its reads are views', async () => {
    const dir = temporaryFolder('richscope-io-');
    const path = join(dir, 'small.npz');
    const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) % 256);
    writeFileSync(path, bytes);
    const src = await fileByteSource(path);
    try {
      await src.read(0, 1);
      // read when opened: a later change on disk is not seen
      writeFileSync(path, new Uint8Array(bytes.length));
      const [a, b] = [await src.read(100, 50), await src.read(9_990, 100)];
      expect(Array.from(a)).toEqual(Array.from(bytes.subarray(100, 150)));
      expect(Array.from(b)).toEqual(Array.from(bytes.subarray(9_990)));
      expect(a.buffer).toBe(b.buffer);
      expect((await src.read(10_000, 5)).length).toBe(0);
    } finally {
      await src.close();
    }
  });

  it('a closed Node file source gives its whole-file buffer to the next file, which reads its own bytes', async () => {
    const dir = temporaryFolder('richscope-io-');
    const [first, second, third] = ['a.npy', 'b.npy', 'c.npy'].map((name) => join(dir, name));
    writeFileSync(first, new Uint8Array(6_000).fill(7));
    writeFileSync(
      second,
      Uint8Array.from({ length: 5_000 }, (_, i) => i % 251),
    );
    writeFileSync(third, new Uint8Array(5_500).fill(9));
    const a = await fileByteSource(first);
    const aBuffer = (await a.read(0, 1)).buffer;
    // while a is open, another source never shares its buffer
    const c = await fileByteSource(third);
    expect((await c.read(0, 1)).buffer).not.toBe(aBuffer);
    await a.close();
    const b = await fileByteSource(second);
    try {
      const all = await b.read(0, 10_000);
      expect(all.buffer).toBe(aBuffer);
      expect(all.length).toBe(5_000);
      expect(Array.from(all)).toEqual(Array.from({ length: 5_000 }, (_, i) => i % 251));
      expect(Array.from(await c.read(5_490, 100))).toEqual(new Array(10).fill(9));
    } finally {
      await b.close();
      await c.close();
    }
  });

  it('a Node file source reads a larger file by offset, each read its own bytes', async () => {
    const dir = temporaryFolder('richscope-io-');
    const path = join(dir, 'big.npy');
    const size = WHOLE_FILE_BYTES + 10;
    writeFileSync(path, new Uint8Array(size).fill(1));
    const src = await fileByteSource(path);
    try {
      expect(Array.from(await src.read(size - 4, 10))).toEqual([1, 1, 1, 1]);
      // read by offset: a later change on disk is seen
      writeFileSync(path, new Uint8Array(size).fill(2));
      const [a, b] = [await src.read(0, 3), await src.read(size - 2, 2)];
      expect(Array.from(a)).toEqual([2, 2, 2]);
      expect(a.buffer).not.toBe(b.buffer);
    } finally {
      await src.close();
    }
  });

  it('closing a Node file source while its whole-file read runs waits for the read', async () => {
    const dir = temporaryFolder('richscope-io-');
    const path = join(dir, 'x.npy');
    writeFileSync(path, new Uint8Array(1 << 20));
    const src = await fileByteSource(path);
    await expect(src.close()).resolves.toBeUndefined();
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

  /** A Blob whose slices are counted: each is one round trip to the browser's file system. */
  function countedBlob(bytes: Uint8Array<ArrayBuffer>) {
    const blob = new Blob([bytes]);
    const counter = { slices: 0 };
    const counted = {
      size: blob.size,
      slice: (start?: number, end?: number) => {
        counter.slices++;
        return blob.slice(start, end);
      },
    } as Blob;
    return { counted, counter };
  }

  const patterned = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7919) % 251);

  /** Whether a read gave bytes [offset, offset + length) of `bytes` (a deep toEqual of megabytes is slow). */
  const isSlice = (got: Uint8Array, bytes: Uint8Array, offset: number, length: number) =>
    Buffer.from(got.buffer, got.byteOffset, got.length).equals(
      bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    );

  it('serves small reads from one read-ahead window, each the bytes a direct slice gives', async () => {
    const size = WHOLE_FILE_BYTES + 2 * BLOB_READ_AHEAD_BYTES + 123;
    const bytes = patterned(size);
    const { counted, counter } = countedBlob(bytes);
    const src = blobByteSource(counted, 'b.bin');
    const reads: [number, number][] = [];
    for (let offset = 0; offset < 2 * BLOB_READ_AHEAD_BYTES; offset += 4096) reads.push([offset, 100]);
    reads.push([10, 20], [size - 50, 100], [BLOB_READ_AHEAD_BYTES + 5, BLOB_READ_AHEAD_BYTES]);
    const given: [Uint8Array, number, number][] = [];
    for (const [offset, length] of reads) {
      const got = await src.read(offset, length);
      expect(isSlice(got, bytes, offset, length), `read(${offset}, ${length})`).toBe(true);
      given.push([got, offset, length]);
    }
    // two windows for the forward pass, one back at the start, one at the end, one long direct read
    expect(counter.slices).toBe(5);
    // the windows moved on, and every earlier read still holds its bytes
    for (const [got, offset, length] of given) expect(isSlice(got, bytes, offset, length)).toBe(true);
  });

  it('reads a small file whole, once, whatever the reads', async () => {
    const size = WHOLE_FILE_BYTES - 7;
    const bytes = patterned(size);
    const { counted, counter } = countedBlob(bytes);
    const src = blobByteSource(counted, 'small.npz');
    for (const [offset, length] of [
      [size - 30, 100],
      [0, 64],
      [5, BLOB_READ_AHEAD_BYTES + 3],
      [BLOB_READ_AHEAD_BYTES, 2 * BLOB_READ_AHEAD_BYTES],
    ]) {
      expect(
        isSlice(await src.read(offset, length), bytes, offset, length),
        `read(${offset}, ${length})`,
      ).toBe(true);
    }
    expect(counter.slices).toBe(1);
  });

  it('reads a small file once when reads come while its first read runs (a read ahead, then the parser)', async () => {
    const bytes = patterned(10_000);
    const { counted, counter } = countedBlob(bytes);
    const src = blobByteSource(counted, 'small.npz');
    const [ahead, header, tail] = await Promise.all([
      src.read(0, 1),
      src.read(0, 64),
      src.read(9_000, 2_000),
    ]);
    expect(
      isSlice(ahead, bytes, 0, 1) && isSlice(header, bytes, 0, 64) && isSlice(tail, bytes, 9_000, 2_000),
    ).toBe(true);
    expect(counter.slices).toBe(1);
  });
});
