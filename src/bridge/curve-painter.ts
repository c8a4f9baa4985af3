/**
 * The main thread's side of the curve painter (workers/curve-paint.worker.ts). A plot's canvas is
 * handed to the painter once, as an OffscreenCanvas, and each repaint is then a message. Without a
 * GPU the browser rasterises a 2D canvas on the thread that draws on it, so many runs' curves are
 * rasterised in the painter's worker, not on the page's main thread (docs/benchmarks.md). Where a
 * canvas cannot be handed over (no `transferControlToOffscreen`), the same painting runs here.
 *
 * One repaint per canvas is in flight at a time; a newer request waits in its place and replaces an
 * older one still waiting, so a fast pointer never queues stale paints.
 */
import * as Comlink from 'comlink';
import {
  curvesToDraw,
  paintCanvas,
  paintedFields,
  type CanvasPaint,
  type CurveTrace,
  type DrawnCurve,
  type PaintContext,
} from '../paint/curves';
import type { CurvePaintApi, CurvePaintRequest } from '../../workers/curve-paint.worker';
import { startWorker, type StartedWorker } from './start-worker';

export interface CurveSurface {
  /** Repaints the canvas; returns the curves it paints (what the end-to-end tests read). */
  paint(paint: CanvasPaint): DrawnCurve[];
}

export interface SurfaceEvents {
  /** a repaint is on the canvas (in a worker: its task has ended, and the frame goes to the screen) */
  onPainted?: () => void;
  /** the painter failed (its worker could not start): the message to show */
  onError?: (message: string) => void;
}

let painter: StartedWorker<CurvePaintApi> | null = null;

function painterWorker(): StartedWorker<CurvePaintApi> {
  painter ??= startWorker<CurvePaintApi>({
    label: 'curve painter',
    create: () =>
      new Worker(new URL('../../workers/curve-paint.worker.ts', import.meta.url), {
        type: 'module',
        name: 'richscope-paint',
      }),
    inline: () => import('../../workers/curve-paint-api').then((m) => m.createCurvePaintApi()),
  });
  return painter;
}

/** Paints on the canvas itself, on this thread. */
function paintHere(canvas: HTMLCanvasElement, events: SurfaceEvents): CurveSurface {
  return {
    paint(paint) {
      if (canvas.width !== paint.width) canvas.width = paint.width;
      if (canvas.height !== paint.height) canvas.height = paint.height;
      const context = canvas.getContext('2d') as PaintContext | null;
      const drawn = context ? paintCanvas(context, paint) : [];
      events.onPainted?.();
      return drawn;
    },
  };
}

let nextId = 0;

/** Paints through the painter's worker, on the canvas handed to it. */
function paintInWorker(canvas: HTMLCanvasElement, events: SurfaceEvents): CurveSurface & { release(): void } {
  const { api } = painterWorker();
  const id = nextId++;
  const offscreen = canvas.transferControlToOffscreen();
  const attached = api.attach(id, Comlink.transfer(offscreen, [offscreen]));
  let painting = false;
  let waiting: CanvasPaint | null = null;
  let released = false;
  // the traces the worker holds for this canvas
  let sent: readonly CurveTrace[] | null = null;
  const send = (paint: CanvasPaint) => {
    painting = true;
    const request: CurvePaintRequest = {
      ...paint,
      traces: paint.traces === sent ? undefined : paint.traces.map(paintedFields),
    };
    sent = paint.traces;
    attached
      .then(() => api.paint(id, request))
      .then(
        () => events.onPainted?.(),
        (error: unknown) => {
          // the worker may not hold this paint's traces: send them with the next one
          sent = null;
          events.onError?.((error as Error)?.message ?? String(error));
        },
      )
      .finally(() => {
        painting = false;
        const next = waiting;
        waiting = null;
        if (next && !released) send(next);
      });
  };
  return {
    paint(paint) {
      if (!released) {
        if (painting) waiting = paint;
        else send(paint);
      }
      return paint.frame ? curvesToDraw(paint.traces, paint.emphasizedRun) : [];
    },
    release() {
      released = true;
      waiting = null;
      void attached.then(() => api.detach(id)).catch(() => undefined);
    },
  };
}

const surfaces = new WeakMap<HTMLCanvasElement, CurveSurface & { release?(): void }>();

/**
 * The surface of `canvas`, made on first use (with that call's `events`): painted in the painter's
 * worker where the canvas can be handed over, else here. A canvas is handed over once; the same
 * surface serves it until released.
 */
export function curveSurface(canvas: HTMLCanvasElement, events: SurfaceEvents = {}): CurveSurface {
  let surface = surfaces.get(canvas);
  if (!surface) {
    surface =
      typeof canvas.transferControlToOffscreen === 'function'
        ? paintInWorker(canvas, events)
        : paintHere(canvas, events);
    surfaces.set(canvas, surface);
  }
  return surface;
}

/** Lets the painter drop `canvas` (its plot is gone); a later `curveSurface` of it paints nothing. */
export function releaseCurveSurface(canvas: HTMLCanvasElement): void {
  surfaces.get(canvas)?.release?.();
}
