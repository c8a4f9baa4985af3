/**
 * One plotly chart with its title and buttons: enlarge to the whole window, PNG, SVG (the exported
 * figure carries its title and a legend; on screen the Runs panel is the legend). Plotly is loaded
 * on first use so the shell paints before its megabytes arrive; traces are replaced with
 * Plotly.react, which diffs instead of redrawing, and only when this plot's traces or layout change
 * (figure-change.ts: a rebuilt but equal figure draws nothing; a layout change alone recomputes no data).
 * The chart follows its container's size (window, sidebar, full screen) through a ResizeObserver.
 */
import type {
  Data,
  Layout,
  PlotDatum,
  PlotHoverEvent,
  PlotlyHTMLElement,
  PlotMouseEvent,
  PlotRelayoutEvent,
} from 'plotly.js-dist-min';
import { useEffect, useId, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { fileSafe } from '../download';
import { useColourScheme } from '../use-colour-scheme';
import { curveSurface, releaseCurveSurface } from '../../bridge/curve-painter';
import {
  axisMap,
  emphasizedStyle,
  frameFromMaps,
  type AxisTypes,
  type CurveFrame,
  type DrawnCurve,
  type FrameMaps,
} from '../../paint/curves';
import {
  READOUT_KEYS,
  extentTraces,
  hoverEntries,
  readoutXs,
  stepReadout,
  unifiedHover,
} from './curve-canvas';
import { figureChange } from './figure-change';
import { nearestPoint } from './nearest-point';
import { plotConfig } from './plot-config';
import {
  placeMarks,
  RING_RADIUS_PX,
  RING_WIDTH_PX,
  STEP_LINE,
  type PlacedMark,
  type PlotMark,
} from './plot-marks';
import { queueDraw, loadPlotly } from './plotly-loader';
import type { Trace } from './traces';

/** What the exported image shows beyond the screen: its own title, traces, layout (legend on by default). */
export interface PlotExport {
  title?: string;
  traces?: Data[];
  layout?: Partial<Layout>;
}

export interface PlotProps {
  /** stable test hook, e.g. 'plot-mass' */
  testId: string;
  /** shown above the plot and used as the export file name */
  title: string;
  /** scatter traces (`Trace`), or any other plotly trace (the layer x step heat map) */
  traces: Data[];
  layout: Partial<Layout>;
  /** px on the page (an enlarged plot fills the window instead) */
  height?: number;
  /** called with the customdata of the clicked point nearest to the pointer */
  onPointClick?: (customdata: unknown) => void;
  /** called when the user zooms the x axis (range in axis units) or resets it (null) */
  onXRangeChange?: (range: [number, number] | null) => void;
  /**
   * reset (double-click; the modebar keeps only "Autoscale") autoscales every axis, instead of going
   * back to the ranges of the first draw, which may be a zoom restored from the URL; default false
   */
  resetToAutoscale?: boolean;
  /** short description for screen readers */
  description: string;
  /** the exported image (PNG, SVG); default: the screen's traces with a legend */
  exportFigure?: () => PlotExport;
  /** shown in place of empty axes while there are no traces */
  emptyMessage?: ReactNode;
  /** called with the `meta` of the trace nearest to the pointer, null when the pointer leaves */
  onHoverTrace?: (meta: unknown) => void;
  /**
   * Marks over the plot that move without a redraw (plot-marks.ts): a selection's ring, a step's line.
   * Not in exported images unless `exportFigure` adds them.
   */
  marks?: readonly PlotMark[];
  /**
   * The run under the pointer (a trace's `meta`): its traces drawn thicker, the others faded
   * (`emphasis`). Applied to the drawn figure, so a hover redraws nothing.
   */
  emphasizedRun?: string | null;
  /**
   * Paint the scatter traces on a canvas over plotly's axes (curve-canvas.ts), with a hover of our
   * own listing every trace at the pointer's x: a change of the curves then costs a repaint, and
   * plotly redraws only when the axes' ranges or the layout change. For plots of many runs.
   */
  curvesOnCanvas?: boolean;
  /**
   * With `curvesOnCanvas`: the plot takes focus, and the arrow keys (READOUT_KEYS) move the hover's
   * readout over the curves' x values, read out to screen readers too. For plots whose keys do
   * nothing else.
   */
  keyboardReadout?: boolean;
  /**
   * With `curvesOnCanvas`: the traces whose extent the axes autoscale to, in place of the drawn ones
   * (e.g. every step of the shown runs, so that moving the slider moves no axis).
   */
  axisExtent?: readonly Trace[] | null;
}

/**
 * The canvas of a plot's curves, with what it was last asked to paint (read by the end-to-end tests)
 * and when a paint last reached it (`performance.now()`: the interaction benchmark waits for it).
 */
export interface CurveCanvasElement extends HTMLCanvasElement {
  drawnCurves?: DrawnCurve[];
  paintedAt?: number;
}

function themedLayout(layout: Partial<Layout>, dark: boolean): Partial<Layout> {
  const ink = dark ? '#e6e6e6' : '#1f2328';
  const grid = dark ? '#3a3f47' : '#e3e6ea';
  const surface = dark ? '#16181d' : '#ffffff';
  // automargin makes room for every tick label, so none can overflow the figure: plotly's default
  // check for overflow ('hide past div') measures each label's box at every draw and finds nothing
  const labels = { automargin: true, ticklabeloverflow: 'allow' } as const;
  const axis = (a: Partial<Layout['xaxis']> | undefined) => ({
    gridcolor: grid,
    zerolinecolor: grid,
    linecolor: grid,
    ...labels,
    ...a,
  });
  return {
    autosize: true,
    margin: { l: 56, r: 16, t: 8, b: 40 },
    paper_bgcolor: surface,
    plot_bgcolor: surface,
    font: { color: ink, size: 12, family: 'system-ui, sans-serif' },
    // The Runs panel is the legend on screen; exports switch this one on. Above the plot area:
    // never collides with the x axis title, grows the top margin as needed.
    showlegend: false,
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: 1.02, yanchor: 'bottom', font: { size: 11 } },
    hoverlabel: { namelength: -1, bgcolor: surface, bordercolor: grid, font: { color: ink } },
    ...layout,
    xaxis: axis(layout.xaxis),
    yaxis: axis(layout.yaxis),
    ...(layout.yaxis2
      ? { yaxis2: { ...layout.yaxis2, gridcolor: grid, zerolinecolor: grid, ...labels } }
      : {}),
  };
}

