/** Fixtures of painting's tests, shared with the UI's tests of what is placed on a plot. */
import type { PlotFrame } from './curves';

/** A 400 x 200 px plot area at (50, 20): x from 0 to 100 (linear), y from 0 to 1 (upwards). */
export const PLOT_AREA: PlotFrame = {
  left: 50,
  top: 20,
  width: 400,
  height: 200,
  x: (v) => 50 + 4 * v,
  y: (v) => 220 - 200 * v,
};
