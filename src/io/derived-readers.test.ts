import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { classIndexReader, concatRows, isIndicatorBlock, scalarReader } from './derived-readers';
import { npyArrayReader, readNpyHeader } from './npy';
import { buildNpy, readAllRows } from './testing';
import { InputError, type ArrayReader } from './types';

/** A C-order float64 .npy reader of `rows` x `cols` values start, start + 1, ... */
async function counting(start: number, rows: number, cols: number, name = 'part'): Promise<ArrayReader> {
  const values = Float64Array.from({ length: rows * cols }, (_, i) => start + i);
  const src = bytesByteSource(buildNpy('<f8', [rows, cols], new Uint8Array(values.buffer)), `${name}.npy`);
  return npyArrayReader(src, name, await readNpyHeader(src));
}

async function collect(blocks: AsyncIterable<Float64Array>, cols: number) {
  const rows: number[] = [];
  const values: number[] = [];
  for await (const block of blocks) {
    rows.push(block.length / cols);
    values.push(...block);
  }
  return { rows, values };
}

describe('concatRows', () => {
  it('reads the batches in order, in blocks of exactly chunkRows rows but the last', async () => {
    const parts = [await counting(0, 5, 2), await counting(10, 3, 2), await counting(16, 4, 2)];
    const reader = concatRows('f.pt', 'features', parts);
    expect([reader.shape, reader.rows, reader.cols, reader.dtype]).toEqual([[12, 2], 12, 2, 'float64']);
    const all = Array.from({ length: 24 }, (_, i) => i);
    for (const chunkRows of [1, 4, 5, 7, 100]) {
      const { rows, values } = await collect(reader.readRows(chunkRows), 2);
      expect(values).toEqual(all);
      expect(rows.slice(0, -1).every((r) => r === chunkRows)).toBe(true);
    }
  });

  it('reads any row range across batch boundaries as the full read would', async () => {
    const parts = [await counting(0, 5, 2), await counting(10, 3, 2), await counting(16, 4, 2)];
    const reader = concatRows('f.pt', 'features', parts);
    for (const [start, end] of [
      [0, 0],
      [0, 12],
      [4, 9],
      [5, 8],
      [11, 12],
      [2, 3],
    ]) {
      const { rows, values } = await collect(reader.readRowRange!(start, end, 3), 2);
      expect(values).toEqual(Array.from({ length: (end - start) * 2 }, (_, i) => start * 2 + i));
      expect(rows.slice(0, -1).every((r) => r === 3)).toBe(true);
    }
  });

  it('refuses batches of different columns, naming the batch', async () => {
    const parts = [await counting(0, 2, 2), await counting(0, 2, 3)];
    expect(() => concatRows('f.pt', 'features', parts)).toThrow(
      'features: batch 1 has shape (2, 3) where batch 0 has (2, 2); every batch must have the same columns',
    );
  });
});

describe('classIndexReader', () => {
  it('reads each one-hot row as the column of its 1', async () => {
    const matrix = Float64Array.from([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
    const src = bytesByteSource(buildNpy('<f8', [4, 3], new Uint8Array(matrix.buffer)), 'labels.npy');
    const reader = classIndexReader('labels.npy', npyArrayReader(src, 'labels', await readNpyHeader(src)));
    expect(Array.from(await readAllRows(reader, 3))).toEqual([1, 0, 2, 1]);
    expect((await collect(reader.readRowRange!(1, 3, 5), 1)).values).toEqual([0, 2]);
  });

  it('refuses a later row that is not one-hot, with its row number', async () => {
    const matrix = Float64Array.from([0, 1, 1, 0, 1, 1]);
    const src = bytesByteSource(buildNpy('<f8', [3, 2], new Uint8Array(matrix.buffer)), 'labels.npy');
    const reader = classIndexReader('labels.npy', npyArrayReader(src, 'labels', await readNpyHeader(src)));
    const error = await readAllRows(reader, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problem).toMatch(/^labels: row 2 is not one-hot/);
  });

  it.each<[number[], number, boolean]>([
    [[0, 1, 0, 1, 0, 0], 3, true],
    [[0, 1, 1, 0, 0, 0], 3, false],
    [[0, 0, 0], 3, false],
    [[0, 0.5, 0.5], 3, false],
    [[0, 2, 0], 3, false],
  ])('isIndicatorBlock(%j, %d) = %s', (values, cols, want) => {
    expect(isIndicatorBlock(Float64Array.from(values), cols)).toBe(want);
  });
});

describe('scalarReader', () => {
  it('is a 0-d array of one value', async () => {
    const reader = scalarReader('step', 300);
    expect([reader.shape, reader.rows, reader.cols, reader.integer]).toEqual([[], 1, 1, true]);
    expect(Array.from(await readAllRows(reader, 1))).toEqual([300]);
  });
});
