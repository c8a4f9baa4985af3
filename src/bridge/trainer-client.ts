/**
 * The Learn view's one door to the trainer: one worker per training run, started lazily and
 * terminated on stop (the only way to interrupt its synchronous training stretches) or when it
 * finishes. Without Web Workers the same API runs on the main thread (start-worker.ts), one
 * checkpoint per task, and stops between checkpoints.
 * The worker's API type is imported with `import type` so no trainer code enters the main bundle.
 */
import * as Comlink from 'comlink';
import type { TrainerEvent, TrainerSummary } from '../train/session';
import type { TrainerOptions } from '../train/trainer';
import type { TrainerApi } from '../../workers/trainer.worker';
import { startWorker } from './start-worker';

export type { TrainerEvent, TrainerSummary };

/** A running training: `done` settles with the summary, or with null once stopped. */
export interface TrainingHandle {
  done: Promise<TrainerSummary | null>;
  /** 'worker', or 'main thread' when workers are unavailable */
  where: 'worker' | 'main thread';
  stop(): void;
}

export function startTraining(
  options: TrainerOptions,
  onEvent: (event: TrainerEvent) => void,
): TrainingHandle {
  const worker = startWorker<TrainerApi>({
    label: 'trainer',
    create: () =>
      new Worker(new URL('../../workers/trainer.worker.ts', import.meta.url), {
        type: 'module',
        name: 'richscope-trainer',
      }),
    inline: (signal) =>
      import('../../workers/trainer-api').then((m) => m.createTrainerApi(() => signal.aborted)),
  });
  let settle: () => void = () => {};
  const stopped = new Promise<null>((resolve) => {
    settle = () => resolve(null);
  });
  const finished = worker.api.train(options, Comlink.proxy(onEvent)).finally(() => worker.terminate());
  return {
    done: Promise.race([finished, stopped]),
    where: worker.where,
    stop() {
      worker.terminate();
      settle();
    },
  };
}
