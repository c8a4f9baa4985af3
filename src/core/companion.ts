/** Companion metrics of docs/method.md §5: the paper's baselines, shown beside D_LR. */
import { blockSumOfSquares, blockTrace, momentBlock } from './blocks';
import { multiplyTransposedA } from './kernels/gemm';
import { symmetricEigen } from './linalg';
import { directionEnergies, type FeatureSpectrum } from './spectra';
import type { Moments, StoredPrecision } from './types';

/** numpy.linalg.pinv's default-style cut for Sigma_B^+: eigenvalues above 1e-10 of the largest. */
const PINV_TOLERANCE = 1e-10;

/**
 * NC1 = (1/C) tr(Sigma_W Sigma_B^+) over the C classes present, with Sigma_W the within-class
 * covariance of the features (/n) and Sigma_B = (1/C) sum_c (mu_c - mu)(mu_c - mu)^T. Class means come
 * from S_py and the class counts n * mean_y. Sigma_B^+ is taken in class space (C x C Gram of the
 * centred class means), O(p^2 C). Null without one-hot targets or with fewer than two classes.
 */
export function nc1(m: Moments): number | null {
  if (m.targetKind !== 'onehot' || m.q === 0) return null;
  const { p, q, n } = m;
  const spy = momentBlock(m, 'py'); // p x q
  const present: number[] = [];
  const counts: number[] = [];
  for (let k = 0; k < q; k++) {
    const count = Math.round(n * m.mean[m.p + m.c + k]);
    if (count > 0) {
      present.push(k);
      counts.push(count);
    }
  }
  const classes = present.length;
  if (classes < 2) return null;
  // D[:, j] = mu_c - mu = S_py[:, c] / count_c, p x classes
  const offsets = new Float64Array(p * classes);
  present.forEach((k, j) => {
    for (let i = 0; i < p; i++) offsets[i * classes + j] = spy[i * q + k] / counts[j];
  });
  // With G = D^T D / C = Z diag(lambda) Z^T and u_k = D z_k / sqrt(C lambda_k):
  //   D^T u_k = sqrt(C lambda_k) z_k, so u_k^T Sigma_W u_k
  //   = [z_k^T (D^T S_pp D) z_k / (C lambda_k) - C lambda_k sum_c n_c z_ck^2] / n,
  // which needs one p x p x C product and C x C algebra, never a p x p within-class matrix.
  const gram = multiplyTransposedA(offsets, classes, p, classes, offsets, classes).map((x) => x / classes);
  const { values, vectors } = symmetricEigen(gram, classes);
  // S_pp D (S_pp symmetric), p x classes, with S_pp read in place (the first p rows of S, stride d)
  const sppD = multiplyTransposedA(m.scatter, m.mean.length, p, p, offsets, classes);
  const between = multiplyTransposedA(offsets, classes, p, classes, sppD, classes); // D^T S_pp D
  const bz = multiplyTransposedA(between, classes, classes, classes, vectors, classes); // (D^T S_pp D) Z
  let total = 0;
  for (let k = 0; k < classes; k++) {
    const lambda = values[k];
    if (!(lambda > PINV_TOLERANCE * values[0])) break;
    let quadratic = 0;
    let weighted = 0;
    for (let j = 0; j < classes; j++) {
      const z = vectors[j * classes + k];
      quadratic += z * bz[j * classes + k];
      weighted += counts[j] * z * z;
    }
    const within = (quadratic / (classes * lambda) - classes * lambda * weighted) / n;
    total += within / lambda;
  }
  return total / classes;
}

/**
 * Share of output variance that no affine map of the features explains:
 *   tr(S_ff - S_fp S_pp^+ S_pf) / tr(S_ff),  S_pp^+ over the kept spectrum (docs/method.md §5).
 * 0 when F is affine in Phi, as it is for the input of the last linear layer; clearly above 0 means the
 * uploaded features are not that input. `energies` are the fit split's output energies per direction
 * (spectra.ts directionEnergies), passed when the utilization curve already computed them.
 */
