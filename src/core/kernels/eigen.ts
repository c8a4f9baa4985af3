/**
 * The dense symmetric eigensolver on flat Float64Array storage (the implementation behind
 * `symmetricEigen` of src/core/linalg.ts): Householder tridiagonalisation (the EISPACK tred2 loops,
 * as in JAMA, on a transposed working matrix so every inner loop runs over contiguous memory), the
 * tridiagonal's eigenpairs by divide and conquer (divide-conquer.ts), and the reflectors applied to
 * those vectors in blocks through the GEMM kernel. Implicit QL with accumulated rotations (tred2 +
 * tql2) is kept as the reference method and solves the divide-and-conquer leaves.
 */
import { divideAndConquer, LEAF_SIZE, type TridiagonalEigen } from './divide-conquer';
import { eigenWasmBase64 } from './eigen-wasm.generated';
import { multiplyTransposedA, subtractProductTransposedA } from './gemm';
import { compileBase64Module } from './wasm';
import { allocateLocal, type Allocate } from '../types';

export interface EigenResult {
  /** eigenvalues, descending */
  values: Float64Array;
  /** n x n row-major; column k is the unit eigenvector of values[k] */
  vectors: Float64Array;
}

const EPS = 2 ** -52;

/**
 * The level-1 loops of the solver over one float64 memory `mem` (element offsets). Two implementations:
 * WebAssembly f64x2 lanes (eigen.wat) and plain JS, selected once; the algorithm around them is shared.
 */
interface EigenOps {
  mem: Float64Array;
  /** sum_k mem[a + k] mem[b + k] */
  dot(a: number, b: number, len: number): number;
  /** mem[y + k] += alpha mem[x + k] */
  axpy(y: number, x: number, len: number, alpha: number): void;
  /**
   * One tridiagonalisation step's symmetric product over the leading i x i block of the working
   * matrix (n columns, at 0): e = A d, with d, e at mem[D], mem[E]; row i receives d. Two scratch
   * values at mem[SCRATCH].
   */
  symmetricProduct(n: number, i: number): void;
  /** The same step's rank-2 update A -= d e^T + e d^T; then d takes row i - 1, and V(i, j) is cleared. */
  symmetricUpdate(n: number, i: number): void;
  /**
   * Deferred QL sweeps: sweep t (of `count`) is (lo, hi, off) at mem[desc + 3t ..]; for i = hi - 1 down
   * to lo, rows i, i+1 (a, b) of the n-column matrix at w become (c a - s b, s a + c b) with
   * (c, s) = (mem[cs + off + i - lo], mem[ss + off + i - lo]).
   */
  rotbatch(w: number, n: number, desc: number, count: number, cs: number, ss: number): void;
}

