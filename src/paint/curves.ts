/**
 * Curves painted on a 2D canvas through the axes' pixel maps: lines, plotly's dashes, filled bands,
 * markers (open ones too), error bars, a right-hand y axis, and the emphasis of a run under the
 * pointer. The dashboard's plots of many runs draw their curves here rather than through plotly
 * (src/ui/plots/curve-canvas.ts says why), in a worker where the browser can hand one an
 * OffscreenCanvas (workers/curve-paint-api.ts), else on the main thread.
 *
 * Pure apart from the canvas context it is handed, so it is tested without a browser; no DOM, so a
 * worker can run it.
 */
/**
 * What painting reads of a plotly scatter trace (src/ui builds them with plotly's own types);
 * `meta` holds the run id of a run's trace, whose emphasis follows that run.
 */
export interface CurveTrace {
  x?: unknown;
  y?: unknown;
  mode?: string;
  line?: unknown;
  marker?: unknown;
  fill?: string;
  fillcolor?: unknown;
  error_y?: unknown;
  yaxis?: string;
  visible?: boolean | 'legendonly';
  opacity?: number;
  meta?: unknown;
}

/**
 * The fields of `trace` that painting reads: what goes to the painter's worker (hover texts and click
 * data stay with the page).
 */
export function paintedFields(trace: CurveTrace): CurveTrace {
  const { x, y, mode, line, marker, fill, fillcolor, error_y, yaxis, visible, opacity, meta } = trace;
  return { x, y, mode, line, marker, fill, fillcolor, error_y, yaxis, visible, opacity, meta };
}

/** A drawn plot: its plot area in px from the graph's top-left corner, and its axes' data-to-px maps. */
export interface PlotFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  /** data value to pixel, from the plot's own left and top edges */
  x: (value: number) => number;
  y: (value: number) => number;
}

/** A plot frame with the right-hand y axis, where the plot has one. */
export interface CurveFrame extends PlotFrame {
  y2?: (value: number) => number;
}

/** How the axes map data: a log axis leaves out values that are not positive, as plotly does. */
export interface AxisTypes {
  logX: boolean;
  logY: boolean;
  logY2: boolean;
}

/**
 * An axis's data-to-pixel map as data, to post to a worker: `offset + scale * v`, with v the value,
 * or its log10 on a log axis (plotly's linear maps of linear and log axes).
 */
export interface AxisMap {
  offset: number;
  scale: number;
  log: boolean;
}

/** A plot frame as data (`frameFromMaps` rebuilds the functions). */
export interface FrameMaps {
  left: number;
  top: number;
  width: number;
  height: number;
  x: AxisMap;
  y: AxisMap;
  y2?: AxisMap;
}

/**
 * The map of an axis through its own pixel positions at the two ends of its `range` (in log10 units
 * on a log axis, as plotly gives it): far apart, so plotly's rounding of pixels to 0.01 barely moves
 * the scale.
 */
export function axisMap(toPixel: (value: number) => number, log: boolean, range: [number, number]): AxisMap {
  const [low, high] = range;
  const value = (at: number) => (log ? 10 ** at : at);
  const scale = high === low ? 1 : (toPixel(value(high)) - toPixel(value(low))) / (high - low);
  return { offset: toPixel(value(low)) - scale * low, scale, log };
}

const pixelOf =
  ({ offset, scale, log }: AxisMap) =>
  (value: number) =>
    offset + scale * (log ? Math.log10(value) : value);

/** The frame that `maps` describe. */
export function frameFromMaps(maps: FrameMaps): CurveFrame {
  return {
    left: maps.left,
    top: maps.top,
    width: maps.width,
    height: maps.height,
    x: pixelOf(maps.x),
    y: pixelOf(maps.y),
    ...(maps.y2 ? { y2: pixelOf(maps.y2) } : {}),
  };
}

/** Opacity of the runs not under the pointer while one is. */
export const DIMMED_OPACITY = 0.2;

/**
 * How a run's traces stand out while `hoveredRun` is under the pointer: that run thicker, the
 * others faded; everything as drawn when nothing is hovered. Applied to the drawn figure (a plot's
 * `emphasizedRun`), never through the traces: a hover then rebuilds no trace.
 */
export function emphasis(runId: string, hoveredRun: string | null): { opacity: number; widthScale: number } {
  if (hoveredRun === null) return { opacity: 1, widthScale: 1 };
  return runId === hoveredRun ? { opacity: 1, widthScale: 1.75 } : { opacity: DIMMED_OPACITY, widthScale: 1 };
}

export function values(array: unknown): ArrayLike<unknown> {
  return (array ?? []) as ArrayLike<unknown>;
}

/** A finite number that the axis can place; null for a gap. */
export function onAxis(value: unknown, log: boolean): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return log && value <= 0 ? null : value;
}

export function usesY2(trace: CurveTrace): boolean {
  return trace.yaxis === 'y2';
}

export function drawsMarkers(trace: CurveTrace): boolean {
  return typeof trace.mode === 'string' && trace.mode.includes('markers');
}

