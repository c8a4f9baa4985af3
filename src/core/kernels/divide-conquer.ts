/**
 * Every eigenpair of a symmetric tridiagonal matrix by divide and conquer (Cuppen's method with
 * Gu and Eisenstat's orthogonal eigenvectors, the scheme of LAPACK's dstedc). Almost all of the work
 * is matrix products, which run through the WebAssembly GEMM kernel; the QL alternative spends
 * ~3 n^3 flops in plane rotations that cannot be blocked.
 *
 * Split T = blockdiag(T1, T2) + rho v v^T, solve both halves, then the rank-one update
 * D + rho z z^T, z = blockdiag(Q1, Q2)^T v, whose eigenvalues are the roots of the secular equation
 *   f(lambda) = 1/rho + sum_j z_j^2 / (d_j - lambda) = 0.
 * Each root is kept as (pole d_K, offset tau) so every difference d_j - lambda is exact to rounding,
 * and z is recomputed from the roots (Gu and Eisenstat) so the vectors z / (d - lambda_i) come out
 * orthogonal to working precision even when roots crowd a pole.
 */
import { writeProductTransposedA } from './gemm';

const EPS = 2 ** -52;

/** Eigenpairs of a tridiagonal, vectors as rows: row j of `vectors` (n x n) is the vector of values[j]. */
export interface TridiagonalEigen {
  values: Float64Array;
  vectors: Float64Array;
}

/** Solves a small tridiagonal directly (diagonal d, e[i] coupling i and i+1); the recursion's leaves. */
export type LeafSolver = (d: Float64Array, e: Float64Array) => TridiagonalEigen;

/** Sizes at or below this are handed to the leaf solver. */
export const LEAF_SIZE = 48;

/**
 * The merges' working arrays, sized for the largest merge and shared by all of them: merges run one
 * after another, and nothing in these outlives its merge. Fresh arrays at every merge each cost page
 * faults, and their sum garbage collections (docs/benchmarks.md, "Memory the analysis reuses").
 */
interface MergeScratch {
  /** the block-diagonal eigenvector rows, n x n */
  rows: Float64Array;
  /** d_j - lambda_i, then U transposed, k x k */
  differences: Float64Array;
  /** rows of U transposed gathered for one column half, m x k */
  gathered: Float64Array;
  /** the eigenvector rows' part in one column half, m x width */
  halfRows: Float64Array;
}

/** Eigenvalues (unordered) and row eigenvectors of the tridiagonal with diagonal d and couplings e (length n - 1). */
export function divideAndConquer(d: Float64Array, e: Float64Array, solveLeaf: LeafSolver): TridiagonalEigen {
  const n = d.length;
  if (n <= LEAF_SIZE) return solveLeaf(d, e);
  const scratch: MergeScratch = {
    rows: new Float64Array(n * n),
    differences: new Float64Array(n * n),
    gathered: new Float64Array(n * n),
    halfRows: new Float64Array(n * (n - (n >> 1))),
  };
  return solve(d, e, solveLeaf, scratch);
}

function solve(
  d: Float64Array,
  e: Float64Array,
  solveLeaf: LeafSolver,
  scratch: MergeScratch,
): TridiagonalEigen {
  const n = d.length;
  if (n <= LEAF_SIZE) return solveLeaf(d, e);
  const n1 = n >> 1;
  const beta = e[n1 - 1];
  const rho = Math.abs(beta);
  const d1 = d.slice(0, n1);
  const d2 = d.slice(n1);
  d1[n1 - 1] -= rho;
  d2[0] -= rho;
  const top = solve(d1, e.slice(0, n1 - 1), solveLeaf, scratch);
  const bottom = solve(d2, e.slice(n1), solveLeaf, scratch);
  return mergeRankOne(top, bottom, n1, n - n1, rho, beta < 0 ? -1 : 1, scratch);
}

/**
 * Eigenpairs of blockdiag(T1, T2) + rho v v^T, v = [last unit vector; sign * first unit vector],
 * from those of T1 and T2. Each step is a function of its own: a merge runs once per call on large
 * arrays, so the first merges in a thread run while V8 optimises, and small functions are optimised
 * sooner and more cheaply than one large one.
 */
