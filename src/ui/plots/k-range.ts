/**
 * The shared k axis of the spectra between plotly's axis units (log10 k on a log axis) and the k
 * range kept in the view settings (in k, so the URL reads the same on either axis).
 */
import { usableKRange } from '../../state/view-settings';

/** Significant digits kept of a zoomed k: short URLs, far finer than a pixel of the axis. */
const K_DIGITS = 6;

/**
 * The k range of a zoomed axis range (`[from, to]` in axis units, as plotly reports it), rounded
 * to 6 significant digits; null when it is no usable k range (NaN, empty, k <= 0 on a log axis).
 */
export function kRangeFromAxis(
  axisRange: readonly [number, number],
  logK: boolean,
): readonly [number, number] | null {
  const ks = axisRange.map((x) => (logK ? 10 ** x : x)).sort((a, b) => a - b);
  const rounded = ks.map((k) => Number(k.toPrecision(K_DIGITS)));
  // A zoom narrower than the rounding keeps its unrounded ends rather than collapse.
  const [lo, hi] = rounded[0] < rounded[1] ? rounded : ks;
  return usableKRange([lo, hi], logK);
}

/** The axis range (plotly's units) that shows `kRange`; a new array, as plotly writes into it. */
export function axisRangeOfK(kRange: readonly [number, number], logK: boolean): [number, number] {
  return logK ? [Math.log10(kRange[0]), Math.log10(kRange[1])] : [kRange[0], kRange[1]];
}
