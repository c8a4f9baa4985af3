/**
 * Node-only (the CLI, through `AnalyzeOptions.analyzeInThreads`): `analyzeMoments` on two threads.
 * A helper thread (the moment pass's, when it was kept: node-thread.ts) computes the output half
 * (D_LR, NC1 and the jackknife's standard errors: eigenproblems of size C and p x p x C products)
 * while this thread computes the eigendecomposition of S_pp / n. Then both threads share the rest
 * of the spectrum half, the direction energies (the curves' targets projected on the
 * eigenvectors: blocks of directions, or one target a block, spectra.ts `energyBlocks`), block by
 * block from a shared counter, so whichever thread is free takes the next block. With an eval split,
 * the held-out curves' Gram matrix is formed by both threads (half its columns each) and the two
 * targets' solves run one a thread. Every large array the helper reads is in shared memory; nothing
 * large is copied between threads.
 */
import {
  combineMetrics,
  finishSpectrum,
  heldOutTargets,
  outputMetrics,
  planSpectrum,
  type HeldOutCurves,
  type OutputMetrics,
  type SpectrumMetrics,
  type SpectrumPlan,
} from '../core/analyze';
import {
  reducedFromStage,
  solveTridiagonal,
  type ReducedSymmetricEigen,
  type TridiagonalEigen,
} from '../core/linalg';
import { DegenerateDataError } from '../core/low-rank-measure';
import { nestedFactor, type NestedFactor } from '../core/nested-projections';
import {
  energyBlocks,
  featureCovarianceStage,
  fillDirectionEnergies,
  heldOutCurve,
  heldOutGram,
  type EnergyTarget,
  type FeatureSpectrum,
  type HeldOutTarget,
} from '../core/spectra';
import type { CheckpointMetrics, Moments } from '../core/types';
import { nodeWorkerAvailable, sharedFloat64, startNodeWorker } from './node-thread';
import { defaultPlanThresholds, metricsOnTwoThreads } from './plan';

export interface ThreadHalvesOptions {
  /** the helper thread starts from this many multiply-adds of metrics (plan.ts `metricsOnTwoThreads`) */
  minWork: number;
  /** 'worker' (worker_threads, the CLI) or 'inline' (same steps in this thread: tests) */
  backend: 'worker' | 'inline';
  /** the worker thread's script; default the bundled dist-cli/node-worker.mjs */
  workerFile?: string;
  /** false leaves every direction block to the helper (tests of the shared blocks); default true */
  mainTakesBlocks?: boolean;
  /**
   * 'when-free' (default): the helper solves the tridiagonal of S_pp / n if it is done with the
   * output half when the tridiagonal is known, else this thread does. 'after-outputs' (tests): this
   * thread waits for the output half first, so the helper always solves it.
   */
  tridiagonal?: 'when-free' | 'after-outputs';
}

export const defaultThreadHalvesOptions: ThreadHalvesOptions = {
  minWork: defaultPlanThresholds.halvesMinWork,
  backend: 'worker',
};

/** The output half as a message: errors travel as name and message (worker threads lose classes). */
export type OutputsResult =
  { ok: true; outputs: OutputMetrics } | { ok: false; name: string; message: string };

/**
 * What the helper thread posts: its output half, then one answer to each request, in order: the
 * tridiagonal's eigenpairs, that no direction block is left, that its columns of G are written, a
 * held-out curve.
 */
export type HelperMessage =
  | { kind: 'outputs'; result: OutputsResult }
  | ({ kind: 'tridiagonal' } & TridiagonalEigen)
  | { kind: 'energies' }
  | { kind: 'held-out-gram' }
  | { kind: 'held-out-curve'; curve: number[] };

/** What this thread asks of the helper once its output half is posted. */
export type HelperRequest =
  | { kind: 'tridiagonal'; diagonal: Float64Array; couplings: Float64Array }
  | { kind: 'energies'; share: EnergyShare }
  | ({ kind: 'held-out-gram' } & GramColumns)
  | { kind: 'held-out-curve'; factor: NestedFactor; target: HeldOutTarget };

/** Columns from..to-1 of the held-out curves' G, written into `gram` (shared memory). */
export interface GramColumns {
  vectors: Float64Array;
  count: number;
  evalSplit: Moments;
  from: number;
  to: number;
  gram: Float64Array;
}