function mergeRankOne(
  top: TridiagonalEigen,
  bottom: TridiagonalEigen,
  n1: number,
  n2: number,
  rho: number,
  sign: number,
  scratch: MergeScratch,
): TridiagonalEigen {
  const n = n1 + n2;
  // rows of the block-diagonal eigenvector matrix, full length n; half of each row is zero until
  // a deflating rotation mixes a top and a bottom row
  const rows = scratch.rows.subarray(0, n * n);
  const poles = new Float64Array(n);
  const z = new Float64Array(n);
  blockDiagonal(top, bottom, sign, rows, poles, z);
  // z has norm sqrt(2) (a row of each orthogonal factor); scale it to 1 and move the factor into rho
  let norm2 = 0;
  for (let j = 0; j < n; j++) norm2 += z[j] * z[j];
  const scale = 1 / Math.sqrt(norm2);
  for (let j = 0; j < n; j++) z[j] *= scale;
  rho *= norm2;

  // which halves of the columns a row can be non-zero in: 1 top, 2 bottom, 3 both
  const halves = new Uint8Array(n);
  halves.fill(1, 0, n1).fill(2, n1);
  const { kept, deflated } = deflate(poles, z, rho, rows, halves);

  const k = kept.length;
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let slot = 0; slot < deflated.length; slot++) {
    const j = deflated[slot];
    values[k + slot] = poles[j];
    vectors.set(rows.subarray(j * n, (j + 1) * n), (k + slot) * n);
  }
  if (k === 0) return { values, vectors };

  const dk = Float64Array.from(kept, (j) => poles[j]);
  const zk = Float64Array.from(kept, (j) => z[j]);
  // differences[j k + i] = d_j - lambda_i (row j: pole j against every root), exact to rounding
  const differences = scratch.differences.subarray(0, k * k);
  secularRoots(dk, zk, rho, values, differences);
  const zHat = orthogonalWeights(dk, zk, rho, differences);
  // in place, differences become U transposed: row j holds component j of every u_i = zHat / (d - lambda_i)
  normalizedVectorsTransposed(zHat, differences, k);
  // new rows = U * kept rows, done per column half over only the rows that reach it
  rotateKeptRows(vectors, 0, n1, 1, kept, halves, differences, rows, n, scratch);
  rotateKeptRows(vectors, n1, n2, 2, kept, halves, differences, rows, n, scratch);
  return { values, vectors };
}

/** The rows, poles and z of blockdiag(T1, T2) from the halves' eigenpairs. */
function blockDiagonal(
  top: TridiagonalEigen,
  bottom: TridiagonalEigen,
  sign: number,
  rows: Float64Array,
  poles: Float64Array,
  z: Float64Array,
): void {
  const n1 = top.values.length;
  const n2 = bottom.values.length;
  const n = n1 + n2;
  rows.fill(0);
  for (let j = 0; j < n1; j++) {
    rows.set(top.vectors.subarray(j * n1, (j + 1) * n1), j * n);
    poles[j] = top.values[j];
    z[j] = top.vectors[j * n1 + n1 - 1];
  }
  for (let j = 0; j < n2; j++) {
    rows.set(bottom.vectors.subarray(j * n2, (j + 1) * n2), (n1 + j) * n + n1);
    poles[n1 + j] = bottom.values[j];
    z[n1 + j] = sign * bottom.vectors[j * n2];
  }
}

/**
 * Deflation (dlaed2): a negligible z_j leaves (d_j, row j) an eigenpair; two poles closer than the
 * tolerance are rotated so that one of them gets z = 0. Returns the poles kept for the secular
 * equation, ascending, and the deflated ones.
 */
