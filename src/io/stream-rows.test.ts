import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { openNpy } from './npy';
import { countNonFinite, zipRows, type ZipRowsStats } from './stream-rows';
import { buildNpy, fixtureSource } from './testing';
import { InputError, type ArrayReader } from './types';

function memoryReader(key: string, values: number[], cols: number): ArrayReader {
  const rows = values.length / cols;
  return {
    key,
    shape: [rows, cols],
    dtype: 'float64',
    integer: false,
    rows,
    cols,
    async *readRows(chunkRows) {
      for (let r = 0; r < rows; r += chunkRows) {
        yield Float64Array.from(values.slice(r * cols, Math.min(rows, r + chunkRows) * cols));
      }
    },
  };
}

async function collect(gen: AsyncIterable<Float64Array[]>): Promise<number[][][]> {
  const out: number[][][] = [];
  for await (const blocks of gen) out.push(blocks.map((b) => Array.from(b)));
  return out;
}

describe('zipRows', () => {
  it('yields aligned blocks of several arrays', async () => {
    const a = memoryReader('a', [1, 2, 3, 4, 5, 6], 2);
    const b = memoryReader('b', [10, 20, 30], 1);
    expect(await collect(zipRows([a, b], 2))).toEqual([
      [
        [1, 2, 3, 4],
        [10, 20],
      ],
      [[5, 6], [30]],
    ]);
  });

  it('refuses readers with different row counts', async () => {
    const a = memoryReader('features', [1, 2, 3, 4], 2);
    const b = memoryReader('logits', [1, 2, 3], 1);
    await expect(collect(zipRows([a, b], 2))).rejects.toThrow(
      'input: row counts differ: features has 2 rows but logits has 3',
    );
  });

  it('counts NaN/Inf and names the first row', async () => {
    const container = await openNpy(fixtureSource('npy/features_nan.npy'));
    const reader = { ...container.arrays[0], key: 'features' };
    const error = await collect(
      zipRows([reader], 4, undefined, { nonFinite: 'error', source: 'f.npy' }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    // (i * 6 + j) % 17 == 5 for 5 of the 78 cells, the first at index 5 (row 0)
    expect((error as InputError).message).toBe(
      'f.npy: features: 5 NaN/Inf values, first in row 0; fix the file, or drop those rows with --drop-nonfinite (CLI)',
    );
  });

  it('says of each block it yields whether it holds a NaN or an Inf, in any of its arrays', async () => {
    const a = memoryReader('a', [1, 2, 3, 4, 5, 6, 7, 8], 2);
    const b = memoryReader('b', [10, 20, NaN, 40], 1);
    const stats: ZipRowsStats = { rowsRead: 0, rowsDropped: 0, nonFinite: new Map() };
    const flags: (boolean | undefined)[] = [];
    const zipped = zipRows([a, b], 1, undefined, { nonFinite: 'error', source: 's' }, stats);
    await expect(
      (async () => {
        for await (const _ of zipped) flags.push(stats.blockNonFinite);
      })(),
    ).rejects.toBeInstanceOf(InputError);
    expect(flags).toEqual([false, false, true, false]);
  });

  it('drops rows with NaN/Inf in any array when asked', async () => {
    const a = memoryReader('a', [1, NaN, 3, 4, 5, 6], 2);
    const b = memoryReader('b', [10, 20, Infinity], 1);
    const stats: ZipRowsStats = { rowsRead: 0, rowsDropped: 0, nonFinite: new Map() };
    expect(await collect(zipRows([a, b], 2, undefined, { nonFinite: 'drop', source: 's' }, stats))).toEqual([
      [[3, 4], [20]],
    ]);
    expect(stats.rowsDropped).toBe(2);
    expect(stats.nonFinite.get('a')).toEqual({ count: 1, firstRow: 0 });
    expect(stats.nonFinite.get('b')).toEqual({ count: 1, firstRow: 2 });
  });

  it('stops when aborted', async () => {
    const data = new Float64Array(100);
    const reader = (
      await openNpy(bytesByteSource(buildNpy('<f8', [100], new Uint8Array(data.buffer)), 'x.npy'))
    ).arrays[0];
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(collect(zipRows([reader], 10, controller.signal))).rejects.toThrow('stop');
  });
});

describe('countNonFinite', () => {
  it('finds a NaN or an Inf at any place of a block, the last ones included', () => {
    const cols = 3;
    for (const length of [1, 4, 5, 6, 7, 12, 13]) {
      for (let at = 0; at < length; at++) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const block = Float64Array.from({ length }, (_, i) => (i % 2 ? -1e308 : 1e308));
          block[at] = bad;
          expect(countNonFinite(block, cols, 10)).toEqual({ count: 1, firstRow: 10 + Math.floor(at / cols) });
        }
      }
    }
  });

  it('counts none in a block of finite values, extremes and negative zeros included', () => {
    const block = Float64Array.of(-0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 0, -0, 1);
    expect(countNonFinite(block, 7, 0)).toEqual({ count: 0, firstRow: -1 });
    expect(countNonFinite(new Float64Array(0), 7, 0)).toEqual({ count: 0, firstRow: -1 });
  });

  it('counts every non-finite value and names the row of the first', () => {
    const block = Float64Array.from({ length: 20 }, (_, i) => i);
    block[9] = NaN;
    block[10] = Infinity;
    block[19] = -Infinity;
    expect(countNonFinite(block, 4, 100)).toEqual({ count: 3, firstRow: 102 });
  });
});
