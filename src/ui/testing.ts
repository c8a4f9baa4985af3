/** Runs and checkpoints as the plots and panels read them (summaries, no moments), for the UI's tests. */
import { fakeCheckpoint as fakeCheckpointRecord, fakeRun as fakeRunRecord } from '../session/fake-records';
import type { CheckpointSummary, RunSummary } from '../state/run-summaries';
import type { PlotFrame } from './plots/plot-marks';

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

/** A 400 x 200 px plot area at (50, 20): x from 0 to 100 (linear), y from 0 to 1 (upwards). */
export const PLOT_AREA: PlotFrame = {
  left: 50,
  top: 20,
  width: 400,
  height: 200,
  x: (v) => 50 + 4 * v,
  y: (v) => 220 - 200 * v,
};
