/**
 * The Learn view's one door to the trainer: one worker per training run, started lazily and
 * terminated on stop (the only way to interrupt its synchronous training stretches) or when it
 * finishes. Without Web Workers the same session runs on the main thread, one checkpoint per task.
 * The worker's API type is imported with `import type` so no trainer code enters the main bundle.
 */
import * as Comlink from 'comlink';
import type { TrainerEvent, TrainerSummary } from '../../train/session';
import type { TrainerOptions } from '../../train/trainer';
import type { TrainerApi } from '../../../workers/trainer.worker';

export type { TrainerEvent, TrainerSummary };

/** A running training: `done` settles with the summary, or with null once stopped. */
export interface TrainingHandle {
  done: Promise<TrainerSummary | null>;
  /** 'worker', or 'main thread' when workers are unavailable */
  where: 'worker' | 'main thread';
  stop(): void;
}

function startWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), {
      type: 'module',
      name: 'richscope-trainer',
    });
  } catch {
    return null;
  }
}

export function startTraining(
  options: TrainerOptions,
  onEvent: (event: TrainerEvent) => void,
): TrainingHandle {
  let stopped = false;
  let settle: () => void = () => {};
  const stoppedPromise = new Promise<null>((resolve) => {
    settle = () => resolve(null);
  });
  const worker = startWorker();
  if (worker) {
    const remote = Comlink.wrap<TrainerApi>(worker);
    const finished = remote.train(options, Comlink.proxy(onEvent)).finally(() => worker.terminate());
    return {
      done: Promise.race([finished, stoppedPromise]),
      where: 'worker',
      stop() {
        worker.terminate();
        settle();
      },
    };
  }
  const finished = import('../../train/session').then(({ runTrainingSession }) =>
    runTrainingSession(options, { onEvent: (e) => !stopped && onEvent(e), shouldStop: () => stopped }),
  );
  return {
    done: Promise.race([finished, stoppedPromise]),
    where: 'main thread',
    stop() {
      stopped = true;
      settle();
    },
  };
}
