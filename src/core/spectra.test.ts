import { Matrix, pseudoInverse, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';

import { analyzeMoments } from './analyze';
import {
  linearCka,
  nc1,
  readoutResidual,
  readoutTolerance,
  readoutWarning,
  storedPrecisionOf,
} from './companion';
import { momentsOf } from './moments';
import { createRandom, normalMatrix } from './random';
import {
  cumulativeProjection,
  energyBlocks,
  energyTarget,
  everyBlock,
  featureSpectrum,
  fillDirectionEnergies,
  participationRatio,
  relativeEigenvalues,
  spectrumVectors,
} from './spectra';
import { addToRows, centreColumns, multiply, oneHot } from './testing';

/** Features with a decaying spectrum and a non-zero mean, like ReLU activations. */
function decayingFeatures(rows: number, width: number, seed: number): Float64Array {
  const phi = normalMatrix(rows, width, seed);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < width; j++) phi[i * width + j] = phi[i * width + j] / (1 + j) + 0.5;
  return phi;
}

const [n, p, c, classes] = [600, 8, 3, 3];
const phi = decayingFeatures(n, p, 1);
const random = createRandom(4);
const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
const logits = addToRows(multiply(phi, normalMatrix(p, c, 2), n, p, c), n, c, [1, -2, 3]);

describe('featureSpectrum and Nyström curves (docs/method.md §4)', () => {
  const fit = momentsOf(phi, logits, n, { labels, classes });
  const spectrum = featureSpectrum(fit);
  const vectors = spectrumVectors(spectrum, 0, p);

  it('gives eigenfunctions e_k that are orthonormal on the fit split', () => {
    const centred = centreColumns(phi.slice(), n, p);
    const k = spectrum.rho.length;
    const e = new Float64Array(n * k);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let a = 0; a < p; a++) s += centred[i * p + a] * vectors[a * p + j];
        e[i * k + j] = s / Math.sqrt(spectrum.rho[j]);
      }
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) {
        let inner = 0;
        for (let i = 0; i < n; i++) inner += (e[i * k + a] * e[i * k + b]) / n;
        expect(inner).toBeCloseTo(a === b ? 1 : 0, 10);
      }
  });

  it('has descending eigenvalues of S_pp / n summing to the total variance', () => {
    const rho = Array.from(spectrum.rho);
    expect(rho).toEqual([...rho].sort((a, b) => b - a));
    const centred = centreColumns(phi.slice(), n, p);
    const variance = centred.reduce((s, x) => s + x * x, 0) / n;
    expect(rho.reduce((s, x) => s + x, 0)).toBeCloseTo(variance, 10);
    expect(relativeEigenvalues(rho)[0]).toBe(1);
  });

  it('reaches utilization 1 at K_max on the fit split when F is affine in Phi', () => {
    const utilization = cumulativeProjection(spectrum, fit, 'f')!;
    expect(utilization).toHaveLength(p);
    expect(utilization[p - 1]).toBeCloseTo(1, 10);
    for (let k = 1; k < p; k++) expect(utilization[k]).toBeGreaterThanOrEqual(utilization[k - 1]);
  });

  it('reaches mass = R^2 of the least-squares regression of Y on Phi (with intercept) at K_max', () => {
    const design = new Matrix(Array.from({ length: n }, (_, i) => [1, ...phi.subarray(i * p, (i + 1) * p)]));
    const y = new Matrix(Array.from({ length: n }, (_, i) => Array.from(oneHot([labels[i]], classes))));
    const residual = y.clone().sub(design.mmul(solve(design, y)));
    const centredY = centreColumns(oneHot(labels, classes), n, classes);
    const rSquared =
      1 - residual.to1DArray().reduce((s, x) => s + x * x, 0) / centredY.reduce((s, x) => s + x * x, 0);
    const mass = cumulativeProjection(spectrum, fit, 'y')!;
    expect(mass[p - 1]).toBeCloseTo(rSquared, 10);
  });

  it('measures the eval split without clipping: Pi can exceed 1 there', () => {
    // an eval split whose feature deviations sit in the weakest fit direction, where outputs live too
    const rows = 50;
    const evalPhi = new Float64Array(rows * p);
    const evalLogits = new Float64Array(rows * c);
    const weakest = p - 1;
    for (let i = 0; i < rows; i++) {
      const t = i % 2 === 0 ? 1 : -1;
      for (let a = 0; a < p; a++) evalPhi[i * p + a] = 5 * t * vectors[a * p + weakest];
      evalLogits[i * c] = t;
    }
    const evalSplit = momentsOf(evalPhi, evalLogits, rows);
    const utilization = cumulativeProjection(spectrum, evalSplit, 'f')!;
    expect(utilization[p - 1]).toBeGreaterThan(1);
  });

  it('truncates the spectrum to rank n - 1 when n <= p, and says so', () => {
    const rows = 6;
    const wide = normalMatrix(rows, 10, 8);
    const small = momentsOf(wide, normalMatrix(rows, 2, 9), rows);
    const truncated = featureSpectrum(small);
    expect(truncated.truncated).toBe(true);
    expect(truncated.rho.length).toBe(rows - 1);
    expect(analyzeMoments(small).spectrumTruncated).toBe(true);
  });

  it('participation ratio is p for an isotropic spectrum and 1 for a single direction', () => {
    expect(participationRatio([2, 2, 2, 2])).toBeCloseTo(4, 14);
    expect(participationRatio([3])).toBe(1);
    expect(participationRatio([1, 0.5])).toBeCloseTo(2.25 / 1.25, 14);
  });
});

