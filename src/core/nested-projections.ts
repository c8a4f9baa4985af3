/**
 * Nested projections by a Cholesky factorisation with skips (docs/method.md §4.1): the share of a
 * target's energy inside the span of the first k of K directions, k = 1..K, from their Gram matrix
 * and the target's projections on them, never from rows.
 */
import { subtractProductTransposedA } from './kernels/gemm';
import { allocateLocal, type Allocate } from './types';

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

/**
 * Rows a block of the triangular solves takes at a time: within a block the solve runs row by row, and
 * everything a block contributes to the rows after it is one matrix product (kernels/gemm.ts), which
 * does almost all the multiply-adds.
 */
const SOLVE_BLOCK = 64;

/** Candidates a block of the factorisation takes at a time (the rest is one solve and one product). */
const FACTOR_BLOCK = 128;

/**
 * Solves L X = B in place for the first `rows` kept directions of a factor under construction
 * (`columns` and `pivots` as in NestedFactor; B: rows x width, row-major): forward substitution.
 */
function solveLower(
  columns: Float64Array,
  pivots: Float64Array,
  count: number,
  rows: number,
  b: Float64Array,
  width: number,
): void {
  for (let t0 = 0; t0 < rows; t0 += SOLVE_BLOCK) {
    const t1 = Math.min(rows, t0 + SOLVE_BLOCK);
    for (let s = t0; s < t1; s++) {
      const to = s * width;
      for (let t = t0; t < s; t++) {
        const l = columns[t * count + s];
        const from = t * width;
        for (let c = 0; c < width; c++) b[to + c] -= l * b[from + c];
      }
      const pivot = pivots[s];
      for (let c = 0; c < width; c++) b[to + c] /= pivot;
    }
    // rows t1.. less sum over t in the block of L_st x_t: column t of L is row t of `columns`
    if (t1 < rows)
      subtractProductTransposedA(
        b.subarray(t1 * width),
        width,
        columns.subarray(t0 * count + t1),
        count,
        t1 - t0,
        rows - t1,
        b.subarray(t0 * width),
        width,
      );
  }
}

/**
 * The factor of `gram` (K x K, row-major, symmetric). Cost K^3 / 6 multiply-adds, by blocks of
 * candidates: the block's rows of L over the directions kept before it are one triangular solve, what
 * they take from the block's Gram one product, and the block itself the same factorisation with skips
 * on what is left (its pivots judged against G_kk, as unblocked). `allocate` places L (K x K), which
 * another thread may then read.
 */
export function nestedFactor(
  gram: Float64Array,
  count: number,
  allocate: Allocate = allocateLocal,
): NestedFactor {
  const kept = new Int32Array(count);
  const pivots = new Float64Array(count);
  const columns = allocate(count * count);
  let keptCount = 0;
  for (let k0 = 0; k0 < count; k0 += FACTOR_BLOCK) {
    const width = Math.min(count, k0 + FACTOR_BLOCK) - k0;
    const before = keptCount;
    // w (before x width): row t holds G between kept direction t and the block's candidates, solved
    // into the block's rows of L over the directions kept so far
    const w = new Float64Array(before * width);
    for (let t = 0; t < before; t++)
      w.set(gram.subarray(kept[t] * count + k0, kept[t] * count + k0 + width), t * width);
    solveLower(columns, pivots, count, before, w, width);
    // what the block's Gram keeps once the directions before it are taken out: G_BB - w^T w
    const left = new Float64Array(width * width);
    for (let j = 0; j < width; j++)
      left.set(gram.subarray((k0 + j) * count + k0, (k0 + j) * count + k0 + width), j * width);
    if (before > 0) subtractProductTransposedA(left, width, w, width, before, width, w, width);
    const inBlock = new Int32Array(width);
    const row = new Float64Array(width);
    let q = 0;
    for (let j = 0; j < width; j++) {
      const k = k0 + j;
      for (let u = 0; u < q; u++) row[u] = left[j * width + inBlock[u]];
      let residual = left[j * width + j];
      for (let u = 0; u < q; u++) {
        const value = row[u] / pivots[before + u];
        row[u] = value;
        residual -= value * value;
        const column = (before + u) * count + before;
        for (let v = u + 1; v < q; v++) row[v] -= value * columns[column + v];
      }
      if (residual > RESIDUAL_TOLERANCE * gram[k * count + k]) {
        const s = before + q;
        for (let t = 0; t < before; t++) columns[t * count + s] = w[t * width + j];
        for (let u = 0; u < q; u++) columns[(before + u) * count + s] = row[u];
        pivots[s] = Math.sqrt(residual);
        kept[s] = k;
        inBlock[q++] = j;
      }
    }
    keptCount = before + q;
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
  for (let s = 0; s < keptCount; s++)
    coefficients.set(projections.subarray(kept[s] * width, (kept[s] + 1) * width), s * width);
  solveLower(columns, pivots, count, keptCount, coefficients, width);
  const curve: number[] = [];
  let captured = 0;
  let s = 0;
  for (let k = 0; k < count; k++) {
    if (s < keptCount && kept[s] === k) {
      for (let c = s * width; c < (s + 1) * width; c++) captured += coefficients[c] * coefficients[c];
      s++;
    }
    curve.push(captured / energy);
  }
  return curve;
}
