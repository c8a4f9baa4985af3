/**
 * The two O(rows d) sums of each chunk of the moment pass (src/core/moments.ts): the column sums that
 * give the chunk's mean, and, with one-hot targets, the class sums of the centred rows (S_xy of the
 * label columns). Next to the Gram kernel they are small, but in plain JS they cost about a tenth of
 * the pass (2 ns a value against 0.3 ns in WebAssembly lanes).
 *
 * Two implementations with the same arithmetic in the same order, so they agree to the bit
 * (`kernels.test.ts`): 'wasm' (column_sums_f32 / class_sums_f32 and their float64 twins in gram.wat,
 * on rows copied into its memory when every block is float32, or every block float64; any other mix
 * goes through the JS loops) and 'js'.
 */
import { gramWasmModule, type ColumnBlock } from './gram';
import { leaseInstance } from './wasm';

export interface ChunkSums {
  /**
   * Adds each column's sum over the chunk's rows into out[0 .. dense), blocks in column order, and
   * keeps the rows for `addClassRows`.
   */
  columnSums(blocks: ColumnBlock[], rows: number, out: Float64Array): void;
  /**
   * For the rows of the last `columnSums` chunk, visited in `order`: class row labels[i] of the sums
   * gains x_i - centre (centre: dense values).
   */
  addClassRows(labels: ArrayLike<number>, order: Int32Array, centre: Float64Array): void;
  /** The class sums so far: classes x dense, row k for class k (a view, valid until the next call). */
  classSums(): Float64Array;
  /** Ends its use: the WebAssembly instance is kept for the next sums made in this thread. */
  release(): void;
}

/** Sums for chunks of `dense` columns and, when `classes` > 0, class sums over that many classes. */
export function createChunkSums(dense: number, classes: number, kernel?: 'wasm' | 'js'): ChunkSums {
  const module = kernel === 'js' ? null : gramWasmModule();
  return module ? wasmChunkSums(module, dense, classes) : jsChunkSums(dense, classes);
}

/** The plain-JS column sums: out[offset + j] += x_ij, rows in order. */
function addColumnSums(blocks: ColumnBlock[], rows: number, out: Float64Array): void {
  let offset = 0;
  for (const { data, cols } of blocks) {
    for (let i = 0; i < rows; i++) {
      const from = i * cols;
      for (let j = 0; j < cols; j++) out[offset + j] += data[from + j];
    }
    offset += cols;
  }
}

/** The plain-JS class sums: sums[labels[i] dense + j] += x_ij - centre_j, rows visited in `order`. */
function addClassRowsJs(
  blocks: ColumnBlock[],
  rows: number,
  labels: ArrayLike<number>,
  order: Int32Array,
  centre: Float64Array,
  sums: Float64Array,
  dense: number,
): void {
  let offset = 0;
  for (const { data, cols } of blocks) {
    for (let t = 0; t < rows; t++) {
      const i = order[t];
      const at = labels[i] * dense + offset;
      const from = i * cols;
      for (let j = 0; j < cols; j++) sums[at + j] += data[from + j] - centre[offset + j];
    }
    offset += cols;
  }
}

function jsChunkSums(dense: number, classes: number): ChunkSums {
  const sums = new Float64Array(classes * dense);
  let held: ColumnBlock[] = [];
  let heldRows = 0;
  return {
    columnSums(blocks, rows, out) {
      [held, heldRows] = [blocks, rows];
      addColumnSums(blocks, rows, out);
    },
    addClassRows: (labels, order, centre) =>
      addClassRowsJs(held, heldRows, labels, order, centre, sums, dense),
    classSums: () => sums,
    release: () => undefined,
  };
}

interface ChunkSumsExports {
  memory: WebAssembly.Memory;
  column_sums_f32: ColumnSums;
  column_sums_f64: ColumnSums;
  class_sums_f32: ClassSums;
  class_sums_f64: ClassSums;
}

/** (src, rows, cols, out): byte addresses */
type ColumnSums = (src: number, rows: number, cols: number, out: number) => void;

