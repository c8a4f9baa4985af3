/** Downloads of all runs: metrics and curves (CSV, JSON) and the results bundle others can drop in. */
import { RESULTS_BUNDLE_SUFFIX, encodeResultsBundle } from '../session/results-bundle';
import { getRichscopeState, useRichscope } from '../state/store';
import { downloadText } from './download';
import { exportCsv, exportJson } from './export-data';

export function ExportPanel() {
  const hasData = useRichscope((s) => s.runs.some((run) => run.checkpoints.length > 0));
  const runs = () => getRichscopeState().runs;
  return (
    <section className="panel" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <div className="button-row">
        <button
          type="button"
          disabled={!hasData}
          title="Every metric and curve of every run, one value per row; with seed groups aggregated, each group's mean and sd too"
          onClick={() =>
            downloadText(
              exportCsv(runs(), { aggregateSeeds: getRichscopeState().view.aggregateSeeds }),
              'richscope-results.csv',
              'text/csv',
            )
          }
        >
          CSV
        </button>
        <button
          type="button"
          disabled={!hasData}
          onClick={() => downloadText(exportJson(runs()), 'richscope-results.json', 'application/json')}
        >
          JSON
        </button>
        <button
          type="button"
          disabled={!hasData}
          title="Moments and results of every run, no raw activations: drop it into Richscope to see the same plots"
          onClick={() =>
            downloadText(encodeResultsBundle(runs()), `richscope${RESULTS_BUNDLE_SUFFIX}`, 'application/json')
          }
        >
          Results bundle
        </button>
      </div>
      <p className="hint">Every plot has its own PNG and SVG buttons.</p>
    </section>
  );
}