function jsOps(size: number): EigenOps {
  const mem = new Float64Array(size);
  // returns sum_k mem[v + k] mem[d + k]; mem[e + k] += f mem[v + k]
  const dotaxpy = (v: number, d: number, e: number, len: number, f: number) => {
    let s = 0;
    for (let k = 0; k < len; k++) {
      const x = mem[v + k];
      s += x * mem[d + k];
      mem[e + k] += x * f;
    }
    return s;
  };
  // two columns at once: the two sums to mem[out], mem[out + 1]; e[k] = (e[k] + f1 v1[k]) + f2 v2[k]
  const dotaxpy2 = (
    v1: number,
    v2: number,
    d: number,
    e: number,
    len: number,
    f1: number,
    f2: number,
    out: number,
  ) => {
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < len; k++) {
      const a = mem[v1 + k];
      const b = mem[v2 + k];
      s1 += a * mem[d + k];
      s2 += b * mem[d + k];
      mem[e + k] = mem[e + k] + a * f1 + b * f2;
    }
    mem[out] = s1;
    mem[out + 1] = s2;
  };
  // mem[w + k] -= f mem[e + k] + g mem[d + k]
  const rank2 = (w: number, e: number, d: number, len: number, f: number, g: number) => {
    for (let k = 0; k < len; k++) mem[w + k] -= f * mem[e + k] + g * mem[d + k];
  };
  // rank2 on two columns, reading e and d once
  const rank2x2 = (
    w1: number,
    w2: number,
    e: number,
    d: number,
    len: number,
    f1: number,
    g1: number,
    f2: number,
    g2: number,
  ) => {
    for (let k = 0; k < len; k++) {
      mem[w1 + k] -= f1 * mem[e + k] + g1 * mem[d + k];
      mem[w2 + k] -= f2 * mem[e + k] + g2 * mem[d + k];
    }
  };
  return {
    mem,
    dot(a, b, len) {
      let s = 0;
      for (let k = 0; k < len; k++) s += mem[a + k] * mem[b + k];
      return s;
    },
    axpy(y, x, len, alpha) {
      for (let k = 0; k < len; k++) mem[y + k] += alpha * mem[x + k];
    },
    symmetricProduct(n, i) {
      const { D, E, SCRATCH } = workLayout(n);
      let j = 0;
      for (; j + 1 < i; j += 2) {
        const [f1, f2] = [mem[D + j], mem[D + j + 1]];
        mem[i * n + j] = f1; // V(j, i) = f
        mem[i * n + j + 1] = f2;
        const col = j * n;
        const below = mem[col + j + 1]; // V(j + 1, j)
        const g1 = mem[E + j] + mem[col + j] * f1 + below * mem[D + j + 1];
        mem[E + j + 1] += below * f1;
        const g2 = mem[E + j + 1] + mem[col + n + j + 1] * f2;
        dotaxpy2(col + j + 2, col + n + j + 2, D + j + 2, E + j + 2, i - j - 2, f1, f2, SCRATCH);
        mem[E + j] = g1 + mem[SCRATCH];
        mem[E + j + 1] = g2 + mem[SCRATCH + 1];
      }
      if (j < i) {
        const f = mem[D + j];
        mem[i * n + j] = f;
        const col = j * n;
        let g = mem[E + j] + mem[col + j] * f;
        g += dotaxpy(col + j + 1, D + j + 1, E + j + 1, i - j - 1, f);
        mem[E + j] = g;
      }
    },
    symmetricUpdate(n, i) {
      const { D, E } = workLayout(n);
      for (let j = 0; j < i; j += 2) {
        const col = j * n;
        const [f1, g1] = [mem[D + j], mem[E + j]];
        if (j + 1 < i) {
          mem[col + j] -= f1 * mem[E + j] + g1 * mem[D + j];
          const [f2, g2] = [mem[D + j + 1], mem[E + j + 1]];
          rank2x2(col + j + 1, col + n + j + 1, E + j + 1, D + j + 1, i - j - 1, f1, g1, f2, g2);
          mem[D + j + 1] = mem[col + n + i - 1];
          mem[col + n + i] = 0; // V(i, j + 1) = 0
        } else rank2(col + j, E + j, D + j, i - j, f1, g1);
        mem[D + j] = mem[col + i - 1];
        mem[col + i] = 0; // V(i, j) = 0
      }
    },
    rotbatch(w, n, desc, count, cs, ss) {
      for (let t = 0; t < count; t++) {
        const lo = mem[desc + 3 * t];
        const hi = mem[desc + 3 * t + 1];
        const off = mem[desc + 3 * t + 2] - lo;
        for (let i = hi - 1; i >= lo; i--) {
          const c = mem[cs + off + i];
          const s = mem[ss + off + i];
          const a = w + i * n;
          const b = a + n;
          for (let k = 0; k < n; k++) {
            const x = mem[b + k];
            const y = mem[a + k];
            mem[b + k] = s * y + c * x;
            mem[a + k] = c * y - s * x;
          }
        }
      }
    },
  };
}

interface EigenExports {
  memory: WebAssembly.Memory;
  dot(a: number, b: number, len: number): number;
  axpy(y: number, x: number, len: number, alpha: number): void;
  symmetric_product(w: number, n: number, i: number, d: number, e: number, scratch: number): void;
  symmetric_update(w: number, n: number, i: number, d: number, e: number): void;
  rotbatch(w: number, n: number, desc: number, count: number, cs: number, ss: number, block: number): void;
}

let eigenModule: WebAssembly.Module | null | undefined;

/** The compiled eigen module, or null without WebAssembly SIMD. */
export function eigenWasmModule(): WebAssembly.Module | null {
  if (eigenModule === undefined) eigenModule = compileBase64Module(eigenWasmBase64);
  return eigenModule;
}

