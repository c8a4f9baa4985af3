import { describe, expect, it } from 'vitest';

import { addProgressSample, estimateProgress, type ProgressSample } from './progress-rate';

const options = { windowMs: 4000, minSpanMs: 1000, minSamples: 3 };

/** Samples every `everyMs` at a constant `rowsPerSecond`, from t = 0. */
function steady(count: number, everyMs: number, rowsPerSecond: number): ProgressSample[] {
  let samples: ProgressSample[] = [];
  for (let k = 0; k < count; k++) {
    const time = k * everyMs;
    samples = addProgressSample(samples, { time, rowsDone: (rowsPerSecond * time) / 1000 }, options);
  }
  return samples;
}

describe('progress rate and time left', () => {
  it('gives no estimate until the samples span enough time and are enough', () => {
    expect(estimateProgress(steady(2, 2000, 1000), 10_000, options)).toEqual({
      rowsPerSecond: null,
      secondsLeft: null,
    });
    // three samples, but only 600 ms of history
    expect(estimateProgress(steady(3, 300, 1000), 10_000, options).rowsPerSecond).toBeNull();
    expect(estimateProgress(steady(3, 500, 1000), 10_000, options).rowsPerSecond).toBe(1000);
  });

  it('measures a steady rate and the time the remaining rows take at it', () => {
    const samples = steady(11, 500, 2000); // 5 s at 2,000 rows/s: 10,000 rows done
    const estimate = estimateProgress(samples, 50_000, options);
    expect(estimate.rowsPerSecond).toBeCloseTo(2000, 9);
    expect(estimate.secondsLeft).toBeCloseTo(20, 9);
  });

  it('follows the recent speed: samples older than the window are dropped', () => {
    // 10 s at 1,000 rows/s, then 4 s at 5,000 rows/s
    let samples: ProgressSample[] = [];
    let rows = 0;
    for (let t = 0; t <= 14_000; t += 500) {
      if (t > 0) rows += t <= 10_000 ? 500 : 2500;
      samples = addProgressSample(samples, { time: t, rowsDone: rows }, options);
    }
    expect(samples[0].time).toBe(10_000);
    expect(estimateProgress(samples, rows + 10_000, options)).toEqual({
      rowsPerSecond: 5000,
      secondsLeft: 2,
    });
  });

  it('starts again when the rows go back (the work restarted on another path)', () => {
    const samples = addProgressSample(steady(9, 500, 1000), { time: 4500, rowsDone: 100 }, options);
    expect(samples).toEqual([{ time: 4500, rowsDone: 100 }]);
    expect(estimateProgress(samples, 10_000, options).rowsPerSecond).toBeNull();
  });

  it('has a rate but no time left while stalled, and never a negative time', () => {
    const stalled = [0, 1000, 2000].map((time) => ({ time, rowsDone: 300 }));
    expect(estimateProgress(stalled, 1000, options)).toEqual({ rowsPerSecond: 0, secondsLeft: null });
    expect(estimateProgress(steady(5, 500, 1000), 100, options).secondsLeft).toBe(0);
  });
});
