import { describe, expect, it, vi } from 'vitest';

import { bytesByteSource } from './byte-source';
import { openNpy } from './npy';
import {
  freeRowBlockBytes,
  recycleRowBlock,
  ROW_BLOCK_IDLE_MS,
  ROW_BLOCK_POOL_BYTES,
  takeRowBlock,
} from './row-blocks';
import { zipRows } from './stream-rows';
import { buildNpy } from './testing';

/** A float64 .npy of `rows` x `cols` whose values are `seed + row * cols + col`. */
async function reader(rows: number, cols: number, seed: number) {
  const values = Float64Array.from({ length: rows * cols }, (_, i) => seed + i);
  const npy = buildNpy('<f8', [rows, cols], new Uint8Array(values.buffer));
  return (await openNpy(bytesByteSource(npy, `a${seed}.npy`))).arrays[0];
}

describe('row blocks', () => {
  it('a handed-back block is reused for the same length only, and views are never taken back', () => {
    const block = takeRowBlock(1000);
    recycleRowBlock(block);
    recycleRowBlock(block);
    const held = freeRowBlockBytes();
    expect(takeRowBlock(999)).not.toBe(block);
    expect(takeRowBlock(1000)).toBe(block);
    expect(freeRowBlockBytes()).toBe(held - block.byteLength);
    const parent = new Float64Array(2000);
    recycleRowBlock(parent.subarray(0, 1000));
    expect(takeRowBlock(1000)).not.toBe(parent.subarray(0, 1000));
  });

  it('keeps no more than its cap of free blocks', () => {
    const length = ROW_BLOCK_POOL_BYTES / 8 / 2 + 1;
    const blocks = [takeRowBlock(length), takeRowBlock(length), takeRowBlock(length)];
    blocks.forEach(recycleRowBlock);
    expect(freeRowBlockBytes()).toBeLessThanOrEqual(ROW_BLOCK_POOL_BYTES);
    const again = [takeRowBlock(length), takeRowBlock(length)];
    expect(again.filter((b) => blocks.includes(b))).toHaveLength(1);
  });

  it("zipRows with recycle reuses one pass's blocks in the next, and every block holds its own rows", async () => {
    const seen: number[][] = [];
    const firstBlocks: Float64Array[] = [];
    for (const seed of [0, 5000]) {
      const readers = [await reader(12, 3, seed), await reader(12, 2, seed + 100)];
      for await (const blocks of zipRows(readers, 4, undefined, {
        nonFinite: 'error',
        source: 'x',
        recycle: true,
      })) {
        if (seed === 0) firstBlocks.push(...blocks);
        else expect(blocks.some((b) => firstBlocks.includes(b))).toBe(true);
        seen.push([blocks[0][0], blocks[0][11], blocks[1][0], blocks[1][7]]);
      }
    }
    const expected = [0, 5000].flatMap((seed) =>
      [0, 1, 2].map((k) => [seed + 12 * k, seed + 12 * k + 11, seed + 100 + 8 * k, seed + 100 + 8 * k + 7]),
    );
    expect(seen).toEqual(expected);
  });

  it('zipRows without recycle never hands a block back', async () => {
    const before = freeRowBlockBytes();
    const kept: Float64Array[] = [];
    for await (const blocks of zipRows([await reader(8, 4, 1)], 4)) kept.push(blocks[0]);
    expect(freeRowBlockBytes()).toBe(before);
    expect(kept.map((b) => b[0])).toEqual([1, 17]);
  });

  it('lets the free blocks go once none has been used for a while', async () => {
    vi.useFakeTimers();
    try {
      // a fresh pool, whose idle timer is a fake one
      vi.resetModules();
      const pool = await import('./row-blocks');
      pool.recycleRowBlock(pool.takeRowBlock(4096));
      expect(pool.freeRowBlockBytes()).toBeGreaterThan(0);
      vi.advanceTimersByTime(ROW_BLOCK_IDLE_MS / 2);
      pool.recycleRowBlock(pool.takeRowBlock(4096));
      vi.advanceTimersByTime(ROW_BLOCK_IDLE_MS / 2 + 10);
      expect(pool.freeRowBlockBytes()).toBeGreaterThan(0);
      vi.advanceTimersByTime(ROW_BLOCK_IDLE_MS);
      expect(pool.freeRowBlockBytes()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
