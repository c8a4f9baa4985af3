/**
 * C = A[:, :k]^T B for row-major A (rows x aCols, first k columns used) and B (rows x cols): the
 * projections V_k^T S_pg of METHOD.md §4. WebAssembly f64x2 tiles over packed panels (gemm_tn_f64 in
 * gram.wat), the plain-JS loop when WebAssembly SIMD is unavailable; tested against each other.
 */
import { gramWasmModule } from './gram';

interface GemmExports {
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

const BLOCK_ROWS = 256;

let instance: { module: WebAssembly.Module; exports: GemmExports } | null = null;

/**
 * One instance per module, reused: a fresh instance per product would allocate and zero its whole
 * working memory every call, which costs as much as a small product itself. Its memory only grows.
 */
function gemmInstance(module: WebAssembly.Module): GemmExports {
  if (instance?.module !== module)
    instance = { module, exports: new WebAssembly.Instance(module, {}).exports as unknown as GemmExports };
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
  kernel: 'wasm' | 'js' = 'wasm',
  bStride = cols,
): Float64Array {
  const module = kernel === 'wasm' ? gramWasmModule() : null;
  if (!module || k === 0 || cols === 0 || rows === 0)
    return multiplyTransposedJs(a, aCols, rows, k, b, cols, bStride);
  const x = gemmInstance(module);
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
    pack(a, aCols, k, r0, count, panA);
    pack(b, bStride, cols, r0, count, panB);
    x.gemm_tn_f64(outBytes, count, panelsA, 0, ld, outBytes + aBytes, panelsB);
  }
  const result = new Float64Array(k * cols);
  for (let j = 0; j < k; j++) result.set(out.subarray(j * ld, j * ld + cols), j * cols);
  return result;
}

/** Rows [r0, r0 + count) of the first `width` columns of a row-major matrix into 4-column panels. */
function pack(
  source: Float64Array,
  stride: number,
  width: number,
  r0: number,
  count: number,
  panels: Float64Array,
): void {
  const panelStride = count * 4;
  panels.fill(0, 0, Math.ceil(width / 4) * panelStride);
  for (let i = 0; i < count; i++) {
    const from = (r0 + i) * stride;
    const rowAt = i * 4;
    for (let j = 0; j < width; j++) panels[(j >> 2) * panelStride + rowAt + (j & 3)] = source[from + j];
  }
}

function multiplyTransposedJs(
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
