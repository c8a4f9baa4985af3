/**
 * The checkpoint schedule of a training run, shared by the worker, the `examples` script and the
 * acceptance script: step 0 (unless f = alpha (h - h0) is still identically 0 there), then every
 * `checkpointEvery` steps, and the last step.
 */
import { DegenerateDataError } from '../core/low-rank-measure';
import { measureCheckpoint } from './measure';
import type { MeasuredCheckpoint } from './measure';
import { createTrainer } from './trainer';
import type { RawCheckpoint, Trainer, TrainerOptions } from './trainer';

/** A checkpoint and its metrics; `measured` is null (with the reason) when D_LR is undefined there. */
export type ScheduledCheckpoint =
  | { raw: RawCheckpoint; measured: MeasuredCheckpoint; problem: null }
  | { raw: RawCheckpoint; measured: null; problem: string };

/** Steps at which checkpoints are taken, ascending. */
export function checkpointSteps(
  options: Pick<TrainerOptions, 'steps' | 'checkpointEvery' | 'centerAtInit'>,
): number[] {
  const steps: number[] = options.centerAtInit ? [] : [0];
  for (let s = options.checkpointEvery; s < options.steps; s += options.checkpointEvery) steps.push(s);
  if (options.steps > 0) steps.push(options.steps);
  return steps;
}

/**
 * Trains and yields every scheduled checkpoint, measured through the core (moments, then
 * analyzeMoments). Lazy: the caller decides how fast to pull (and may stop at any time).
 */
export function* trainingCheckpoints(
  options: TrainerOptions,
  trainer: Trainer = createTrainer(options),
): Generator<ScheduledCheckpoint, void, void> {
  for (const step of checkpointSteps(options)) {
    trainer.train(step - trainer.step);
    const raw = trainer.snapshot();
    let measured: MeasuredCheckpoint;
    try {
      measured = measureCheckpoint(raw, trainer.dataset.classes);
    } catch (error) {
      // Constant features (every ReLU dead) or constant outputs: D_LR is 0/0 (docs/method.md §3).
      if (!(error instanceof DegenerateDataError)) throw error;
      yield { raw, measured: null, problem: `step ${raw.step}: ${error.message}` };
      continue;
    }
    yield { raw, measured, problem: null };
  }
}
