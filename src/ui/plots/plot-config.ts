/**
 * The plotly configuration every chart uses. The mode bar is an allow-list of offline buttons:
 * plotly's own defaults include "Share chart…" (sendChartToCloud), which posts the figure to
 * Plotly's server, and Richscope promises that nothing leaves the browser. Image downloads are the
 * plot's own PNG/SVG buttons (title and legend included), so plotly's toImage is not offered either.
 */
import type { Config, ModeBarDefaultButtons } from 'plotly.js-dist-min';

/** Zoom, pan and autoscale: the mode bar buttons that only change the view. */
export const OFFLINE_MODEBAR_BUTTONS: readonly ModeBarDefaultButtons[] = [
  'zoom2d',
  'pan2d',
  'zoomIn2d',
  'zoomOut2d',
  'autoScale2d',
];

/** "Reset axes" goes back to the first-drawn ranges; offered where those are not a restored zoom. */
export const RESET_AXES_BUTTON: ModeBarDefaultButtons = 'resetScale2d';

/**
 * The config of one chart. `resetToAutoscale`: a reset (double-click) autoscales instead of going
 * back to the first-drawn ranges, and "Reset axes" is not offered.
 */
export function plotConfig(resetToAutoscale: boolean): Partial<Config> {
  const buttons: ModeBarDefaultButtons[] = [
    ...OFFLINE_MODEBAR_BUTTONS,
    ...(resetToAutoscale ? [] : [RESET_AXES_BUTTON]),
  ];
  return {
    displaylogo: false,
    showSendToCloud: false,
    // No server to send to, should any code path still try.
    plotlyServerURL: '',
    showTips: false,
    modeBarButtons: [buttons],
    doubleClick: resetToAutoscale ? 'autosize' : 'reset+autosize',
    // Sizes follow the container through a ResizeObserver (Plot.tsx), not only the window.
    responsive: false,
  };
}
