/**
 * The two halves of the metrics on two threads give analyzeMoments' numbers and errors. The 'inline'
 * backend runs the same split in this thread; one test bundles node-worker.ts and uses a real thread.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { analyzeMoments, outputMetrics } from '../core/analyze';
import type { Moments } from '../core/types';
import { DegenerateDataError } from '../core/low-rank-measure';
import { createMomentAccumulator } from '../core/moments';
import { createNormal, createRandom } from '../core/random';
import { solveTridiagonal } from '../core/linalg';
import { nestedFactor } from '../core/nested-projections';
import { heldOutCurve, heldOutGram, heldOutTarget } from '../core/spectra';
import {
  analyzeInThreads,
  serveMetricsHelper,
  type HelperMessage,
  type HelperRequest,
} from './thread-halves';
import { temporaryFolder } from '../io/testing';
import { bundleNodeWorker } from './testing';

const inline = { minWork: 0, backend: 'inline' } as const;

/** Moments with the jackknife's 10 groups, as the moment pass keeps them for a fit split. */
function checkpoint(n: number, p: number, c: number, seed: number, constantOutputs = false) {
  const normal = createNormal(createRandom(seed));
  const features = Float64Array.from({ length: n * p }, () => Math.max(0, normal()));
  const logits = Float64Array.from({ length: n * c }, (_, i) =>
    constantOutputs ? 1 : normal() + features[i % (n * p)],
  );
  const labels = Array.from({ length: n }, (_, i) => i % c);
  const accumulator = createMomentAccumulator(
    { p, c, targets: { kind: 'onehot', classes: c } },
    { precision: 'float64', groups: 10 },
  );
  accumulator.add({ rows: n, features, logits, labels });
  return accumulator.result();
}

/**
 * A stand-in helper thread: a script that posts `fit`'s output half, then runs `onRequests` (the
 * script's own source, with `parentPort` in scope) to answer or refuse what it is asked.
 */
function scriptedHelper(name: string, fit: Moments, onRequests: string): string {
  const outputs: HelperMessage = { kind: 'outputs', result: { ok: true, outputs: outputMetrics(fit) } };
  const workerFile = join(temporaryFolder('richscope-helper-'), `${name}.mjs`);
  writeFileSync(
    workerFile,
    `import { parentPort } from 'node:worker_threads';
parentPort.postMessage(${JSON.stringify(outputs)});
${onRequests}`,
  );
  return workerFile;
}

