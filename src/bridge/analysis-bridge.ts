/**
 * The main thread's only way to the analysis workers (see README.md beside this file): a lazily
 * started pool with a queue, an AbortSignal per call and terminate-on-abort.
 */
import * as Comlink from 'comlink';
import type {
  AnalysisApi,
  AnalysisOutcome,
  AnalysisProgress,
  AnalyzeFilesRequest,
  AnalyzedBundleRun,
  AnalyzedFiles,
} from '../../workers/analysis.worker';

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
  return {
    api: {
      analyzeFiles: async (request, onProgress) => (await load()).analyzeFiles(request, onProgress),
      importBundle: async (file, name) => (await load()).importBundle(file, name),
    },
    terminate: () => undefined,
  };
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

export class AnalysisBridge {
  private readonly size: number;
  private readonly startWorker: () => WorkerHandle;
  private readonly slots: Slot[] = [];
  private readonly queue: QueuedCall[] = [];

  constructor(options: AnalysisBridgeOptions = {}) {
    this.size = Math.max(1, options.size ?? (globalThis.navigator?.hardwareConcurrency || 2));
    this.startWorker = options.startWorker ?? startAnalysisWorker;
  }

  /** Workers alive right now (for tests and diagnostics). */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Parses and analyses the files of one checkpoint in a worker. */
  analyzeFiles(
    request: AnalyzeFilesRequest,
    options: { signal?: AbortSignal; onProgress?: (progress: AnalysisProgress) => void } = {},
  ): Promise<AnalysisOutcome<AnalyzedFiles>> {
    const { onProgress } = options;
    return this.call<AnalysisOutcome<AnalyzedFiles>>(
      (api) => api.analyzeFiles(request, onProgress ? Comlink.proxy(onProgress) : undefined),
      options.signal,
    );
  }

  /** Decodes a results bundle and recomputes its metrics in a worker. */
  importBundle(
    file: Blob,
    name: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<AnalysisOutcome<AnalyzedBundleRun[]>> {
    return this.call<AnalysisOutcome<AnalyzedBundleRun[]>>(
      (api) => api.importBundle(file, name),
      options.signal,
    );
  }

  /** Stops every worker; later calls start new ones. */
  terminateAll(): void {
    for (const slot of this.slots.splice(0)) slot.handle.terminate();
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
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) {
        slot = { handle: this.startWorker(), busy: false };
        this.slots.push(slot);
      }
      if (!slot) return;
      this.run(slot, this.queue.shift()!);
    }
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
