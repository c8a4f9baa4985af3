import { describe, expect, it } from 'vitest';
import { smoothCurve } from './smoothing';

describe('smoothCurve', () => {
  it('leaves the curve alone at weight 0', () => {
    expect(smoothCurve([0.5, 0.2, 0.9], 0)).toEqual([0.5, 0.2, 0.9]);
  });

  it('keeps a constant curve constant and starts at the first value (bias removed)', () => {
    smoothCurve([0.3, 0.3, 0.3, 0.3], 0.9).forEach((v) => expect(v).toBeCloseTo(0.3, 14));
    expect(smoothCurve([0.7, 0.1], 0.8)[0]).toBeCloseTo(0.7, 14);
  });

  it('matches the debiased moving average by hand', () => {
    // w = 0.5: m = [0.5, 0.25 + 0.5 = 0.75 ... ] over values [1, 2, 4]
    // m0 = 0.5, s0 = 0.5 / 0.5 = 1; m1 = 0.25 + 1 = 1.25, s1 = 1.25 / 0.75; m2 = 0.625 + 2 = 2.625, s2 = 2.625 / 0.875
    const s = smoothCurve([1, 2, 4], 0.5);
    expect(s[0]).toBeCloseTo(1, 14);
    expect(s[1]).toBeCloseTo(1.25 / 0.75, 14);
    expect(s[2]).toBeCloseTo(2.625 / 0.875, 14);
  });

  it('passes NaN through without letting it into the average', () => {
    const s = smoothCurve([1, NaN, 1], 0.6);
    expect(s[1]).toBeNaN();
    expect(s[2]).toBeCloseTo(1, 14);
  });
});
