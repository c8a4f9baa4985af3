/**
 * Analysis jobs: a drop becomes worker calls (a checkpoint on its own, a batch of small checkpoints,
 * a results bundle; src/bridge/batches.ts), run by the analysis bridge, with their progress, their
 * cancellation, and their results or errors filed into the runs. Every change of the state goes
 * through a named action (job-actions.ts, run-actions.ts).
 *
 * What the jobs report is gathered and committed to the store together, at most once every
 * `commitIntervalMs`: a sweep of hundreds of checkpoints then costs the page a few store updates
 * (and plot redraws) a second, however fast the workers answer.
 */
import type { AnalysisBridge, JobProgress } from '../bridge/analysis-bridge';
import type { AnalysisOutcome, AnalyzedCheckpoint, AnalyzedFiles } from '../../workers/analysis.worker';
import type { CheckpointRecord } from '../session/records';
import type { RichscopeStore } from './app-state';
import { planAnalysis, type CheckpointFiles, type DroppedFile } from './file-intake';
import {
  addJobs,
  clearJobs,
  commitJobUpdates,
  setPool,
  type JobReport,
  type JobUpdates,
} from './job-actions';
import { addNoticeOnce, addNotices, addSkippedFiles, storeProblemNotice } from './notice-actions';
import { addRun, addRuns, adoptRunStyle, pruneEmptyRuns, putCheckpoints, runNamed } from './run-actions';

/**
 * What the jobs need of the analysis bridge; `subscribePool` (optional in tests) keeps `pool`
 * current; without `batchRequests` and `analyzeBatch` (some tests) every checkpoint has a call of its own.
 */
export type AnalysisPort = Pick<AnalysisBridge, 'analyzeFiles' | 'importBundle'> &
  Partial<Pick<AnalysisBridge, 'subscribePool' | 'analyzeBatch' | 'batchRequests'>>;

export interface JobDependencies {
  bridge: AnalysisPort;
  /** ms on a monotonic clock, for the progress rate and the commits */
  now: () => number;
  /**
   * Keys of moments a worker stored for a result the store dropped (it arrived after a cancel): the
   * session persistence deletes them.
   */
  discardMoments: (keys: readonly (string | null)[]) => void;
  /** least ms between two commits of the jobs' reports to the store; default 250 */
  commitIntervalMs?: number;
}

export const defaultCommitIntervalMs = 250;

/**
 * Checkpoints planned in one task of the page. Their files' sizes are read then, and the size of a
 * file from a dropped folder is a synchronous round trip to the browser's file system (about a
 * millisecond here; posting the file to a worker costs the same, as the browser reads it then).
 */
export const PLAN_SLICE_CHECKPOINTS = 25;

