/**
 * One row reader for every binary layout: C-contiguous npy data, Fortran-order npy, torch views
 * with arbitrary strides and storage offsets. Rows are read a chunk at a time with bounded reads,
 * never the whole array.
 */
import { readExact, throwIfAborted, viewOf } from './byte-source';
import { recycleRowBlock, takeRowBlock } from './row-blocks';
import {
  decodeContiguous,
  elementDecoder,
  isIntegerType,
  isNativeFloat,
  nativeFloatView,
  type ElementType,
} from './dtype';
import { InputError, type ArrayReader, type ByteSource } from './types';

/** Where the elements of an array live in a byte source. Shapes and strides count elements. */
export interface StridedLayout {
  /** byte offset in the source of storage element 0 */
  base: number;
  type: ElementType;
  /** original shape; rows = shape[0], a 0-d array is one row of one column */
  shape: number[];
  /** element strides, one per dimension (C order: [p, 1] for an n x p array) */
  strides: number[];
  /** storage element of index [0, 0, ...] */
  offset: number;
}

export interface StridedReadOptions {
  /** a chunk may be fetched with one read when its byte span is at most this many chunk buffers */
  windowChunks: number;
  /** ... or at most this many bytes, whichever is larger (small arrays: one read) */
  minWindowBytes: number;
  /**
   * Sequential sources (deflated members) with a non-contiguous layout are read this many bytes
   * of decoded rows at a time, then handed out chunk by chunk: each block is one forward pass.
   */
  sequentialBlockBytes: number;
}

export const defaultStridedReadOptions: StridedReadOptions = {
  windowChunks: 4,
  minWindowBytes: 1 << 20,
  sequentialBlockBytes: 1 << 26,
};

export function contiguousStrides(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d];
  }
  return strides;
}

export function fortranStrides(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = 0; d < shape.length; d++) {
    strides[d] = step;
    step *= shape[d];
  }
  return strides;
}

