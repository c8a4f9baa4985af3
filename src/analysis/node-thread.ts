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

/** A worker thread started on a task (node-worker.ts decides by `kind`), for tasks that converse. */
export function startNodeWorker(
  task: { kind: string } & Record<string, unknown>,
  file = bundledWorkerFile,
  resourceLimits?: ResourceLimits,
) {
  return new Worker(file, { workerData: task, resourceLimits });
}

/** Runs one task and resolves with the one message it posts. */
export function runNodeWorker<T>(
  task: { kind: string } & Record<string, unknown>,
  file = bundledWorkerFile,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = startNodeWorker(task, file);
    worker.once('message', (result: T) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker thread (${task.kind}) exited with code ${code}`));
    });
  });
}
