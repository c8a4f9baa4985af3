/**
 * worker_threads entry of the CLI (bundled to dist-cli/node-worker.mjs by scripts/build-cli.mjs).
 * Two kinds of task: one row range of the parallel moment pass (parallel-accumulate.ts), posting its
 * moments back with the buffers transferred; or the output half of the metrics (parallel-analyze.ts).
 * May import src/core, src/io and those two modules; never the CLI or UI.
 */
import { parentPort, workerData } from 'node:worker_threads';

import type { Moments } from '../core/types';
import { accumulateRange, type RangeTask } from './parallel-accumulate';
import { outputsResult } from './parallel-analyze';

type NodeWorkerTask = ({ kind: 'range' } & RangeTask) | { kind: 'outputs'; fit: Moments };

const task = workerData as NodeWorkerTask;
if (task.kind === 'outputs') {
  parentPort!.postMessage(outputsResult(task.fit));
} else {
  const result = accumulateRange(task);
  const transfer =
    result.kind === 'moments' ? [result.moments.mean.buffer, result.moments.scatter.buffer] : [];
  parentPort!.postMessage(result, transfer as ArrayBuffer[]);
}
