/**
 * Where files meet the maths: one checkpoint's byte sources are opened, their arrays given roles,
 * streamed once in row chunks into the moment accumulator (docs/method.md §2), and every metric
 * computed from the moments. Shared unchanged by the CLI (Node) and the analysis worker (browser).
 */
import { analyzeMoments } from '../core/analyze';
import { storedPrecisionOf } from '../core/companion';
import {
  defaultJackknifeOptions,
  planJackknife,
  UNDEFINED_DELETED_GROUP_NOTE,
  type JackknifeOptions,
  type JackknifePlan,
} from '../core/jackknife';
import { DegenerateDataError } from '../core/low-rank-measure';
import type { GramPrecision } from '../core/kernels/gram';
import { createArrayPool } from '../core/array-pool';
import { createMomentAccumulator, maxMomentColumns, withoutGroups } from '../core/moments';
import type { CheckpointMetrics, LayerShape, Moments, TargetKind, TargetShape } from '../core/types';
import { detectLayers } from '../io/layers';
import { openContainer } from '../io/open-container';
import { momentsFromContainer, type MomentsFile } from '../io/moments-file';
import { detectRoles, ROLE_FLAGS, validateLabels, type RoleOverrides } from '../io/roles';
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
   * The delete-one-group jackknife of D_LR (docs/method.md §7): groups G (0 turns it off) and the
   * memory budget of the per-group moments. Default `defaultJackknifeOptions`: 10 groups within 512 MiB.
   */
  jackknife?: JackknifeOptions;
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
  /** which array took each role; `layers`: every layer measured, in layer order, the features last (docs/method.md §8) */
  roles: { features: string; logits: string; labels: string | null; layers: string[] };
  /** run / step carried by a moments file, when the input was one */
  run?: string | null;
  step?: number | null;
  /** a step saved beside the arrays (SplitArrays.savedStep), for when the file name has none */
  savedStep?: number | null;
  /** the eval split a fit file held itself ('splits.pt (test)'), when no eval files were given */
  evalSource?: string | null;
}

/** A checkpoint's analysis without its moments: all that its record needs, cheap to post between threads. */
export type CheckpointResult = Omit<CheckpointAnalysis, 'fit' | 'eval'>;

/** One split's arrays with their roles (exported for the shard runners, checkpoint-shards.ts and thread-shards.ts). */
export interface SplitArrays {
  source: string;
  /** the opened files (the CLI's threads re-read .npy files by position) */
  sources: ByteSource[];
  features: ArrayReader;
  logits: ArrayReader;
  labels: ArrayReader | null;
  /** the layers before the features, in layer order (docs/method.md §8); measured on the fit split only */
  layers: ArrayReader[];
  targetKind: TargetKind;
  notes: string[];
  /** a step saved in the files (a 0-d step, iteration or epoch); the file name's step comes first */
  savedStep: number | null;
}

/** One split handed to the CLI's thread shards: its arrays, its size, and the serial stream's settings. */
export interface SplitToShard {
  split: 'fit' | 'eval';
  arrays: SplitArrays;
  size: SplitSize;
  chunkRows: number;
  /** rows holding NaN/Inf are to be dropped: the threads then decline */
  dropNonFinite: boolean;
  /** the jackknife's groups to keep (docs/method.md §7; row i of the split in group i mod G); 0: none */
  groups: number;
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
    const bytes = sources[containers.indexOf(moments)].size;
    return { kind: 'moments', source, file: await momentsFromContainer(moments, bytes, signal) };
  }
  const arrays = containers.flatMap((c) => c.arrays);
  const chosen = detectRoles(arrays, roles, source);
  const layers = detectLayers(arrays, chosen, roles?.layers, source);
  return {
    kind: 'arrays',
    source,
    sources,
    features: chosen.features,
    logits: chosen.logits,
    labels: chosen.labels,
    layers: layers.earlier,
    targetKind: chosen.targetKind,
    notes: [...containers.flatMap((c) => c.notes), ...chosen.notes, ...layers.notes],
    savedStep: containers.find((c) => c.step !== undefined)?.step ?? null,
  };
}

/**
 * The eval split of a checkpoint: its own files when given, else the eval split a fit file holds
 * itself ({'train': ..., 'test': ...} saved at once, ArrayContainer.evalSplit), else null.
 * `fitContainers` are the fit files' containers when the caller already opened them.
 */
