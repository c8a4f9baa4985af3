/**
 * The Gram kernel of the moment pass (docs/method.md §2): for one chunk of rows of X (given as row-major
 * column blocks) and a centre m, writes the upper triangle of (X - m)^T (X - m) in float64.
 *
 * Two implementations of one formula, tested against each other (`gram.test.ts`):
 * - 'wasm-f64' / 'wasm-f32': WebAssembly SIMD over packed column panels (gram.wat). 'wasm-f32' rounds
 *   the centred values to float32 and sums float32 products over sub-blocks of at most 64 rows,
 *   promoted into float64 register sums (for float32 inputs; relative error of the Gram 1e-8 to
 *   6e-8 in our tests, about half of it from rounding the centred values to float32: docs/benchmarks.md).
 *   Where the runtime has relaxed SIMD, 'wasm-f32' fuses its multiply-adds (`fused` below).
 * - 'js': plain float64 dot products, the fallback when WebAssembly SIMD is unavailable.
 * Pure: no DOM, no Node built-ins, so it runs in Node worker_threads and browser workers alike.
 */
import { gramRelaxedWasmBase64 } from './gram-relaxed-wasm.generated';
import { gramWasmBase64 } from './gram-wasm.generated';
import { pack } from './panels';
import { compileBase64Module, leaseInstance } from './wasm';

export type GramPrecision = 'float64' | 'float32';
export type GramKernelName = 'wasm-f64' | 'wasm-f32' | 'js';

/** Row-major rows x cols block of one array, placed at column `offset` of X. */
export interface ColumnBlock {
  data: ArrayLike<number>;
  cols: number;
}

export interface GramKernel {
  readonly name: GramKernelName;
  /** columns of X (sum of the blocks' cols) */
  readonly dim: number;
  /**
   * Adds sum_i (x_ij - centre_j)(x_ik - centre_k), 0 <= j <= k < dim, to the kernel's running float64
   * sum. The moment pass calls it once per chunk (each chunk with its own centre) and reads the sum
   * once at the end, so no d x d matrix is cleared or copied per chunk. `blocks` are the column blocks
   * of X, in order.
   */
  accumulateUpper(blocks: ColumnBlock[], rows: number, centre: Float64Array): void;
  /** Adds the running sum's upper triangle into out (row length ld); the strict lower triangle is left alone. */
  addRunningSum(out: Float64Array, ld: number): void;
  /**
   * `addRunningSum` that also clears the running sum's upper triangle in the same sweep: a sum taken
   * after each chunk into a matrix of the caller's (the jackknife's row groups), with no clearing pass.
   * With `fresh`, `out` has never been written and is written rather than added to: a page of fresh
   * memory then costs one fault instead of two (a read maps the zero page, the write copies it).
   */
  moveRunningSum(out: Float64Array, ld: number, fresh?: boolean): void;
  /**
   * Adds R^T R to the running sum, R being `count` rows `stride` apart in `rows` of which the first
   * `dim` columns are used: the moment pass's mean corrections (mean-corrections.ts), folded into the
   * sum before it is read rather than added to the scatter in a pass of their own. Tiles across the
   * diagonal write below it too, which is never read.
   */
  addOuterProducts(rows: Float64Array, count: number, stride: number): void;
  /**
   * One-shot form: clears the running sum, accumulates this chunk and writes its upper triangle into
   * out[j * ld + k] (overwritten, or added to with `accumulate`).
   */
  gramUpper(
    blocks: ColumnBlock[],
    rows: number,
    centre: Float64Array,
    out: Float64Array,
    ld: number,
    accumulate?: boolean,
  ): void;
  /**
   * Ends the kernel's use: its WebAssembly instance is kept for the next kernel made in this thread
   * (wasm.ts `keepInstance`). No call may follow.
   */
  release(): void;
}

export interface GramKernelOptions {
  /** 'float32' (inputs that are float32) allows the float32-lane kernel; default 'float64' */
  precision: GramPrecision;
  /** force a kernel (tests, benchmarks); default: the fastest available */
  kernel?: GramKernelName;
  /** rows packed and summed per kernel call (float32 sums restart every 64 rows inside); default 512 (f32), 256 (f64) */
  blockRows?: number;
  /**
   * 'wasm-f32' with fused multiply-adds (relaxed SIMD `f32x4.relaxed_madd`) where the runtime has
   * them; false forces the separate multiply and add. Default true. The fused sums round once per
   * product instead of twice: both stay within float32 rounding of the float64 Gram.
   */
  fused?: boolean;
}

