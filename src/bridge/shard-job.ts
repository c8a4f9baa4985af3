/**
 * One checkpoint sharded across the analysis workers, as a job over any pool that runs calls of the
 * analysis API (the bridge's WorkerPool; a fake in the tests): every shard of the plan at once, then
 * the merge and the metrics in one worker, or in two halves on two workers (src/analysis/plan.ts).
 * The main thread only sums the rows done for the progress bar and moves buffers (always transferred).
 */
import * as Comlink from 'comlink';
import {
  createEnergyRelay,
  energyWorkBuffers,
  helperEnergiesBuffers,
  type EnergyRelay,
  type MainEnergyRelay,
} from '../analysis/energy-relay';
import { sharedChunkSizes, type PoolPlan } from '../analysis/plan';
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
  return plan.shards.map(({ from, ...shard }) => {
    const size = checkpoint[shard.split]!;
    const pass = plan[shard.split]!;
    const groups = shard.split === 'fit' ? (checkpoint.jackknife?.groups ?? 0) : 0;
    const task = {
      ...shard,
      shape: size.shape,
      precision: pass.precision,
      chunkRows: pass.chunkRows,
      groups,
    };
    return from ? { ...task, share: { from } } : task;
  });
}

/**
 * The chunk counters of the shared shards, one per pair of tasks over the same rows: each claim lets
 * one runner take one more chunk until the shard's chunks are all taken.
 */
function chunkClaims(): (task: ShardTask) => (() => boolean) | undefined {
  const claimed = new Map<string, number>();
  const key = (task: ShardTask) => `${task.split}:${task.start}`;
  return (task) => {
    if (!task.share) return undefined;
    const chunks = sharedChunkSizes(task.end - task.start, task.chunkRows).length;
    return () => {
      const taken = claimed.get(key(task)) ?? 0;
      claimed.set(key(task), taken + 1);
      return taken < chunks;
    };
  };
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
  const claimOf = chunkClaims();
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
          const claim = claimOf(task);
          return await api.accumulateShard(
            request,
            task,
            Comlink.proxy(onRows),
            claim && Comlink.proxy(claim),
          );
        } finally {
          running--;
        }
      }, shards.signal)
      .then((outcome) => {
        // the rows this runner took: a shared shard's are split between its two runners
        if (outcome.ok && outcome.value.kind === 'moments') rowsDone[k] = outcome.value.moments.n;
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
 * merge (with copies made in the worker for the output half), then the output half (D_LR, NC1) and
 * the spectrum half side by side, then their assembly. The output half's worker, once its half is
 * done, stores the moments (persist) and takes direction blocks of the spectrum half through a relay
 * on this thread (src/analysis/energy-relay.ts). Every buffer moves by transfer. Moments stored for a
 * checkpoint that then fails are deleted again.
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
    (api) => api.mergeShards(checkpoint, Comlink.transfer(parts, buffers), persist),
    signal,
  );
  if (!merged.ok) return merged;
  const { fit, eval: evalMoments, fitCopy, evalCopy } = merged.value;
  report(2);
  const relay = createEnergyRelay();
  const store = persist ? { eval: evalCopy } : null;
  const [outputs, spectra] = await Promise.all([
    pool
      .call(
        (api) =>
          api.outputHalf(
            checkpoint,
            Comlink.transfer(fitCopy, momentBuffers(fitCopy)),
            store && Comlink.transfer(store, momentBuffers(evalCopy)),
            Comlink.proxy(relayForWorkers(relay)),
          ),
        signal,
      )
      .finally(() => relay.ended('helper')),
    pool
      .call(
        (api) =>
          api.spectrumHalf(
            checkpoint,
            Comlink.transfer({ fit, eval: evalMoments }, momentBuffers(fit, evalMoments)),
            Comlink.proxy(relayForWorkers(relay)),
          ),
        signal,
      )
      .finally(() => relay.ended('spectrum')),
  ]);
  const key = outputs.ok ? outputs.value.stored.momentsKey : null;
  const forgetStored = () => {
    if (key) void pool.call((api) => api.forgetMoments([key])).catch(() => undefined);
  };
  // the output half's error first, as analyzeMoments raises it first
  if (!outputs.ok) return outputs;
  if (!spectra.ok) {
    forgetStored();
    return spectra;
  }
  report(1);
  const { spectra: spectrum, ...moments } = spectra.value;
  const back = momentBuffers(moments.fit, moments.eval);
  try {
    const combined = await pool.call(
      (api) =>
        api.combineHalves(
          checkpoint,
          Comlink.transfer(moments, back),
          outputs.value.outputs,
          spectrum,
          outputs.value.stored,
        ),
      signal,
    );
    if (!combined.ok) forgetStored();
    return combined;
  } catch (error) {
    forgetStored();
    throw error;
  }
}

/**
 * The relay as the workers call it: what it hands one worker from the other moves (the sender made
 * copies for it) instead of being cloned on this thread.
 */
function relayForWorkers(relay: MainEnergyRelay): EnergyRelay {
  return {
    offer: (work, count) => relay.offer(work, count),
    claim: (side) => relay.claim(side),
    helped: async () => {
      const outcome = await relay.helped();
      return Comlink.transfer(outcome, helperEnergiesBuffers(outcome.done));
    },
    take: async () => {
      const work = await relay.take();
      return Comlink.transfer(work, energyWorkBuffers(work));
    },
    deliver: (done) => relay.deliver(done),
  };
}