export async function openEvalSplit(
  input: CheckpointInput,
  signal?: AbortSignal,
  fitContainers?: ArrayContainer[],
): Promise<OpenedSplit | null> {
  if (input.eval) return openSplit(input.eval, input.roles, signal);
  const containers = fitContainers ?? (await openContainers(input.fit));
  const held = containers.filter((c) => c.evalSplit);
  if (held.length === 0) return null;
  const source = held.map((c) => `${c.source} (${c.evalSplit!.name})`).join(' + ');
  const chosen = detectRoles(
    held.flatMap((c) => c.evalSplit!.arrays),
    input.roles,
    source,
  );
  return {
    kind: 'arrays',
    source,
    sources: held.map((c) => input.fit.find((s) => s.name === c.source)!),
    features: chosen.features,
    logits: chosen.logits,
    labels: chosen.labels,
    // an eval split's layers are not measured (docs/method.md §8: D_LR is of the fit split)
    layers: [],
    targetKind: chosen.targetKind,
    notes: chosen.notes,
    savedStep: null,
  };
}

/** Bytes of the files behind the splits (a file holding both splits counts once). */
function inputBytes(splits: SplitArrays[]): number {
  const files = new Set(splits.flatMap((split) => split.sources));
  return [...files].reduce((sum, file) => sum + file.size, 0);
}

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/**
 * Refuses, before anything of that size is allocated, a moment matrix wider than the input may ask
 * for (core `maxMomentColumns`): `q` target columns beside the features and outputs.
 */
function checkMomentWidth(fit: SplitArrays, bytes: number, q: number): void {
  const p = fit.features.cols;
  const c = fit.logits.cols;
  const d = p + c + q;
  const allowed = maxMomentColumns(bytes);
  if (d <= allowed) return;
  const n = fit.features.rows;
  throw new InputError(
    fit.source,
    `the moment matrix would be ${d} x ${d} (${p} feature + ${c} output${q > 0 ? ` + ${q} target` : ''} columns, ${megabytes(d * d * 8)}): more than ${megabytes(bytes)} of input may ask for (at most ${allowed} columns). ` +
      (n <= p ? `With n = ${n} rows the feature spectrum has rank at most ${n - 1} anyway: ` : '') +
      'save fewer feature columns (pool or project them) or analyse more rows',
  );
}

/**
 * Adds the labels of a split to `classes`, checking every label on the way (integers >= 0). Refuses
 * more distinct labels than `allowed` columns; notes labels >= C (their rows count as wrong).
 */
async function collectClasses(
  split: SplitArrays,
  classes: Set<number>,
  allowed: number,
  signal?: AbortSignal,
): Promise<void> {
  const reader = split.labels!;
  const c = split.logits.cols;
  let beyond = 0;
  let largest = -1;
  let row = 0;
  for await (const block of reader.readRows(65536, signal)) {
    validateLabels(block, split.source, row, reader.key);
    for (let i = 0; i < block.length; i++) {
      const label = block[i];
      classes.add(label);
      if (label >= c) beyond++;
      if (label > largest) largest = label;
    }
    if (classes.size > allowed) {
      throw new InputError(
        split.source,
        `${reader.key} holds more than ${allowed} distinct labels (for ${c} outputs): each label value is a one-hot column, and that is more than the input's size allows. Are these class indices? Choose another array with ${ROLE_FLAGS.labels}`,
      );
    }
    row += block.length;
  }
  if (beyond > 0) {
    split.notes.push(
      `${split.source}: ${beyond} row(s) of ${reader.key} have a label >= C = ${c} (largest ${largest}): each such label is a class of its own, and those rows count as wrong in the accuracy`,
    );
  }
}

/**
 * The one-hot columns of a checkpoint: the distinct labels present in either split, ascending, so
 * fit and eval targets line up and a label is a class name, never a size. Checks, before anything
 * is allocated, that the moment matrix is no wider than the input's size allows. Notes about labels
 * >= C go to the split's notes.
 */
export async function countCheckpointClasses(
  fit: SplitArrays,
  evalArrays: SplitArrays | null,
  signal?: AbortSignal,
): Promise<number[]> {
  const splits = evalArrays ? [fit, evalArrays] : [fit];
  const bytes = inputBytes(splits);
  const denseTargets = Math.max(
    ...splits.map((split) => (split.labels && split.targetKind === 'dense' ? split.labels.cols : 0)),
  );
  checkMomentWidth(fit, bytes, denseTargets);
  const classes = new Set<number>();
  const allowed = maxMomentColumns(bytes) - fit.features.cols - fit.logits.cols;
  for (const split of splits) {
    if (split.labels && split.targetKind === 'onehot') await collectClasses(split, classes, allowed, signal);
  }
  return [...classes].sort((a, b) => a - b);
}

/** The target shape of a split; `classes` are the checkpoint's one-hot column labels. */
export function targetShape(split: SplitArrays, classes: number[]): TargetShape {
  if (!split.labels || split.targetKind === 'none') return { kind: 'none' };
  if (split.targetKind === 'dense') return { kind: 'dense', q: split.labels.cols };
  return { kind: 'onehot', classes: classes.length, labels: classes };
}

