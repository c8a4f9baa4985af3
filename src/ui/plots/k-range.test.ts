import { describe, expect, it } from 'vitest';
import { axisRangeOfK, kRangeFromAxis } from './k-range';

describe('k range <-> axis range of the spectra', () => {
  it('keeps a linear axis range as k, rounded to 6 significant digits', () => {
    expect(kRangeFromAxis([3.14159265358979, 29.876543210987], false)).toEqual([3.14159, 29.8765]);
    expect(kRangeFromAxis([-0.73, 12], false)).toEqual([-0.73, 12]);
    expect(axisRangeOfK([3.14159, 29.8765], false)).toEqual([3.14159, 29.8765]);
  });

  it('turns a log axis range (log10 k) into k and back', () => {
    const k = kRangeFromAxis([0.30103, 1.5], true)!;
    expect(k[0]).toBeCloseTo(2, 4);
    expect(k[1]).toBeCloseTo(31.6228, 3);
    const axis = axisRangeOfK(k, true);
    expect(axis[0]).toBeCloseTo(0.30103, 5);
    expect(axis[1]).toBeCloseTo(1.5, 5);
    // a log axis range always has k > 0
    expect(kRangeFromAxis([-2, 0], true)).toEqual([0.01, 1]);
  });

  it('orders the ends, keeps a zoom narrower than the rounding, and refuses nonsense', () => {
    expect(kRangeFromAxis([30, 2], false)).toEqual([2, 30]);
    expect(kRangeFromAxis([1000.0000001, 1000.0000002], false)).toEqual([1000.0000001, 1000.0000002]);
    expect(kRangeFromAxis([5, 5], false)).toBeNull();
    expect(kRangeFromAxis([NaN, 5], false)).toBeNull();
    expect(kRangeFromAxis([1, Infinity], true)).toBeNull();
  });

  it('gives plotly a new array each time (it writes zooms into the layout it holds)', () => {
    const kRange = [1, 10] as const;
    expect(axisRangeOfK(kRange, false)).not.toBe(kRange);
    expect(axisRangeOfK(kRange, false)).toEqual([1, 10]);
  });
});
