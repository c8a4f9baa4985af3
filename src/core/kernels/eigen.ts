/**
 * Dense symmetric eigensolvers on flat Float64Array storage (the implementation behind
 * `symmetricEigen` and `topEigen` of src/core/linalg.ts).
 *
 * `denseSymmetricEigen`: Householder tridiagonalisation + implicit QL with shifts (the EISPACK
 * tred2/tql2 pair, as in JAMA), every eigenvector. The working matrix is kept transposed (row j of
 * `w` holds column j of V), so every O(n^3) inner loop runs over contiguous memory.
 *
 * `topSymmetricEigen`: the same tridiagonalisation without accumulating Q (half the work), all
 * eigenvalues by implicit QL without vectors (O(n^2)), the top k eigenvectors of the tridiagonal by
 * inverse iteration (re-orthogonalised against the earlier ones), mapped back through the
 * Householder reflectors (O(n^2 k)). Residuals ||A v - lambda v|| are checked and the caller falls
 * back to the dense solver when they are not small.
 */
import { eigenWasmBase64 } from './eigen-wasm.generated';
import { compileBase64Module } from './wasm';

export interface EigenResult {
  /** eigenvalues, descending */
  values: Float64Array;
  /** n x n row-major; column k is the unit eigenvector of values[k] (k < columns) */
  vectors: Float64Array;
  /** columns of `vectors` that hold eigenvectors (n for the dense solver) */
  columns: number;
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
  /** returns sum_k mem[v + k] mem[d + k]; mem[e + k] += f mem[v + k] */
  dotaxpy(v: number, d: number, e: number, len: number, f: number): number;
  /** mem[w + k] -= f mem[e + k] + g mem[d + k] */
  rank2(w: number, e: number, d: number, len: number, f: number, g: number): void;
  /**
   * Deferred QL sweeps: sweep t (of `count`) is (lo, hi, off) at mem[desc + 3t ..]; for i = hi - 1 down
   * to lo, rows i, i+1 (a, b) of the n-column matrix at w become (c a - s b, s a + c b) with
   * (c, s) = (mem[cs + off + i - lo], mem[ss + off + i - lo]).
   */
  rotbatch(w: number, n: number, desc: number, count: number, cs: number, ss: number): void;
}

function jsOps(size: number): EigenOps {
  const mem = new Float64Array(size);
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
    dotaxpy(v, d, e, len, f) {
      let s = 0;
      for (let k = 0; k < len; k++) {
        const x = mem[v + k];
        s += x * mem[d + k];
        mem[e + k] += x * f;
      }
      return s;
    },
    rank2(w, e, d, len, f, g) {
      for (let k = 0; k < len; k++) mem[w + k] -= f * mem[e + k] + g * mem[d + k];
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
  dotaxpy(v: number, d: number, e: number, len: number, f: number): number;
  rank2(w: number, e: number, d: number, len: number, f: number, g: number): void;
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
    dotaxpy: (v, d, e, len, f) => x.dotaxpy(v * 8, d * 8, e * 8, len, f),
    rank2: (w, e, d, len, f, g) => x.rank2(w * 8, e * 8, d * 8, len, f, g),
    rotbatch: (w, n, desc, count, cs, ss) =>
      x.rotbatch(w * 8, n, desc * 8, count, cs * 8, ss * 8, ROTATION_BLOCK_COLUMNS),
  };
}

export type EigenKernelName = 'wasm' | 'js';

/** Columns of the working matrix rotated together (a 32-column block of every row fits in L2). */
const ROTATION_BLOCK_COLUMNS = 32;
/** Deferred QL rotations held before they are applied: this many times n (c, s) pairs. */
const ROTATION_BATCH = 16;

