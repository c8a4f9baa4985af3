/**
 * Curves drawn on a canvas over plotly's axes. Plotly's cost is per trace and per draw (its defaults,
 * its calc step and one SVG group each), so a plot of fifty runs was slow to redraw whenever a step,
 * a run or a selection changed (docs/benchmarks.md, "Eleventh session"). Here plotly keeps only the axes, the zoom and the
 * exported image: it is handed a few invisible traces spanning the data (`extentTraces`), so its
 * autoscale finds the same ranges, and it redraws only when those ranges or the layout change. The
 * curves themselves (lines, dashes, markers, error bars, filled bands) are painted here through the
 * axes' own pixel mapping, and the hover that lists every run at one x is built from the same traces.
 *
 * Pure apart from the canvas context it is handed, so each piece is tested without a browser.
 */
import type { PlotFrame } from './plot-marks';
import { emphasis, type Trace } from './traces';

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

/** How far (px) from a point the pointer may be for the hover to list it: plotly's hoverdistance. */
export const HOVER_DISTANCE_PX = 20;

function values(array: unknown): ArrayLike<unknown> {
  return (array ?? []) as ArrayLike<unknown>;
}

/** A finite number that the axis can place; null for a gap. */
function onAxis(value: unknown, log: boolean): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return log && value <= 0 ? null : value;
}

function usesY2(trace: Trace): boolean {
  return trace.yaxis === 'y2';
}

function drawsMarkers(trace: Trace): boolean {
  return typeof trace.mode === 'string' && trace.mode.includes('markers');
}

function drawsLines(trace: Trace): boolean {
  return trace.mode === undefined || trace.mode.includes('lines');
}

/** The ± half-widths of a trace's y error bars at each point (none: no bars). */
function errorArray(trace: Trace): ArrayLike<unknown> | null {
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

interface Extent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * The extent of each trace's points, by its arrays: the trace builders hand back the same arrays
 * while a run's checkpoints are unchanged, so a redraw scans only the curves that are new.
 */
const extents = new WeakMap<object, WeakMap<object, Map<string, Extent & { errors: unknown }>>>();

function traceExtent(trace: Trace, logX: boolean, logY: boolean): Extent {
  const xs = values(trace.x);
  const ys = values(trace.y);
  const errors = errorArray(trace);
  let byX = extents.get(ys);
  if (!byX) extents.set(ys, (byX = new WeakMap()));
  let byAxes = byX.get(xs);
  if (!byAxes) byX.set(xs, (byAxes = new Map()));
  const key = `${logX}|${logY}`;
  const known = byAxes.get(key);
  if (known && known.errors === errors) return known;
  const extent = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity, errors };
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = onAxis(xs[i], logX);
    const y = onAxis(ys[i], logY);
    if (x === null || y === null) continue;
    let low = y;
    let high = y;
    if (errors) {
      const error = Number(errors[i]);
      if (Number.isFinite(error)) {
        low = onAxis(y - error, logY) ?? y;
        high = y + error;
      }
    }
    if (x < extent.x0) extent.x0 = x;
    if (x > extent.x1) extent.x1 = x;
    if (low < extent.y0) extent.y0 = low;
    if (high > extent.y1) extent.y1 = high;
  }
  byAxes.set(key, extent);
  return extent;
}

/**
 * Invisible traces that give plotly's autoscale the extent of `traces`: per y axis and kind of trace
 * (lines, or markers of one size, which plotly pads by their radius), the smallest and largest x and y
 * (error bars included) as two points. Plotly pads a line's y range but not its x range, and pads
 * markers on both, whatever lies between the extremes; so the ranges it finds are the ones the full
 * traces would give. Their values change only when an extreme does, and then alone make plotly redraw.
 */