/**
 * The readers a split's moment pass reads, in the order of its blocks: features, logits, labels or
 * dense targets when used, then on the fit split its earlier layers (docs/method.md §8).
 */
export function passReaders(split: SplitArrays, name: 'fit' | 'eval'): ArrayReader[] {
  const own =
    split.labels && split.targetKind !== 'none'
      ? [split.features, split.logits, split.labels]
      : [split.features, split.logits];
  return name === 'fit' ? [...own, ...split.layers] : own;
}

/** The layers a split's moment pass accumulates: the fit split's, named; none on the eval split. */
export function layerShape(split: SplitArrays, name: 'fit' | 'eval'): LayerShape | undefined {
  if (name !== 'fit') return undefined;
  return {
    features: split.features.key,
    earlier: split.layers.map((reader) => ({ name: reader.key, p: reader.cols })),
  };
}

/** A split's size as the plan (plan.ts) reads it. */
export function splitSize(split: SplitArrays, classes: number[], name: 'fit' | 'eval'): SplitSize {
  const targets = targetShape(split, classes);
  const dense = targets.kind === 'dense' && split.labels ? [split.labels] : [];
  const layers = name === 'fit' ? split.layers : [];
  return {
    rows: split.features.rows,
    shape: { p: split.features.cols, c: split.logits.cols, targets, layers: layerShape(split, name) },
    float32: [split.features, split.logits, ...dense, ...layers].every(
      (reader) => reader.dtype === 'float32',
    ),
    columns: passReaders(split, name).reduce((sum, reader) => sum + reader.cols, 0),
  };
}

/**
 * One split's moment pass; `groups` > 0 keeps the jackknife's per-group moments (the fit split's).
 */
