/**
 * The CLI's moment pass on threads: when every array of a split is a standalone, C-ordered,
 * uncompressed .npy file, the plan (plan.ts `planThreadShards`) cuts its rows into shards, one per
 * pair of threads. This thread is the first runner and worker threads the others, so the pass starts
 * while they start up; a worker thread whose kernel memory is small stays afterwards for the metrics'
 * helper (plan.ts `keepsPassThread`, node-thread.ts). The two runners of a pair take its chunks
 * from either end as they go (so a slower core does less), each reading its rows straight from the
 * files (positional reads, no shared stream) into moments of its own rows, contiguous; the parts
 * merge in row order (docs/method.md §2).
 * Where the two meet depends on their speeds, so the last digits of a result may vary between runs
 * (the merge is exact up to rounding: about 1e-16 of the scatter).
 *
 * Imports Node built-ins: only the CLI uses it, through `AnalyzeOptions.accumulateInThreads`;
 * analyze-checkpoint.ts itself stays browser-safe. Anything it cannot handle (npz members, Fortran
 * order, big-endian data, NaN/Inf rows, small splits) returns null and the serial path runs.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import type { GramPrecision } from '../core/kernels/gram';
import type { Allocate, Moments } from '../core/types';
import { fileStem } from '../io/byte-source';
import { decodeContiguous, type ElementType } from '../io/dtype';
import { readNpyHeader } from '../io/npy';
import type { ArrayReader, ByteSource } from '../io/types';
import { passReaders, type SplitToShard } from './analyze-checkpoint';
import { nodeWorkerAvailable, runNodeWorker, sharedFloat64 } from './node-thread';
import { defaultPlanThresholds, gramPrecision, keepsPassThread, planThreadShards } from './plan';
import { accumulateShard, mergeShards, type ReadShardRows, type ShardResult, type ShardTask } from './shard';

/** One .npy array as a thread reads it: rows start at `offset` bytes, `cols` elements of `type` each. */
export interface NpyArraySpec {
  path: string;
  offset: number;
  cols: number;
  type: ElementType;
}

/** A shard task and the files its rows are read from (features, logits, targets when used, then layers). */
export interface NpyShard {
  task: ShardTask;
  arrays: NpyArraySpec[];
}

export interface ThreadOptions {
  /** threads; default RICHSCOPE_THREADS or os.availableParallelism() */
  threads: number;
  /** a split is sharded from this many multiply-adds (rows x d^2); default plan.ts's */
  minWork: number;
  /**
   * 'auto': the float32-lane Gram kernel when features, logits (and dense targets) are all float32
   * files and the pass costs `float32MinWork` (plan.ts `gramPrecision`), else float64. Default
   * RICHSCOPE_GRAM_PRECISION or 'auto'.
   */
  precision: GramPrecision | 'auto';
  /** with 'auto': the least multiply-adds for float32 lanes; default plan.ts's */
  float32MinWork: number;
  /** 'worker' (worker_threads, the CLI) or 'inline' (the same shards in this thread: tests) */
  backend: 'worker' | 'inline';
  /** the worker threads' script; default the bundled dist-cli/node-worker.mjs */
  workerFile?: string;
}

export const defaultThreadOptions: ThreadOptions = {
  threads: Number(process.env.RICHSCOPE_THREADS) || availableParallelism(),
  minWork: defaultPlanThresholds.threadMinWork,
  precision: (process.env.RICHSCOPE_GRAM_PRECISION as GramPrecision | undefined) ?? 'auto',
  float32MinWork: defaultPlanThresholds.float32MinWork,
  backend: 'worker',
};

/**
 * Bytes per positional read: a chunk's 30 MB read in one piece copies from the page cache about half
 * as fast as in 4 MiB pieces (docs/benchmarks.md).
 */
const READ_BYTES = 4 << 20;

/**
 * Positional reads of a shard's rows from its .npy files into buffers reused chunk after chunk.
 * Native little-endian float32/float64 rows are used in place; anything else is decoded to float64.
 */
