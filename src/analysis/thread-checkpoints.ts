/**
 * The CLI's small checkpoints side by side: a sweep's thousand checkpoints of a few MB each are each
 * too small for thread shards (thread-shards.ts) or the metrics' halves (thread-halves.ts), so one
 * checkpoint alone keeps one core busy. Each worker thread of a pool analyses whole checkpoints, one
 * at a time, from their file paths, with the serial stream (analyze-checkpoint.ts): the same code,
 * so the same numbers, bit for bit, as in the CLI's own thread. Which checkpoints qualify is the
 * plan's (plan.ts `analysedWhole`). Node-only.
 */
import type { Worker } from 'node:worker_threads';

import { fileByteSource, type FileByteSource } from '../io/node-byte-source';
import type { JackknifeOptions } from '../core/jackknife';
import type { RoleOverrides } from '../io/roles';
import { InputError } from '../io/types';
import { analyzeCheckpoint, type CheckpointResult } from './analyze-checkpoint';
import { startNodeWorker } from './node-thread';

/** One checkpoint by its files' paths (each source is named by its path, as the CLI names them). */
export interface CheckpointFiles {
  fit: string[];
  eval: string[] | null;
}

/** What a checkpoint is analysed with, the same for every checkpoint of a command. */
export interface WholeCheckpointOptions {
  roles?: RoleOverrides;
  chunkRows?: number;
  dropNonFinite: boolean;
  jackknife?: JackknifeOptions;
}

/** A checkpoint's result as a message: errors travel as their parts (worker threads lose classes). */
export type WholeCheckpointMessage =
  | { ok: true; result: CheckpointResult }
  | { ok: false; input: { source: string; problem: string } | null; name: string; message: string };

/** Opens every file, or none: a file that cannot be opened closes those already open. */
export async function openSources(files: string[]): Promise<FileByteSource[]> {
  const opened = await Promise.allSettled(files.map((f) => fileByteSource(f, f)));
  const failed = opened.find((o) => o.status === 'rejected');
  const sources = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  if (failed) {
    await closeSources(sources);
    throw failed.reason;
  }
  return sources;
}

export const closeSources = (sources: FileByteSource[]) => Promise.all(sources.map((s) => s.close()));

/** A checkpoint's files, opened (small ones read whole from then on: fileByteSource). */
export interface OpenedCheckpoint {
  fit: FileByteSource[];
  eval: FileByteSource[] | null;
}

/** Opens a checkpoint's files, or none of them. */
export async function openCheckpoint(files: CheckpointFiles): Promise<OpenedCheckpoint> {
  const fit = await openSources(files.fit);
  try {
    return { fit, eval: files.eval ? await openSources(files.eval) : null };
  } catch (error) {
    await closeSources(fit);
    throw error;
  }
}

export const closeCheckpoint = (opened: OpenedCheckpoint) =>
  Promise.all([closeSources(opened.fit), closeSources(opened.eval ?? [])]);

/** One checkpoint in this thread, from its paths: what a worker thread of the pool runs. */
export async function analyzeCheckpointFiles(
  files: CheckpointFiles,
  options: WholeCheckpointOptions,
): Promise<WholeCheckpointMessage> {
  try {
    const opened = await openCheckpoint(files);
    try {
      const {
        fit: _fit,
        eval: _eval,
        ...result
      } = await analyzeCheckpoint(
        { fit: opened.fit, eval: opened.eval ?? undefined, roles: options.roles },
        options,
      );
      return { ok: true, result };
    } finally {
      await closeCheckpoint(opened);
    }
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    const input = error instanceof InputError ? { source: error.source, problem: error.problem } : null;
    return { ok: false, input, name, message };
  }
}

/** The result of a message, or its error rebuilt (an InputError stays one: the CLI reports it as such). */
export function checkpointResult(message: WholeCheckpointMessage): CheckpointResult {
  if (message.ok) return message.result;
  if (message.input) throw new InputError(message.input.source, message.input.problem);
  const error = new Error(message.message);
  error.name = message.name;
  throw error;
}

interface Task {
  files: CheckpointFiles;
  resolve(message: WholeCheckpointMessage): void;
  reject(error: Error): void;
}

/**
 * Worker threads that each analyse whole checkpoints, one at a time, in the order asked; a task waits
 * for the first free thread. `close()` ends the threads (tasks still waiting are dropped); until then
 * they keep the process alive.
 */
export class CheckpointThreads {
  private readonly idle: Worker[] = [];
  private readonly waiting: Task[] = [];
  private readonly workers: Worker[] = [];

  constructor(threads: number, options: WholeCheckpointOptions, workerFile?: string) {
    for (let k = 0; k < threads; k++) {
      const worker = startNodeWorker({ kind: 'checkpoints', options }, workerFile, WORKER_LIMITS);
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  analyze(files: CheckpointFiles): Promise<CheckpointResult> {
    return new Promise<WholeCheckpointMessage>((resolve, reject) => {
      this.waiting.push({ files, resolve, reject });
      this.dispatch();
    }).then(checkpointResult);
  }

  private dispatch() {
    while (this.idle.length > 0 && this.waiting.length > 0) this.run(this.idle.pop()!, this.waiting.shift()!);
  }

  private run(worker: Worker, task: Task) {
    const settle = (finish: () => void) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      finish();
    };
    const onMessage = (message: WholeCheckpointMessage) =>
      settle(() => {
        task.resolve(message);
        this.idle.push(worker);
        this.dispatch();
      });
    // a thread that fails takes its task and every waiting one with it: none would ever be run
    const fail = (error: Error) =>
      settle(() => [task, ...this.waiting.splice(0)].forEach((t) => t.reject(error)));
    const onError = fail;
    const onExit = (code: number) => fail(new Error(`worker thread (checkpoints) exited with code ${code}`));
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage(task.files);
  }

  async close(): Promise<void> {
    this.waiting.length = 0;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * A small young generation: a checkpoint's garbage is a few MB, and Node's default lets each thread
 * hold tens of MB of it (docs/benchmarks.md).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 2 };
