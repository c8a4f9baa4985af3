/**
 * The held-out curves of docs/method.md §4.1 from moments, against an explicit Gram-Schmidt of the
 * eval split's eigenfunctions over its rows (the form scripts/reference.py uses).
 */
import { describe, expect, it } from 'vitest';

import { analyzeMoments } from './analyze';
import { copyMoments, momentsOf } from './moments';
import { nestedCurve, nestedFactor, type NestedFactor } from './nested-projections';

/** The nested-projection curve of one target on directions with Gram matrix `gram`. */
const nestedProjections = (
  gram: Float64Array,
  count: number,
  b: Float64Array,
  width: number,
  energy: number,
) => nestedCurve(nestedFactor(gram, count), b, width, energy);
import { createRandom, normalMatrix } from './random';
import { featureSpectrum, spectrumVectors } from './spectra';
import { centreColumns, multiply, oneHot } from './testing';

/**
 * Pi_g(k) by Gram-Schmidt (twice) of the columns of E~ (rows x k, centred) in order, skipping a column
 * whose residual is at most 1e-10 of its squared norm, with g~ (rows x width, centred).
 */
function gramSchmidtCurve(
  e: Float64Array,
  rows: number,
  k: number,
  g: Float64Array,
  width: number,
): number[] {
  const basis: Float64Array[] = [];
  let captured = 0;
  let total = 0;
  for (const x of g) total += x * x;
  const curve: number[] = [];
  for (let j = 0; j < k; j++) {
    const column = Float64Array.from({ length: rows }, (_, i) => e[i * k + j]);
    const norm = column.reduce((s, x) => s + x * x, 0);
    const q = column.slice();
    for (let pass = 0; pass < 2; pass++)
      for (const b of basis) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += b[i] * q[i];
        for (let i = 0; i < rows; i++) q[i] -= dot * b[i];
      }
    const residual = q.reduce((s, x) => s + x * x, 0);
    if (residual > 1e-10 * norm) {
      const length = Math.sqrt(residual);
      for (let i = 0; i < rows; i++) q[i] /= length;
      basis.push(q);
      for (let c = 0; c < width; c++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += q[i] * g[i * width + c];
        captured += dot * dot;
      }
    }
    curve.push(captured / total);
  }
  return curve;
}

/** Eigenfunctions of the fit features evaluated on `rows` rows of `phi`, centred on those rows. */
function evalEigenfunctions(
  fitPhi: Float64Array,
  fitRows: number,
  phi: Float64Array,
  rows: number,
  p: number,
) {
  const spectrum = featureSpectrum(momentsOf(fitPhi, new Float64Array(fitRows), fitRows));
  const k = spectrum.rho.length;
  const e = multiply(phi, spectrumVectors(spectrum, 0, k), rows, p, k);
  for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) e[i * k + j] /= Math.sqrt(spectrum.rho[j]);
  return { e: centreColumns(e, rows, k), k };
}

/** Features with a decaying spectrum and a mean, a readout with noise, labels from the readout. */
function checkpoint(rows: number, p: number, c: number, seed: number) {
  const phi = normalMatrix(rows, p, seed);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < p; j++) phi[i * p + j] = phi[i * p + j] / (1 + j) ** 2 + 0.3;
  const logits = multiply(phi, normalMatrix(p, c, seed + 1), rows, p, c);
  const random = createRandom(seed + 2);
  const labels = Array.from({ length: rows }, () => Math.floor(random() * c));
  return { phi, logits, labels };
}

