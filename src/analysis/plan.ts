/**
 * How one checkpoint is run, decided from its shapes and sizes alone: every threshold that picks a
 * path lives here, and nothing here reads a file, starts a worker or keeps state.
 *
 * - The moment pass of a split runs serially, or its rows are cut into shards that several workers
 *   (the browser's pool) or worker threads (the CLI) accumulate at once; the shards' moments merge
 *   exactly (docs/method.md §2).
 * - The metrics run whole, or in their two halves side by side: the output half (D_LR, NC1;
 *   docs/method.md §3, §5) and the spectrum half (docs/method.md §4).
 * - A split's Gram kernel takes float32 lanes only when its arrays are float32 and its pass is long.
 *
 * Work is counted in multiply-adds. Words: "split" is the fit or eval data, "shard" a range of rows
 * given to one worker, "half" one of the two halves of the metrics.
 */
import type { GramPrecision } from '../core/kernels/gram';
import { KEPT_INSTANCE_BYTES } from '../core/kernels/wasm';
import { targetColumns, type MomentShape } from '../core/types';

/** Every number that chooses a path. */
export interface PlanThresholds {
  /**
   * Float32 Gram lanes for float32 arrays from this many multiply-adds of a split's moment pass.
   * Default 5e9: a shorter pass gains little, and the float32 rounding (Gram relative error 1e-8 to
   * 6e-8, docs/benchmarks.md) moves the tail of the spectra curves by up to 1e-5 (digits fixtures),
   * above the 1e-6 the dashboard otherwise holds to NumPy.
   */
  float32MinWork: number;
  /**
   * The browser shards a checkpoint across its pool from this many multiply-adds of moment pass (both
   * splits): below it one worker finishes before more would have started. Default 2e9.
   */
  poolMinWork: number;
  /**
   * ... and only when its files hold at least this many bytes (a smaller checkpoint goes to one
   * worker without asking for its layout; the CLI runs several such side by side, one per thread).
   * Default 4 MiB.
   */
  poolMinBytes: number;
  /** The CLI shards a split across worker threads from this many multiply-adds of its pass. Default 5e9. */
  threadMinWork: number;
  /**
   * The metrics go in halves from this many multiply-adds. Default 5e8: with C = 1,000 and p = 2,048
   * the output half is about a third of the metrics, with C = 10 not worth a second worker.
   */
  halvesMinWork: number;
}

export const defaultPlanThresholds: PlanThresholds = {
  float32MinWork: 5e9,
  poolMinWork: 2e9,
  poolMinBytes: 4 << 20,
  threadMinWork: 5e9,
  halvesMinWork: 5e8,
};

/** One split of a checkpoint as the plan sees it: its size, not its files. */
export interface SplitSize {
  rows: number;
  shape: MomentShape;
  /** every dense column of the moment matrix (features, logits, dense targets, layers) comes from a float32 array */
  float32: boolean;
  /** columns a shard reads per row: features, logits, labels or dense targets when used, layers */
  columns: number;
}

/**
 * Multiply-adds of a split's moment pass: rows x d^2, d = p + C + target columns, plus rows x
 * (p_l + C)^2 for each earlier layer it accumulates (docs/method.md §8).
 */
export function momentPassWork({ rows, shape }: Pick<SplitSize, 'rows' | 'shape'>): number {
  const d = passWidth(shape);
  const layers = (shape.layers?.earlier ?? []).reduce((sum, layer) => sum + (layer.p + shape.c) ** 2, 0);
  return rows * (d * d + layers);
}

/**
 * Whether a pass's worker thread is kept for the next task (the metrics' helper) rather than ended:
 * only when its Gram kernel's running sum (d x d float64) is small enough for its instance to be kept
 * for reuse (wasm.ts KEPT_INSTANCE_BYTES). A larger one would stay in the thread's memory until a
 * garbage collection there, beside the helper's own.
 */
export function keepsPassThread(shape: MomentShape): boolean {
  const d = passWidth(shape);
  return d * d * 8 <= KEPT_INSTANCE_BYTES;
}

/** d, the columns of a pass's moments: features, outputs and target columns. */
function passWidth(shape: MomentShape): number {
  return shape.p + shape.c + targetColumns(shape.targets);
}

/**
 * The Gram kernel of a split's pass. 'auto': float32 lanes when every dense column is float32 and the
 * pass costs at least `float32MinWork`, float64 (exact products) otherwise.
 */
export function gramPrecision(
  split: Pick<SplitSize, 'rows' | 'shape' | 'float32'>,
  requested: GramPrecision | 'auto' = 'auto',
  float32MinWork = defaultPlanThresholds.float32MinWork,
): GramPrecision {
  if (requested !== 'auto') return requested;
  return split.float32 && momentPassWork(split) >= float32MinWork ? 'float32' : 'float64';
}

