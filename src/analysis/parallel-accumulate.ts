/**
 * Node-only parallel moment pass (issue 6): when every array of a split is a standalone, C-ordered,
 * uncompressed .npy file, the rows are cut into contiguous ranges, one per pair of worker threads.
 * The two threads of a pair take its chunks from either end as they go (so a slower core does less),
 * each reading its rows straight from the files (positional reads, no shared stream) into moments of
 * its own rows, contiguous; the partial moments are combined with `mergeMomentsInto` (METHOD.md §2),
 * in row order. Where the two meet depends on their speeds, so the last digits of a result may vary
 * between runs (the merge is exact up to rounding: about 1e-16 of the scatter).
 *
 * Imports Node built-ins: only the CLI uses it, through `AnalyzeOptions.accumulateInParallel`;
 * analyze-checkpoint.ts itself stays browser-safe. Anything it cannot handle (npz members, Fortran
 * order, big-endian data, NaN/Inf rows, small splits) returns null and the serial path runs.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import type { GramPrecision } from '../core/kernels/gram';
import { createMomentAccumulator, mergeMomentsInto, type TargetShape } from '../core/moments';
import type { Allocate, Moments } from '../core/types';
import { fileStem } from '../io/byte-source';
import { decodeContiguous, type ElementType } from '../io/dtype';
import { readNpyHeader } from '../io/npy';
import type { ArrayReader, ByteSource } from '../io/types';
import { addFiniteRows } from './add-finite-rows';
import { nodeWorkerAvailable, runNodeWorker } from './node-thread';

/** One .npy array as a worker reads it: rows start at `offset` bytes, `cols` elements of `type` each. */
export interface NpyArraySpec {
  path: string;
  offset: number;
  cols: number;
  type: ElementType;
}

/** Everything a worker needs to accumulate rows [start, end) of one split. */
export interface RangeTask {
  features: NpyArraySpec;
  logits: NpyArraySpec;
  /** labels (one-hot) or dense targets; null without targets */
  targets: NpyArraySpec | null;
  shape: { p: number; c: number; targets: TargetShape };
  start: number;
  end: number;
  /**
   * Two threads sharing the range: each claims one chunk at a time (claims[0] counts them), one
   * from the front of the range and one from the back, until every chunk is claimed. The faster
   * thread takes more chunks and each thread's rows stay contiguous, so the two results merge in
   * row order. Absent: this thread takes every chunk of the range.
   */
  share?: { claims: Int32Array; from: 'front' | 'back' };
  chunkRows: number;
  /** Gram kernel precision (src/core/moments.ts MomentAccumulatorOptions) */
  precision: GramPrecision;
}

/** A range's moments, or 'non-finite' when a NaN/Inf was met (the serial path then reports or drops it). */
export type RangeResult = { kind: 'moments'; moments: Moments } | { kind: 'non-finite' };

export interface ParallelSplit {
  sources: ByteSource[];
  features: ArrayReader;
  logits: ArrayReader;
  /** labels or dense targets reader, null when the split has none */
  targets: ArrayReader | null;
  shape: { p: number; c: number; targets: TargetShape };
  chunkRows: number;
  /** rows holding NaN/Inf are to be dropped: the parallel path then declines */
  dropNonFinite: boolean;
}

export interface ParallelOptions {
  /** threads; default RICHSCOPE_THREADS or os.availableParallelism() */
  threads: number;
  /** below this many multiply-adds (rows x d^2) one thread is cheaper than starting workers */
  minWork: number;
  /** 'worker' (worker_threads, the CLI) or 'inline' (same ranges in this thread: tests) */
  backend: 'worker' | 'inline';
  /** the worker threads' script; default the bundled dist-cli/node-worker.mjs */
  workerFile?: string;
  /**
   * 'auto': the float32-lane Gram kernel when features, logits (and dense targets) are all float32
   * files (Gram relative error 1e-8 to 6e-8, docs/benchmarks.md), else float64. Default
   * RICHSCOPE_GRAM_PRECISION or 'auto'.
   */
  precision: GramPrecision | 'auto';
}

export const defaultParallelOptions: ParallelOptions = {
  threads: Number(process.env.RICHSCOPE_THREADS) || availableParallelism(),
  minWork: 5e9,
  backend: 'worker',
  precision: (process.env.RICHSCOPE_GRAM_PRECISION as GramPrecision | undefined) ?? 'auto',
};

/**
 * Bytes per positional read: a chunk's 30 MB in one read copies about half as fast from the page
 * cache as in 4 MiB pieces (5 against 10 GB/s here).
 */
const READ_BYTES = 4 << 20;

/**
 * At most this many rows a chunk in the parallel pass: the chunk is the unit two threads share, and
 * at 2,048 rows of the L benchmark (0.2 s of work) the slower thread finishes at most that much later.
 * Measured on L: 8.0 to 8.1 s against 8.15 to 8.2 s with 4,096-row chunks.
 */
const SHARED_CHUNK_ROWS = 2048;

/**
 * Accumulates rows [task.start, task.end) of the .npy files of a task in this thread; the moments'
 * arrays come from `allocate` (shared memory in a worker thread, so the merge needs no copy).
 */
