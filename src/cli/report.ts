/** The CLI's two outputs: the JSON record per checkpoint (a contract: extend, never rename) and the table. */
import type { CheckpointAnalysis, CheckpointResult } from '../analysis/analyze-checkpoint';
import { readoutWarning } from '../core/companion';
import { formatWithStdErr } from '../core/jackknife';
import { dependsOnWeakDirections } from '../core/low-rank-measure';
import type { CheckpointMetrics, LayerMetrics } from '../core/types';
import type { CheckpointPaths } from './expand-sources';

export type CheckpointRecord = {
  source: string;
  evalSource: string | null;
  /** the run as the app names it (a moments file's own metadata, else its folder or file name) */
  run: string;
  /** the step from the file or folder name or the file's own metadata, else the position in its run */
  step: number;
  notes: string[];
  roles: CheckpointAnalysis['roles'];
  /** linear CKA with the --reference checkpoint's features; null when it needs raw activations it lacks */
  kernelSimilarity?: number | null;
} & CheckpointMetrics;

export function toJsonRecord(paths: CheckpointPaths, analysis: CheckpointResult): CheckpointRecord {
  return {
    source: paths.source,
    evalSource: paths.eval ? paths.eval.join(' + ') : (analysis.evalSource ?? null),
    run: paths.run ?? analysis.run ?? paths.fallback.run,
    step: paths.step ?? analysis.step ?? analysis.savedStep ?? paths.fallback.step,
    ...analysis.metrics,
    notes: analysis.notes,
    roles: analysis.roles,
  };
}

const columns: [string, (r: CheckpointRecord) => string][] = [
  ['run', (r) => r.run],
  ['step', (r) => String(r.step)],
  ['source', (r) => r.source],
  ['n', (r) => String(r.n)],
  ['p', (r) => String(r.p)],
  ['C', (r) => String(r.C)],
  ['r', (r) => String(r.r)],
  ['D_LR', (r) => formatWithStdErr(r.dlr, r.dlrStdErr)],
  ['D_LR(99%)', (r) => `${formatWithStdErr(r.dlrEnergy99, r.dlrEnergy99StdErr)} (r=${r.r99})`],
  ['linCKA dist', (r) => r.linearCkaDistance.toFixed(4)],
  ['NC1', (r) => (r.nc1 === null ? '-' : r.nc1.toPrecision(4))],
  ['PR', (r) => r.participationRatio.toFixed(2)],
  ['acc', (r) => (r.accuracy === null ? '-' : r.accuracy.toFixed(3))],
  ['eval acc', (r) => (r.evalAccuracy === null ? '-' : r.evalAccuracy.toFixed(3))],
  ['readout res', (r) => r.readoutResidual.toExponential(1)],
];

const similarityColumn: (typeof columns)[number] = [
  'CKA to ref',
  (r) => (r.kernelSimilarity == null ? '-' : r.kernelSimilarity.toFixed(4)),
];

/**
 * The cells of one layer's line under its checkpoint (docs/method.md §8): its name, p, r and D_LR in their
 * columns, the rest empty.
 */
function layerCells(shown: typeof columns, layer: LayerMetrics): string[] {
  const value = (x: number | null) => (x === null ? '-' : x.toFixed(4));
  const cell: Record<string, string> = {
    source: `  ${layer.name} (layer)`,
    p: String(layer.p),
    r: String(layer.r),
    D_LR: value(layer.dlr),
    'D_LR(99%)': value(layer.dlrEnergy99),
  };
  return shown.map(([header]) => cell[header] ?? '');
}

/** One checkpoint's share of the table: its row, a row per layer when it has several, and its remarks. */
export interface TableEntry {
  rows: string[][];
  remarks: string[];
}

function shownColumns(withSimilarity: boolean): typeof columns {
  return withSimilarity ? [...columns, similarityColumn] : columns;
}

/**
 * A checkpoint's share of the table, made as its record is (so a sweep's table keeps cells, not
 * records); `withSimilarity` when the command has a --reference.
 */
export function tableEntry(r: CheckpointRecord, withSimilarity: boolean): TableEntry {
  const shown = shownColumns(withSimilarity);
  const remarks: string[] = [];
  if (dependsOnWeakDirections(r)) {
    remarks.push(
      `${r.source}: D_LR depends on weak output directions (D_LR ${r.dlr.toFixed(3)} vs ${r.dlrEnergy99.toFixed(3)} with the ${r.r99} strongest)`,
    );
  }
  const readout = readoutWarning(r.readoutResidual, r.storedPrecision ?? null);
  if (readout) remarks.push(`${r.source}: ${readout} (docs/method.md §5)`);
  for (const layer of r.layers.filter((l) => l.dlr === null))
    remarks.push(`${r.source}: layer ${layer.name} is constant over the samples, so its D_LR is undefined`);
  remarks.push(...r.notes);
  return {
    rows: [
      shown.map(([, f]) => f(r)),
      ...(r.layers.length > 1 ? r.layers.map((layer) => layerCells(shown, layer)) : []),
    ],
    remarks,
  };
}

/**
 * A fixed-width table, one row per checkpoint (with one line per layer under it when it has more than
 * the penultimate), then the notes and warnings.
 */
export function layoutTable(entries: TableEntry[], withSimilarity: boolean): string {
  const cells = [shownColumns(withSimilarity).map(([h]) => h), ...entries.flatMap((e) => e.rows)];
  const widths = cells[0].map((_, j) => Math.max(...cells.map((row) => row[j].length)));
  const lines = cells.map((row) =>
    row
      .map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j])))
      .join('  ')
      .trimEnd(),
  );
  const remarks = entries.flatMap((e) => e.remarks);
  return [...lines, ...(remarks.length ? ['', ...remarks] : [])].join('\n');
}