function writeGramColumns({ vectors, count, evalSplit, from, to, gram }: GramColumns): void {
  heldOutGram(vectors, count, evalSplit, from, to, gram);
}

/**
 * The helper thread's side: the output half, then each request in turn (the tridiagonal, the
 * direction blocks, the held-out curves' columns of G and one of their curves) until it is stopped.
 * It marks itself free before it posts the output half (a request sent after waits in its queue), so
 * this thread knows it may hand over the tridiagonal of S_pp / n.
 */
export function serveMetricsHelper(
  fit: Moments,
  free: Int32Array,
  post: (message: HelperMessage, transfer?: ArrayBuffer[]) => void,
  onRequest: (listener: (request: HelperRequest) => void) => void,
): void {
  const result = outputsResult(fit);
  Atomics.store(free, 0, 1);
  post({ kind: 'outputs', result });
  onRequest((request) => {
    if (request.kind === 'tridiagonal') {
      const { values, vectors } = solveTridiagonal(request.diagonal, request.couplings);
      post({ kind: 'tridiagonal', values, vectors }, [
        values.buffer as ArrayBuffer,
        vectors.buffer as ArrayBuffer,
      ]);
    } else if (request.kind === 'energies') {
      fillSharedEnergies(request.share);
      post({ kind: 'energies' });
    } else if (request.kind === 'held-out-gram') {
      writeGramColumns(request);
      post({ kind: 'held-out-gram' });
    } else {
      post({ kind: 'held-out-curve', curve: heldOutCurve(request.factor, request.target) });
    }
  });
}

/** The spectrum's direction blocks as both threads see them (every array on shared memory). */
export interface EnergyShare {
  spectrum: FeatureSpectrum;
  targets: EnergyTarget[];
  energies: Float64Array[];
  /** where the eigenvectors are kept for the held-out curves (SpectrumPlan.vectors); null: not kept */
  vectors: Float64Array | null;
  /** [the next block to hand out, then a flag per block: 1 once its energies are written] */
  blocks: Int32Array;
}

export function outputsResult(fit: Moments): OutputsResult {
  try {
    return { ok: true, outputs: outputMetrics(fit) };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    return { ok: false, name, message };
  }
}

function rethrow(result: Extract<OutputsResult, { ok: false }>): never {
  if (result.name === 'DegenerateDataError') throw new DegenerateDataError(result.message);
  if (result.name === 'RangeError') throw new RangeError(result.message);
  throw new Error(result.message);
}

/** Fills the blocks of `share` that the counter hands out until none is left; both threads run it. */
export function fillSharedEnergies(share: EnergyShare): void {
  const { blocks } = share;
  let current = -1;
  const next = () => {
    // asking for the next block means the current one is written
    if (current >= 0) Atomics.store(blocks, 1 + current, 1);
    current = Atomics.add(blocks, 0, 1);
    return current;
  };
  fillDirectionEnergies(share.spectrum, share.targets, share.energies, next, share.vectors ?? undefined);
}

/** Hands out the blocks not marked written (after the helper has stopped, e.g. if it failed). */
function unwrittenBlocks(blocks: Int32Array): () => number {
  let next = 0;
  return () => {
    while (next < blocks.length - 1 && Atomics.load(blocks, 1 + next) === 1) next++;
    return next++;
  };
}

/** The second thread's side: its output half, and its share of the direction blocks. */
interface MetricsHelper {
  outputs: Promise<OutputsResult>;
  /** whether it is done with the output half, and so free to solve a tridiagonal at once */
  free(): boolean;
  /** the eigenpairs of a tridiagonal, solved on the helper; asked at most once */
  solveTridiagonal(diagonal: Float64Array, couplings: Float64Array): Promise<TridiagonalEigen>;
  /** resolves when the helper takes no more blocks (done, or stopped by an error) */
  shareEnergies(share: EnergyShare): Promise<void>;
  /** resolves once the helper has written these columns of G; rejects if it stopped */
  writeGramColumns(columns: GramColumns): Promise<void>;
  /** a held-out curve solved on the helper; rejects if it stopped */
  heldOutCurve(factor: NestedFactor, target: HeldOutTarget): Promise<number[]>;
  stop(): void;
}