function wasmOps(size: number): EigenOps | null {
  const module = eigenWasmModule();
  if (!module) return null;
  const x = new WebAssembly.Instance(module, {}).exports as unknown as EigenExports;
  const bytes = size * 8;
  if (bytes > x.memory.buffer.byteLength)
    x.memory.grow(Math.ceil((bytes - x.memory.buffer.byteLength) / 65536));
  // byte address = 8 * element offset
  return {
    mem: new Float64Array(x.memory.buffer, 0, size),
    dot: (a, b, len) => x.dot(a * 8, b * 8, len),
    axpy: (y, z, len, alpha) => x.axpy(y * 8, z * 8, len, alpha),
    symmetricProduct(n, i) {
      const { D, E, SCRATCH } = workLayout(n);
      x.symmetric_product(0, n, i, D * 8, E * 8, SCRATCH * 8);
    },
    symmetricUpdate(n, i) {
      const { D, E } = workLayout(n);
      x.symmetric_update(0, n, i, D * 8, E * 8);
    },
    rotbatch: (w, n, desc, count, cs, ss) =>
      x.rotbatch(w * 8, n, desc * 8, count, cs * 8, ss * 8, ROTATION_BLOCK_COLUMNS),
  };
}

export type EigenKernelName = 'wasm' | 'js';

/** Columns of the working matrix rotated together (a 32-column block of every row fits in L2). */
const ROTATION_BLOCK_COLUMNS = 32;
/** Deferred QL rotations held before they are applied: this many times n (c, s) pairs. */
const ROTATION_BATCH = 16;

/**
 * Working memory: w (n x n) at 0, then d, e (n each), cs, ss (ROTATION_BATCH n each), sweep
 * descriptors, two scratch values.
 */
function workLayout(n: number) {
  const D = n * n;
  const E = D + n;
  const CS = E + n;
  const SS = CS + ROTATION_BATCH * n;
  const DESC = SS + ROTATION_BATCH * n;
  const SCRATCH = DESC + 3 * ROTATION_BATCH * n;
  return { D, E, CS, SS, DESC, SCRATCH, size: SCRATCH + 2 };
}

function createOps(n: number, kernel?: EigenKernelName, extra = 0): EigenOps {
  const size = workLayout(n).size + extra;
  return (kernel !== 'js' ? wasmOps(size) : null) ?? jsOps(size);
}

/**
 * Householder reduction of the symmetric matrix held transposed in w = mem[0, n^2) (V(r, c) is
 * w[c n + r]; its lower triangle in the V sense is read) to tridiagonal form: d = mem[D..], e = mem[E..]
 * with e[i] coupling i-1 and i. With `accumulate`, w ends as Q transposed (row j = column j of Q);
 * otherwise row i of w keeps Householder vector i in its first i entries and h_i is returned in `hs`.
 */
function tridiagonalize(ops: EigenOps, n: number, accumulate: boolean, hs: Float64Array | null): void {
  const w = ops.mem;
  const { D, E } = workLayout(n);
  for (let j = 0; j < n; j++) w[D + j] = w[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(w[D + k]);
    if (scale === 0) {
      w[E + i] = w[D + i - 1];
      for (let j = 0; j < i; j++) {
        w[D + j] = w[j * n + i - 1];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
      if (hs) hs[i] = 0;
    } else {
      for (let k = 0; k < i; k++) {
        w[D + k] /= scale;
        h += w[D + k] * w[D + k];
      }
      let f = w[D + i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      w[E + i] = scale * g;
      h -= f * g;
      w[D + i - 1] = f - g;
      w.fill(0, E, E + i);
      // e = A d over the leading i x i block (lower triangle, column by column), two columns a pass
      ops.symmetricProduct(n, i);
      f = 0;
      for (let j = 0; j < i; j++) {
        w[E + j] /= h;
        f += w[E + j] * w[D + j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) w[E + j] -= hh * w[D + j];
      // A -= d e^T + e d^T restricted to the lower triangle, two columns a pass (each entry gets the
      // same update as one column at a time); d takes the next row
      ops.symmetricUpdate(n, i);
      if (hs) hs[i] = h;
    }
    w[D + i] = h;
  }
  if (!accumulate) {
    for (let i = 0; i < n; i++) w[D + i] = w[i * n + i];
    w[E] = 0;
    return;
  }
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i]; // V(n-1, i) = V(i, i)
    w[i * n + i] = 1;
    const h = w[D + i + 1];
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) w[D + k] = w[next + k] / h;
      for (let j = 0; j <= i; j++) {
        const col = j * n;
        const g = ops.dot(next, col, i + 1);
        ops.axpy(col, D, i + 1, -g);
      }
    }
    w.fill(0, next, next + i + 1);
  }
  for (let j = 0; j < n; j++) {
    w[D + j] = w[j * n + n - 1];
    w[j * n + n - 1] = 0;
  }
  w[(n - 1) * n + n - 1] = 1;
  w[E] = 0;
}

