/** Runs and checkpoints as the plots and panels read them (summaries, no moments), for the UI's tests. */
import { fakeCheckpoint as fakeCheckpointRecord, fakeRun as fakeRunRecord } from '../session/fake-records';
import type { CheckpointSummary, RunSummary } from '../state/run-summaries';

export function fakeCheckpoint(...args: Parameters<typeof fakeCheckpointRecord>): CheckpointSummary {
  const { fit: _fit, eval: evalSplit, ...checkpoint } = fakeCheckpointRecord(...args);
  return { ...checkpoint, hasEval: evalSplit !== null };
}

export function fakeRun(
  name: string,
  checkpoints: CheckpointSummary[],
  overrides: Partial<RunSummary> = {},
): RunSummary {
  return { ...fakeRunRecord(name, []), checkpoints, ...overrides };
}