/** What `applyEmphasis` reads of a drawn trace group: plotly binds each to its calcdata. */
interface DrawnTraceGroup extends SVGGElement {
  __data__?: { trace?: { meta?: unknown; opacity?: number; line?: { width?: number } } }[];
}

/**
 * Styles the drawn traces for `run` under the pointer: opacity and line width as the canvas paints
 * them (`emphasizedStyle`). Every draw replaces these styles, so each draw is followed
 * by this again.
 */
function applyEmphasis(div: HTMLElement, run: string | null): void {
  for (const group of div.querySelectorAll<DrawnTraceGroup>('.scatterlayer > .trace')) {
    const trace = group.__data__?.[0]?.trace;
    if (!trace) continue;
    const { opacity, widthScale } = emphasizedStyle(trace, run);
    group.style.opacity = String(opacity);
    const width = trace.line?.width;
    if (width === undefined) continue;
    for (const line of group.querySelectorAll<SVGPathElement>('.js-line'))
      line.style.strokeWidth = `${width * widthScale}px`;
  }
}

/** A drawn axis of plotly's: where it sits, its range and its data-to-pixel map. */
interface DrawnAxis {
  _offset: number;
  _length: number;
  c2p: (value: number) => number;
  range: [number, number];
  type?: string;
}

/** The drawn plot area and axes of plotly's first x and y axes (and the right-hand y axis) as data. */
function frameMapsOf(div: HTMLElement): FrameMaps | null {
  const layout = (
    div as unknown as { _fullLayout?: { xaxis?: DrawnAxis; yaxis?: DrawnAxis; yaxis2?: DrawnAxis } }
  )._fullLayout;
  const drawn = (axis: DrawnAxis | undefined) => (axis && typeof axis.c2p === 'function' ? axis : null);
  const [xa, ya, y2] = [drawn(layout?.xaxis), drawn(layout?.yaxis), drawn(layout?.yaxis2)];
  if (!xa || !ya) return null;
  const map = (axis: DrawnAxis) =>
    axisMap((value) => axis._offset + axis.c2p(value), axis.type === 'log', axis.range);
  return {
    left: xa._offset,
    top: ya._offset,
    width: xa._length,
    height: ya._length,
    x: map(xa),
    y: map(ya),
    ...(y2 ? { y2: map(y2) } : {}),
  };
}

