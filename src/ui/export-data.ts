/**
 * "All curves and metrics of all runs" as one CSV (long format: one value per row, easy to load in
 * pandas or R) and as one JSON document. Full float64 precision (String(number)), never rounded.
 */
import type { CheckpointMetrics, LayerMetrics } from '../core/types';
import type { RunRecord } from '../session/records';

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

/**
 * CSV with header `run,step,label,quantity,k,value`. Scalars have an empty k; curves have k = 1..K;
 * the layers have k = 1..L in layer order, the penultimate last (`layerName` holds the name).
 * Null values (e.g. NC1 without labels) are empty fields.
 */
export function exportCsv(runs: readonly RunRecord[]): string {
  const lines = ['run,step,label,quantity,k,value'];
  for (const run of runs) {
    for (const c of run.checkpoints) {
      const prefix = `${csvField(run.name)},${c.step},${csvField(c.label)}`;
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
