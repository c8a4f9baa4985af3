/**
 * Starting one task on a worker thread of the CLI (dist-cli/node-worker.mjs, built from
 * node-worker.ts): shared by the parallel moment pass and the parallel metrics. Node-only.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The bundled entry beside the bundled CLI; tests pass a bundle of their own. */
export const bundledWorkerFile = fileURLToPath(new URL('./node-worker.mjs', import.meta.url));

/** False when running from sources (tests) rather than the bundled CLI: callers then stay in this thread. */
export function nodeWorkerAvailable(file = bundledWorkerFile): boolean {
  return existsSync(file);
}

/** Runs one task (node-worker.ts decides by `kind`) and resolves with the message it posts. */
export function runNodeWorker<T>(
  task: { kind: string } & Record<string, unknown>,
  file = bundledWorkerFile,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: task });
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
