/**
 * The curve painter's main-thread side, with the painter's API running inline (Node has no Worker):
 * a canvas handed over paints there, repaints never queue up, and a canvas that cannot be handed
 * over paints on itself.
 */
import { describe, expect, it, vi } from 'vitest';

import type { CanvasPaint, CurveTrace } from '../paint/curves';
import { curveSurface, releaseCurveSurface } from './curve-painter';

/** A 2D context that records the operations painted on it, by name. */
function recordingContext() {
  const ops: string[] = [];
  const state: Record<string, unknown> = {};
  const context = new Proxy(state, {
    get: (target, key) =>
      key in target
        ? target[key as string]
        : (...args: unknown[]) => ops.push(`${String(key)}(${args.length})`),
    set: (target, key, value) => {
      target[key as string] = value;
      return true;
    },
  });
  return { context, ops, strokes: () => ops.filter((op) => op.startsWith('stroke')).length };
}

/** A surface that stands for a canvas: its own context, and an OffscreenCanvas it can hand over. */
function fakeCanvas(transferable: boolean) {
  const own = recordingContext();
  const offscreen = { width: 0, height: 0, ...recordingContext() };
  const canvas = {
    width: 0,
    height: 0,
    getContext: () => own.context,
    ...(transferable
      ? {
          transferControlToOffscreen: () => Object.assign(offscreen, { getContext: () => offscreen.context }),
        }
      : {}),
  };
  return { canvas: canvas as unknown as HTMLCanvasElement, own, offscreen };
}

const line = (meta: string): CurveTrace => ({
  mode: 'lines',
  meta,
  x: [0, 1],
  y: [0, 1],
  line: { color: 'red' },
});
const maps = { offset: 0, scale: 100, log: false };
const paint = (traces: CurveTrace[], emphasizedRun: string | null = null): CanvasPaint => ({
  width: 200,
  height: 100,
  ratio: 1,
  frame: { left: 0, top: 0, width: 200, height: 100, x: maps, y: maps },
  traces,
  axes: { logX: false, logY: false, logY2: false },
  emphasizedRun,
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('curveSurface', () => {
  it('paints a canvas on itself where it cannot be handed over, and says when', () => {
    const { canvas, own } = fakeCanvas(false);
    let painted = 0;
    const drawn = curveSurface(canvas, { onPainted: () => painted++ }).paint(
      paint([line('a'), line('b')], 'b'),
    );
    expect(drawn.map((d) => [d.trace.meta, d.widthScale])).toEqual([
      ['a', 1],
      ['b', 1.75],
    ]);
    expect([canvas.width, canvas.height, painted, own.strokes()]).toEqual([200, 100, 1, 2]);
  });

  it('hands a canvas over once and paints it in the painter, the latest of several requests last', async () => {
    const { canvas, own, offscreen } = fakeCanvas(true);
    const painted: number[] = [];
    const surface = curveSurface(canvas, { onPainted: () => painted.push(painted.length) });
    expect(curveSurface(canvas)).toBe(surface);
    const traces = [line('a'), line('b'), line('c')];
    // the first is sent; the second waits and is replaced by the third
    surface.paint(paint(traces.slice(0, 1)));
    surface.paint(paint(traces.slice(0, 2)));
    const drawn = surface.paint(paint(traces, 'c'));
    expect(drawn).toHaveLength(3);
    await vi.waitFor(() => expect(painted).toEqual([0, 1]));
    expect(own.strokes()).toBe(0);
    // the canvas handed over holds the third request's three curves, sized as asked
    expect(offscreen.strokes()).toBe(1 + 3);
    expect([offscreen.width, offscreen.height]).toEqual([200, 100]);
  });

  it('repaints with the traces it holds when only the emphasis changes, and nothing once released', async () => {
    const { canvas, offscreen } = fakeCanvas(true);
    let painted = 0;
    const surface = curveSurface(canvas, { onPainted: () => painted++ });
    const traces = [line('a'), line('b')];
    surface.paint(paint(traces));
    await vi.waitFor(() => expect(painted).toBe(1));
    expect(offscreen.strokes()).toBe(2);
    // the same traces are not sent again: the painter paints the ones it holds
    surface.paint(paint(traces, 'a'));
    await vi.waitFor(() => expect(painted).toBe(2));
    expect(offscreen.strokes()).toBe(4);
    releaseCurveSurface(canvas);
    surface.paint(paint(traces, 'b'));
    await settle();
    expect(painted).toBe(2);
  });
});
