import { describe, expect, it } from 'vitest';

import { formatCount, formatRate, formatRows, formatTimeLeft } from './progress-text';

describe('progress texts', () => {
  it('writes counts with k / M and at most three significant digits', () => {
    expect(
      [0, 950, 999.7, 1000, 24_576, 200_000, 999_900, 1_234_567, 50_000_000, 2.5e9].map(formatCount),
    ).toEqual(['0', '950', '1 k', '1 k', '24.6 k', '200 k', '1 M', '1.2 M', '50 M', '2.5 G']);
    expect(formatRows(24_576, 50_000)).toBe('24.6 k / 50 k rows');
    expect(formatRate(1_234_567)).toBe('1.2 M rows/s');
  });

  it('rounds the time left up and switches units', () => {
    expect([0.2, 1, 11.2, 59.5, 60, 125, 3599, 3600, 3780].map(formatTimeLeft)).toEqual([
      '< 1 s left',
      '1 s left',
      '12 s left',
      '1 min left',
      '1 min left',
      '2 min 5 s left',
      '59 min 59 s left',
      '1 h left',
      '1 h 3 min left',
    ]);
  });
});
