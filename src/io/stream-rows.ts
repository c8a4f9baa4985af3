/**
 * Several arrays of one split read in lockstep (the same rows of features, logits and labels),
 * with NaN/Inf detection: refuse with a count and the first row, or drop those rows.
 */
import { throwIfAborted } from './byte-source';
import { recycleRowBlock } from './row-blocks';
import { InputError, type ArrayReader } from './types';

export interface ZipRowsOptions {
  /** 'error': read everything, then throw with the count and first row; 'drop': skip such rows; 'keep': pass them */
  nonFinite: 'error' | 'drop' | 'keep';
  /** shown in messages (the file or checkpoint) */
  source: string;
  /**
   * The consumer keeps nothing of a block once it asks for the next, so the blocks go back to the
   * readers for reuse (row-blocks.ts).
   */
  recycle?: boolean;
}

export const defaultZipRowsOptions: ZipRowsOptions = { nonFinite: 'error', source: 'input' };

export interface NonFiniteCount {
  count: number;
  /** global row index (0-based) of the first non-finite value, or -1 */
  firstRow: number;
}

/**
 * Whether every value is finite: x * 0 is +-0 for a finite x and NaN for NaN and +-Inf. Four sums
 * rather than one, so that the additions do not wait on each other (the whole pass reads every value
 * of every file this way).
 */
function allFinite(block: Float64Array): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (const end = block.length - 3; i < end; i += 4) {
    a += block[i] * 0;
    b += block[i + 1] * 0;
    c += block[i + 2] * 0;
    d += block[i + 3] * 0;
  }
  for (; i < block.length; i++) a += block[i] * 0;
  return a + b + c + d === 0;
}

/** Counts NaN/Inf values of a row-major block whose first row is `rowOffset`. */
export function countNonFinite(block: Float64Array, cols: number, rowOffset: number): NonFiniteCount {
  if (allFinite(block)) return { count: 0, firstRow: -1 };
  let count = 0;
  let firstRow = -1;
  for (let i = 0; i < block.length; i++) {
    if (!Number.isFinite(block[i])) {
      if (firstRow < 0) firstRow = rowOffset + Math.floor(i / Math.max(1, cols));
      count++;
    }
  }
  return { count, firstRow };
}

/** 'features: 3 NaN/Inf values, first in row 17; fix the file, or drop those rows with --drop-nonfinite (CLI)' */
export function nonFiniteMessage(key: string, found: NonFiniteCount): string {
  const values = found.count === 1 ? 'NaN/Inf value' : 'NaN/Inf values';
  return `${key}: ${found.count} ${values}, first in row ${found.firstRow}; fix the file, or drop those rows with --drop-nonfinite (CLI)`;
}

/** Accumulates counts over blocks of one array. */
export class NonFiniteTracker {
  count = 0;
  firstRow = -1;
  add(block: Float64Array, cols: number, rowOffset: number): void {
    const found = countNonFinite(block, cols, rowOffset);
    if (found.count > 0 && this.firstRow < 0) this.firstRow = found.firstRow;
    this.count += found.count;
  }
}

/** Summary of a finished `zipRows` pass, filled in as it goes. */
export interface ZipRowsStats {
  rowsRead: number;
  rowsDropped: number;
  /** per array key */
  nonFinite: Map<string, NonFiniteCount>;
  /** whether the block last yielded holds a NaN or an Inf (with nonFinite 'error'; 'drop' yields none) */
  blockNonFinite?: boolean;
}

/**
 * Yields aligned blocks [block of readers[0], block of readers[1], ...], each `chunkRows` rows
 * (fewer at the end, or after dropping). With nonFinite 'error', the error comes after the last
 * block, so its message has the full count; consumers discard what they accumulated.
 */
export async function* zipRows(
  readers: ArrayReader[],
  chunkRows: number,
  signal?: AbortSignal,
  options: ZipRowsOptions = defaultZipRowsOptions,
  stats: ZipRowsStats = { rowsRead: 0, rowsDropped: 0, nonFinite: new Map() },
): AsyncGenerator<Float64Array[]> {
  if (readers.length === 0) return;
  const rows = readers[0].rows;
  for (const r of readers) {
    if (r.rows !== rows) {
      throw new InputError(
        options.source,
        `row counts differ: ${readers[0].key} has ${rows} rows but ${r.key} has ${r.rows}`,
      );
    }
  }
  const iterators = readers.map((r) => r.readRows(chunkRows, signal)[Symbol.asyncIterator]());
  const trackers = readers.map(() => new NonFiniteTracker());
  let offset = 0;
  try {
    while (offset < rows) {
      throwIfAborted(signal);
      const results = await Promise.all(iterators.map((it) => it.next()));
      if (results.some((r) => r.done))
        throw new InputError(options.source, `an array ended before row ${rows}`);
      const blocks = results.map((r) => r.value as Float64Array);
      const count = blocks[0].length / Math.max(1, readers[0].cols);
      const before = trackers.reduce((sum, t) => sum + t.count, 0);
      blocks.forEach((b, k) => trackers[k].add(b, readers[k].cols, offset));
      const blockHasNonFinite = trackers.reduce((sum, t) => sum + t.count, 0) > before;
      if (options.nonFinite === 'drop' && blockHasNonFinite) {
        const keep: number[] = [];
        for (let i = 0; i < count; i++) {
          const finite = blocks.every((b, k) => {
            const cols = readers[k].cols;
            for (let j = 0; j < cols; j++) if (!Number.isFinite(b[i * cols + j])) return false;
            return true;
          });
          if (finite) keep.push(i);
        }
        if (keep.length < count) {
          stats.rowsDropped += count - keep.length;
          const kept = blocks.map((b, k) => {
            const cols = readers[k].cols;
            const out = new Float64Array(keep.length * cols);
            keep.forEach((i, at) => out.set(b.subarray(i * cols, (i + 1) * cols), at * cols));
            return out;
          });
          offset += count;
          stats.rowsRead += count;
          stats.blockNonFinite = false;
          if (keep.length > 0) yield kept;
          if (options.recycle) [...blocks, ...kept].forEach(recycleRowBlock);
          continue;
        }
      }
      offset += count;
      stats.rowsRead += count;
      stats.blockNonFinite = blockHasNonFinite;
      yield blocks;
      if (options.recycle) blocks.forEach(recycleRowBlock);
    }
  } finally {
    readers.forEach((r, k) => {
      if (trackers[k].count > 0)
        stats.nonFinite.set(r.key, { count: trackers[k].count, firstRow: trackers[k].firstRow });
    });
    await Promise.all(iterators.map((it) => it.return?.()));
  }
  if (options.nonFinite === 'error') {
    const bad = readers.findIndex((_, k) => trackers[k].count > 0);
    if (bad >= 0) {
      throw new InputError(
        options.source,
        nonFiniteMessage(readers[bad].key, { count: trackers[bad].count, firstRow: trackers[bad].firstRow }),
      );
    }
  }
}