async function accumulateSplit(
  name: 'fit' | 'eval',
  split: SplitArrays,
  classes: number[],
  groups: number,
  options: AnalyzeOptions & typeof defaultAnalyzeOptions,
  progress: { done: number; total: number },
): Promise<{ moments: Moments; notes: string[] }> {
  const size = splitSize(split, classes, name);
  const threaded = await options.accumulateInThreads?.({
    split: name,
    arrays: split,
    size,
    chunkRows: options.chunkRows,
    dropNonFinite: options.dropNonFinite,
    groups,
  });
  if (threaded) {
    progress.done += split.features.rows;
    return { moments: threaded, notes: [] };
  }
  const { shape } = size;
  const precision = gramPrecision(size, options.gramPrecision, options.float32MinWork);
  // the group scatters are given back once the checkpoint's metrics are computed (analyzeCheckpoint)
  const allocate = groups > 0 ? groupScatters.allocate : undefined;
  const accumulator = createMomentAccumulator(shape, { precision, groups, allocate });
  const readers = passReaders(split, name);
  const firstLayer = readers.length - (name === 'fit' ? split.layers.length : 0);
  const stats: ZipRowsStats = { rowsRead: 0, rowsDropped: 0, nonFinite: new Map() };
  // the accumulator copies what it keeps of a block (the jackknife's groups), so blocks are reused
  const zipOptions = {
    nonFinite: options.dropNonFinite ? 'drop' : 'error',
    source: split.source,
    recycle: true,
  } as const;
  let seen = 0;
  for await (const blocks of zipRows(readers, options.chunkRows, options.signal, zipOptions, stats)) {
    const [features, logits, labels] = blocks;
    const rows = features.length / split.features.cols;
    // with nonFinite 'error' a bad block still arrives (the refusal comes at the end, with the full count)
    if (!stats.blockNonFinite) {
      accumulator.add({
        rows,
        features,
        logits,
        labels: shape.targets.kind === 'onehot' ? labels : undefined,
        targets: shape.targets.kind === 'dense' ? labels : undefined,
        layers: blocks.slice(firstLayer),
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
  const moments = accumulator.finish();
  accumulator.release();
  return { moments, notes };
}

/** Degenerate data (and the maths' range errors) as an InputError on `source`; anything else as it is. */
export function asInputError(source: string, error: unknown): unknown {
  return error instanceof DegenerateDataError || error instanceof RangeError
    ? new InputError(source, error.message)
    : error;
}

/**
 * Runs a computation on moments; degenerate data becomes an InputError on `source`, whether it is
 * thrown or, from a computation that returns a promise, rejected.
 */
export function withInputErrors<T>(source: string, compute: () => T): T {
  const rethrow = (error: unknown): never => {
    throw asInputError(source, error);
  };
  let result: T;
  try {
    result = compute();
  } catch (error) {
    return rethrow(error);
  }
  return result instanceof Promise ? (result.catch(rethrow) as T) : result;
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

/** Whether the fit split's pass keeps the jackknife's groups (docs/method.md §7), as `options` ask. */
export function fitJackknife(fit: SplitArrays, options: JackknifeOptions | undefined): JackknifePlan {
  return planJackknife(
    fit.features.rows,
    fit.features.cols,
    fit.logits.cols,
    options ?? defaultJackknifeOptions,
  );
}

/**
 * The notes of the jackknife: why the pass kept no groups, that a deleted group left D_LR undefined
 * (the standard errors are then null although groups were kept), or that the fit moments came without
 * the groups the plan asked for.
 */
export function jackknifeNotes(
  source: string,
  plan: JackknifePlan,
  fit: Moments,
  metrics: CheckpointMetrics,
): string[] {
  if (plan.note) return [`${source}: ${plan.note}`];
  if (plan.groups === 0 || metrics.dlrStdErr !== null) return [];
  return [`${source}: ${fit.groups ? UNDEFINED_DELETED_GROUP_NOTE : MISSING_GROUPS_NOTE}`];
}

/** Said when the moment pass was to keep the jackknife's groups but its moments came without them. */
export const MISSING_GROUPS_NOTE =
  'the moment pass kept no per-group moments: no standard error for D_LR (docs/method.md §7)';

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
  return {
    features: fit.features.key,
    logits: fit.logits.key,
    labels: fit.labels?.key ?? null,
    layers: [...fit.layers.map((l) => l.key), fit.features.key],
  };
}

/** Every layer of moments in layer order, the features last (docs/method.md §8). */
function layerNamesOf(m: Moments): string[] {
  return [...(m.layers?.earlier ?? []).map((l) => l.name), m.layers?.features ?? 'features'];
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
  const fitContainers = await openContainers(input.fit);
  const fitOpened = await openSplit(input.fit, input.roles, settings.signal, fitContainers);
  const evalOpened = await openEvalSplit(input, settings.signal, fitContainers);

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
    const jackknifeOff = (options.jackknife ?? defaultJackknifeOptions).groups === 0;
    const metrics = await checkpointMetrics(sourceName(input.fit), fitMoments, evalMoments, settings);
    return {
      metrics: { ...metrics, storedPrecision: null },
      fit: fitMoments,
      eval: evalMoments,
      notes: [
        `${sourceName(input.fit)}: precomputed moments (splits ${file.splits.map((s) => s.name).join(', ')})`,
        ...(jackknifeOff ? [] : [`${sourceName(input.fit)}: ${MOMENTS_FILE_JACKKNIFE_NOTE}`]),
      ],
      roles: {
        features: fitMoments.layers?.features ?? 'features',
        logits: 'logits',
        labels: fitMoments.q > 0 ? 'labels' : null,
        layers: layerNamesOf(fitMoments),
      },
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
  const jackknife = fitJackknife(fit, settings.jackknife);
  const fitResult = await accumulateSplit('fit', fit, classes, jackknife.groups, settings, progress);
  const evalResult = evalArrays
    ? await accumulateSplit('eval', evalArrays, classes, 0, settings, progress)
    : null;
  settings.onProgress?.({
    phase: 'compute',
    rowsDone: progress.done,
    rowsTotal: progress.total,
    file: fit.source,
  });
  const metrics = {
    ...(await checkpointMetrics(fit.source, fitResult.moments, evalResult?.moments ?? null, settings)),
    storedPrecision: storedPrecisionOf(fit.features.dtype, fit.logits.dtype),
  };
  const notes = [
    ...checkpointNotes(fit, evalArrays, [...fitResult.notes, ...(evalResult?.notes ?? [])]),
    ...jackknifeNotes(fit.source, jackknife, fitResult.moments, metrics),
  ];
  // the per-group moments have served: what is kept and stored is the split's own
  groupScatters.recycle((fitResult.moments.groups ?? []).map((group) => group.scatter));
  return {
    metrics,
    fit: withoutGroups(fitResult.moments),
    eval: evalResult?.moments ?? null,
    notes,
    roles: rolesOf(fit),
    savedStep: fit.savedStep,
    evalSource: input.eval ? null : (evalArrays?.source ?? null),
  };
}

/**
 * The jackknife's group scatters of the checkpoints analysed in this thread, kept for the next
 * checkpoint of the same width. The bound holds ten groups up to p + C = 640 and lets a larger
 * checkpoint's groups go after it, rather than holding up to the jackknife's budget in every thread.
 */
const GROUP_SCATTER_POOL_BYTES = 32 * 2 ** 20;
const groupScatters = createArrayPool(GROUP_SCATTER_POOL_BYTES);

/** Moments files hold each split's moments, not those of groups of its rows. */
export const MOMENTS_FILE_JACKKNIFE_NOTE =
  'a moments file holds no per-group moments: no standard error for D_LR (docs/method.md §7)';