function deflate(
  poles: Float64Array,
  z: Float64Array,
  rho: number,
  rows: Float64Array,
  halves: Uint8Array,
): { kept: number[]; deflated: number[] } {
  const n = poles.length;
  let largestPole = 0;
  let largestZ = 0;
  for (let j = 0; j < n; j++) {
    largestPole = Math.max(largestPole, Math.abs(poles[j]));
    largestZ = Math.max(largestZ, Math.abs(z[j]));
  }
  const tolerance = 8 * EPS * Math.max(largestPole, largestZ * rho);
  const order = ascendingOrder(poles);
  const kept: number[] = [];
  const deflated: number[] = [];
  let previous = -1;
  for (let at = 0; at < n; at++) {
    const j = order[at];
    if (rho * Math.abs(z[j]) <= tolerance) {
      deflated.push(j);
      continue;
    }
    if (previous >= 0) {
      const t = Math.hypot(z[previous], z[j]);
      const c = z[j] / t;
      const s = -z[previous] / t;
      if (Math.abs((poles[j] - poles[previous]) * c * s) <= tolerance) {
        z[j] = t;
        z[previous] = 0;
        rotateRows(rows, n, previous, j, c, s);
        halves[previous] = halves[j] = halves[previous] | halves[j];
        const dp = poles[previous];
        const dj = poles[j];
        poles[previous] = dp * c * c + dj * s * s;
        poles[j] = dp * s * s + dj * c * c;
        deflated.push(previous);
        previous = j;
        continue;
      }
      kept.push(previous);
    }
    previous = j;
  }
  if (previous >= 0) kept.push(previous);
  // the rotation above can move a pole past its neighbour by at most the tolerance: re-sort
  kept.sort((a, b) => poles[a] - poles[b]);
  return { kept, deflated };
}

/** The indices of `values` in ascending order of value. */
function ascendingOrder(values: Float64Array): number[] {
  const order = Array.from({ length: values.length }, (_, j) => j);
  return order.sort((a, b) => values[a] - values[b]);
}

/** Every root of the secular equation into `values`, and d_j - lambda_i into `differences` (k x k). */
function secularRoots(
  dk: Float64Array,
  zk: Float64Array,
  rho: number,
  values: Float64Array,
  differences: Float64Array,
): void {
  const k = dk.length;
  const delta = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    values[i] = secularRoot(dk, zk, rho, i, delta);
    for (let j = 0; j < k; j++) differences[j * k + i] = delta[j];
  }
}

/** Differences d_j - lambda_i become, in place, U transposed: u_i = zHat / (d - lambda_i), normalised. */
function normalizedVectorsTransposed(zHat: Float64Array, ut: Float64Array, k: number): void {
  const lengths = new Float64Array(k);
  for (let j = 0; j < k; j++)
    for (let i = 0, at = j * k; i < k; i++, at++) {
      const x = zHat[j] / ut[at];
      ut[at] = x;
      lengths[i] += x * x;
    }
  for (let i = 0; i < k; i++) lengths[i] = 1 / Math.sqrt(lengths[i]);
  for (let j = 0; j < k; j++) for (let i = 0, at = j * k; i < k; i++, at++) ut[at] *= lengths[i];
}

/**
 * Columns [c0, c0 + width) of the first k new rows: U times the kept rows that reach those columns
 * (`half` set in `halves`); zero where none does.
 */
function rotateKeptRows(
  vectors: Float64Array,
  c0: number,
  width: number,
  half: number,
  kept: number[],
  halves: Uint8Array,
  ut: Float64Array,
  rows: Float64Array,
  n: number,
  scratch: MergeScratch,
): void {
  const k = kept.length;
  let m = 0;
  for (let index = 0; index < k; index++) {
    const j = kept[index];
    if ((halves[j] & half) === 0) continue;
    scratch.gathered.set(ut.subarray(index * k, (index + 1) * k), m * k);
    scratch.halfRows.set(rows.subarray(j * n + c0, j * n + c0 + width), m * width);
    m++;
  }
  if (m === 0) return;
  const a = scratch.gathered.subarray(0, m * k);
  const b = scratch.halfRows.subarray(0, m * width);
  writeProductTransposedA(vectors.subarray(c0), n, a, k, m, k, b, width); // k x width
}

/** Rows p, q of an n-column matrix become (c p + s q, c q - s p): the rotation that zeroes z_p. */
function rotateRows(rows: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  const rp = p * n;
  const rq = q * n;
  for (let t = 0; t < n; t++) {
    const x = rows[rp + t];
    const y = rows[rq + t];
    rows[rp + t] = c * x + s * y;
    rows[rq + t] = c * y - s * x;
  }
}

