/** Every run: colour, visibility, name, seed group, checkpoint count and inline errors. */
import { richscope, useRichscope } from '../state/store';
import { RunItem } from './RunItem';

export function RunsPanel() {
  const runs = useRichscope((s) => s.runs);
  const aggregateSeeds = useRichscope((s) => s.view.aggregateSeeds);
  return (
    <section className="panel" aria-labelledby="runs-heading" data-testid="runs-panel">
      <div className="panel-header">
        <h2 id="runs-heading">Runs</h2>
        {runs.length > 0 && (
          <button type="button" onClick={() => richscope.removeAllRuns()}>
            Remove all
          </button>
        )}
      </div>
      {runs.length === 0 ? (
        <p className="hint">
          No runs yet.{' '}
          <button type="button" onClick={() => void richscope.loadExamples()}>
            Load the example runs
          </button>
        </p>
      ) : (
        <ul className="runs">
          {runs.map((run) => (
            <RunItem key={run.id} run={run} />
          ))}
        </ul>
      )}
      <label title="Runs sharing a seed group are shown as mean ± one standard deviation">
        <input
          type="checkbox"
          checked={aggregateSeeds}
          onChange={(e) => richscope.setAggregateSeeds(e.target.checked)}
        />
        aggregate seed groups (mean ± sd)
      </label>
    </section>
  );
}
