/**
 * The jackknife of docs/method.md §7: per-group moments from the moment pass against moments of the
 * explicit row subsets, and the standard errors against D_LR recomputed from the rows outside each
 * group.
 */
import { describe, expect, it } from 'vitest';

import { analyzeMoments } from './analyze';
import { dlrDifference, formatWithStdErr, jackknifeBytes, jackknifeErrors, planJackknife } from './jackknife';
import { lowRankMeasure } from './low-rank-measure';
import {
  createMomentAccumulator,
  mergeMoments,
  momentsOf,
  subtractMoments,
  type MomentAccumulatorOptions,
} from './moments';
import { createRandom, normalMatrix } from './random';
import { multiply } from './testing';
import type { MomentShape, Moments } from './types';

/** ReLU-like features with large means, and noisy outputs of them. */
function checkpoint(n: number, p: number, c: number, seed: number) {
  const phi = normalMatrix(n, p, seed).map((x, i) => Math.max(0, x + 0.3) * (1 + (i % p)) + 4);
  const logits = multiply(phi, normalMatrix(p, c, seed + 1), n, p, c);
  const noise = normalMatrix(n, c, seed + 2);
  logits.forEach((_, i) => (logits[i] += 40 * noise[i]));
  const random = createRandom(seed + 3);
  const labels = Array.from({ length: n }, () => Math.floor(random() * c));
  return { phi, logits, labels };
}

/** Rows `keep(i)` of a rows x width matrix. */
function rowsWhere(
  a: ArrayLike<number>,
  width: number,
  n: number,
  keep: (i: number) => boolean,
): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) for (let j = 0; j < width; j++) out.push(a[i * width + j]);
  return Float64Array.from(out);
}

function expectMomentsClose(got: Moments, want: Moments, tolerance: number): void {
  expect(got.n).toBe(want.n);
  const scale = Math.max(...want.scatter.map(Math.abs));
  got.mean.forEach((x, j) => expect(Math.abs(x - want.mean[j])).toBeLessThan(tolerance * 100));
  got.scatter.forEach((x, j) => expect(Math.abs(x - want.scatter[j]) / scale).toBeLessThan(tolerance));
}

/** The moments pass over `chunks` (first row, rows) in the given order, with G groups. */
function passInChunks(
  data: { phi: Float32Array | Float64Array; logits: Float64Array; labels: number[] },
  shape: MomentShape,
  chunks: [number, number][],
  options: Partial<MomentAccumulatorOptions> = {},
  explicitFirstRow = true,
): Moments {
  const { p, c } = shape;
  const accumulator = createMomentAccumulator(shape, { precision: 'float64', groups: 10, ...options });
  for (const [first, rows] of chunks)
    accumulator.add({
      rows,
      firstRow: explicitFirstRow ? first : undefined,
      features: data.phi.subarray(first * p, (first + rows) * p),
      logits: data.logits.subarray(first * c, (first + rows) * c),
      labels: shape.targets.kind === 'onehot' ? data.labels.slice(first, first + rows) : undefined,
    });
  return accumulator.result();
}