describe('direction energies by directions or by targets (docs/method.md §4)', () => {
  const [rows, width, outputs, classCount] = [500, 60, 4, 5];
  const features = decayingFeatures(rows, width, 7);
  const logitsOf = addToRows(
    multiply(features, normalMatrix(width, outputs, 8), rows, width, outputs),
    rows,
    outputs,
    [1, 0, -1, 2],
  );
  const classOf = Array.from({ length: rows }, (_, i) => (i * 7) % classCount);
  const fit = momentsOf(features, logitsOf, rows, { labels: classOf, classes: classCount });
  const spectrum = featureSpectrum(fit);
  const count = spectrum.rho.length;
  const targets = [energyTarget(fit, 'f')!, energyTarget(fit, 'y')!];
  const fill = (kept: boolean) => {
    const withProjections = targets.map((t) => ({ ...t, projections: new Float64Array(count * t.width) }));
    const energies = targets.map(() => new Float64Array(count));
    const vectors = kept ? new Float64Array(width * count) : undefined;
    fillDirectionEnergies(spectrum, withProjections, energies, everyBlock(), vectors);
    return { energies, projections: withProjections.map((t) => t.projections) };
  };

  it('carries the targets through the reflectors when the vectors are not kept and 2 W <= K', () => {
    expect(count).toBe(width);
    expect(energyBlocks(spectrum, targets, false)).toEqual({ by: 'targets', count: 2 });
    expect(energyBlocks(spectrum, targets, true)).toEqual({ by: 'directions', count: 1 });
    const wide = { ...targets[0], width: count / 2 - 8 };
    expect(energyBlocks(spectrum, [...targets, wide], false).by).toBe('directions');
  });

  it('gives the same energies and projections either way', () => {
    const byTargets = fill(false);
    const byDirections = fill(true);
    byTargets.energies.forEach((energies, t) => {
      const scale = Math.max(...byDirections.energies[t]);
      expect(scale).toBeGreaterThan(0);
      energies.forEach((x, k) =>
        expect(Math.abs(x - byDirections.energies[t][k]) / scale).toBeLessThan(1e-12),
      );
      const projections = byDirections.projections[t];
      const largest = Math.max(...projections.map(Math.abs));
      byTargets.projections[t].forEach((x, i) =>
        expect(Math.abs(x - projections[i]) / largest).toBeLessThan(1e-12),
      );
    });
  });
});

