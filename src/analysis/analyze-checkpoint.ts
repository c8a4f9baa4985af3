/**
 * Where files meet the maths: one checkpoint's byte sources are opened, their arrays given roles,
 * streamed once in row chunks into the moment accumulator (docs/method.md §2), and every metric
 * computed from the moments. Shared unchanged by the CLI (Node) and the analysis worker (browser).
 */
import { analyzeMoments } from '../core/analyze';
import { DegenerateDataError } from '../core/low-rank-measure';
import type { GramPrecision } from '../core/kernels/gram';
import { createMomentAccumulator } from '../core/moments';
import type { CheckpointMetrics, Moments, TargetKind, TargetShape } from '../core/types';
import { openContainer } from '../io/open-container';
import { momentsFromContainer, type MomentsFile } from '../io/moments-file';
import { detectRoles, validateLabels, type RoleOverrides } from '../io/roles';
import { zipRows, type ZipRowsStats } from '../io/stream-rows';
import { InputError, type ArrayContainer, type ArrayReader, type ByteSource } from '../io/types';
import { defaultPlanThresholds, gramPrecision, type SplitSize } from './plan';

export interface CheckpointInput {
  /** files of the fit split (one .npz, or separate features / logits / labels files, or a moments file) */
  fit: ByteSource[];
  /** files of the eval split where spectra are measured; default: the fit split */
  eval?: ByteSource[];
  roles?: RoleOverrides;
}

export interface AnalysisProgress {
  phase: 'read' | 'compute';
  rowsDone: number;
  rowsTotal: number;
  file: string;
}

export interface AnalyzeOptions {
  /** rows per streamed chunk; memory is a few chunks of (p + C) float64 values */
  chunkRows?: number;
  signal?: AbortSignal;
  onProgress?: (progress: AnalysisProgress) => void;
  /** skip rows holding NaN or Inf instead of refusing the file */
  dropNonFinite?: boolean;
  /**
   * Gram kernel of the moment pass. 'auto': the float32-lane kernel (Gram relative error 1e-8 to
   * 6e-8, docs/benchmarks.md) for a split whose features, logits (and dense targets) are float32
   * arrays and whose pass costs at least `float32MinWork` (plan.ts `gramPrecision`), float64
   * otherwise. Default 'float64' (exact float64 products).
   */
  gramPrecision?: GramPrecision | 'auto';
  /** With 'auto': the least multiply-adds (rows x d^2) for float32 lanes; default plan.ts's */
  float32MinWork?: number;
  /**
   * The moments of a split from shards on worker threads (thread-shards.ts), or null to stream it
   * here. Node-only modules reach this browser-safe one only through this option (the CLI sets it).
   */
  accumulateInThreads?: (split: SplitToShard) => Promise<Moments | null>;
  /** The metrics with their two halves on two threads (thread-halves.ts), or null to compute them here. */
  analyzeInThreads?: (fit: Moments, evalSplit: Moments) => Promise<CheckpointMetrics | null>;
}

export const defaultAnalyzeOptions: Required<
  Pick<AnalyzeOptions, 'chunkRows' | 'dropNonFinite' | 'gramPrecision' | 'float32MinWork'>
> = {
  chunkRows: 4096,
  dropNonFinite: false,
  gramPrecision: 'float64',
  float32MinWork: defaultPlanThresholds.float32MinWork,
};

export interface CheckpointAnalysis {
  metrics: CheckpointMetrics;
  fit: Moments;
  eval: Moments | null;
  /** facts the user should see (flattened arrays, dropped rows, truncated spectra) */
  notes: string[];
  roles: { features: string; logits: string; labels: string | null };
  /** run / step carried by a moments file, when the input was one */
  run?: string | null;
  step?: number | null;
}

/** One split's arrays with their roles (exported for the shard runners, checkpoint-shards.ts and thread-shards.ts). */
export interface SplitArrays {
  source: string;
  /** the opened files (the CLI's threads re-read .npy files by position) */
  sources: ByteSource[];
  features: ArrayReader;
  logits: ArrayReader;
  labels: ArrayReader | null;
  targetKind: TargetKind;
  notes: string[];
}

