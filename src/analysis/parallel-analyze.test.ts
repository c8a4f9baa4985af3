/**
 * The two halves of the metrics on two threads give analyzeMoments' numbers and errors. The 'inline'
 * backend runs the same split in this thread; one test bundles node-worker.ts and uses a real thread.
 */
import { describe, expect, it } from 'vitest';

import { analyzeMoments } from '../core/analyze';
import { DegenerateDataError } from '../core/low-rank-measure';
import { momentsOf } from '../core/moments';
import { createNormal, createRandom } from '../core/random';
import { analyzeInParallel } from './parallel-analyze';
import { bundleNodeWorker } from './testing';

const inline = { minWork: 0, backend: 'inline' } as const;

function checkpoint(n: number, p: number, c: number, seed: number, constantOutputs = false) {
  const normal = createNormal(createRandom(seed));
  const features = Float64Array.from({ length: n * p }, () => Math.max(0, normal()));
  const logits = Float64Array.from({ length: n * c }, (_, i) =>
    constantOutputs ? 1 : normal() + features[i % (n * p)],
  );
  const labels = Array.from({ length: n }, (_, i) => i % c);
  return momentsOf(features, logits, n, { labels, classes: c });
}

describe('analyzeInParallel', () => {
  it('equals analyzeMoments, with and without an eval split', async () => {
    const fit = checkpoint(300, 12, 4, 1);
    const evalSplit = checkpoint(200, 12, 4, 2);
    expect(await analyzeInParallel(fit, fit, inline)).toEqual(analyzeMoments(fit));
    expect(await analyzeInParallel(fit, evalSplit, inline)).toEqual(analyzeMoments(fit, evalSplit));
  });

  it('stays serial (null) when the output half is small', async () => {
    const fit = checkpoint(300, 12, 4, 1);
    expect(await analyzeInParallel(fit, fit, { minWork: 1e9, backend: 'inline' })).toBeNull();
  });

  it('raises the output half’s error as analyzeMoments does (constant outputs)', async () => {
    const fit = checkpoint(50, 6, 3, 3, true);
    expect(() => analyzeMoments(fit)).toThrow(DegenerateDataError);
    await expect(analyzeInParallel(fit, fit, inline)).rejects.toThrow(DegenerateDataError);
  });

  it('raises the spectrum half’s error when only it fails (eval split of another width)', async () => {
    const fit = checkpoint(300, 12, 4, 1);
    const other = checkpoint(300, 10, 4, 1);
    expect(() => analyzeMoments(fit, other)).toThrow(RangeError);
    await expect(analyzeInParallel(fit, other, inline)).rejects.toThrow(RangeError);
  });

  it('on a real worker thread (the bundled node-worker): the same metrics, the same errors', async () => {
    const worker = { minWork: 0, backend: 'worker' as const, workerFile: await bundleNodeWorker() };
    const fit = checkpoint(300, 12, 4, 1);
    expect(await analyzeInParallel(fit, fit, worker)).toEqual(analyzeMoments(fit));
    const constant = checkpoint(50, 6, 3, 3, true);
    await expect(analyzeInParallel(constant, constant, worker)).rejects.toThrow(DegenerateDataError);
  });
});
