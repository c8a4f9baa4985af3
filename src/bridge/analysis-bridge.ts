/**
 * The main thread's only way to the analysis workers (see README.md beside this file): a lazily
 * started pool with a queue, an AbortSignal per call and terminate-on-abort. A big checkpoint whose
 * arrays can be read by row range is split across the pool (plan -> ranges -> finish, all in workers).
 */
import * as Comlink from 'comlink';
import type { Moments } from '../core/types';
import type {
  AnalysisApi,
  AnalysisOutcome,
  AnalysisProgress,
  AnalyzeFilesRequest,
  AnalyzedBundleRun,
  AnalyzedFiles,
  RangeParts,
  RangeResult,
  RangeTask,
  SplitPlan,
} from '../../workers/analysis.worker';
import { BINARY_EXTENSIONS, extensionOf } from '../io/extensions';
import { rangeTasks } from './range-tasks';

/** A job's progress: the worker's, summed over its ranges when the checkpoint is split. */
export interface JobProgress extends AnalysisProgress {
  /** workers reading this checkpoint right now (1 on the single-worker path) */
  workers: number;
}

/** How many workers the pool holds and how many of them are running a call. */
export interface PoolState {
  alive: number;
  busy: number;
}

/** What the pool needs of a worker: its API and a way to kill it. */
export interface WorkerHandle {
  api: AnalysisApi;
  terminate(): void;
}

export interface AnalysisBridgeOptions {
  /** most workers alive at once; default navigator.hardwareConcurrency (at least 1) */
  size?: number;
  /** starts one worker; replaced in tests */
  startWorker?: () => WorkerHandle;
  /**
   * A checkpoint is split across the pool when its moment pass costs at least this many
   * multiply-adds (rows x d^2): below it, one worker finishes before more would have started.
   * Default 2e9 (about 0.1 s of the float32 Gram kernel).
   */
  minSplitWork?: number;
  /** files smaller than this many bytes in all go straight to one worker, without a plan; default 4 MiB */
  minSplitBytes?: number;
}

export const defaultSplitThresholds = { minSplitWork: 2e9, minSplitBytes: 4 << 20 };

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
  if (typeof Worker === 'undefined') return startOnMainThread();
  const worker = new Worker(new URL('../../workers/analysis.worker.ts', import.meta.url), {
    type: 'module',
    name: 'richscope-analysis',
  });
  // Every API method already returns a promise, so the remote behaves as AnalysisApi itself;
  // comlink's mapped Remote type would only blur the outcome unions.
  const api = Comlink.wrap<AnalysisApi>(worker) as unknown as AnalysisApi;
  return { api, terminate: () => worker.terminate() };
}

/**
 * Fallback where Web Workers are unavailable: the same API on the main thread, loaded on demand so
 * its code stays out of the main bundle. Correct but blocking, and an abort cannot stop a running
 * computation (the bridge still rejects the call at once).
 */
function startOnMainThread(): WorkerHandle {
  const load = () => import('../../workers/analysis-api').then((m) => m.analysisApi);
  // every method forwards to the loaded API (each returns a promise already)
  const api = new Proxy({} as AnalysisApi, {
    get:
      (_, method: keyof AnalysisApi) =>
      async (...args: unknown[]) =>
        ((await load())[method] as (...a: unknown[]) => Promise<unknown>)(...args),
  });
  return { api, terminate: () => undefined };
}

interface Slot {
  handle: WorkerHandle;
  busy: boolean;
}

interface QueuedCall {
  work: (api: WorkerHandle['api']) => Promise<unknown>;
  signal?: AbortSignal;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

function abortError(): DOMException {
  return new DOMException('The analysis was cancelled.', 'AbortError');
}

function momentBuffers(moments: Moments[]): ArrayBuffer[] {
  return moments.flatMap((m) => [m.mean.buffer as ArrayBuffer, m.scatter.buffer as ArrayBuffer]);
}

/** Big enough in bytes, and binary files only (a CSV is parsed whole when opened: planning would read it twice). */
function mayBeSplit(request: AnalyzeFilesRequest, minBytes: number): boolean {
  const files = [...request.fit, ...(request.eval ?? [])];
  const bytes = files.reduce((sum, f) => sum + f.file.size, 0);
  return bytes >= minBytes && files.every((f) => BINARY_EXTENSIONS.includes(extensionOf(f.name)));
}

export class AnalysisBridge {
  private readonly size: number;
  private readonly startWorker: () => WorkerHandle;
  private readonly slots: Slot[] = [];
  private readonly queue: QueuedCall[] = [];
  private readonly minSplitWork: number;
  private readonly minSplitBytes: number;
  private readonly poolListeners = new Set<(pool: PoolState) => void>();
  private lastPool: PoolState = { alive: 0, busy: 0 };

