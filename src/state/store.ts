/**
 * The one application store (zustand, wrapped here and nowhere else). Components read it with
 * `useRichscope(selector)` and change it through `richscope.*` actions; only this module talks to
 * the analysis bridge. The API other producers use (`importRun`) is documented in README.md.
 */
import { create } from 'zustand';
import { AnalysisBridge, type JobProgress, type PoolState } from '../bridge/analysis-bridge';
import { sessionWorkerReader } from '../bridge/session-worker';
import type { AnalyzedCheckpoint } from '../../workers/analysis.worker';
import { nextRunColour } from './run-colours';
import { planAnalysis, type CheckpointFiles, type DroppedFile } from './file-intake';
import type { AnalysisJob } from './model';
import { addProgressSample } from './progress-rate';
import {
  toCheckpointRecord,
  type CheckpointRecord,
  type ImportedCheckpoint,
  type RunRecord,
} from '../session/records';
import { createSessionStorage, openSessionDatabase, type SessionStorage } from '../session/session-db';
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
}

export interface RichscopeDependencies {
  /** the analysis workers; `subscribePool` (optional in tests) keeps `pool` current */
  bridge: Pick<AnalysisBridge, 'analyzeFiles' | 'importBundle'> &
    Partial<Pick<AnalysisBridge, 'subscribePool'>>;
  session: SessionStorage;
  /** fetches the app's own files (bundled examples) */
  fetchFile: (url: string) => Promise<Response>;
  /** ms on a monotonic clock, for the progress rate; default performance.now() */
  now?: () => number;
}

const initialState: RichscopeState = {
  runs: [],
  jobs: [],
  pool: { alive: 0, busy: 0 },
  notices: [],
  route: 'dashboard',
  view: defaultViewSettings,
  ready: false,
  playing: false,
};

function sortByStep(checkpoints: CheckpointRecord[]): CheckpointRecord[] {
  return [...checkpoints].sort((a, b) => a.step - b.step);
}

