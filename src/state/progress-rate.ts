/**
 * Rows per second and time left of a running analysis, from its recent progress: the rate is the
 * rows read over a short sliding window (so it follows the current speed, not the start-up), and
 * there is no estimate until the window holds enough of the run to mean something. Pure.
 */

/** Rows done at a moment (ms on a monotonic clock, e.g. performance.now()). */
export interface ProgressSample {
  time: number;
  rowsDone: number;
}

export interface RateOptions {
  /** ms of history the rate is measured over */
  windowMs: number;
  /** no estimate until the samples span this many ms ... */
  minSpanMs: number;
  /** ... and number at least this many */
  minSamples: number;
}

export const defaultRateOptions: RateOptions = { windowMs: 4000, minSpanMs: 500, minSamples: 3 };

export interface ProgressEstimate {
  /** null until there is enough data */
  rowsPerSecond: number | null;
  /** seconds until every row is read at that rate; null without a rate or while stalled */
  secondsLeft: number | null;
}

/**
 * The samples with `sample` added, keeping the newest one older than the window so the window is
 * always spanned. Fewer rows than before means the work restarted (the single-worker path took over
 * from a declined split): the history starts again.
 */
export function addProgressSample(
  samples: readonly ProgressSample[],
  sample: ProgressSample,
  options: RateOptions = defaultRateOptions,
): ProgressSample[] {
  const last = samples.at(-1);
  if (last && sample.rowsDone < last.rowsDone) return [sample];
  const kept = [...samples, sample];
  const oldest = sample.time - options.windowMs;
  let drop = 0;
  while (drop + 1 < kept.length && kept[drop + 1].time <= oldest) drop++;
  return kept.slice(drop);
}

/** The rate over the samples' window and the time left for `rowsTotal` rows at that rate. */
export function estimateProgress(
  samples: readonly ProgressSample[],
  rowsTotal: number,
  options: RateOptions = defaultRateOptions,
): ProgressEstimate {
  const none = { rowsPerSecond: null, secondsLeft: null };
  if (samples.length < options.minSamples) return none;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const span = last.time - first.time;
  if (span < options.minSpanMs) return none;
  const rowsPerSecond = (1000 * Math.max(0, last.rowsDone - first.rowsDone)) / span;
  if (rowsPerSecond === 0) return { rowsPerSecond, secondsLeft: null };
  return { rowsPerSecond, secondsLeft: Math.max(0, rowsTotal - last.rowsDone) / rowsPerSecond };
}
