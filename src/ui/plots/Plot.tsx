/**
 * One plotly chart with its title and export buttons (PNG, SVG: title, legend and axis titles
 * included). Plotly is loaded on first use so the shell paints before its megabytes arrive; traces
 * are replaced with Plotly.react, which diffs instead of redrawing.
 */
import type PlotlyDefault from 'plotly.js-dist-min';
import type { Data, Layout, PlotlyHTMLElement, PlotMouseEvent, PlotRelayoutEvent } from 'plotly.js-dist-min';
import { useEffect, useRef, useState } from 'react';
import { fileSafe } from '../download';
import { useColourScheme } from '../use-colour-scheme';

type PlotlyModule = typeof PlotlyDefault;

let plotlyPromise: Promise<PlotlyModule> | null = null;
function loadPlotly(): Promise<PlotlyModule> {
  // The cartesian partial bundle: every trace drawn here is a scatter or a heatmap, and it is a third
  // of the full bundle's bytes (maps, 3-D and WebGL traces left out).
  plotlyPromise ??= import('plotly.js-cartesian-dist-min').then((m) => m.default);
  return plotlyPromise;
}

export interface PlotProps {
  /** stable test hook, e.g. 'plot-mass' */
  testId: string;
  /** shown above the plot and used as the export file name */
  title: string;
  /** scatter traces (`Trace`), or any other plotly trace (the layer x step heat map) */
  traces: Data[];
  layout: Partial<Layout>;
  height?: number;
  /** called with the clicked point's customdata */
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
}

function themedLayout(layout: Partial<Layout>, dark: boolean, height: number): Partial<Layout> {
  const ink = dark ? '#e6e6e6' : '#1f2328';
  const grid = dark ? '#3a3f47' : '#e3e6ea';
  const axis = (a: Partial<Layout['xaxis']> | undefined) => ({
    gridcolor: grid,
    zerolinecolor: grid,
    linecolor: grid,
    automargin: true,
    ...a,
  });
  return {
    autosize: true,
    height,
    margin: { l: 56, r: 16, t: 8, b: 40 },
    paper_bgcolor: dark ? '#16181d' : '#ffffff',
    plot_bgcolor: dark ? '#16181d' : '#ffffff',
    font: { color: ink, size: 12, family: 'system-ui, sans-serif' },
    // Above the plot area: never collides with the x axis title, grows the top margin as needed.
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: 1.02, yanchor: 'bottom', font: { size: 11 } },
    hoverlabel: { namelength: -1 },
    ...layout,
    xaxis: axis(layout.xaxis),
    yaxis: axis(layout.yaxis),
    ...(layout.yaxis2
      ? { yaxis2: { ...layout.yaxis2, gridcolor: grid, zerolinecolor: grid, automargin: true } }
      : {}),
  };
}

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
}: PlotProps) {
  const container = useRef<HTMLDivElement>(null);
  const clickHandler = useRef(onPointClick);
  const xRangeHandler = useRef(onXRangeChange);
  const [failed, setFailed] = useState<string | null>(null);
  const dark = useColourScheme() === 'dark';

  useEffect(() => {
    clickHandler.current = onPointClick;
    xRangeHandler.current = onXRangeChange;
  }, [onPointClick, onXRangeChange]);

  useEffect(() => {
    let cancelled = false;
    // Each plot draws in a task of its own (not in React's commit), so several plots updating at
    // once never add up to one long main-thread task; a newer update cancels a pending draw.
    const timer = setTimeout(() => {
      loadPlotly()
        .then(async (Plotly) => {
          const div = container.current;
          if (cancelled || !div) return;
          await Plotly.react(div, traces, themedLayout(layout, dark, height), {
            displaylogo: false,
            responsive: true,
            modeBarButtonsToRemove: [
              'toImage',
              'select2d',
              'lasso2d',
              ...(resetToAutoscale ? ['resetScale2d' as const] : []),
            ],
            doubleClick: resetToAutoscale ? 'autosize' : 'reset+autosize',
          });
          const plot = div as unknown as PlotlyHTMLElement;
          plot.removeAllListeners?.('plotly_click');
          plot.removeAllListeners?.('plotly_relayout');
          plot.on('plotly_click', (event: PlotMouseEvent) => {
            const point = event.points[0];
            if (point && clickHandler.current) clickHandler.current(point.customdata);
          });
          plot.on('plotly_relayout', (event: PlotRelayoutEvent) => {
            // A zoom or pan sets both ends; a reset to the first-drawn range sets the pair.
            const pair = (event as { 'xaxis.range'?: [number, number] })['xaxis.range'];
            const [from, to] = pair ?? [event['xaxis.range[0]'], event['xaxis.range[1]']];
            if (from !== undefined && to !== undefined) xRangeHandler.current?.([from, to]);
            else if (event['xaxis.autorange']) xRangeHandler.current?.(null);
          });
        })
        .catch((error: Error) => setFailed(error.message));
    }, 0);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [traces, layout, dark, height, resetToAutoscale]);

  useEffect(() => {
    const div = container.current;
    return () => {
      if (div) void loadPlotly().then((Plotly) => Plotly.purge(div));
    };
  }, []);

  const exportImage = async (format: 'png' | 'svg') => {
    const Plotly = await loadPlotly();
    // The exported figure carries its title (on screen the title is HTML, beside the buttons).
    const base = themedLayout(layout, dark, 600);
    const figure = {
      data: traces,
      layout: {
        ...base,
        title: { text: title, x: 0.02, xanchor: 'left' as const },
        margin: { ...base.margin, t: 70 },
      },
    };
    await Plotly.downloadImage(figure, { format, filename: fileSafe(title), width: 1000, height: 600 });
  };

  return (
    <figure className="plot" aria-label={title}>
      <figcaption className="plot-toolbar">
        <span className="plot-title">{title}</span>
        <button type="button" onClick={() => void exportImage('png')} aria-label={`Download ${title} as PNG`}>
          PNG
        </button>
        <button type="button" onClick={() => void exportImage('svg')} aria-label={`Download ${title} as SVG`}>
          SVG
        </button>
      </figcaption>
      <div ref={container} data-testid={testId} role="img" aria-label={description} />
      {failed && <p role="alert">The plot could not be drawn: {failed}</p>}
    </figure>
  );
}