/**
 * Every metric of a checkpoint on two threads; null when the work is too small to be worth a thread
 * (the caller then runs analyzeMoments). Equal to analyzeMoments: each direction is computed the same
 * way whichever thread takes its block. Throws what analyzeMoments throws, the output half's error
 * first, as the serial order does.
 */
export async function analyzeInThreads(
  fit: Moments,
  evalSplit: Moments = fit,
  options: ThreadHalvesOptions = defaultThreadHalvesOptions,
): Promise<CheckpointMetrics | null> {
  if (!metricsOnTwoThreads(fit.p, fit.c, { halvesMinWork: options.minWork })) return null;
  if (options.backend === 'worker' && !nodeWorkerAvailable(options.workerFile)) return null;
  // the helper reads both splits' moments in place
  const sharedFit = shared(fit);
  evalSplit = evalSplit === fit ? sharedFit : shared(evalSplit);
  fit = sharedFit;
  // the jackknife's per-group moments go to the helper with the output half (docs/method.md §7), in
  // shared memory like the rest, so their standard errors are computed while this thread reduces S_pp
  const outputsFit = fit.groups ? { ...fit, groups: fit.groups.map(shared) } : fit;
  const helper =
    options.backend === 'inline' ? inlineHelper(outputsFit) : workerHelper(outputsFit, options.workerFile);
  try {
    let spectra: SpectrumMetrics | null = null;
    let spectrumError: unknown = null;
    try {
      if (options.tridiagonal === 'after-outputs') await helper.outputs.catch(() => undefined);
      const plan = planSpectrum(fit, evalSplit, sharedFloat64, await reducedOnTwoThreads(fit, helper));
      const { count } = energyBlocks(plan.spectrum, plan.targets, plan.vectors !== null);
      const share: EnergyShare = {
        spectrum: plan.spectrum,
        targets: plan.targets,
        energies: plan.energies,
        vectors: plan.vectors,
        blocks: new Int32Array(new SharedArrayBuffer(4 * (1 + count))),
      };
      const helped = helper.shareEnergies(share);
      if (options.mainTakesBlocks !== false) fillSharedEnergies(share);
      await helped;
      const unwritten = unwrittenBlocks(share.blocks);
      fillDirectionEnergies(
        share.spectrum,
        share.targets,
        share.energies,
        unwritten,
        plan.vectors ?? undefined,
      );
      const heldOut = plan.vectors ? await heldOutOnTwoThreads(plan, evalSplit, helper) : undefined;
      spectra = finishSpectrum(plan, fit, evalSplit, heldOut);
    } catch (error) {
      spectrumError = error;
    }
    const outputs = await helper.outputs;
    if (!outputs.ok) rethrow(outputs);
    if (spectra === null) throw spectrumError;
    return combineMetrics(fit, evalSplit, outputs.outputs, spectra);
  } finally {
    helper.stop();
  }
}

/**
 * S_pp / n decomposed with the helper's help: as soon as the tridiagonal is known, a helper done with
 * its output half solves it while this thread forms the reflectors' blocks; otherwise this thread
 * solves it too. The same eigenpairs either way. Undefined where `featureSpectrum` does it all.
 */
async function reducedOnTwoThreads(
  fit: Moments,
  helper: MetricsHelper,
): Promise<ReducedSymmetricEigen | undefined> {
  const handed: { solved?: Promise<TridiagonalEigen> } = {};
  const stage = featureCovarianceStage(fit, sharedFloat64, (diagonal, couplings) => {
    if (helper.free()) handed.solved = helper.solveTridiagonal(diagonal, couplings);
  });
  if (!stage) return undefined;
  const tridiagonal = handed.solved ? await handed.solved : solveTridiagonal(stage.diagonal, stage.couplings);
  return reducedFromStage(stage, tridiagonal, sharedFloat64);
}

/**
 * The held-out curves (docs/method.md §4.1) with the helper: each thread writes half the columns of
 * G, this thread factors it, then each solves one target. Whatever the helper fails to do, this thread
 * does; every entry and curve is computed as on one thread, so the curves are the same to the bit.
 */
