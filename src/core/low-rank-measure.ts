/**
 * D_LR, the low-rank measure of dynamical richness (docs/method.md §3, §3.1), from moments only:
 *   tr(P K) = tr(S_ff^+ S_fp S_pf),  ||K||_F = ||S_pp||_F,  CKA = tr(P K) / (||K||_F sqrt(r)),  D_LR = 1 - CKA.
 */
import { blockSumOfSquares, momentBlock } from './blocks';
import { multiplyTransposedA } from './kernels/gemm';
import { sumOfSquares, symmetricEigen, trace } from './linalg';
import type { Moments } from './types';

/** docs/method.md §3: output eigenvalues above this fraction of the largest count towards the rank r. */
export const OUTPUT_RANK_TOLERANCE = 1e-10;
/** docs/method.md §3.1: r99 is the smallest r' whose output eigenvalues hold this share of tr(S_ff). */
export const OUTPUT_ENERGY_SHARE = 0.99;
/** docs/method.md §3.1: the app and the CLI warn when |D_LR - dlrEnergy99| exceeds this. */
export const WEAK_DIRECTION_WARNING = 0.1;

/**
 * True when D_LR over all r output directions and over the r99 strongest ones differ by more than
 * {@link WEAK_DIRECTION_WARNING}: the headline number then hinges on weak output directions
 * (docs/method.md §3.1), and the app and the CLI say so.
 */
export function dependsOnWeakDirections(measure: { dlr: number; dlrEnergy99: number }): boolean {
  return Math.abs(measure.dlr - measure.dlrEnergy99) > WEAK_DIRECTION_WARNING;
}

export interface LowRankMeasure {
  /** numerical rank of F_c */
  r: number;
  dlr: number;
  /** D_LR(r') for r' = 1..r */
  rankProfile: number[];
  r99: number;
  dlrEnergy99: number;
  /** w_j / w_1, j = 1..r */
  outputSpectrum: number[];
  /** 1 - tr(S_pf S_fp) / (||S_pp||_F ||S_ff||_F): output-weighted linear CKA, a teaching companion */
  linearCkaDistance: number;
}

/** Raised when a measure is undefined for the data (constant outputs or features). */
export class DegenerateDataError extends Error {
  override name = 'DegenerateDataError';
}

/**
 * The output side of D_LR, shared by every layer measured against the same outputs (docs/method.md §3,
 * §3.1, §8): S_ff = U diag(w) U^T, w descending, its numerical rank r and r99.
 */
export interface OutputDirections {
  /** output columns C */
  c: number;
  /** eigenvalues of S_ff, descending */
  w: Float64Array;
  /** C x C row-major; column j is u_j */
  u: Float64Array;
  r: number;
  r99: number;
}

/**
 * The eigendecomposition of S_ff with r (eigenvalues above 1e-10 of the largest) and r99. Throws
 * DegenerateDataError when the outputs are constant (r = 0).
 */
export function outputDirections(m: Moments): OutputDirections {
  return outputDirectionsOf(momentBlock(m, 'ff'), m.c);
}

/** `outputDirections` from S_ff itself (C x C, row-major). */
function outputDirectionsOf(sff: Float64Array, c: number): OutputDirections {
  const { values: w, vectors: u } = symmetricEigen(sff, c);
  const largest = w[0];
  const r = largest > 0 ? w.filter((x) => x > OUTPUT_RANK_TOLERANCE * largest).length : 0;
  if (r === 0)
    throw new DegenerateDataError('the outputs are constant over the samples (rank 0): D_LR is undefined');
  const outputTrace = trace(sff, c);
  let r99 = r;
  let held = 0;
  for (let j = 0; j < r; j++) {
    held += w[j];
    // the 1e-15 slack keeps a share of exactly 99% (e.g. equal eigenvalues) from flipping on rounding
    if (held / outputTrace >= OUTPUT_ENERGY_SHARE - 1e-15) {
      r99 = j + 1;
      break;
    }
  }
  return { c, w, u, r, r99 };
}

