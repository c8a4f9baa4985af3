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
 * Householder reduction of the symmetric matrix held in `w` (n x n, symmetric, row-major) to
 * tridiagonal form: on return d is the diagonal, e[1..n-1] the subdiagonal (e[0] = 0), and, when
 * `accumulate`, w holds Q transposed (row j = column j of Q); otherwise w's strict lower part (in the
 * transposed sense) holds the Householder vectors and `hs` their scalars.
 */
function tridiagonalize(w: Float64Array, n: number, d: Float64Array, e: Float64Array, accumulate: boolean, hs?: Float64Array): void {
  // V(r, c) is w[c * n + r]
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
      if (hs) hs[i] = 0;
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        w[i * n + j] = f; // V(j, i) = f
        const col = j * n;
        g = e[j] + w[col + j] * f;
        for (let k = j + 1; k < i; k++) {
          const v = w[col + k];
          g += v * d[k];
          e[k] += v * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const col = j * n;
        for (let k = j; k < i; k++) w[col + k] -= f * e[k] + g * d[k];
        d[j] = w[col + i - 1];
        w[col + i] = 0; // V(i, j) = 0
      }
      if (hs) hs[i] = h;
    }
    d[i] = h;
  }
  if (!accumulate) {
    // d[i] held h_i; the tridiagonal diagonal is read from w's diagonal below
    for (let i = 0; i < n; i++) d[i] = w[i * n + i];
    e[0] = 0;
    return;
  }
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i]; // V(n-1, i) = V(i, i)
    w[i * n + i] = 1;
    const h = d[i + 1];
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[next + k] / h;
      for (let j = 0; j <= i; j++) {
        const col = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[next + k] * w[col + k];
        for (let k = 0; k <= i; k++) w[col + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) w[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1];
    w[j * n + n - 1] = 0;
  }
  w[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Implicit QL on the tridiagonal (d, e with e[i] coupling i-1 and i). With `w`, the rotations are
 * applied to its rows (row j = eigenvector column j). Eigenvalues are left unsorted in d.
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, n: number, w: Float64Array | null): void {
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
          if (w) {
            const a = i * n;
            const b = (i + 1) * n;
            for (let k = 0; k < n; k++) {
              const x = w[b + k];
              const y = w[a + k];
              w[b + k] = s * y + c * x;
              w[a + k] = c * y - s * x;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

function descendingOrder(values: Float64Array): number[] {
  return Array.from(values, (_, i) => i).sort((i, j) => values[j] - values[i]);
}

/** Every eigenpair of the symmetric n x n row-major `a` (the lower triangle is read). */
export function denseSymmetricEigen(a: Float64Array, n: number): EigenResult {
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0), columns: 0 };
  // w = a^T: with V(r, c) = w[c n + r], V starts as a's lower triangle read row-wise
  const w = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c <= r; c++) w[c * n + r] = a[r * n + c];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(w, n, d, e, true);
  tridiagonalQl(d, e, n, w);
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
