/**
 * The curve painter: the canvases of the dashboard's plots of many runs, each handed over once as an
 * OffscreenCanvas, painted here on request (src/paint/curves.ts). Without a GPU the browser
 * rasterises a 2D canvas on the thread that draws on it: here, this worker rather than the page's
 * main thread (docs/benchmarks.md).
 *
 * A canvas keeps the traces it was last painted with, so a repaint that only moves the axes or the
 * hovered run is sent without them.
 *
 * May import: src/paint. Never: React, zustand, plotly, or the DOM.
 */
import { paintCanvas, type CanvasPaint, type CurveTrace, type PaintContext } from '../src/paint/curves';

/** One repaint of a canvas: the traces only when they differ from this canvas's last paint's. */
export type CurvePaintRequest = Omit<CanvasPaint, 'traces'> & { traces?: readonly CurveTrace[] };

export function createCurvePaintApi() {
  const canvases = new Map<number, { canvas: OffscreenCanvas; traces: readonly CurveTrace[] }>();
  return {
    /** Takes over a plot's canvas under `id`. */
    async attach(id: number, canvas: OffscreenCanvas): Promise<void> {
      canvases.set(id, { canvas, traces: [] });
    },

    /** Repaints canvas `id`; resolves once painted (the frame reaches the screen when this task ends). */
    async paint(id: number, request: CurvePaintRequest): Promise<void> {
      const entry = canvases.get(id);
      if (!entry) return;
      if (request.traces) entry.traces = request.traces;
      const { canvas } = entry;
      if (canvas.width !== request.width) canvas.width = request.width;
      if (canvas.height !== request.height) canvas.height = request.height;
      const context = canvas.getContext('2d') as PaintContext | null;
      if (!context) return;
      paintCanvas(context, { ...request, traces: entry.traces });
    },

    /** Lets go of canvas `id` (its plot is gone). */
    async detach(id: number): Promise<void> {
      canvases.delete(id);
    },
  };
}

export type CurvePaintApi = ReturnType<typeof createCurvePaintApi>;
