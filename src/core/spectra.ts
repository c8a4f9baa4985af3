/**
 * The feature spectrum and the cumulative curves of docs/method.md §4 and §4.1.
 *   S_pp / n = V diag(rho) V^T on the fit split;  e_k(x) = (phi(x) - mu_fit)^T v_k / sqrt(rho_k);
 *   Nyström sums: a_kc = v_k^T S^eval_pg[:, c] / (m sqrt(rho_k)),
 *                 Pi_g(k) = sum_{j<=k} sum_c a_jc^2 / (tr(S^eval_gg) / m);
 *   held-out curves (nested projections): G = V^T S^eval_pp V, b = V^T S^eval_pg, Cholesky G = L L^T
 *                 with skips, c_k = (b_k - l_k^T c_<k) / L_kk, Pi_g(k) = sum_{j<=k} ||c_j||^2 / tr(S^eval_gg).
 */
import { blockTrace } from './blocks';
import {
  eigenvectorColumns,
  projectOnEigenvectors,
  reducedSymmetricEigen,
  tridiagonalStage,
  type ReducedSymmetricEigen,
  type TridiagonalStage,
} from './linalg';
import { multiplyTransposedA, writeProductTransposedA } from './kernels/gemm';
import { nestedCurve, type NestedFactor } from './nested-projections';
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
 * `reduced`: that decomposition when already made (`featureCovarianceStage` on two threads).
 */
export function featureSpectrum(
  fit: Moments,
  allocate?: Allocate,
  reduced?: ReducedSymmetricEigen,
): FeatureSpectrum {
  const { p, n } = fit;
  if (n < 2) throw new RangeError(`the fit split has ${n} row(s); at least 2 are needed for a spectrum`);
  reduced ??= reducedSymmetricEigen(fit.scatter, p, covarianceInPlace(fit, allocate));
  const { values } = reduced;
  const largest = values[0];
  const truncated = n <= p;
  let kept = largest > 0 ? values.filter((x) => x > SPECTRUM_TOLERANCE * largest).length : 0;
  if (truncated) kept = Math.min(kept, n - 1);
  return { rho: values.slice(0, kept), p, truncated, reduced };
}

/** S_pp / n, read in place: the first p columns of the first p rows of S. */
function covarianceInPlace(fit: Moments, allocate?: Allocate) {
  return { allocate, stride: fit.mean.length, divisor: fit.n };
}

/**
 * The first stage of `featureSpectrum`'s decomposition (kernels/eigen.ts `tridiagonalStage`), for a
 * caller that solves the tridiagonal elsewhere; null where the decomposition has no such stage (p at
 * most the leaf size) or the split is too small for a spectrum.
 */
export function featureCovarianceStage(
  fit: Moments,
  allocate: Allocate | undefined,
  onTridiagonal: (diagonal: Float64Array, couplings: Float64Array) => void,
): TridiagonalStage | null {
  if (fit.n < 2) return null;
  return tridiagonalStage(fit.scatter, fit.p, { ...covarianceInPlace(fit, allocate), onTridiagonal });
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
  /** when present, receives b = V^T S_pg (K x width, row-major) for the held-out curves */
  projections?: Float64Array;
}

/** Null when the split has no columns g. */
export function energyTarget(split: Moments, g: 'f' | 'y'): EnergyTarget | null {
  const width = g === 'f' ? split.c : split.q;
  if (width === 0) return null;
  const stride = split.p + split.c + split.q;
  const scatter = split.scatter.subarray(g === 'f' ? split.p : split.p + split.c);
  return { scatter, stride, width, n: split.n };
}

/** A target's S_pg as p x width rows of their own (its scatter read in place is `stride` apart). */
export function targetRows({ scatter, stride, width }: EnergyTarget, p: number): Float64Array {
  const rows = new Float64Array(p * width);
  for (let i = 0; i < p; i++) rows.set(scatter.subarray(i * stride, i * stride + width), i * width);
  return rows;
}

/**
 * Directions are formed and projected this many at a time: the unit of work that threads share. Every
 * direction is computed the same way whichever block and thread it falls in.
 */