export function product(values: number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

/** rows x cols of a shape: (n,) -> n x 1, (n, a, b) -> n x ab, () -> 1 x 1. */
export function rowsAndCols(shape: number[]): { rows: number; cols: number } {
  if (shape.length === 0) return { rows: 1, cols: 1 };
  return { rows: shape[0], cols: product(shape.slice(1)) };
}

/** The '(1347, 3, 8, 8) flattened to (1347, 192)' note, or null for shapes of rank <= 2. */
export function flattenNote(key: string, shape: number[]): string | null {
  if (shape.length <= 2) return null;
  const { rows, cols } = rowsAndCols(shape);
  return `${key} (${shape.join(', ')}) flattened to (${rows}, ${cols})`;
}

/** Storage elements touched by the layout are [offset, offset + span): for bounds checks. */
export function layoutSpan(layout: StridedLayout): number {
  if (layout.shape.some((s) => s === 0)) return 0;
  return layout.shape.reduce((acc, s, d) => acc + (s - 1) * layout.strides[d], 0) + 1;
}

/**
 * The largest extent (product of the non-zero dimensions) an array without elements may claim: it
 * has no bytes to check its shape against, and a (0, 10^15) would still size a row of offsets.
 */
const MAX_EMPTY_EXTENT = 2 ** 24;

/**
 * Refuses layouts whose shape is not backed by distinct elements: an empty array claiming a vast
 * extent, or a view whose elements overlap (expand(), as_strided): both would let a few bytes stand
 * for any number of rows and columns.
 */
function checkLayout(source: string, key: string, layout: StridedLayout): void {
  const { shape } = layout;
  const shown = `(${shape.join(', ')})`;
  if (!shape.every((s) => Number.isSafeInteger(s) && s >= 0))
    throw new InputError(source, `${key}: malformed shape ${shown}`);
  const elements = product(shape);
  if (elements === 0) {
    if (product(shape.filter((s) => s > 0)) > MAX_EMPTY_EXTENT)
      throw new InputError(source, `${key}: shape ${shown} holds no elements yet claims a vast extent`);
    return;
  }
  if (elements > layoutSpan(layout)) {
    throw new InputError(
      source,
      `${key}: shape ${shown} is an expanded or overlapping view (strides ${layout.strides.join(', ')}): its ${elements} elements are not all in the file; save x.contiguous() instead`,
    );
  }
}

/**
 * An ArrayReader over `layout` in `src`. The caller has already checked that every element the
 * layout addresses lies inside the source; this checks that the shape is backed by that many
 * distinct elements.
 */
export function stridedArrayReader(
  src: ByteSource,
  key: string,
  layout: StridedLayout,
  options: StridedReadOptions = defaultStridedReadOptions,
): ArrayReader {
  checkLayout(src.name, key, layout);
  const { rows, cols } = rowsAndCols(layout.shape);
  const { type } = layout;
  const size = type.size;
  const rowStride = layout.shape.length === 0 ? 0 : layout.strides[0];
  // storage offset of each flattened column of a row, in C order of the trailing dimensions
  const colOffsets = new Float64Array(cols);
  const inner = layout.shape.slice(1);
  const innerStrides = layout.strides.slice(1);
  for (let j = 0; j < cols; j++) {
    let rest = j;
    let offset = 0;
    for (let d = inner.length - 1; d >= 0; d--) {
      offset += (rest % inner[d]) * innerStrides[d];
      rest = Math.floor(rest / inner[d]);
    }
    colOffsets[j] = offset;
  }
  let minCol = Infinity;
  let maxCol = -Infinity;
  for (const c of colOffsets) {
    minCol = Math.min(minCol, c);
    maxCol = Math.max(maxCol, c);
  }
  const contiguous =
    layout.shape.length <= 1
      ? rowStride === 1 || rows <= 1
      : contiguousStrides(layout.shape).every((s, d) => s === layout.strides[d] || layout.shape[d] === 1);
  // columns in storage order, so a sequential (inflating) source is read forwards
  const colOrder = Array.from({ length: cols }, (_, j) => j).sort((a, b) => colOffsets[a] - colOffsets[b]);
  const decode = elementDecoder(type);

  /** The bytes of rows [r0, r0 + count) of a contiguous array. */
  const contiguousBytes = (r0: number, count: number) =>
    readExact(src, layout.base + (layout.offset + r0 * rowStride) * size, count * cols * size, key);

  /**
   * The next block's bytes, already asked for: a contiguous array in a random-access source reads
   * block k + 1 while block k is decoded and used, so a worker's reads of a dropped file (a round
   * trip to the browser's file system each) overlap its computation instead of stalling it.
   */
  let ahead: { r0: number; count: number; bytes: Promise<Uint8Array> } | null = null;
  const prefetch = contiguous && !src.sequential;

  async function readChunk(r0: number, count: number, out: Float64Array, next?: number): Promise<void> {
    const first = layout.offset + r0 * rowStride;
    if (contiguous) {
      const bytes =
        ahead?.r0 === r0 && ahead.count === count ? await ahead.bytes : await contiguousBytes(r0, count);
      ahead = null;
      if (prefetch && next !== undefined && next > 0) {
        const bytes = contiguousBytes(r0 + count, next);
        // a read nobody awaits (the consumer stopped) must not be an unhandled rejection
        bytes.catch(() => undefined);
        ahead = { r0: r0 + count, count: next, bytes };
      }
      decodeContiguous(bytes, type, count * cols, out, 0);
      return;
    }
    const budget = Math.max(options.minWindowBytes, options.windowChunks * count * cols * size);
    const spanElements = (count - 1) * rowStride + (maxCol - minCol) + 1;
    // a sequential source gets big blocks; one window over all of them would hold the whole array
    if (spanElements * size <= (src.sequential ? options.minWindowBytes : budget)) {
      const start = first + minCol;
      const view = viewOf(await readExact(src, layout.base + start * size, spanElements * size, key));
      for (let i = 0; i < count; i++) {
        const rowAt = i * rowStride - minCol;
        for (let j = 0; j < cols; j++) out[i * cols + j] = decode(view, (rowAt + colOffsets[j]) * size);
      }
      return;
    }
    const columnElements = (count - 1) * rowStride + 1;
    if (columnElements * size <= budget) {
      // Fortran order and transposed views: each column of the chunk is one short read
      for (const j of colOrder) {
        const start = first + colOffsets[j];
        const view = viewOf(await readExact(src, layout.base + start * size, columnElements * size, key));
        for (let i = 0; i < count; i++) out[i * cols + j] = decode(view, i * rowStride * size);
      }
      return;
    }
    const rowElements = maxCol - minCol + 1;
    if (rowElements * size <= budget) {
      for (let i = 0; i < count; i++) {
        const start = first + i * rowStride + minCol;
        const view = viewOf(await readExact(src, layout.base + start * size, rowElements * size, key));
        for (let j = 0; j < cols; j++) out[i * cols + j] = decode(view, (colOffsets[j] - minCol) * size);
      }
      return;
    }
    // pathological strides (rows and columns both far apart): one read per element
    for (let i = 0; i < count; i++) {
      for (const j of colOrder) {
        const at = layout.base + (first + i * rowStride + colOffsets[j]) * size;
        out[i * cols + j] = decode(viewOf(await readExact(src, at, size, key)), 0);
      }
    }
  }

  function checkRange(start: number, end: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > rows) {
      throw new InputError(src.name, `${key}: row range ${start}..${end} lies outside rows 0..${rows}`);
    }
  }

  async function* readRange(start: number, end: number, chunkRows: number, signal?: AbortSignal) {
    if (!Number.isInteger(chunkRows) || chunkRows < 1) {
      throw new InputError(src.name, `chunkRows must be a positive integer, got ${chunkRows}`);
    }
    checkRange(start, end);
    // a Fortran array in a deflated member: every block restarts the inflater, so make blocks big
    const blockRows =
      src.sequential && !contiguous && cols > 0
        ? Math.max(1, Math.floor(options.sequentialBlockBytes / (cols * 8 * chunkRows))) * chunkRows
        : chunkRows;
    for (let b0 = start; b0 < end; b0 += blockRows) {
      throwIfAborted(signal);
      const blockCount = Math.min(blockRows, end - b0);
      // every element is written by readChunk, so a reused block needs no zeroing
      const block = takeRowBlock(blockCount * cols);
      if (cols > 0) await readChunk(b0, blockCount, block, Math.min(blockRows, end - b0 - blockCount));
      if (blockRows === chunkRows) {
        yield block;
        continue;
      }
      for (let r0 = 0; r0 < blockCount; r0 += chunkRows) {
        throwIfAborted(signal);
        yield block.slice(r0 * cols, Math.min(blockCount, r0 + chunkRows) * cols);
      }
      recycleRowBlock(block);
    }
  }

  const reader: ArrayReader = {
    key,
    shape: layout.shape.slice(),
    dtype: type.name,
    integer: isIntegerType(type),
    rows,
    cols,
    readRows: (chunkRows, signal) => readRange(0, rows, chunkRows, signal),
  };
  // Row ranges only where a range costs its own bytes: contiguous rows in a random-access source
  // (not Fortran order, whose rows are scattered; not a deflated member, which restarts its stream).
  if (contiguous && !src.sequential) {
    reader.readRowRange = (start, end, chunkRows, signal) => readRange(start, end, chunkRows, signal);
    if (isNativeFloat(type)) {
      reader.readStoredRows = async (start, count, signal) => {
        throwIfAborted(signal);
        checkRange(start, start + count);
        const bytes = count * cols > 0 ? await contiguousBytes(start, count) : new Uint8Array(0);
        return nativeFloatView(bytes, type, count * cols);
      };
    }
  }
  return reader;
}
