/**
 * The browser's parallel moment pass (issue 6): the rows of one checkpoint are cut into ranges that
 * several analysis workers accumulate at once, each reading only its own rows
 * (`ArrayReader.readRowRange`); the partial moments are merged in row order with `mergeMomentsInto`
 * (exact, METHOD.md §2) and the metrics computed in one worker. The bridge
 * (src/bridge/analysis-bridge.ts) drives the three steps through the worker API:
 *
 *   planCheckpointRanges -> accumulateCheckpointRange (one call per range) -> finishCheckpointRanges
 *
 * When the output half of the metrics is big (C in the hundreds), the finish is itself split as the
 * CLI splits it (parallel-analyze.ts): mergeCheckpointRanges, then checkpointOutputs (D_LR, NC1) and
 * checkpointSpectra (the p x p spectrum) on two workers, then assembleCheckpoint.
 *
 * Anything the ranges cannot do as the serial stream would (moments files, arrays without row ranges,
 * NaN/Inf rows) is declined, and the serial `analyzeCheckpoint` runs instead, so its results, notes
 * and error messages stay the only ones users see. Browser-safe (no Node built-ins); the Node CLI has
 * its own worker_threads version in parallel-accumulate.ts.
 */
import {
  combineMetrics,
  outputMetrics,
  spectrumMetrics,
  type OutputMetrics,
  type SpectrumMetrics,
} from '../core/analyze';
import type { GramPrecision } from '../core/kernels/gram';
import { copyMoments, createMomentAccumulator, mergeMomentsInto, type MomentShape } from '../core/moments';
import type { Moments } from '../core/types';
import { throwIfAborted } from '../io/byte-source';
import type { ArrayReader } from '../io/types';
import {
  checkCompatible,
  checkpointNotes,
  countCheckpointClasses,
  defaultAnalyzeOptions,
  gramPrecisionOf,
  metricsOf,
  openContainers,
  openEvalSplit,
  openSplit,
  rolesOf,
  targetShape,
  withInputErrors,
  type CheckpointAnalysis,
  type CheckpointInput,
  type SplitArrays,
} from './analyze-checkpoint';
import { addFiniteRows } from './add-finite-rows';

/** What a range worker needs to know of one split, fixed once by the plan. */
export interface SplitRangePlan {
  rows: number;
  shape: MomentShape;
  precision: GramPrecision;
  /** multiply-adds of the split's moment pass, rows x d^2 (d = p + C + target columns) */
  work: number;
  /** rows per block a range reads: a few tens of MB of float64 per block whatever the width */
  chunkRows: number;
}

/** A checkpoint the ranges can take, or why it goes to the serial stream. */
export type CheckpointRangePlan =
  | {
      kind: 'ranges';
      /** the fit split's files, for messages */
      source: string;
      fit: SplitRangePlan;
      eval: SplitRangePlan | null;
      notes: string[];
      roles: CheckpointAnalysis['roles'];
      /** CheckpointAnalysis.savedStep */
      savedStep?: number | null;
      /** the output half of the metrics is worth its own worker (see `metricsSplitWork`) */
      metricsInHalves: boolean;
    }
  | { kind: 'serial'; reason: string };

export interface RangeTask {
  split: 'fit' | 'eval';
  /** rows [start, end) of that split */
  start: number;
  end: number;
}

/** A range's moments, or 'non-finite' when it met NaN/Inf (the serial stream then reports it). */
export type RangeResult = { kind: 'moments'; moments: Moments } | { kind: 'non-finite' };

export interface RangeChunkOptions {
  /** float64 bytes of one block of rows (all arrays together) */
  blockBytes: number;
  minRows: number;
  maxRows: number;
}

export const defaultRangeChunkOptions: RangeChunkOptions = {
  blockBytes: 1 << 25,
  minRows: 256,
  maxRows: 4096,
};

/**
 * Rows per block for `columns` float64 columns: about `blockBytes` per block, so two workers on an
 * L checkpoint (3,049 columns) hold ~30 MB of rows each rather than the serial 4,096-row 100 MB.
 */
export function rangeChunkRows(
  columns: number,
  options: RangeChunkOptions = defaultRangeChunkOptions,
): number {
  const rows = Math.floor(options.blockBytes / (8 * Math.max(1, columns)));
  return Math.max(options.minRows, Math.min(options.maxRows, rows));
}