/** Working memory: w (n x n) at 0, then d, e (n each), cs, ss (ROTATION_BATCH n each), sweep descriptors. */
function workLayout(n: number) {
  const D = n * n;
  const E = D + n;
  const CS = E + n;
  const SS = CS + ROTATION_BATCH * n;
  const DESC = SS + ROTATION_BATCH * n;
  return { D, E, CS, SS, DESC, size: DESC + 3 * ROTATION_BATCH * n };
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
  const D = n * n;
  const E = D + n;
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
      for (let j = 0; j < i; j++) {
        f = w[D + j];
        w[i * n + j] = f; // V(j, i) = f
        const col = j * n;
        g = w[E + j] + w[col + j] * f;
        g += ops.dotaxpy(col + j + 1, D + j + 1, E + j + 1, i - j - 1, f);
        w[E + j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        w[E + j] /= h;
        f += w[E + j] * w[D + j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) w[E + j] -= hh * w[D + j];
      for (let j = 0; j < i; j++) {
        f = w[D + j];
        g = w[E + j];
        const col = j * n;
        ops.rank2(col + j, E + j, D + j, i - j, f, g);
        w[D + j] = w[col + i - 1];
        w[col + i] = 0; // V(i, j) = 0
      }
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

/** Copies a's lower triangle into the solver's transposed working matrix. */
function loadLower(ops: EigenOps, a: Float64Array, n: number): void {
  const w = ops.mem;
  for (let r = 0; r < n; r++) for (let c = 0; c <= r; c++) w[c * n + r] = a[r * n + c];
}

/** Every eigenpair of the symmetric n x n row-major `a` (the lower triangle is read). */
export function denseSymmetricEigen(a: Float64Array, n: number, kernel?: EigenKernelName): EigenResult {
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0), columns: 0 };
  const ops = createOps(n, kernel);
  loadLower(ops, a, n);
  tridiagonalize(ops, n, true, null);
  tridiagonalQl(ops, n, true);
  const w = ops.mem;
  const d = w.subarray(n * n, n * n + n);
  const order = descendingOrder(d);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((source, k) => {
    values[k] = d[source];
    const row = source * n;
    for (let i = 0; i < n; i++) vectors[i * n + k] = w[row + i];
  });
  return { values, vectors, columns: n };
}

/**
 * LU with partial pivoting of the tridiagonal T - sigma I (diagonal d, e[i] coupling i and i+1), then
 * the solve (T - sigma I) x = b in place of b. Zero pivots become `tiny` (inverse iteration wants the
 * near-singular solve).
 */
function solveShiftedTridiagonal(
  d: Float64Array,
  e: Float64Array,
  n: number,
  sigma: number,
  tiny: number,
  b: Float64Array,
  work: { u0: Float64Array; u1: Float64Array; u2: Float64Array },
): void {
  const { u0, u1, u2 } = work;
  let r0 = d[0] - sigma;
  let r1 = n > 1 ? e[0] : 0;
  let r2 = 0;
  let cur = b[0];
  for (let i = 0; i < n - 1; i++) {
    const s0 = e[i];
    const s1 = d[i + 1] - sigma;
    const s2 = i + 1 < n - 1 ? e[i + 1] : 0;
    const next = b[i + 1];
    if (Math.abs(r0) >= Math.abs(s0)) {
      if (r0 === 0) r0 = tiny;
      const m = s0 / r0;
      u0[i] = r0;
      u1[i] = r1;
      u2[i] = r2;
      b[i] = cur;
      cur = next - m * cur;
      r0 = s1 - m * r1;
      r1 = s2 - m * r2;
    } else {
      const m = r0 / s0;
      u0[i] = s0;
      u1[i] = s1;
      u2[i] = s2;
      b[i] = next;
      cur -= m * next;
      r0 = r1 - m * s1;
      r1 = r2 - m * s2;
    }
    r2 = 0;
  }
  u0[n - 1] = r0 === 0 ? tiny : r0;
  b[n - 1] = cur;
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    if (i + 1 < n) s -= u1[i] * b[i + 1];
    if (i + 2 < n) s -= u2[i] * b[i + 2];
    b[i] = s / (Math.abs(u0[i]) < tiny ? Math.sign(u0[i] || 1) * tiny : u0[i]);
  }
}

/** Relative residual tolerance of topSymmetricEigen before it falls back to the dense solver. */
export const TOP_EIGEN_RESIDUAL = 1e-9;

/**
 * Every eigenvalue and the top k eigenvectors of the symmetric n x n row-major `a` (lower triangle
 * read): tridiagonalisation without Q, implicit QL for the eigenvalues, inverse iteration on the
 * tridiagonal for the k largest (re-orthogonalised within clusters of close eigenvalues, as LAPACK
 * dstein), back-transformation by the Householder reflectors. Cost about (4/3) n^3 + 4 n^2 k flops
 * against the dense solver's ~(8/3 + 3) n^3. When a sampled residual ||A v - lambda v|| exceeds
 * TOP_EIGEN_RESIDUAL ||A||, the dense solver's answer is returned instead (`columns` = n).
 * `vectors` is n x n row-major like the dense result; columns >= `columns` are zero.
 */
