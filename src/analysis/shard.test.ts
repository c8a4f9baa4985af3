/** The shard protocol over an in-memory reader: any cut of the rows merges to the whole pass. */
import { describe, expect, it } from 'vitest';

import { momentsOf } from '../core/moments';
import { createNormal, createRandom } from '../core/random';
import type { Moments } from '../core/types';
import { sharedChunkSizes } from './plan';
import { accumulateShard, mergeShards, type ReadShardRows, type ShardTask } from './shard';

const [n, p, c] = [203, 5, 3];
const normal = createNormal(createRandom(11));
const features = Float64Array.from({ length: n * p }, () => Math.max(0, normal()) + 2);
const logits = Float64Array.from({ length: n * c }, () => normal());
const labels = Float64Array.from({ length: n }, (_, i) => i % c);
const whole = momentsOf(features, logits, n, { labels: Array.from(labels), classes: c });

/** Reads rows from the arrays above, recording every (start, rows) asked. */
function memoryReader(reads: [number, number][] = [], poisonRow = -1): ReadShardRows {
  return async (start, rows) => {
    reads.push([start, rows]);
    const block = features.slice(start * p, (start + rows) * p);
    if (poisonRow >= start && poisonRow < start + rows) block[(poisonRow - start) * p] = NaN;
    return [block, logits.subarray(start * c, (start + rows) * c), labels.subarray(start, start + rows)];
  };
}

const task = (start: number, end: number, extra: Partial<ShardTask> = {}): ShardTask => ({
  split: 'fit',
  start,
  end,
  shape: { p, c, targets: { kind: 'onehot', classes: c } },
  precision: 'float64',
  chunkRows: 16,
  ...extra,
});

async function moments(shard: ShardTask, read = memoryReader()): Promise<Moments> {
  const result = await accumulateShard(shard, read);
  if (result.kind !== 'moments') throw new Error('non-finite');
  return result.moments;
}

/** Largest scatter difference relative to the whole pass's largest entry. */
function deviation(a: Moments, b: Moments): number {
  const scale = Math.max(...b.scatter.map(Math.abs));
  return Math.max(...a.scatter.map((x, i) => Math.abs(x - b.scatter[i]))) / scale;
}

describe('accumulateShard', () => {
  it('reads its chunks in order, full but the last, and reports the rows done', async () => {
    const reads: [number, number][] = [];
    const done: number[] = [];
    const result = await accumulateShard(task(10, 60), memoryReader(reads), { onRows: (r) => done.push(r) });
    expect(reads).toEqual([
      [10, 16],
      [26, 16],
      [42, 16],
      [58, 2],
    ]);
    expect(done).toEqual([16, 32, 48, 50]);
    expect(result.kind === 'moments' && result.moments.n).toBe(50);
  });

  it('merges shards of any cut, in row order, to the whole pass', async () => {
    for (const edges of [
      [0, n],
      [0, 1, n],
      [0, 70, 71, 150, n],
    ]) {
      const parts = await Promise.all(edges.slice(1).map((end, k) => moments(task(edges[k], end))));
      const merged = mergeShards(parts);
      expect(merged.n).toBe(n);
      expect(merged.correct).toBe(whole.correct);
      expect(deviation(merged, whole)).toBeLessThan(1e-14);
    }
  });

  it('two runners sharing a shard take every chunk once, from either end', async () => {
    const claims = new Int32Array(new SharedArrayBuffer(4));
    const frontReads: [number, number][] = [];
    const backReads: [number, number][] = [];
    const sizes = sharedChunkSizes(n, 16);
    // the front runner stops after 5 claims (the counter says the rest are taken)
    claims[0] = sizes.length - 5;
    const front = await moments(task(0, n, { share: { claims, from: 'front' } }), memoryReader(frontReads));
    claims[0] = 5;
    const back = await moments(task(0, n, { share: { claims, from: 'back' } }), memoryReader(backReads));
    expect(frontReads).toEqual([
      [0, 16],
      [16, 16],
      [32, 16],
      [48, 16],
      [64, 16],
    ]);
    // the back runner's chunks, last first: the layout's sizes from the end, shrinking toward the middle
    expect(backReads.map(([, rows]) => rows)).toEqual(sizes.slice(5).reverse());
    expect(backReads[0]).toEqual([n - 16, 16]);
    expect(front.n + back.n).toBe(n);
    expect(deviation(mergeShards([front, back]), whole)).toBeLessThan(1e-14);
  });

  it('ends as non-finite at a block holding NaN', async () => {
    const reads: [number, number][] = [];
    expect(await accumulateShard(task(0, n), memoryReader(reads, 40))).toEqual({ kind: 'non-finite' });
    expect(reads).toHaveLength(3);
  });

  it('stops when its signal is aborted', async () => {
    await expect(
      accumulateShard(task(0, n), memoryReader(), { signal: AbortSignal.abort() }),
    ).rejects.toThrow();
  });
});

describe('mergeShards', () => {
  it('leaves its parts alone, or folds into the first when asked', async () => {
    const parts = [await moments(task(0, 100)), await moments(task(100, n))];
    const firstScatter = parts[0].scatter.slice();
    expect(mergeShards(parts).n).toBe(n);
    expect(parts[0].scatter).toEqual(firstScatter);
    const merged = mergeShards(parts, 'into-first');
    expect(merged).toBe(parts[0]);
    expect(merged.n).toBe(n);
    expect(deviation(merged, whole)).toBeLessThan(1e-14);
  });

  it('gets upper triangles from the shards and returns every scatter whole, one part or several', async () => {
    const grouped = async (start: number, end: number) => moments(task(start, end, { groups: 4 }));
    const symmetric = (m: Moments) => {
      const width = m.mean.length;
      for (let row = 0; row < width; row++)
        for (let col = 0; col < row; col++)
          if (m.scatter[row * width + col] !== m.scatter[col * width + row]) return false;
      return true;
    };
    const part = await grouped(0, 203);
    // a shard leaves the lower triangles unmirrored: the merge's mirror is what makes them whole
    expect(symmetric(part)).toBe(false);
    expect(part.groups!.some((group) => !symmetric(group))).toBe(true);
    for (const merged of [mergeShards([part]), mergeShards([await grouped(0, 90), await grouped(90, 203)])]) {
      expect(symmetric(merged)).toBe(true);
      expect(merged.groups).toHaveLength(4);
      expect(merged.groups!.every(symmetric)).toBe(true);
      expect(deviation(merged, whole)).toBeLessThan(1e-13);
    }
  });

  it('refuses an empty list', () => {
    expect(() => mergeShards([])).toThrow(/no shards/);
  });
});
