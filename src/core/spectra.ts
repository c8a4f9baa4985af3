/**
 * The feature spectrum and the Nyström cumulative projections of METHOD.md §4.
 *   S_pp / n = V diag(rho) V^T on the fit split;  e_k(x) = (phi(x) - mu_fit)^T v_k / sqrt(rho_k);
 *   a_kc = v_k^T S^eval_pg[:, c] / (m sqrt(rho_k));  Pi_g(k) = sum_{j<=k} sum_c a_jc^2 / (tr(S^eval_gg) / m).
 */
import { momentBlock } from './blocks';
import { projectOnto, symmetricEigen, trace } from './linalg';
import type { Moments } from './types';

/** METHOD.md §4: eigenvalues at or below this fraction of rho_1 are dropped. */
export const SPECTRUM_TOLERANCE = 1e-12;

export interface FeatureSpectrum {
  /** descending eigenvalues of S_pp / n that are kept (rho_k > 1e-12 rho_1, at most n - 1 of them) */
  rho: Float64Array;
  /** p x p row-major; column k is v_k (only the first rho.length columns are used) */
  vectors: Float64Array;
  p: number;
  /** the fit split has n <= p, so at most n - 1 directions are real */
  truncated: boolean;
}

/** Eigendecomposition of the fit split's feature covariance S_pp / n. */
export function featureSpectrum(fit: Moments): FeatureSpectrum {
  const { p, n } = fit;
  if (n < 2) throw new RangeError(`the fit split has ${n} row(s); at least 2 are needed for a spectrum`);
  const covariance = momentBlock(fit, 'pp');
  for (let i = 0; i < covariance.length; i++) covariance[i] /= n;
  const { values, vectors } = symmetricEigen(covariance, p);
  const largest = values[0];
  const truncated = n <= p;
  let kept = largest > 0 ? values.filter((x) => x > SPECTRUM_TOLERANCE * largest).length : 0;
  if (truncated) kept = Math.min(kept, n - 1);
  return { rho: values.slice(0, kept), vectors, p, truncated };
}

/**
 * The variance of g carried by each direction e_k on `split`: sum_c a_kc^2, the terms of Pi_g before
 * the division by ||g||^2 (one k x width product, the expensive part of a curve). Null when g has no
 * columns.
 */
export function directionEnergies(
  spectrum: FeatureSpectrum,
  split: Moments,
  g: 'f' | 'y',
): Float64Array | null {
  const width = g === 'f' ? split.c : split.q;
  if (width === 0) return null;
  const k = spectrum.rho.length;
  const cross = momentBlock(split, g === 'f' ? 'pf' : 'py'); // p x width
  const projected = projectOnto(spectrum.vectors, spectrum.p, k, cross, width); // k x width
  const energies = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let c = 0; c < width; c++) s += projected[j * width + c] ** 2;
    energies[j] = s / (split.n * split.n * spectrum.rho[j]);
  }
  return energies;
}

/**
 * Pi_g(k), k = 1..K, for the block of columns `g` ('f' outputs or 'y' targets) measured on `evalSplit`.
 * Not clipped: on an eval split other than the fit split the e_k are not orthonormal and Pi may exceed 1.
 * Returns null when g has no columns or no variance on the eval split. `energies` may be passed when
 * already computed for the same split (the read-out residual uses the fit split's).
 */
export function cumulativeProjection(
  spectrum: FeatureSpectrum,
  evalSplit: Moments,
  g: 'f' | 'y',
  energies: Float64Array | null = directionEnergies(spectrum, evalSplit, g),
): number[] | null {
  if (energies === null) return null;
  const width = g === 'f' ? evalSplit.c : evalSplit.q;
  const norm = trace(momentBlock(evalSplit, g === 'f' ? 'ff' : 'yy'), width) / evalSplit.n;
  if (!(norm > 0)) return null;
  const curve: number[] = [];
  let cumulative = 0;
  for (const energy of energies) {
    cumulative += energy / norm;
    curve.push(cumulative);
  }
  return curve;
}

/** rho_k / rho_1. */
export function relativeEigenvalues(rho: ArrayLike<number>): number[] {
  return Array.from(rho, (x) => x / rho[0]);
}

/** Participation ratio (sum rho)^2 / sum rho^2 (METHOD.md §5). */
export function participationRatio(rho: ArrayLike<number>): number {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < rho.length; i++) {
    sum += rho[i];
    squares += rho[i] * rho[i];
  }
  return squares > 0 ? (sum * sum) / squares : 0;
}
