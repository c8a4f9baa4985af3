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
import { figureChange } from './figure-change';
import { nearestPoint } from './nearest-point';
import { plotConfig } from './plot-config';
import {
  placeMarks,
  RING_RADIUS_PX,
  RING_WIDTH_PX,
  STEP_LINE,
  type PlacedMark,
  type PlotFrame,
  type PlotMark,
} from './plot-marks';
import { drawInOwnTask, loadPlotly } from './plotly-loader';
import { emphasis, type Trace } from './traces';

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
 * Styles the drawn traces for `run` under the pointer: opacity and line width from `emphasis`,
 * on top of what each trace asks for. Every draw replaces these styles, so each draw is followed
 * by this again.
 */
function applyEmphasis(div: HTMLElement, run: string | null): void {
  for (const group of div.querySelectorAll<DrawnTraceGroup>('.scatterlayer > .trace')) {
    const trace = group.__data__?.[0]?.trace;
    if (!trace) continue;
    const { opacity, widthScale } =
      typeof trace.meta === 'string' ? emphasis(trace.meta, run) : { opacity: 1, widthScale: 1 };
    group.style.opacity = String((trace.opacity ?? 1) * opacity);
    const width = trace.line?.width;
    if (width === undefined) continue;
    for (const line of group.querySelectorAll<SVGPathElement>('.js-line'))
      line.style.strokeWidth = `${width * widthScale}px`;
  }
}

/** What marks are placed by: the drawn plot area and axes of plotly's first x and y axes. */
interface DrawnAxis {
  _offset: number;
  _length: number;
  c2p: (value: number) => number;
}

function frameOf(div: HTMLElement): PlotFrame | null {
  const layout = (div as unknown as { _fullLayout?: { xaxis?: DrawnAxis; yaxis?: DrawnAxis } })._fullLayout;
  const xa = layout?.xaxis;
  const ya = layout?.yaxis;
  if (!xa || !ya || typeof xa.c2p !== 'function' || typeof ya.c2p !== 'function') return null;
  return {
    left: xa._offset,
    top: ya._offset,
    width: xa._length,
    height: ya._length,
    x: (value) => xa._offset + xa.c2p(value),
    y: (value) => ya._offset + ya.c2p(value),
  };
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
}: PlotProps) {
  const container = useRef<HTMLDivElement>(null);
  const marksLayer = useRef<SVGSVGElement>(null);
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
    // Each plot draws in a task of its own (not in React's commit), so several plots updating at
    // once never add up to one long main-thread task; a newer update cancels a pending draw.
    return drawInOwnTask(
      async (Plotly) => {
        const div = container.current;
        if (!div) return;
        if (empty) {
          Plotly.purge(div);
          drawn.current = null;
          marksLayer.current?.replaceChildren();
          return;
        }
        const figure = { traces, layout, dark, resetToAutoscale };
        const change = figureChange(drawn.current, figure);
        if (change === 'none' && drawn.current?.resetToAutoscale === resetToAutoscale) return;
        // Changed traces always count as new data: plotly skips its calc step when only styles
        // change (a run brought forward), and a later autoscale then finds no data extent.
        if (change === 'traces') tracesRevision.current += 1;
        drawn.current = figure;
        const datarevision = `${String(layout.datarevision ?? '')}#${tracesRevision.current}`;
        await Plotly.react(
          div,
          traces,
          themedLayout({ ...layout, datarevision }, dark),
          plotConfig(resetToAutoscale),
        );
        applyEmphasis(div, emphasized.current);
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
  }, [traces, layout, dark, resetToAutoscale, empty]);

  // Marks move on the drawn axes, without plotly.
  useEffect(() => {
    shownMarks.current = marks;
    if (drawn.current && container.current && marksLayer.current)
      drawMarks(container.current, marksLayer.current, marks);
  }, [marks]);

  useEffect(() => {
    emphasized.current = emphasizedRun;
    if (drawn.current && container.current) applyEmphasis(container.current, emphasizedRun);
  }, [emphasizedRun]);

  // Any change of the container's size (window, sidebar, enlarging) redraws at the new size, once a frame.
  useEffect(() => {
    const div = container.current;
    if (!div || typeof ResizeObserver === 'undefined') return;
    let frame = 0;
    let drawnSize = `${div.clientWidth}x${div.clientHeight}`;
    const observer = new ResizeObserver(() => {
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
    return () => {
      if (div) void loadPlotly().then((Plotly) => Plotly.purge(div));
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
          aria-label={description}
        />
        <svg ref={marksLayer} className="plot-marks" aria-hidden="true" data-testid={`${testId}-marks`} />
        {empty && <div className="plot-empty">{emptyMessage}</div>}
      </div>
      {failed && <p role="alert">The plot could not be drawn: {failed}</p>}
    </figure>
  );
}
