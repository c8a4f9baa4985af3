/**
 * The jackknife's group scatters are reused from one checkpoint to the next in a thread: a checkpoint
 * analysed after others of its width gives the same bytes as when analysed first.
 */
import { describe, expect, it } from 'vitest';

import { bytesByteSource } from '../io/byte-source';
import { encodeNpz } from '../train/npz-writer';
import { analyzeCheckpoint } from './analyze-checkpoint';

function checkpoint(seed: number): Uint8Array {
  const n = 240;
  const features = new Float64Array(n * 9);
  const logits = new Float64Array(n * 3);
  const labels = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 9; j++) features[i * 9 + j] = Math.max(0, Math.sin(seed * 1.7 + i * 0.61 + j * 1.3));
    for (let j = 0; j < 3; j++) logits[i * 3 + j] = features[i * 9 + j] - 0.5 * features[i * 9 + j + 5];
    labels[i] = BigInt((i * 5 + seed) % 3);
  }
  return encodeNpz({
    features: { data: features, shape: [n, 9] },
    logits: { data: logits, shape: [n, 3] },
    labels: { data: labels, shape: [n] },
  });
}

const analyse = (seed: number) =>
  analyzeCheckpoint({ fit: [bytesByteSource(checkpoint(seed), `step_${seed}.npz`)] }, { chunkRows: 50 });

describe('group scatters reused across checkpoints', () => {
  it('gives a checkpoint the same metrics and moments after other checkpoints as before them', async () => {
    const first = await analyse(1);
    expect(first.metrics.dlrStdErr).toBeGreaterThan(0);
    for (const seed of [2, 3, 2]) await analyse(seed);
    const again = await analyse(1);
    expect(again.metrics).toEqual(first.metrics);
    expect(Array.from(again.fit.scatter)).toEqual(Array.from(first.fit.scatter));
    // a different checkpoint really gives different errors: the test would see stale groups
    const other = await analyse(2);
    expect(other.metrics.dlrStdErr).not.toBe(first.metrics.dlrStdErr);
  });
});