/** Multiply-adds of the output half of the metrics (eigenproblems of size C, p x p x C products). */
export function outputHalfWork(p: number, c: number): number {
  return p * p * c + p * c * c + c * c * c;
}

/** Multiply-adds of all the metrics: the p x p spectrum and the output half. */
export function metricsWork(p: number, c: number): number {
  return p * p * p + outputHalfWork(p, c);
}

/** A shard of one split: rows [start, end). */
export interface RowShard {
  split: 'fit' | 'eval';
  start: number;
  end: number;
  /**
   * Present when two workers share the shard at run time: this one claims chunks from that end
   * (`ShardShare` of shard.ts), and the other shard of the same rows from the other end.
   */
  from?: 'front' | 'back';
}

/** Bounds of the rows a browser shard reads per block. */
export interface ShardBlockOptions {
  /** float64 bytes of one block of rows (all arrays together) */
  blockBytes: number;
  minRows: number;
  maxRows: number;
}

export const defaultShardBlockOptions: ShardBlockOptions = {
  blockBytes: 1 << 25,
  minRows: 256,
  maxRows: 4096,
};

/**
 * Rows per block of a browser shard reading `columns` float64 columns: about `blockBytes` per block,
 * so two workers on a 3,049-column checkpoint hold ~30 MB of rows each rather than the serial
 * 4,096-row 100 MB.
 */
export function shardBlockRows(columns: number, options = defaultShardBlockOptions): number {
  const rows = Math.floor(options.blockBytes / (8 * Math.max(1, columns)));
  return Math.max(options.minRows, Math.min(options.maxRows, rows));
}

/** What the browser's pool is asked to do for one checkpoint. */
export interface PoolPlan {
  /** fit shards first, each split's in row order */
  shards: RowShard[];
  /** per split: the Gram kernel and the rows per block of its shards */
  fit: SplitPass;
  eval: SplitPass | null;
  /** 'halves': the output half of the metrics on a second worker beside the spectrum half */
  metrics: 'whole' | 'halves';
}

/** How the shards of one split accumulate. */
export interface SplitPass {
  precision: GramPrecision;
  chunkRows: number;
}

/** The Gram kernel ('auto', as the serial stream in the browser) and the block rows of a split's shards. */
export function splitPass(split: SplitSize, thresholds = defaultPlanThresholds): SplitPass {
  return {
    precision: gramPrecision(split, 'auto', thresholds.float32MinWork),
    chunkRows: shardBlockRows(split.columns),
  };
}

/** A checkpoint's files, as the browser knows them before opening any. */
export interface FileSize {
  bytes: number;
  /** a binary format whose arrays may be read by row range (a CSV is parsed whole when opened) */
  binary: boolean;
}

/**
 * Whether a checkpoint may be worth sharding across `workers`, judged from its files before a worker
 * opens them: at least two workers, only binary files, and `poolMinBytes` in all.
 */
export function mayShardInPool(
  files: FileSize[],
  workers: number,
  thresholds = defaultPlanThresholds,
): boolean {
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  return workers >= 2 && !smallCheckpoint(bytes, thresholds) && files.every((f) => f.binary);
}

/** A checkpoint whose files hold fewer than `poolMinBytes` in all: one worker takes it whole. */
const smallCheckpoint = (bytes: number, thresholds: Pick<PlanThresholds, 'poolMinBytes'>) =>
  bytes < thresholds.poolMinBytes;

/**
 * Whether the CLI analyses a checkpoint whole on a worker thread, beside the next ones on other
 * threads (thread-checkpoints.ts), judged from its files' bytes: a small checkpoint of a command with
 * several, given two threads or more. A larger one runs alone, with its thread shards and halves.
 */
export function besideOthers(
  bytes: number,
  checkpoints: number,
  threads: number,
  thresholds: Pick<PlanThresholds, 'poolMinBytes'> = defaultPlanThresholds,
): boolean {
  return threads >= 2 && checkpoints >= 2 && smallCheckpoint(bytes, thresholds);
}

/**
 * The browser's plan for a checkpoint whose arrays can be read by row range, or null when one worker
 * should take it whole: less than `poolMinWork` of moment pass. A split whose pass is worth sharding
 * (its work x workers >= poolMinWork) gets a worker per runner of `pairedShards`, workers in pairs
 * sharing a shard at run time as the CLI's threads do; a small one (a short eval split) one shard.
 * The output half of the metrics gets its own worker when it costs `halvesMinWork`.
 */