export function readoutResidual(
  fit: Moments,
  spectrum: FeatureSpectrum,
  energies: Float64Array | null = directionEnergies(spectrum, fit, 'f'),
): number {
  const outputVariance = blockTrace(fit, 'ff') / fit.n;
  if (!(outputVariance > 0) || energies === null) return 0;
  let explained = 0;
  for (const energy of energies) explained += energy;
  return Math.max(0, outputVariance - explained) / outputVariance;
}

/** Unit roundoff of each stored precision. */
const UNIT_ROUNDOFF: Record<StoredPrecision, number> = {
  float64: 2 ** -53,
  float32: 2 ** -24,
  float16: 2 ** -11,
  bfloat16: 2 ** -8,
};

/**
 * The coarsest precision among arrays of these element types ('float16', 'bfloat16', 'float32';
 * anything else, float64 and integers, rounds nothing that matters here).
 */
export function storedPrecisionOf(...dtypes: string[]): StoredPrecision {
  const known = dtypes.map((t): StoredPrecision => (t in UNIT_ROUNDOFF ? (t as StoredPrecision) : 'float64'));
  return known.reduce((a, b) => (UNIT_ROUNDOFF[b] > UNIT_ROUNDOFF[a] ? b : a), 'float64');
}

/**
 * The read-out residual at or below which the outputs count as an affine map of the features, for
 * arrays stored in `precision` (null: unknown, e.g. a moments file): max(1e-6, 1000 u^2), u the unit
 * roundoff. Rounding features and logits to u leaves a residual of a few u^2 even when the logits are
 * exactly the last layer's output of the features (measured on the digits and teacher fixtures: at
 * most 2.4 u^2 in float16 and bfloat16), so float16 gets 2.4e-4, bfloat16 1.5e-2; float32 and float64
 * keep 1e-6, far above their rounding (1e-14 on the fixtures).
 */
export function readoutTolerance(precision: StoredPrecision | null): number {
  const u = UNIT_ROUNDOFF[precision ?? 'float64'];
  return Math.max(1e-6, 1000 * u * u);
}

/**
 * What to check when the read-out residual is above `readoutTolerance(precision)`; null when it is
 * not. D_LR compares the features with the outputs of the layer they feed (docs/method.md §1, §5).
 */
export function readoutWarning(residual: number, precision: StoredPrecision | null): string | null {
  const tolerance = readoutTolerance(precision);
  if (!(residual > tolerance)) return null;
  const allowed = precision
    ? `the ${tolerance.toExponential(1)} that ${precision} arrays allow`
    : `${tolerance.toExponential(1)}`;
  return (
    `The outputs are not an affine function of these features (relative read-out residual ` +
    `${residual.toExponential(2)}, above ${allowed}). Check that the features are the input of the last ` +
    `linear layer and the outputs that layer's own output (not something computed from it, such as a ` +
    `softmax or a scaled difference from initialisation), for the same rows in the same order and from ` +
    `the same checkpoint.`
  );
}

/**
 * Linear CKA between two feature sets on the same samples (the paper's kernel similarity to a
 * reference checkpoint), from the joint moments of [Phi_a | Phi_b] with Phi_a in the feature block and
 * Phi_b in the output block: ||S_ab||_F^2 / (||S_aa||_F ||S_bb||_F).
 */
export function linearCka(joint: Moments): number {
  const aa = Math.sqrt(blockSumOfSquares(joint, 'pp'));
  const bb = Math.sqrt(blockSumOfSquares(joint, 'ff'));
  if (!(aa > 0 && bb > 0)) return 0;
  return blockSumOfSquares(joint, 'pf') / (aa * bb);
}

/** Fraction of rows whose argmax(F) equals the label; null without one-hot targets. */
export function accuracy(m: Moments): number | null {
  return m.correct === null || m.n === 0 ? null : m.correct / m.n;
}
