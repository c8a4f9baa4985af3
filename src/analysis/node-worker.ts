/**
 * worker_threads entry of the CLI (bundled to dist-cli/node-worker.mjs by scripts/build-cli.mjs).
 * A thread starts on the task in its `workerData`; after a shard it takes one more task by message.
 * Three kinds of task: one shard of the moment pass (thread-shards.ts), posting its moments back in
 * shared memory; the helper of the metrics' halves (thread-halves.ts), which posts the output half,
 * then solves the tridiagonal of S_pp / n when handed it and takes direction blocks of the spectrum
 * beside the main thread; or whole small checkpoints, one per message, for as long as the CLI runs
 * (thread-checkpoints.ts).
 * May import src/core, src/io and those modules; never the CLI or UI.
 */
import { parentPort, workerData } from 'node:worker_threads';

import type { Moments } from '../core/types';
import { sharedFloat64 } from './node-thread';
import {
  analyzeCheckpointFiles,
  type CheckpointFiles,
  type WholeCheckpointMessage,
  type WholeCheckpointOptions,
} from './thread-checkpoints';
import { serveMetricsHelper, type HelperRequest } from './thread-halves';
import { accumulateNpyShard, type NpyShard } from './thread-shards';

type NodeWorkerTask =
  | ({ kind: 'shard' } & NpyShard)
  | { kind: 'halves'; fit: Moments; free: Int32Array }
  | { kind: 'checkpoints'; options: WholeCheckpointOptions };

const port = parentPort!;

function runTask(task: NodeWorkerTask): void {
  if (task.kind === 'halves') {
    serveMetricsHelper(
      task.fit,
      task.free,
      (message, transfer) => port.postMessage(message, transfer),
      (listener) => port.on('message', (request: HelperRequest) => listener(request)),
    );
  } else if (task.kind === 'checkpoints') {
    // whole checkpoints, one message each, for as long as the CLI runs
    port.on('message', (files: CheckpointFiles) => {
      void analyzeCheckpointFiles(files, task.options).then((message) =>
        port.postMessage(message satisfies WholeCheckpointMessage),
      );
    });
  } else {
    // moments in shared memory: the main thread merges into them in place; then this thread is the
    // spare (node-thread.ts), and its next message is its next task
    void accumulateNpyShard(task, sharedFloat64).then((result) => {
      port.postMessage(result);
      port.once('message', runTask);
    });
  }
}

runTask(workerData as NodeWorkerTask);
