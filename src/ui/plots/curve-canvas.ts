/**
 * Curves drawn on a canvas over plotly's axes. Plotly's cost is per trace and per draw (its defaults,
 * its calc step and one SVG group each), so a plot of fifty runs was slow to redraw whenever a step,
 * a run or a selection changed (docs/benchmarks.md, "Eleventh session"). Here plotly keeps only the axes, the zoom and the
 * exported image: it is handed a few invisible traces spanning the data (`extentTraces`), so its
 * autoscale finds the same ranges, and it redraws only when those ranges or the layout change. The
 * curves themselves (lines, dashes, markers, error bars, filled bands) are painted through the axes'
 * own pixel mapping by src/paint, in the curve painter's worker; the hover that lists every run at one
 * x is built here from the same traces.
 *
 * Pure, so each piece is tested without a browser.
 */
import {
  drawsMarkers,
  errorArray,
  onAxis,
  usesY2,
  values,
  type AxisTypes,
  type CurveFrame,
} from '../../paint/curves';
import type { Trace } from './traces';

/** How far (px) from a point the pointer may be for the hover to list it: plotly's hoverdistance. */
export const HOVER_DISTANCE_PX = 20;

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

/** The keys that move the keyboard's readout over a plot (`stepReadout`). */
export const READOUT_KEYS = ['ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Home', 'End'] as const;

/**
 * The x values the keyboard's readout stops at: those of every hoverable trace's points drawn inside
 * the frame (a zoom leaves the others out), ascending, once each.
 */
export function readoutXs(traces: readonly Trace[], frame: CurveFrame, axes: AxisTypes): number[] {
  const inView = new Set<number>();
  for (const trace of traces) {
    if (!hoverable(trace)) continue;
    const xs = values(trace.x);
    for (let i = 0; i < xs.length; i++) {
      const x = onAxis(xs[i], axes.logX);
      if (x === null) continue;
      const pixel = frame.x(x);
      if (pixel >= frame.left - 0.5 && pixel <= frame.left + frame.width + 0.5) inView.add(x);
    }
  }
  return [...inView].sort((a, b) => a - b);
}

/**
 * Where `key` moves a readout at `current` among `xs` (ascending): ←/→ to the next x on that side,
 * PageUp/PageDown a tenth of them at a time, Home/End to the first/last; at an end it stays. From no
 * readout, → and PageDown start at the first x, ← and PageUp at the last; from an x no longer among
 * them (after a zoom), the next one on that side. Undefined for other keys and when `xs` is empty.
 */
export function stepReadout(xs: readonly number[], current: number | null, key: string): number | undefined {
  if (xs.length === 0 || !(READOUT_KEYS as readonly string[]).includes(key)) return undefined;
  const last = xs.length - 1;
  if (key === 'Home') return xs[0];
  if (key === 'End') return xs[last];
  const forward = key === 'ArrowRight' || key === 'PageDown';
  if (current === null) return forward ? xs[0] : xs[last];
  const stride = key.startsWith('Page') ? Math.max(1, Math.ceil(xs.length / 10)) : 1;
  // the first x past `current` on the way, as an index: exact matches step from themselves
  const beyond = forward ? xs.findIndex((x) => x > current) : findLastIndex(xs, (x) => x < current);
  if (beyond < 0) return forward ? xs[last] : xs[0];
  const index = forward ? beyond + stride - 1 : beyond - stride + 1;
  return xs[Math.min(last, Math.max(0, index))];
}

function findLastIndex(xs: readonly number[], test: (x: number) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (test(xs[i])) return i;
  return -1;
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