/** (src, rows, cols, order, labels, centre, sums, stride in elements): byte addresses */
type ClassSums = (
  src: number,
  rows: number,
  cols: number,
  order: number,
  labels: number,
  centre: number,
  sums: number,
  stride: number,
) => void;

/** Bytes a value of a chunk whose blocks are all float32 (4) or all float64 (8); null for a mix. */
function stagedType(blocks: ColumnBlock[]): 4 | 8 | null {
  if (blocks.every((b) => b.data instanceof Float32Array)) return 4;
  if (blocks.every((b) => b.data instanceof Float64Array)) return 8;
  return null;
}

/**
 * Memory: the class sums (classes x dense float64) at 0, then the centre and the column sums (dense
 * float64 each), then the chunk's int32 order and labels, then its rows (float32 or float64), block
 * after block.
 */
function wasmChunkSums(module: WebAssembly.Module, dense: number, classes: number): ChunkSums {
  // the class sums are the only region read before it is written (the rest is copied in first)
  const lease = leaseInstance(module, classes * dense * 8);
  const x = lease.instance.exports as unknown as ChunkSumsExports;
  const centreAt = classes * dense * 8;
  const outAt = centreAt + dense * 8;
  const orderAt = outAt + dense * 8;
  const sums = () => new Float64Array(x.memory.buffer, 0, classes * dense);
  let labelsAt = orderAt;
  let stageAt = orderAt;
  let capacity = 0; // rows the order and labels regions hold
  let held: ColumnBlock[] = [];
  let heldRows = 0;
  let staged: 4 | 8 | null = null; // bytes a value of the held rows copied into WebAssembly memory

  /** Room for `rows` rows of order, labels and staged values of `valueBytes` each. */
  function reserve(rows: number, valueBytes: number): void {
    capacity = Math.max(capacity, rows);
    labelsAt = orderAt + capacity * 4;
    stageAt = labelsAt + capacity * 4;
    const needed = stageAt + rows * dense * valueBytes;
    const have = x.memory.buffer.byteLength;
    if (needed > have) x.memory.grow(Math.ceil((needed - have) / 65536));
  }

  reserve(0, 0); // the class sums
  return {
    columnSums(blocks, rows, out) {
      if (lease.released) throw new Error('chunk sums used after release()');
      [held, heldRows] = [blocks, rows];
      staged = stagedType(blocks);
      if (staged === null) return addColumnSums(blocks, rows, out);
      reserve(rows, staged);
      new Float64Array(x.memory.buffer, outAt, dense).set(out.subarray(0, dense));
      const [Type, columnSums] =
        staged === 4 ? [Float32Array, x.column_sums_f32] : [Float64Array, x.column_sums_f64];
      let at = stageAt;
      let offset = 0;
      for (const { data, cols } of blocks) {
        new Type(x.memory.buffer, at, rows * cols).set(
          (data as Float32Array | Float64Array).subarray(0, rows * cols),
        );
        columnSums(at, rows, cols, outAt + offset * 8);
        at += rows * cols * staged;
        offset += cols;
      }
      out.set(new Float64Array(x.memory.buffer, outAt, dense));
    },
    addClassRows(labels, order, centre) {
      if (staged === null) return addClassRowsJs(held, heldRows, labels, order, centre, sums(), dense);
      const classSums = staged === 4 ? x.class_sums_f32 : x.class_sums_f64;
      const rows = heldRows;
      new Int32Array(x.memory.buffer, orderAt, rows).set(order.subarray(0, rows));
      const labelsIn = new Int32Array(x.memory.buffer, labelsAt, rows);
      for (let i = 0; i < rows; i++) labelsIn[i] = labels[i];
      new Float64Array(x.memory.buffer, centreAt, dense).set(centre.subarray(0, dense));
      let at = stageAt;
      let offset = 0;
      for (const { cols } of held) {
        classSums(at, rows, cols, orderAt, labelsAt, centreAt + offset * 8, offset * 8, dense);
        at += rows * cols * staged;
        offset += cols;
      }
    },
    classSums: sums,
    release: lease.release,
  };
}
