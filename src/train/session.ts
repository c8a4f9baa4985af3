/**
 * One training run as a stream of events, shared by the trainer worker and the main-thread fallback
 * of the Learn view: train, measure each scheduled checkpoint, report it, yield to the event loop.
 */
import { momentBuffers } from '../core/types';
import type { MeasuredCheckpoint } from './measure';
import { trainingCheckpoints } from './run';
import { createTrainer } from './trainer';
import type { TrainerOptions } from './trainer';

/** What the UI receives per checkpoint. */
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
  /** false when `shouldStop` ended the run early */
  completed: boolean;
}

export interface SessionHooks {
  /** called after every checkpoint */
  onEvent(event: TrainerEvent): void;
  /** checked between checkpoints; true ends the run */
  shouldStop?(): boolean;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Runs the whole schedule of `options`, reporting every checkpoint. */
export async function runTrainingSession(
  options: TrainerOptions,
  hooks: SessionHooks,
): Promise<TrainerSummary> {
  const start = performance.now();
  const trainer = createTrainer(options);
  let count = 0;
  let completed = true;
  for (const { measured, problem } of trainingCheckpoints(options, trainer)) {
    if (measured) count++;
    hooks.onEvent({
      checkpoint: measured,
      problem,
      step: trainer.step,
      steps: options.steps,
      elapsedMs: performance.now() - start,
    });
    // Let the event go out (and, on the main thread, the page paint) before the next stretch.
    await nextTask();
    if (hooks.shouldStop?.()) {
      completed = false;
      break;
    }
  }
  return {
    taskTitle: trainer.dataset.title,
    checkpoints: count,
    elapsedMs: performance.now() - start,
    completed,
  };
}

/** The buffers of an event's moments, for a zero-copy postMessage. */
export function transferablesOf(event: TrainerEvent): ArrayBuffer[] {
  const c = event.checkpoint;
  return c ? momentBuffers(c.fit, c.eval) : [];
}