/** What marks are placed by and the hover reads: the drawn plot. */
function frameOf(div: HTMLElement): CurveFrame | null {
  const maps = frameMapsOf(div);
  return maps && frameFromMaps(maps);
}

/** Which of a layout's axes are logarithmic. */
function axisTypesOf(layout: Partial<Layout>): AxisTypes {
  return {
    logX: layout.xaxis?.type === 'log',
    logY: layout.yaxis?.type === 'log',
    logY2: layout.yaxis2?.type === 'log',
  };
}

/** What a plot's canvas paints: the traces and axis types of its last draw, and its hover's title. */
interface CanvasCurves {
  traces: readonly Trace[];
  axes: AxisTypes;
  hoverTitle?: string;
}

/** The graph's size in CSS pixels, as its ResizeObserver last saw it. */
interface GraphSize {
  width: number;
  height: number;
}

/**
 * Paints `curves` on `canvas`, sized to the graph `div` at the screen's pixel density. The size comes
 * from the plot's ResizeObserver once it has reported: reading the div's size here, right after
 * React's commit, would force a style and layout pass in each plot's effect in turn.
 */
function paintCurves(
  div: HTMLElement,
  size: GraphSize | null,
  canvas: CurveCanvasElement,
  { traces, axes }: CanvasCurves,
  emphasizedRun: string | null,
  onError: (message: string) => void,
): void {
  const ratio = window.devicePixelRatio || 1;
  const surface = curveSurface(canvas, {
    onPainted: () => (canvas.paintedAt = performance.now()),
    onError,
  });
  const { width, height } = size ?? { width: div.clientWidth, height: div.clientHeight };
  canvas.drawnCurves = surface.paint({
    width: Math.round(width * ratio),
    height: Math.round(height * ratio),
    ratio,
    frame: traces.length > 0 ? frameMapsOf(div) : null,
    traces,
    axes,
    emphasizedRun,
  });
}

/** Fills the hover box with a unified hover's title and entries, next to the pointer inside `area`. */
function showHover(
  box: HTMLDivElement,
  content: { title: string[]; entries: { colour: string; text: string }[] } | null,
  pointer: { xPixel: number; yPixel: number },
  area: { width: number; height: number },
): void {
  if (content) {
    const title = content.title.map((line) => {
      const element = document.createElement('div');
      element.className = 'plot-hover-title';
      element.textContent = line;
      return element;
    });
    const entries = content.entries.map(({ colour, text }) => {
      const element = document.createElement('div');
      const swatch = document.createElement('span');
      swatch.className = 'plot-hover-swatch';
      swatch.style.background = colour;
      element.append(swatch, text);
      return element;
    });
    box.replaceChildren(...title, ...entries);
  }
  box.hidden = false;
  const gap = 12;
  const left =
    pointer.xPixel + gap + box.offsetWidth <= area.width
      ? pointer.xPixel + gap
      : Math.max(0, pointer.xPixel - gap - box.offsetWidth);
  const top = Math.max(0, Math.min(pointer.yPixel - box.offsetHeight / 2, area.height - box.offsetHeight));
  box.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
}

const SVG = 'http://www.w3.org/2000/svg';

function markElement(mark: PlacedMark): SVGElement {
  const svgElement = (name: string, attributes: Record<string, string | number>) => {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    return element;
  };
  if (mark.kind === 'ring') {
    return svgElement('circle', {
      'data-mark': 'ring',
      'data-x': mark.at,
      cx: mark.cx,
      cy: mark.cy,
      r: RING_RADIUS_PX,
      fill: 'none',
      stroke: mark.colour,
      'stroke-width': RING_WIDTH_PX,
    });
  }
  const group = svgElement('g', { 'data-mark': 'step', 'data-x': mark.at });
  group.append(
    svgElement('line', {
      x1: mark.x,
      x2: mark.x,
      y1: mark.top,
      y2: mark.bottom,
      stroke: STEP_LINE.colour,
      'stroke-width': STEP_LINE.widthPx,
      'stroke-dasharray': STEP_LINE.dash,
    }),
  );
  const label = svgElement('text', {
    x: mark.x,
    y: mark.top - 4,
    'text-anchor': 'middle',
    'font-size': STEP_LINE.labelSizePx,
    fill: STEP_LINE.colour,
  });
  label.textContent = mark.label;
  group.append(label);
  return group;
}

