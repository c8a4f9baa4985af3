/**
 * Starting tasks on worker threads of the CLI (dist-cli/node-worker.mjs, built from node-worker.ts):
 * shared by the thread shards of the moment pass and the halves of the metrics. Node-only.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

import type { Allocate } from '../core/types';

/** Arrays that every thread sees without a copy. */
export const sharedFloat64: Allocate = (length) => new Float64Array(new SharedArrayBuffer(length * 8));

/** The bundled entry beside the bundled CLI; tests pass a bundle of their own. */
export const bundledWorkerFile = fileURLToPath(new URL('./node-worker.mjs', import.meta.url));

/** False when running from sources (tests) rather than the bundled CLI: callers then stay in this thread. */
export function nodeWorkerAvailable(file = bundledWorkerFile): boolean {
  return existsSync(file);
}

/**
 * A worker thread that has posted its one-message task and waits for another (node-worker.ts), kept
 * so that the next task skips a thread's start-up: the moment pass's thread becomes the metrics'
 * helper, or the next checkpoint's pass thread. Unreferenced, so it never keeps the CLI running.
 */
let spare: { worker: Worker; file: string; ended: () => void } | null = null;

/** Tests: the thread id of the spare thread, or null when none is kept. */
export function spareThreadId(): number | null {
  return spare?.worker.threadId ?? null;
}

function park(worker: Worker, file: string): void {
  if (spare) void spare.worker.terminate();
  // a spare that fails or ends between tasks is no longer one
  const ended = () => {
    if (spare?.worker === worker) spare = null;
  };
  worker.unref();
  worker.once('error', ended).once('exit', ended);
  spare = { worker, file, ended };
}

/**
 * A worker thread on a task (node-worker.ts decides by `kind`), for tasks that converse: the spare
 * thread when there is one for this script, else a new thread.
 */
export function startNodeWorker(
  task: { kind: string } & Record<string, unknown>,
  file = bundledWorkerFile,
  resourceLimits?: ResourceLimits,
) {
  if (spare?.file === file && resourceLimits === undefined) {
    const { worker, ended } = spare;
    spare = null;
    worker.off('error', ended).off('exit', ended);
    worker.ref();
    worker.postMessage(task);
    return worker;
  }
  return new Worker(file, { workerData: task, resourceLimits });
}

/**
 * Runs one task and resolves with the one message it posts. With `keep`, the thread is then kept as
 * the spare (a spare already kept is stopped); else it is ended.
 */
export function runNodeWorker<T>(
  task: { kind: string } & Record<string, unknown>,
  file = bundledWorkerFile,
  keep = false,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = startNodeWorker(task, file);
    const exited = (code: number) =>
      reject(new Error(`worker thread (${task.kind}) exited with code ${code}`));
    worker.once('message', (result: T) => {
      worker.off('error', reject).off('exit', exited);
      if (keep) park(worker, file);
      else void worker.terminate();
      resolve(result);
    });
    worker.once('error', reject);
    worker.once('exit', exited);
  });
}
