/**
 * Small dense helpers for the core's tests: building matrices with known structure.
 * Not used by the app; kept apart so the production modules stay minimal.
 */
import { normalMatrix } from './random';

/** A (rows x inner) times B (inner x cols), row-major. */
export function multiply(
  a: Float64Array,
  b: Float64Array,
  rows: number,
  inner: number,
  cols: number,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < inner; k++) {
      const v = a[i * inner + k];
      for (let j = 0; j < cols; j++) out[i * cols + j] += v * b[k * cols + j];
    }
  return out;
}

/** Orthonormal columns (modified Gram-Schmidt, twice for stability) spanning the columns of a rows x cols matrix. */
export function orthonormalColumns(a: Float64Array, rows: number, cols: number): Float64Array {
  const q = a.slice();
  for (let pass = 0; pass < 2; pass++)
    for (let j = 0; j < cols; j++) {
      for (let k = 0; k < j; k++) {
        let d = 0;
        for (let i = 0; i < rows; i++) d += q[i * cols + j] * q[i * cols + k];
        for (let i = 0; i < rows; i++) q[i * cols + j] -= d * q[i * cols + k];
      }
      let norm = 0;
      for (let i = 0; i < rows; i++) norm += q[i * cols + j] ** 2;
      norm = Math.sqrt(norm);
      for (let i = 0; i < rows; i++) q[i * cols + j] /= norm;
    }
  return q;
}

/** A random orthogonal size x size matrix. */
export function randomRotation(size: number, seed: number): Float64Array {
  return orthonormalColumns(normalMatrix(size, size, seed), size, size);
}

/** Subtracts column means in place and returns the matrix. */
export function centreColumns(a: Float64Array, rows: number, cols: number): Float64Array {
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += a[i * cols + j];
    for (let i = 0; i < rows; i++) a[i * cols + j] -= s / rows;
  }
  return a;
}

/** Adds a row vector to every row. */
export function addToRows(
  a: Float64Array,
  rows: number,
  cols: number,
  offset: ArrayLike<number>,
): Float64Array {
  const out = a.slice();
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] += offset[j];
  return out;
}

/** Rows reordered by `order`. */
export function permuteRows(a: ArrayLike<number>, rows: number, cols: number, order: number[]): Float64Array {
  const out = new Float64Array(rows * cols);
  order.forEach((source, i) => {
    for (let j = 0; j < cols; j++) out[i * cols + j] = a[source * cols + j];
  });
  return out;
}

/** One-hot matrix (rows x classes) of integer labels. */
export function oneHot(labels: ArrayLike<number>, classes: number): Float64Array {
  const out = new Float64Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]] = 1;
  return out;
}