export function planPoolShards(
  checkpoint: { fit: SplitSize; eval: SplitSize | null },
  workers: number,
  thresholds = defaultPlanThresholds,
): PoolPlan | null {
  const splits = checkpoint.eval ? [checkpoint.fit, checkpoint.eval] : [checkpoint.fit];
  const work = splits.reduce((sum, split) => sum + momentPassWork(split), 0);
  if (workers < 2 || work < thresholds.poolMinWork) return null;
  const shards: RowShard[] = [];
  for (const name of ['fit', 'eval'] as const) {
    const split = checkpoint[name];
    if (!split) continue;
    if (momentPassWork(split) * workers < thresholds.poolMinWork) {
      if (split.rows > 0) shards.push({ split: name, start: 0, end: split.rows });
      continue;
    }
    const chunk = shardBlockRows(split.columns);
    for (const { start, end, runners } of pairedShards(split.rows, workers, chunk)) {
      if (runners === 1) shards.push({ split: name, start, end });
      else shards.push({ split: name, start, end, from: 'front' }, { split: name, start, end, from: 'back' });
    }
  }
  const { p, c } = checkpoint.fit.shape;
  return {
    shards,
    fit: splitPass(checkpoint.fit, thresholds),
    eval: checkpoint.eval ? splitPass(checkpoint.eval, thresholds) : null,
    metrics: outputHalfWork(p, c) >= thresholds.halvesMinWork ? 'halves' : 'whole',
  };
}

/**
 * Most rows a chunk of a thread shard holds: the chunk is the unit two threads share; near the middle
 * of a shared shard the chunks are smaller (`sharedChunkSizes`) (docs/benchmarks.md).
 */
export const THREAD_CHUNK_ROWS = 2048;

/**
 * The chunks of a shard two runners share, their sizes in row order: taken alternately from either
 * end, full chunks while four are left, then a quarter of what is left, no fewer than a quarter chunk
 * (each chunk adds its running sums into the moments once). Runners at similar speeds then meet
 * among the small middle chunks, so the one that ends first waits a small chunk at most. The layout
 * is fixed before the runners start: each chunk's rows, and so its result, are the same whoever
 * takes it.
 */
export function sharedChunkSizes(rows: number, chunkRows: number): number[] {
  const least = Math.max(1, Math.floor(chunkRows / 4));
  const front: number[] = [];
  const back: number[] = [];
  for (let left = rows; left > 0;) {
    const size = Math.min(left, Math.max(least, Math.min(chunkRows, Math.ceil(left / 4))));
    (front.length <= back.length ? front : back).push(size);
    left -= size;
  }
  return front.concat(back.reverse());
}

/** A shard of the CLI's threads; with `runners: 2` two threads share it, taking chunks from either end. */
export interface ThreadShard {
  start: number;
  end: number;
  runners: 1 | 2;
}

export interface ThreadPlan {
  chunkRows: number;
  shards: ThreadShard[];
}

/**
 * The CLI's plan for one split's moment pass on `threads` worker threads, or null to stream it
 * serially: fewer than two threads' worth of chunks, or less than `threadMinWork`. Threads go in
 * pairs (`pairedShards`).
 */
export function planThreadShards(
  split: Pick<SplitSize, 'rows' | 'shape'>,
  threads: number,
  chunkRows: number,
  thresholds: Pick<PlanThresholds, 'threadMinWork'> = defaultPlanThresholds,
): ThreadPlan | null {
  const { rows } = split;
  const chunk = Math.min(chunkRows, THREAD_CHUNK_ROWS);
  const used = Math.min(threads, Math.floor(rows / chunk) || 1);
  if (used < 2 || momentPassWork(split) < thresholds.threadMinWork) return null;
  return { chunkRows: chunk, shards: pairedShards(rows, used, chunk) };
}

/**
 * `rows` for `runners` runners in pairs, each pair sharing one shard at run time (an odd runner out
 * takes a shard alone), so a runner slowed by other work costs the pass little where fixed pieces
 * would wait for the slowest; given a chunk per runner, shard edges fall on chunk multiples, so every
 * chunk but a shard's last is full.
 */
export function pairedShards(rows: number, runners: number, chunk: number): ThreadShard[] {
  const count = Math.ceil(runners / 2);
  // fewer rows than a chunk per runner (the browser's small shards): even edges instead
  const aligned = rows >= runners * chunk;
  const edge = (k: number) =>
    k === count
      ? rows
      : aligned
        ? Math.round((rows * k) / count / chunk) * chunk
        : Math.floor((rows * k) / count);
  const shards: ThreadShard[] = [];
  for (let k = 0; k < count; k++) {
    const [start, end] = [edge(k), edge(k + 1)];
    if (end > start) shards.push({ start, end, runners: 2 * k + 1 === runners ? 1 : 2 });
  }
  return shards;
}

/**
 * Whether the CLI's metrics take a helper thread: it computes the output half while this thread
 * decomposes S_pp, then both share the spectrum's direction blocks, so all the metrics' work counts.
 */
export function metricsOnTwoThreads(
  p: number,
  c: number,
  thresholds: Pick<PlanThresholds, 'halvesMinWork'> = defaultPlanThresholds,
): boolean {
  return metricsWork(p, c) >= thresholds.halvesMinWork;
}
