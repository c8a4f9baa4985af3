/**
 * plotly.js-cartesian-dist-min ships no types. It is plotly's own partial bundle (the 2-D cartesian
 * traces, scatter and heatmap among them) with the same API as the full bundle, whose types
 * (plotly.js-dist-min, a type-only dependency here) describe it.
 */
declare module 'plotly.js-cartesian-dist-min' {
  import Plotly from 'plotly.js-dist-min';
  export default Plotly;
}
