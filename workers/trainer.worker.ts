/**
 * The trainer worker of the Learn view: trains a tiny MLP (src/train) and measures each checkpoint
 * with the same core as uploaded files (moments -> analyzeMoments), then posts metrics and moments.
 * One plain API object exposed with comlink; the UI reaches it only through
 * src/ui/learn/trainer-client.ts and imports its type with `import type`.
 *
 * May import: src/train, src/core. Never: React, zustand, plotly, or anything touching the DOM.
 * Stopping = terminating the worker (the client does it); the loop needs no cancellation hook.
 */
import * as Comlink from 'comlink';
import type { MeasuredCheckpoint } from '../src/train/measure';
import { trainingCheckpoints } from '../src/train/run';
import { createTrainer } from '../src/train/trainer';
import type { TrainerOptions } from '../src/train/trainer';

/** What the UI receives per checkpoint (buffers transferred, not copied). */
export interface TrainerEvent {
  checkpoint: MeasuredCheckpoint | null;
  /** why `checkpoint` is null (D_LR undefined at this step) */
  problem: string | null;
  /** steps done / planned */
  step: number;
  steps: number;
  /** wall time since the start, ms */
  elapsedMs: number;
}

export interface TrainerSummary {
  taskTitle: string;
  checkpoints: number;
  elapsedMs: number;
}

const api = {
  /** Runs the whole schedule, calling `onEvent` after every checkpoint. */
  async train(options: TrainerOptions, onEvent: (event: TrainerEvent) => void): Promise<TrainerSummary> {
    const start = performance.now();
    const trainer = createTrainer(options);
    let count = 0;
    for (const { measured, problem } of trainingCheckpoints(options, trainer)) {
      if (measured) count++;
      const buffers = measured
        ? [
            measured.fit.mean.buffer,
            measured.fit.scatter.buffer,
            measured.eval.mean.buffer,
            measured.eval.scatter.buffer,
          ]
        : [];
      const event: TrainerEvent = {
        checkpoint: measured,
        problem,
        step: trainer.step,
        steps: options.steps,
        elapsedMs: performance.now() - start,
      };
      onEvent(Comlink.transfer(event, buffers as ArrayBuffer[]));
      // Let the message go out before the next stretch of training.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return { taskTitle: trainer.dataset.title, checkpoints: count, elapsedMs: performance.now() - start };
  },
};

export type TrainerApi = typeof api;

Comlink.expose(api);