export function accumulateRange(task: RangeTask, allocate?: Allocate): RangeResult {
  const { features, logits, targets, shape } = task;
  const accumulator = createMomentAccumulator(shape, { precision: task.precision });
  const arrays = targets ? [features, logits, targets] : [features, logits];
  const handles = arrays.map((a) => openSync(a.path, 'r'));
  try {
    const buffers = arrays.map((a) => new Uint8Array(task.chunkRows * a.cols * a.type.size));
    const chunks = Math.ceil((task.end - task.start) / task.chunkRows);
    for (let taken = 0; taken < chunks; taken++) {
      const { share } = task;
      if (share && Atomics.add(share.claims, 0, 1) >= chunks) break;
      const index = share?.from === 'back' ? chunks - 1 - taken : taken;
      const start = task.start + index * task.chunkRows;
      const rows = Math.min(task.chunkRows, task.end - start);
      const blocks = arrays.map((a, k) => {
        const bytes = buffers[k].subarray(0, rows * a.cols * a.type.size);
        let filled = 0;
        const at = a.offset + start * a.cols * a.type.size;
        while (filled < bytes.length) {
          const want = Math.min(READ_BYTES, bytes.length - filled);
          const got = readSync(handles[k], bytes, filled, want, at + filled);
          if (got === 0) throw new Error(`${a.path}: file ended before row ${task.end}`);
          filled += got;
        }
        return typedRows(bytes, a.type, rows * a.cols);
      });
      if (!addFiniteRows(accumulator, shape, rows, blocks)) return { kind: 'non-finite' };
    }
  } finally {
    handles.forEach((h) => closeSync(h));
  }
  return { kind: 'moments', moments: accumulator.result(allocate) };
}

/** Native little-endian float32/float64 rows are used in place; anything else is decoded to float64. */
function typedRows(bytes: Uint8Array, type: ElementType, count: number): ArrayLike<number> {
  if (type.kind === 'float' && type.littleEndian && bytes.byteOffset % type.size === 0) {
    if (type.size === 4) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    if (type.size === 8) return new Float64Array(bytes.buffer, bytes.byteOffset, count);
  }
  const out = new Float64Array(count);
  decodeContiguous(bytes, type, count, out, 0);
  return out;
}

/** The .npy spec of a reader when it is a whole standalone C-ordered file among `sources`, else null. */
async function npySpec(reader: ArrayReader, sources: ByteSource[]): Promise<NpyArraySpec | null> {
  const matches = sources.filter((s) => /\.npy$/i.test(s.name) && fileStem(s.name) === reader.key);
  if (matches.length !== 1) return null;
  const source = matches[0];
  // the CLI names each source by its path (src/cli/main.ts)
  const path = source.name;
  if (!existsSync(path) || statSync(path).size !== source.size) return null;
  const header = await readNpyHeader(source);
  if (header.fortranOrder || !header.type.littleEndian || header.type.size > 8) return null;
  const cols = header.shape.slice(1).reduce((a, b) => a * b, 1);
  if (header.shape.length === 0 || header.shape[0] !== reader.rows || cols !== reader.cols) return null;
  return { path, offset: header.dataOffset, cols, type: header.type };
}

/**
 * The split's moments from parallel row ranges, or null when the split does not qualify (the caller
 * then runs the serial stream). Equal to the serial result up to rounding (mergeMoments is exact).
 */
export async function accumulateInParallel(
  split: ParallelSplit,
  options: ParallelOptions = defaultParallelOptions,
): Promise<Moments | null> {
  if (split.dropNonFinite) return null;
  const rows = split.features.rows;
  const d = split.features.cols + split.logits.cols;
  const chunkRows = Math.min(split.chunkRows, SHARED_CHUNK_ROWS);
  const threads = Math.min(options.threads, Math.floor(rows / chunkRows) || 1);
  if (threads < 2 || rows * d * d < options.minWork) return null;
  if (options.backend === 'worker' && !nodeWorkerAvailable(options.workerFile)) return null;
  const features = await npySpec(split.features, split.sources);
  const logits = await npySpec(split.logits, split.sources);
  const targets = split.targets ? await npySpec(split.targets, split.sources) : null;
  if (!features || !logits || (split.targets && !targets)) return null;
  const float32 = (spec: NpyArraySpec | null) =>
    spec === null || (spec.type.kind === 'float' && spec.type.size === 4);
  const precision: GramPrecision =
    options.precision !== 'auto'
      ? options.precision
      : float32(features) && float32(logits) && (split.shape.targets.kind !== 'dense' || float32(targets))
        ? 'float32'
        : 'float64';
  // threads go in pairs, each pair sharing one range at run time (RangeTask.share): a core slowed by
  // other work then costs the pass little, where fixed halves would wait for the slower thread
  const tasks: RangeTask[] = [];
  const ranges = Math.ceil(threads / 2);
  for (let r = 0; r < ranges; r++) {
    // range boundaries on chunk multiples keep every chunk but the last full
    const start = Math.round((rows * r) / ranges / chunkRows) * chunkRows;
    const end = r === ranges - 1 ? rows : Math.round((rows * (r + 1)) / ranges / chunkRows) * chunkRows;
    if (end <= start) continue;
    const task = {
      features,
      logits,
      targets,
      shape: split.shape,
      start,
      end,
      chunkRows,
      precision,
    };
    if (2 * r + 1 === threads) tasks.push(task);
    else {
      const claims = new Int32Array(new SharedArrayBuffer(4));
      tasks.push({ ...task, share: { claims, from: 'front' } }, { ...task, share: { claims, from: 'back' } });
    }
  }
  const results = await Promise.all(
    tasks.map((task) =>
      options.backend === 'inline'
        ? Promise.resolve(accumulateRange(task))
        : runNodeWorker<RangeResult>({ kind: 'range', ...task }, options.workerFile),
    ),
  );
  const parts = results.flatMap((result) => (result.kind === 'moments' ? [result.moments] : []));
  if (parts.length !== results.length) return null;
  // in row order (a pair's front part, then its back part); merged in place into the first part,
  // which worker threads return in shared memory: no copy, and the metrics' helper thread
  // (parallel-analyze.ts) reads the result without one either
  return mergeMomentsInto(parts[0], ...parts.slice(1));
}
