/**
 * Node-only (the CLI, through `AnalyzeOptions.analyzeInParallel`): the two independent halves of
 * `analyzeMoments` (src/core/analyze.ts) on two threads. The output half (D_LR and NC1: eigenproblems
 * of size C and p x p x C products) runs in a worker thread while this thread computes the feature
 * spectrum. With C = 1000 and p = 2048 the output half is about a third of the analysis; with C = 10
 * it is negligible and the worker would only cost its start-up, so small output halves stay serial.
 */
import {
  combineMetrics,
  outputMetrics,
  spectrumMetrics,
  type OutputMetrics,
  type SpectrumMetrics,
} from '../core/analyze';
import { DegenerateDataError } from '../core/low-rank-measure';
import type { CheckpointMetrics, Moments } from '../core/types';
import { nodeWorkerAvailable, runNodeWorker } from './node-thread';

export interface ParallelAnalyzeOptions {
  /** below this many multiply-adds in the output half (p^2 C + p C^2 + C^3) it runs in this thread */
  minWork: number;
  /** 'worker' (worker_threads, the CLI) or 'inline' (same split in this thread: tests) */
  backend: 'worker' | 'inline';
  /** the worker thread's script; default the bundled dist-cli/node-worker.mjs */
  workerFile?: string;
}

export const defaultParallelAnalyzeOptions: ParallelAnalyzeOptions = { minWork: 5e8, backend: 'worker' };

/** What node-worker.ts answers to an 'outputs' task. */
export type OutputsResult =
  { ok: true; outputs: OutputMetrics } | { ok: false; name: string; message: string };

/** The output half as a message: errors travel as name and message (worker threads lose classes). */
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

/**
 * Every metric of a checkpoint, the output half on a second thread; null when the output half is too
 * small to be worth a thread (the caller then runs analyzeMoments). Throws what analyzeMoments throws,
 * the output half's error first, as the serial order does.
 */
export async function analyzeInParallel(
  fit: Moments,
  evalSplit: Moments = fit,
  options: ParallelAnalyzeOptions = defaultParallelAnalyzeOptions,
): Promise<CheckpointMetrics | null> {
  const { p, c } = fit;
  if (p * p * c + p * c * c + c * c * c < options.minWork) return null;
  if (options.backend === 'worker' && !nodeWorkerAvailable(options.workerFile)) return null;
  const pending =
    options.backend === 'inline'
      ? Promise.resolve(outputsResult(fit))
      : runOutputsWorker(fit, options.workerFile);
  let spectra: SpectrumMetrics | null = null;
  let spectrumError: unknown = null;
  try {
    spectra = spectrumMetrics(fit, evalSplit);
  } catch (error) {
    spectrumError = error;
  }
  const outputs = await pending;
  if (!outputs.ok) rethrow(outputs);
  if (spectra === null) throw spectrumError;
  return combineMetrics(fit, evalSplit, outputs.outputs, spectra);
}

/**
 * The fit moments go to the worker in shared memory, none copied in transit: the parallel moment pass
 * already merges onto a SharedArrayBuffer; other moments are copied there once.
 */
function runOutputsWorker(fit: Moments, workerFile?: string): Promise<OutputsResult> {
  let scatter = fit.scatter;
  if (!(scatter.buffer instanceof SharedArrayBuffer)) {
    scatter = new Float64Array(new SharedArrayBuffer(fit.scatter.byteLength));
    scatter.set(fit.scatter);
  }
  return runNodeWorker<OutputsResult>({ kind: 'outputs', fit: { ...fit, scatter } }, workerFile);
}
