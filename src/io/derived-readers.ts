/**
 * Readers made from other readers or from values: per-batch parts read as one array, a Python number
 * as a 0-d array, and one-hot label matrices read as class indices. Each keeps the ArrayReader
 * contract (blocks of exactly `chunkRows` rows but the last; row ranges where its parts have them).
 */
import { throwIfAborted } from './byte-source';
import { InputError, type ArrayReader } from './types';

function checkChunkRows(source: string, chunkRows: number): void {
  if (!Number.isInteger(chunkRows) || chunkRows < 1)
    throw new InputError(source, `chunkRows must be a positive integer, got ${chunkRows}`);
}

/**
 * Rows [start, end) of the parts laid end to end, re-cut into blocks of `chunkRows` rows. `range`
 * reads rows of one part (its own row numbers).
 */
async function* concatenatedRange(
  parts: ArrayReader[],
  cols: number,
  start: number,
  end: number,
  chunkRows: number,
  range: (part: ArrayReader, from: number, to: number) => AsyncIterable<Float64Array>,
  signal?: AbortSignal,
): AsyncGenerator<Float64Array> {
  let block = new Float64Array(Math.min(chunkRows, end - start) * cols);
  let filled = 0; // rows in block
  let done = start;
  let first = 0; // row number of parts[k]'s row 0
  for (const part of parts) {
    const from = Math.max(start, first) - first;
    const to = Math.min(end, first + part.rows) - first;
    first += part.rows;
    if (to <= from) continue;
    for await (const piece of range(part, from, to)) {
      throwIfAborted(signal);
      let at = 0;
      while (at < piece.length) {
        const take = Math.min(piece.length - at, block.length - filled * cols);
        block.set(piece.subarray(at, at + take), filled * cols);
        at += take;
        filled += take / cols;
        if (filled * cols === block.length) {
          yield block;
          done += filled;
          filled = 0;
          block = new Float64Array(Math.min(chunkRows, end - done) * cols);
        }
      }
    }
  }
}

/**
 * The parts (one per batch, in order) as one array of their rows. Every part must have the same
 * trailing shape; the dtype is the parts' when they agree.
 */
export function concatRows(source: string, key: string, parts: ArrayReader[]): ArrayReader {
  const [head] = parts;
  const trailing = head.shape.slice(1);
  parts.forEach((part, i) => {
    if (part.shape.length === 0 || part.shape.slice(1).join() !== trailing.join()) {
      throw new InputError(
        source,
        `${key}: batch ${i} has shape (${part.shape.join(', ')}) where batch 0 has (${head.shape.join(', ')}); every batch must have the same columns`,
      );
    }
  });
  const rows = parts.reduce((sum, part) => sum + part.rows, 0);
  const { cols } = head;
  const dtypes = [...new Set(parts.map((part) => part.dtype))];
  const readRange = (start: number, end: number, chunkRows: number, signal?: AbortSignal, ranged = false) => {
    checkChunkRows(source, chunkRows);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > rows)
      throw new InputError(source, `${key}: row range ${start}..${end} lies outside rows 0..${rows}`);
    return concatenatedRange(
      parts,
      cols,
      start,
      end,
      chunkRows,
      // read whole (readRows covers every row), each part is read whole
      (part, from, to) =>
        ranged ? part.readRowRange!(from, to, chunkRows, signal) : part.readRows(chunkRows, signal),
      signal,
    );
  };
  const reader: ArrayReader = {
    key,
    shape: [rows, ...trailing],
    dtype: dtypes.length === 1 ? dtypes[0] : `mixed ${dtypes.join('/')}`,
    integer: parts.every((part) => part.integer),
    rows,
    cols,
    readRows: (chunkRows, signal) => readRange(0, rows, chunkRows, signal),
  };
  if (parts.every((part) => part.readRowRange))
    reader.readRowRange = (start, end, chunkRows, signal) => readRange(start, end, chunkRows, signal, true);
  return reader;
}

/** A Python number saved beside the arrays, as a 0-d array. */
export function scalarReader(key: string, value: number): ArrayReader {
  const integer = Number.isInteger(value);
  return {
    key,
    shape: [],
    dtype: integer ? 'int64' : 'float64',
    integer,
    rows: 1,
    cols: 1,
    async *readRows() {
      yield Float64Array.of(value);
    },
  };
}

/** Rows looked at to tell an indicator matrix from other arrays before reading it as labels. */
export const INDICATOR_SAMPLE_ROWS = 256;

/** True when every row of the block (`cols` wide) holds one 1 and zeros elsewhere. */
export function isIndicatorBlock(block: Float64Array, cols: number): boolean {
  for (let i = 0; i < block.length; i += cols) {
    let ones = 0;
    for (let j = i; j < i + cols; j++) {
      const v = block[j];
      if (v === 1) ones++;
      else if (v !== 0) return false;
    }
    if (ones !== 1) return false;
  }
  return true;
}

/**
 * True when the first rows of a 2-D array are one-hot (exactly one 1 per row, zeros elsewhere):
 * the array then holds labels as an indicator matrix.
 */
export async function looksLikeIndicator(reader: ArrayReader, signal?: AbortSignal): Promise<boolean> {
  if (reader.shape.length !== 2 || reader.cols < 2 || reader.rows === 0) return false;
  const sample = Math.min(reader.rows, INDICATOR_SAMPLE_ROWS);
  const rows = reader.readRowRange
    ? reader.readRowRange(0, sample, sample, signal)
    : reader.readRows(sample, signal);
  for await (const block of rows) return isIndicatorBlock(block, reader.cols);
  return false;
}

/**
 * An (n, C) one-hot matrix read as n class indices (the column of each row's 1). A row that is not
 * one-hot is refused when it is reached, with its row number.
 */
export function classIndexReader(source: string, matrix: ArrayReader): ArrayReader {
  const { cols } = matrix;
  async function* indices(blocks: AsyncIterable<Float64Array>, first: number) {
    let row = first;
    for await (const block of blocks) {
      const out = new Float64Array(block.length / cols);
      for (let i = 0; i < out.length; i++) {
        const values = block.subarray(i * cols, (i + 1) * cols);
        if (!isIndicatorBlock(values, cols)) {
          throw new InputError(
            source,
            `${matrix.key}: row ${row + i} is not one-hot (one 1, zeros elsewhere) although the first rows are; save class indices (labels.argmax(1)) or dense targets under another name`,
          );
        }
        out[i] = values.indexOf(1);
      }
      row += out.length;
      yield out;
    }
  }
  const reader: ArrayReader = {
    key: matrix.key,
    shape: [matrix.rows],
    dtype: `class index (one-hot ${matrix.dtype})`,
    integer: true,
    rows: matrix.rows,
    cols: 1,
    readRows: (chunkRows, signal) => indices(matrix.readRows(chunkRows, signal), 0),
  };
  if (matrix.readRowRange) {
    const range = matrix.readRowRange.bind(matrix);
    reader.readRowRange = (start, end, chunkRows, signal) =>
      indices(range(start, end, chunkRows, signal), start);
  }
  return reader;
}
