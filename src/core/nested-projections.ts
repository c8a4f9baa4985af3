/**
 * Nested projections by a Cholesky factorisation with skips (docs/method.md §4.1): the share of a
 * target's energy inside the span of the first k of K directions, k = 1..K, from their Gram matrix
 * and the target's projections on them, never from rows.
 */

/**
 * docs/method.md §4.1: direction k adds nothing when its pivot (the squared norm of what is left of it
 * after the earlier kept directions) is at or below this share of its own squared norm G_kk.
 */
export const RESIDUAL_TOLERANCE = 1e-10;

/**
 * Pi(k) = sum_{j<=k, kept} ||c_j||^2 / energy, k = 1..K, for directions with Gram matrix `gram`
 * (K x K, row-major, symmetric) and target projections `projections` (b = directions^T target,
 * K x width, row-major): the Cholesky G = L L^T runs in order k = 1..K, skipping k when its pivot
 * G_kk - ||l_k||^2 <= 1e-10 G_kk (directions dependent on earlier ones, more directions than rows,
 * a direction without energy), and c_k = (b_k - l_k^T c_<k) / L_kk. Each direction's scale cancels,
 * so G may be formed from unnormalised directions. `energy` is the target's total squared norm in the
 * same units as G and b (tr S_gg): the result lies in [0, 1] up to rounding and never decreases.
 * Cost K^3 / 6 multiply-adds for the factor, K^2 width for the coefficients.
 */
export function nestedProjections(
  gram: Float64Array,
  count: number,
  projections: Float64Array,
  width: number,
  energy: number,
): number[] {
  // Row k of the factor holds l_kj for the kept j < k, in the order they were kept (t = 0, 1, ...),
  // so the inner loops run over contiguous memory; the kept directions' pivots and coefficients are
  // packed the same way.
  const lower = new Float64Array(count * count);
  const pivots = new Float64Array(count);
  const coefficients = new Float64Array(count * width);
  const sums = new Float64Array(width);
  const keptIndex = new Int32Array(count);
  let keptCount = 0;
  let captured = 0;
  const curve: number[] = [];
  for (let k = 0; k < count; k++) {
    const row = k * count;
    let residual = gram[row + k];
    for (let t = 0; t < keptCount; t++) {
      // the direction kept t-th, whose packed row holds t values
      const j = keptIndex[t];
      const rowJ = t * count;
      let s = gram[row + j];
      for (let u = 0; u < t; u++) s -= lower[row + u] * lower[rowJ + u];
      const value = s / pivots[t];
      lower[row + t] = value;
      residual -= value * value;
    }
    if (residual > RESIDUAL_TOLERANCE * gram[row + k]) {
      const pivot = Math.sqrt(residual);
      for (let c = 0; c < width; c++) sums[c] = projections[k * width + c];
      for (let t = 0; t < keptCount; t++) {
        const l = lower[row + t];
        const from = t * width;
        for (let c = 0; c < width; c++) sums[c] -= l * coefficients[from + c];
      }
      const to = keptCount * width;
      for (let c = 0; c < width; c++) {
        const coefficient = sums[c] / pivot;
        coefficients[to + c] = coefficient;
        captured += coefficient * coefficient;
      }
      // the kept direction's own row moves to its packed place
      if (keptCount !== k) lower.copyWithin(keptCount * count, row, row + keptCount);
      pivots[keptCount] = pivot;
      keptIndex[keptCount++] = k;
    }
    curve.push(captured / energy);
  }
  return curve;
}
