/** Companion metrics of docs/method.md §5: the paper's baselines, shown beside D_LR. */
import { blockSumOfSquares, blockTrace, momentBlock } from './blocks';
import { multiplyTransposedA } from './kernels/gemm';
import { symmetricEigen } from './linalg';
import { directionEnergies, type FeatureSpectrum } from './spectra';
import type { Moments } from './types';

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
