/**
 * The colours of a run's steps: a sequential scale (viridis), from the first step to the last. (Run
 * colours are assigned by the store: src/state/run-colours.ts.)
 */

// Viridis sampled at 9 evenly spaced stops (matplotlib's _viridis_data).
const VIRIDIS: readonly [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** Colour for position t in [0, 1] on the sequential (viridis) scale, as '#rrggbb'. */
export function sequentialColour(t: number): string {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const position = clamped * (VIRIDIS.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(VIRIDIS.length - 1, lower + 1);
  const f = position - lower;
  const channel = (i: number) => Math.round(VIRIDIS[lower][i] + (VIRIDIS[upper][i] - VIRIDIS[lower][i]) * f);
  return `#${[0, 1, 2].map((i) => channel(i).toString(16).padStart(2, '0')).join('')}`;
}

/** Viridis for plotly's colorscale (colour bar of the step scale). */
export const SEQUENTIAL_COLORSCALE: [number, string][] = VIRIDIS.map((_, i) => [
  i / (VIRIDIS.length - 1),
  sequentialColour(i / (VIRIDIS.length - 1)),
]);
