/**
 * One checkpoint sharded across the analysis workers, as a job over any pool that runs calls of the
 * analysis API (the bridge's WorkerPool; a fake in the tests): every shard of the plan at once, then
 * the merge and the metrics in one worker, or in two halves on two workers (src/analysis/plan.ts).
 * The main thread only sums the rows done for the progress bar and moves buffers (always transferred).
 */
import * as Comlink from 'comlink';
import type { PoolPlan } from '../analysis/plan';
import { momentBuffers, type Moments } from '../core/types';
import type {
  AnalysisApi,
  AnalysisOutcome,
  AnalysisProgress,
  AnalyzeFilesRequest,
  AnalyzedFiles,
  ShardableCheckpoint,
  ShardParts,
  ShardResult,
  ShardTask,
} from '../../workers/analysis.worker';
import { abortError } from './worker-pool';

/** What the job needs of a pool: a call of the analysis API on its next free worker. */
export interface AnalysisPool {
  call<T>(work: (api: AnalysisApi) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** A job's progress: the worker's, summed over its shards when the checkpoint is sharded. */
export interface JobProgress extends AnalysisProgress {
  /** workers reading this checkpoint right now (1 on the single-worker path) */
  workers: number;
}

export interface ShardJobOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** store the checkpoint's moments from the worker that makes the final ones */
  persist: boolean;
}

/**
 * The tasks of a plan: each shard with its split's shape, Gram kernel and block rows, and for the fit
 * split the jackknife's groups.
 */
export function shardTasks(checkpoint: ShardableCheckpoint, plan: PoolPlan): ShardTask[] {
  return plan.shards.map((shard) => {
    const size = checkpoint[shard.split]!;
    const pass = plan[shard.split]!;
    const groups = shard.split === 'fit' ? (checkpoint.jackknife?.groups ?? 0) : 0;
    return { ...shard, shape: size.shape, precision: pass.precision, chunkRows: pass.chunkRows, groups };
  });
}

/**
 * Every shard of the plan on the pool at once, then the merge and the metrics. Null when a shard
 * declines (NaN/Inf rows) or fails: the caller then runs the single-worker path, whose messages are
 * the ones users see. All calls share one signal: cancelling rejects with an AbortError and, through
 * the pool, terminates every worker running one of the job's shards.
 */
export async function runShardJob(
  pool: AnalysisPool,
  request: AnalyzeFilesRequest,
  checkpoint: ShardableCheckpoint,
  plan: PoolPlan,
  options: ShardJobOptions,
): Promise<AnalysisOutcome<AnalyzedFiles> | null> {
  const { signal, onProgress, persist } = options;
  const tasks = shardTasks(checkpoint, plan);
  // one signal for the job's shards: the user's cancel, or a shard that declined
  const shards = new AbortController();
  const stopShards = () => shards.abort();
  signal?.addEventListener('abort', stopShards, { once: true });
  const rowsDone = tasks.map(() => 0);
  const rowsTotal = checkpoint.fit.rows + (checkpoint.eval?.rows ?? 0);
  let running = 0;
  // a shard's last progress message may arrive after its result (another port): once every shard
  // is settled, late ones must not move the bar back to reading
  let settledAll = false;
  const report = (phase: JobProgress['phase'], workers = running) =>
    onProgress?.({
      phase,
      rowsDone: rowsDone.reduce((a, b) => a + b, 0),
      rowsTotal,
      file: checkpoint.source,
      workers,
    });
  const accumulate = (task: ShardTask, k: number) =>
    pool
      .call(async (api) => {
        running++;
        report('read');
        try {
          const onRows = (rows: number) => {
            if (settledAll) return;
            rowsDone[k] = rows;
            report('read');
          };
          return await api.accumulateShard(request, task, Comlink.proxy(onRows));
        } finally {
          running--;
        }
      }, shards.signal)
      .then((outcome) => {
        if (outcome.ok && outcome.value.kind === 'moments') rowsDone[k] = task.end - task.start;
        else shards.abort();
        return outcome;
      });
  const settled = await Promise.allSettled(tasks.map(accumulate));
  settledAll = true;
  signal?.removeEventListener('abort', stopShards);
  if (signal?.aborted) throw abortError();
  const parts: Moments[] = [];
  for (const result of settled) {
    const value: ShardResult | null =
      result.status === 'fulfilled' && result.value.ok ? result.value.value : null;
    if (value?.kind !== 'moments') return null;
    parts.push(value.moments);
  }
  const split: ShardParts = {
    fit: parts.filter((_, k) => tasks[k].split === 'fit'),
    eval: checkpoint.eval ? parts.filter((_, k) => tasks[k].split === 'eval') : null,
  };
  report('compute', 1);
  if (plan.metrics === 'whole')
    return pool.call(
      (api) => api.finishShards(checkpoint, Comlink.transfer(split, momentBuffers(...parts)), persist),
      signal,
    );
  return finishInHalves(pool, checkpoint, split, { signal, persist }, (workers) =>
    report('compute', workers),
  );
}

/**
 * The metrics in two halves on two workers, as the CLI computes them (src/analysis/thread-halves.ts):
 * merge (with a copy of the fit moments made in the worker), then the output half (D_LR, NC1) and
 * the spectrum half side by side, then their assembly. Every buffer moves by transfer. The spectrum
 * half stores the moments (persist) while it computes; they are deleted again if the checkpoint then
 * fails.
 */
async function finishInHalves(
  pool: AnalysisPool,
  checkpoint: ShardableCheckpoint,
  parts: ShardParts,
  { signal, persist }: { signal?: AbortSignal; persist: boolean },
  report: (workers: number) => void,
): Promise<AnalysisOutcome<AnalyzedFiles>> {
  const buffers = momentBuffers(...parts.fit, ...(parts.eval ?? []));
  const merged = await pool.call(
    (api) => api.mergeShards(checkpoint, Comlink.transfer(parts, buffers)),
    signal,
  );
  if (!merged.ok) return merged;
  const { fit, eval: evalMoments, fitCopy } = merged.value;
  report(2);
  const [outputs, spectra] = await Promise.all([
    pool.call((api) => api.outputHalf(checkpoint, Comlink.transfer(fitCopy, momentBuffers(fitCopy))), signal),
    pool.call(
      (api) =>
        api.spectrumHalf(
          checkpoint,
          Comlink.transfer({ fit, eval: evalMoments }, momentBuffers(fit, evalMoments)),
          persist,
        ),
      signal,
    ),
  ]);
  // moments the spectrum half stored for a checkpoint that then fails (or is cancelled): deleted again
  const key = spectra.ok ? spectra.value.stored.momentsKey : null;
  const forgetStored = () => {
    if (key) void pool.call((api) => api.forgetMoments([key])).catch(() => undefined);
  };
  // the output half's error first, as analyzeMoments raises it first
  if (!outputs.ok) {
    forgetStored();
    return outputs;
  }
  if (!spectra.ok) return spectra;
  report(1);
  const { spectra: spectrum, stored, ...moments } = spectra.value;
  const back = momentBuffers(moments.fit, moments.eval);
  try {
    const combined = await pool.call(
      (api) =>
        api.combineHalves(checkpoint, Comlink.transfer(moments, back), outputs.value, spectrum, stored),
      signal,
    );
    if (!combined.ok) forgetStored();
    return combined;
  } catch (error) {
    forgetStored();
    throw error;
  }
}