export const DIRECTION_BLOCK = 256;

/**
 * How the direction energies are computed, and how many blocks threads share. With K directions, W
 * columns of targets in all and p features, forming the directions costs about p^2 K multiply-adds
 * (the back-transformation) and projecting the targets on them p K W; carrying the targets through
 * the reflectors and the tridiagonal's vectors instead ('targets') costs p^2 W + p K W and never forms
 * a v_k. That way is taken when the vectors are not kept and 2 W <= K: each target is then one block,
 * and the margin keeps two threads from waiting on one wide target where the costs are close.
 */
export interface EnergyBlocks {
  by: 'directions' | 'targets';
  count: number;
}

export function energyBlocks(
  spectrum: FeatureSpectrum,
  targets: EnergyTarget[],
  keepVectors: boolean,
): EnergyBlocks {
  const directions = spectrum.rho.length;
  const width = targets.reduce((sum, target) => sum + target.width, 0);
  if (!keepVectors && 2 * width <= directions) return { by: 'targets', count: targets.length };
  return { by: 'directions', count: Math.ceil(directions / DIRECTION_BLOCK) };
}

/**
 * Writes out[t][k] = sum_c a_kc^2 of target t (docs/method.md §4: the variance of g carried by e_k,
 * the terms of the Nyström sums) for every block that `nextBlock` hands out, until it returns a block
 * past the last (`energyBlocks`): by directions, block b holds directions [b DIRECTION_BLOCK,
 * (b + 1) DIRECTION_BLOCK) of every target; by targets, block t is every direction of target t. The
 * expensive part of the curves. With `vectorsOut` (p x K, row-major) the v_k are kept there; a
 * target's `projections` keep its b rows: what the held-out curves need.
 */
export function fillDirectionEnergies(
  spectrum: FeatureSpectrum,
  targets: EnergyTarget[],
  out: Float64Array[],
  nextBlock: () => number,
  vectorsOut?: Float64Array,
): void {
  const blocks = energyBlocks(spectrum, targets, vectorsOut !== undefined);
  for (let b = nextBlock(); b < blocks.count; b = nextBlock())
    fillEnergyBlock(spectrum, targets, out, blocks, b, vectorsOut);
}

/** Block `b` of `fillDirectionEnergies`, the same arithmetic whichever caller or worker runs it. */
export function fillEnergyBlock(
  spectrum: FeatureSpectrum,
  targets: EnergyTarget[],
  out: Float64Array[],
  blocks: EnergyBlocks,
  b: number,
  vectorsOut?: Float64Array,
): void {
  const { p, rho } = spectrum;
  const count = rho.length;
  if (blocks.by === 'targets') {
    const { width } = targets[b];
    const columns = targetRows(targets[b], p);
    const projected = projectOnEigenvectors(spectrum.reduced, columns, width, 0, count); // K x width
    writeEnergies(spectrum, targets[b], out[b], projected, 0, count);
    return;
  }
  const from = b * DIRECTION_BLOCK;
  const to = Math.min(count, from + DIRECTION_BLOCK);
  const k = to - from;
  const vectors = spectrumVectors(spectrum, from, to);
  if (vectorsOut)
    for (let i = 0; i < p; i++) vectorsOut.set(vectors.subarray(i * k, (i + 1) * k), i * count + from);
  targets.forEach((target, t) => {
    const { scatter, stride, width } = target;
    const projected = multiplyTransposedA(vectors, k, p, k, scatter, width, 'wasm', stride); // k x width
    writeEnergies(spectrum, target, out[t], projected, from, to);
  });
}

/** Where the direction energies are written: one array per target, and the kept vectors. */
export interface EnergyArrays {
  energies: Float64Array[];
  /** per target, b = V^T S_pg (K x width) for the held-out curves, or null */
  projections: (Float64Array | null)[];
  /** p x K, or null where the vectors are not kept */
  vectors: Float64Array | null;
}

