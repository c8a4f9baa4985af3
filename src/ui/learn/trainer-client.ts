/**
 * The Learn view's one door to the trainer worker: one worker per training run, started lazily,
 * terminated on stop (the only way to interrupt a synchronous training loop) or when it finishes.
 * The worker's API type is imported with `import type` so no trainer code enters the main bundle.
 */
import * as Comlink from 'comlink';
import type { TrainerOptions } from '../../train/trainer';
import type { TrainerApi, TrainerEvent, TrainerSummary } from '../../../workers/trainer.worker';

export type { TrainerEvent, TrainerSummary };

/** A running training: `done` settles with the summary, or with null once stopped. */
export interface TrainingHandle {
  done: Promise<TrainerSummary | null>;
  stop(): void;
}

export function startTraining(
  options: TrainerOptions,
  onEvent: (event: TrainerEvent) => void,
): TrainingHandle {
  const worker = new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), {
    type: 'module',
    name: 'richscope-trainer',
  });
  const remote = Comlink.wrap<TrainerApi>(worker);
  let settle: () => void = () => {};
  const stopped = new Promise<null>((resolve) => {
    settle = () => resolve(null);
  });
  const finished = remote.train(options, Comlink.proxy(onEvent)).finally(() => worker.terminate());
  return {
    done: Promise.race([finished, stopped]),
    stop() {
      worker.terminate();
      settle();
    },
  };
}