describe('companion metrics (docs/method.md §5)', () => {
  it('NC1 equals (1/C) tr(Sigma_W Sigma_B^+) computed from the raw features', () => {
    const fit = momentsOf(phi, logits, n, { labels, classes });
    const means = Array.from({ length: classes }, () => new Float64Array(p));
    const counts = new Array(classes).fill(0);
    labels.forEach((l, i) => {
      counts[l]++;
      for (let a = 0; a < p; a++) means[l][a] += phi[i * p + a];
    });
    means.forEach((m, k) => m.forEach((_, a) => (m[a] /= counts[k])));
    const global = Array.from({ length: p }, (_, a) =>
      means.reduce((s, m, k) => s + (m[a] * counts[k]) / n, 0),
    );
    const within = Matrix.zeros(p, p);
    const between = Matrix.zeros(p, p);
    labels.forEach((l, i) => {
      const d = Matrix.columnVector(Array.from({ length: p }, (_, a) => phi[i * p + a] - means[l][a]));
      within.add(d.mmul(d.transpose()).div(n));
    });
    means.forEach((m) => {
      const d = Matrix.columnVector(Array.from(m, (x, a) => x - global[a]));
      between.add(d.mmul(d.transpose()).div(classes));
    });
    const expected = within.mmul(pseudoInverse(between, 1e-10)).trace() / classes;
    expect(nc1(fit)! / expected).toBeCloseTo(1, 8);
  });

  it('NC1 is 0 under neural collapse and null without labels', () => {
    const collapsed = new Float64Array(n * p);
    labels.forEach((l, i) => collapsed.set(phi.subarray(l * p, (l + 1) * p), i * p));
    expect(nc1(momentsOf(collapsed, logits, n, { labels, classes }))).toBeCloseTo(0, 12);
    expect(nc1(momentsOf(phi, logits, n))).toBeNull();
  });

  it('read-out residual is 0 when F is affine in Phi and near 1 for unrelated outputs', () => {
    const fit = momentsOf(phi, logits, n);
    expect(readoutResidual(fit, featureSpectrum(fit))).toBeLessThan(1e-12);
    const rows = 20000;
    const unrelated = momentsOf(normalMatrix(rows, 4, 3), normalMatrix(rows, 2, 4), rows);
    expect(readoutResidual(unrelated, featureSpectrum(unrelated))).toBeGreaterThan(0.99);
  });

  it('linear CKA between checkpoints is 1 for a scaled, shifted copy and symmetric to the order of the pair', () => {
    const mixed = multiply(phi, normalMatrix(p, p, 12), n, p, p).map((x) => 2 * x);
    const scaled = phi.map((x) => 3 * x + 1);
    expect(linearCka(momentsOf(phi, scaled, n))).toBeCloseTo(1, 12);
    const ab = linearCka(momentsOf(phi, mixed, n));
    const ba = linearCka(momentsOf(mixed, phi, n));
    expect(ab).toBeCloseTo(ba, 12);
    expect(ab).toBeLessThan(1);
  });
});

describe('the read-out residual against the stored precision', () => {
  it.each([
    // dtypes -> precision, tolerance
    [['float32', 'float32'], 'float32', 1e-6],
    [['float64', 'int64'], 'float64', 1e-6],
    [['float16', 'float32'], 'float16', 1000 * 2 ** -22],
    [['float32', 'bfloat16'], 'bfloat16', 1000 * 2 ** -16],
  ] as const)('%j are %s arrays: tolerance %f', (dtypes, precision, tolerance) => {
    expect(storedPrecisionOf(...dtypes)).toBe(precision);
    expect(readoutTolerance(precision)).toBeCloseTo(tolerance, 15);
  });

  it('a true last layer rounded to 16 bits passes its own tolerance; bfloat16 would fail float32’s', () => {
    /** x rounded to `bits` significant bits (11 for float16, 8 for bfloat16) */
    const rounder = (bits: number) => (x: number) => {
      const scale = 2 ** (Math.floor(Math.log2(Math.abs(x) || 1)) - bits + 1);
      return Math.round(x / scale) * scale;
    };
    const residualAt = (bits: number) => {
      const fit = momentsOf(phi.map(rounder(bits)), logits.map(rounder(bits)), n);
      return readoutResidual(fit, featureSpectrum(fit));
    };
    const [half, brain] = [residualAt(11), residualAt(8)];
    expect(half).toBeGreaterThan(1e-9);
    expect(readoutWarning(half, 'float16')).toBeNull();
    expect(readoutWarning(brain, 'bfloat16')).toBeNull();
    expect(readoutWarning(brain, 'float32')).toMatch(
      /above the 1\.0e-6 that float32 arrays allow\)\. Check that/,
    );
    expect(readoutWarning(0.2, null)).toMatch(/above 1\.0e-6\)/);
  });
});
