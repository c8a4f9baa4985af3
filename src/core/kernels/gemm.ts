/**
 * C = A[:, :k]^T B for row-major A (rows x aCols, first k columns used) and B (rows x cols): the
 * projections V_k^T S_pg of docs/method.md §4. WebAssembly f64x2 tiles over packed panels (gemm_tn_f64 in
 * gram.wat), with fused multiply-adds where the runtime has relaxed SIMD, and the plain-JS loop when
 * WebAssembly SIMD is unavailable; the three are tested against each other.
 */
import { gramRelaxedWasmModule, gramWasmModule, type ProductExports } from './gram';
import { pack, packTransposed } from './panels';

/**
 * 'wasm': the WebAssembly product, fused where relaxed SIMD validates; 'wasm-unfused' (tests): the
 * plain module's; 'js': the plain-JS loop.
 */
export type ProductKernel = 'wasm' | 'wasm-unfused' | 'js';

const BLOCK_ROWS = 256;

let instance: { module: WebAssembly.Module; exports: ProductExports } | null = null;

/**
 * One instance per module, reused: a fresh instance per product would allocate and zero its whole
 * working memory every call, which costs as much as a small product itself. Its memory only grows.
 */
function gemmInstance(module: WebAssembly.Module): ProductExports {
  if (instance?.module !== module)
    instance = { module, exports: new WebAssembly.Instance(module, {}).exports as unknown as ProductExports };
  return instance.exports;
}

/**
 * k x cols row-major result of A[:, :k]^T B; B's rows are `bStride` apart (a block of a wider matrix
 * read in place).
 */
export function multiplyTransposedA(
  a: Float64Array,
  aCols: number,
  rows: number,
  k: number,
  b: Float64Array,
  cols: number,
  kernel: ProductKernel = 'wasm',
  bStride = cols,
): Float64Array {
  const result = new Float64Array(k * cols);
  productInto(result, cols, 'set', a, aCols, rows, k, b, cols, kernel, bStride);
  return result;
}

/**
 * target[i tStride + j] -= (A[:, :k]^T B)[i][j]: the product subtracted in place, without a k x cols
 * array of its own (the eigenvector updates run this many times on large blocks). With `aGivenTransposed`,
 * `a` holds A^T instead: k x rows, its rows `aCols` apart.
 */
export function subtractProductTransposedA(
  target: Float64Array,
  tStride: number,
  a: Float64Array,
  aCols: number,
  rows: number,
  k: number,
  b: Float64Array,
  cols: number,
  kernel: ProductKernel = 'wasm',
  aGivenTransposed = false,
): void {
  const source = aGivenTransposed ? { transposed: a, stride: aCols } : a;
  productInto(target, tStride, 'subtract', source, aCols, rows, k, b, cols, kernel, cols);
}

/** target[i tStride + j] = (A[:, :k]^T B)[i][j]: the product written into a block of a wider matrix. */
export function writeProductTransposedA(
  target: Float64Array,
  tStride: number,
  a: Float64Array,
  aCols: number,
  rows: number,
  k: number,
  b: Float64Array,
  cols: number,
): void {
  productInto(target, tStride, 'set', a, aCols, rows, k, b, cols, 'wasm', cols);
}

/**
 * target[i tStride + j] += (A[:, :k]^T B)[i][j], B's rows `bStride` apart: a product added into a block of
 * a wider matrix, without a k x cols array of its own.
 */
export function addProductTransposedA(
  target: Float64Array,
  tStride: number,
  a: Float64Array,
  aCols: number,
  rows: number,
  k: number,
  b: Float64Array,
  cols: number,
  bStride = cols,
  kernel: ProductKernel = 'wasm',
): void {
  productInto(target, tStride, 'add', a, aCols, rows, k, b, cols, kernel, bStride);
}

/** The module whose product fuses its multiply-adds where this runtime validates it, else the plain one. */
function productModule(): WebAssembly.Module | null {
  return gramRelaxedWasmModule() ?? gramWasmModule();
}

