/**
 * Aggregation over seeds: runs the user puts in the same seed group are shown as their mean with a
 * band of ± one (population) standard deviation, pointwise.
 */

export interface AggregateCurve {
  mean: number[];
  lower: number[];
  upper: number[];
}

/**
 * Pointwise mean ± standard deviation of curves (k-th entries together). Curves of different length
 * are cut to the shortest, so every point averages the same runs. Empty input gives empty curves.
 */
export function aggregateCurves(curves: readonly (readonly number[])[]): AggregateCurve {
  const length = curves.length === 0 ? 0 : Math.min(...curves.map((c) => c.length));
  const result: AggregateCurve = { mean: [], lower: [], upper: [] };
  for (let k = 0; k < length; k++) {
    const values = curves.map((c) => c[k]);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    const sd = Math.sqrt(variance);
    result.mean.push(mean);
    result.lower.push(mean - sd);
    result.upper.push(mean + sd);
  }
  return result;
}

/** A value per step for each run of a group, aggregated on the steps all runs share. */
export function aggregateOverSteps(
  series: readonly { steps: readonly number[]; values: readonly number[] }[],
): AggregateCurve & { steps: number[] } {
  if (series.length === 0) return { steps: [], mean: [], lower: [], upper: [] };
  const shared = series[0].steps.filter((s) => series.every((run) => run.steps.includes(s)));
  const steps = [...new Set(shared)].sort((a, b) => a - b);
  const curves = series.map((run) => steps.map((s) => run.values[run.steps.indexOf(s)]));
  const transposed = steps.map((_, i) => curves.map((c) => c[i]));
  const perStep = transposed.map((values) => aggregateCurves(values.map((v) => [v])));
  return {
    steps,
    mean: perStep.map((a) => a.mean[0]),
    lower: perStep.map((a) => a.lower[0]),
    upper: perStep.map((a) => a.upper[0]),
  };
}

/** Runs grouped by seed group; runs without a group and groups of one run are left alone. */
export function seedGroups<T extends { seedGroup: string }>(
  runs: readonly T[],
): { groups: Map<string, T[]>; single: T[] } {
  const byGroup = new Map<string, T[]>();
  for (const run of runs) {
    const key = run.seedGroup.trim();
    if (!key) continue;
    byGroup.set(key, [...(byGroup.get(key) ?? []), run]);
  }
  const groups = new Map([...byGroup].filter(([, members]) => members.length > 1));
  const grouped = new Set([...groups.values()].flat());
  return { groups, single: runs.filter((run) => !grouped.has(run)) };
}
