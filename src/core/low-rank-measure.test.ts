import { describe, expect, it } from 'vitest';

import { momentsOf } from './moments';
import { DegenerateDataError, dependsOnWeakDirections, lowRankMeasure } from './low-rank-measure';
import { createRandom, normalMatrix } from './random';
import {
  addToRows,
  centreColumns,
  multiply,
  orthonormalColumns,
  permuteRows,
  randomRotation,
} from './testing';

const dlrOf = (phi: Float64Array, f: Float64Array, n: number) => lowRankMeasure(momentsOf(phi, f, n)).dlr;

/** A partly trained-looking pair: features with a few strong directions, outputs a noisy readout of them. */
function plausibleCheckpoint(n: number, p: number, c: number, seed: number) {
  const phi = normalMatrix(n, p, seed);
  for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) phi[i * p + j] *= 6;
  const f = multiply(phi, normalMatrix(p, c, seed + 1), n, p, c);
  const noise = normalMatrix(n, c, seed + 2);
  for (let i = 0; i < f.length; i++) f[i] += 3 * noise[i];
  return { phi, f };
}

describe('lowRankMeasure: properties of docs/method.md §3', () => {
  it('lies in [0, 1]', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const n = 40 + seed * 7;
      const { phi, f } = plausibleCheckpoint(n, 5 + seed, 1 + (seed % 5), seed * 31);
      const dlr = dlrOf(phi, f, n);
      expect(dlr).toBeGreaterThanOrEqual(-1e-12);
      expect(dlr).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  const [n, p, c] = [300, 12, 4];
  const { phi, f } = plausibleCheckpoint(n, p, c, 7);
  const reference = dlrOf(phi, f, n);

  it('is invariant to orthogonal rotations of the features', () => {
    expect(dlrOf(multiply(phi, randomRotation(p, 99), n, p, p), f, n)).toBeCloseTo(reference, 12);
  });

  it('is invariant to positive scaling of the features', () => {
    expect(
      dlrOf(
        phi.map((x) => x * 37.5),
        f,
        n,
      ),
    ).toBeCloseTo(reference, 12);
  });

  it('is invariant to any invertible map of the outputs (so to the output scale alpha)', () => {
    const a = normalMatrix(c, c, 5); // Gaussian square matrices are invertible almost surely
    expect(dlrOf(phi, multiply(f, a, n, c, c), n)).toBeCloseTo(reference, 10);
    expect(
      dlrOf(
        phi,
        f.map((x) => x * 1e-3),
        n,
      ),
    ).toBeCloseTo(reference, 12);
  });

  it('is invariant to adding constants to features or outputs', () => {
    const shiftedPhi = addToRows(
      phi,
      n,
      p,
      Array.from({ length: p }, (_, j) => 50 + j),
    );
    const shiftedF = addToRows(
      f,
      n,
      c,
      Array.from({ length: c }, (_, j) => -7 * j),
    );
    expect(dlrOf(shiftedPhi, shiftedF, n)).toBeCloseTo(reference, 10);
  });

  it('is invariant to jointly permuting the samples', () => {
    const random = createRandom(3);
    const order = Array.from({ length: n }, (_, i) => i).sort(() => random() - 0.5);
    expect(dlrOf(permuteRows(phi, n, p, order), permuteRows(f, n, c, order), n)).toBeCloseTo(reference, 12);
  });

  it('closed form: orthogonal equal-norm features and F = Phi W + b of rank r give CKA = sqrt(r / p)', () => {
    const [rows, width] = [200, 10];
    for (const rank of [1, 3, 7, 10]) {
      const basis = orthonormalColumns(
        centreColumns(normalMatrix(rows, width, rank), rows, width),
        rows,
        width,
      );
      const features = basis.map((x) => 4 * x);
      // W = (p x r random) (r x C random): rank r with C = 12 outputs
      const w = multiply(
        normalMatrix(width, rank, 50 + rank),
        normalMatrix(rank, 12, 60 + rank),
        width,
        rank,
        12,
      );
      const outputs = addToRows(multiply(features, w, rows, width, 12), rows, 12, new Array(12).fill(2.5));
      const measure = lowRankMeasure(momentsOf(features, outputs, rows));
      expect(measure.r).toBe(rank);
      expect(measure.dlr).toBeCloseTo(1 - Math.sqrt(rank / width), 10);
    }
  });

  it('random-features lazy baseline: D_LR is close to 1 - sqrt(r / p)', () => {
    const [rows, width, outputs] = [20000, 16, 4];
    const features = normalMatrix(rows, width, 11);
    const readout = multiply(features, normalMatrix(width, outputs, 12), rows, width, outputs);
    // a sampling statement, not a closed form: S_pp / n is I only up to O(1 / sqrt(n)) ~ 0.007
    // (measured here: 1.6e-3; 1e-3 to 3e-3 over other seeds)
    expect(Math.abs(dlrOf(features, readout, rows) - (1 - Math.sqrt(outputs / width)))).toBeLessThan(0.01);
  });

  it('is exactly 0 when the features are a rotated, scaled copy of the whitened outputs', () => {
    const [rows, width] = [150, 5];
    const outputs = normalMatrix(rows, width, 21);
    const q = orthonormalColumns(centreColumns(outputs.slice(), rows, width), rows, width);
    const features = multiply(q, randomRotation(width, 22), rows, width, width).map((x) => 3 * x);
    expect(dlrOf(features, outputs, rows)).toBeCloseTo(0, 12);
  });

  it('is exactly 0 under neural collapse (features whitened and constant within each class)', () => {
    const [rows, classes] = [400, 4];
    const classMeans = normalMatrix(classes, classes - 1, 31);
    const collapsed = new Float64Array(rows * (classes - 1));
    for (let i = 0; i < rows; i++)
      collapsed.set(
        classMeans.subarray((i % classes) * (classes - 1), ((i % classes) + 1) * (classes - 1)),
        i * (classes - 1),
      );
    // whitening keeps the features constant within each class (a per-class value times a fixed matrix)
    const whitened = orthonormalColumns(centreColumns(collapsed, rows, classes - 1), rows, classes - 1);
    const features = multiply(whitened, randomRotation(classes - 1, 33), rows, classes - 1, classes - 1);
    const outputs = multiply(features, normalMatrix(classes - 1, classes, 32), rows, classes - 1, classes);
    const measure = lowRankMeasure(momentsOf(features, outputs, rows));
    expect(measure.r).toBe(classes - 1);
    expect(Math.abs(measure.dlr)).toBeLessThan(1e-9);
  });

  it('tends to 1 when the outputs are independent of the features', () => {
    const distances = [200, 20000].map(
      (rows) => 1 - dlrOf(normalMatrix(rows, 8, rows), normalMatrix(rows, 3, rows + 1), rows),
    );
    expect(distances[1]).toBeLessThan(distances[0] / 4);
    expect(distances[1]).toBeLessThan(0.02);
  });

  it('refuses constant outputs instead of returning NaN', () => {
    expect(() => lowRankMeasure(momentsOf(normalMatrix(20, 3, 1), new Float64Array(40).fill(1), 20))).toThrow(
      DegenerateDataError,
    );
  });
});

describe('rank profile and dlrEnergy99 (docs/method.md §3.1)', () => {
  it("closed form: with orthogonal equal-norm features, D_LR(r') = 1 - sqrt(r' / p) for every r'", () => {
    // Phi_c has orthogonal columns of norm c and the readout W orthogonal columns: then S_pp = c^2 I,
    // u_j = e_j and m_j = ||S_pf u_j||^2 / w_j = c^2 for every output direction however weak, so
    // the profile is 1 - j c^2 / (c^2 sqrt(p) sqrt(j)) exactly. Two strong directions and two 100
    // times weaker ones (w_j / w_1 = 1e-4): r = 4, r99 = 2. Not weaker: a symmetric eigensolver
    // resolves w_j to about 1e-16 w_1, so m_j of a direction at w_j / w_1 = 1e-8 is only good to 1e-8.
    const [rows, width] = [2000, 10];
    const features = orthonormalColumns(
      centreColumns(normalMatrix(rows, width, 41), rows, width),
      rows,
      width,
    ).map((x) => 3 * x);
    const readout = new Float64Array(width * 4);
    readout[0 * 4 + 0] = 10;
    readout[1 * 4 + 1] = 10;
    readout[2 * 4 + 2] = 0.1;
    readout[3 * 4 + 3] = 0.1;
    const outputs = multiply(features, readout, rows, width, 4);
    const measure = lowRankMeasure(momentsOf(features, outputs, rows));
    expect(measure.r).toBe(4);
    expect(measure.r99).toBe(2);
    expect(measure.rankProfile).toHaveLength(4);
    measure.rankProfile.forEach((value, j) =>
      expect(Math.abs(value - (1 - Math.sqrt((j + 1) / width)))).toBeLessThan(1e-10),
    );
    expect(measure.rankProfile[3]).toBe(measure.dlr);
    expect(measure.dlrEnergy99).toBe(measure.rankProfile[1]);
    expect(measure.outputSpectrum).toHaveLength(4);
    [1, 1, 1e-4, 1e-4].forEach((want, j) =>
      expect(Math.abs(measure.outputSpectrum[j] - want)).toBeLessThan(1e-10 * want),
    );
  });

  it('linear CKA distance is 1 - ||S_pf||^2 / (||S_pp|| ||S_ff||)', () => {
    const [rows, width, outs] = [500, 6, 3];
    const features = normalMatrix(rows, width, 51);
    const outputs = multiply(features, normalMatrix(width, outs, 52), rows, width, outs);
    const pc = centreColumns(features.slice(), rows, width);
    const fc = centreColumns(outputs.slice(), rows, outs);
    const gram = (a: Float64Array, ca: number, b: Float64Array, cb: number) => {
      const out = new Float64Array(ca * cb);
      for (let i = 0; i < rows; i++)
        for (let x = 0; x < ca; x++)
          for (let y = 0; y < cb; y++) out[x * cb + y] += a[i * ca + x] * b[i * cb + y];
      return out;
    };
    const fro2 = (a: Float64Array) => a.reduce((s, x) => s + x * x, 0);
    const expected =
      1 -
      fro2(gram(pc, width, fc, outs)) /
        Math.sqrt(fro2(gram(pc, width, pc, width)) * fro2(gram(fc, outs, fc, outs)));
    expect(lowRankMeasure(momentsOf(features, outputs, rows)).linearCkaDistance).toBeCloseTo(expected, 12);
  });
});

describe('dependsOnWeakDirections: a gap above 0.1 between D_LR and dlrEnergy99', () => {
  it('the grokking example of docs/method.md §3.1', () =>
    expect(dependsOnWeakDirections({ dlr: 0.34, dlrEnergy99: 0.03 })).toBe(true));
  it('a small gap', () => expect(dependsOnWeakDirections({ dlr: 0.2202, dlrEnergy99: 0.1889 })).toBe(false));
  it('either sign', () => expect(dependsOnWeakDirections({ dlr: 0.2, dlrEnergy99: 0.35 })).toBe(true));
});
