/**
 * Analyses in progress, and the worker pool that runs them: named, pure actions (action.ts). The
 * jobs themselves, started and finished against the bridge, are jobs.ts.
 */
import type { JobProgress, PoolState } from '../bridge/analysis-bridge';
import type { CheckpointRecord, FileError } from '../session/records';
import { action } from './action';
import type { RichscopeState } from './app-state';
import { addProgressSample, type ProgressSample } from './progress-rate';
import { addRunError, dropEmptyRuns, putCheckpoints } from './run-actions';

/**
 * One worker call: a checkpoint's files, a batch of small checkpoints analysed in one call, or a
 * results bundle being read.
 */
export interface AnalysisJob {
  id: string;
  /** the run of each of its checkpoints (a run once per checkpoint); none for a results bundle (its runs are known when it is read) */
  runIds: string[];
  /** checkpoint label (the first of a batch) */
  label: string;
  /** file being read or computed right now */
  file: string;
  phase: 'queued' | 'read' | 'compute';
  /** checkpoints of the job, and how many of them are done (a batch reports per checkpoint) */
  checkpoints: number;
  checkpointsDone: number;
  /** rows read so far, over every worker of the job (a checkpoint on its own reports per block) */
  rowsDone: number;
  rowsTotal: number;
  /** workers reading this checkpoint now (several when its rows are sharded across the pool) */
  workers: number;
  /** recent (time, rowsDone) points for the rate and the time left (progress-rate.ts) */
  samples: ProgressSample[];
}

/** A job as it is started: what it analyses. */
export interface NewJob {
  id: string;
  runIds: string[];
  label: string;
  file: string;
  /** default 1 */
  checkpoints?: number;
}

/** A job's progress report: a batch's says how many of its checkpoints are done. */
export type JobReport = JobProgress & { checkpointsDone?: number };

/** Jobs, queued: nothing read yet. */
export const addJobs = action<readonly NewJob[]>('addJobs', (state, jobs) =>
  jobs.length === 0
    ? state
    : {
        ...state,
        jobs: [
          ...state.jobs,
          ...jobs.map(({ checkpoints = 1, ...job }) => ({
            ...job,
            checkpoints,
            checkpointsDone: 0,
            phase: 'queued' as const,
            rowsDone: 0,
            rowsTotal: 0,
            workers: 0,
            samples: [],
          })),
        ],
      },
);

/** A job's report at `time` (ms, monotonic) applied to it; while rows are read it adds a sample for the rate. */
function withProgress(job: AnalysisJob, progress: JobReport, time: number): AnalysisJob {
  return {
    ...job,
    ...progress,
    samples:
      progress.phase === 'read' && progress.rowsTotal > 0
        ? addProgressSample(job.samples, { time, rowsDone: progress.rowsDone })
        : job.samples,
  };
}

/**
 * A progress report of a running job at `time` (ms, monotonic); while rows are being read it adds a
 * sample for the rate.
 */
export const reportJobProgress = action<{ id: string; progress: JobReport; time: number }>(
  'reportJobProgress',
  (state, { id, progress, time }) => ({
    ...state,
    jobs: state.jobs.map((job) => (job.id === id ? withProgress(job, progress, time) : job)),
  }),
);

export const removeJob = action<string>('removeJob', (state, id) => ({
  ...state,
  jobs: state.jobs.filter((job) => job.id !== id),
}));

export const clearJobs = action('clearJobs', (state) => ({ ...state, jobs: [] }));

/** What the jobs reported since the last commit (jobs.ts gathers it), for `commitJobUpdates`. */
export interface JobUpdates {
  /** each running job's reports, oldest first, with their times */
  progress: Map<string, { progress: JobReport; time: number }[]>;
  /** checkpoints analysed, in the order they arrived (a later one of the same run and step wins) */
  checkpoints: { runId: string; checkpoint: CheckpointRecord }[];
  /** files that could not be analysed, on their runs */
  errors: { runId: string; error: FileError }[];
  /** jobs that are over (done, failed or cancelled) */
  finished: string[];
}

/**
 * Everything the jobs reported since the last commit, in one update of the state: progress,
 * checkpoints filed in their runs, errors, and finished jobs removed; a run a finished job leaves
 * with no checkpoint (and no job) goes, its errors becoming notices.
 */
export const commitJobUpdates = action<JobUpdates>('commitJobUpdates', (state, updates) => {
  let next: RichscopeState = state;
  if (updates.progress.size > 0 && next.jobs.some((job) => updates.progress.has(job.id)))
    next = {
      ...next,
      jobs: next.jobs.map((job) => {
        const reports = updates.progress.get(job.id) ?? [];
        return reports.reduce((j, { progress, time }) => withProgress(j, progress, time), job);
      }),
    };
  if (updates.checkpoints.length > 0) next = putCheckpoints.perform(next, updates.checkpoints);
  for (const error of updates.errors) next = addRunError.perform(next, error);
  if (updates.finished.length > 0) {
    const finished = new Set(updates.finished);
    const leaving = next.jobs.filter((job) => finished.has(job.id));
    if (leaving.length > 0) {
      next = { ...next, jobs: next.jobs.filter((job) => !finished.has(job.id)) };
      next = dropEmptyRuns(next, new Set(leaving.flatMap((job) => job.runIds)));
    }
  }
  return next;
});

/** The workers alive and busy, as the bridge reports them. */
export const setPool = action<PoolState>('setPool', (state, pool) => ({ ...state, pool }));
