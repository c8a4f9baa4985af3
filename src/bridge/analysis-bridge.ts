/**
 * The main thread's only way to the analysis workers (see README.md beside this file): a pool of
 * `workers/analysis.worker.ts` (worker-pool.ts) and the choice, per checkpoint, between one worker and
 * a shard job across the pool (shard-job.ts), made by the pure plan of src/analysis/plan.ts.
 */
import * as Comlink from 'comlink';
import { defaultPlanThresholds, mayShardInPool, planPoolShards, type PlanThresholds } from '../analysis/plan';
import { BINARY_EXTENSIONS, extensionOf } from '../io/extensions';
import type {
  AnalysisApi,
  AnalysisOutcome,
  AnalysisProgress,
  AnalyzeFilesRequest,
  AnalyzedBundleRun,
  AnalyzedFiles,
} from '../../workers/analysis.worker';
import { defaultBatchLimits, planBatches, type BatchLimits } from './batches';
import { runShardJob, type JobProgress } from './shard-job';
import { startWorker } from './start-worker';
import { WorkerPool, type PoolState, type PoolWorker } from './worker-pool';

export type { BatchLimits, JobProgress, PoolState };

/** What the pool needs of an analysis worker: its API and a way to kill it. */
export type WorkerHandle = PoolWorker<AnalysisApi>;

export interface AnalysisBridgeOptions {
  /** most workers alive at once; default navigator.hardwareConcurrency (at least 1) */
  size?: number;
  /** starts one worker; replaced in tests */
  startWorker?: () => WorkerHandle;
  /** the plan's thresholds (src/analysis/plan.ts), any of them replaced; tests scale them down */
  thresholds?: Partial<PlanThresholds>;
  /** which checkpoints share a call (batches.ts), any of the limits replaced */
  batchLimits?: Partial<BatchLimits>;
}

/** A batch's progress: the checkpoint its worker is on (`checkpointsDone` of the batch are done). */
export interface BatchProgress {
  checkpointsDone: number;
  file: string;
}

export interface AnalyzeBatchOptions extends Pick<AnalyzeCallOptions, 'signal' | 'persist'> {
  onProgress?: (progress: BatchProgress) => void;
}

export interface AnalyzeCallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /**
   * Store the checkpoint's moments for the next visit, from the worker that makes them
   * (src/session/session-db.ts): the result then carries their `momentsKey`. Default false.
   */
  persist?: boolean;
}

function startAnalysisWorker(): WorkerHandle {
  return startWorker<AnalysisApi>({
    label: 'analysis',
    create: () =>
      new Worker(new URL('../../workers/analysis.worker.ts', import.meta.url), {
        type: 'module',
        name: 'richscope-analysis',
      }),
    inline: () => import('../../workers/analysis-api').then((m) => m.analysisApi),
  });
}

/** The checkpoint's files as the plan weighs them before any is opened. */
function fileSizes(request: AnalyzeFilesRequest) {
  return [...request.fit, ...(request.eval ?? [])].map((f) => ({
    bytes: f.file.size,
    binary: BINARY_EXTENSIONS.includes(extensionOf(f.name)),
  }));
}

export class AnalysisBridge {
  private readonly workers: WorkerPool<AnalysisApi>;
  private readonly thresholds: PlanThresholds;
  private readonly batchLimits: BatchLimits;

  constructor(options: AnalysisBridgeOptions = {}) {
    this.workers = new WorkerPool({
      size: options.size ?? (globalThis.navigator?.hardwareConcurrency || 2),
      start: options.startWorker ?? startAnalysisWorker,
    });
    this.thresholds = { ...defaultPlanThresholds, ...options.thresholds };
    this.batchLimits = { ...defaultBatchLimits, ...options.batchLimits };
  }

  /** Workers alive right now (for tests and diagnostics). */
  get workerCount(): number {
    return this.workers.state.alive;
  }

