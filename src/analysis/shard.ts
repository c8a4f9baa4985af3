/**
 * The one shard protocol: a task names rows [start, end) of one split and how to accumulate them,
 * and every runner (the browser's pool, through workers/analysis-api.ts; the CLI's worker threads,
 * thread-shards.ts) runs it with `accumulateShard` over a reader of its own (Blobs by row range, or
 * positional reads of .npy files). The shards' moments merge in row order with `mergeShards`, exactly
 * (docs/method.md §2).
 *
 * A block holding NaN or Inf (found from its column sums, no separate scan) ends the shard as
 * 'non-finite': the caller then declines and the serial stream reports or drops those rows, so its
 * messages stay the only ones users see. Labels were checked when the classes were counted.
 *
 * Browser-safe: no Node built-ins.
 */
import type { GramPrecision } from '../core/kernels/gram';
import {
  copyMoments,
  createMomentAccumulator,
  mergeMomentsInto,
  type MomentAccumulator,
} from '../core/moments';
import type { Allocate, MomentShape, Moments } from '../core/types';
import { throwIfAborted } from '../io/byte-source';
import { sharedChunkSizes } from './plan';

/** Two runners sharing one shard (the CLI's thread pairs, the browser's worker pairs). */
export interface ShardShare {
  /**
   * claims[0] counts the chunks claimed so far by either runner (shared memory); absent where the
   * runners share none (the browser's workers): each then asks `AccumulateShardOptions.claim`
   */
  claims?: Int32Array;
  /** this runner's end of the shard */
  from: 'front' | 'back';
}

/** Everything a runner needs to accumulate one shard, apart from where the rows are read. */
export interface ShardTask {
  split: 'fit' | 'eval';
  /** rows [start, end) of that split */
  start: number;
  end: number;
  shape: MomentShape;
  /** the Gram kernel (src/core/moments.ts MomentAccumulatorOptions) */
  precision: GramPrecision;
  /**
   * rows per chunk; every chunk of the shard is full but possibly the last, except where two runners
   * share it: the chunks then shrink toward its middle (plan.ts `sharedChunkSizes`)
   */
  chunkRows: number;
  /**
   * The jackknife's groups the shard keeps (docs/method.md §7; the fit split's, row i of the split in
   * group i mod G); absent or 0: none
   */
  groups?: number;
  /**
   * Absent: this runner takes every chunk, in order. Present: it claims one chunk at a time, from its
   * end of the shard, until every chunk is claimed; the faster runner takes more chunks and each
   * runner's rows stay contiguous, so the two parts merge in row order (front, then back).
   */
  share?: ShardShare;
}

/**
 * A shard's moments, or 'non-finite' when it met NaN/Inf (the serial stream then reports it). Its
 * scatters hold their upper triangles only: `mergeShards` reads no more, and mirrors what it returns.
 */
export type ShardResult = { kind: 'moments'; moments: Moments } | { kind: 'non-finite' };

/**
 * Rows [start, start + rows) of every array the pass reads: features, logits, then labels or dense
 * targets when the shape has them, then the shape's layers (row-major blocks). A block may be reused
 * by the next read.
 */
export type ReadShardRows = (start: number, rows: number) => Promise<ArrayLike<number>[]>;

export interface AccumulateShardOptions {
  signal?: AbortSignal;
  /** the rows of the shard this runner has added so far, after every chunk */
  onRows?: (rowsDone: number) => void;
  /** where the result's arrays live (shared memory in a worker thread, so the merge needs no copy) */
  allocate?: Allocate;
  /**
   * For a shared shard without `claims`: whether this runner may take one more chunk, asked of
   * whoever counts the chunks of both runners (the browser's main thread)
   */
  claim?: () => boolean | Promise<boolean>;
}

/**
 * Adds one block (features, logits, then labels or dense targets, then the layers) whose first row is
 * row `firstRow` of the split (its rows' jackknife groups); false on NaN/Inf.
 */
function addFiniteRows(
  accumulator: MomentAccumulator,
  shape: MomentShape,
  rows: number,
  blocks: ArrayLike<number>[],
  firstRow: number,
): boolean {
  const [features, logits] = blocks;
  const hasTargets = shape.targets.kind !== 'none';
  const targets = hasTargets ? blocks[2] : undefined;
  return accumulator.addFinite({
    rows,
    firstRow,
    features,
    logits,
    labels: shape.targets.kind === 'onehot' ? targets : undefined,
    targets: shape.targets.kind === 'dense' ? targets : undefined,
    layers: blocks.slice(hasTargets ? 3 : 2),
  });
}

/** Accumulates the chunks of `task` this runner takes, reading them with `read`. */
export async function accumulateShard(
  task: ShardTask,
  read: ReadShardRows,
  { signal, onRows, allocate, claim }: AccumulateShardOptions = {},
): Promise<ShardResult> {
  const { shape, share, chunkRows } = task;
  if (share && !share.claims && !claim) throw new Error('a shared shard needs its claims counted');
  const accumulator = createMomentAccumulator(shape, {
    precision: task.precision,
    groups: task.groups,
    allocate,
  });
  const sizes = share ? sharedChunkSizes(task.end - task.start, chunkRows) : null;
  const starts = sizes ? chunkStarts(task.start, sizes) : null;
  const chunks = sizes ? sizes.length : Math.ceil((task.end - task.start) / chunkRows);
  let rowsDone = 0;
  for (let taken = 0; taken < chunks; taken++) {
    throwIfAborted(signal);
    if (share && !(share.claims ? Atomics.add(share.claims, 0, 1) < chunks : await claim!())) break;
    const index = share?.from === 'back' ? chunks - 1 - taken : taken;
    const start = starts ? starts[index] : task.start + index * chunkRows;
    const rows = sizes ? sizes[index] : Math.min(chunkRows, task.end - start);
    const blocks = await read(start, rows);
    if (!addFiniteRows(accumulator, shape, rows, blocks, start)) return { kind: 'non-finite' };
    rowsDone += rows;
    onRows?.(rowsDone);
  }
  const moments = accumulator.finish('upper');
  accumulator.release();
  return { kind: 'moments', moments };
}

/** The first row of each chunk of the given sizes, from `start`. */
function chunkStarts(start: number, sizes: number[]): number[] {
  const starts: number[] = [];
  for (const size of sizes) {
    starts.push(start);
    start += size;
  }
  return starts;
}

/**
 * The moments of consecutive shards, given in row order, whole (every scatter mirrored) from parts
 * that may hold upper triangles only, as `accumulateShard` gives them. 'copy' leaves the parts as they
 * are; 'into-first' folds the others into the first part's arrays (shared memory the metrics then
 * read in place).
 */
export function mergeShards(parts: Moments[], mode: 'copy' | 'into-first' = 'copy'): Moments {
  if (parts.length === 0) throw new RangeError('no shards to merge');
  const first = mode === 'copy' ? copyMoments(parts[0]) : parts[0];
  return mergeMomentsInto(first, ...parts.slice(1));
}