export function drawsLines(trace: CurveTrace): boolean {
  return trace.mode === undefined || trace.mode.includes('lines');
}

/** The ± half-widths of a trace's y error bars at each point (none: no bars). */
export function errorArray(trace: CurveTrace): ArrayLike<unknown> | null {
  const bars = trace.error_y as { visible?: boolean; array?: ArrayLike<unknown> } | undefined;
  return bars && bars.visible !== false && bars.array ? bars.array : null;
}

/**
 * Plotly's dash patterns in px for `width` (its `drawing.dashStyle`): the named dashes scale with the
 * line width, at least 3 px; a px list ('10px,5px') is used as it is; solid is none.
 */
export function dashPattern(dash: string | undefined, width: number): number[] {
  const unit = Math.max(width || 1, 3);
  switch (dash ?? 'solid') {
    case 'solid':
      return [];
    case 'dot':
      return [unit, unit];
    case 'dash':
      return [3 * unit, 3 * unit];
    case 'longdash':
      return [5 * unit, 5 * unit];
    case 'dashdot':
      return [3 * unit, unit, unit, unit];
    case 'longdashdot':
      return [5 * unit, 2 * unit, unit, 2 * unit];
    default:
      return dash!
        .split(/[\s,]+/)
        .map((part) => parseFloat(part))
        .filter((n) => Number.isFinite(n) && n >= 0);
  }
}

/** What the canvas calls: the part of CanvasRenderingContext2D the curves need. */
export type CurveContext = Pick<
  CanvasRenderingContext2D,
  | 'save'
  | 'restore'
  | 'beginPath'
  | 'closePath'
  | 'moveTo'
  | 'lineTo'
  | 'arc'
  | 'rect'
  | 'clip'
  | 'fill'
  | 'stroke'
  | 'setLineDash'
  | 'strokeStyle'
  | 'fillStyle'
  | 'lineWidth'
  | 'globalAlpha'
  | 'lineJoin'
  | 'lineCap'
>;

/** A curve as painted: its trace, its opacity and line width factor after the hovered run's emphasis. */
export interface DrawnCurve {
  trace: CurveTrace;
  opacity: number;
  widthScale: number;
}

/**
 * A trace as drawn while `emphasizedRun` is under the pointer: its own opacity times its run's
 * emphasis, and its line width factor (traces without a run are drawn as they are).
 */
export function emphasizedStyle(
  trace: Pick<CurveTrace, 'meta' | 'opacity'>,
  emphasizedRun: string | null,
): { opacity: number; widthScale: number } {
  const { opacity, widthScale } =
    typeof trace.meta === 'string' ? emphasis(trace.meta, emphasizedRun) : { opacity: 1, widthScale: 1 };
  return { opacity: (trace.opacity ?? 1) * opacity, widthScale };
}

/** The curves `drawCurves` paints of `traces`, in order: every visible trace, with its emphasis. */
export function curvesToDraw(traces: readonly CurveTrace[], emphasizedRun: string | null): DrawnCurve[] {
  return traces.flatMap((trace) =>
    trace.visible === false ? [] : [{ trace, ...emphasizedStyle(trace, emphasizedRun) }],
  );
}

/**
 * Calls `at` with each point's pixel position in order, or with NaN for a gap (a missing value, or
 * one the log axis cannot place). Nothing is allocated per point: fifty runs of a thousand points
 * repaint on every step of the slider.
 */
function eachPixel(
  trace: CurveTrace,
  frame: CurveFrame,
  axes: AxisTypes,
  at: (index: number, x: number, y: number) => void,
): void {
  const toY = usesY2(trace) ? frame.y2 : frame.y;
  if (!toY) return;
  const logY = usesY2(trace) ? axes.logY2 : axes.logY;
  const xs = values(trace.x);
  const ys = values(trace.y);
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = onAxis(xs[i], axes.logX);
    const y = onAxis(ys[i], logY);
    if (x === null || y === null) at(i, NaN, NaN);
    else at(i, frame.x(x), toY(y));
  }
}

/** Traces a path through a trace's points, a new piece after each gap (closed pieces for a fill). */
function tracePath(
  ctx: CurveContext,
  trace: CurveTrace,
  frame: CurveFrame,
  axes: AxisTypes,
  close: boolean,
): void {
  let open = false;
  eachPixel(trace, frame, axes, (_, x, y) => {
    if (Number.isNaN(x)) {
      if (open && close) ctx.closePath();
      open = false;
    } else if (open) {
      ctx.lineTo(x, y);
    } else {
      ctx.moveTo(x, y);
      open = true;
    }
  });
  if (open && close) ctx.closePath();
}

