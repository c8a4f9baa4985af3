/**
 * The trainer API of the Learn view: trains a tiny MLP (src/train) and measures each checkpoint with
 * the same core as uploaded files (moments -> analyzeMoments), reporting metrics and moments as it
 * goes. It runs in `trainer.worker.ts`; this module holds it apart from the `expose` call so the
 * bridge can run it on the main thread where Workers are missing.
 *
 * May import: src/train, src/core, comlink. Never: React, zustand, plotly, or the DOM.
 */
import * as Comlink from 'comlink';
import { runTrainingSession, transferablesOf } from '../src/train/session';
import type { TrainerEvent, TrainerSummary } from '../src/train/session';
import type { TrainerOptions } from '../src/train/trainer';

/**
 * `shouldStop` is checked between checkpoints (the main thread's way to stop a run); in a worker it
 * stays false, since terminating the worker stops it.
 */
export function createTrainerApi(shouldStop: () => boolean = () => false) {
  return {
    /** Runs the whole schedule, calling `onEvent` after every checkpoint (moment buffers transferred). */
    train(options: TrainerOptions, onEvent: (event: TrainerEvent) => void): Promise<TrainerSummary> {
      return runTrainingSession(options, {
        onEvent: (event) => {
          if (!shouldStop()) onEvent(Comlink.transfer(event, transferablesOf(event)));
        },
        shouldStop,
      });
    },
  };
}

export type TrainerApi = ReturnType<typeof createTrainerApi>;
