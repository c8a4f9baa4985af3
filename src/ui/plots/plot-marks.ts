/**
 * Marks drawn over a plot, outside plotly: the selected checkpoint's ring and the spectra's step on
 * "D_LR over training". Plotly treats any move of a layout shape or annotation as new data and
 * recomputes and redraws every trace; these marks move with the selection and the step slider, so
 * they are placed on an SVG layer of their own from the drawn axes. Exports put them back into the
 * figure as the shapes and annotations they stand for (`marksAsLayout`). Pure, unit-tested.
 */
import type { Annotation, Shape } from 'plotly.js-dist-min';

export type PlotMark =
  /** a ring around one point, in data units */
  | { kind: 'ring'; x: number; y: number; colour: string }
  /** a dashed vertical line across the plot at x, labelled above it */
  | { kind: 'step'; x: number; label: string };

export const RING_RADIUS_PX = 8;
export const RING_WIDTH_PX = 3;
export const STEP_LINE = { colour: '#8a8f98', widthPx: 1.5, dash: '4 3', labelSizePx: 11 } as const;

import type { PlotFrame } from '../../paint/curves';

export type { PlotFrame };

/** A mark in pixels; `at` is its x in data units (what tests and screen readers can read back). */
export type PlacedMark =
  | { kind: 'ring'; at: number; cx: number; cy: number; colour: string }
  | { kind: 'step'; at: number; x: number; top: number; bottom: number; label: string };

/** Half a pixel of slack, so a mark on the edge of the plot area is kept. */
const EDGE = 0.5;

/** Pixel positions of the marks inside the plot area; marks outside it (a zoom) or unplaceable are left out. */
export function placeMarks(marks: readonly PlotMark[], frame: PlotFrame): PlacedMark[] {
  const insideX = (px: number) =>
    Number.isFinite(px) && px >= frame.left - EDGE && px <= frame.left + frame.width + EDGE;
  const insideY = (py: number) =>
    Number.isFinite(py) && py >= frame.top - EDGE && py <= frame.top + frame.height + EDGE;
  const placed: PlacedMark[] = [];
  for (const mark of marks) {
    const x = frame.x(mark.x);
    if (!insideX(x)) continue;
    if (mark.kind === 'ring') {
      const y = frame.y(mark.y);
      if (insideY(y)) placed.push({ kind: 'ring', at: mark.x, cx: x, cy: y, colour: mark.colour });
    } else {
      const bottom = frame.top + frame.height;
      placed.push({ kind: 'step', at: mark.x, x, top: frame.top, bottom, label: mark.label });
    }
  }
  return placed;
}

/**
 * The marks as plotly layout shapes and annotations, for an exported image (where no overlay is
 * drawn). Shapes on a log axis are placed in log10 units.
 */
export function marksAsLayout(
  marks: readonly PlotMark[],
  logX: boolean,
): { shapes: Partial<Shape>[]; annotations: Partial<Annotation>[] } {
  const shapes: Partial<Shape>[] = [];
  const annotations: Partial<Annotation>[] = [];
  for (const mark of marks) {
    if (mark.kind === 'ring') {
      shapes.push({
        type: 'circle',
        xref: 'x',
        yref: 'y',
        xsizemode: 'pixel',
        ysizemode: 'pixel',
        xanchor: logX ? Math.log10(mark.x) : mark.x,
        yanchor: mark.y,
        x0: -RING_RADIUS_PX,
        x1: RING_RADIUS_PX,
        y0: -RING_RADIUS_PX,
        y1: RING_RADIUS_PX,
        line: { color: mark.colour, width: RING_WIDTH_PX },
      });
    } else {
      shapes.push({
        type: 'line',
        xref: 'x',
        yref: 'paper',
        x0: mark.x,
        x1: mark.x,
        y0: 0,
        y1: 1,
        line: { color: STEP_LINE.colour, width: STEP_LINE.widthPx, dash: 'dash' },
      });
      annotations.push({
        xref: 'x',
        yref: 'paper',
        x: mark.x,
        y: 1,
        yanchor: 'bottom',
        showarrow: false,
        text: mark.label,
        font: { size: STEP_LINE.labelSizePx, color: STEP_LINE.colour },
      });
    }
  }
  return { shapes, annotations };
}