/** One split handed to the CLI's thread shards: its arrays, its size, and the serial stream's settings. */
export interface SplitToShard {
  split: 'fit' | 'eval';
  arrays: SplitArrays;
  size: SplitSize;
  chunkRows: number;
  /** rows holding NaN/Inf are to be dropped: the threads then decline */
  dropNonFinite: boolean;
}

export type OpenedSplit =
  { kind: 'moments'; source: string; file: MomentsFile } | ({ kind: 'arrays' } & SplitArrays);

export function sourceName(sources: ByteSource[]): string {
  return sources.map((s) => s.name).join(' + ');
}

/** Opens every file of a split (headers and directories; data stays on disk). */
export async function openContainers(sources: ByteSource[]): Promise<ArrayContainer[]> {
  const containers: ArrayContainer[] = [];
  for (const src of sources) containers.push(await openContainer(src));
  return containers;
}

/**
 * Opens the files of one split and gives their arrays roles (or reads a moments file); `opened`
 * are its containers when the caller already opened them.
 */
export async function openSplit(
  sources: ByteSource[],
  roles: RoleOverrides | undefined,
  signal?: AbortSignal,
  opened?: ArrayContainer[],
): Promise<OpenedSplit> {
  const containers = opened ?? (await openContainers(sources));
  const source = sourceName(sources);
  const moments = containers.find((c) => c.format === 'moments');
  if (moments) {
    if (containers.length > 1) {
      throw new InputError(
        moments.source,
        'a moments file already holds a whole checkpoint: drop it on its own',
      );
    }
    return { kind: 'moments', source, file: await momentsFromContainer(moments, signal) };
  }
  const chosen = detectRoles(
    containers.flatMap((c) => c.arrays),
    roles,
    source,
  );
  return {
    kind: 'arrays',
    source,
    sources,
    features: chosen.features,
    logits: chosen.logits,
    labels: chosen.labels,
    targetKind: chosen.targetKind,
    notes: [...containers.flatMap((c) => c.notes), ...chosen.notes],
  };
}

/** The number of classes (max label + 1) of a 1-column labels array, checking every label on the way. */
async function countClasses(split: SplitArrays, signal?: AbortSignal): Promise<number> {
  const reader = split.labels!;
  let largest = -1;
  let row = 0;
  for await (const block of reader.readRows(65536, signal)) {
    largest = Math.max(largest, validateLabels(block, split.source, row, reader.key));
    row += block.length;
  }
  return largest + 1;
}

/** One-hot columns are classes 0..max over both splits, so fit and eval targets line up. */
export async function countCheckpointClasses(
  fit: SplitArrays,
  evalArrays: SplitArrays | null,
  signal?: AbortSignal,
): Promise<number> {
  let classes = 0;
  for (const split of [fit, evalArrays]) {
    if (split?.labels && split.targetKind === 'onehot')
      classes = Math.max(classes, await countClasses(split, signal));
  }
  return classes;
}

export function targetShape(split: SplitArrays, classes: number): TargetShape {
  if (!split.labels || split.targetKind === 'none') return { kind: 'none' };
  if (split.targetKind === 'dense') return { kind: 'dense', q: split.labels.cols };
  return { kind: 'onehot', classes };
}

/** The readers a split's moment pass reads: features, logits, and labels or dense targets when used. */
export function passReaders(split: SplitArrays): ArrayReader[] {
  return split.labels && split.targetKind !== 'none'
    ? [split.features, split.logits, split.labels]
    : [split.features, split.logits];
}

/** A split's size as the plan (plan.ts) reads it. */
export function splitSize(split: SplitArrays, classes: number): SplitSize {
  const targets = targetShape(split, classes);
  const dense = targets.kind === 'dense' && split.labels ? [split.labels] : [];
  return {
    rows: split.features.rows,
    shape: { p: split.features.cols, c: split.logits.cols, targets },
    float32: [split.features, split.logits, ...dense].every((reader) => reader.dtype === 'float32'),
    columns: passReaders(split).reduce((sum, reader) => sum + reader.cols, 0),
  };
}

