import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { openContainer, openFormat } from './open-container';
import { expected, fixtureSource, readAllRows } from './testing';
import { InputError, type ArrayReader } from './types';

const files = Object.keys(expected).filter((rel) => !rel.includes('moments'));

/** Rows [start, end) through `readRowRange`, checking that every block but the last has chunkRows rows. */
async function readRange(reader: ArrayReader, start: number, end: number, chunkRows: number) {
  const out = new Float64Array((end - start) * reader.cols);
  let at = 0;
  for await (const block of reader.readRowRange!(start, end, chunkRows)) {
    const rows = block.length / Math.max(1, reader.cols);
    if (at + block.length < out.length) expect(rows).toBe(chunkRows);
    out.set(block, at);
    at += block.length;
  }
  expect(at).toBe(out.length);
  return out;
}

/** Row ranges that cut the array in every way: empty, single rows, the whole, ragged pieces. */
function ranges(rows: number): [number, number][] {
  const cuts: [number, number][] = [
    [0, 0],
    [0, rows],
    [0, 1],
    [rows - 1, rows],
    [Math.floor(rows / 3), Math.floor((2 * rows) / 3) + 1],
  ];
  return cuts.filter(([a, b]) => a >= 0 && b <= rows && a <= b);
}

describe('readRowRange: a row range equals the same rows of the full read', () => {
  it.each(files)('%s', async (rel) => {
    const container = await openFormat(fixtureSource(rel));
    for (const reader of container.arrays) {
      if (!reader.readRowRange) continue;
      const full = await readAllRows(reader, 7);
      for (const [start, end] of ranges(reader.rows)) {
        for (const chunkRows of [1, 4, 1000]) {
          const part = await readRange(reader, start, end, chunkRows);
          expect(Array.from(part), `${reader.key} rows ${start}..${end} by ${chunkRows}`).toEqual(
            Array.from(full.subarray(start * reader.cols, end * reader.cols)),
          );
        }
      }
    }
  });

  it('is offered exactly where a range costs only its own bytes', async () => {
    const offered = async (rel: string) =>
      (await openFormat(fixtureSource(rel))).arrays
        .filter((a) => a.shape.length > 0 && a.shape.slice(1).every((s) => s > 0))
        .map((a) => [a.key, a.readRowRange !== undefined] as const);
    // C-order .npy, stored npz members, safetensors: every array
    for (const rel of ['npy/features_f4.npy', 'npy/features_be_f8.npy', 'npy/features_4d.npy'])
      expect(await offered(rel)).toEqual([[rel.slice(4, -4), true]]);
    for (const rel of ['npz/checkpoint_stored.npz', 'safetensors/checkpoint.safetensors', 'torch/dict.pt'])
      expect((await offered(rel)).every(([, has]) => has)).toBe(true);
    // torch views: only the contiguous ones
    expect(Object.fromEntries(await offered('torch/views.pt'))).toMatchObject({
      features: true,
      transposed_copy: true,
      transposed: false,
      every_other_row: false,
    });
    // Fortran order (rows scattered), deflated members (a range restarts the inflater), CSV
    for (const rel of [
      'npy/features_fortran.npy',
      'npy/features_3d_fortran.npy',
      'npz/checkpoint_compressed.npz',
      'npz/big_compressed.npz',
      'csv/table_header.csv',
    ])
      expect((await offered(rel)).every(([, has]) => !has)).toBe(true);
  });

  it('gives native float arrays their stored rows, undecoded, equal to the decoded rows', async () => {
    let offeredOn = 0;
    for (const rel of files) {
      const container = await openFormat(fixtureSource(rel));
      for (const reader of container.arrays) {
        if (!reader.readStoredRows) continue;
        // only beside readRowRange, and only for native-endian float32 and float64
        expect(reader.readRowRange).toBeDefined();
        expect(['float32', 'float64']).toContain(reader.dtype);
        offeredOn++;
        const full = await readAllRows(reader, 7);
        for (const [start, end] of ranges(reader.rows)) {
          const stored = await reader.readStoredRows(start, end - start);
          expect(stored).toBeInstanceOf(reader.dtype === 'float32' ? Float32Array : Float64Array);
          expect(Array.from(stored), `${rel} ${reader.key} rows ${start}..${end}`).toEqual(
            Array.from(full.subarray(start * reader.cols, end * reader.cols)),
          );
        }
      }
    }
    expect(offeredOn).toBeGreaterThan(5);
    // big-endian and integer arrays are decoded: no stored rows
    const [bigEndian] = (await openFormat(fixtureSource('npy/features_be_f8.npy'))).arrays;
    expect(bigEndian.readStoredRows).toBeUndefined();
    const [reader] = (await openContainer(fixtureSource('npy/features_f4.npy'))).arrays;
    await expect(reader.readStoredRows!(reader.rows, 1)).rejects.toThrow(/row range/);
  });

  it('refuses a range outside the rows with a message naming the file', async () => {
    const [reader] = (await openContainer(fixtureSource('npy/features_f4.npy'))).arrays;
    const attempt = async (start: number, end: number) => {
      for await (const _ of reader.readRowRange!(start, end, 4)) void _;
    };
    await expect(attempt(0, reader.rows + 1)).rejects.toThrow(InputError);
    await expect(attempt(5, 4)).rejects.toThrow(/npy\/features_f4\.npy: .*row range 5\.\.4/);
    await expect(attempt(-1, 2)).rejects.toThrow(InputError);
  });

  it('reads only the bytes of the range', async () => {
    const rows = 1000;
    const cols = 8;
    const header =
      `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`.padEnd(117) + '\n';
    const bytes = new Uint8Array(10 + header.length + rows * cols * 8);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
    bytes.set(new TextEncoder().encode(header), 10);
    const data = new Float64Array(bytes.buffer, 10 + header.length, rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = i;
    const base = bytesByteSource(bytes, 'wide.npy');
    let bytesRead = 0;
    const counting = {
      ...base,
      read: (offset: number, length: number) => ((bytesRead += length), base.read(offset, length)),
    };
    const [reader] = (await openContainer(counting)).arrays;
    bytesRead = 0;
    const part = await readRange(reader, 600, 700, 32);
    expect(part[0]).toBe(600 * cols);
    expect(part[part.length - 1]).toBe(700 * cols - 1);
    expect(bytesRead).toBe(100 * cols * 8);
  });
});
