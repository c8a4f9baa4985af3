/**
 * "All curves and metrics of all runs" as one CSV (long format: one value per row, easy to load in
 * pandas or R) and as one JSON document. Full float64 precision (String(number)), never rounded.
 */
import type { CheckpointMetrics, LayerMetrics } from '../core/types';
import type { CheckpointRecord, RunRecord } from '../session/records';
import { aggregateCurves, seedGroups } from './seed-aggregate';

/** Scalar metrics exported per checkpoint, in column order. */
export const SCALAR_METRICS = [
  'n',
  'p',
  'C',
  'evalN',
  'r',
  'dlr',
  'dlrStdErr',
  'dlrEnergy99',
  'dlrEnergy99StdErr',
  'r99',
  'linearCkaDistance',
  'nc1',
  'accuracy',
  'evalAccuracy',
  'participationRatio',
  'readoutResidual',
  'spectrumTruncated',
] as const satisfies readonly (keyof CheckpointMetrics)[];

/** Curves exported per checkpoint, indexed by k (or r' for the rank profile, j for the output spectrum). */
export const CURVE_METRICS = [
  'mass',
  'utilization',
  'massNystrom',
  'utilizationNystrom',
  'relativeEigenvalues',
  'rho',
  'rankProfile',
  'outputSpectrum',
] as const satisfies readonly (keyof CheckpointMetrics)[];

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function formatValue(value: number | boolean | null): string {
  if (value === null) return '';
  return typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
}

/** Per-layer quantities (docs/method.md §8), exported with k = the layer's position (1 = nearest the input). */
export const LAYER_QUANTITIES = [
  ['layerName', (l) => l.name],
  ['layerP', (l) => l.p],
  ['layerR', (l) => l.r],
  ['layerDlr', (l) => l.dlr],
  ['layerDlrEnergy99', (l) => l.dlrEnergy99],
] as const satisfies readonly (readonly [string, (layer: LayerMetrics) => string | number | null])[];

/** What the CSV adds with `aggregateSeeds`: each seed group's mean and standard deviation. */
export interface CsvOptions {
  /** add, per seed group of two or more runs, `mean` and `sd` rows at the steps all its runs share */
  aggregateSeeds: boolean;
}

export const defaultCsvOptions: CsvOptions = { aggregateSeeds: false };

/** The scalar metrics a seed group's rows average (numbers every run has; not counts or flags). */
const AGGREGATED_SCALARS = [
  'dlr',
  'dlrEnergy99',
  'linearCkaDistance',
  'nc1',
  'accuracy',
  'evalAccuracy',
  'participationRatio',
] as const satisfies readonly (keyof CheckpointMetrics)[];

/** The curves a seed group's rows average pointwise (cut to the shortest, as the plots do). */
const AGGREGATED_CURVES = ['mass', 'utilization', 'relativeEigenvalues'] as const;

/**
 * Rows `<group> (mean of n),<group>,step,mean|sd,quantity,k,value` of one seed group, at the steps
 * all its runs share: population standard deviation, as the plots' bands (seed-aggregate.ts).
 * A quantity some run lacks at a step (no labels: no mass) is left out there.
 */
function groupRows(group: string, members: readonly RunRecord[]): string[] {
  const name = csvField(`${group} (mean of ${members.length})`);
  const lines: string[] = [];
  const shared = members[0].checkpoints
    .map((c) => c.step)
    .filter((step) => members.every((run) => run.checkpoints.some((c) => c.step === step)));
  for (const step of shared) {
    const checkpoints = members.map((run) => run.checkpoints.find((c) => c.step === step)!);
    const add = (quantity: string, k: string, curves: number[][]) => {
      const { mean, upper } = aggregateCurves(curves);
      mean.forEach((m, i) => {
        const index = k === '' ? '' : String(i + 1);
        lines.push(`${name},${csvField(group)},${step},mean,${quantity},${index},${String(m)}`);
        lines.push(`${name},${csvField(group)},${step},sd,${quantity},${index},${String(upper[i] - m)}`);
      });
    };
    for (const key of AGGREGATED_SCALARS) {
      const values = checkpoints.map((c) => scalarOf(c, key));
      if (values.every((v): v is number => v !== null))
        add(
          key,
          '',
          values.map((v) => [v]),
        );
    }
    for (const key of AGGREGATED_CURVES) {
      const curves = checkpoints.map((c) => c.metrics[key]);
      if (curves.every((curve): curve is number[] => curve !== null && curve.length > 0))
        add(key, 'k', curves);
    }
  }
  return lines;
}

/** A scalar as exported: test accuracy only where a test split was given. */
function scalarOf(c: CheckpointRecord, key: (typeof AGGREGATED_SCALARS)[number]): number | null {
  return key === 'evalAccuracy' && c.eval === null ? null : c.metrics[key];
}

/**
 * CSV with header `run,seed_group,step,label,quantity,k,value`. Scalars have an empty k; curves
 * have k = 1..K; the layers have k = 1..L in layer order, the penultimate last (`layerName` holds
 * the name). Null values (e.g. NC1 without labels) are empty fields. With
 * `options.aggregateSeeds`, each seed group of two or more runs adds its mean and sd rows
 * (`groupRows`).
 */
export function exportCsv(runs: readonly RunRecord[], options: CsvOptions = defaultCsvOptions): string {
  const lines = ['run,seed_group,step,label,quantity,k,value'];
  for (const run of runs) {
    for (const c of run.checkpoints) {
      const prefix = `${csvField(run.name)},${csvField(run.seedGroup.trim())},${c.step},${csvField(c.label)}`;
      // sessions stored before a metric existed lack it: an empty field, as for null
      for (const key of SCALAR_METRICS)
        lines.push(`${prefix},${key},,${formatValue(c.metrics[key] ?? null)}`);
      for (const key of CURVE_METRICS) {
        c.metrics[key]?.forEach((value, i) => lines.push(`${prefix},${key},${i + 1},${String(value)}`));
      }
      for (const [quantity, read] of LAYER_QUANTITIES)
        c.metrics.layers.forEach((layer, i) => {
          const value = read(layer);
          const field = typeof value === 'string' ? csvField(value) : formatValue(value);
          lines.push(`${prefix},${quantity},${i + 1},${field}`);
        });
    }
  }
  if (options.aggregateSeeds) {
    const { groups } = seedGroups(runs.filter((run) => run.checkpoints.length > 0));
    for (const [group, members] of groups) lines.push(...groupRows(group, members));
  }
  return `${lines.join('\n')}\n`;
}

/** JSON: `{ format, runs: [{ name, colour, seedGroup, checkpoints: [{ step, label, notes, hasEvalSplit, metrics }] }] }`. */
export function exportJson(runs: readonly RunRecord[]): string {
  return JSON.stringify(
    {
      format: 'richscope-metrics',
      version: 1,
      runs: runs.map((run) => ({
        name: run.name,
        colour: run.colour,
        seedGroup: run.seedGroup,
        checkpoints: run.checkpoints.map((c) => ({
          step: c.step,
          label: c.label,
          notes: c.notes,
          hasEvalSplit: c.eval !== null,
          metrics: c.metrics,
        })),
      })),
    },
    null,
    1,
  );
}