/**
 * The rank profile D_LR(r') = 1 - (m_1 + ... + m_r') / (||K||_F sqrt(r')), r' = 1..r, of a feature
 * block against the output directions, with m_j = ||S_pf u_j||^2 / w_j (docs/method.md §3.1).
 * `outputRows` are the output rows of the (p + C + q)-wide moment matrix whose first p columns are the
 * features and next C the outputs: rows p to p + C - 1, `stride` apart, S_fp first (read in place);
 * `kernelNorm` = ||S_pp||_F > 0.
 */
export function rankProfileOf(
  outputRows: Float64Array,
  p: number,
  stride: number,
  kernelNorm: number,
  directions: OutputDirections,
): number[] {
  const { c, w, u, r } = directions;
  // S_pf U, p x C, with A = S_fp read in place
  const spfU = multiplyTransposedA(outputRows, stride, c, p, u, c);
  const rankProfile: number[] = [];
  let cumulative = 0;
  for (let j = 0; j < r; j++) {
    let energy = 0;
    for (let i = 0; i < p; i++) energy += spfU[i * c + j] ** 2;
    cumulative += energy / w[j];
    rankProfile.push(1 - cumulative / (kernelNorm * Math.sqrt(j + 1)));
  }
  return rankProfile;
}

/**
 * D_LR with its rank r, the rank profile, dlrEnergy99 / r99, the output spectrum and the
 * output-weighted linear CKA distance. Cost O(p^2 C + C^3) after the moment pass.
 * Throws DegenerateDataError when F or Phi is constant (r = 0 or ||S_pp||_F = 0): D_LR is 0/0 there.
 */
export function lowRankMeasure(m: Moments): LowRankMeasure {
  return lowRankMeasureWithDirections(m).measure;
}

/** `lowRankMeasure` and the output directions it used, for measuring other layers against them (§8). */
export function lowRankMeasureWithDirections(m: Moments): {
  measure: LowRankMeasure;
  directions: OutputDirections;
} {
  const { p, c } = m;
  const kernelNorm = Math.sqrt(blockSumOfSquares(m, 'pp'));
  if (!(kernelNorm > 0))
    throw new DegenerateDataError('the features are constant over the samples: D_LR is undefined');
  const directions = outputDirections(m);
  const { w, r, r99 } = directions;
  const stride = p + c + m.q;
  const rankProfile = rankProfileOf(m.scatter.subarray(p * stride), p, stride, kernelNorm, directions);
  const outputNorm = Math.sqrt(sumOfSquares(momentBlock(m, 'ff')));
  const measure = {
    r,
    dlr: rankProfile[r - 1],
    rankProfile,
    r99,
    dlrEnergy99: rankProfile[r99 - 1],
    outputSpectrum: Array.from(w.subarray(0, r), (x) => x / w[0]),
    linearCkaDistance: 1 - blockSumOfSquares(m, 'pf') / (kernelNorm * outputNorm),
  };
  return { measure, directions };
}

/**
 * D_LR and dlrEnergy99 alone (what the jackknife needs of each deleted group, docs/method.md §7) from
 * ||S_pp||_F^2 and the output rows of [Phi | F] moments (C x (p + C): S_fp, then S_ff), computed as
 * `lowRankMeasure` computes them. Throws DegenerateDataError where lowRankMeasure does.
 */
export function dlrOfOutputRows(
  outputRows: Float64Array,
  p: number,
  c: number,
  kernelSquares: number,
): { dlr: number; dlrEnergy99: number } {
  const kernelNorm = Math.sqrt(kernelSquares);
  if (!(kernelNorm > 0))
    throw new DegenerateDataError('the features are constant over the samples: D_LR is undefined');
  const stride = p + c;
  const sff = new Float64Array(c * c);
  for (let i = 0; i < c; i++) sff.set(outputRows.subarray(i * stride + p, (i + 1) * stride), i * c);
  const directions = outputDirectionsOf(sff, c);
  const rankProfile = rankProfileOf(outputRows, p, stride, kernelNorm, directions);
  return { dlr: rankProfile[directions.r - 1], dlrEnergy99: rankProfile[directions.r99 - 1] };
}
