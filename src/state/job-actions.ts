/**
 * Analyses in progress, and the worker pool that runs them: named, pure actions (action.ts). The
 * jobs themselves, started and finished against the bridge, are jobs.ts.
 */
import type { JobProgress, PoolState } from '../bridge/analysis-bridge';
import { action } from './action';
import { addProgressSample, type ProgressSample } from './progress-rate';

/** One file set being analysed in a worker (or a results bundle being read). */
export interface AnalysisJob {
  id: string;
  /** the run its checkpoint goes to; '' for a results bundle (its runs are known when it is read) */
  runId: string;
  /** checkpoint label */
  label: string;
  /** file being read or computed right now */
  file: string;
  phase: 'queued' | 'read' | 'compute';
  /** rows read so far, over every worker of the job */
  rowsDone: number;
  rowsTotal: number;
  /** workers reading this checkpoint now (several when its rows are sharded across the pool) */
  workers: number;
  /** recent (time, rowsDone) points for the rate and the time left (progress-rate.ts) */
  samples: ProgressSample[];
}

/** A job, queued: nothing read yet. */
export const addJob = action<{ id: string; runId: string; label: string; file: string }>(
  'addJob',
  (state, job) => ({
    ...state,
    jobs: [...state.jobs, { ...job, phase: 'queued', rowsDone: 0, rowsTotal: 0, workers: 0, samples: [] }],
  }),
);

/**
 * A progress report of a running job at `time` (ms, monotonic); while rows are being read it adds a
 * sample for the rate.
 */
export const reportJobProgress = action<{ id: string; progress: JobProgress; time: number }>(
  'reportJobProgress',
  (state, { id, progress, time }) => ({
    ...state,
    jobs: state.jobs.map((job) =>
      job.id === id
        ? {
            ...job,
            ...progress,
            samples:
              progress.phase === 'read'
                ? addProgressSample(job.samples, { time, rowsDone: progress.rowsDone })
                : job.samples,
          }
        : job,
    ),
  }),
);

export const removeJob = action<string>('removeJob', (state, id) => ({
  ...state,
  jobs: state.jobs.filter((job) => job.id !== id),
}));

export const clearJobs = action('clearJobs', (state) => ({ ...state, jobs: [] }));

/** The workers alive and busy, as the bridge reports them. */
export const setPool = action<PoolState>('setPool', (state, pool) => ({ ...state, pool }));