async function heldOutOnTwoThreads(
  plan: SpectrumPlan,
  evalSplit: Moments,
  helper: MetricsHelper,
): Promise<HeldOutCurves> {
  const count = plan.spectrum.rho.length;
  const vectors = plan.vectors!;
  const gram = sharedFloat64(count * count);
  const half = Math.ceil(count / 8) * 4;
  const theirs: GramColumns = { vectors, count, evalSplit, from: half, to: count, gram };
  const helped = helper.writeGramColumns(theirs).catch(() => writeGramColumns(theirs));
  writeGramColumns({ ...theirs, from: 0, to: half });
  await helped;
  const factor = nestedFactor(gram, count, sharedFloat64);
  const { mass, utilization } = heldOutTargets(plan, evalSplit);
  const solvedThere =
    mass && utilization
      ? helper.heldOutCurve(factor, utilization).catch(() => heldOutCurve(factor, utilization))
      : null;
  const massCurve = mass && heldOutCurve(factor, mass);
  const utilizationCurve = solvedThere ? await solvedThere : utilization && heldOutCurve(factor, utilization);
  return { mass: massCurve, utilization: utilizationCurve };
}

/** Tests: the output half in this thread, no blocks taken; the held-out steps asked of it run here. */
function inlineHelper(fit: Moments): MetricsHelper {
  return {
    outputs: Promise.resolve(outputsResult(fit)),
    free: () => false,
    solveTridiagonal: () => Promise.reject(new Error('the inline helper solves nothing')),
    shareEnergies: () => Promise.resolve(),
    writeGramColumns: async (columns) => writeGramColumns(columns),
    heldOutCurve: async (factor, target) => heldOutCurve(factor, target),
    stop: () => undefined,
  };
}

/**
 * Moments whose scatter is in shared memory: the thread shards (thread-shards.ts) already merge onto a
 * SharedArrayBuffer; other moments are copied there once.
 */
function shared(m: Moments): Moments {
  if (m.scatter.buffer instanceof SharedArrayBuffer) return m;
  const scatter = sharedFloat64(m.scatter.length);
  scatter.set(m.scatter);
  return { ...m, scatter };
}

/**
 * The helper on a worker thread, handed the fit moments in shared memory. It answers requests in the
 * order they are sent, so each answer settles the oldest request waiting; if the thread fails, every
 * waiting request and each later one rejects.
 */
function workerHelper(fit: Moments, workerFile?: string): MetricsHelper {
  const free = new Int32Array(new SharedArrayBuffer(4));
  const worker = startNodeWorker({ kind: 'halves', fit, free }, workerFile);
  const waiting: { answer(message: HelperMessage): void; fail(error: Error): void }[] = [];
  let failure: Error | null = null;
  const outputs = new Promise<OutputsResult>((resolve, reject) => {
    worker.on('message', (message: HelperMessage) => {
      if (message.kind === 'outputs') resolve(message.result);
      else waiting.shift()?.answer(message);
    });
    const fail = (error: Error) => {
      failure ??= error;
      reject(error);
      for (const request of waiting.splice(0)) request.fail(error);
    };
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`worker thread (halves) exited with code ${code}`)));
  });
  // awaited later, after the spectrum; a failure meanwhile must not count as unhandled
  outputs.catch(() => undefined);
  const ask = <K extends HelperRequest['kind']>(
    request: Extract<HelperRequest, { kind: K }>,
  ): Promise<Extract<HelperMessage, { kind: K }>> => {
    if (failure) return Promise.reject(failure);
    worker.postMessage(request);
    return new Promise((resolve, reject) =>
      waiting.push({
        answer: (message) => resolve(message as Extract<HelperMessage, { kind: K }>),
        fail: reject,
      }),
    );
  };
  return {
    outputs,
    free: () => Atomics.load(free, 0) === 1,
    solveTridiagonal: (diagonal, couplings) => ask({ kind: 'tridiagonal', diagonal, couplings }),
    // a helper that stops takes no more blocks: this thread then fills what is left
    shareEnergies: (share) =>
      ask({ kind: 'energies', share }).then(
        () => undefined,
        () => undefined,
      ),
    writeGramColumns: async (columns) => void (await ask({ kind: 'held-out-gram', ...columns })),
    heldOutCurve: async (factor, target) => (await ask({ kind: 'held-out-curve', factor, target })).curve,
    stop: () => void worker.terminate(),
  };
}