async function accumulateSplit(
  name: 'fit' | 'eval',
  split: SplitArrays,
  classes: number,
  options: AnalyzeOptions & typeof defaultAnalyzeOptions,
  progress: { done: number; total: number },
): Promise<{ moments: Moments; notes: string[] }> {
  const size = splitSize(split, classes);
  const threaded = await options.accumulateInThreads?.({
    split: name,
    arrays: split,
    size,
    chunkRows: options.chunkRows,
    dropNonFinite: options.dropNonFinite,
  });
  if (threaded) {
    progress.done += split.features.rows;
    return { moments: threaded, notes: [] };
  }
  const { shape } = size;
  const precision = gramPrecision(size, options.gramPrecision, options.float32MinWork);
  const accumulator = createMomentAccumulator(shape, { precision });
  const readers = passReaders(split);
  const stats: ZipRowsStats = { rowsRead: 0, rowsDropped: 0, nonFinite: new Map() };
  const zipOptions = { nonFinite: options.dropNonFinite ? 'drop' : 'error', source: split.source } as const;
  let seen = 0;
  for await (const [features, logits, labels] of zipRows(
    readers,
    options.chunkRows,
    options.signal,
    zipOptions,
    stats,
  )) {
    const rows = features.length / split.features.cols;
    // with nonFinite 'error' a bad block still arrives (the refusal comes at the end, with the full count)
    if (!stats.nonFinite.size && !hasNonFinite(features) && !hasNonFinite(logits)) {
      accumulator.add({
        rows,
        features,
        logits,
        labels: shape.targets.kind === 'onehot' ? labels : undefined,
        targets: shape.targets.kind === 'dense' ? labels : undefined,
      });
    }
    progress.done += stats.rowsRead - seen;
    seen = stats.rowsRead;
    options.onProgress?.({
      phase: 'read',
      rowsDone: progress.done,
      rowsTotal: progress.total,
      file: split.source,
    });
  }
  const notes: string[] = [];
  if (stats.rowsDropped > 0)
    notes.push(`${split.source}: dropped ${stats.rowsDropped} row(s) holding NaN/Inf`);
  if (accumulator.rows === 0)
    throw new InputError(split.source, 'no rows to analyse (zero rows, or every row dropped)');
  return { moments: accumulator.result(), notes };
}

function hasNonFinite(block: Float64Array): boolean {
  for (let i = 0; i < block.length; i++) if (!Number.isFinite(block[i])) return true;
  return false;
}

/** Degenerate data (and the maths' range errors) as an InputError on `source`; anything else as it is. */
function asInputError(source: string, error: unknown): unknown {
  return error instanceof DegenerateDataError || error instanceof RangeError
    ? new InputError(source, error.message)
    : error;
}

/** Runs a computation on moments; degenerate data becomes an InputError on `source`. */
export function withInputErrors<T>(source: string, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    throw asInputError(source, error);
  }
}

/** The metrics of a checkpoint; degenerate data becomes an InputError on `source`. */
export function metricsOf(source: string, fit: Moments, evalSplit: Moments | null): CheckpointMetrics {
  return withInputErrors(source, () => analyzeMoments(fit, evalSplit ?? fit));
}

/** The metrics, on two threads when the caller offers them (the CLI); errors as `metricsOf` gives them. */
async function checkpointMetrics(
  source: string,
  fit: Moments,
  evalSplit: Moments | null,
  options: AnalyzeOptions,
): Promise<CheckpointMetrics> {
  let threaded: CheckpointMetrics | null;
  try {
    threaded = (await options.analyzeInThreads?.(fit, evalSplit ?? fit)) ?? null;
  } catch (error) {
    throw asInputError(source, error);
  }
  return threaded ?? metricsOf(source, fit, evalSplit);
}

export function checkCompatible(fit: SplitArrays, evalSplit: SplitArrays): void {
  const pairs: [string, number, number][] = [
    ['feature columns (p)', fit.features.cols, evalSplit.features.cols],
    ['output columns (C)', fit.logits.cols, evalSplit.logits.cols],
  ];
  for (const [what, a, b] of pairs) {
    if (a !== b)
      throw new InputError(
        evalSplit.source,
        `eval split has ${b} ${what} but the fit split ${fit.source} has ${a}`,
      );
  }
}