/** Copies what block `b` wrote in `from` (filled elsewhere, the same layout) into `to`. */
export function copyEnergyBlock(
  blocks: EnergyBlocks,
  b: number,
  p: number,
  from: EnergyArrays,
  to: EnergyArrays,
): void {
  if (blocks.by === 'targets') {
    to.energies[b].set(from.energies[b]);
    if (from.projections[b]) to.projections[b]!.set(from.projections[b]!);
    return;
  }
  const count = to.energies[0]?.length ?? 0;
  const first = b * DIRECTION_BLOCK;
  const last = Math.min(count, first + DIRECTION_BLOCK);
  to.energies.forEach((energies, t) => {
    energies.set(from.energies[t].subarray(first, last), first);
    const width = from.projections[t] ? from.projections[t]!.length / count : 0;
    if (width)
      to.projections[t]!.set(from.projections[t]!.subarray(first * width, last * width), first * width);
  });
  if (from.vectors && to.vectors)
    for (let i = 0; i < p; i++)
      to.vectors.set(from.vectors.subarray(i * count + first, i * count + last), i * count + first);
}

/** The energies of directions from..to-1 from their rows of V^T S_pg (kept in `projections` when asked). */
function writeEnergies(
  { rho }: FeatureSpectrum,
  { width, n, projections }: EnergyTarget,
  out: Float64Array,
  projected: Float64Array,
  from: number,
  to: number,
): void {
  projections?.set(projected, from * width);
  for (let j = 0; j < to - from; j++) {
    let s = 0;
    for (let c = 0; c < width; c++) s += projected[j * width + c] ** 2;
    out[from + j] = s / (n * n * rho[from + j]);
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
 * The paper's Nyström sums Pi_g(k), k = 1..K, for the block of columns `g` ('f' outputs or 'y'
 * targets) measured on `evalSplit`. Not clipped: on an eval split other than the fit split the e_k
 * are not orthonormal and the sums may exceed 1 (docs/method.md §4). Returns null when g has no
 * columns or no variance on the eval split. `energies` may be passed when already computed for the
 * same split (the read-out residual uses the fit split's).
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

/**
 * G = V^T S^eval_pp V (K x K) for the held-out curves, V the kept eigenvectors (p x K, row-major).
 * The method's W = V diag(rho)^(-1/2) scales each direction, which changes neither the nested spans
 * nor the relative pivots, so V is used and no tiny rho_k inflates an entry. Writes columns
 * from..to-1 of G into `gram` (two threads may each write their own columns: each entry's arithmetic
 * is the same whichever call computes it).
 */
export function heldOutGram(
  vectors: Float64Array,
  count: number,
  evalSplit: Moments,
  from = 0,
  to = count,
  gram: Float64Array = new Float64Array(count * count),
): Float64Array {
  const { p } = evalSplit;
  const width = to - from;
  // S_pp is symmetric, so S_pp^T V_J (read in place, rows d apart) is S_pp V_J: p x |J|
  const spread = multiplyTransposedA(
    evalSplit.scatter,
    evalSplit.mean.length,
    p,
    p,
    vectors.subarray(from),
    width,
    'wasm',
    count,
  );
  writeProductTransposedA(gram.subarray(from), count, vectors, count, p, count, spread, width);
  return gram;
}

/** What one held-out curve reads: the target's projections b = V^T S^eval_pg (K x width) and tr(S^eval_gg). */
export interface HeldOutTarget {
  projections: Float64Array;
  energy: number;
}

/** The held-out curve's inputs for the columns g of `evalSplit`; null when g has no variance there. */
export function heldOutTarget(
  projections: Float64Array,
  evalSplit: Moments,
  g: 'f' | 'y',
): HeldOutTarget | null {
  const energy = blockTrace(evalSplit, g === 'f' ? 'ff' : 'yy');
  return energy > 0 ? { projections, energy } : null;
}

/**
 * The held-out Pi_g(k) of docs/method.md §4.1, from the factor of G (heldOutGram, one factor for
 * every target): in [0, 1] up to rounding and non-decreasing.
 */
export function heldOutCurve(factor: NestedFactor, { projections, energy }: HeldOutTarget): number[] {
  return nestedCurve(factor, projections, projections.length / factor.count, energy);
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