describe('analyzeInThreads', () => {
  it('equals analyzeMoments, with and without an eval split', async () => {
    const fit = checkpoint(300, 12, 4, 1);
    const evalSplit = checkpoint(200, 12, 4, 2);
    expect(await analyzeInThreads(fit, fit, inline)).toEqual(analyzeMoments(fit));
    const heldOut = analyzeMoments(fit, evalSplit);
    expect(await analyzeInThreads(fit, evalSplit, inline)).toEqual(heldOut);
    expect(heldOut.dlrStdErr).toBeGreaterThan(0);
  });

  it('stays serial (null) when the output half is small', async () => {
    const fit = checkpoint(300, 12, 4, 1);
    expect(await analyzeInThreads(fit, fit, { minWork: 1e9, backend: 'inline' })).toBeNull();
  });

  it('raises the output half’s error as analyzeMoments does (constant outputs)', async () => {
    const fit = checkpoint(50, 6, 3, 3, true);
    expect(() => analyzeMoments(fit)).toThrow(DegenerateDataError);
    await expect(analyzeInThreads(fit, fit, inline)).rejects.toThrow(DegenerateDataError);
  });

  it('raises the spectrum half’s error when only it fails (eval split of another width)', async () => {
    const fit = checkpoint(300, 12, 4, 1);
    const other = checkpoint(300, 10, 4, 1);
    expect(() => analyzeMoments(fit, other)).toThrow(RangeError);
    await expect(analyzeInThreads(fit, other, inline)).rejects.toThrow(RangeError);
  });

  it('on a real worker thread (the bundled node-worker): the same metrics, the same errors', async () => {
    const worker = { minWork: 0, backend: 'worker' as const, workerFile: await bundleNodeWorker() };
    const fit = checkpoint(300, 12, 4, 1);
    expect(await analyzeInThreads(fit, fit, worker)).toEqual(analyzeMoments(fit));
    const evalSplit = checkpoint(200, 12, 4, 2);
    expect(await analyzeInThreads(fit, evalSplit, worker)).toEqual(analyzeMoments(fit, evalSplit));
    const constant = checkpoint(50, 6, 3, 3, true);
    await expect(analyzeInThreads(constant, constant, worker)).rejects.toThrow(DegenerateDataError);
  });

  // p = 600: three direction blocks of 256, all left to the helper thread (with an eval split, the
  // eigenvectors and projections of the held-out curves are written by it too)
  it('the helper thread alone fills every direction block: the same metrics', async () => {
    const workerFile = await bundleNodeWorker();
    const fit = checkpoint(700, 600, 5, 4);
    const evalSplit = checkpoint(300, 600, 5, 5);
    const helperOnly = { minWork: 0, backend: 'worker' as const, workerFile, mainTakesBlocks: false };
    expect(await analyzeInThreads(fit, fit, helperOnly)).toEqual(analyzeMoments(fit));
    expect(await analyzeInThreads(fit, evalSplit, helperOnly)).toEqual(analyzeMoments(fit, evalSplit));
  });

  // p = 600, above divide and conquer's leaf size: the helper, done with its output half, solves the
  // tridiagonal of S_pp / n while this thread forms the reflectors
  it('the helper thread solves the tridiagonal: the same metrics', async () => {
    const workerFile = await bundleNodeWorker();
    const fit = checkpoint(700, 600, 5, 4);
    const evalSplit = checkpoint(300, 600, 5, 5);
    const helperSolves = {
      minWork: 0,
      backend: 'worker' as const,
      workerFile,
      tridiagonal: 'after-outputs' as const,
    };
    expect(await analyzeInThreads(fit, fit, helperSolves)).toEqual(analyzeMoments(fit));
    expect(await analyzeInThreads(fit, evalSplit, helperSolves)).toEqual(analyzeMoments(fit, evalSplit));
  });

  it('the helper is free before its output half is posted, and answers with the eigenpairs', () => {
    const fit = checkpoint(300, 12, 4, 1);
    const free = new Int32Array(new SharedArrayBuffer(4));
    const posted: HelperMessage[] = [];
    let listener: (request: HelperRequest) => void = () => undefined;
    serveMetricsHelper(
      fit,
      free,
      (message) => {
        if (message.kind === 'outputs') expect(Atomics.load(free, 0)).toBe(1);
        posted.push(message);
      },
      (listen) => (listener = listen),
    );
    expect(posted.map((m) => m.kind)).toEqual(['outputs']);
    const diagonal = Float64Array.from({ length: 80 }, (_, i) => Math.sin(i) + 2);
    const couplings = Float64Array.from({ length: 79 }, (_, i) => Math.cos(i) / 3);
    listener({ kind: 'tridiagonal', diagonal, couplings });
    const answer = posted[1];
    const expected = solveTridiagonal(diagonal, couplings);
    expect(answer.kind === 'tridiagonal' && Array.from(answer.values)).toEqual(Array.from(expected.values));
    expect(answer.kind === 'tridiagonal' && Array.from(answer.vectors)).toEqual(Array.from(expected.vectors));
  });

  it('writes the columns of G it is asked for, and solves a held-out curve, as this thread would', () => {
    const fit = checkpoint(300, 12, 4, 1);
    const evalSplit = checkpoint(200, 12, 4, 2);
    const normal = createNormal(createRandom(7));
    const vectors = Float64Array.from({ length: 12 * 12 }, normal);
    const posted: HelperMessage[] = [];
    let listener: (request: HelperRequest) => void = () => undefined;
    const free = new Int32Array(new SharedArrayBuffer(4));
    serveMetricsHelper(
      fit,
      free,
      (message) => posted.push(message),
      (listen) => (listener = listen),
    );
    const gram = new Float64Array(12 * 12);
    listener({ kind: 'held-out-gram', vectors, count: 12, evalSplit, from: 4, to: 12, gram });
    expect(posted[1]).toEqual({ kind: 'held-out-gram' });
    const full = heldOutGram(vectors, 12, evalSplit);
    for (let i = 0; i < 12; i++) {
      expect(Array.from(gram.subarray(i * 12, i * 12 + 4))).toEqual([0, 0, 0, 0]);
      expect(Array.from(gram.subarray(i * 12 + 4, i * 12 + 12))).toEqual(
        Array.from(full.subarray(i * 12 + 4, i * 12 + 12)),
      );
    }
    const factor = nestedFactor(full, 12);
    const target = heldOutTarget(Float64Array.from({ length: 12 * 4 }, normal), evalSplit, 'f')!;
    listener({ kind: 'held-out-curve', factor, target });
    expect(posted[2]).toEqual({ kind: 'held-out-curve', curve: heldOutCurve(factor, target) });
  });

  it('forms the held-out curves itself when the helper stops at them', async () => {
    const fit = checkpoint(700, 600, 5, 4);
    const evalSplit = checkpoint(300, 600, 5, 5);
    // a helper that answers the output half and the direction blocks (taking none), then exits when
    // asked for its columns of G
    const workerFile = scriptedHelper(
      'held-out-stopping-helper',
      fit,
      `parentPort.on('message', (request) =>
  request.kind === 'energies' ? parentPort.postMessage({ kind: 'energies' }) : process.exit(3));`,
    );
    const stopping = { minWork: 0, backend: 'worker' as const, workerFile };
    expect(await analyzeInThreads(fit, evalSplit, stopping)).toEqual(analyzeMoments(fit, evalSplit));
  });

  it('fills the blocks itself when the helper stops after its output half', async () => {
    const fit = checkpoint(700, 600, 5, 4);
    // a helper that answers the output half, then exits when handed the blocks
    const workerFile = scriptedHelper(
      'stopping-helper',
      fit,
      `parentPort.once('message', () => process.exit(3));`,
    );
    const stopping = { minWork: 0, backend: 'worker' as const, workerFile, mainTakesBlocks: false };
    expect(await analyzeInThreads(fit, fit, stopping)).toEqual(analyzeMoments(fit));
    // with an eval split, the held-out curves are then formed here too
    const evalSplit = checkpoint(300, 600, 5, 5);
    expect(await analyzeInThreads(fit, evalSplit, stopping)).toEqual(analyzeMoments(fit, evalSplit));
  });
});