/** The readers a split's moment pass reads: features, logits, and labels or dense targets when used. */
function passReaders(split: SplitArrays): ArrayReader[] {
  return split.labels && split.targetKind !== 'none'
    ? [split.features, split.logits, split.labels]
    : [split.features, split.logits];
}

function splitPlan(split: SplitArrays, classes: number[], float32MinWork: number): SplitRangePlan {
  const targets = targetShape(split, classes);
  const shape: MomentShape = { p: split.features.cols, c: split.logits.cols, targets };
  const q = targets.kind === 'onehot' ? targets.classes : targets.kind === 'dense' ? targets.q : 0;
  const d = shape.p + shape.c + q;
  const columns = passReaders(split).reduce((sum, r) => sum + r.cols, 0);
  return {
    rows: split.features.rows,
    shape,
    precision: gramPrecisionOf(split, targets, float32MinWork),
    work: split.features.rows * d * d,
    chunkRows: rangeChunkRows(columns),
  };
}

export interface PlanOptions {
  signal?: AbortSignal;
  /** float32 Gram lanes for float32 arrays from this many multiply-adds per split (AnalyzeOptions) */
  float32MinWork?: number;
  /**
   * The output half of the metrics (D_LR, NC1) gets its own worker from this many multiply-adds
   * (p^2 C + p C^2 + C^3). Default 5e8, the CLI's threshold (parallel-analyze.ts): with C = 1000 and
   * p = 2048 it is about a third of the analysis, with C = 10 not worth a round trip.
   */
  metricsSplitWork?: number;
}

export const defaultMetricsSplitWork = 5e8;

/**
 * Opens the checkpoint's files, gives the arrays their roles and counts the classes (reading the
 * labels once, checking them as the serial pass does), and fixes each split's Gram precision as
 * `analyzeCheckpoint` with gramPrecision 'auto' would. Errors propagate as InputError exactly as
 * `analyzeCheckpoint` raises them.
 */
export async function planCheckpointRanges(
  input: CheckpointInput,
  options: PlanOptions = {},
): Promise<CheckpointRangePlan> {
  const { signal } = options;
  const float32MinWork = options.float32MinWork ?? defaultAnalyzeOptions.float32MinWork;
  const fitContainers = await openContainers(input.fit);
  const evalContainers = input.eval ? await openContainers(input.eval) : null;
  // decided before a moments file is parsed: the serial path parses it once
  const whole = [...fitContainers, ...(evalContainers ?? [])].find(
    (c) => c.format === 'moments' || c.format === 'csv',
  );
  if (whole) return { kind: 'serial', reason: `${whole.source}: a ${whole.format} file is read whole` };
  const fit = (await openSplit(input.fit, input.roles, signal, fitContainers)) as SplitArrays;
  const evalArrays = input.eval
    ? ((await openSplit(input.eval, input.roles, signal, evalContainers!)) as SplitArrays)
    : ((await openEvalSplit(input, signal, fitContainers)) as SplitArrays | null);
  // before the labels are read to count the classes: a declined plan costs only the headers
  for (const split of evalArrays ? [fit, evalArrays] : [fit]) {
    const unranged = passReaders(split).find((r) => !r.readRowRange);
    if (unranged)
      return { kind: 'serial', reason: `${split.source}: ${unranged.key} cannot be read by row range` };
  }
  if (evalArrays) checkCompatible(fit, evalArrays);
  const classes = await countCheckpointClasses(fit, evalArrays, signal);
  const fitPlan = splitPlan(fit, classes, float32MinWork);
  const evalPlan = evalArrays ? splitPlan(evalArrays, classes, float32MinWork) : null;
  const { cols: p } = fit.features;
  const { cols: c } = fit.logits;
  return {
    kind: 'ranges',
    source: fit.source,
    fit: fitPlan,
    eval: evalPlan,
    notes: checkpointNotes(fit, evalArrays, []),
    roles: rolesOf(fit),
    savedStep: fit.savedStep,
    metricsInHalves:
      p * p * c + p * c * c + c * c * c >= (options.metricsSplitWork ?? defaultMetricsSplitWork),
  };
}

/**
 * Accumulates rows [task.start, task.end) of one split of a planned checkpoint, reading only their
 * bytes. `onRows` gets the rows of the range done so far after every block.
 */