  constructor(options: AnalysisBridgeOptions = {}) {
    this.size = Math.max(1, options.size ?? (globalThis.navigator?.hardwareConcurrency || 2));
    this.startWorker = options.startWorker ?? startAnalysisWorker;
    this.minSplitWork = options.minSplitWork ?? defaultSplitThresholds.minSplitWork;
    this.minSplitBytes = options.minSplitBytes ?? defaultSplitThresholds.minSplitBytes;
  }

  /** Workers alive right now (for tests and diagnostics). */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Workers alive and busy now. */
  get pool(): PoolState {
    return { alive: this.slots.length, busy: this.slots.filter((s) => s.busy).length };
  }

  /** Calls `listener` whenever a worker starts, stops, or takes or finishes a call; returns the unsubscribe. */
  subscribePool(listener: (pool: PoolState) => void): () => void {
    this.poolListeners.add(listener);
    return () => this.poolListeners.delete(listener);
  }

  /**
   * Parses and analyses the files of one checkpoint. A big one whose arrays can be read by row range
   * is split across the pool; anything else (small, deflated npz, CSV, moments files, NaN/Inf rows)
   * runs in one worker, which also gives every error message.
   */
  async analyzeFiles(
    request: AnalyzeFilesRequest,
    options: AnalyzeCallOptions = {},
  ): Promise<AnalysisOutcome<AnalyzedFiles>> {
    const { signal, onProgress, persist = false } = options;
    if (this.size >= 2 && mayBeSplit(request, this.minSplitBytes)) {
      const planned = await this.call((api) => api.planRanges(request), signal);
      if (planned.ok && planned.value.kind === 'ranges') {
        const plan = planned.value;
        if (plan.fit.work + (plan.eval?.work ?? 0) >= this.minSplitWork) {
          const split = await this.analyzeInRanges(request, plan, options);
          if (split) return split;
        }
      }
    }
    return this.call(
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
   * Every range of the plan on the pool at once, then the merge and the metrics in one worker. Null
   * when a range declines (NaN/Inf rows) or fails: the caller then runs the single-worker path, whose
   * messages are the ones users see. Cancelling terminates every worker running one of the ranges.
   */
  private async analyzeInRanges(
    request: AnalyzeFilesRequest,
    plan: SplitPlan,
    options: AnalyzeCallOptions,
  ): Promise<AnalysisOutcome<AnalyzedFiles> | null> {
    const { signal, onProgress, persist = false } = options;
    const tasks = rangeTasks(plan, this.size, this.minSplitWork);
    // one signal for the job's ranges: the user's cancel, or a range that declined
    const ranges = new AbortController();
    const stopRanges = () => ranges.abort();
    signal?.addEventListener('abort', stopRanges, { once: true });
    const rowsDone = tasks.map(() => 0);
    const rowsTotal = plan.fit.rows + (plan.eval?.rows ?? 0);
    let running = 0;
    // a range's last progress message may arrive after its result (another port): once every range
    // is settled, late ones must not move the bar back to reading
    let settledAll = false;
    const report = (phase: JobProgress['phase']) =>
      onProgress?.({
        phase,
        rowsDone: rowsDone.reduce((a, b) => a + b, 0),
        rowsTotal,
        file: plan.source,
        workers: phase === 'compute' ? 1 : running,
      });
    const accumulate = (task: RangeTask, k: number) =>
      this.call(async (api) => {
        running++;
        report('read');
        try {
          const onRows = (rows: number) => {
            if (settledAll) return;
            rowsDone[k] = rows;
            report('read');
          };
          return await api.accumulateRange(request, plan, task, Comlink.proxy(onRows));
        } finally {
          running--;
        }
      }, ranges.signal).then((outcome) => {
        if (outcome.ok && outcome.value.kind === 'moments') rowsDone[k] = task.end - task.start;
        else ranges.abort();
        return outcome;
      });
    const settled = await Promise.allSettled(tasks.map(accumulate));
    settledAll = true;
    signal?.removeEventListener('abort', stopRanges);
    if (signal?.aborted) throw abortError();
    const parts: Moments[] = [];
    for (const result of settled) {
      const value: RangeResult | null =
        result.status === 'fulfilled' && result.value.ok ? result.value.value : null;
      if (value?.kind !== 'moments') return null;
      parts.push(value.moments);
    }
    const split: RangeParts = {
      fit: parts.filter((_, k) => tasks[k].split === 'fit'),
      eval: plan.eval ? parts.filter((_, k) => tasks[k].split === 'eval') : null,
    };
    report('compute');
    if (!plan.metricsInHalves)
      return this.call(
        (api) => api.finishRanges(plan, Comlink.transfer(split, momentBuffers(parts)), persist),
        signal,
      );
    return this.finishInHalves(plan, split, { signal, persist }, (workers) =>
      onProgress?.({ phase: 'compute', rowsDone: rowsTotal, rowsTotal, file: plan.source, workers }),
    );
  }

  /**
   * The metrics in two halves on two workers, as the CLI does (src/analysis/parallel-analyze.ts):
   * merge (with a copy of the fit moments made in the worker), then the output half (D_LR, NC1) and
   * the spectrum half side by side, then their assembly. Every buffer moves by transfer. The spectrum
   * half stores the moments (persist) while it computes; they are deleted again if the checkpoint
   * then fails.
   */
  private async finishInHalves(
    plan: SplitPlan,
    parts: RangeParts,
    { signal, persist }: { signal?: AbortSignal; persist: boolean },
    report: (workers: number) => void,
  ): Promise<AnalysisOutcome<AnalyzedFiles>> {
    const buffers = momentBuffers([...parts.fit, ...(parts.eval ?? [])]);
    const merged = await this.call((api) => api.mergeRanges(plan, Comlink.transfer(parts, buffers)), signal);
    if (!merged.ok) return merged;
    const { fit, eval: evalMoments, fitCopy } = merged.value;
    report(2);
    const [outputs, spectra] = await Promise.all([
      this.call((api) => api.outputHalf(plan, Comlink.transfer(fitCopy, momentBuffers([fitCopy]))), signal),
      this.call(
        (api) =>
          api.spectrumHalf(
            plan,
            Comlink.transfer(
              { fit, eval: evalMoments },
              momentBuffers(evalMoments ? [fit, evalMoments] : [fit]),
            ),
            persist,
          ),
        signal,
      ),
    ]);
    // moments the spectrum half stored for a checkpoint that then fails (or is cancelled): deleted again
    const key = spectra.ok ? spectra.value.stored.momentsKey : null;
    const forgetStored = () => {
      if (key) void this.call((api) => api.forgetMoments([key])).catch(() => undefined);
    };
    // the output half's error first, as analyzeMoments raises it first
    if (!outputs.ok) {
      forgetStored();
      return outputs;
    }
    if (!spectra.ok) return spectra;
    report(1);
    const { spectra: spectrum, stored, ...moments } = spectra.value;
    const back = momentBuffers(moments.eval ? [moments.fit, moments.eval] : [moments.fit]);
    try {
      const combined = await this.call(
        (api) => api.combineHalves(plan, Comlink.transfer(moments, back), outputs.value, spectrum, stored),
        signal,
      );
      if (!combined.ok) forgetStored();
      return combined;
    } catch (error) {
      forgetStored();
      throw error;
    }
  }

  /** Decodes a results bundle and recomputes its metrics in a worker. */
  importBundle(
    file: Blob,
    name: string,
    options: Pick<AnalyzeCallOptions, 'signal' | 'persist'> = {},
  ): Promise<AnalysisOutcome<AnalyzedBundleRun[]>> {
    return this.call<AnalysisOutcome<AnalyzedBundleRun[]>>(
      (api) => api.importBundle(file, name, options.persist ?? false),
      options.signal,
    );
  }

  /** Stops every worker; later calls start new ones. */
  terminateAll(): void {
    for (const slot of this.slots.splice(0)) slot.handle.terminate();
    this.notifyPool();
  }

  private notifyPool(): void {
    const pool = this.pool;
    if (pool.alive === this.lastPool.alive && pool.busy === this.lastPool.busy) return;
    this.lastPool = pool;
    for (const listener of this.poolListeners) listener(pool);
  }

  private call<T>(work: (api: WorkerHandle['api']) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<T>((resolve, reject) => {
      const queued: QueuedCall = { work, signal, resolve: resolve as (v: unknown) => void, reject };
      this.queue.push(queued);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.queue.indexOf(queued);
          if (index !== -1) {
            this.queue.splice(index, 1);
            reject(abortError());
          }
        },
        { once: true },
      );
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      // aborted while an abort listener of another call was pumping: never start it
      if (this.queue[0].signal?.aborted) {
        this.queue.shift()!.reject(abortError());
        continue;
      }
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) {
        slot = { handle: this.startWorker(), busy: false };
        this.slots.push(slot);
      }
      if (!slot) break;
      this.run(slot, this.queue.shift()!);
    }
    this.notifyPool();
  }

  private run(slot: Slot, call: QueuedCall): void {
    slot.busy = true;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      call.signal?.removeEventListener('abort', onAbort);
      outcome();
      this.pump();
    };
    const onAbort = () =>
      settle(() => {
        // A worker in the middle of a computation cannot be interrupted: kill it, start afresh later.
        slot.handle.terminate();
        this.slots.splice(this.slots.indexOf(slot), 1);
        call.reject(abortError());
      });
    call.signal?.addEventListener('abort', onAbort, { once: true });
    call.work(slot.handle.api).then(
      (value) =>
        settle(() => {
          slot.busy = false;
          call.resolve(value);
        }),
      (error) =>
        settle(() => {
          slot.busy = false;
          call.reject(error);
        }),
    );
  }
}