/**
 * Root i of 1/rho + sum_j z_j^2 / (d_j - lambda) (d ascending, z != 0, sum z^2 = 1): it lies in
 * (d_i, d_{i+1}), or (d_{k-1}, d_{k-1} + rho] for the last. The iteration fits two poles' rational
 * model to the value and slope (Bunch, Nielsen and Sorensen), kept inside a shrinking bracket.
 * Leaves d_j - lambda in `differences` and returns lambda.
 */
function secularRoot(
  d: Float64Array,
  z: Float64Array,
  rho: number,
  i: number,
  differences: Float64Array,
): number {
  const k = d.length;
  const last = i === k - 1;
  const gap = last ? rho : d[i + 1] - d[i];
  // origin at the nearer pole: the sign of f halfway decides which one
  let origin = i;
  if (!last) {
    let f = 1 / rho;
    for (let j = 0; j < k; j++) f += (z[j] * z[j]) / (d[j] - d[i] - gap / 2);
    if (f < 0) origin = i + 1;
  }
  const base = d[origin];
  const delta = differences; // d_j - d_origin, then d_j - lambda
  for (let j = 0; j < k; j++) delta[j] = d[j] - base;
  // tau = lambda - d_origin lies in (lo, hi)
  let lo = origin === i ? 0 : -gap / 2;
  let hi = origin === i ? (last ? gap : gap / 2) : 0;
  let tau = origin === i ? hi : lo;
  const left = delta[i];
  const right = last ? Infinity : delta[i + 1];
  for (let iteration = 0; iteration < 100; iteration++) {
    let psi = 0;
    let psiSlope = 0;
    let phi = 0;
    let phiSlope = 0;
    for (let j = 0; j <= i; j++) {
      const t = z[j] / (delta[j] - tau);
      psi += z[j] * t;
      psiSlope += t * t;
    }
    for (let j = i + 1; j < k; j++) {
      const t = z[j] / (delta[j] - tau);
      phi += z[j] * t;
      phiSlope += t * t;
    }
    const f = 1 / rho + psi + phi;
    if (Math.abs(f) <= 8 * EPS * k * (1 / rho + Math.abs(psi) + Math.abs(phi))) break;
    if (f < 0) lo = Math.max(lo, tau);
    else hi = Math.min(hi, tau);
    if (hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) break;
    // model: c + s / (left - x) + S / (right - x), matching psi, phi and their slopes at tau
    const toLeft = left - tau;
    const s = toLeft * toLeft * psiSlope;
    const c0 = 1 / rho + psi - s / toLeft;
    let next: number;
    if (last) {
      const c = c0;
      next = c > 0 ? left + s / c : NaN;
    } else {
      const toRight = right - tau;
      const big = toRight * toRight * phiSlope;
      const c = c0 + phi - big / toRight;
      const span = right - left;
      if (origin === i) {
        const b = c * span + s + big;
        next = left + (2 * s * span) / (b + Math.sqrt(Math.max(0, b * b - 4 * c * s * span)));
      } else {
        const b = -c * span + big + s;
        next = right - (2 * big * span) / (b + Math.sqrt(Math.max(0, b * b + 4 * c * big * span)));
      }
    }
    tau = next > lo && next < hi ? next : (lo + hi) / 2;
  }
  for (let j = 0; j < k; j++) delta[j] -= tau;
  return base + tau;
}

/**
 * Gu and Eisenstat's z: the vector for which the computed roots are exact eigenvalues of
 * D + rho zHat zHat^T, zHat_j^2 = prod_i (lambda_i - d_j) / (rho prod_{i != j} (d_i - d_j)),
 * evaluated as a product of O(1) ratios; the sign is z's.
 */
function orthogonalWeights(
  d: Float64Array,
  z: Float64Array,
  rho: number,
  differences: Float64Array,
): Float64Array {
  const k = d.length;
  const zHat = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const row = j * k; // differences[row + i] = d_j - lambda_i
    let w = -differences[row + j] / rho;
    for (let i = 0; i < k; i++) if (i !== j) w *= -differences[row + i] / (d[i] - d[j]);
    zHat[j] = Math.sign(z[j]) * Math.sqrt(Math.max(0, w));
  }
  return zHat;
}
