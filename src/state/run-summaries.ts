/**
 * Runs as the components that show no moments see them: everything but the checkpoints' moment
 * buffers. React keeps the values a component last rendered with (its hooks, its elements' props and
 * handlers) until the component renders again; a component that selects these summaries therefore
 * keeps no buffers of runs removed meanwhile alive, so "Remove all" releases them at once.
 */
import type { CheckpointRecord, RunRecord } from '../session/records';

export interface CheckpointSummary extends Omit<CheckpointRecord, 'fit' | 'eval'> {
  /** the checkpoint has an eval split */
  hasEval: boolean;
}

export interface RunSummary extends Omit<RunRecord, 'checkpoints'> {
  checkpoints: CheckpointSummary[];
}

const summaryOfRun = new WeakMap<RunRecord, RunSummary>();
const summaryOfList = new WeakMap<readonly RunRecord[], readonly RunSummary[]>();

function summarise(run: RunRecord): RunSummary {
  let summary = summaryOfRun.get(run);
  if (!summary) {
    summary = {
      ...run,
      checkpoints: run.checkpoints.map(({ fit: _fit, eval: evalSplit, ...checkpoint }) => ({
        ...checkpoint,
        hasEval: evalSplit !== null,
      })),
    };
    summaryOfRun.set(run, summary);
  }
  return summary;
}

/**
 * The summaries of `runs`: the same array for the same runs, and the same summary for a run that did
 * not change (a selector's result stays stable, and memoised rows see unchanged runs as unchanged).
 */
export function runSummaries(runs: readonly RunRecord[]): readonly RunSummary[] {
  let summaries = summaryOfList.get(runs);
  if (!summaries) {
    summaries = runs.map(summarise);
    summaryOfList.set(runs, summaries);
  }
  return summaries;
}
