/**
 * The steps of a checkpoint sharded across the browser's analysis workers, each a call of the worker
 * API (workers/analysis-api.ts) that the bridge's shard job (src/bridge/shard-job.ts) drives:
 *
 *   readCheckpointLayout -> accumulateCheckpointShard (one call per shard) -> finishCheckpointShards
 *
 * or, when the plan puts the metrics in halves (plan.ts), mergeCheckpointShards, then
 * checkpointOutputs (D_LR, NC1) and checkpointSpectra (the p x p spectrum) on two workers, then
 * assembleCheckpoint.
 *
 * Anything the shards cannot do as the serial stream would (moments files, arrays without row
 * ranges, NaN/Inf rows) is declined, and the serial `analyzeCheckpoint` runs instead, so its results,
 * notes and error messages stay the only ones users see. Browser-safe (no Node built-ins).
 */
import {
  combineMetrics,
  outputMetrics,
  spectrumMetrics,
  type OutputMetrics,
  type SpectrumMetrics,
} from '../core/analyze';
import type { JackknifeOptions, JackknifePlan } from '../core/jackknife';
import { withoutGroups } from '../core/moments';
import { storedPrecisionOf } from '../core/companion';
import type { CheckpointMetrics, Moments, StoredPrecision } from '../core/types';
import type { ArrayReader } from '../io/types';
import { recycleRowBlock } from '../io/row-blocks';
import { spectrumSharingEnergies, type EnergyRelay } from './energy-relay';
import {
  checkCompatible,
  checkpointNotes,
  countCheckpointClasses,
  fitJackknife,
  jackknifeNotes,
  metricsOf,
  openContainers,
  openEvalSplit,
  openSplit,
  passReaders,
  rolesOf,
  splitSize,
  withInputErrors,
  type CheckpointAnalysis,
  type CheckpointInput,
  type SplitArrays,
} from './analyze-checkpoint';
import type { SplitSize } from './plan';
import {
  accumulateShard,
  mergeShards,
  type AccumulateShardOptions,
  type ReadShardRows,
  type ShardResult,
  type ShardTask,
} from './shard';

/** A checkpoint whose rows the pool can shard, with what the plan needs; or why it stays serial. */
export type CheckpointLayout = ShardableCheckpoint | { kind: 'serial'; reason: string };

export interface ShardableCheckpoint {
  kind: 'shardable';
  /** the fit split's files, for messages */
  source: string;
  fit: SplitSize;
  eval: SplitSize | null;
  notes: string[];
  roles: CheckpointAnalysis['roles'];
  /** CheckpointAnalysis.savedStep */
  savedStep?: number | null;
  /**
   * The fit split's jackknife (docs/method.md §7): the groups its shards keep, and the note when there
   * are none; absent: off
   */
  jackknife?: JackknifePlan;
  /** the coarsest element type of the fit split's features and logits (CheckpointMetrics.storedPrecision) */
  storedPrecision?: StoredPrecision;
}

/**
 * Opens the checkpoint's files, gives the arrays their roles and counts the classes (reading the
 * labels once, checking them as the serial pass does). Errors propagate as InputError exactly as
 * `analyzeCheckpoint` raises them.
 */
export async function readCheckpointLayout(
  input: CheckpointInput,
  signal?: AbortSignal,
  jackknife?: JackknifeOptions,
): Promise<CheckpointLayout> {
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
  // before the labels are read to count the classes: a declined layout costs only the headers
  for (const [split, name] of evalArrays
    ? ([
        [fit, 'fit'],
        [evalArrays, 'eval'],
      ] as const)
    : ([[fit, 'fit']] as const)) {
    const unranged = passReaders(split, name).find((r) => !r.readRowRange);
    if (unranged)
      return { kind: 'serial', reason: `${split.source}: ${unranged.key} cannot be read by row range` };
  }
  if (evalArrays) checkCompatible(fit, evalArrays);
  const classes = await countCheckpointClasses(fit, evalArrays, signal);
  return {
    kind: 'shardable',
    source: fit.source,
    fit: splitSize(fit, classes, 'fit'),
    eval: evalArrays ? splitSize(evalArrays, classes, 'eval') : null,
    notes: checkpointNotes(fit, evalArrays, []),
    roles: rolesOf(fit),
    savedStep: fit.savedStep,
    jackknife: fitJackknife(fit, jackknife),
    storedPrecision: storedPrecisionOf(fit.features.dtype, fit.logits.dtype),
  };
}

/**
 * Reads a shard's chunks. An array of native floats gives each chunk's bytes as they are
 * (`readStoredRows`); any other goes through `readRowRange`: consecutive chunks from one running
 * read of the shard's rows, any other chunk from a read of its own, as does every chunk of a shared
 * shard (its chunks vary in size, and a runner from the back goes backwards: a running read would
 * read ahead rows it never takes). A chunk's decoded blocks go back to the readers when the next is
 * asked for: the shard's accumulator keeps nothing of them.
 */
