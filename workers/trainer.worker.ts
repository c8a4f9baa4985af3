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
import { runTrainingSession, transferablesOf } from '../src/train/session';
import type { TrainerEvent, TrainerSummary } from '../src/train/session';
import type { TrainerOptions } from '../src/train/trainer';

const api = {
  /** Runs the whole schedule, calling `onEvent` after every checkpoint (moment buffers transferred). */
  train(options: TrainerOptions, onEvent: (event: TrainerEvent) => void): Promise<TrainerSummary> {
    return runTrainingSession(options, {
      onEvent: (event) => onEvent(Comlink.transfer(event, transferablesOf(event))),
    });
  },
};

export type TrainerApi = typeof api;

Comlink.expose(api);
