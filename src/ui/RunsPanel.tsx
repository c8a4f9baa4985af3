/**
 * Every run, and the one legend of every plot: colour and dash, visibility, hover to bring a run
 * forward everywhere; name, seed group, checkpoint count, inline errors. A filter (regular
 * expression), show / hide all listed, and an undo for removals.
 */
import { useEffect, useMemo, useState } from 'react';
import { runSummaries } from '../state/run-summaries';
import { richscope, useRichscope } from '../state/store';
import { runFilter } from './run-filter';
import { runStyles } from './run-style';
import { RunItem } from './RunItem';

/** How long "Undo" stays offered after a removal. */
const UNDO_MS = 20_000;

export function RunsPanel() {
  // no moments: the items React keeps after a removal hold no buffers (run-summaries.ts)
  const runs = useRichscope((s) => runSummaries(s.runs));
  const jobs = useRichscope((s) => s.jobs);
  // checkpoints being analysed, by run: counted once here rather than by every run's item
  const analysing = useMemo(() => {
    const counts = new Map<string, number>();
    for (const job of jobs) for (const runId of job.runIds) counts.set(runId, (counts.get(runId) ?? 0) + 1);
    return counts;
  }, [jobs]);
  const aggregateSeeds = useRichscope((s) => s.view.aggregateSeeds);
  const [filterText, setFilterText] = useState('');
  const filter = useMemo(() => runFilter(filterText), [filterText]);
  const styles = useMemo(() => runStyles(runs), [runs]);
  const listed = runs.filter((run) => filter.matches(run.name));
  const filtered = filterText.trim() !== '';
  const listedIds = listed.map((run) => run.id);
  return (
    <section className="panel" aria-labelledby="runs-heading" data-testid="runs-panel">
      <div className="panel-header">
        <h2 id="runs-heading">Runs{runs.length > 0 ? ` (${runs.length})` : ''}</h2>
        {runs.length > 0 && (
          <div className="button-row">
            <button
              type="button"
              disabled={listed.length === 0}
              onClick={() => richscope.setRunsVisible({ runIds: listedIds, visible: true })}
            >
              {filtered ? 'Show listed' : 'Show all'}
            </button>
            <button
              type="button"
              disabled={listed.length === 0}
              onClick={() => richscope.setRunsVisible({ runIds: listedIds, visible: false })}
            >
              {filtered ? 'Hide listed' : 'Hide all'}
            </button>
            <button type="button" onClick={() => richscope.removeAllRuns()}>
              Remove all
            </button>
          </div>
        )}
      </div>
      <UndoRemoval />
      {runs.length === 0 ? (
        <p className="hint">
          No runs yet.{' '}
          <button type="button" onClick={() => void richscope.loadExamples()}>
            Load the example runs
          </button>
        </p>
      ) : (
        <>
          {runs.length > 1 && (
            <div className="run-filter">
              <input
                type="search"
                value={filterText}
                placeholder="filter runs (regular expression)"
                aria-label="Filter runs by name (regular expression)"
                aria-describedby={filter.problem ? 'run-filter-problem' : undefined}
                onChange={(e) => setFilterText(e.target.value)}
              />
              {filtered && (
                <span className="hint" role="status">
                  {listed.length} of {runs.length}
                </span>
              )}
              {filter.problem && (
                <p className="hint" id="run-filter-problem">
                  {filter.problem}
                </p>
              )}
            </div>
          )}
          <ul className="runs" onMouseLeave={() => richscope.hoverRun(null)}>
            {listed.map((run) => (
              <RunItem
                key={run.id}
                run={run}
                style={styles.get(run.id)!}
                analysing={analysing.get(run.id) ?? 0}
              />
            ))}
          </ul>
        </>
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

/** "Removed … Undo", for a while after a removal; then the removed runs are forgotten for good. */
function UndoRemoval() {
  // What React keeps of this component's last renders must not hold the removed runs (their moments
  // would outlive the removal): it reads the removal's positions, as its identity, and a description.
  const removal = useRichscope((s) => s.removed?.positions ?? null);
  const what = useRichscope(({ removed }) =>
    !removed
      ? null
      : removed.runs.length === 1
        ? `run “${removed.runs[0].name}”`
        : `${removed.runs.length} runs`,
  );
  useEffect(() => {
    if (!removal) return;
    const timer = setTimeout(() => richscope.forgetRemoved(), UNDO_MS);
    return () => clearTimeout(timer);
  }, [removal]);
  if (!removal) return null;
  return (
    <div className="undo" role="status" data-testid="undo-removal">
      <span>Removed {what}.</span>
      <button type="button" onClick={() => richscope.undoRemove()}>
        Undo
      </button>
      <button
        type="button"
        aria-label="Dismiss (the removal stays)"
        onClick={() => richscope.forgetRemoved()}
      >
        ✕
      </button>
    </div>
  );
}
