/**
 * Which of the points a plotly event lists is the one under the pointer. With one hover for all
 * runs ('x unified'), a hover or a click reports a point of every trace near that x; the run the
 * user means is the one whose point is nearest to the pointer on screen.
 */

export interface ScreenPoint {
  /** pixels from the graph's top-left corner; missing when plotly did not place the point */
  xPixel?: number;
  yPixel?: number;
}

/**
 * The point nearest to `pointer` (Euclidean, in pixels) among those that `accept`; undefined when
 * none is accepted. Points without a pixel position count as infinitely far, unless no point has
 * one: then the first accepted point (plotly listed it as the hovered one).
 */
export function nearestPoint<T extends ScreenPoint>(
  points: readonly T[],
  pointer: ScreenPoint,
  accept: (point: T) => boolean = () => true,
): T | undefined {
  const candidates = points.filter(accept);
  let best: T | undefined;
  let bestDistance = Infinity;
  for (const point of candidates) {
    const dx = (point.xPixel ?? NaN) - (pointer.xPixel ?? NaN);
    const dy = (point.yPixel ?? NaN) - (pointer.yPixel ?? NaN);
    const distance = Math.hypot(Number.isFinite(dx) ? dx : 0, Number.isFinite(dy) ? dy : 0);
    const placed = Number.isFinite(dx) || Number.isFinite(dy);
    if (placed && distance < bestDistance) {
      best = point;
      bestDistance = distance;
    }
  }
  return best ?? candidates[0];
}
