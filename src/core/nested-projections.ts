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
 * The Cholesky G = L L^T of K directions' Gram matrix, run in order k = 1..K and skipping k when its
 * pivot G_kk - ||l_k||^2 <= 1e-10 G_kk (directions dependent on earlier ones, more directions than
 * rows, a direction without energy). It depends on the directions only, so every target measured
 * on them shares one.
 */
export interface NestedFactor {
  /** K */
  count: number;
  /** the kept directions, in order */
  kept: Int32Array;
  keptCount: number;
  /** L_ss of the s-th kept direction */
  pivots: Float64Array;
  /** column t of L over the kept directions: `columns[t K + s]` = L_st for s > t (positions in `kept`) */
  columns: Float64Array;
}

/** The factor of `gram` (K x K, row-major, symmetric). Cost K^3 / 6 multiply-adds. */
export function nestedFactor(gram: Float64Array, count: number): NestedFactor {
  const kept = new Int32Array(count);
  const pivots = new Float64Array(count);
  const columns = new Float64Array(count * count);
  // l_k over the directions kept so far: starts as G_kj and is solved in place, a column of L at a
  // time, so that the inner loop runs over contiguous memory with no sum waiting on the one before
  const row = new Float64Array(count);
  let keptCount = 0;
  for (let k = 0; k < count; k++) {
    const from = k * count;
    for (let t = 0; t < keptCount; t++) row[t] = gram[from + kept[t]];
    let residual = gram[from + k];
    for (let t = 0; t < keptCount; t++) {
      const value = row[t] / pivots[t];
      row[t] = value;
      residual -= value * value;
      const column = t * count;
      for (let s = t + 1; s < keptCount; s++) row[s] -= value * columns[column + s];
    }
    if (residual > RESIDUAL_TOLERANCE * gram[from + k]) {
      for (let t = 0; t < keptCount; t++) columns[t * count + keptCount] = row[t];
      pivots[keptCount] = Math.sqrt(residual);
      kept[keptCount++] = k;
    }
  }
  return { count, kept, keptCount, pivots, columns };
}

/**
 * Pi(k) = sum_{j<=k, kept} ||c_j||^2 / energy, k = 1..K, for a target with projections `projections`
 * on the factor's directions (b = directions^T target, K x width, row-major), where
 * c_s = (b_s - sum_{t<s} L_st c_t) / L_ss over the kept directions. Each direction's scale cancels, so
 * G may be formed from unnormalised directions. `energy` is the target's total squared norm in the
 * same units as G and b (tr S_gg): the result lies in [0, 1] up to rounding and never decreases.
 * Cost K^2 width / 2 multiply-adds.
 */
export function nestedCurve(
  factor: NestedFactor,
  projections: Float64Array,
  width: number,
  energy: number,
): number[] {
  const { count, kept, keptCount, pivots, columns } = factor;
  const coefficients = new Float64Array(keptCount * width);
  const sums = new Float64Array(width);
  const curve: number[] = [];
  let captured = 0;
  let s = 0;
  for (let k = 0; k < count; k++) {
    if (s < keptCount && kept[s] === k) {
      for (let c = 0; c < width; c++) sums[c] = projections[k * width + c];
      for (let t = 0; t < s; t++) {
        const l = columns[t * count + s];
        const from = t * width;
        for (let c = 0; c < width; c++) sums[c] -= l * coefficients[from + c];
      }
      const to = s * width;
      for (let c = 0; c < width; c++) {
        const coefficient = sums[c] / pivots[s];
        coefficients[to + c] = coefficient;
        captured += coefficient * coefficient;
      }
      s++;
    }
    curve.push(captured / energy);
  }
  return curve;
}