export const defaultGramKernelOptions: GramKernelOptions = { precision: 'float64' };

let compiled: WebAssembly.Module | null | undefined;

/** The compiled Gram module, or null when this runtime lacks WebAssembly SIMD. */
export function gramWasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileBase64Module(gramWasmBase64);
  return compiled;
}

let compiledRelaxed: WebAssembly.Module | null | undefined;

/** Whether this runtime accepts the relaxed-SIMD module now (not cached: a runtime flag may change it). */
export function relaxedSimdValidates(): boolean {
  return compileBase64Module(gramRelaxedWasmBase64) !== null;
}

/**
 * The Gram module whose float32 Gram and float64 product fuse their multiply-adds (relaxed SIMD), or
 * null where the runtime lacks relaxed SIMD (Node 20 has it behind `--experimental-wasm-relaxed-simd`:
 * see src/cli/richscope.ts). Its other functions are the plain module's.
 */
export function gramRelaxedWasmModule(): WebAssembly.Module | null {
  if (compiledRelaxed === undefined) compiledRelaxed = compileBase64Module(gramRelaxedWasmBase64);
  return compiledRelaxed;
}

/** True when the WebAssembly SIMD kernels can run here. */
export function hasWasmSimd(): boolean {
  return gramWasmModule() !== null;
}

/** A Gram kernel for X with `dim` columns. Holds its own WebAssembly memory (panels + a dim^2 float64 sum). */
export function createGramKernel(
  dim: number,
  options: GramKernelOptions = defaultGramKernelOptions,
): GramKernel {
  const wanted = options.kernel ?? (options.precision === 'float32' ? 'wasm-f32' : 'wasm-f64');
  if (wanted === 'js' || gramWasmModule() === null) return jsGramKernel(dim);
  const relaxed = wanted === 'wasm-f32' && options.fused !== false ? gramRelaxedWasmModule() : null;
  return wasmGramKernel(
    dim,
    wanted,
    options.blockRows ?? (wanted === 'wasm-f32' ? 512 : 256),
    relaxed ?? gramWasmModule()!,
  );
}

function jsGramKernel(dim: number): GramKernel {
  let columns = new Float64Array(0);
  const sum = new Float64Array(dim * dim);
  return withOneShot({
    name: 'js',
    dim,
    accumulateUpper(blocks, rows, centre) {
      if (columns.length < dim * rows) columns = new Float64Array(dim * rows);
      let offset = 0;
      for (const { data, cols } of blocks) {
        for (let j = 0; j < cols; j++) {
          const base = (offset + j) * rows;
          const m = centre[offset + j];
          for (let i = 0; i < rows; i++) columns[base + i] = data[i * cols + j] - m;
        }
        offset += cols;
      }
      for (let j = 0; j < dim; j++) {
        const a = columns.subarray(j * rows, (j + 1) * rows);
        for (let k = j; k < dim; k++)
          sum[j * dim + k] += dot(a, columns.subarray(k * rows, (k + 1) * rows), rows);
      }
    },
    addOuterProducts: (rows, count, stride) => addOuterUpper(rows, count, stride, dim, sum, dim),
    addRunningSum: (out, ld) => addUpper(sum, dim, dim, out, ld),
    moveRunningSum: (out, ld, fresh) => moveUpper(sum, dim, dim, out, ld, fresh),
    clear: () => sum.fill(0),
    release: () => undefined,
  });
}

/** out[j ld + k] += sum_t r[t stride + j] r[t stride + k] over the upper triangle (0 <= j <= k < dim). */
function addOuterUpper(
  r: Float64Array,
  count: number,
  stride: number,
  dim: number,
  out: Float64Array,
  ld: number,
): void {
  for (let t = 0; t < count; t++) {
    const row = t * stride;
    for (let j = 0; j < dim; j++) {
      const x = r[row + j];
      if (x === 0) continue;
      for (let k = j, o = j * ld + j; k < dim; k++, o++) out[o] += x * r[row + k];
    }
  }
}

