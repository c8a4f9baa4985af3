/**
 * The application state: what the dashboard and the Learn view show. It changes only by named
 * actions (action.ts), which the store (store.ts) applies.
 */
import type { PoolState } from '../bridge/analysis-bridge';
import type { Action, ActionArgs } from './action';
import type { RunRecord } from '../session/records';
import type { AnalysisJob } from './job-actions';
import { initialLearnState, type LearnState } from './learn-actions';
import { defaultViewSettings, type Route, type ViewSettings } from './view-settings';

export interface RichscopeState {
  runs: RunRecord[];
  /** analyses queued or running */
  jobs: AnalysisJob[];
  /** the analysis workers alive and busy (cancelling frees them) */
  pool: PoolState;
  /** problems not tied to a run (a broken results bundle, examples that failed to load) */
  notices: string[];
  route: Route;
  view: ViewSettings;
  /** false until the stored session (or the examples) has been loaded */
  ready: boolean;
  /** the spectra animate through training steps (not kept in the URL) */
  playing: boolean;
  /** the Learn view: its settings and training runs (kept while the dashboard is shown) */
  learn: LearnState;
  /** the run under the pointer (in the Runs panel or a plot): drawn forward in every plot */
  hoveredRun: string | null;
  /** the runs of the last removal, until undone or forgotten (their stored moments are kept meanwhile) */
  removed: RemovedRuns | null;
  /** files of the last drops that hold no data (README.md, side JSON, hidden files), skipped quietly */
  skippedFiles: string[];
}

/** Removed runs and the positions they had in `runs`, for `undoRemove`. */
export interface RemovedRuns {
  runs: RunRecord[];
  positions: number[];
}

export const initialState: RichscopeState = {
  runs: [],
  jobs: [],
  pool: { alive: 0, busy: 0 },
  notices: [],
  route: 'dashboard',
  view: defaultViewSettings,
  ready: false,
  playing: false,
  learn: initialLearnState,
  hoveredRun: null,
  removed: null,
  skippedFiles: [],
};

/** What the modules around the store see of it: read, listen, and change it by named actions. */
export interface RichscopeStore {
  getState(): RichscopeState;
  subscribe(listener: (state: RichscopeState, previous: RichscopeState) => void): () => void;
  dispatch<Args>(action: Action<Args>, ...args: ActionArgs<Args>): void;
}
