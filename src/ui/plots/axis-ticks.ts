/**
 * Tick spacing for the plots' axes, so labels never crowd: whole decades on a log axis (plotly's
 * automatic ticks add "2" and "5" between decades on short ranges), and whole numbers spaced to
 * fit on an index axis (r', j).
 */

/**
 * `dtick` of a log axis from `smallest` up to 1 (relative values): every `n`-th decade so that at
 * most `maxTicks` labels show; plotly reads an integer dtick on a log axis as decades (10^n).
 * Undefined (plotly's own ticks) for less than a decade, where whole decades would leave one label.
 */
export function decadeTick(smallest: number, maxTicks = 6): number | undefined {
  if (!(smallest > 0) || smallest > 0.1) return undefined;
  const decades = Math.ceil(-Math.log10(smallest));
  return Math.max(1, Math.ceil(decades / maxTicks));
}

/** `dtick` of an axis of whole numbers 1..count: 1, 2, 5, 10, 20, 50, ... with at most `maxTicks` labels. */
export function integerTick(count: number, maxTicks = 8): number {
  for (let scale = 1; ; scale *= 10) {
    for (const step of [1, 2, 5]) if (count / (step * scale) <= maxTicks) return step * scale;
  }
}