describe('held-out curves: nested projections (docs/method.md §4.1)', () => {
  const [p, c] = [12, 4];
  const fit = checkpoint(500, p, c, 1);
  const fitMoments = momentsOf(fit.phi, fit.logits, 500, { labels: fit.labels, classes: c });

  it.each([
    ['more eval rows than directions', 300, 11],
    ['fewer eval rows than directions', 7, 12],
    ['one eval row more than needed to span the outputs', 5, 13],
  ])('equal Gram-Schmidt over the eval rows: %s', (_, rows, seed) => {
    const held = checkpoint(rows, p, c, seed);
    // eval features from another distribution: the e_k are far from orthonormal there
    const evalPhi = held.phi.map((x, i) => x * (1 + (i % p)) ** 1.5);
    const evalMoments = momentsOf(evalPhi, held.logits, rows, { labels: held.labels, classes: c });
    const metrics = analyzeMoments(fitMoments, evalMoments);
    const { e, k } = evalEigenfunctions(fit.phi, 500, evalPhi, rows, p);
    const outputs = centreColumns(held.logits.slice(), rows, c);
    const targets = centreColumns(oneHot(held.labels, c), rows, c);
    const utilization = gramSchmidtCurve(e, rows, k, outputs, c);
    const mass = gramSchmidtCurve(e, rows, k, targets, c);
    metrics.utilization.forEach((x, j) => expect(Math.abs(x - utilization[j])).toBeLessThan(1e-9));
    metrics.mass!.forEach((x, j) => expect(Math.abs(x - mass[j])).toBeLessThan(1e-9));
    for (const curve of [metrics.mass!, metrics.utilization]) {
      expect(curve[0]).toBeGreaterThanOrEqual(0);
      for (let j = 1; j < curve.length; j++) expect(curve[j]).toBeGreaterThanOrEqual(curve[j - 1]);
      expect(curve[curve.length - 1]).toBeLessThanOrEqual(1 + 1e-12);
    }
    // with fewer rows than directions the span is full after rows - 1 kept ones: the curve reaches
    // the whole centred output energy (1) and stays
    if (rows <= k) expect(metrics.utilization[k - 1]).toBeCloseTo(1, 10);
  });

  it('equal the Nyström sums on the fit split, to 1e-12, when the fit split is given again as the eval split', () => {
    const same = analyzeMoments(fitMoments);
    const again = analyzeMoments(fitMoments, copyMoments(fitMoments));
    expect(same.mass).toEqual(same.massNystrom);
    expect(same.utilization).toEqual(same.utilizationNystrom);
    again.mass!.forEach((x, j) => expect(Math.abs(x - same.massNystrom![j])).toBeLessThan(1e-12));
    again.utilization.forEach((x, j) => expect(Math.abs(x - same.utilizationNystrom[j])).toBeLessThan(1e-12));
  });

  it('stay within [0, 1] where the Nyström sums exceed 1', () => {
    // eval deviations along the weakest fit direction, where the outputs live too
    const spectrum = featureSpectrum(fitMoments);
    const vectors = spectrumVectors(spectrum, 0, p);
    const rows = 50;
    const evalPhi = new Float64Array(rows * p);
    const evalLogits = new Float64Array(rows * c);
    for (let i = 0; i < rows; i++) {
      const t = i % 2 === 0 ? 1 : -1;
      for (let a = 0; a < p; a++)
        evalPhi[i * p + a] = 5 * t * vectors[a * p + p - 1] + 0.01 * Math.sin(i * a);
      evalLogits[i * c] = t;
    }
    const metrics = analyzeMoments(fitMoments, momentsOf(evalPhi, evalLogits, rows));
    expect(metrics.utilizationNystrom[p - 1]).toBeGreaterThan(1);
    expect(Math.max(...metrics.utilization)).toBeLessThanOrEqual(1 + 1e-12);
    expect(metrics.utilization[p - 1]).toBeGreaterThan(0.99);
  });
});

/**
 * The nested-projection curve of a seeded target g (rows x width) on the directions E (rows x k) of
 * `factor`, and the Gram-Schmidt curve it should equal.
 */
function curveAndReference(
  factor: NestedFactor,
  e: Float64Array,
  rows: number,
  k: number,
  width: number,
  seed: number,
) {
  const g = normalMatrix(rows, width, seed);
  const b = multiply(
    Float64Array.from({ length: k * rows }, (_, t) => e[(t % rows) * k + Math.floor(t / rows)]),
    g,
    k,
    rows,
    width,
  );
  let energy = 0;
  for (const x of g) energy += x * x;
  return { curve: nestedCurve(factor, b, width, energy), expected: gramSchmidtCurve(e, rows, k, g, width) };
}

