/**
 * The one step the spectra show, shared by the slider, the spectra and the mark on "D_LR over
 * training", and which checkpoint each run shows there (its nearest: runs saved at different steps
 * are never drawn at a step they do not have without saying so).
 */
import type { RunSummary } from '../../state/run-summaries';
import type { ViewSettings } from '../../state/view-settings';
import { nearestCheckpoint, unionOfSteps } from '../nearest-checkpoint';

/** The run shown in 'checkpoints' mode: the focused one if it still exists, else the first visible one. */
export function focusedRun(runs: readonly RunSummary[], view: ViewSettings): RunSummary | undefined {
  const withData = runs.filter((run) => run.checkpoints.length > 0);
  return (
    withData.find((run) => run.id === view.focusRun) ?? withData.find((run) => run.visible) ?? withData[0]
  );
}

/** The positions of the slider: every step of the visible runs, or of the focused run's checkpoints. */
export function sliderSteps(runs: readonly RunSummary[], view: ViewSettings): number[] {
  if (view.spectraMode === 'checkpoints') {
    const focus = focusedRun(runs, view);
    return focus ? unionOfSteps([focus]) : [];
  }
  return unionOfSteps(runs.filter((run) => run.visible));
}

/** The slider's step: the one of `steps` nearest to `requested` (null = the latest); undefined without steps. */
export function sliderStep(steps: readonly number[], requested: number | null): number | undefined {
  return nearestCheckpoint(
    steps.map((step) => ({ step })),
    requested,
  )?.step;
}

/**
 * The visible runs (across runs) that have no checkpoint at the slider's step, with the step
 * each is drawn at instead (its nearest).
 */
export function runsAtOtherSteps(
  runs: readonly RunSummary[],
  view: ViewSettings,
): { run: RunSummary; step: number }[] {
  if (view.spectraMode !== 'runs') return [];
  const step = sliderStep(sliderSteps(runs, view), view.step);
  if (step === undefined) return [];
  return runs
    .filter((run) => run.visible && run.checkpoints.length > 0)
    .map((run) => ({ run, step: nearestCheckpoint(run.checkpoints, step)!.step }))
    .filter((shown) => shown.step !== step);
}