describe('per-group moments of the moment pass', () => {
  const [n, p, c] = [437, 6, 3];
  const data = checkpoint(n, p, c, 5);
  const shape: MomentShape = { p, c, targets: { kind: 'onehot', classes: c } };
  const whole = momentsOf(data.phi, data.logits, n, { labels: data.labels, classes: c });

  it.each([
    [
      'chunks in order, first rows counted',
      [
        [0, 100],
        [100, 37],
        [137, 300],
      ],
      false,
    ],
    [
      'chunks out of order, first rows given',
      [
        [300, 137],
        [0, 7],
        [7, 293],
      ],
      true,
    ],
    [
      'single-row and odd chunks',
      [
        [0, 1],
        [1, 13],
        [14, 423],
      ],
      true,
    ],
  ] as [string, [number, number][], boolean][])(
    '%s: group g holds rows i mod 10 = g',
    (_, chunks, explicit) => {
      const result = passInChunks(data, shape, chunks, {}, explicit);
      expect(result.groups).toHaveLength(10);
      result.groups!.forEach((group, g) => {
        const keep = (i: number) => i % 10 === g;
        const want = momentsOf(rowsWhere(data.phi, p, n, keep), rowsWhere(data.logits, c, n, keep), group.n);
        expectMomentsClose(group, want, 1e-13);
      });
      // the [Phi | F] block comes from the merged groups: the whole matrix still equals a pass without them
      expectMomentsClose({ ...result, groups: undefined }, whole, 1e-13);
      expect(result.correct).toBe(whole.correct);
    },
  );

  it('groups holding several gathered batches (over 512 rows each) keep their exact moments', () => {
    const big = 11_237;
    const bigData = checkpoint(big, 4, 2, 9);
    const bigShape: MomentShape = { p: 4, c: 2, targets: { kind: 'onehot', classes: 2 } };
    const chunks: [number, number][] = [
      [0, 2048],
      [2048, 5000],
      [7048, 4189],
    ];
    const result = passInChunks(bigData, bigShape, chunks);
    result.groups!.forEach((group, g) => {
      const keep = (i: number) => i % 10 === g;
      const want = momentsOf(
        rowsWhere(bigData.phi, 4, big, keep),
        rowsWhere(bigData.logits, 2, big, keep),
        group.n,
      );
      expect(group.n).toBeGreaterThan(1024);
      expectMomentsClose(group, want, 1e-13);
    });
    const whole = momentsOf(bigData.phi, bigData.logits, big, { labels: bigData.labels, classes: 2 });
    expectMomentsClose({ ...result, groups: undefined }, whole, 1e-13);
  });

  it('with dense targets the total keeps its own Gram pass and equals a pass without groups', () => {
    const targets = normalMatrix(n, 2, 9);
    const dense = momentsOf(data.phi, data.logits, n, { targets, q: 2 });
    const accumulator = createMomentAccumulator(
      { p, c, targets: { kind: 'dense', q: 2 } },
      { precision: 'float64', groups: 4 },
    );
    accumulator.add({ rows: n, features: data.phi, logits: data.logits, targets });
    const result = accumulator.result();
    expectMomentsClose({ ...result, groups: undefined }, dense, 1e-13);
    expect(result.groups!.map((g) => g.n)).toEqual([110, 109, 109, 109]);
  });

  it('float32 rows keep their groups with the float32 Gram lanes', () => {
    const f32 = { ...data, phi: Float32Array.from(data.phi) };
    const result = passInChunks(f32, { p, c, targets: { kind: 'none' } }, [[0, n]], { precision: 'float32' });
    const keep = (i: number) => i % 10 === 3;
    const want = momentsOf(rowsWhere(f32.phi, p, n, keep), rowsWhere(data.logits, c, n, keep), 44);
    // float32 lanes round the centred values: a wrong row in a group would be off by far more
    expectMomentsClose(result.groups![3], want, 1e-6);
  });

  it('shards merge group by group into the single pass', () => {
    const front = passInChunks(data, shape, [[0, 150]]);
    const back = passInChunks(data, shape, [[150, n - 150]]);
    const merged = mergeMoments(front, back);
    const single = passInChunks(data, shape, [[0, n]]);
    merged.groups!.forEach((group, g) => expectMomentsClose(group, single.groups![g], 1e-13));
    // merging with moments that have no groups drops them
    expect(mergeMoments(front, whole).groups).toBeUndefined();
  });

  it('subtractMoments undoes a merge', () => {
    const keep = (i: number) => i < 200;
    const a = momentsOf(rowsWhere(data.phi, p, n, keep), rowsWhere(data.logits, c, n, keep), 200);
    const notKept = (i: number) => !keep(i);
    const b = momentsOf(rowsWhere(data.phi, p, n, notKept), rowsWhere(data.logits, c, n, notKept), n - 200);
    expectMomentsClose(subtractMoments(mergeMoments(a, b), b), a, 1e-12);
    expect(() => subtractMoments(a, a)).toThrow(/none would be left/);
  });
});

