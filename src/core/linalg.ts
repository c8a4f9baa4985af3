/**
 * Dense linear algebra on row-major Float64Array matrices. The symmetric eigensolver's entry points
 * live here: every rank and pseudo-inverse goes through `symmetricEigen`, the feature spectrum through
 * `reducedSymmetricEigen` (the same solver, stopped before the eigenvectors are formed), so a faster
 * solver replaces one module (src/core/kernels/eigen.ts).
 */
import type { TridiagonalEigen } from './kernels/divide-conquer';
import {
  denseSymmetricEigen,
  eigenvectorColumns,
  projectOnEigenvectors,
  reducedFromStage,
  reduceSymmetric,
  solveTridiagonal,
  tridiagonalStage,
  type ReducedSymmetricEigen,
  type TridiagonalStage,
} from './kernels/eigen';
import type { Allocate } from './types';

export interface SymmetricEigen {
  /** eigenvalues, descending */
  values: Float64Array;
  /** n x n row-major; column k is the unit eigenvector of values[k] */
  vectors: Float64Array;
}

/**
 * Eigendecomposition of a symmetric n x n matrix (row-major; only symmetry is assumed, the
 * lower triangle is read). Householder tridiagonalisation + divide and conquer in float64 on flat
 * arrays (src/core/kernels/eigen.ts; tested against ml-matrix and the QL method in kernels.test.ts).
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n * n} entries, got ${a.length}`);
  const { values, vectors } = denseSymmetricEigen(a, n);
  return { values, vectors };
}

export { eigenvectorColumns, projectOnEigenvectors, type ReducedSymmetricEigen };

/**
 * The same decomposition in two steps, for callers that solve the tridiagonal on another thread
 * (src/analysis/thread-halves.ts); `tridiagonalStage` is null where there is no such stage.
 */
export { reducedFromStage, solveTridiagonal, tridiagonalStage, type TridiagonalEigen, type TridiagonalStage };

/**
 * `symmetricEigen` of A / divisor up to forming the eigenvectors, which `eigenvectorColumns` then does
 * for any block of columns: for callers that need some of the vectors, or share them among threads.
 * `projectOnEigenvectors` gives V^T B without them.
 * A is n x n with rows `stride` apart (a block of a wider matrix, read in place); the result's arrays
 * come from `allocate`.
 */
export function reducedSymmetricEigen(
  a: Float64Array,
  n: number,
  { allocate, stride = n, divisor = 1 }: { allocate?: Allocate; stride?: number; divisor?: number } = {},
): ReducedSymmetricEigen {
  if (a.length < (n - 1) * stride + n)
    throw new RangeError(`reducedSymmetricEigen: ${a.length} entries cannot hold ${n} rows ${stride} apart`);
  return reduceSymmetric(a, n, { allocate, stride, divisor });
}

/** Copy of the block rows [r0, r0+rows) x cols [c0, c0+cols) of a row-major matrix with `stride` columns. */
export function block(
  a: Float64Array,
  stride: number,
  r0: number,
  rows: number,
  c0: number,
  cols: number,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    out.set(a.subarray((r0 + i) * stride + c0, (r0 + i) * stride + c0 + cols), i * cols);
  return out;
}

/** Sum of squares of all entries (the squared Frobenius norm). */
export function sumOfSquares(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** Trace of a square row-major n x n matrix. */
export function trace(a: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += a[i * n + i];
  return t;
}

/** y = A x for a row-major rows x cols matrix. */
export function matVec(a: Float64Array, rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += a[o + j] * x[j];
    y[i] = s;
  }
  return y;
}
