/** Which checkpoint of a run stands for a given step when runs were saved at different steps. */

/**
 * The element whose `step` is closest to `step`; on a tie the earlier one (a run is never shown
 * "ahead" of the requested step when an equally near earlier checkpoint exists). `step` null means
 * the latest checkpoint. Undefined for an empty list.
 */
export function nearestCheckpoint<T extends { step: number }>(
  checkpoints: readonly T[],
  step: number | null,
): T | undefined {
  if (checkpoints.length === 0) return undefined;
  if (step === null) return checkpoints.reduce((latest, c) => (c.step > latest.step ? c : latest));
  let best = checkpoints[0];
  for (const candidate of checkpoints) {
    const distance = Math.abs(candidate.step - step);
    const bestDistance = Math.abs(best.step - step);
    if (distance < bestDistance || (distance === bestDistance && candidate.step < best.step))
      best = candidate;
  }
  return best;
}

/** Sorted distinct steps over all given runs: the positions of the shared step slider. */
export function unionOfSteps(runs: readonly { checkpoints: readonly { step: number }[] }[]): number[] {
  const steps = new Set<number>();
  for (const run of runs) for (const c of run.checkpoints) steps.add(c.step);
  return [...steps].sort((a, b) => a - b);
}
