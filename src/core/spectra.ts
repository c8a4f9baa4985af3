/**
 * The feature spectrum and the Nyström cumulative projections of docs/method.md §4.
 *   S_pp / n = V diag(rho) V^T on the fit split;  e_k(x) = (phi(x) - mu_fit)^T v_k / sqrt(rho_k);
 *   a_kc = v_k^T S^eval_pg[:, c] / (m sqrt(rho_k));  Pi_g(k) = sum_{j<=k} sum_c a_jc^2 / (tr(S^eval_gg) / m).
 */
import { blockTrace } from './blocks';
import { eigenvectorColumns, reducedSymmetricEigen, type ReducedSymmetricEigen } from './linalg';
import { multiplyTransposedA } from './kernels/gemm';
import type { Allocate, Moments } from './types';

/** docs/method.md §4: eigenvalues at or below this fraction of rho_1 are dropped. */
export const SPECTRUM_TOLERANCE = 1e-12;

export interface FeatureSpectrum {
  /** descending eigenvalues of S_pp / n that are kept (rho_k > 1e-12 rho_1, at most n - 1 of them) */
  rho: Float64Array;
  p: number;
  /** the fit split has n <= p, so at most n - 1 directions are real */
  truncated: boolean;
  /** S_pp / n before its back-transformation: the v_k are formed a block at a time (spectrumVectors) */
  reduced: ReducedSymmetricEigen;
}

/**
 * Eigendecomposition of the fit split's feature covariance S_pp / n, up to forming the eigenvectors;
 * `allocate` places its large arrays (shared memory lets a second thread form some of the vectors).
 */
export function featureSpectrum(fit: Moments, allocate?: Allocate): FeatureSpectrum {
  const { p, n } = fit;
  if (n < 2) throw new RangeError(`the fit split has ${n} row(s); at least 2 are needed for a spectrum`);
  // S_pp / n, read in place: the first p columns of the first p rows of S
  const reduced = reducedSymmetricEigen(fit.scatter, p, { allocate, stride: fit.mean.length, divisor: n });
  const { values } = reduced;
  const largest = values[0];
  const truncated = n <= p;
  let kept = largest > 0 ? values.filter((x) => x > SPECTRUM_TOLERANCE * largest).length : 0;
  if (truncated) kept = Math.min(kept, n - 1);
  return { rho: values.slice(0, kept), p, truncated, reduced };
}

/** v_from .. v_{to-1}: p x (to - from) row-major, column j is v_{from + j}. */
export function spectrumVectors(spectrum: FeatureSpectrum, from: number, to: number): Float64Array {
  return eigenvectorColumns(spectrum.reduced, from, to);
}

/** The columns g ('f' outputs or 'y' targets) of one split, as the direction energies read them. */
export interface EnergyTarget {
  /** S_pg of the split in place: row i of the block starts at scatter[i * stride] */
  scatter: Float64Array;
  stride: number;
  width: number;
  /** rows of the split */
  n: number;
}

/** Null when the split has no columns g. */
export function energyTarget(split: Moments, g: 'f' | 'y'): EnergyTarget | null {
  const width = g === 'f' ? split.c : split.q;
  if (width === 0) return null;
  const stride = split.p + split.c + split.q;
  const scatter = split.scatter.subarray(g === 'f' ? split.p : split.p + split.c);
  return { scatter, stride, width, n: split.n };
}

/**
 * Directions are formed and projected this many at a time: the unit of work that threads share. Every
 * direction is computed the same way whichever block and thread it falls in.
 */
export const DIRECTION_BLOCK = 256;

/**
 * Writes out[t][k] = sum_c a_kc^2 of target t (docs/method.md §4: the variance of g carried by e_k, the
 * terms of Pi_g) for the directions k of every block that `nextBlock` hands out, until it returns a
 * block past the last: block b holds directions [b DIRECTION_BLOCK, (b + 1) DIRECTION_BLOCK). The
 * expensive part of the curves: forming v_k (the back-transformation) and one k x width product each.
 */
export function fillDirectionEnergies(
  spectrum: FeatureSpectrum,
  targets: EnergyTarget[],
  out: Float64Array[],
  nextBlock: () => number,
): void {
  const { p, rho } = spectrum;
  for (let b = nextBlock(); b * DIRECTION_BLOCK < rho.length; b = nextBlock()) {
    const from = b * DIRECTION_BLOCK;
    const to = Math.min(rho.length, from + DIRECTION_BLOCK);
    const k = to - from;
    const vectors = spectrumVectors(spectrum, from, to);
    targets.forEach(({ scatter, stride, width, n }, t) => {
      const projected = multiplyTransposedA(vectors, k, p, k, scatter, width, 'wasm', stride); // k x width
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let c = 0; c < width; c++) s += projected[j * width + c] ** 2;
        out[t][from + j] = s / (n * n * rho[from + j]);
      }
    });
  }
}

/** Hands out 0, 1, 2, ...: one thread taking every block. */
export function everyBlock(): () => number {
  let next = 0;
  return () => next++;
}

/** The energies of every direction for the columns g of `split`; null when g has no columns. */
export function directionEnergies(
  spectrum: FeatureSpectrum,
  split: Moments,
  g: 'f' | 'y',
): Float64Array | null {
  const target = energyTarget(split, g);
  if (target === null) return null;
  const energies = new Float64Array(spectrum.rho.length);
  fillDirectionEnergies(spectrum, [target], [energies], everyBlock());
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
  const norm = blockTrace(evalSplit, g === 'f' ? 'ff' : 'yy') / evalSplit.n;
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

/** Participation ratio (sum rho)^2 / sum rho^2 (docs/method.md §5). */
export function participationRatio(rho: ArrayLike<number>): number {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < rho.length; i++) {
    sum += rho[i];
    squares += rho[i] * rho[i];
  }
  return squares > 0 ? (sum * sum) / squares : 0;
}
