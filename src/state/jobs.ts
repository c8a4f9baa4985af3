/**
 * Analysis jobs: a drop becomes one job per checkpoint (and per results bundle), run by the analysis
 * bridge, with its progress, its cancellation, and its result or error filed into the runs. Every
 * change of the state goes through a named action (job-actions.ts, run-actions.ts).
 */
import type { AnalysisBridge } from '../bridge/analysis-bridge';
import type { AnalyzedCheckpoint } from '../../workers/analysis.worker';
import type { CheckpointRecord } from '../session/records';
import type { RichscopeStore } from './app-state';
import { planAnalysis, type CheckpointFiles, type DroppedFile } from './file-intake';
import { addJob, clearJobs, removeJob, reportJobProgress, setPool } from './job-actions';
import { addNoticeOnce, addNotices, addSkippedFiles, storeProblemNotice } from './notice-actions';
import {
  addRun,
  addRunError,
  adoptRunStyle,
  pruneEmptyRuns,
  putCheckpoint,
  removeRunIfUnused,
  runNamed,
} from './run-actions';

/** What the jobs need of the analysis bridge; `subscribePool` (optional in tests) keeps `pool` current. */
export type AnalysisPort = Pick<AnalysisBridge, 'analyzeFiles' | 'importBundle'> &
  Partial<Pick<AnalysisBridge, 'subscribePool'>>;

export interface JobDependencies {
  bridge: AnalysisPort;
  /** ms on a monotonic clock, for the progress rate */
  now: () => number;
  /**
   * Keys of moments a worker stored for a result the store dropped (it arrived after a cancel): the
   * session persistence deletes them.
   */
  discardMoments: (keys: readonly (string | null)[]) => void;
}

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

export function createJobs(store: RichscopeStore, deps: JobDependencies) {
  const { dispatch, getState } = store;
  let controllers: AbortController[] = [];
  let nextJob = 0;
  deps.bridge.subscribePool?.((pool) => dispatch(setPool, pool));

  /** The id of the run called `name`, created when there is none. */
  const runFor = (name: string): string => {
    dispatch(addRun, name);
    return runNamed(getState(), name)!.id;
  };

  const noteStoreProblem = (problem: string | null) => {
    if (problem) dispatch(addNoticeOnce, storeProblemNotice(problem));
  };

  /** Analyses one checkpoint's files in the workers and files the result (or the error) in its run. */
  async function analyzeDroppedCheckpoint(
    files: CheckpointFiles,
    step: number,
    signal: AbortSignal,
  ): Promise<void> {
    const runId = runFor(files.run);
    const id = `job-${nextJob++}`;
    const firstFile = files.fit[0]?.path ?? files.label;
    dispatch(addJob, { id, runId, label: files.label, file: firstFile });
    const named = (dropped: DroppedFile[]) => dropped.map((f) => ({ file: f.file, name: f.path }));
    try {
      const outcome = await deps.bridge.analyzeFiles(
        { fit: named(files.fit), eval: files.eval ? named(files.eval) : null },
        {
          signal,
          onProgress: (progress) => dispatch(reportJobProgress, { id, progress, time: deps.now() }),
          persist: true,
        },
      );
      // A result that was already on its way when the user cancelled is dropped too.
      if (signal.aborted) {
        if (outcome.ok) deps.discardMoments([outcome.value.momentsKey]);
        return;
      }
      if (outcome.ok) {
        noteStoreProblem(outcome.value.storeProblem);
        // A moments file's own metadata (run, step) says more than its file name.
        const { declared } = outcome.value;
        const targetRun = declared.run ? runFor(declared.run) : runId;
        const checkpoint = recordOf(
          declared.step ?? files.step ?? declared.savedStep ?? step,
          files.label,
          outcome.value,
        );
        dispatch(putCheckpoint, { runId: targetRun, checkpoint });
      } else {
        dispatch(addRunError, { runId, error: { file: outcome.file, message: outcome.message } });
      }
    } catch (error) {
      if (!isAbort(error))
        dispatch(addRunError, { runId, error: { file: firstFile, message: messageOf(error) } });
    } finally {
      dispatch(removeJob, id);
      dispatch(removeRunIfUnused, runId);
    }
  }

  /** Reads a results bundle in a worker (metrics recomputed there) and files its runs. */
  async function importBundleFile(bundle: DroppedFile, signal: AbortSignal): Promise<void> {
    const id = `job-${nextJob++}`;
    dispatch(addJob, { id, runId: '', label: bundle.path, file: bundle.path });
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
      for (const run of outcome.value) {
        const runId = runFor(run.name);
        if (run.colour) dispatch(adoptRunStyle, { runId, colour: run.colour, seedGroup: run.seedGroup });
        for (const c of run.checkpoints)
          dispatch(putCheckpoint, { runId, checkpoint: recordOf(c.step, c.label, c) });
      }
    } catch (error) {
      if (!isAbort(error)) dispatch(addNotices, [`${bundle.path}: ${(error as Error).message}`]);
    } finally {
      dispatch(removeJob, id);
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
      const work = [
        ...plan.bundles.map((bundle) => importBundleFile(bundle, controller.signal)),
        ...plan.checkpoints.map((checkpoint) => {
          // files without a step in their name take their position in the run
          const position = positions.get(checkpoint.run) ?? 0;
          positions.set(checkpoint.run, position + 1);
          return analyzeDroppedCheckpoint(checkpoint, checkpoint.step ?? position, controller.signal);
        }),
      ];
      await Promise.all(work);
      controllers = controllers.filter((c) => c !== controller);
      if (controller.signal.aborted) dispatch(pruneEmptyRuns);
    },

    /** Cancels every queued and running analysis (running workers are terminated). */
    cancelAnalysis(): void {
      for (const controller of controllers) controller.abort();
      controllers = [];
      dispatch(clearJobs);
      dispatch(pruneEmptyRuns);
    },
  };
}
