/**
 * "D_LR over training": one line per run against step with jackknife error bars (docs/method.md §7),
 * test accuracy on a second axis, one hover listing every run at that step; the step the spectra show
 * is marked. A click on a point, or the arrow keys on the focused plot, select a checkpoint (which the
 * spectra and details then show).
 */
import type { Layout } from 'plotly.js-dist-min';
import { useCallback, useMemo, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { richscope, useRichscope } from '../../state/store';
import { defaultViewSettings } from '../../state/view-settings';
import { MethodLink } from '../MethodLink';
import { SELECTION_KEYS, moveSelection } from './dlr-keys';
import { buildDlrTraces, drawsAccuracy, selectableDlrRuns, selectionRing } from './dlr-traces';
import { NoRunsMessage } from './NoRunsMessage';
import { hoverTraceRun } from './hover-run';
import { Plot } from './Plot';
import { marksAsLayout, type PlotMark } from './plot-marks';
import { SMOOTHING_WEIGHTS } from './smoothing';
import { sliderStep, sliderSteps } from './step-slider';
import { usePlottedRuns } from './refresh-while-busy';

export function DlrStepsPlot() {
  const runs = usePlottedRuns();
  const hoveredRun = useRichscope((s) => s.hoveredRun);
  const aggregateSeeds = useRichscope((s) => s.view.aggregateSeeds);
  const selectedRun = useRichscope((s) => s.view.selectedRun);
  const selectedStep = useRichscope((s) => s.view.selectedStep);
  const smoothing = useRichscope((s) => s.view.smoothing);
  const logSteps = useRichscope((s) => s.view.logSteps);
  const spectraMode = useRichscope((s) => s.view.spectraMode);
  const step = useRichscope((s) => s.view.step);
  const focusRun = useRichscope((s) => s.view.focusRun);
  // Only what the traces draw: sorting the table, zooming the spectra or moving their step leaves them
  // alone (the step's line and a selection's ring are marks over the plot, not part of the figure).
  const traceView = useMemo(
    () => ({ ...defaultViewSettings, aggregateSeeds, smoothing }),
    [aggregateSeeds, smoothing],
  );
  const view = useMemo(
    () => ({ ...traceView, selectedRun, selectedStep, spectraMode, step, focusRun }),
    [traceView, selectedRun, selectedStep, spectraMode, step, focusRun],
  );
  const traces = useMemo(() => buildDlrTraces(runs, traceView), [runs, traceView]);
  const ring = useMemo(
    () => selectionRing(runs, { selectedRun, selectedStep }, logSteps),
    [runs, selectedRun, selectedStep, logSteps],
  );
  const hasAccuracy = useMemo(() => drawsAccuracy(runs, traceView), [runs, traceView]);
  // The step the spectra show (the slider's), marked where a log axis can show it.
  const spectraStep = useMemo(() => sliderStep(sliderSteps(runs, view), view.step), [runs, view]);
  const marked = spectraStep !== undefined && !(logSteps && spectraStep <= 0) ? spectraStep : null;
  const hasErrorBars = traces.some((t) => t.error_y);
  const hasBands = traces.some((t) => t.fill === 'toself');
  const layout = useMemo<Partial<Layout>>(
    () => ({
      hovermode: 'x unified',
      xaxis: {
        title: { text: logSteps ? 'training step (log; step 0 not shown)' : 'training step' },
        type: logSteps ? 'log' : 'linear',
        unifiedhovertitle: { text: 'step %{x}' },
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
      // room above the plot area for the step's label
      margin: { l: 56, r: hasAccuracy ? 56 : 16, t: 22, b: 40 },
    }),
    [logSteps, hasAccuracy],
  );
  // The ring and the step's line move over the drawn plot: a selection or the slider redraws nothing.
  const marks = useMemo<PlotMark[]>(
    () => [
      ...(ring ? [ring] : []),
      ...(marked === null ? [] : [{ kind: 'step' as const, x: marked, label: `spectra: step ${marked}` }]),
    ],
    [ring, marked],
  );
  const select = useCallback((customdata: unknown) => {
    if (Array.isArray(customdata) && customdata.length >= 2)
      richscope.selectCheckpoint({ runId: String(customdata[0]), step: Number(customdata[1]) });
  }, []);
  // What the last key selected, read out by screen readers (the details panel shows it to everyone).
  const [announcement, setAnnouncement] = useState('');
  const selectByKey = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys on the buttons inside stay theirs.
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

  // The exported legend lists each run's D_LR and test accuracy lines, in rows.
  const exportFigure = () => ({
    layout: {
      ...marksAsLayout(marks, logSteps),
      legend: {
        orientation: 'h' as const,
        x: 0,
        xanchor: 'left' as const,
        y: 1.02,
        yanchor: 'bottom' as const,
        traceorder: 'normal' as const,
      },
    },
  });
  const title = [
    'D_LR over training',
    hasAccuracy ? ' (dotted: test accuracy)' : '',
    smoothing > 0 ? `, smoothed (moving average ${smoothing}; raw points faint)` : '',
  ].join('');
  return (
    <section
      className="panel"
      aria-labelledby="dlr-steps-heading"
      data-marked-step={marked ?? ''}
      id="dlr-over-training"
    >
      <div className="panel-header">
        <h2 id="dlr-steps-heading" className="visually-hidden">
          D_LR over training
        </h2>
        <label title="Exponential moving average of D_LR over the steps of each run (bias-corrected, as TensorBoard's); the raw points stay drawn">
          smoothing{' '}
          <select value={String(smoothing)} onChange={(e) => richscope.setSmoothing(Number(e.target.value))}>
            {SMOOTHING_WEIGHTS.map((w) => (
              <option key={w} value={String(w)}>
                {w === 0 ? 'off' : `EMA ${w}`}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={logSteps}
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
        className="plot-keys"
        aria-label="D_LR over training: select a checkpoint with the arrow keys"
        aria-describedby="dlr-steps-keys"
        aria-keyshortcuts={SELECTION_KEYS.join(' ')}
        onKeyDown={selectByKey}
      >
        <Plot
          emphasizedRun={hoveredRun}
          testId="plot-dlr-steps"
          title={title}
          traces={traces}
          layout={layout}
          height={300}
          onPointClick={select}
          onHoverTrace={hoverTraceRun}
          marks={marks}
          curvesOnCanvas
          emptyMessage={<NoRunsMessage />}
          exportFigure={exportFigure}
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