export async function accumulateCheckpointRange(
  input: CheckpointInput,
  plan: Extract<CheckpointRangePlan, { kind: 'ranges' }>,
  task: RangeTask,
  options: { signal?: AbortSignal; onRows?: (rowsDone: number) => void } = {},
): Promise<RangeResult> {
  const { signal, onRows } = options;
  const splitPlan = task.split === 'fit' ? plan.fit : plan.eval;
  if (!splitPlan) throw new RangeError(`the plan has no ${task.split} split`);
  const opened =
    task.split === 'fit'
      ? await openSplit(input.fit, input.roles, signal)
      : await openEvalSplit(input, signal);
  if (!opened) throw new RangeError('the plan has an eval split the files no longer hold');
  if (opened.kind !== 'arrays') throw new RangeError(`${opened.source}: not arrays, cannot read a row range`);
  const readers = passReaders(opened);
  if (opened.features.rows !== splitPlan.rows || readers.some((r) => !r.readRowRange))
    throw new RangeError(`${opened.source}: the files no longer match their plan`);
  const { shape, chunkRows } = splitPlan;
  const accumulator = createMomentAccumulator(shape, { precision: splitPlan.precision });
  const iterators = readers.map((r) =>
    r.readRowRange!(task.start, task.end, chunkRows, signal)[Symbol.asyncIterator](),
  );
  try {
    for (let start = task.start; start < task.end;) {
      throwIfAborted(signal);
      const steps = await Promise.all(iterators.map((it) => it.next()));
      if (steps.some((s) => s.done)) throw new RangeError(`${opened.source}: an array ended early`);
      const blocks = steps.map((s) => s.value as Float64Array);
      const rows = blocks[0].length / Math.max(1, shape.p);
      if (!addFiniteRows(accumulator, shape, rows, blocks)) return { kind: 'non-finite' };
      start += rows;
      onRows?.(start - task.start);
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
  return { kind: 'moments', moments: accumulator.result() };
}

/** Merges consecutive ranges' moments in row order (METHOD.md §2; exact up to rounding). */
export function mergeRanges(parts: Moments[]): Moments {
  if (parts.length === 0) throw new RangeError('no ranges to merge');
  return mergeMomentsInto(copyMoments(parts[0]), ...parts.slice(1));
}

type SplitPlanned = Extract<CheckpointRangePlan, { kind: 'ranges' }>;

/** Each split's moments merged from its ranges' (in row order). */
export function mergeCheckpointRanges(
  fitParts: Moments[],
  evalParts: Moments[] | null,
): { fit: Moments; eval: Moments | null } {
  return { fit: mergeRanges(fitParts), eval: evalParts ? mergeRanges(evalParts) : null };
}

/** The output half of the metrics (METHOD.md §3, NC1), errors as `analyzeCheckpoint` raises them. */
export function checkpointOutputs(plan: SplitPlanned, fit: Moments): OutputMetrics {
  return withInputErrors(plan.source, () => outputMetrics(fit));
}

/** The feature-spectrum half (METHOD.md §4, §5), errors as `analyzeCheckpoint` raises them. */
export function checkpointSpectra(
  plan: SplitPlanned,
  fit: Moments,
  evalMoments: Moments | null,
): SpectrumMetrics {
  return withInputErrors(plan.source, () => spectrumMetrics(fit, evalMoments ?? fit));
}

/** The checkpoint from its merged moments and the two halves of its metrics. */
export function assembleCheckpoint(
  plan: SplitPlanned,
  fit: Moments,
  evalMoments: Moments | null,
  outputs: OutputMetrics,
  spectra: SpectrumMetrics,
): CheckpointAnalysis {
  return {
    metrics: combineMetrics(fit, evalMoments ?? fit, outputs, spectra),
    fit,
    eval: evalMoments,
    notes: plan.notes,
    roles: plan.roles,
    savedStep: plan.savedStep,
  };
}

/**
 * The checkpoint from its ranges' moments (each split's parts in row order): merged, then every
 * metric computed as `analyzeCheckpoint` would, with its notes and roles.
 */
export function finishCheckpointRanges(
  plan: Extract<CheckpointRangePlan, { kind: 'ranges' }>,
  fitParts: Moments[],
  evalParts: Moments[] | null,
): CheckpointAnalysis {
  const fit = mergeRanges(fitParts);
  const evalMoments = evalParts ? mergeRanges(evalParts) : null;
  return {
    metrics: metricsOf(plan.source, fit, evalMoments),
    fit,
    eval: evalMoments,
    notes: plan.notes,
    roles: plan.roles,
    savedStep: plan.savedStep,
  };
}