/**
 * Implicit QL on the tridiagonal (d, e of `ops.mem`, e[i] coupling i-1 and i). With `rotate`, each
 * sweep's rotations are applied to the rows of w (row j = eigenvector column j). Eigenvalues are left
 * unsorted in d.
 */
function tridiagonalQl(ops: EigenOps, n: number, rotate: boolean): void {
  const m0 = ops.mem;
  const { D, E, CS, SS, DESC } = workLayout(n);
  const d = m0.subarray(D, D + n);
  const e = m0.subarray(E, E + n);
  // rotations are recorded, then applied in batches (rotbatch): QL itself never reads w
  let sweeps = 0;
  let used = 0;
  const flush = () => {
    if (sweeps > 0) ops.rotbatch(0, n, DESC, sweeps, CS, SS);
    sweeps = 0;
    used = 0;
  };
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > EPS * tst1) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > 60) throw new Error('symmetric eigensolver: QL did not converge');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        if (rotate && (used + (m - l) > ROTATION_BATCH * n || sweeps >= ROTATION_BATCH * n)) flush();
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          m0[CS + used + i - l] = c;
          m0[SS + used + i - l] = s;
        }
        if (rotate) {
          m0[DESC + 3 * sweeps] = l;
          m0[DESC + 3 * sweeps + 1] = m;
          m0[DESC + 3 * sweeps + 2] = used;
          sweeps++;
          used += m - l;
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  if (rotate) flush();
}

function descendingOrder(values: Float64Array): number[] {
  return Array.from(values, (_, i) => i).sort((i, j) => values[j] - values[i]);
}

/**
 * Copies the lower triangle of A / divisor into the solver's transposed working matrix; A's rows are
 * `stride` apart (a block of a wider matrix read in place).
 */
function loadLower(ops: EigenOps, a: Float64Array, n: number, stride = n, divisor = 1): void {
  const w = ops.mem;
  const tile = 32; // a transposing copy in square tiles keeps both sides' cache lines in use
  for (let r0 = 0; r0 < n; r0 += tile)
    for (let c0 = 0; c0 <= r0; c0 += tile)
      for (let r = r0; r < Math.min(r0 + tile, n); r++)
        for (let c = c0; c < Math.min(c0 + tile, r + 1); c++) w[c * n + r] = a[r * stride + c] / divisor;
}

/** 'divide-conquer' (default above LEAF_SIZE) or 'ql' (rotations accumulated; the reference path). */
export type TridiagonalMethod = 'divide-conquer' | 'ql';

/** Householder reflectors P_first .. P_last as one compact-WY block, I - Y T Y^T (LAPACK's dlarft/dlarfb). */
interface ReflectorBlock {
  /** rows of Y: u_last, the longest reflector of the block, has support [0, last) */
  rows: number;
  /** reflectors in the block */
  width: number;
  /** rows x width; column j is u_{last - j} */
  y: Float64Array;
  /** width x width, T transposed (T is upper triangular) */
  tt: Float64Array;
}

/**
 * A symmetric eigendecomposition A = Q Z diag(values) Z^T Q^T held before its back-transformation:
 * Z are the tridiagonal's eigenvectors and Q the Householder reflectors in compact-WY blocks. Any
 * block of eigenvector columns is then `eigenvectorColumns(reduced, from, to)`, so callers that need
 * only some vectors, or that share the columns among threads, skip or split the n^3 back-transform.
 */