  /** Workers alive and busy now. */
  get pool(): PoolState {
    return this.workers.state;
  }

  /** Calls `listener` whenever a worker starts, stops, or takes or finishes a call; returns the unsubscribe. */
  subscribePool(listener: (pool: PoolState) => void): () => void {
    return this.workers.subscribe(listener);
  }

  /**
   * Parses and analyses the files of one checkpoint. A big one whose arrays can be read by row range
   * is sharded across the pool; anything else (small, deflated npz, CSV, moments files, NaN/Inf rows)
   * runs in one worker, which also gives every error message.
   */
  async analyzeFiles(
    request: AnalyzeFilesRequest,
    options: AnalyzeCallOptions = {},
  ): Promise<AnalysisOutcome<AnalyzedFiles>> {
    const { signal, onProgress, persist = false } = options;
    if (mayShardInPool(fileSizes(request), this.workers.size, this.thresholds)) {
      const layout = await this.workers.call((api) => api.readLayout(request), signal);
      if (layout.ok && layout.value.kind === 'shardable') {
        const plan = planPoolShards(layout.value, this.workers.size, this.thresholds);
        if (plan) {
          const sharded = await runShardJob(this.workers, request, layout.value, plan, {
            signal,
            onProgress,
            persist,
          });
          if (sharded) return sharded;
        }
      }
    }
    return this.workers.call(
      (api) =>
        api.analyzeFiles(
          request,
          onProgress ? Comlink.proxy((p: AnalysisProgress) => onProgress({ ...p, workers: 1 })) : undefined,
          persist,
        ),
      signal,
    );
  }

  /**
   * Which of `requests` share a worker call (batches.ts): lists of indices in order; a list of one
   * goes to `analyzeFiles`, a longer one to `analyzeBatch`. Reads only the files' sizes.
   * `dropCheckpoints`: the checkpoints of the whole drop, when `requests` are a slice of it.
   */
  batchRequests(requests: readonly AnalyzeFilesRequest[], dropCheckpoints = 0): number[][] {
    const weights = requests.map((request) => {
      const sizes = fileSizes(request);
      return {
        bytes: sizes.reduce((sum, f) => sum + f.bytes, 0),
        shardable: mayShardInPool(sizes, this.workers.size, this.thresholds),
      };
    });
    return planBatches(weights, this.workers.size, this.batchLimits, dropCheckpoints);
  }

  /**
   * Analyses several small checkpoints in one worker call, each with its own outcome, in the order
   * of `requests`. Should the call fail as a whole (not a bad file: those fail their checkpoint
   * only), each checkpoint is analysed again on its own, so none is lost with the others.
   */
  async analyzeBatch(
    requests: AnalyzeFilesRequest[],
    options: AnalyzeBatchOptions = {},
  ): Promise<AnalysisOutcome<AnalyzedFiles>[]> {
    const { signal, onProgress, persist = false } = options;
    try {
      return await this.workers.call(
        (api) =>
          api.analyzeBatch(
            requests,
            onProgress
              ? Comlink.proxy((checkpointsDone: number, file: string) =>
                  onProgress({ checkpointsDone, file }),
                )
              : undefined,
            persist,
          ),
        signal,
      );
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error;
      return Promise.all(requests.map((request) => this.analyzeFiles(request, { signal, persist })));
    }
  }

  /** Decodes a results bundle and recomputes its metrics in a worker. */
  importBundle(
    file: Blob,
    name: string,
    options: Pick<AnalyzeCallOptions, 'signal' | 'persist'> = {},
  ): Promise<AnalysisOutcome<AnalyzedBundleRun[]>> {
    return this.workers.call((api) => api.importBundle(file, name, options.persist ?? false), options.signal);
  }

  /** Starts the workers now, so their code loads while the page starts up. */
  warm(): void {
    this.workers.warm();
  }

  /** Stops every worker; later calls start new ones. */
  terminateAll(): void {
    this.workers.terminateAll();
  }
}
