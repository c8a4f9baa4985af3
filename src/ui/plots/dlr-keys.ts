/**
 * The keyboard route to the points of "D_LR over training": arrow keys move the selected checkpoint
 * over the plotted points, as a click on a point selects it.
 */
import { nearestCheckpoint } from '../nearest-checkpoint';

export interface CheckpointRef {
  runId: string;
  step: number;
}

/** The keys `moveSelection` handles (for `aria-keyshortcuts`). */
export const SELECTION_KEYS = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'] as const;

/**
 * Where `key` moves the selection among the points of `runs` (in legend order, checkpoints in step
 * order): ←/→ the previous/next checkpoint of the selected run, ↑/↓ the previous/next run at its
 * checkpoint nearest the selected step, Home/End the run's first/last checkpoint; at an end it stays.
 * Without a selection among these runs, any of these keys selects the first run's first checkpoint
 * (End and ← its last). Undefined for other keys and when no run has a checkpoint.
 */
export function moveSelection(
  runs: readonly { id: string; checkpoints: readonly { step: number }[] }[],
  selected: { runId: string | null; step: number | null },
  key: string,
): CheckpointRef | undefined {
  if (!(SELECTION_KEYS as readonly string[]).includes(key)) return undefined;
  const withPoints = runs
    .filter((run) => run.checkpoints.length > 0)
    .map((run) => ({ id: run.id, steps: run.checkpoints.map((c) => c.step).sort((a, b) => a - b) }));
  if (withPoints.length === 0) return undefined;
  const runIndex = withPoints.findIndex((run) => run.id === selected.runId);
  const stepIndex = runIndex < 0 ? -1 : withPoints[runIndex].steps.indexOf(selected.step ?? NaN);
  if (stepIndex < 0) {
    const { id, steps } = withPoints[0];
    return { runId: id, step: key === 'End' || key === 'ArrowLeft' ? steps[steps.length - 1] : steps[0] };
  }
  const { id, steps } = withPoints[runIndex];
  const stepAt = (i: number) => steps[clamp(i, steps.length)];
  switch (key) {
    case 'ArrowLeft':
      return { runId: id, step: stepAt(stepIndex - 1) };
    case 'ArrowRight':
      return { runId: id, step: stepAt(stepIndex + 1) };
    case 'Home':
      return { runId: id, step: steps[0] };
    case 'End':
      return { runId: id, step: steps[steps.length - 1] };
    default: {
      const next = withPoints[clamp(runIndex + (key === 'ArrowUp' ? -1 : 1), withPoints.length)];
      const nearest = nearestCheckpoint(
        next.steps.map((step) => ({ step })),
        steps[stepIndex],
      )!;
      return { runId: next.id, step: nearest.step };
    }
  }
}

/** `i` kept within the indices of a list of `length` entries (length >= 1). */
function clamp(i: number, length: number): number {
  return Math.max(0, Math.min(length - 1, i));
}