/** Places `marks` on `layer` from the plot drawn in `div` (none while nothing is drawn). */
function drawMarks(div: HTMLElement, layer: SVGSVGElement, marks: readonly PlotMark[]): void {
  const frame = marks.length > 0 ? frameOf(div) : null;
  layer.replaceChildren(...(frame ? placeMarks(marks, frame) : []).map(markElement));
}

/** The point of an event nearest to the pointer, among those `accept` allows. */
function pointUnderPointer(event: PlotMouseEvent, accept?: (p: PlotDatum) => boolean): PlotDatum | undefined {
  return nearestPoint(event.points, { xPixel: event.xPixel, yPixel: event.yPixel }, accept);
}

const NO_MARKS: readonly PlotMark[] = [];

export function Plot({
  testId,
  title,
  traces,
  layout,
  height = 300,
  onPointClick,
  onXRangeChange,
  resetToAutoscale = false,
  description,
  exportFigure,
  emptyMessage,
  onHoverTrace,
  emphasizedRun = null,
  marks = NO_MARKS,
  curvesOnCanvas = false,
  keyboardReadout = false,
  axisExtent = null,
}: PlotProps) {
  const container = useRef<HTMLDivElement>(null);
  const marksLayer = useRef<SVGSVGElement>(null);
  const curveCanvas = useRef<CurveCanvasElement>(null);
  const hoverBox = useRef<HTMLDivElement>(null);
  const readoutText = useRef<HTMLDivElement>(null);
  const curves = useRef<CanvasCurves>({
    traces: [],
    axes: { logX: false, logY: false, logY2: false },
  });
  const shownMarks = useRef(marks);
  const clickHandler = useRef(onPointClick);
  const xRangeHandler = useRef(onXRangeChange);
  const hoverHandler = useRef(onHoverTrace);
  const emphasized = useRef(emphasizedRun);
  // what the last Plotly.react drew (null: nothing yet, or purged)
  const drawn = useRef<{
    traces: Data[];
    layout: Partial<Layout>;
    dark: boolean;
    resetToAutoscale: boolean;
  } | null>(null);
  const tracesRevision = useRef(0);
  // the extent traces of the last draw, kept while their source and the axis types are unchanged
  const extent = useRef<{ source: readonly Trace[]; axes: string; traces: Trace[] } | null>(null);
  const graphSize = useRef<GraphSize | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [enlarged, setEnlarged] = useState(false);
  const dark = useColourScheme() === 'dark';
  const titleId = useId();
  const empty = traces.length === 0 && emptyMessage !== undefined;

  useEffect(() => {
    clickHandler.current = onPointClick;
    xRangeHandler.current = onXRangeChange;
    hoverHandler.current = onHoverTrace;
  }, [onPointClick, onXRangeChange, onHoverTrace]);

  useEffect(() => {
    const div = container.current;
    if (!div) return;
    const repaint = () => {
      if (curvesOnCanvas && curveCanvas.current)
        paintCurves(
          div,
          graphSize.current,
          curveCanvas.current,
          curves.current,
          emphasized.current,
          setFailed,
        );
    };
    let figure: NonNullable<typeof drawn.current> | null = null;
    if (!empty) {
      const axes = axisTypesOf(layout);
      curves.current = {
        traces: traces as Trace[],
        axes,
        hoverTitle: (layout.xaxis as { unifiedhovertitle?: { text?: string } } | undefined)?.unifiedhovertitle
          ?.text,
      };
      // On a canvas, plotly draws the axes alone: spanned by the curves' extent, without its hover.
      const source = axisExtent ?? (traces as Trace[]);
      const axesKey = JSON.stringify(axes);
      if (curvesOnCanvas && (extent.current?.source !== source || extent.current.axes !== axesKey))
        extent.current = { source, axes: axesKey, traces: extentTraces(source, axes) };
      figure = {
        traces: curvesOnCanvas && extent.current ? extent.current.traces : traces,
        layout: curvesOnCanvas ? { ...layout, hovermode: false } : layout,
        dark,
        resetToAutoscale,
      };
    }
    const unchanged = (next: typeof figure): boolean =>
      next !== null &&
      figureChange(drawn.current, next) === 'none' &&
      drawn.current?.resetToAutoscale === next.resetToAutoscale;
    // Curves over unchanged axes repaint at once: with React's commit, the page then shows them in
    // the same frame.
    if (curvesOnCanvas && unchanged(figure)) {
      repaint();
      return;
    }
    // Plotly draws after React's commit, in tasks of the draw queue, so several plots updating at
    // once never add up to one long main-thread task; a newer update cancels a pending draw.
    return queueDraw(
      async (Plotly) => {
        if (figure === null) {
          Plotly.purge(div);
          drawn.current = null;
          marksLayer.current?.replaceChildren();
          curves.current = { ...curves.current, traces: [] };
          repaint();
          return;
        }
        if (unchanged(figure)) {
          repaint();
          return;
        }
        const change = figureChange(drawn.current, figure);
        const { traces: plotlyTraces, layout: plotlyLayout } = figure;
        // Changed traces always count as new data: plotly skips its calc step when only styles
        // change (a run brought forward), and a later autoscale then finds no data extent.
        if (change === 'traces') tracesRevision.current += 1;
        drawn.current = figure;
        const datarevision = `${String(layout.datarevision ?? '')}#${tracesRevision.current}`;
        await Plotly.react(
          div,
          plotlyTraces,
          themedLayout({ ...plotlyLayout, datarevision }, dark),
          plotConfig(resetToAutoscale),
        );
        applyEmphasis(div, emphasized.current);
        repaint();
        if (marksLayer.current) drawMarks(div, marksLayer.current, shownMarks.current);
        const plot = div as unknown as PlotlyHTMLElement;
        for (const name of [
          'plotly_click',
          'plotly_relayout',
          'plotly_hover',
          'plotly_unhover',
          'plotly_afterplot',
        ])
          plot.removeAllListeners?.(name);
        // plotly restyles the traces it redraws itself (a zoom, a resize)
        plot.on('plotly_afterplot', () => {
          applyEmphasis(div, emphasized.current);
          repaint();
          if (marksLayer.current) drawMarks(div, marksLayer.current, shownMarks.current);
        });
        plot.on('plotly_click', (event: PlotMouseEvent) => {
          const point = pointUnderPointer(event, (p) => p.customdata !== undefined);
          if (point && clickHandler.current) clickHandler.current(point.customdata);
        });
        let hovered: unknown = null;
        plot.on('plotly_hover', (event: PlotHoverEvent) => {
          const point = pointUnderPointer(event, (p) => (p.data as Trace).meta !== undefined);
          const meta = point ? (point.data as Trace).meta : null;
          if (meta !== hovered) hoverHandler.current?.((hovered = meta));
        });
        plot.on('plotly_unhover', () => {
          if (hovered !== null) hoverHandler.current?.((hovered = null));
        });
        plot.on('plotly_relayout', (event: PlotRelayoutEvent) => {
          applyEmphasis(div, emphasized.current);
          repaint();
          // a zoom moves the axes under the marks
          if (marksLayer.current) drawMarks(div, marksLayer.current, shownMarks.current);
          // A zoom or pan sets both ends; a reset to the first-drawn range sets the pair.
          const pair = (event as { 'xaxis.range'?: [number, number] })['xaxis.range'];
          const [from, to] = pair ?? [event['xaxis.range[0]'], event['xaxis.range[1]']];
          if (from !== undefined && to !== undefined) xRangeHandler.current?.([from, to]);
          else if (event['xaxis.autorange']) xRangeHandler.current?.(null);
        });
      },
      (error) => setFailed(error.message),
    );
  }, [traces, layout, dark, resetToAutoscale, empty, curvesOnCanvas, axisExtent]);

  // The hover and the click of curves on the canvas: plotly's need its own traces.
  useEffect(() => {
    const div = container.current;
    const box = hoverBox.current;
    if (!curvesOnCanvas || !div || !box) return;
    let shownX: number | null = null;
    let hovered: unknown = null;
    let pressedAt: { x: number; y: number } | null = null;
    const pointerOf = (event: MouseEvent) => {
      const bounds = div.getBoundingClientRect();
      return { xPixel: event.clientX - bounds.left, yPixel: event.clientY - bounds.top };
    };
    const hoverAt = (event: MouseEvent) => {
      const frame = drawn.current ? frameOf(div) : null;
      const pointer = pointerOf(event);
      const inside =
        frame &&
        pointer.xPixel >= frame.left &&
        pointer.xPixel <= frame.left + frame.width &&
        pointer.yPixel >= frame.top &&
        pointer.yPixel <= frame.top + frame.height;
      const hover = inside ? unifiedHover(curves.current.traces, frame, curves.current.axes, pointer) : null;
      return { hover, pointer };
    };
    const setHovered = (meta: unknown) => {
      if (meta !== hovered) hoverHandler.current?.((hovered = meta));
    };
    const leave = () => {
      box.hidden = true;
      shownX = null;
      setHovered(null);
    };
    const move = (event: PointerEvent) => {
      if (event.buttons !== 0) return leave();
      const { hover, pointer } = hoverAt(event);
      if (!hover) return leave();
      const content = hover.x === shownX ? null : hoverEntries(hover, curves.current.hoverTitle);
      shownX = hover.x;
      showHover(box, content, pointer, { width: div.clientWidth, height: div.clientHeight });
      const point = nearestPoint(hover.points, pointer, (p) => p.trace.meta !== undefined);
      setHovered(point ? point.trace.meta : null);
    };
    const press = (event: PointerEvent) => {
      pressedAt = { x: event.clientX, y: event.clientY };
    };
    // a click, not the end of a zoom's drag
    const click = (event: MouseEvent) => {
      const start = pressedAt;
      pressedAt = null;
      if (!start || Math.hypot(event.clientX - start.x, event.clientY - start.y) > 4) return;
      const { hover, pointer } = hoverAt(event);
      const point = hover && nearestPoint(hover.points, pointer, (p) => p.trace.customdata !== undefined);
      if (point && clickHandler.current)
        clickHandler.current((point.trace.customdata as unknown[] | undefined)?.[point.index]);
    };
    // The keyboard's readout: the pointer's hover, at the x the keys move to, half way down the plot.
    let readout: number | null = null;
    const readByKey = (event: KeyboardEvent) => {
      const frame = drawn.current ? frameOf(div) : null;
      if (!frame) return;
      const { traces, axes, hoverTitle } = curves.current;
      const x = stepReadout(readoutXs(traces, frame, axes), readout, event.key);
      if (x === undefined) return;
      event.preventDefault();
      readout = x;
      const pointer = { xPixel: frame.x(x), yPixel: frame.top + frame.height / 2 };
      const hover = unifiedHover(traces, frame, axes, pointer);
      if (!hover) return leave();
      const content = hoverEntries(hover, hoverTitle);
      shownX = hover.x;
      showHover(box, content, pointer, { width: div.clientWidth, height: div.clientHeight });
      if (readoutText.current)
        readoutText.current.textContent = [...content.title, ...content.entries.map((e) => e.text)].join(
          '; ',
        );
    };
    const endReadout = () => {
      readout = null;
      leave();
    };
    div.addEventListener('pointermove', move);
    div.addEventListener('pointerleave', leave);
    div.addEventListener('pointerdown', press);
    div.addEventListener('click', click);
    if (keyboardReadout) {
      div.addEventListener('keydown', readByKey);
      div.addEventListener('blur', endReadout);
    }
    return () => {
      div.removeEventListener('pointermove', move);
      div.removeEventListener('pointerleave', leave);
      div.removeEventListener('pointerdown', press);
      div.removeEventListener('click', click);
      div.removeEventListener('keydown', readByKey);
      div.removeEventListener('blur', endReadout);
      box.hidden = true;
    };
  }, [curvesOnCanvas, keyboardReadout]);

  // Marks move on the drawn axes, without plotly.
  useEffect(() => {
    shownMarks.current = marks;
    if (drawn.current && container.current && marksLayer.current)
      drawMarks(container.current, marksLayer.current, marks);
  }, [marks]);

  useEffect(() => {
    emphasized.current = emphasizedRun;
    if (drawn.current && container.current) applyEmphasis(container.current, emphasizedRun);
    if (curvesOnCanvas && drawn.current && container.current && curveCanvas.current)
      paintCurves(
        container.current,
        graphSize.current,
        curveCanvas.current,
        curves.current,
        emphasizedRun,
        setFailed,
      );
  }, [emphasizedRun, curvesOnCanvas]);

  // Any change of the container's size (window, sidebar, enlarging) redraws at the new size, once a frame.
  useEffect(() => {
    const div = container.current;
    if (!div || typeof ResizeObserver === 'undefined') return;
    let frame = 0;
    let drawnSize = `${div.clientWidth}x${div.clientHeight}`;
    const observer = new ResizeObserver(() => {
      // layout is done when observers are told: reading the size here costs nothing
      graphSize.current = { width: div.clientWidth, height: div.clientHeight };
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const size = `${div.clientWidth}x${div.clientHeight}`;
        const drawn = (div as unknown as { _fullLayout?: object })._fullLayout !== undefined;
        if (size === drawnSize || !drawn || div.clientWidth === 0 || div.clientHeight === 0) return;
        drawnSize = size;
        void loadPlotly().then((Plotly) => Plotly.Plots.resize(div));
      });
    });
    observer.observe(div);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
    };
  }, []);

  useEffect(() => {
    if (!enlarged) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setEnlarged(false);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enlarged]);

  useEffect(() => {
    const div = container.current;
    const canvas = curveCanvas.current;
    return () => {
      if (div) void loadPlotly().then((Plotly) => Plotly.purge(div));
      // a canvas still in the page is the same plot mounted again (React's strict mode)
      if (canvas) setTimeout(() => !canvas.isConnected && releaseCurveSurface(canvas));
    };
  }, []);

  const exportImage = async (format: 'png' | 'svg') => {
    const Plotly = await loadPlotly();
    const extra = exportFigure?.() ?? {};
    const exportTitle = extra.title ?? title;
    // The exported figure carries its title and a legend (on screen: the HTML title and the Runs panel).
    const base = themedLayout({ ...layout, showlegend: true, ...extra.layout }, dark);
    const figure = {
      data: extra.traces ?? traces,
      layout: {
        ...base,
        title: { text: exportTitle, x: 0.02, xanchor: 'left' as const },
        margin: { ...base.margin, t: 90 },
      },
    };
    await Plotly.downloadImage(figure, {
      format,
      filename: fileSafe(exportTitle),
      width: 1000,
      height: 600,
    });
  };

  const readsByKey = curvesOnCanvas && keyboardReadout;
  return (
    <figure
      className={`plot${enlarged ? ' plot-enlarged' : ''}`}
      aria-labelledby={titleId}
      style={{ '--plot-height': `${height}px` } as CSSProperties}
    >
      <figcaption className="plot-toolbar">
        <span className="plot-title" id={titleId}>
          {title}
        </span>
        <button
          type="button"
          aria-pressed={enlarged}
          onClick={() => setEnlarged(!enlarged)}
          aria-label={
            enlarged ? `Restore ${title} to its place (Esc)` : `Enlarge ${title} to the whole window`
          }
          title={enlarged ? 'Restore (Esc)' : 'Enlarge'}
        >
          {enlarged ? '✕' : '⤢'}
        </button>
        <button
          type="button"
          disabled={empty}
          onClick={() => void exportImage('png')}
          aria-label={`Download ${title} as PNG`}
        >
          PNG
        </button>
        <button
          type="button"
          disabled={empty}
          onClick={() => void exportImage('svg')}
          aria-label={`Download ${title} as SVG`}
        >
          SVG
        </button>
      </figcaption>
      <div className="plot-area">
        {/* Not role="img": plotly puts its mode bar's buttons inside, and an image holds no controls. */}
        <div
          ref={container}
          className="plot-graph"
          data-testid={testId}
          data-empty={empty ? 'true' : undefined}
          role="group"
          aria-roledescription="chart"
          aria-label={readsByKey ? `${description} Arrow keys read the curves at each point.` : description}
          tabIndex={readsByKey ? 0 : undefined}
          aria-keyshortcuts={readsByKey ? READOUT_KEYS.join(' ') : undefined}
        />
        {curvesOnCanvas && (
          <>
            <canvas ref={curveCanvas} className="plot-curves" aria-hidden="true" />
            <div ref={hoverBox} className="plot-hover" aria-hidden="true" hidden />
          </>
        )}
        {readsByKey && (
          <div
            ref={readoutText}
            className="visually-hidden"
            aria-live="polite"
            data-testid={`${testId}-readout`}
          />
        )}
        <svg ref={marksLayer} className="plot-marks" aria-hidden="true" data-testid={`${testId}-marks`} />
        {empty && <div className="plot-empty">{emptyMessage}</div>}
      </div>
      {failed && <p role="alert">The plot could not be drawn: {failed}</p>}
    </figure>
  );
}
