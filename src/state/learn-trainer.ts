/**
 * The Learn view's training: starts a run in the trainer (a worker, or the page where there is
 * none), collects its checkpoints as fast as they come, and copies them into the store's learn slice
 * at most every `flushMs` (then on an animation frame) so the page stays smooth. Runs queue for "run
 * all presets"; leaving the view stops training (the worker is terminated), its checkpoints so far stay.
 *
 * Imported by the Learn view only, so the trainer's code loads with that view.
 */
import type { TrainingHandle } from '../bridge/trainer-client';
import type { ImportedCheckpoint } from '../session/records';
import { SCENARIO_PRESETS, presetById, type Preset } from '../train/presets';
import type { TrainerEvent } from '../train/session';
import type { TrainerOptions } from '../train/trainer';
import type { RichscopeStore } from './app-state';
import {
  choosePreset,
  leaveLearn,
  noteLearnRunSent,
  setTrainingOnMainThread,
  startLearnRun,
  updateLearnRun,
  type LearnRun,
  type LearnState,
} from './learn-actions';

/** Starts a run: the trainer client's `startTraining` (src/bridge/trainer-client.ts), or a test's stand-in. */
export type StartTraining = (
  options: TrainerOptions,
  onEvent: (event: TrainerEvent) => void,
) => TrainingHandle;

export interface LearnTrainerOptions {
  /** most checkpoints per run (the checkpoint interval grows to fit): each keeps two moment matrices */
  maxCheckpoints: number;
  /** minimum ms between two copies into the store while training (about 4 Hz) */
  flushMs: number;
}

export const defaultLearnTrainerOptions: LearnTrainerOptions = { maxCheckpoints: 200, flushMs: 250 };

export interface LearnTrainerDependencies {
  store: RichscopeStore;
  startTraining: StartTraining;
  /** hands a run to the dashboard (the store's `importRun`) */
  importRun: (name: string, checkpoints: readonly ImportedCheckpoint[]) => string;
  /** runs `callback` after `ms`; returns a cancel. Default: a timeout, then an animation frame. */
  schedule?: (callback: () => void, ms: number) => () => void;
  /** ms on a monotonic clock; default performance.now() */
  now?: () => number;
}

/** The preset chosen in the learn slice, or null for settings edited by hand. */
export function chosenPreset(learn: LearnState): Preset | null {
  return learn.presetId === null ? null : presetById(learn.presetId);
}

/** The settings the next run trains with. */
export function chosenOptions(learn: LearnState): TrainerOptions {
  return learn.customOptions ?? chosenPreset(learn)?.options ?? SCENARIO_PRESETS[learn.scenario][0].options;
}

/** The name of a run with hand-edited settings: what differs from a default network. */
export function describeOptions(o: TrainerOptions): string {
  const parts = [
    o.task.kind === 'modular' ? `mod ${o.task.modulus}` : 'mixture',
    `α=${o.alpha}`,
    o.lastLayerOnly ? 'last layer only' : `${o.depth}×${o.width}`,
    `${o.optimizer} lr=${o.learningRate}`,
  ];
  if (o.weightDecay > 0) parts.push(`wd=${o.weightDecay}`);
  if (o.labelShuffle > 0) parts.push(`${Math.round(o.labelShuffle * 100)}% shuffled`);
  if (o.initScale !== 1) parts.push(`init×${o.initScale}`);
  if (o.seed !== 0) parts.push(`seed ${o.seed}`);
  return `custom: ${parts.join(', ')}`;
}

const frameAfter = (callback: () => void, ms: number) => {
  const timer = setTimeout(() => requestAnimationFrame(callback), ms);
  return () => clearTimeout(timer);
};

export function createLearnTrainer(
  deps: LearnTrainerDependencies,
  options: LearnTrainerOptions = defaultLearnTrainerOptions,
) {
  const { store } = deps;
  const schedule = deps.schedule ?? frameAfter;
  const now = deps.now ?? (() => performance.now());
  /** the run being trained, filled as events arrive; the store holds copies */
  let live: LearnRun | null = null;
  let handle: TrainingHandle | null = null;
  /** presets still to run after the current one ("run all presets") */
  let queue: Preset[] = [];
  let cancelFlush: (() => void) | null = null;
  let lastFlush = 0;

  const flush = () => {
    cancelFlush = null;
    lastFlush = now();
    if (live)
      store.dispatch(updateLearnRun, {
        ...live,
        checkpoints: [...live.checkpoints],
        problems: [...live.problems],
        elapsedMs: [...live.elapsedMs],
      });
  };

  const scheduleFlush = () => {
    if (cancelFlush) return;
    cancelFlush = schedule(flush, Math.max(0, options.flushMs - (now() - lastFlush)));
  };

  function launch(requested: TrainerOptions, preset: Preset | null): void {
    handle?.stop();
    const runOptions = {
      ...requested,
      checkpointEvery: Math.max(
        requested.checkpointEvery,
        Math.ceil(requested.steps / options.maxCheckpoints),
      ),
    };
    store.dispatch(startLearnRun, {
      name: preset ? preset.label : describeOptions(runOptions),
      options: runOptions,
    });
    const { runs, currentId } = store.getState().learn;
    // the live copy grows in place; the store gets a fresh copy at each flush
    const run: LearnRun = {
      ...runs.find((r) => r.id === currentId)!,
      checkpoints: [],
      problems: [],
      elapsedMs: [],
    };
    live = run;
    const training = deps.startTraining(runOptions, (event) => {
      if (live !== run) return;
      if (event.checkpoint) {
        run.checkpoints.push(event.checkpoint);
        run.elapsedMs.push(event.elapsedMs);
      }
      if (event.problem) run.problems.push(event.problem);
      scheduleFlush();
    });
    handle = training;
    store.dispatch(setTrainingOnMainThread, training.where === 'main thread');
    const finish = (status: LearnRun['status'], problem?: string) => {
      if (live !== run) return;
      run.status = status;
      if (problem) run.problems.push(problem);
      handle = null;
      cancelFlush?.();
      flush();
      const next = status === 'done' ? queue.shift() : undefined;
      if (!next) {
        queue = [];
        return;
      }
      store.dispatch(choosePreset, next.id);
      launch(next.options, next);
    };
    training.done.then(
      (summary) => finish(summary ? 'done' : 'stopped'),
      (error: unknown) => finish('failed', error instanceof Error ? error.message : String(error)),
    );
  }

  return {
    /** Trains the chosen settings. */
    start(): void {
      queue = [];
      const learn = store.getState().learn;
      launch(chosenOptions(learn), chosenPreset(learn));
    },

    /** Trains every preset of the scenario, one after the other. */
    runAll(): void {
      const [first, ...rest] = SCENARIO_PRESETS[store.getState().learn.scenario];
      queue = rest;
      store.dispatch(choosePreset, first.id);
      launch(first.options, first);
    },

    stop(): void {
      queue = [];
      handle?.stop();
    },

    /** Sends a run to the dashboard as `Learn: <name>`. */
    send(run: LearnRun): void {
      const name = `Learn: ${run.name}`;
      deps.importRun(
        name,
        run.checkpoints.map((c) => ({ step: c.step, fit: c.fit, eval: c.eval, metrics: c.metrics })),
      );
      store.dispatch(noteLearnRunSent, name);
    },

    /** The view is left: training stops; what it trained so far stays. */
    leave(): void {
      queue = [];
      handle?.stop();
      store.dispatch(leaveLearn);
    },
  };
}

export type LearnTrainer = ReturnType<typeof createLearnTrainer>;