const recordOf = (step: number, label: string, analyzed: AnalyzedCheckpoint): CheckpointRecord => ({
  step,
  label,
  fit: analyzed.fit,
  eval: analyzed.eval,
  metrics: analyzed.metrics,
  notes: analyzed.notes,
  momentsKey: analyzed.momentsKey,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const isAbort = (error: unknown) => (error as Error)?.name === 'AbortError';

/** A checkpoint of a drop: its files, its run and the step it takes when nothing better is known. */
interface DroppedCheckpoint {
  files: CheckpointFiles;
  runId: string;
  step: number;
}

const emptyUpdates = (): JobUpdates => ({ progress: new Map(), checkpoints: [], errors: [], finished: [] });

export function createJobs(store: RichscopeStore, deps: JobDependencies) {
  const { dispatch, getState } = store;
  const commitInterval = deps.commitIntervalMs ?? defaultCommitIntervalMs;
  let controllers: AbortController[] = [];
  let nextJob = 0;
  deps.bridge.subscribePool?.((pool) => dispatch(setPool, pool));

  let updates = emptyUpdates();
  let commitTimer: ReturnType<typeof setTimeout> | undefined;
  let lastCommit = -Infinity;

  /** Applies what the jobs reported since the last commit, in one store update. */
  const commit = () => {
    clearTimeout(commitTimer);
    commitTimer = undefined;
    const { progress, checkpoints, errors, finished } = updates;
    if (progress.size + checkpoints.length + errors.length + finished.length === 0) return;
    lastCommit = deps.now();
    const committed = updates;
    updates = emptyUpdates();
    dispatch(commitJobUpdates, committed);
  };
  /** A commit soon: now if the last was long enough ago, else when `commitInterval` has passed since it. */
  const scheduleCommit = () => {
    if (commitTimer !== undefined) return;
    commitTimer = setTimeout(commit, Math.max(0, lastCommit + commitInterval - deps.now()));
  };
  const reportProgress = (id: string, progress: JobReport) => {
    const report = { progress, time: deps.now() };
    const reports = updates.progress.get(id);
    if (reports) reports.push(report);
    else updates.progress.set(id, [report]);
    scheduleCommit();
  };

  /** The id of the run called `name`, created when there is none. */
  const runFor = (name: string): string => {
    dispatch(addRun, name);
    return runNamed(getState(), name)!.id;
  };

  const noteStoreProblem = (problem: string | null) => {
    if (problem) dispatch(addNoticeOnce, storeProblemNotice(problem));
  };

  /** Files one checkpoint's outcome: a checkpoint in its run, or an error on it. */
  function fileOutcome(dropped: DroppedCheckpoint, outcome: AnalysisOutcome<AnalyzedFiles>): void {
    const { files, runId, step } = dropped;
    if (!outcome.ok) {
      updates.errors.push({ runId, error: { file: outcome.file, message: outcome.message } });
      return;
    }
    noteStoreProblem(outcome.value.storeProblem);
    // A moments file's own metadata (run, step) says more than its file name.
    const { declared } = outcome.value;
    updates.checkpoints.push({
      runId: declared.run ? runFor(declared.run) : runId,
      checkpoint: recordOf(
        declared.step ?? files.step ?? declared.savedStep ?? step,
        files.label,
        outcome.value,
      ),
    });
  }

  const named = (dropped: DroppedFile[]) => dropped.map((f) => ({ file: f.file, name: f.path }));
  const requestOf = (files: CheckpointFiles) => ({
    fit: named(files.fit),
    eval: files.eval ? named(files.eval) : null,
  });
  const firstFile = (files: CheckpointFiles) => files.fit[0]?.path ?? files.label;

  /**
   * Analyses checkpoints in the workers, in one call (a batch of small ones, or one on its own with
   * its rows' progress), and files their results or errors in their runs.
   */
  async function analyzeCheckpoints(
    id: string,
    checkpoints: DroppedCheckpoint[],
    signal: AbortSignal,
  ): Promise<void> {
    const requests = checkpoints.map((c) => requestOf(c.files));
    const { analyzeBatch } = deps.bridge;
    try {
      const outcomes =
        requests.length === 1 || !analyzeBatch
          ? [
              await deps.bridge.analyzeFiles(requests[0], {
                signal,
                onProgress: (progress: JobProgress) => reportProgress(id, progress),
                persist: true,
              }),
            ]
          : await analyzeBatch.call(deps.bridge, requests, {
              signal,
              persist: true,
              onProgress: ({ checkpointsDone, file }) =>
                reportProgress(id, {
                  phase: 'read',
                  rowsDone: 0,
                  rowsTotal: 0,
                  file,
                  workers: 1,
                  checkpointsDone,
                }),
            });
      // Results that were already on their way when the user cancelled are dropped too.
      if (signal.aborted) {
        deps.discardMoments(outcomes.map((o) => (o.ok ? o.value.momentsKey : null)));
        return;
      }
      outcomes.forEach((outcome, k) => fileOutcome(checkpoints[k], outcome));
    } catch (error) {
      if (!isAbort(error))
        for (const { runId, files } of checkpoints)
          updates.errors.push({ runId, error: { file: firstFile(files), message: messageOf(error) } });
    } finally {
      updates.finished.push(id);
      scheduleCommit();
    }
  }

  /** Reads a results bundle in a worker (metrics recomputed there) and files its runs. */
  async function importBundleFile(id: string, bundle: DroppedFile, signal: AbortSignal): Promise<void> {
    try {
      const outcome = await deps.bridge.importBundle(bundle.file, bundle.path, { signal, persist: true });
      if (signal.aborted) {
        if (outcome.ok)
          deps.discardMoments(outcome.value.flatMap((run) => run.checkpoints.map((c) => c.momentsKey)));
        return;
      }
      if (!outcome.ok) {
        dispatch(addNotices, [`${outcome.file}: ${outcome.message}`]);
        return;
      }
      const checkpoints = outcome.value.flatMap((run) => run.checkpoints);
      noteStoreProblem(checkpoints.find((c) => c.storeProblem)?.storeProblem ?? null);
      const puts = [];
      for (const run of outcome.value) {
        const runId = runFor(run.name);
        if (run.colour) dispatch(adoptRunStyle, { runId, colour: run.colour, seedGroup: run.seedGroup });
        for (const c of run.checkpoints) puts.push({ runId, checkpoint: recordOf(c.step, c.label, c) });
      }
      dispatch(putCheckpoints, puts);
    } catch (error) {
      if (!isAbort(error)) dispatch(addNotices, [`${bundle.path}: ${(error as Error).message}`]);
    } finally {
      updates.finished.push(id);
      scheduleCommit();
    }
  }

  return {
    /**
     * Analyses dropped files and folders in the workers. Checkpoints are grouped into runs by the
     * io grouping rules; a run whose name exists gets the new checkpoints (same step: replaced).
     * A bad file becomes an error on its run (a notice when its run is left with no checkpoint);
     * every other run stays as it was. Side files (README.md, config.json) are skipped quietly.
     */
    async addFiles(files: readonly DroppedFile[]): Promise<void> {
      const plan = planAnalysis(files);
      dispatch(addSkippedFiles, plan.skipped);
      dispatch(
        addNotices,
        plan.unplaced.map((u) => `${u.path}: ${u.problem}`),
      );
      const controller = new AbortController();
      controllers.push(controller);
      const positions = new Map<string, number>();
      const steps = plan.checkpoints.map((files) => {
        // files without a step in their name take their position in the run
        const position = positions.get(files.run) ?? 0;
        positions.set(files.run, position + 1);
        return files.step ?? position;
      });
      const bundles = plan.bundles.map((bundle) => ({ id: `job-${nextJob++}`, bundle }));
      dispatch(
        addJobs,
        bundles.map(({ id, bundle }) => ({ id, runIds: [], label: bundle.path, file: bundle.path })),
      );
      const work = bundles.map(({ id, bundle }) => importBundleFile(id, bundle, controller.signal));
      // Planning reads every file's size, a stat of its own for a dropped file: a slice of the
      // checkpoints at a time, the page free in between, and each slice's calls started at once.
      for (let start = 0; start < plan.checkpoints.length; start += PLAN_SLICE_CHECKPOINTS) {
        if (start > 0) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (controller.signal.aborted) break;
        }
        const slice = plan.checkpoints.slice(start, start + PLAN_SLICE_CHECKPOINTS);
        // (again for each slice: a run may have gone meanwhile, its first checkpoints having failed)
        dispatch(addRuns, [...new Set(slice.map((c) => c.run))]);
        const runIds = new Map(getState().runs.map((run) => [run.name, run.id]));
        const checkpoints = slice.map((files, k): DroppedCheckpoint => ({
          files,
          runId: runIds.get(files.run)!,
          step: steps[start + k],
        }));
        const requests = checkpoints.map((c) => requestOf(c.files));
        const groups =
          deps.bridge.batchRequests && deps.bridge.analyzeBatch
            ? deps.bridge.batchRequests(requests, plan.checkpoints.length)
            : requests.map((_, i) => [i]);
        const calls = groups.map((indices) => ({
          id: `job-${nextJob++}`,
          checkpoints: indices.map((i) => checkpoints[i]),
        }));
        dispatch(
          addJobs,
          calls.map(({ id, checkpoints: batch }) => ({
            id,
            runIds: batch.map((c) => c.runId),
            label: batch[0].files.label,
            file: firstFile(batch[0].files),
            checkpoints: batch.length,
          })),
        );
        for (const { id, checkpoints: batch } of calls)
          work.push(analyzeCheckpoints(id, batch, controller.signal));
      }
      await Promise.all(work);
      commit();
      controllers = controllers.filter((c) => c !== controller);
      if (controller.signal.aborted) dispatch(pruneEmptyRuns);
    },

    /** Cancels every queued and running analysis (running workers are terminated). */
    cancelAnalysis(): void {
      // results that arrived before the cancel are kept
      commit();
      for (const controller of controllers) controller.abort();
      controllers = [];
      dispatch(clearJobs);
      dispatch(pruneEmptyRuns);
    },
  };
}
