/**
 * The dense symmetric eigensolver on flat Float64Array storage (the implementation behind
 * `symmetricEigen` of src/core/linalg.ts): Householder tridiagonalisation (the EISPACK tred2 loops,
 * as in JAMA, on a transposed working matrix so every inner loop runs over contiguous memory), the
 * tridiagonal's eigenpairs by divide and conquer (divide-conquer.ts), and the reflectors applied to
 * those vectors in blocks through the GEMM kernel. Implicit QL with accumulated rotations (tred2 +
 * tql2) is kept as the reference method and solves the divide-and-conquer leaves.
 */
import { divideAndConquer, LEAF_SIZE, type TridiagonalEigen } from './divide-conquer';
import {
  createOps,
  jsOps,
  ROTATION_BATCH,
  workLayout,
  type EigenKernelName,
  type EigenOps,
} from './eigen-ops';
import { multiplyTransposedA, subtractProductTransposedA } from './gemm';
import { allocateLocal, type Allocate } from '../types';

export { eigenWasmModule, type EigenKernelName } from './eigen-ops';

export interface EigenResult {
  /** eigenvalues, descending */
  values: Float64Array;
  /** n x n row-major; column k is the unit eigenvector of values[k] */
  vectors: Float64Array;
}

const EPS = 2 ** -52;

/**
 * Householder reduction of the symmetric matrix held transposed in w = mem[0, n^2) (V(r, c) is
 * w[c n + r]; its lower triangle in the V sense is read) to tridiagonal form: d = mem[D..], e = mem[E..]
 * with e[i] coupling i-1 and i; w ends as Q transposed (row j = column j of Q).
 */