/** A as stored: row-major rows x aCols, or its transpose (k x rows, rows `stride` apart). */
type MatrixA = Float64Array | { transposed: Float64Array; stride: number };

function productInto(
  target: Float64Array,
  tStride: number,
  mode: 'set' | 'subtract' | 'add',
  a: MatrixA,
  aCols: number,
  rows: number,
  k: number,
  b: Float64Array,
  cols: number,
  kernel: ProductKernel,
  bStride: number,
): void {
  if (k === 0 || cols === 0) return;
  const module =
    rows === 0 || kernel === 'js' ? null : kernel === 'wasm' ? productModule() : gramWasmModule();
  const { out, ld } = module
    ? productWasm(gemmInstance(module), a, aCols, rows, k, b, cols, bStride)
    : a instanceof Float64Array
      ? { out: productJs(a, aCols, rows, k, b, cols, bStride), ld: cols }
      : { out: productJs(asRowMajor(a, rows, k), k, rows, k, b, cols, bStride), ld: cols };
  for (let i = 0; i < k; i++) {
    const row = out.subarray(i * ld, i * ld + cols);
    if (mode === 'set') target.set(row, i * tStride);
    else if (mode === 'add') for (let j = 0, t = i * tStride; j < cols; j++, t++) target[t] += row[j];
    else for (let j = 0, t = i * tStride; j < cols; j++, t++) target[t] -= row[j];
  }
}

/** The product in the instance's memory (a view, valid until the next product): rows of length ld. */
function productWasm(
  x: ProductExports,
  a: MatrixA,
  aCols: number,
  rows: number,
  k: number,
  b: Float64Array,
  cols: number,
  bStride: number,
): { out: Float64Array; ld: number } {
  const panelsA = Math.ceil(k / 4);
  const panelsB = Math.ceil(cols / 4);
  const ld = panelsB * 4;
  const outBytes = panelsA * 4 * ld * 8;
  const blockRows = Math.min(BLOCK_ROWS, rows);
  const aBytes = panelsA * blockRows * 32;
  const bBytes = panelsB * blockRows * 32;
  const needed = outBytes + aBytes + bBytes;
  const have = x.memory.buffer.byteLength;
  if (needed > have) x.memory.grow(Math.ceil((needed - have) / 65536));
  const out = new Float64Array(x.memory.buffer, 0, outBytes / 8);
  out.fill(0); // the kernel accumulates; the reused memory holds the previous product
  const panA = new Float64Array(x.memory.buffer, outBytes, aBytes / 8);
  const panB = new Float64Array(x.memory.buffer, outBytes + aBytes, bBytes / 8);
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const count = Math.min(blockRows, rows - r0);
    if (a instanceof Float64Array) pack(a, aCols, k, r0, count, panA);
    else packTransposed(a.transposed, a.stride, k, r0, count, panA);
    pack(b, bStride, cols, r0, count, panB);
    x.gemm_tn_f64(outBytes, count, panelsA, 0, ld, outBytes + aBytes, panelsB);
  }
  return { out, ld };
}

/** A row-major (rows x k, when given transposed) for the plain-JS product. */
function asRowMajor(a: MatrixA, rows: number, k: number): Float64Array {
  if (a instanceof Float64Array) return a;
  const out = new Float64Array(rows * k);
  for (let j = 0; j < k; j++) for (let i = 0; i < rows; i++) out[i * k + j] = a.transposed[j * a.stride + i];
  return out;
}

function productJs(
  a: Float64Array,
  aCols: number,
  rows: number,
  k: number,
  b: Float64Array,
  cols: number,
  bStride: number,
): Float64Array {
  const out = new Float64Array(k * cols);
  for (let i = 0; i < rows; i++) {
    const bRow = i * bStride;
    const aRow = i * aCols;
    for (let j = 0; j < k; j++) {
      const v = a[aRow + j];
      if (v === 0) continue;
      const o = j * cols;
      for (let c = 0; c < cols; c++) out[o + c] += v * b[bRow + c];
    }
  }
  return out;
}