/** A marker: a filled circle or diamond, or its outline (an '-open' symbol) `outline` px wide. */
function drawMarker(
  ctx: CurveContext,
  x: number,
  y: number,
  size: number,
  symbol: unknown,
  outline: number,
): void {
  const r = size / 2;
  const shape = typeof symbol === 'string' ? symbol.replace(/-open$/, '') : 'circle';
  ctx.beginPath();
  if (shape === 'diamond') {
    // plotly's diamond spans 1.3 times a circle of the same size
    const d = r * 1.3;
    ctx.moveTo(x, y - d);
    ctx.lineTo(x + d, y);
    ctx.lineTo(x, y + d);
    ctx.lineTo(x - d, y);
    ctx.closePath();
  } else {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
  if (typeof symbol === 'string' && symbol.endsWith('-open')) {
    ctx.lineWidth = outline;
    ctx.stroke();
  } else {
    ctx.fill();
  }
}

/**
 * Paints `traces` in order (fills, then lines, error bars and markers of each), clipped to the plot
 * area, with the emphasis of `emphasizedRun` (traces.ts `emphasis`). Returns what it painted.
 */
export function drawCurves(
  ctx: CurveContext,
  traces: readonly CurveTrace[],
  frame: CurveFrame,
  axes: AxisTypes,
  emphasizedRun: string | null,
): DrawnCurve[] {
  const drawn = curvesToDraw(traces, emphasizedRun);
  ctx.save();
  ctx.beginPath();
  ctx.rect(frame.left, frame.top, frame.width, frame.height);
  ctx.clip();
  ctx.lineJoin = 'round';
  ctx.lineCap = 'butt';
  for (const { trace, opacity, widthScale } of drawn) {
    const line = (trace.line ?? {}) as { color?: string; width?: number; dash?: string };
    const colour = line.color ?? '#444444';
    ctx.globalAlpha = opacity;
    if (trace.fill === 'toself') {
      ctx.fillStyle = (trace.fillcolor as string | undefined) ?? colour;
      ctx.beginPath();
      tracePath(ctx, trace, frame, axes, true);
      ctx.fill();
    }
    const width = (line.width ?? 2) * widthScale;
    if (drawsLines(trace) && width > 0) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.setLineDash(dashPattern(line.dash, width));
      ctx.beginPath();
      tracePath(ctx, trace, frame, axes, false);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const errors = errorArray(trace);
    if (errors) {
      const bars = trace.error_y as { color?: string; thickness?: number; width?: number };
      const toY = usesY2(trace) ? frame.y2 : frame.y;
      const logY = usesY2(trace) ? axes.logY2 : axes.logY;
      const ys = values(trace.y);
      ctx.strokeStyle = bars.color ?? colour;
      ctx.lineWidth = bars.thickness ?? 2;
      const cap = bars.width ?? 4;
      ctx.beginPath();
      eachPixel(trace, frame, axes, (i, x) => {
        const error = Number(errors[i]);
        const y = Number(ys[i]);
        if (Number.isNaN(x) || !toY || !Number.isFinite(error) || error <= 0) return;
        const low = onAxis(y - error, logY);
        const top = toY(y + error);
        const bottom = low === null ? frame.top + frame.height : toY(low);
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - cap, top);
        ctx.lineTo(x + cap, top);
        if (low !== null) {
          ctx.moveTo(x - cap, bottom);
          ctx.lineTo(x + cap, bottom);
        }
      });
      ctx.stroke();
    }
    if (drawsMarkers(trace)) {
      const marker = (trace.marker ?? {}) as {
        color?: string;
        size?: number;
        symbol?: string;
        line?: { width?: number };
      };
      ctx.fillStyle = marker.color ?? colour;
      ctx.strokeStyle = marker.color ?? colour;
      const size = (marker.size ?? 6) * (widthScale > 1 ? 1.25 : 1);
      const outline = marker.line?.width ?? 1;
      eachPixel(trace, frame, axes, (_, x, y) => {
        if (!Number.isNaN(x)) drawMarker(ctx, x, y, size, marker.symbol, outline);
      });
    }
  }
  ctx.restore();
  return drawn;
}

/** A canvas's 2D context as painting uses it (the page's canvas, or an OffscreenCanvas in a worker). */
export type PaintContext = CurveContext & Pick<CanvasRenderingContext2D, 'setTransform' | 'clearRect'>;

/** What a canvas shows: its size in device px and their ratio to CSS px, and its curves. */
export interface CanvasPaint {
  width: number;
  height: number;
  ratio: number;
  /** the plot's area and axes; null while nothing is drawn (the canvas is cleared) */
  frame: FrameMaps | null;
  traces: readonly CurveTrace[];
  axes: AxisTypes;
  emphasizedRun: string | null;
}

/**
 * Clears the canvas of `ctx` (already sized `width` x `height`) and paints the curves in CSS px,
 * scaled by `ratio`. Returns what it painted.
 */
export function paintCanvas(ctx: PaintContext, paint: CanvasPaint): DrawnCurve[] {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, paint.width, paint.height);
  if (!paint.frame || paint.traces.length === 0) return [];
  ctx.setTransform(paint.ratio, 0, 0, paint.ratio, 0, 0);
  return drawCurves(ctx, paint.traces, frameFromMaps(paint.frame), paint.axes, paint.emphasizedRun);
}
