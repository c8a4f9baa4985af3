/**
 * plotly.js's source modules ship no types; its API is the one plotly.js-dist-min's types (a
 * type-only dependency here) describe.
 */
declare module 'plotly.js/lib/core' {
  import Plotly from 'plotly.js-dist-min';
  export default Plotly;
}

declare module 'plotly.js/lib/heatmap' {
  import type { PlotlyModule } from 'plotly.js-dist-min';
  const heatmap: PlotlyModule;
  export default heatmap;
}