describe('nestedProjections: the Cholesky with skips', () => {
  it.each([
    // G, b (K x 1), energy -> curve
    ['orthonormal directions: cumulative squares', [1, 0, 0, 1], [0.6, 0.8], 1, [0.36, 1]],
    ['a repeated direction adds nothing', [1, 1, 1, 1], [0.6, 0.6], 1, [0.36, 0.36]],
    ['a direction without energy is skipped', [0, 0, 0, 1], [0, 0.5], 1, [0, 0.25]],
    ['scaling a direction changes nothing', [4, 0, 0, 1], [1.2, 0.8], 1, [0.36, 1]],
  ])('%s', (_, gram, b, energy, curve) => {
    const got = nestedProjections(Float64Array.from(gram), 2, Float64Array.from(b), 1, energy);
    got.forEach((x, k) => expect(x).toBeCloseTo(curve[k], 14));
  });

  it('one factor serves every target: 40 directions in 25 dimensions, repeated and combined ones among them', () => {
    const [rows, k] = [25, 40];
    const e = normalMatrix(rows, k, 31);
    for (let i = 0; i < rows; i++) {
      e[i * k + 5] = e[i * k + 2]; // a repeat
      e[i * k + 9] = 2 * e[i * k + 1] - e[i * k + 3]; // a combination of earlier ones
      e[i * k + 12] = 0; // no energy
    }
    const gram = new Float64Array(k * k);
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++)
        for (let i = 0; i < rows; i++) gram[a * k + b] += e[i * k + a] * e[i * k + b];
    const factor = nestedFactor(gram, k);
    // directions 5, 9 and 12 and every one after the span is full are skipped
    expect(factor.keptCount).toBe(rows);
    expect(Array.from(factor.kept.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, 6]);
    for (const [width, seed] of [
      [1, 32],
      [6, 33],
    ]) {
      const { curve, expected } = curveAndReference(factor, e, rows, k, width, seed);
      curve.forEach((x, j) => expect(Math.abs(x - expected[j])).toBeLessThan(1e-10));
    }
  });

  it('several blocks of the factorisation and its solves: 330 directions in 260 dimensions', () => {
    const [rows, k, width] = [260, 330, 5];
    const e = normalMatrix(rows, k, 41);
    for (let i = 0; i < rows; i++) {
      e[i * k + 150] = e[i * k + 20]; // a repeat in the second block of an earlier one in the first
      e[i * k + 200] = e[i * k + 130] - e[i * k + 140]; // a combination inside the second block
      e[i * k + 129] = 0; // no energy, at a block's last candidate
    }
    const gram = new Float64Array(k * k);
    for (let a = 0; a < k; a++)
      for (let b = a; b < k; b++) {
        let sum = 0;
        for (let i = 0; i < rows; i++) sum += e[i * k + a] * e[i * k + b];
        gram[a * k + b] = sum;
        gram[b * k + a] = sum;
      }
    const factor = nestedFactor(gram, k);
    expect(factor.keptCount).toBe(rows);
    const skipped = [...Array(k).keys()].filter(
      (d) => !factor.kept.subarray(0, factor.keptCount).includes(d),
    );
    expect(skipped.slice(0, 3)).toEqual([129, 150, 200]);
    const { curve, expected } = curveAndReference(factor, e, rows, k, width, 42);
    curve.forEach((x, j) => expect(Math.abs(x - expected[j])).toBeLessThan(1e-9));
    expect(curve.at(-1)).toBeCloseTo(1, 9);
  });

  it('skips a direction whose residual is at most 1e-10 of its norm, keeps one just above', () => {
    // directions (1, 0) and (1, eps): residual eps^2 against norm 1 + eps^2
    const gramOf = (eps: number) => Float64Array.from([1, 1, 1, 1 + eps * eps]);
    const b = (eps: number) => Float64Array.from([0, eps]); // target (0, 1)
    expect(nestedProjections(gramOf(0.9e-5), 2, b(0.9e-5), 1, 1)[1]).toBe(0);
    expect(nestedProjections(gramOf(2e-5), 2, b(2e-5), 1, 1)[1]).toBeCloseTo(1, 6);
  });
});