export function extentTraces(traces: readonly Trace[], axes: AxisTypes): Trace[] {
  const groups = new Map<string, Extent & { yaxis?: string; size?: number }>();
  for (const trace of traces) {
    if (trace.visible === false) continue;
    const markers = drawsMarkers(trace);
    const size = markers ? Number((trace.marker as { size?: number } | undefined)?.size ?? 6) : undefined;
    const key = `${trace.yaxis ?? 'y'}|${markers ? size : 'lines'}`;
    let group = groups.get(key);
    if (!group) {
      group = { size, x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
      if (trace.yaxis) group.yaxis = trace.yaxis;
      groups.set(key, group);
    }
    const extent = traceExtent(trace, axes.logX, usesY2(trace) ? axes.logY2 : axes.logY);
    group.x0 = Math.min(group.x0, extent.x0);
    group.x1 = Math.max(group.x1, extent.x1);
    group.y0 = Math.min(group.y0, extent.y0);
    group.y1 = Math.max(group.y1, extent.y1);
  }
  return [...groups.values()]
    .filter((group) => group.x0 <= group.x1)
    .map(({ yaxis, size, x0, x1, y0, y1 }) => ({
      type: 'scatter',
      mode: size === undefined ? 'lines' : 'markers',
      x: [x0, x1],
      y: [y0, y1],
      ...(yaxis ? { yaxis } : {}),
      ...(size === undefined ? { line: { width: 0 } } : { marker: { size } }),
      opacity: 0,
      hoverinfo: 'skip',
      showlegend: false,
    }));
}

/** The smallest positive y of `traces` (Infinity without one): where a log y axis starts. */
export function smallestPositiveY(traces: readonly Trace[]): number {
  let smallest = Infinity;
  for (const trace of traces) smallest = Math.min(smallest, traceExtent(trace, false, true).y0);
  return smallest;
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

/** A curve as painted: its trace, and its opacity after the hovered run's emphasis. */
export interface DrawnCurve {
  trace: Trace;
  opacity: number;
}

function styleOf(trace: Trace, emphasizedRun: string | null): { opacity: number; widthScale: number } {
  const own = trace.opacity ?? 1;
  const { opacity, widthScale } =
    typeof trace.meta === 'string' ? emphasis(trace.meta, emphasizedRun) : { opacity: 1, widthScale: 1 };
  return { opacity: own * opacity, widthScale };
}

/**
 * Calls `at` with each point's pixel position in order, or with NaN for a gap (a missing value, or
 * one the log axis cannot place). Nothing is allocated per point: fifty runs of a thousand points
 * repaint on every step of the slider.
 */
function eachPixel(
  trace: Trace,
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
  trace: Trace,
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
  traces: readonly Trace[],
  frame: CurveFrame,
  axes: AxisTypes,
  emphasizedRun: string | null,
): DrawnCurve[] {
  const drawn: DrawnCurve[] = [];
  ctx.save();
  ctx.beginPath();
  ctx.rect(frame.left, frame.top, frame.width, frame.height);
  ctx.clip();
  ctx.lineJoin = 'round';
  ctx.lineCap = 'butt';
  for (const trace of traces) {
    if (trace.visible === false) continue;
    const { opacity, widthScale } = styleOf(trace, emphasizedRun);
    drawn.push({ trace, opacity });
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

/** One point of a trace, where it is drawn. */
export interface CurvePoint {
  trace: Trace;
  index: number;
  x: number;
  y: number;
  xPixel: number;
  yPixel: number;
}

function hoverable(trace: Trace): boolean {
  return trace.visible !== false && trace.hoverinfo !== 'skip' && trace.hoverinfo !== 'none';
}

/**
 * The hover that lists every trace at one x (plotly's 'x unified'): the x of the hoverable point
 * nearest to the pointer along x, within HOVER_DISTANCE_PX, then each hoverable trace's point at that
 * x. Pointer and points in pixels from the graph's top-left corner. Null when no point is near.
 */
export function unifiedHover(
  traces: readonly Trace[],
  frame: CurveFrame,
  axes: AxisTypes,
  pointer: { xPixel: number; yPixel: number },
): { x: number; points: CurvePoint[] } | null {
  let best: { x: number; distance: number } | null = null;
  const candidates = traces.filter(hoverable);
  for (const trace of candidates) {
    const xs = values(trace.x);
    for (let i = 0; i < xs.length; i++) {
      const x = onAxis(xs[i], axes.logX);
      if (x === null) continue;
      const distance = Math.abs(frame.x(x) - pointer.xPixel);
      if (distance <= HOVER_DISTANCE_PX && (best === null || distance < best.distance))
        best = { x, distance };
    }
  }
  if (best === null) return null;
  const points: CurvePoint[] = [];
  for (const trace of candidates) {
    const xs = values(trace.x);
    const ys = values(trace.y);
    const logY = usesY2(trace) ? axes.logY2 : axes.logY;
    const toY = usesY2(trace) ? frame.y2 : frame.y;
    for (let i = 0; i < xs.length; i++) {
      if (xs[i] !== best.x) continue;
      const y = onAxis(ys[i], logY);
      if (y === null || !toY) break;
      points.push({ trace, index: i, x: best.x, y, xPixel: frame.x(best.x), yPixel: toY(y) });
      break;
    }
  }
  return points.length > 0 ? { x: best.x, points } : null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text of plotly's hover markup: entities decoded, tags dropped. */
function plainText(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ENTITIES[name]);
}

/** A number in one of the d3 formats our templates use: '.4f', '.4g', '.1%'; plain otherwise. */
export function formatNumber(value: number, format: string | undefined): string {
  const match = /^\.(\d+)([fg%])$/.exec(format ?? '');
  if (!match) return String(value);
  const digits = Number(match[1]);
  if (match[2] === 'f') return value.toFixed(digits);
  if (match[2] === '%') return `${(value * 100).toFixed(digits)}%`;
  return value.toPrecision(Math.max(1, digits));
}

/**
 * A plotly hover template filled for one point, as lines of plain text: `%{x}`, `%{y}` and `%{text}`,
 * with an optional d3 format (`%{y:.4g}`); `<extra>` dropped, `<br>` a new line, other markup removed.
 */
export function fillHoverTemplate(
  template: string,
  point: { x: number; y: number; text?: string },
): string[] {
  const filled = template
    .replace(/<extra>[\s\S]*?<\/extra>/g, '')
    .replace(/%\{(x|y|text)(?::([^}]*))?\}/g, (_, field: string, format: string | undefined) => {
      if (field === 'text') return point.text ?? '';
      return formatNumber(field === 'x' ? point.x : point.y, format);
    });
  return filled.split(/<br\s*\/?>/i).map(plainText);
}

/** One line of a unified hover: the trace's colour and its filled template. */
export interface HoverEntry {
  colour: string;
  text: string;
}

/**
 * The lines of a unified hover at `hover`: its title (none without a template: each trace's own
 * template then names the x), then each point's trace, its template's lines joined.
 */
export function hoverEntries(
  hover: { x: number; points: readonly CurvePoint[] },
  titleTemplate: string | undefined,
): { title: string[]; entries: HoverEntry[] } {
  const title = titleTemplate === undefined ? [] : fillHoverTemplate(titleTemplate, { x: hover.x, y: NaN });
  const entries = hover.points.map(({ trace, index, x, y }) => {
    const texts = trace.text;
    const text = Array.isArray(texts) ? String(texts[index] ?? '') : typeof texts === 'string' ? texts : '';
    const template = trace.hovertemplate as string | undefined;
    const lines = template
      ? fillHoverTemplate(template, { x, y, text })
      : [`${plainText(String(trace.name ?? ''))}: ${formatNumber(y, undefined)}`];
    const line = (trace.line ?? {}) as { color?: string };
    const marker = (trace.marker ?? {}) as { color?: unknown };
    const colour = line.color ?? (typeof marker.color === 'string' ? marker.color : '#444444');
    return { colour, text: lines.join(', ') };
  });
  return { title, entries };
}