function rowRangeReader(
  source: string,
  readers: ArrayReader[],
  task: ShardTask,
  signal?: AbortSignal,
): { read: ReadShardRows; close: () => Promise<void> } {
  const decoded = readers.filter((r) => !r.readStoredRows);
  let iterators: AsyncIterator<Float64Array>[] = [];
  let next = -1;
  let given: Float64Array[] = [];
  const close = async () => {
    await Promise.all(iterators.map((it) => it.return?.()));
    iterators = [];
  };
  const readDecoded = async (start: number, rows: number) => {
    given.forEach(recycleRowBlock);
    given = [];
    if (decoded.length === 0) return [];
    if (task.share || start !== next) {
      await close();
      const [end, blockRows] = task.share ? [start + rows, rows] : [task.end, task.chunkRows];
      iterators = decoded.map((r) => r.readRowRange!(start, end, blockRows, signal)[Symbol.asyncIterator]());
    }
    const steps = await Promise.all(iterators.map((it) => it.next()));
    if (steps.some((step) => step.done)) throw new RangeError(`${source}: an array ended early`);
    next = start + rows;
    given = steps.map((step) => step.value as Float64Array);
    return given;
  };
  const read: ReadShardRows = async (start, rows) => {
    const [stored, fromDecoded] = await Promise.all([
      Promise.all(readers.map((r) => r.readStoredRows?.(start, rows, signal))),
      readDecoded(start, rows),
    ]);
    let k = 0;
    const blocks = readers.map((_, j) => stored[j] ?? fromDecoded[k++]);
    if (blocks.some((block, j) => block.length !== rows * readers[j].cols))
      throw new RangeError(`${source}: an array ended early`);
    return blocks;
  };
  return { read, close };
}

/**
 * Accumulates the rows of one shard of a checkpoint, reading only their bytes. `onRows` gets the rows
 * of the shard done so far after every chunk.
 */
export async function accumulateCheckpointShard(
  input: CheckpointInput,
  task: ShardTask,
  options: Pick<AccumulateShardOptions, 'signal' | 'onRows' | 'claim'> = {},
): Promise<ShardResult> {
  const { signal, onRows, claim } = options;
  const opened =
    task.split === 'fit'
      ? await openSplit(input.fit, input.roles, signal)
      : await openEvalSplit(input, signal);
  if (!opened) throw new RangeError('the checkpoint has no eval split in its files');
  if (opened.kind !== 'arrays') throw new RangeError(`${opened.source}: not arrays, cannot read a row range`);
  const readers = passReaders(opened, task.split);
  const { p, c } = task.shape;
  const matches = opened.features.cols === p && opened.logits.cols === c && task.end <= opened.features.rows;
  if (!matches || readers.some((r) => !r.readRowRange))
    throw new RangeError(`${opened.source}: the files no longer match their layout`);
  const { read, close } = rowRangeReader(opened.source, readers, task, signal);
  try {
    return await accumulateShard(task, read, { signal, onRows, claim });
  } finally {
    await close();
  }
}

/** Each split's moments merged from its shards' (in row order). */
export function mergeCheckpointShards(
  fitParts: Moments[],
  evalParts: Moments[] | null,
): { fit: Moments; eval: Moments | null } {
  return { fit: mergeShards(fitParts), eval: evalParts ? mergeShards(evalParts) : null };
}

/** The output half of the metrics (docs/method.md §3, §5 NC1), errors as `analyzeCheckpoint` raises them. */
export function checkpointOutputs(checkpoint: ShardableCheckpoint, fit: Moments): OutputMetrics {
  return withInputErrors(checkpoint.source, () => outputMetrics(fit));
}

/**
 * The feature-spectrum half (docs/method.md §4, §5), errors as `analyzeCheckpoint` raises them; its
 * direction energies shared with a helper worker through `relay` when one is given (energy-relay.ts).
 */
export function checkpointSpectra(
  checkpoint: ShardableCheckpoint,
  fit: Moments,
  evalMoments: Moments | null,
  relay?: EnergyRelay,
): Promise<SpectrumMetrics> {
  const evalSplit = evalMoments ?? fit;
  return withInputErrors(checkpoint.source, async () =>
    relay ? spectrumSharingEnergies(fit, evalSplit, relay) : spectrumMetrics(fit, evalSplit),
  );
}

/** The checkpoint from its merged moments and the two halves of its metrics. */
export function assembleCheckpoint(
  checkpoint: ShardableCheckpoint,
  fit: Moments,
  evalMoments: Moments | null,
  outputs: OutputMetrics,
  spectra: SpectrumMetrics,
): CheckpointAnalysis {
  return analysisOf(checkpoint, fit, evalMoments, combineMetrics(fit, evalMoments ?? fit, outputs, spectra));
}

/** A sharded checkpoint's analysis: its moments without their groups, its notes and the jackknife's. */
function analysisOf(
  checkpoint: ShardableCheckpoint,
  fit: Moments,
  evalMoments: Moments | null,
  metrics: CheckpointMetrics,
): CheckpointAnalysis {
  const { jackknife } = checkpoint;
  return {
    metrics: { ...metrics, storedPrecision: checkpoint.storedPrecision ?? null },
    fit: withoutGroups(fit),
    eval: evalMoments,
    notes: jackknife
      ? [...checkpoint.notes, ...jackknifeNotes(checkpoint.source, jackknife, fit, metrics)]
      : checkpoint.notes,
    roles: checkpoint.roles,
    savedStep: checkpoint.savedStep,
  };
}

/** The checkpoint from its merged moments: every metric as `analyzeCheckpoint` computes it, with its notes and roles. */
export function checkpointFromMoments(
  checkpoint: ShardableCheckpoint,
  fit: Moments,
  evalMoments: Moments | null,
): CheckpointAnalysis {
  return analysisOf(checkpoint, fit, evalMoments, metricsOf(checkpoint.source, fit, evalMoments));
}

/** The checkpoint from its shards' moments (each split's parts in row order), as one worker finishes it. */
export function finishCheckpointShards(
  checkpoint: ShardableCheckpoint,
  fitParts: Moments[],
  evalParts: Moments[] | null,
): CheckpointAnalysis {
  const merged = mergeCheckpointShards(fitParts, evalParts);
  return checkpointFromMoments(checkpoint, merged.fit, merged.eval);
}