export interface ReducedSymmetricEigen {
  n: number;
  /** descending */
  values: Float64Array;
  /** n x n row-major; column k is the eigenvector of values[k] in the tridiagonal basis */
  tridiagonalVectors: Float64Array;
  /** applied first to last; empty when Q is already folded into `tridiagonalVectors` */
  reflectorBlocks: ReflectorBlock[];
}

/**
 * Every eigenpair of the symmetric n x n row-major `a` (the lower triangle is read): Householder
 * tridiagonalisation with Q accumulated, the tridiagonal's eigenpairs by divide and conquer
 * (divide-conquer.ts) or implicit QL, then V = Q Z through the GEMM kernel.
 */
export function denseSymmetricEigen(
  a: Float64Array,
  n: number,
  kernel?: EigenKernelName,
  method: TridiagonalMethod = 'divide-conquer',
): EigenResult {
  const { values, tridiagonalVectors: vectors, reflectorBlocks } = reduceSymmetric(a, n, { kernel, method });
  // every column: the reflectors go onto the tridiagonal's vectors in place, no copy of them first
  applyReflectorBlocks(reflectorBlocks, vectors, n, kernel === 'js' ? 'js' : 'wasm');
  return { values, vectors };
}

/** How reduceSymmetric reads its matrix and places its results. */
export interface ReduceOptions {
  kernel?: EigenKernelName;
  method?: TridiagonalMethod;
  /** storage of the result's arrays; default plain Float64Arrays */
  allocate?: Allocate;
  /** distance between rows of `a` (a block of a wider matrix read in place); default n */
  stride?: number;
  /** the matrix decomposed is a / divisor; default 1 */
  divisor?: number;
}

/**
 * The eigendecomposition of `a` up to the back-transformation (see ReducedSymmetricEigen). Divide and
 * conquer leaves Q as reflectors; the QL method (and any n at or below the leaf size) accumulates Q
 * into the vectors directly.
 */
export function reduceSymmetric(
  a: Float64Array,
  n: number,
  {
    kernel,
    method = 'divide-conquer',
    allocate = allocateLocal,
    stride = n,
    divisor = 1,
  }: ReduceOptions = {},
): ReducedSymmetricEigen {
  const values = allocate(n);
  const vectors = allocate(n * n);
  if (n === 0) return { n, values, tridiagonalVectors: vectors, reflectorBlocks: [] };
  const ops = createOps(n, kernel);
  loadLower(ops, a, n, stride, divisor);
  const w = ops.mem;
  if (method === 'divide-conquer' && n > LEAF_SIZE) {
    const hs = new Float64Array(n);
    tridiagonalize(ops, n, false, hs);
    const { D, E } = workLayout(n);
    const split = divideAndConquer(w.slice(D, D + n), w.slice(E + 1, E + n), solveLeafByQl);
    // vectors[t][col] = component t of the col-th eigenvector of T
    descendingOrder(split.values).forEach((source, col) => {
      values[col] = split.values[source];
      const row = source * n;
      for (let t = 0; t < n; t++) vectors[t * n + col] = split.vectors[row + t];
    });
    const reflectorBlocks = compactWyBlocks(w, n, hs, kernel === 'js' ? 'js' : 'wasm', allocate);
    return { n, values, tridiagonalVectors: vectors, reflectorBlocks };
  }
  tridiagonalize(ops, n, true, null);
  tridiagonalQl(ops, n, true);
  const d = w.subarray(n * n, n * n + n);
  descendingOrder(d).forEach((source, k) => {
    values[k] = d[source];
    const row = source * n;
    for (let i = 0; i < n; i++) vectors[i * n + k] = w[row + i];
  });
  return { n, values, tridiagonalVectors: vectors, reflectorBlocks: [] };
}

/**
 * Eigenvectors from..to-1 of a reduced decomposition: n x (to - from) row-major, column j the unit
 * eigenvector of values[from + j]. Each column is computed the same way whatever block it is in.
 */
