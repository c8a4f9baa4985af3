import { describe, expect, it } from 'vitest';
import { defaultBatchLimits, planBatches, type BatchLimits } from './batches';

const small = (bytes = 100) => ({ bytes, shardable: false });
const limits: BatchLimits = {
  checkpointBytes: 1000,
  batchBytes: 450,
  batchCheckpoints: 4,
  batchesPerWorker: 2,
};

describe('planBatches', () => {
  it('batches small checkpoints in their order, up to the checkpoint limit', () => {
    const checkpoints = Array.from({ length: 20 }, () => small());
    expect(planBatches(checkpoints, 2, limits)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
      [12, 13, 14, 15],
      [16, 17, 18, 19],
    ]);
  });

  it('makes batches small enough for every worker to take several', () => {
    // 8 checkpoints, 2 workers, 2 batches each: batches of 2
    expect(
      planBatches(
        Array.from({ length: 8 }, () => small(10)),
        2,
        limits,
      ),
    ).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    expect(planBatches([small()], 2, limits)).toEqual([[0]]);
  });

  it('sizes a slice of a drop by the whole drop: a slice of 8 of 20 checkpoints in batches of 4, not 2', () => {
    const slice = Array.from({ length: 8 }, () => small(10));
    expect(planBatches(slice, 2, limits)).toHaveLength(4);
    expect(planBatches(slice, 2, limits, 20)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it('keeps big and shardable checkpoints on their own and caps a batch at its bytes', () => {
    const checkpoints = [
      small(200),
      small(200),
      small(200),
      { bytes: 1000, shardable: false },
      small(),
      { bytes: 10, shardable: true },
      small(),
    ];
    expect(planBatches(checkpoints, 1, { ...limits, batchesPerWorker: 1 })).toEqual([
      [0, 1],
      [3],
      [5],
      [2, 4, 6],
    ]);
  });

  it('by default: a 30 x 10 sweep of 2 MB checkpoints on 2 workers takes dozens of calls, not 300', () => {
    const calls = planBatches(
      Array.from({ length: 300 }, () => small(2.2e6)),
      2,
      defaultBatchLimits,
    );
    expect(calls.flat()).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(calls.length).toBeGreaterThanOrEqual(8);
    expect(calls.length).toBeLessThanOrEqual(40);
  });
});
