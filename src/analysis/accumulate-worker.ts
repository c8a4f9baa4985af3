/**
 * worker_threads entry of the parallel moment pass (bundled to dist-cli/accumulate-worker.mjs by
 * scripts/build-cli.mjs): accumulates one row range and posts its moments back, buffers transferred.
 * May import src/core, src/io and parallel-accumulate.ts; never the CLI or UI.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { accumulateRange, type RangeTask } from './parallel-accumulate';

const result = accumulateRange(workerData as RangeTask);
const transfer = result.kind === 'moments' ? [result.moments.mean.buffer, result.moments.scatter.buffer] : [];
parentPort!.postMessage(result, transfer as ArrayBuffer[]);