export function eigenvectorColumns(
  reduced: ReducedSymmetricEigen,
  from: number,
  to: number,
  kernel?: EigenKernelName,
): Float64Array {
  const { n, tridiagonalVectors } = reduced;
  const cols = to - from;
  const z = new Float64Array(n * cols);
  for (let t = 0; t < n; t++) z.set(tridiagonalVectors.subarray(t * n + from, t * n + to), t * cols);
  applyReflectorBlocks(reduced.reflectorBlocks, z, cols, kernel === 'js' ? 'js' : 'wasm');
  return z;
}

/** The divide-and-conquer leaves: implicit QL with rotations on an identity start, in plain JS. */
function solveLeafByQl(d: Float64Array, e: Float64Array): TridiagonalEigen {
  const n = d.length;
  const ops = jsOps(workLayout(n).size);
  const { D, E } = workLayout(n);
  const w = ops.mem;
  for (let i = 0; i < n; i++) w[i * n + i] = 1;
  w.set(d, D);
  w.set(e, E + 1);
  tridiagonalQl(ops, n, true);
  return { values: w.slice(D, D + n), vectors: w.slice(0, n * n) };
}

/** Reflectors applied together (compact WY): wider blocks put more of the work in the GEMM kernel. */
const REFLECTOR_BLOCK = 128;

/**
 * The reflectors P_i = I - u_i u_i^T / h_i left by `tridiagonalize` (u_i = the first i entries of row
 * i of w) in blocks of REFLECTOR_BLOCK, each block P_last ... P_first = I - Y T Y^T (compact WY, LAPACK's
 * dlarft), so that applying them is three matrix products per block instead of one rank-one update
 * per reflector. Every block's arrays are views into one allocation.
 */
function compactWyBlocks(
  w: Float64Array,
  n: number,
  hs: Float64Array,
  kernel: 'wasm' | 'js',
  allocate: Allocate,
): ReflectorBlock[] {
  const shapes: { first: number; rows: number; width: number }[] = [];
  let size = 0;
  for (let first = 1; first < n; first += REFLECTOR_BLOCK) {
    const last = Math.min(n - 1, first + REFLECTOR_BLOCK - 1);
    const width = last - first + 1;
    shapes.push({ first, rows: last, width });
    size += last * width + width * width;
  }
  const storage = allocate(size);
  let offset = 0;
  const view = (length: number) => storage.subarray(offset, (offset += length));
  return shapes.map(({ first, rows, width: b }) => {
    const last = first + b - 1;
    const y = view(rows * b);
    const tt = view(b * b);
    // column j of Y is u_{last - j}, so that P_last ... P_first = H_0 H_1 ... H_{b-1}
    const tau = new Float64Array(b);
    for (let j = 0; j < b; j++) {
      const i = last - j;
      tau[j] = hs[i] === 0 ? 0 : 1 / hs[i];
      for (let t = 0; t < i; t++) y[t * b + j] = w[i * n + t];
    }
    // upper triangular T: T_jj = tau_j, T[0:j, j] = -tau_j T[0:j, 0:j] Y[:, 0:j]^T y_j; held transposed
    const inner = multiplyTransposedA(y, b, rows, b, y, b, kernel); // Y^T Y
    const x = new Float64Array(b);
    for (let j = 0; j < b; j++) {
      tt[j * b + j] = tau[j];
      if (tau[j] === 0) continue;
      for (let l = 0; l < j; l++) x[l] = -tau[j] * inner[l * b + j];
      for (let l = 0; l < j; l++) {
        let s = 0;
        for (let m = l; m < j; m++) s += tt[m * b + l] * x[m];
        tt[j * b + l] = s;
      }
    }
    return { rows, width: b, y, tt };
  });
}

/** Z <- P_{n-1} ... P_1 Z for Z (n x cols, row-major), block by block. */
function applyReflectorBlocks(
  blocks: ReflectorBlock[],
  z: Float64Array,
  cols: number,
  kernel: 'wasm' | 'js',
): void {
  for (const { rows, width: b, y, tt } of blocks) {
    const yz = multiplyTransposedA(y, b, rows, b, z, cols, kernel); // Y^T Z, b x cols
    const tyz = multiplyTransposedA(tt, b, b, b, yz, cols, kernel); // T Y^T Z
    subtractProductTransposedA(z, cols, y, b, b, rows, tyz, cols, kernel, true); // Z -= Y T Y^T Z
  }
}