function tridiagonalize(ops: EigenOps, n: number): void {
  const w = ops.mem;
  const { D, E } = workLayout(n);
  for (let j = 0; j < n; j++) w[D + j] = w[j * n + n - 1];
  // the off-diagonal entry of step i goes to e[i], past the entries the step works in
  const offDiagonal = w.subarray(E, E + n);
  for (let i = n - 1; i > 0; i--) {
    const scale = absoluteSum(w, D, i);
    let h = 0;
    if (scale === 0) reduceNothing(w, n, D, i, offDiagonal);
    else {
      h = householderVector(w, D, i, scale, offDiagonal);
      w.fill(0, E, E + i);
      // e = A d over the leading i x i block (lower triangle, column by column), two columns a pass
      ops.symmetricProduct(n, i);
      finishProduct(w, D, E, i, h);
      // A -= d e^T + e d^T restricted to the lower triangle, two columns a pass (each entry gets the
      // same update as one column at a time); d takes the next row
      ops.symmetricUpdate(n, i);
    }
    w[D + i] = h;
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
 * `tridiagonalize` without accumulating Q, its Householder vectors left in the rows of w and h_i in
 * `hs`, for divide and conquer. Each step's rank-2 update runs in one pass with the next step's
 * symmetric product (`symmetricUpdateProduct`), so the working matrix is read once a step instead of
 * twice; the next step's vector, row i - 1 after the update, is computed first from the same formula.
 * Every entry gets the arithmetic of `tridiagonalize`, in the same order, so the results are the same
 * to the bit.
 */
function tridiagonalizeInPlace(ops: EigenOps, n: number, hs: Float64Array): void {
  const w = ops.mem;
  const layout = workLayout(n);
  const offDiagonal = new Float64Array(n);
  let [d, e, next, nextE] = [layout.D, layout.E, layout.D2, layout.E2];
  for (let j = 0; j < n; j++) w[d + j] = w[j * n + n - 1];
  // whether d holds step i's Householder vector and e its product already (from the pass before)
  let reduced = false;
  let h = 0;
  for (let i = n - 1; i > 0; i--) {
    if (!reduced) {
      const scale = absoluteSum(w, d, i);
      if (scale === 0) {
        reduceNothing(w, n, d, i, offDiagonal);
        hs[i] = 0;
        continue;
      }
      h = householderVector(w, d, i, scale, offDiagonal);
      w.fill(0, e, e + i);
      ops.symmetricProduct(n, i, d, e);
    }
    finishProduct(w, d, e, i, h);
    hs[i] = h;
    reduced = false;
    if (i === 1) {
      ops.symmetricUpdate(n, i, d, e);
      break;
    }
    // row i - 1 as this step's update leaves it: the next step's vector
    const [dLast, eLast] = [w[d + i - 1], w[e + i - 1]];
    for (let j = 0; j < i; j++) w[next + j] = w[j * n + i - 1] - (w[d + j] * eLast + w[e + j] * dLast);
    const scale = absoluteSum(w, next, i - 1);
    if (scale === 0) {
      // the next step reduces nothing: this step's update alone (it takes row i - 1 into d itself)
      ops.symmetricUpdate(n, i, d, e);
      continue;
    }
    for (let j = 0; j < i; j++) {
      w[j * n + i - 1] = w[next + j];
      w[j * n + i] = 0; // V(i, j) = 0
    }
    h = householderVector(w, next, i - 1, scale, offDiagonal);
    w.fill(0, nextE, nextE + i - 1);
    ops.symmetricUpdateProduct(n, i, d, e, next, nextE);
    [d, e, next, nextE] = [next, nextE, d, e];
    reduced = true;
  }
  for (let i = 0; i < n; i++) w[layout.D + i] = w[i * n + i];
  w.set(offDiagonal, layout.E);
}

/**
 * The tridiagonal form of the symmetric `a` (its lower triangle is read): the diagonal and the
 * couplings (e[i] couples i - 1 and i, e[0] = 0), by the reduction divide and conquer runs or, with
 * `accumulating`, the one that also forms Q for the QL method. Both do the same arithmetic, which
 * the tests hold to the bit.
 */
export function tridiagonalForm(
  a: Float64Array,
  n: number,
  { kernel, accumulating = false }: { kernel?: EigenKernelName; accumulating?: boolean } = {},
): { d: Float64Array; e: Float64Array } {
  const ops = createOps(n, kernel);
  try {
    loadLower(ops, a, n);
    if (accumulating) tridiagonalize(ops, n);
    else tridiagonalizeInPlace(ops, n, new Float64Array(n));
    const { D, E } = workLayout(n);
    return { d: ops.mem.slice(D, D + n), e: ops.mem.slice(E, E + n) };
  } finally {
    ops.release();
  }
}

/**
 * A step whose row is already reduced (all zero before the diagonal): its last entry is the
 * off-diagonal, d takes row i - 1, and row and column i are cleared before the diagonal.
 */
function reduceNothing(w: Float64Array, n: number, d: number, i: number, offDiagonal: Float64Array): void {
  offDiagonal[i] = w[d + i - 1];
  for (let j = 0; j < i; j++) {
    w[d + j] = w[j * n + i - 1];
    w[j * n + i] = 0;
    w[i * n + j] = 0;
  }
}

function absoluteSum(w: Float64Array, at: number, length: number): number {
  let scale = 0;
  for (let k = 0; k < length; k++) scale += Math.abs(w[at + k]);
  return scale;
}

/**
 * Scales row i (its first i entries at w[d..]) into step i's Householder vector; the off-diagonal
 * entry goes to offDiagonal[i]. Returns h.
 */
function householderVector(
  w: Float64Array,
  d: number,
  i: number,
  scale: number,
  offDiagonal: Float64Array,
): number {
  let h = 0;
  for (let k = 0; k < i; k++) {
    w[d + k] /= scale;
    h += w[d + k] * w[d + k];
  }
  const f = w[d + i - 1];
  let g = Math.sqrt(h);
  if (f > 0) g = -g;
  offDiagonal[i] = scale * g;
  h -= f * g;
  w[d + i - 1] = f - g;
  return h;
}

/** e = A d / h, then e -= (e . d / 2h) d: the step's vector for the rank-2 update. */
function finishProduct(w: Float64Array, d: number, e: number, i: number, h: number): void {
  let f = 0;
  for (let j = 0; j < i; j++) {
    w[e + j] /= h;
    f += w[e + j] * w[d + j];
  }
  const hh = f / (h + h);
  for (let j = 0; j < i; j++) w[e + j] -= hh * w[d + j];
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
 * only some vectors, or that share the columns among threads, skip or share out the n^3 back-transform.
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
  const stage =
    method === 'divide-conquer' ? tridiagonalStage(a, n, { kernel, allocate, stride, divisor }) : null;
  if (stage) return reducedFromStage(stage, solveTridiagonal(stage.diagonal, stage.couplings), allocate);
  const values = allocate(n);
  const vectors = allocate(n * n);
  if (n === 0) return { n, values, tridiagonalVectors: vectors, reflectorBlocks: [] };
  const ops = createOps(n, kernel);
  // everything read from ops.mem is copied out before this returns
  try {
    loadLower(ops, a, n, stride, divisor);
    const w = ops.mem;
    tridiagonalize(ops, n);
    tridiagonalQl(ops, n, true);
    const d = w.subarray(n * n, n * n + n);
    descendingOrder(d).forEach((source, k) => {
      values[k] = d[source];
      const row = source * n;
      for (let i = 0; i < n; i++) vectors[i * n + k] = w[row + i];
    });
    return { n, values, tridiagonalVectors: vectors, reflectorBlocks: [] };
  } finally {
    ops.release();
  }
}

/** `reduceSymmetric`'s divide-and-conquer path up to the tridiagonal's eigenpairs: T and the reflectors. */
export interface TridiagonalStage {
  n: number;
  diagonal: Float64Array;
  /** couplings[i] couples i and i + 1 */
  couplings: Float64Array;
  reflectorBlocks: ReflectorBlock[];
}

/**
 * The reduction of `reduceSymmetric` by divide and conquer, stopped before the tridiagonal is solved;
 * null at or below the leaf size, where the QL method takes the whole decomposition. `onTridiagonal` gets T as soon as it is known, before the reflectors' blocks are formed, so
 * that another thread can solve it (`solveTridiagonal`) meanwhile; `reducedFromStage` then completes
 * the decomposition the same way whoever solved T.
 */
export function tridiagonalStage(
  a: Float64Array,
  n: number,
  {
    kernel,
    allocate = allocateLocal,
    stride = n,
    divisor = 1,
    onTridiagonal,
  }: Omit<ReduceOptions, 'method'> & {
    onTridiagonal?: (diagonal: Float64Array, couplings: Float64Array) => void;
  } = {},
): TridiagonalStage | null {
  if (n <= LEAF_SIZE) return null;
  const ops = createOps(n, kernel);
  try {
    loadLower(ops, a, n, stride, divisor);
    const hs = new Float64Array(n);
    tridiagonalizeInPlace(ops, n, hs);
    const { D, E } = workLayout(n);
    const w = ops.mem;
    const [diagonal, couplings] = [w.slice(D, D + n), w.slice(E + 1, E + n)];
    onTridiagonal?.(diagonal, couplings);
    const reflectorBlocks = compactWyBlocks(w, n, hs, kernel === 'js' ? 'js' : 'wasm', allocate);
    return { n, diagonal, couplings, reflectorBlocks };
  } finally {
    ops.release();
  }
}

/** Every eigenpair of the tridiagonal (divide and conquer, QL at the leaves); vectors as rows. */
export function solveTridiagonal(diagonal: Float64Array, couplings: Float64Array): TridiagonalEigen {
  return divideAndConquer(diagonal, couplings, solveLeafByQl);
}

/** The reduced decomposition from its stage and the tridiagonal's eigenpairs. */
export function reducedFromStage(
  { n, reflectorBlocks }: TridiagonalStage,
  tridiagonal: TridiagonalEigen,
  allocate: Allocate = allocateLocal,
): ReducedSymmetricEigen {
  const values = allocate(n);
  const vectors = allocate(n * n);
  // vectors[t][col] = component t of the col-th eigenvector of T: a transpose, in square tiles so the
  // strided writes stay in cache
  const order = descendingOrder(tridiagonal.values);
  order.forEach((source, col) => (values[col] = tridiagonal.values[source]));
  const tile = 32;
  for (let c0 = 0; c0 < n; c0 += tile)
    for (let t0 = 0; t0 < n; t0 += tile)
      for (let col = c0; col < Math.min(c0 + tile, n); col++) {
        const row = order[col] * n;
        for (let t = t0; t < Math.min(t0 + tile, n); t++) vectors[t * n + col] = tridiagonal.vectors[row + t];
      }
  return { n, values, tridiagonalVectors: vectors, reflectorBlocks };
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

/**
 * V[:, from..to-1]^T B for B (n x cols, row-major) without forming those columns of V: B is carried
 * through Q^T (the reflector blocks, last to first), then projected on the tridiagonal's vectors. The
 * reflectors cost about n^2 cols multiply-adds here, where forming the columns costs n^2 (to - from).
 * B is overwritten with Q^T B. Returns (to - from) x cols, row-major.
 */
export function projectOnEigenvectors(
  reduced: ReducedSymmetricEigen,
  b: Float64Array,
  cols: number,
  from: number,
  to: number,
  kernel?: EigenKernelName,
): Float64Array {
  const { n, tridiagonalVectors, reflectorBlocks } = reduced;
  const gemm = kernel === 'js' ? 'js' : 'wasm';
  for (let index = reflectorBlocks.length - 1; index >= 0; index--) {
    const { rows, width, y, tt } = reflectorBlocks[index];
    // each block is I - Y T Y^T; its transpose takes T^T, and tt holds T^T, so T is tt transposed
    const t = new Float64Array(width * width);
    for (let i = 0; i < width; i++) for (let j = 0; j < width; j++) t[j * width + i] = tt[i * width + j];
    const yb = multiplyTransposedA(y, width, rows, width, b, cols, gemm); // Y^T B
    const tyb = multiplyTransposedA(t, width, width, width, yb, cols, gemm); // T^T Y^T B
    subtractProductTransposedA(b, cols, y, width, width, rows, tyb, cols, gemm, true); // B -= Y T^T Y^T B
  }
  return multiplyTransposedA(tridiagonalVectors.subarray(from), n, n, to - from, b, cols, gemm);
}

/**
 * The leaves' working memory, one per thread for every leaf: the same ops object at every call keeps
 * `tridiagonalQl`'s calls into it monomorphic, so V8 optimises it once rather than again at the
 * next leaf's fresh closures.
 */
let leafOps: EigenOps | null = null;

/** The divide-and-conquer leaves: implicit QL with rotations on an identity start, in plain JS. */
function solveLeafByQl(d: Float64Array, e: Float64Array): TridiagonalEigen {
  const n = d.length;
  if (n > LEAF_SIZE) throw new RangeError(`a leaf of ${n} rows: at most ${LEAF_SIZE}`);
  leafOps ??= jsOps(workLayout(LEAF_SIZE).size);
  const ops = leafOps;
  const { D, E } = workLayout(n);
  const w = ops.mem;
  w.fill(0, 0, n * n);
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
      const row = j * b;
      tt.fill(0, row, row + j);
      tt[row + j] = tau[j];
      if (tau[j] === 0) continue;
      for (let l = 0; l < j; l++) x[l] = -tau[j] * inner[l * b + j];
      // T[l, j] = sum over m = l..j-1 of T[l, m] x[m], summed in that order for each l; row m of tt
      // holds T[0..m, m], so the inner loop runs along it and no sum waits on the one before
      for (let m = 0; m < j; m++) {
        const xm = x[m];
        const from = m * b;
        for (let l = 0; l <= m; l++) tt[row + l] += tt[from + l] * xm;
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