/** Builds a store with its dependencies; the app uses the default instance below, tests their own. */
export function createRichscopeStore(deps: RichscopeDependencies) {
  const store = create<RichscopeState>(() => initialState);
  const { getState, setState } = store;
  let controllers: AbortController[] = [];
  let nextJob = 0;
  const now = deps.now ?? (() => performance.now());
  deps.bridge.subscribePool?.((pool) => setState({ pool }));

  const updateRun = (id: string, change: (run: RunRecord) => RunRecord) =>
    setState((s) => ({ runs: s.runs.map((run) => (run.id === id ? change(run) : run)) }));

  /** The run called `name`, created (with the next free palette colour) when there is none. */
  const ensureRun = (name: string): string => {
    const existing = getState().runs.find((run) => run.name === name);
    if (existing) return existing.id;
    const ids = new Set(getState().runs.map((run) => run.id));
    let id = name;
    for (let i = 2; ids.has(id); i++) id = `${name}-${i}`;
    const run: RunRecord = {
      id,
      name,
      colour: nextRunColour(getState().runs.map((r) => r.colour)),
      visible: true,
      seedGroup: '',
      checkpoints: [],
      errors: [],
    };
    setState((s) => ({ runs: [...s.runs, run] }));
    return id;
  };

  /** Adds or replaces (same step) a checkpoint of a run. */
  const putCheckpoint = (runId: string, checkpoint: CheckpointRecord) =>
    updateRun(runId, (run) => ({
      ...run,
      checkpoints: sortByStep([...run.checkpoints.filter((c) => c.step !== checkpoint.step), checkpoint]),
    }));

  /** A progress report of a running job, with a sample for its rate while rows are being read. */
  const progressJob = (id: string, progress: JobProgress) =>
    setState((s) => ({
      jobs: s.jobs.map((job) =>
        job.id === id
          ? {
              ...job,
              ...progress,
              samples:
                progress.phase === 'read'
                  ? addProgressSample(job.samples, { time: now(), rowsDone: progress.rowsDone })
                  : job.samples,
            }
          : job,
      ),
    }));

  const removeJob = (id: string) => setState((s) => ({ jobs: s.jobs.filter((job) => job.id !== id) }));

  const addNotice = (notice: string) => setState((s) => ({ notices: [...s.notices, notice] }));

  /** Results whose moments the browser refused to store (a full disk) stay for this visit only: said once. */
  const noteStoreProblem = (problem: string | null) => {
    const notice = `Some results are kept for this visit only: the browser did not store them (${problem}).`;
    if (problem && !getState().notices.includes(notice)) addNotice(notice);
  };

  /**
   * Keys of stored moments that have entered the store (or were stored for a result it dropped).
   * Each save deletes those no checkpoint holds any more: a removed run, a replaced checkpoint.
   */
  const storedKeys = new Set<string>();

  /** Writes the session's metadata (never moments: those were stored once, by their worker). */
  const save = () => {
    if (!getState().ready) return;
    const runs = getState().runs;
    const held = new Set(runs.flatMap((run) => run.checkpoints.map((c) => c.momentsKey)));
    const discard = [...storedKeys].filter((key) => !held.has(key));
    deps.session
      .save(runs, discard)
      .then(() => discard.forEach((key) => storedKeys.delete(key)))
      .catch(() => undefined);
  };
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleSave = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 300);
  };

  /** Moments stored for results the store dropped (they arrived after a cancel): deleted at the next save. */
  function discardMoments(keys: (string | null)[]): void {
    for (const key of keys) if (key) storedKeys.add(key);
    scheduleSave();
  }

  /**
   * Stores the moments of a run computed on the main thread (the Learn view's trainer; small, see
   * README.md), one checkpoint per task so that no clone blocks the page, and gives each checkpoint
   * its key once written. Checkpoints replaced or removed meanwhile are skipped (or discarded).
   */
  async function storeImported(records: CheckpointRecord[]): Promise<void> {
    const holds = (record: CheckpointRecord) =>
      getState().runs.find((run) => run.checkpoints.includes(record));
    for (const record of records) {
      if (!holds(record)) continue;
      let key: string | null;
      try {
        key = await deps.session.storeMoments({ fit: record.fit, eval: record.eval });
      } catch (error) {
        noteStoreProblem((error as Error)?.message ?? String(error));
        return;
      }
      if (key === null) return; // no storage here
      const run = holds(record);
      if (!run) {
        discardMoments([key]);
        continue;
      }
      updateRun(run.id, (r) => ({
        ...r,
        checkpoints: r.checkpoints.map((c) => (c === record ? { ...c, momentsKey: key } : c)),
      }));
    }
  }

  /** Removes a run created for a drop that ended up holding nothing (no checkpoint, error or pending job). */
  const removeIfUnused = (runId: string) =>
    setState((s) => {
      const run = s.runs.find((r) => r.id === runId);
      const unused =
        run &&
        run.checkpoints.length === 0 &&
        run.errors.length === 0 &&
        !s.jobs.some((j) => j.runId === runId);
      return unused ? { runs: s.runs.filter((r) => r.id !== runId) } : {};
    });

  const record = (step: number, label: string, analyzed: AnalyzedCheckpoint): CheckpointRecord => ({
    step,
    label,
    fit: analyzed.fit,
    eval: analyzed.eval,
    metrics: analyzed.metrics,
    notes: analyzed.notes,
    momentsKey: analyzed.momentsKey,
  });

  async function analyzeCheckpoint(plan: CheckpointFiles, step: number, signal: AbortSignal): Promise<void> {
    const runId = ensureRun(plan.run);
    const id = `job-${nextJob++}`;
    const firstFile = plan.fit[0]?.path ?? plan.label;
    setState((s) => ({
      jobs: [
        ...s.jobs,
        {
          id,
          runId,
          label: plan.label,
          file: firstFile,
          phase: 'queued',
          rowsDone: 0,
          rowsTotal: 0,
          workers: 0,
          samples: [],
        },
      ],
    }));
    const named = (files: DroppedFile[]) => files.map((f) => ({ file: f.file, name: f.path }));
    try {
      const outcome = await deps.bridge.analyzeFiles(
        { fit: named(plan.fit), eval: plan.eval ? named(plan.eval) : null },
        { signal, onProgress: (p) => progressJob(id, p), persist: true },
      );
      // A result that was already on its way when the user cancelled is dropped too.
      if (signal.aborted) {
        if (outcome.ok) discardMoments([outcome.value.momentsKey]);
        return;
      }
      if (outcome.ok) {
        noteStoreProblem(outcome.value.storeProblem);
        // A moments file's own metadata (run, step) says more than its file name.
        const { declared } = outcome.value;
        const targetRun = declared.run ? ensureRun(declared.run) : runId;
        putCheckpoint(targetRun, record(declared.step ?? step, plan.label, outcome.value));
      } else {
        const { file, message } = outcome;
        updateRun(runId, (run) => ({ ...run, errors: [...run.errors, { file, message }] }));
      }
    } catch (error) {
      if ((error as Error)?.name !== 'AbortError') {
        const message = error instanceof Error ? error.message : String(error);
        updateRun(runId, (run) => ({ ...run, errors: [...run.errors, { file: firstFile, message }] }));
      }
    } finally {
      removeJob(id);
      removeIfUnused(runId);
    }
  }

  async function importBundleFile(bundle: DroppedFile, signal: AbortSignal): Promise<void> {
    const id = `job-${nextJob++}`;
    setState((s) => ({
      jobs: [
        ...s.jobs,
        {
          id,
          runId: '',
          label: bundle.path,
          file: bundle.path,
          phase: 'queued',
          rowsDone: 0,
          rowsTotal: 0,
          workers: 0,
          samples: [],
        },
      ],
    }));
    try {
      const outcome = await deps.bridge.importBundle(bundle.file, bundle.path, { signal, persist: true });
      if (signal.aborted) {
        if (outcome.ok)
          discardMoments(outcome.value.flatMap((run) => run.checkpoints.map((c) => c.momentsKey)));
        return;
      }
      if (!outcome.ok) {
        addNotice(`${outcome.file}: ${outcome.message}`);
        return;
      }
      const checkpoints = outcome.value.flatMap((run) => run.checkpoints);
      noteStoreProblem(checkpoints.find((c) => c.storeProblem)?.storeProblem ?? null);
      for (const run of outcome.value) {
        const runId = ensureRun(run.name);
        if (run.colour)
          updateRun(runId, (r) => ({ ...r, colour: run.colour, seedGroup: run.seedGroup || r.seedGroup }));
        for (const c of run.checkpoints) putCheckpoint(runId, record(c.step, c.label, c));
      }
    } catch (error) {
      if ((error as Error)?.name !== 'AbortError') {
        addNotice(`${bundle.path}: ${(error as Error).message}`);
      }
    } finally {
      removeJob(id);
    }
  }

  /** Drops runs left with neither checkpoints nor errors (their analysis was cancelled). */
  const pruneEmptyRuns = () =>
    setState((s) => ({ runs: s.runs.filter((run) => run.checkpoints.length > 0 || run.errors.length > 0) }));

  const actions = {
    /**
     * Analyses dropped files and folders in the workers. Checkpoints are grouped into runs by the
     * io grouping rules; a run whose name exists gets the new checkpoints (same step: replaced).
     * A bad file becomes an error on its run; every other run stays as it was.
     */
    async addFiles(files: readonly DroppedFile[]): Promise<void> {
      const plan = planAnalysis(files);
      if (plan.unplaced.length > 0) {
        setState((s) => ({
          notices: [...s.notices, ...plan.unplaced.map((u) => `${u.path}: ${u.problem}`)],
        }));
      }
      const controller = new AbortController();
      controllers.push(controller);
      const positions = new Map<string, number>();
      const work = [
        ...plan.bundles.map((bundle) => importBundleFile(bundle, controller.signal)),
        ...plan.checkpoints.map((checkpoint) => {
          const position = positions.get(checkpoint.run) ?? 0;
          positions.set(checkpoint.run, position + 1);
          return analyzeCheckpoint(checkpoint, checkpoint.step ?? position, controller.signal);
        }),
      ];
      await Promise.all(work);
      controllers = controllers.filter((c) => c !== controller);
      if (controller.signal.aborted) pruneEmptyRuns();
    },

    /** Cancels every queued and running analysis (running workers are terminated). */
    cancelAnalysis(): void {
      for (const controller of controllers) controller.abort();
      controllers = [];
      setState({ jobs: [] });
      pruneEmptyRuns();
    },

    /**
     * Adds a run computed elsewhere (e.g. the Learn view's trainer). A run with the same name is
     * replaced wholesale, keeping its colour, visibility and seed group. Returns the run id.
     */
    importRun(name: string, checkpoints: readonly ImportedCheckpoint[]): string {
      const runId = ensureRun(name);
      const records = sortByStep(checkpoints.map(toCheckpointRecord));
      updateRun(runId, (run) => ({ ...run, errors: [], checkpoints: records }));
      void storeImported(records);
      return runId;
    },

    renameRun(id: string, name: string): void {
      const trimmed = name.trim();
      if (trimmed) updateRun(id, (run) => ({ ...run, name: trimmed }));
    },
    setRunColour(id: string, colour: string): void {
      updateRun(id, (run) => ({ ...run, colour }));
    },
    setRunVisible(id: string, visible: boolean): void {
      updateRun(id, (run) => ({ ...run, visible }));
    },
    setSeedGroup(id: string, seedGroup: string): void {
      updateRun(id, (run) => ({ ...run, seedGroup }));
    },
    removeRun(id: string): void {
      setState((s) => ({ runs: s.runs.filter((run) => run.id !== id) }));
    },
    removeAllRuns(): void {
      setState({ runs: [], notices: [] });
    },
    dismissRunError(id: string, index: number): void {
      updateRun(id, (run) => ({ ...run, errors: run.errors.filter((_, i) => i !== index) }));
    },
    dismissNotice(index: number): void {
      setState((s) => ({ notices: s.notices.filter((_, i) => i !== index) }));
    },

    setPlaying(playing: boolean): void {
      setState({ playing });
    },
    setRoute(route: Route): void {
      setState({ route });
    },
    setView(patch: Partial<ViewSettings>): void {
      setState((s) => ({ view: { ...s.view, ...patch } }));
    },
    /** Selects a checkpoint for the details panel (null clears the selection). */
    selectCheckpoint(runId: string | null, step: number | null): void {
      setState((s) => ({
        view: { ...s.view, selectedRun: runId, selectedStep: runId === null ? null : step },
      }));
    },

    /** Fetches the bundled example runs (public/examples, same origin) and analyses them. */
    async loadExamples(): Promise<void> {
      const base = `${import.meta.env.BASE_URL}examples/`;
      try {
        const manifest = (await (await deps.fetchFile(`${base}manifest.json`)).json()) as { files: string[] };
        const files = await Promise.all(
          manifest.files.map(async (name) => {
            const response = await deps.fetchFile(`${base}${name}`);
            if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
            return { file: await response.blob(), path: name };
          }),
        );
        await actions.addFiles(files);
      } catch (error) {
        setState((s) => ({
          notices: [...s.notices, `The example runs could not be loaded: ${(error as Error).message}`],
        }));
      }
    },

    /**
     * Restores the stored session (its moments read in the session worker); when it holds no runs,
     * loads the examples instead, unless `examples` is false (a page `richscope serve` fills from
     * its log directory).
     */
    async restoreSession({ examples = true }: { examples?: boolean } = {}): Promise<void> {
      let stored: RunRecord[] | null = null;
      try {
        const restored = await deps.session.load();
        stored = restored?.runs ?? null;
        if (restored && restored.lost > 0)
          addNotice(
            `${restored.lost} checkpoint${restored.lost === 1 ? '' : 's'} of the last session could not be ` +
              'restored: their stored moments are missing.',
          );
      } catch (error) {
        // A blocked or corrupt database must not keep the app from starting: start empty.
        addNotice(`The last session could not be restored: ${(error as Error)?.message ?? error}`);
      }
      // No stored runs (first start, or everything removed): show the examples rather than nothing.
      if (stored === null || stored.length === 0) {
        setState({ ready: true });
        if (examples) await actions.loadExamples();
      } else {
        setState((s) => ({
          runs: [...stored, ...s.runs.filter((run) => !stored.some((r) => r.id === run.id))],
          ready: true,
        }));
      }
    },
  };

  /** Saves the runs whenever they change (debounced): results and moments survive a reload. */
  store.subscribe((state, previous) => {
    if (state.runs !== previous.runs)
      for (const run of state.runs)
        for (const c of run.checkpoints) if (c.momentsKey) storedKeys.add(c.momentsKey);
    if (!state.ready || (state.runs === previous.runs && state.ready === previous.ready)) return;
    scheduleSave();
  });

  return { store, actions };
}

export type RichscopeActions = ReturnType<typeof createRichscopeStore>['actions'];

const app = createRichscopeStore({
  bridge: new AnalysisBridge(),
  session: createSessionStorage({ database: openSessionDatabase, reader: sessionWorkerReader }),
  fetchFile: (url) => fetch(url),
});

/** Reads the store in a component; pass a selector returning a stable value (a slice, not a new object). */
export function useRichscope<T>(selector: (state: RichscopeState) => T): T {
  return app.store(selector);
}

/** Reads the store outside React (event handlers, hash sync). */
export const getRichscopeState = app.store.getState;
export const subscribeRichscope = app.store.subscribe;

/** Every way to change the application state. */
export const richscope: RichscopeActions = app.actions;
