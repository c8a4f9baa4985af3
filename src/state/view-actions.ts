/**
 * How the data is shown: every change of the view settings (view-settings.ts), the route and the
 * play state is a named, pure action (action.ts). The rules that tie settings together (a new mode
 * starts at the latest step, a log k axis drops a zoom it cannot show) live here, not in the UI.
 */
import { action } from './action';
import type { RichscopeState } from './app-state';
import {
  usableKRange,
  type CurveForm,
  type Route,
  type SortColumn,
  type ViewSettings,
} from './view-settings';

const withView = (state: RichscopeState, change: Partial<ViewSettings>): RichscopeState => ({
  ...state,
  view: { ...state.view, ...change },
});

/** The steps a play control moves through, and the index of the one shown (-1: none). */
export interface StepPosition {
  steps: readonly number[];
  current: number;
}

/** Route and view as a URL hash spells them (the hash wins over what was shown). */
export const followHash = action<{ route: Route; view: ViewSettings }>(
  'followHash',
  (state, { route, view }) => ({
    ...state,
    route,
    view,
  }),
);

/** Spectra across runs, at the latest step. */
export const showAcrossRuns = action('showAcrossRuns', (state) =>
  withView(state, { spectraMode: 'runs', step: null }),
);

/** Spectra across the checkpoints of one run (null: the first visible run), from its latest step. */
export const showAcrossCheckpoints = action<string | null>('showAcrossCheckpoints', (state, runId) =>
  withView(state, { spectraMode: 'checkpoints', step: null, focusRun: runId }),
);

/** The run shown across its checkpoints (null: the first visible run), from its latest step. */
export const focusRun = action<string | null>('focusRun', (state, runId) =>
  withView(state, { focusRun: runId, step: null }),
);

/** The step the spectra show (each run its nearest checkpoint); null = the latest. */
export const showStep = action<number | null>('showStep', (state, step) => withView(state, { step }));

/** Play from where the slider is (from the first step when it is at the end), or pause. */
export const togglePlay = action<StepPosition>('togglePlay', (state, { steps, current }) => {
  const restart = !state.playing && current >= steps.length - 1 && steps.length > 0;
  const view = restart ? { ...state.view, step: steps[0] } : state.view;
  return { ...state, view, playing: !state.playing };
});

/** One tick of play: the next step (after the last, the first); playing stops on the last step. */
export const advancePlay = action<StepPosition>('advancePlay', (state, { steps, current }) => {
  if (steps.length === 0) return state;
  const index = current >= steps.length - 1 ? 0 : current + 1;
  const playing = index === steps.length - 1 ? false : state.playing;
  return { ...withView(state, { step: steps[index] }), playing };
});

export const setLogSteps = action<boolean>('setLogSteps', (state, logSteps) => withView(state, { logSteps }));

/** A log or linear k axis; the zoom (in k) carries over, unless it reaches k <= 0 on a log axis. */
export const setLogK = action<boolean>('setLogK', (state, logK) =>
  withView(state, { logK, kRange: usableKRange(state.view.kRange, logK) }),
);

/** The zoomed k range of the three spectra, in k; null = autoscaled. */
export const zoomK = action<readonly [number, number] | null>('zoomK', (state, kRange) =>
  withView(state, { kRange }),
);

export const setLogEigenvalues = action<boolean>('setLogEigenvalues', (state, logEigenvalues) =>
  withView(state, { logEigenvalues }),
);

export const setKMinRelative = action<number>('setKMinRelative', (state, kMinRelative) =>
  withView(state, { kMinRelative }),
);

/** The form of Π*(k) and Π̂(k) drawn: held-out projections or the paper's Nyström sums. */
export const setCurveForm = action<CurveForm>('setCurveForm', (state, curveForm) =>
  withView(state, { curveForm }),
);

export const setAggregateSeeds = action<boolean>('setAggregateSeeds', (state, aggregateSeeds) =>
  withView(state, { aggregateSeeds }),
);

/** Sorts the table by `column`: ascending first, the direction flips on the same column. */
export const sortBy = action<SortColumn>('sortBy', (state, column) =>
  withView(state, {
    sortColumn: column,
    sortDescending: column === state.view.sortColumn ? !state.view.sortDescending : false,
  }),
);

/** The layers both layer plots show, in this order (docs/method.md §8); null = every layer. */
export const orderLayers = action<readonly string[] | null>('orderLayers', (state, layers) =>
  withView(state, { layers }),
);

/** The run (or `group:<name>` seed group) of the layer x step heat map; null = the selected run's. */
export const showLayerSteps = action<string | null>('showLayerSteps', (state, layerStepsRun) =>
  withView(state, { layerStepsRun }),
);

/** The weight of the moving average over training steps (0 = off; view-settings.ts `smoothing`). */
export const setSmoothing = action<number>('setSmoothing', (state, smoothing) =>
  withView(state, { smoothing }),
);

/**
 * Selects a checkpoint for the details panel; a null run clears the selection. The spectra follow:
 * they move to its step (across checkpoints: to its run, at that step).
 */
export const selectCheckpoint = action<{ runId: string | null; step: number | null }>(
  'selectCheckpoint',
  (state, { runId, step }) => {
    const selectedStep = runId === null ? null : step;
    const spectra =
      runId === null || selectedStep === null
        ? {}
        : state.view.spectraMode === 'checkpoints'
          ? { focusRun: runId, step: selectedStep }
          : { step: selectedStep };
    return withView(state, { ...spectra, selectedRun: runId, selectedStep });
  },
);
