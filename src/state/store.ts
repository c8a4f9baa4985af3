/**
 * The one application store (zustand, wrapped here and nowhere else). Components read it with
 * `useRichscope(selector)` and change it through `richscope.*`; the modules around the store get
 * `richscopeStore()` (read, listen, dispatch a named action). The API other producers use
 * (`importRun`) is documented in README.md.
 *
 * Importing this module does nothing: `createRichscopeStore` builds a store from its dependencies
 * (tests build their own), and src/main.tsx installs the app's with `installRichscope`.
 */
import { create } from 'zustand';
import { toCheckpointRecord, type ImportedCheckpoint } from '../session/records';
import type { SessionStorage } from '../session/session-db';
import type { Action, ActionArgs } from './action';
import { initialState, type RichscopeState, type RichscopeStore } from './app-state';
import { fetchExampleFiles } from './examples';
import { createJobs, type AnalysisPort } from './jobs';
import { chooseScenario, choosePreset, editTrainerOptions } from './learn-actions';
import { addNotices, dismissNotice, dismissSkippedFiles } from './notice-actions';
import { persistSession } from './persistence';
import {
  addRun,
  dismissRunError,
  forgetRemoved,
  hoverRun,
  removeAllRuns,
  removeRun,
  renameRun,
  replaceCheckpoints,
  restoreRuns,
  runNamed,
  setRunColour,
  setRunVisible,
  setRunsVisible,
  setSeedGroup,
  undoRemove,
} from './run-actions';
import {
  advancePlay,
  focusRun,
  followHash,
  selectCheckpoint,
  orderLayers,
  setAggregateSeeds,
  setCurveForm,
  setKMinRelative,
  setLogEigenvalues,
  setLogK,
  setLogSteps,
  setSmoothing,
  showAcrossCheckpoints,
  showAcrossRuns,
  showLayerSteps,
  showStep,
  sortBy,
  togglePlay,
  zoomK,
} from './view-actions';

export type { RichscopeState } from './app-state';

export interface RichscopeDependencies {
  /** the analysis workers (src/bridge/analysis-bridge.ts) */
  bridge: AnalysisPort;
  /** the stored session (src/session/session-db.ts) */
  session: SessionStorage;
  /** fetches the app's own files (bundled examples) */
  fetchFile: (url: string) => Promise<Response>;
  /** ms on a monotonic clock, for the progress rate; default performance.now() */
  now?: () => number;
}

/** The named actions components call, each `richscope.<name>(args)`. */
const componentActions = {
  renameRun,
  setRunColour,
  setRunVisible,
  setRunsVisible,
  hoverRun,
  setSeedGroup,
  removeRun,
  removeAllRuns,
  undoRemove,
  forgetRemoved,
  dismissRunError,
  dismissNotice,
  dismissSkippedFiles,
  followHash,
  showAcrossRuns,
  showAcrossCheckpoints,
  focusRun,
  showStep,
  togglePlay,
  advancePlay,
  setLogSteps,
  setLogK,
  zoomK,
  setLogEigenvalues,
  setKMinRelative,
  setCurveForm,
  setAggregateSeeds,
  setSmoothing,
  sortBy,
  orderLayers,
  showLayerSteps,
  selectCheckpoint,
  chooseScenario,
  choosePreset,
  editTrainerOptions,
};

type Bound<T> = {
  [K in keyof T]: T[K] extends Action<infer Args> ? (...args: ActionArgs<Args>) => void : never;
};

function bindActions<T extends Record<string, Action<never>>>(
  actions: T,
  dispatch: RichscopeStore['dispatch'],
): Bound<T> {
  const bind =
    <Args>(a: Action<Args>) =>
    (...args: ActionArgs<Args>) =>
      dispatch(a, ...args);
  return Object.fromEntries(
    Object.entries(actions).map(([name, a]) => [name, bind(a as Action<unknown>)]),
  ) as Bound<T>;
}

/** Builds a store with its dependencies; the app installs one (src/main.tsx), tests build their own. */
export function createRichscopeStore(deps: RichscopeDependencies) {
  const store = create<RichscopeState>(() => initialState);
  const handle: RichscopeStore = {
    getState: store.getState,
    subscribe: store.subscribe,
    dispatch: (a, ...args) => store.setState((state) => a.perform(state, args[0] as never), true),
  };
  const persistence = persistSession(handle, deps.session);
  const jobs = createJobs(handle, {
    bridge: deps.bridge,
    now: deps.now ?? (() => performance.now()),
    discardMoments: persistence.discard,
  });

  /** Fetches the bundled example runs (public/examples, same origin) and analyses them. */
  async function loadExamples(): Promise<void> {
    try {
      await jobs.addFiles(await fetchExampleFiles(deps.fetchFile));
    } catch (error) {
      handle.dispatch(addNotices, [`The example runs could not be loaded: ${(error as Error).message}`]);
    }
  }

  const actions = {
    ...bindActions(componentActions, handle.dispatch),
    addFiles: jobs.addFiles,
    cancelAnalysis: jobs.cancelAnalysis,
    loadExamples,

    /**
     * Adds a run computed elsewhere (e.g. the Learn view's trainer). A run with the same name is
     * replaced wholesale, keeping its colour, visibility and seed group. Returns the run id. Its
     * moments, made on the main thread, are stored from here (README.md).
     */
    importRun(name: string, checkpoints: readonly ImportedCheckpoint[]): string {
      handle.dispatch(addRun, name);
      const runId = runNamed(handle.getState(), name)!.id;
      const records = checkpoints.map(toCheckpointRecord).sort((a, b) => a.step - b.step);
      handle.dispatch(replaceCheckpoints, { runId, checkpoints: records });
      void persistence.storeImported(records);
      return runId;
    },

    /**
     * Restores the stored session (its moments read in the session worker); when it holds no runs,
     * loads the examples instead, unless `examples` is false (a page `richscope serve` fills from
     * its log directory).
     */
    async restoreSession({ examples = true }: { examples?: boolean } = {}): Promise<void> {
      const stored = await persistence.load();
      handle.dispatch(restoreRuns, stored);
      // No stored runs (first start, or everything removed): show the examples rather than nothing.
      if (stored.length === 0 && examples) await loadExamples();
    },
  };

  return { store, actions, handle };
}

export type RichscopeApp = ReturnType<typeof createRichscopeStore>;
export type RichscopeActions = RichscopeApp['actions'];

let installed: RichscopeApp | null = null;

/** Makes `app` the store every component and `richscope.*` use (src/main.tsx, once). */
export function installRichscope(app: RichscopeApp): void {
  installed = app;
}

function app(): RichscopeApp {
  if (!installed) throw new Error('no Richscope store installed: src/main.tsx installs one before rendering');
  return installed;
}

/** Reads the store in a component; pass a selector returning a stable value (a slice, not a new object). */
export function useRichscope<T>(selector: (state: RichscopeState) => T): T {
  return app().store(selector);
}

/** Reads the store outside React (event handlers, hash sync). */
export const getRichscopeState = (): RichscopeState => app().store.getState();
export const subscribeRichscope: RichscopeStore['subscribe'] = (listener) => app().store.subscribe(listener);

/** The installed store as the modules around it see it (hash sync, the Learn view's trainer). */
export const richscopeStore = (): RichscopeStore => app().handle;

/** Every way components change the application state (forwarded to the installed store). */
export const richscope: RichscopeActions = new Proxy({} as RichscopeActions, {
  get: (_, name) => app().actions[name as keyof RichscopeActions],
});
