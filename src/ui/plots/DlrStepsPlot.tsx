/**
 * "D_LR over training": one line per run against step with jackknife error bars (docs/method.md §7),
 * test accuracy on a second axis; a click on a point, or the arrow keys on the focused plot, select a
 * checkpoint.
 */
import type { Layout } from 'plotly.js-dist-min';
import { useCallback, useMemo, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { richscope, useRichscope } from '../../state/store';
import { MethodLink } from '../MethodText';
import { SELECTION_KEYS, moveSelection } from './dlr-keys';
import { Plot } from './Plot';
import { buildDlrTraces, selectableDlrRuns } from './traces';

export function DlrStepsPlot() {
  const runs = useRichscope((s) => s.runs);
  const view = useRichscope((s) => s.view);
  const traces = useMemo(() => buildDlrTraces(runs, view), [runs, view]);
  const hasAccuracy = traces.some((t) => t.yaxis === 'y2');
  const hasErrorBars = traces.some((t) => t.error_y);
  const hasBands = traces.some((t) => t.fill === 'toself');
  const layout = useMemo<Partial<Layout>>(
    () => ({
      xaxis: {
        title: { text: view.logSteps ? 'training step (log; step 0 not shown)' : 'training step' },
        type: view.logSteps ? 'log' : 'linear',
      },
      yaxis: { title: { text: 'D_LR (0 rich, 1 lazy)' }, rangemode: 'tozero' },
      ...(hasAccuracy
        ? {
            yaxis2: {
              title: { text: 'test accuracy' },
              overlaying: 'y',
              side: 'right',
              range: [0, 1],
              dtick: 0.25,
              tickformat: '.0%',
              showgrid: false,
            },
          }
        : {}),
      // Flow the legend in rows; grouped legends (run + its accuracy) would stack vertically.
      legend: { orientation: 'h', x: 0, xanchor: 'left', y: 1.02, yanchor: 'bottom', traceorder: 'normal' },
      margin: { l: 56, r: hasAccuracy ? 56 : 16, t: 8, b: 40 },
    }),
    [view.logSteps, hasAccuracy],
  );
  const select = useCallback((customdata: unknown) => {
    if (Array.isArray(customdata) && customdata.length >= 2)
      richscope.selectCheckpoint({ runId: String(customdata[0]), step: Number(customdata[1]) });
  }, []);
  // What the last key selected, read out by screen readers (the details panel shows it to everyone).
  const [announcement, setAnnouncement] = useState('');
  const selectByKey = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys on the export buttons inside stay theirs.
    if (e.target !== e.currentTarget || e.altKey || e.ctrlKey || e.metaKey) return;
    const selectable = selectableDlrRuns(runs, view);
    const next = moveSelection(selectable, { runId: view.selectedRun, step: view.selectedStep }, e.key);
    if (!next) return;
    e.preventDefault();
    if (next.runId !== view.selectedRun || next.step !== view.selectedStep)
      richscope.selectCheckpoint({ runId: next.runId, step: next.step });
    const run = selectable.find((r) => r.id === next.runId)!;
    const dlr = run.checkpoints.find((c) => c.step === next.step)!.metrics.dlr;
    setAnnouncement(`${run.name}, step ${next.step}: D_LR ${dlr.toFixed(4)}`);
  };

  return (
    <section className="panel" aria-labelledby="dlr-steps-heading">
      <div className="panel-header">
        <h2 id="dlr-steps-heading" className="visually-hidden">
          D_LR over training
        </h2>
        <label>
          <input
            type="checkbox"
            checked={view.logSteps}
            onChange={(e) => richscope.setLogSteps(e.target.checked)}
          />
          log step axis
        </label>
        <span className="hint" id="dlr-steps-keys">
          Keys on the focused plot: ←/→ step, ↑/↓ run, Home/End
        </span>
      </div>
      <div
        role="group"
        tabIndex={0}
        aria-label="D_LR over training: select a checkpoint with the arrow keys"
        aria-describedby="dlr-steps-keys"
        aria-keyshortcuts={SELECTION_KEYS.join(' ')}
        onKeyDown={selectByKey}
      >
        <Plot
          testId="plot-dlr-steps"
          title="D_LR over training (dotted: test accuracy)"
          traces={traces}
          layout={layout}
          height={300}
          onPointClick={select}
          description="D_LR of each run against training step; click a point, or use the arrow keys, to select a checkpoint"
        />
      </div>
      {(hasErrorBars || hasBands) && (
        <p className="hint" data-testid="dlr-error-legend">
          {hasErrorBars && (
            <>
              Error bars: ± one jackknife standard error, how much D_LR moves with the sample of inputs (
              <MethodLink section="jackknife" />
              ).{' '}
            </>
          )}
          {hasBands && 'Shaded bands: ± one standard deviation over the seeds of a seed group.'}
        </p>
      )}
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
    </section>
  );
}