function npyRowReader(arrays: NpyArraySpec[], chunkRows: number): { read: ReadShardRows; close(): void } {
  const handles = arrays.map((a) => openSync(a.path, 'r'));
  const buffers = arrays.map((a) => new Uint8Array(chunkRows * a.cols * a.type.size));
  const readBlock = (a: NpyArraySpec, k: number, start: number, rows: number) => {
    const bytes = buffers[k].subarray(0, rows * a.cols * a.type.size);
    const at = a.offset + start * a.cols * a.type.size;
    for (let filled = 0; filled < bytes.length;) {
      const want = Math.min(READ_BYTES, bytes.length - filled);
      const got = readSync(handles[k], bytes, filled, want, at + filled);
      if (got === 0) throw new Error(`${a.path}: file ended before row ${start + rows}`);
      filled += got;
    }
    return typedRows(bytes, a.type, rows * a.cols);
  };
  return {
    read: async (start, rows) => arrays.map((a, k) => readBlock(a, k, start, rows)),
    close: () => handles.forEach((h) => closeSync(h)),
  };
}

function typedRows(bytes: Uint8Array, type: ElementType, count: number): ArrayLike<number> {
  if (type.kind === 'float' && type.littleEndian && bytes.byteOffset % type.size === 0) {
    if (type.size === 4) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    if (type.size === 8) return new Float64Array(bytes.buffer, bytes.byteOffset, count);
  }
  const out = new Float64Array(count);
  decodeContiguous(bytes, type, count, out, 0);
  return out;
}

/**
 * Accumulates one shard in this thread from its .npy files; the moments' arrays come from `allocate`
 * (shared memory in a worker thread, so the merge needs no copy).
 */
export async function accumulateNpyShard(
  { task, arrays }: NpyShard,
  allocate?: Allocate,
): Promise<ShardResult> {
  const reader = npyRowReader(arrays, task.chunkRows);
  try {
    return await accumulateShard(task, reader.read, { allocate });
  } finally {
    reader.close();
  }
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
 * The split's moments from shards on worker threads, or null when the split does not qualify (the
 * caller then runs the serial stream). Equal to the serial result up to rounding (the merge is exact).
 */
export async function accumulateInThreads(
  split: SplitToShard,
  options: ThreadOptions = defaultThreadOptions,
): Promise<Moments | null> {
  if (split.dropNonFinite) return null;
  const { size } = split;
  const plan = planThreadShards(size, options.threads, split.chunkRows, { threadMinWork: options.minWork });
  if (!plan) return null;
  if (options.backend === 'worker' && !nodeWorkerAvailable(options.workerFile)) return null;
  const arrays: NpyArraySpec[] = [];
  for (const reader of passReaders(split.arrays, split.split)) {
    const spec = await npySpec(reader, split.arrays.sources);
    if (!spec) return null;
    arrays.push(spec);
  }
  const task = {
    split: split.split,
    shape: size.shape,
    precision: gramPrecision(size, options.precision, options.float32MinWork),
    chunkRows: plan.chunkRows,
    groups: split.groups,
  };
  const shards: NpyShard[] = plan.shards.flatMap(({ start, end, runners }) => {
    if (runners === 1) return [{ task: { ...task, start, end }, arrays }];
    const claims = new Int32Array(new SharedArrayBuffer(4));
    return (['front', 'back'] as const).map((from) => ({
      task: { ...task, start, end, share: { claims, from } },
      arrays,
    }));
  });
  // worker threads for every shard but the first, which this thread runs while they start up, in
  // shared memory like theirs
  const onThreads = options.backend === 'worker';
  const threads = shards.map((shard, k) =>
    onThreads && k > 0
      ? runNodeWorker<ShardResult>(
          { kind: 'shard', ...shard },
          options.workerFile,
          keepsPassThread(size.shape),
        )
      : null,
  );
  const results = await Promise.all(
    shards.map((shard, k) => threads[k] ?? accumulateNpyShard(shard, onThreads ? sharedFloat64 : undefined)),
  );
  const parts = results.flatMap((result) => (result.kind === 'moments' ? [result.moments] : []));
  if (parts.length !== results.length) return null;
  // in row order (a pair's front part, then its back part), merged into the first part, which worker
  // threads return in shared memory: no copy, and the metrics' helper thread (thread-halves.ts) reads
  // the result without one either
  return mergeShards(parts, 'into-first');
}