/** out[j ld + k] += sum[j sumLd + k] over the upper triangle of a dim x dim sum. */
function addUpper(sum: Float64Array, sumLd: number, dim: number, out: Float64Array, ld: number): void {
  for (let j = 0; j < dim; j++) {
    const from = j * sumLd;
    const to = j * ld;
    for (let k = j; k < dim; k++) out[to + k] += sum[from + k];
  }
}

/**
 * addUpper, then sum[j sumLd + k] = 0 over the same upper triangle: the part a running sum is read
 * from (what the kernels leave below it is never read). With `fresh`, out's zeros are not read.
 */
function moveUpper(
  sum: Float64Array,
  sumLd: number,
  dim: number,
  out: Float64Array,
  ld: number,
  fresh = false,
): void {
  for (let j = 0; j < dim; j++) {
    const from = j * sumLd;
    const to = j * ld;
    if (fresh) out.set(sum.subarray(from + j, from + dim), to + j);
    else for (let k = j; k < dim; k++) out[to + k] += sum[from + k];
    sum.fill(0, from + j, from + dim);
  }
}

/** The one-shot `gramUpper` on top of a kernel's running sum. */
function withOneShot(kernel: Omit<GramKernel, 'gramUpper'> & { clear(): void }): GramKernel {
  const { clear, ...rest } = kernel;
  return {
    ...rest,
    gramUpper(blocks, rows, centre, out, ld, accumulate = false) {
      clear();
      rest.accumulateUpper(blocks, rows, centre);
      if (!accumulate) for (let j = 0; j < rest.dim; j++) out.fill(0, j * ld + j, j * ld + rest.dim);
      rest.addRunningSum(out, ld);
      clear();
    },
  };
}

function dot(a: Float64Array, b: Float64Array, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < length; i++) s0 += a[i] * b[i];
  return s0 + s1 + s2 + s3;
}

/**
 * The float64 product's export (`gemm_tn_f64`): out[(4 ip + a) ld + 4 jp + b] += the product of A's
 * panel ip and B's panel jp (panels.ts), all byte addresses in the module's memory.
 */
export interface ProductExports {
  memory: WebAssembly.Memory;
  gemm_tn_f64(
    pan: number,
    rows: number,
    npan: number,
    out: number,
    ld: number,
    panb: number,
    npanb: number,
  ): void;
}

interface GramExports extends ProductExports {
  gram_f64(pan: number, rows: number, npan: number, out: number, ld: number): void;
  gram_f32(pan: number, rows: number, npan: number, out: number, ld: number): void;
  pack_f32_from_f32: PackInto;
  pack_f32_from_f64: PackInto;
  pack_f64_from_f64: PackInto;
}

/** (src, rows, cols, centre, panels, panel stride in elements, column offset): byte addresses. */
type PackInto = (
  src: number,
  rows: number,
  cols: number,
  centre: number,
  pan: number,
  stride: number,
  offset: number,
) => void;