/** The notes of a checkpoint of arrays: the files', then the moment pass's, then a missing eval label. */
export function checkpointNotes(
  fit: SplitArrays,
  evalArrays: SplitArrays | null,
  passNotes: string[],
): string[] {
  const notes = [...fit.notes, ...(evalArrays?.notes ?? []), ...passNotes];
  if (fit.labels && evalArrays && !evalArrays.labels)
    notes.push(`${evalArrays.source}: no labels, so no cumulative mass on the eval split`);
  return notes;
}

export function rolesOf(fit: SplitArrays): CheckpointAnalysis['roles'] {
  return { features: fit.features.key, logits: fit.logits.key, labels: fit.labels?.key ?? null };
}

/** Analyses one checkpoint (fit split, optional eval split): one streamed pass per split, then the metrics. */
export async function analyzeCheckpoint(
  input: CheckpointInput,
  options: AnalyzeOptions = {},
): Promise<CheckpointAnalysis> {
  const settings = {
    ...options,
    chunkRows: options.chunkRows ?? defaultAnalyzeOptions.chunkRows,
    dropNonFinite: options.dropNonFinite ?? defaultAnalyzeOptions.dropNonFinite,
    gramPrecision: options.gramPrecision ?? defaultAnalyzeOptions.gramPrecision,
    float32MinWork: options.float32MinWork ?? defaultAnalyzeOptions.float32MinWork,
  };
  const fitOpened = await openSplit(input.fit, input.roles, settings.signal);
  const evalOpened = input.eval ? await openSplit(input.eval, input.roles, settings.signal) : null;

  if (fitOpened.kind === 'moments') {
    const { file } = fitOpened;
    const fitMoments = file.splits[0].moments;
    const evalMoments =
      evalOpened?.kind === 'moments'
        ? evalOpened.file.splits[0].moments
        : ((file.splits.find((s) => s.name === 'test') ?? file.splits[1])?.moments ?? null);
    if (evalOpened && evalOpened.kind !== 'moments') {
      throw new InputError(
        evalOpened.source,
        'the fit split is a moments file, so the eval split must be one too',
      );
    }
    return {
      metrics: await checkpointMetrics(sourceName(input.fit), fitMoments, evalMoments, settings),
      fit: fitMoments,
      eval: evalMoments,
      notes: [
        `${sourceName(input.fit)}: precomputed moments (splits ${file.splits.map((s) => s.name).join(', ')})`,
      ],
      roles: { features: 'features', logits: 'logits', labels: fitMoments.q > 0 ? 'labels' : null },
      run: file.run,
      step: file.step,
    };
  }
  if (evalOpened?.kind === 'moments') {
    throw new InputError(
      sourceName(input.eval!),
      'the eval split is a moments file but the fit split holds raw arrays',
    );
  }
  const fit = fitOpened;
  const evalArrays = evalOpened as SplitArrays | null;
  if (evalArrays) checkCompatible(fit, evalArrays);

  const classes = await countCheckpointClasses(fit, evalArrays, settings.signal);
  const progress = { done: 0, total: fit.features.rows + (evalArrays?.features.rows ?? 0) };
  const fitResult = await accumulateSplit('fit', fit, classes, settings, progress);
  const evalResult = evalArrays
    ? await accumulateSplit('eval', evalArrays, classes, settings, progress)
    : null;
  settings.onProgress?.({
    phase: 'compute',
    rowsDone: progress.done,
    rowsTotal: progress.total,
    file: fit.source,
  });
  return {
    metrics: await checkpointMetrics(fit.source, fitResult.moments, evalResult?.moments ?? null, settings),
    fit: fitResult.moments,
    eval: evalResult?.moments ?? null,
    notes: checkpointNotes(fit, evalArrays, [...fitResult.notes, ...(evalResult?.notes ?? [])]),
    roles: rolesOf(fit),
  };
}
