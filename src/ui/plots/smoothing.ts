/**
 * Smoothing of curves over training, as TensorBoard does it: an exponential moving average with
 * the start-up bias removed, so the first smoothed point is the first value and a constant curve
 * stays constant.
 */

/**
 * s_i = m_i / (1 - w^(i+1)), m_i = w m_(i-1) + (1 - w) v_i, m_(-1) = 0, over the finite values in
 * order (a NaN or infinite value is kept as is and does not enter the average). `weight` w in
 * [0, 1): 0 returns the values unchanged; values outside are clamped to [0, 0.999].
 */
export function smoothCurve(values: readonly number[], weight: number): number[] {
  const w = Math.min(0.999, Math.max(0, Number.isFinite(weight) ? weight : 0));
  if (w === 0) return [...values];
  let moving = 0;
  let counted = 0;
  return values.map((value) => {
    if (!Number.isFinite(value)) return value;
    moving = w * moving + (1 - w) * value;
    counted += 1;
    return moving / (1 - w ** counted);
  });
}

/** The smoothing weights offered (0 = off). */
export const SMOOTHING_WEIGHTS: readonly number[] = [0, 0.3, 0.6, 0.8, 0.9, 0.95];