function wasmGramKernel(
  dim: number,
  name: 'wasm-f64' | 'wasm-f32',
  blockRows: number,
  module: WebAssembly.Module,
): GramKernel {
  const f32 = name === 'wasm-f32';
  const width = f32 ? 8 : 4; // panel width in columns (32 bytes a row)
  const panels = Math.max(1, Math.ceil(dim / width));
  const ld = panels * width; // row length of the float64 sum
  const sumBytes = ld * ld * 8;
  // the running sum is the only region read before it is written (panels, stage and centre are filled first)
  const lease = leaseInstance(module, sumBytes);
  const exports = lease.instance.exports as unknown as GramExports;
  const panelBytes = panels * blockRows * 32;
  // blocks are packed in WebAssembly from a staged copy (float64 at most) and the centre
  const stageBytes = blockRows * dim * 8 + dim * 8;
  const needed = sumBytes + panelBytes + stageBytes;
  const have = exports.memory.buffer.byteLength;
  if (needed > have) exports.memory.grow(Math.ceil((needed - have) / 65536));
  const sumAt = 0;
  const panelAt = sumBytes;
  const centreAt = panelAt + panelBytes;
  const stageAt = centreAt + dim * 8;
  const { buffer } = exports.memory;
  const sum = new Float64Array(buffer, sumAt, ld * ld);
  const panel64 = new Float64Array(buffer, panelAt, panelBytes / 8);
  const panel32 = new Float32Array(buffer, panelAt, panelBytes / 4);
  const centreIn = new Float64Array(buffer, centreAt, dim);
  const stage32 = new Float32Array(buffer, stageAt, blockRows * dim);
  const stage64 = new Float64Array(buffer, stageAt, blockRows * dim);
  const gram = f32 ? exports.gram_f32 : exports.gram_f64;
  // panel address of column j, row i (elements): (j / width) * rows * width + i * width + j % width
  const shift = f32 ? 3 : 2;
  const mask = width - 1;
  const columnAt = new Int32Array(dim);
  let packedRows = -1;

  /**
   * Packs one block's rows [r0, r0 + count) in WebAssembly; false for sources it does not take (the
   * float64 kernel takes float64 rows only).
   */
  function packInWasm(
    data: ArrayLike<number>,
    cols: number,
    r0: number,
    count: number,
    offset: number,
  ): boolean {
    const stride = count * width;
    if (!f32) {
      if (!(data instanceof Float64Array)) return false;
      stage64.set(data.subarray(r0 * cols, (r0 + count) * cols));
      exports.pack_f64_from_f64(stageAt, count, cols, centreAt + offset * 8, panelAt, stride, offset);
      return true;
    }
    if (data instanceof Float32Array) {
      stage32.set(data.subarray(r0 * cols, (r0 + count) * cols));
      exports.pack_f32_from_f32(stageAt, count, cols, centreAt + offset * 8, panelAt, stride, offset);
      return true;
    }
    if (data instanceof Float64Array) {
      stage64.set(data.subarray(r0 * cols, (r0 + count) * cols));
      exports.pack_f32_from_f64(stageAt, count, cols, centreAt + offset * 8, panelAt, stride, offset);
      return true;
    }
    return false;
  }

  return withOneShot({
    name,
    dim,
    accumulateUpper(blocks, rows, centre) {
      if (lease.released) throw new Error('Gram kernel used after release()');
      centreIn.set(centre.subarray(0, dim));
      for (let r0 = 0; r0 < rows; r0 += blockRows) {
        const count = Math.min(blockRows, rows - r0);
        const panel = f32 ? panel32 : panel64;
        const panelStride = count * width;
        // every column is packed below; only the last panel's padding columns must read as zero
        panel.fill(0, (panels - 1) * panelStride, panels * panelStride);
        if (count !== packedRows) {
          for (let col = 0; col < dim; col++) columnAt[col] = (col >> shift) * panelStride + (col & mask);
          packedRows = count;
        }
        // row by row: contiguous reads of the source, 32-byte panel rows written
        let offset = 0;
        for (const { data, cols } of blocks) {
          if (packInWasm(data, cols, r0, count, offset)) {
            offset += cols;
            continue;
          }
          for (let i = 0; i < count; i++) {
            const from = (r0 + i) * cols;
            const rowAt = i * width;
            for (let j = 0; j < cols; j++)
              panel[columnAt[offset + j] + rowAt] = data[from + j] - centre[offset + j];
          }
          offset += cols;
        }
        gram(panelAt, count, panels, sumAt, ld);
      }
    },
    addOuterProducts(rows, count, stride) {
      if (lease.released) throw new Error('Gram kernel used after release()');
      // R's rows in 4-column float64 panels in the staging memory, as many rows a product as fit
      const quads = Math.ceil(dim / 4);
      const perProduct = Math.floor(stage64.length / (quads * 4));
      if (perProduct === 0) return addOuterUpper(rows, count, stride, dim, sum, ld);
      for (let t0 = 0; t0 < count; t0 += perProduct) {
        const n = Math.min(perProduct, count - t0);
        pack(rows, stride, dim, t0, n, stage64);
        // the upper triangle's tiles only: panel ip against panels ip.. (rows 4 ip .. 4 ip + 3)
        const quadBytes = n * 32;
        for (let ip = 0; ip < quads; ip++) {
          const panel = stageAt + ip * quadBytes;
          exports.gemm_tn_f64(panel, n, 1, sumAt + (4 * ip * ld + 4 * ip) * 8, ld, panel, quads - ip);
        }
      }
    },
    addRunningSum: (out, outLd) => addUpper(sum, ld, dim, out, outLd),
    moveRunningSum: (out, outLd, fresh) => moveUpper(sum, ld, dim, out, outLd, fresh),
    clear: () => sum.fill(0),
    release: lease.release,
  });
}