describe('jackknife standard errors (docs/method.md §7)', () => {
  it.each([
    [300, 8, 3, 10, 21],
    [45, 5, 4, 10, 22],
    [200, 10, 6, 4, 23],
  ])('n=%i p=%i C=%i G=%i equal D_LR recomputed without each group', (n, p, c, groups, seed) => {
    const data = checkpoint(n, p, c, seed);
    const moments = passInChunks(data, { p, c, targets: { kind: 'none' } }, [[0, n]], { groups });
    const deleted = Array.from({ length: groups }, (_, g) => {
      const keep = (i: number) => i % groups !== g;
      const rows = n - Math.ceil((n - g) / groups);
      return lowRankMeasure(
        momentsOf(rowsWhere(data.phi, p, n, keep), rowsWhere(data.logits, c, n, keep), rows),
      );
    });
    const spread = (values: number[]) => {
      const mean = values.reduce((a, b) => a + b, 0) / groups;
      return Math.sqrt(((groups - 1) / groups) * values.reduce((s, x) => s + (x - mean) ** 2, 0));
    };
    const errors = jackknifeErrors(moments.groups!)!;
    expect(Math.abs(errors.dlrStdErr - spread(deleted.map((m) => m.dlr)))).toBeLessThan(1e-12);
    expect(Math.abs(errors.dlrEnergy99StdErr - spread(deleted.map((m) => m.dlrEnergy99)))).toBeLessThan(
      1e-12,
    );
    expect(errors.dlrStdErr).toBeGreaterThan(0);
    const metrics = analyzeMoments(moments);
    expect([metrics.dlrStdErr, metrics.dlrEnergy99StdErr]).toEqual([
      errors.dlrStdErr,
      errors.dlrEnergy99StdErr,
    ]);
  });

  it('is null in the metrics without per-group moments', () => {
    const data = checkpoint(100, 4, 2, 3);
    const metrics = analyzeMoments(momentsOf(data.phi, data.logits, 100));
    expect([metrics.dlrStdErr, metrics.dlrEnergy99StdErr]).toEqual([null, null]);
  });

  it('is null when a deleted group leaves the outputs constant', () => {
    const n = 40;
    const data = checkpoint(n, 3, 1, 4);
    data.logits.fill(0);
    data.logits[7] = 1; // only row 7 (group 7) moves the output
    const moments = passInChunks(data, { p: 3, c: 1, targets: { kind: 'none' } }, [[0, n]]);
    expect(jackknifeErrors(moments.groups!)).toBeNull();
  });
});

describe('planJackknife', () => {
  const budget = 512 * 2 ** 20;
  it.each([
    // n, p, C, G, budget -> groups, note
    [1000, 96, 10, 10, budget, 10, null],
    [1000, 96, 10, 0, budget, 0, null],
    [20, 96, 10, 10, budget, 10, null],
    [19, 96, 10, 10, budget, 0, /19 rows are fewer than twice the 10 jackknife groups/],
    [50000, 2048, 1000, 10, budget, 0, /10 jackknife groups would need 709 MiB .* over the 512 MiB budget/],
    [50000, 2048, 1000, 5, budget, 5, null],
  ] as const)('n=%i p=%i C=%i G=%i', (n, p, c, groups, budgetBytes, kept, note) => {
    const plan = planJackknife(n, p, c, { groups, budgetBytes });
    expect(plan.groups).toBe(kept);
    if (note === null) expect(plan.note).toBeNull();
    else expect(plan.note).toMatch(note);
  });

  it('refuses one group and fractions', () => {
    expect(() => planJackknife(100, 2, 2, { groups: 1, budgetBytes: budget })).toThrow(
      /0 \(off\) or at least 2/,
    );
    expect(() => planJackknife(100, 2, 2, { groups: 2.5, budgetBytes: budget })).toThrow(RangeError);
  });

  it('counts G (p + C)^2 float64 values', () => {
    expect(jackknifeBytes(10, 96, 10)).toBe(10 * 106 * 106 * 8);
  });
});

describe('formatWithStdErr and dlrDifference', () => {
  it.each([
    [0.22412, 0.0061, '0.224 ± 0.006'],
    [0.22412, 0.00061, '0.2241 ± 0.0006'],
    [0.5, 0.08, '0.500 ± 0.080'],
    [0.5, 0, '0.500 ± 0.000'],
    [0.22412, null, '0.2241'],
  ])('%f ± %s reads %s', (value, stdErr, text) => {
    expect(formatWithStdErr(value, stdErr)).toBe(text);
  });

  it.each([
    // dlr a, se a, dlr b, se b -> difference, se, s.e.s, distinct
    [0.224, 0.012, 0.288, 0.016, -0.064, 0.02, 3.2, true],
    [0.3, 0.03, 0.28, 0.04, 0.02, 0.05, 0.4, false],
    [0.3, 0, 0.3, 0, 0, 0, 0, false],
  ])('%f ± %f vs %f ± %f', (a, sa, b, sb, difference, stdErr, stdErrs, distinct) => {
    const got = dlrDifference({ dlr: a, dlrStdErr: sa }, { dlr: b, dlrStdErr: sb })!;
    expect(got.difference).toBeCloseTo(difference, 12);
    expect(got.stdErr).toBeCloseTo(stdErr, 12);
    expect(got.stdErrs).toBeCloseTo(stdErrs, 12);
    expect(got.distinct).toBe(distinct);
  });

  it('is null without a standard error', () => {
    expect(dlrDifference({ dlr: 0.2, dlrStdErr: null }, { dlr: 0.3, dlrStdErr: 0.01 })).toBeNull();
  });
});