export function topSymmetricEigen(
  a: Float64Array,
  n: number,
  k: number,
  kernel?: EigenKernelName,
): EigenResult {
  k = Math.max(0, Math.min(n, Math.floor(k)));
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0), columns: 0 };
  const ops = createOps(n, kernel, k * n);
  loadLower(ops, a, n);
  const hs = new Float64Array(n);
  tridiagonalize(ops, n, false, hs);
  const mem = ops.mem;
  const { D, E, size } = workLayout(n);
  const diagonal = mem.slice(D, D + n);
  const coupling = new Float64Array(n); // coupling[i] joins i and i+1
  for (let i = 1; i < n; i++) coupling[i - 1] = mem[E + i];
  tridiagonalQl(ops, n, false);
  const order = descendingOrder(mem.subarray(D, D + n));
  const values = Float64Array.from(order, (i) => mem[D + i]);
  let norm = 0;
  for (let i = 0; i < n; i++)
    norm = Math.max(
      norm,
      Math.abs(diagonal[i]) + Math.abs(coupling[i]) + (i > 0 ? Math.abs(coupling[i - 1]) : 0),
    );
  const work = { u0: new Float64Array(n), u1: new Float64Array(n), u2: new Float64Array(n) };
  const tiny = Math.max(EPS * norm, Number.MIN_VALUE);
  const clusterGap = 1e-3 * norm;
  const Z = size; // vector j of the tridiagonal at mem[Z + j n ..]
  let clusterStart = 0;
  let sigma = Infinity;
  const random = (seed: number) => () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  for (let j = 0; j < k; j++) {
    const lambda = values[j];
    if (j > 0 && values[j - 1] - lambda > clusterGap) clusterStart = j;
    // separate equal eigenvalues so the solves differ
    sigma = j > clusterStart && sigma - lambda < 10 * EPS * norm ? sigma - 10 * EPS * norm : lambda;
    const z = mem.subarray(Z + j * n, Z + (j + 1) * n);
    const next = random(1 + j);
    for (let i = 0; i < n; i++) z[i] = next();
    for (let iteration = 0; iteration < 3; iteration++) {
      solveShiftedTridiagonal(diagonal, coupling, n, sigma, tiny, z, work);
      for (let pass = 0; pass < 2; pass++) {
        for (let l = clusterStart; l < j; l++) {
          const g = ops.dot(Z + l * n, Z + j * n, n);
          ops.axpy(Z + j * n, Z + l * n, n, -g);
        }
      }
      const length = Math.sqrt(ops.dot(Z + j * n, Z + j * n, n));
      for (let i = 0; i < n; i++) z[i] /= length;
    }
  }
  // back-transformation v = P_{n-1} ... P_1 z, with P_i = I - u_i u_i^T / h_i, u_i = row i of w (0..i-1)
  for (let i = 1; i < n; i++) {
    const h = hs[i];
    if (h === 0) continue;
    for (let j = 0; j < k; j++) {
      const g = ops.dot(i * n, Z + j * n, i) / h;
      if (g !== 0) ops.axpy(Z + j * n, i * n, i, -g);
    }
  }
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) vectors[i * n + j] = mem[Z + j * n + i];
  const scale = Math.max(Math.abs(values[0]), Math.abs(values[n - 1]));
  const samples = new Set<number>();
  for (let s = 0; s < Math.min(k, 12); s++)
    samples.add(Math.floor((s * (k - 1)) / Math.max(1, Math.min(k, 12) - 1)));
  for (const j of samples) {
    let r2 = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += (l <= i ? a[i * n + l] : a[l * n + i]) * vectors[l * n + j];
      r2 += (s - values[j] * vectors[i * n + j]) ** 2;
    }
    if (!(Math.sqrt(r2) <= TOP_EIGEN_RESIDUAL * scale)) return denseSymmetricEigen(a, n, kernel);
  }
  return { values, vectors, columns: k };
}
