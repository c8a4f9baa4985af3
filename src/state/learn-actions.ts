/**
 * The Learn view's slice of the state and its named actions (pure). Training itself, the trainer
 * worker and the throttled updates, is learn-trainer.ts; the slice holds what the view shows, so
 * leaving the view and coming back finds it as it was.
 *
 * Only types come from src/train here, so the trainer's code stays in the Learn view's own chunk.
 */
import type { MeasuredCheckpoint } from '../train/measure';
import type { ScenarioId } from '../train/presets';
import type { TrainerOptions } from '../train/trainer';
import { action } from './action';
import type { RichscopeState } from './app-state';
import { nextRunColour } from './run-colours';

/** A training run of the Learn view (finished, stopped or still running). */
export interface LearnRun {
  id: string;
  name: string;
  colour: string;
  options: TrainerOptions;
  checkpoints: MeasuredCheckpoint[];
  status: 'running' | 'done' | 'stopped' | 'failed';
  /** checkpoints skipped because D_LR was undefined, and failures */
  problems: string[];
  /** ms from start to each checkpoint, parallel to `checkpoints` */
  elapsedMs: number[];
}

export interface LearnState {
  scenario: ScenarioId;
  /** the chosen preset (src/train/presets.ts), null once the settings were edited by hand */
  presetId: string | null;
  /** settings edited by hand; null while a preset's own are used */
  customOptions: TrainerOptions | null;
  /** the runs on the plots, oldest first */
  runs: LearnRun[];
  /** the run the status line and the test hooks describe */
  currentId: string | null;
  /** the name the last run was sent to the dashboard under (cleared by the next run) */
  sentTo: string | null;
  /** the trainer runs on the page itself (no Web Workers here) */
  onMainThread: boolean;
  /** runs started so far (their ids count up, `learn-1`, `learn-2`, ...) */
  started: number;
}

/** The first scenario and its first preset (src/train/presets.ts `SCENARIO_PRESETS`). */
export const initialLearnState: LearnState = {
  scenario: 'lazy-vs-rich',
  presetId: 'rich',
  customOptions: null,
  runs: [],
  currentId: null,
  sentTo: null,
  onMainThread: false,
  started: 0,
};

/** Most runs kept on the plots (the oldest is dropped). */
export const MAX_LEARN_RUNS = 4;

const withLearn = (state: RichscopeState, change: Partial<LearnState>): RichscopeState => ({
  ...state,
  learn: { ...state.learn, ...change },
});

/** Switches scenario, with its first preset chosen. */
export const chooseScenario = action<{ scenario: ScenarioId; presetId: string }>(
  'chooseScenario',
  (state, { scenario, presetId }) => withLearn(state, { scenario, presetId, customOptions: null }),
);

export const choosePreset = action<string>('choosePreset', (state, presetId) =>
  withLearn(state, { presetId, customOptions: null }),
);

/** Settings edited by hand: no preset is chosen any more. */
export const editTrainerOptions = action<TrainerOptions>('editTrainerOptions', (state, options) =>
  withLearn(state, { presetId: null, customOptions: options }),
);

/**
 * A new run, current and running, on the plots. A rerun (same name) replaces the old one and keeps
 * its colour, so comparisons stay readable; beyond {@link MAX_LEARN_RUNS} the oldest is dropped.
 */
export const startLearnRun = action<{ name: string; options: TrainerOptions }>(
  'startLearnRun',
  (state, { name, options }) => {
    const { runs, started } = state.learn;
    const others = runs.filter((r) => r.name !== name).slice(-(MAX_LEARN_RUNS - 1));
    const colour = runs.find((r) => r.name === name)?.colour ?? nextRunColour(others.map((r) => r.colour));
    const run: LearnRun = {
      id: `learn-${started + 1}`,
      name,
      colour,
      options,
      checkpoints: [],
      status: 'running',
      problems: [],
      elapsedMs: [],
    };
    return withLearn(state, {
      runs: [...others, run],
      currentId: run.id,
      sentTo: null,
      started: started + 1,
    });
  },
);

/** The latest copy of a run (its checkpoints so far, its status). */
export const updateLearnRun = action<LearnRun>('updateLearnRun', (state, run) =>
  state.learn.runs.some((r) => r.id === run.id)
    ? withLearn(state, { runs: state.learn.runs.map((r) => (r.id === run.id ? run : r)) })
    : state,
);

export const setTrainingOnMainThread = action<boolean>('setTrainingOnMainThread', (state, onMainThread) =>
  withLearn(state, { onMainThread }),
);

/** A run was sent to the dashboard under `name`. */
export const noteLearnRunSent = action<string>('noteLearnRunSent', (state, name) =>
  withLearn(state, { sentTo: name }),
);

/** The view was left: training stops (a running run ends as stopped) and its notes are cleared. */
export const leaveLearn = action('leaveLearn', (state) =>
  withLearn(state, {
    runs: state.learn.runs.map((r) => (r.status === 'running' ? { ...r, status: 'stopped' } : r)),
    sentTo: null,
    onMainThread: false,
  }),
);
