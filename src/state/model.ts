/**
 * The store's own records: an analysis job in progress. The records of runs and checkpoints are what
 * a session holds (src/session/records.ts).
 */
import type { ProgressSample } from './progress-rate';

/** One file set being analysed in a worker. */
export interface AnalysisJob {
  id: string;
  runId: string;
  /** checkpoint label */
  label: string;
  /** file being read or computed right now */
  file: string;
  phase: 'queued' | 'read' | 'compute';
  /** rows read so far, over every worker of the job */
  rowsDone: number;
  rowsTotal: number;
  /** workers reading this checkpoint now (several when its rows are split across the pool) */
  workers: number;
  /** recent (time, rowsDone) points for the rate and the time left (src/state/progress-rate.ts) */
  samples: ProgressSample[];
}
