/**
 * The plotly the dashboard draws with, bundled from plotly.js's own modules: its core (the scatter
 * trace with hover, legend, shapes and the mode bar) and the heatmap trace, the only two trace types
 * drawn here. Bundled as ES modules this evaluates in a fraction of the time plotly's prebuilt
 * bundles take; see docs/benchmarks.md.
 */
import Plotly from 'plotly.js/lib/core';
import heatmap from 'plotly.js/lib/heatmap';

Plotly.register([heatmap]);

export default Plotly;
