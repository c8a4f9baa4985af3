/**
 * The three spectra side by side on one shared k axis (docs/method.md §4), in two modes: across runs at
 * one step, or across the checkpoints of one run (coloured by step, with a play button that
 * animates training). One hover lists every run at that k; runs without a checkpoint at the
 * slider's step are named with the step they are drawn at. The mass and utilization plots draw the
 * held-out projections (§4.1, within [0, 1]) or, as a view option, the paper's Nyström sums; their
 * axis titles say which.
 */
import type { Layout } from 'plotly.js-dist-min';
import { useCallback, useEffect, useMemo } from 'react';
import { richscope, useRichscope } from '../../state/store';
import { defaultViewSettings, usableKRange } from '../../state/view-settings';
import { MethodLink } from '../MethodLink';
import { useColourScheme } from '../use-colour-scheme';
import { decadeTick } from './axis-ticks';
import { smallestPositiveY } from './curve-canvas';
import { axisRangeOfK, kRangeFromAxis } from './k-range';
import { NoRunsMessage } from './NoRunsMessage';
import { hoverTraceRun } from './hover-run';
import { Plot, type PlotExport } from './Plot';
import { SpectraControls } from './SpectraControls';
import { focusedRun, runsAtOtherSteps, sliderStep, sliderSteps } from './step-slider';
import {
  CURVE_FORM_NAMES,
  EVAL_SPLIT_NOTES,
  allStepsExtent,
  SPECTRUM_TITLES,
  buildTraces,
  spectrumHoverTitle,
  stepColourBarTrace,
  type SpectrumPanel,
  type Trace,
} from './traces';
import { usePlottedRuns } from './refresh-while-busy';

const PANELS: { panel: SpectrumPanel; testId: string; yTitle: string; description: string }[] = [
  {
    panel: 'mass',
    testId: 'plot-mass',
    yTitle: 'mass Π*(k)',
    description: 'how well the top-k features express the labels',
  },
  {
    panel: 'utilization',
    testId: 'plot-utilization',
    yTitle: 'utilization Π̂(k)',
    description: 'how much of the output the top-k features carry',
  },
  {
    panel: 'eigenvalues',
    testId: 'plot-eigenvalues',
    yTitle: 'ρ_k / ρ_1',
    description: 'relative feature eigenvalues',
  },
];

/** Milliseconds per step while playing. */
const PLAY_INTERVAL = 900;

export function SpectraPanel() {
  const runs = usePlottedRuns();
  const hoveredRun = useRichscope((s) => s.hoveredRun);
  const playing = useRichscope((s) => s.playing);
  const spectraMode = useRichscope((s) => s.view.spectraMode);
  const step = useRichscope((s) => s.view.step);
  const focusRun = useRichscope((s) => s.view.focusRun);
  const kMinRelative = useRichscope((s) => s.view.kMinRelative);
  const aggregateSeeds = useRichscope((s) => s.view.aggregateSeeds);
  const logK = useRichscope((s) => s.view.logK);
  const logEigenvalues = useRichscope((s) => s.view.logEigenvalues);
  const storedKRange = useRichscope((s) => s.view.kRange);
  const curveForm = useRichscope((s) => s.view.curveForm);
  const scheme = useColourScheme();
  // Only what the spectra draw: selecting a row or sorting the table leaves them alone.
  const view = useMemo(
    () => ({ ...defaultViewSettings, spectraMode, step, focusRun, kMinRelative, aggregateSeeds, curveForm }),
    [spectraMode, step, focusRun, kMinRelative, aggregateSeeds, curveForm],
  );
  // The three panels share one k axis: zooming one zooms all, and the zoom is kept in the URL.
  const kRange = usableKRange(storedKRange, logK);
  const setKRange = useCallback(
    (axisRange: [number, number] | null) =>
      richscope.zoomK(axisRange ? kRangeFromAxis(axisRange, logK) : null),
    [logK],
  );

  const focus = focusedRun(runs, view);
  const steps = useMemo(() => sliderSteps(runs, view), [runs, view]);
  const shownStep = sliderStep(steps, view.step);
  const current = shownStep === undefined ? -1 : steps.indexOf(shownStep);
  const elsewhere = useMemo(() => runsAtOtherSteps(runs, view), [runs, view]);

  useEffect(() => {
    if (!playing || steps.length < 2) return;
    const timer = setInterval(() => richscope.advancePlay({ steps, current }), PLAY_INTERVAL);
    return () => clearInterval(timer);
  }, [playing, current, steps]);

  const tracesByPanel = useMemo(
    () =>
      Object.fromEntries(
        PANELS.map(({ panel }) => [panel, buildTraces(panel, runs, view, scheme)]),
      ) as Record<SpectrumPanel, Trace[]>,
    [runs, view, scheme],
  );
  // Every step's curves, for the axes: what the slider reaches, not the step it is at.
  const extentView = useMemo(
    () => ({ ...defaultViewSettings, spectraMode, focusRun, kMinRelative, aggregateSeeds, curveForm }),
    [spectraMode, focusRun, kMinRelative, aggregateSeeds, curveForm],
  );
  const extentByPanel = useMemo(
    () =>
      Object.fromEntries(
        PANELS.map(({ panel }) => [
          panel,
          // the axis types the panel's layout below gives plotly
          allStepsExtent(panel, runs, extentView, {
            logX: logK,
            logY: panel === 'eigenvalues' && logEigenvalues,
            logY2: false,
          }),
        ]),
      ) as Record<SpectrumPanel, Trace[] | null>,
    [runs, extentView, logK, logEigenvalues],
  );
  const visibleRuns = runs.filter((run) => run.visible);
  const onEval = runs.some((run) => run.checkpoints.some((c) => c.hasEval));
  const unlabelled = visibleRuns
    .filter((run) => run.checkpoints.some((c) => c.metrics.mass === null))
    .map((run) => run.name);
  const smallestRho = useMemo(
    () => smallestPositiveY(extentByPanel.eigenvalues ?? tracesByPanel.eigenvalues),
    [extentByPanel, tracesByPanel],
  );
  const rhoTick = logEigenvalues ? decadeTick(smallestRho) : undefined;
  const layouts = useMemo(
    () =>
      Object.fromEntries(
        PANELS.map(({ panel, yTitle }) => {
          const log = panel === 'eigenvalues' && logEigenvalues;
          const curve = panel !== 'eigenvalues';
          // fractions of the target's energy: the held-out curves' whole range, whatever the data
          const fraction = curve && curveForm === 'heldOut';
          const layout: Partial<Layout> = {
            hovermode: 'x unified',
            // The curves' arrays are reused while unchanged, so plotly skips recomputing them; its
            // autorange after a zoom needs that recomputation, so a new zoom counts as new data.
            datarevision: `${logK}:${kRange ? kRange.join('-') : 'auto'}`,
            xaxis: {
              title: { text: logK ? 'k (log)' : 'k' },
              type: logK ? 'log' : 'linear',
              unifiedhovertitle: { text: spectrumHoverTitle(panel, onEval, curveForm) },
              ...(kRange ? { range: axisRangeOfK(kRange, logK), autorange: false } : { autorange: true }),
            },
            yaxis: {
              title: {
                text: log ? `${yTitle} (log)` : curve ? `${yTitle}: ${CURVE_FORM_NAMES[curveForm]}` : yTitle,
              },
              type: log ? 'log' : 'linear',
              exponentformat: 'power',
              // Whole decades only: plotly adds crowded "2" and "5" labels on short log ranges.
              ...(log ? { dtick: rhoTick } : {}),
              ...(fraction ? { range: [0, 1], autorange: false } : { autorange: true }),
            },
          };
          return [panel, layout];
        }),
      ) as Record<SpectrumPanel, Partial<Layout>>,
    [logK, logEigenvalues, kRange, onEval, rhoTick, curveForm],
  );

  const stepLabel = current >= 0 && steps.length > 0 ? String(steps[current]) : '–';
  /** The exported image says which step and which split it shows. */
  const exportFigure = (panel: SpectrumPanel): PlotExport => {
    const split = panel === 'eigenvalues' ? 'train split' : onEval ? 'test split where given' : 'train split';
    const at =
      spectraMode === 'checkpoints' && focus
        ? `${focus.name}, checkpoints up to step ${stepLabel}`
        : `step ${stepLabel}`;
    const drawnAt = new Map(elsewhere.map(({ run, step }) => [run.id, step]));
    const bar = stepColourBarTrace(runs, view, scheme);
    const traces = tracesByPanel[panel].map((trace) =>
      drawnAt.has(trace.meta as string)
        ? { ...trace, name: `${trace.name} (step ${drawnAt.get(trace.meta as string)})` }
        : trace,
    );
    return {
      title: `${SPECTRUM_TITLES[panel]} at ${at} (${split})`,
      traces: bar ? [...traces, bar] : traces,
      // Hundreds of checkpoints: the colour bar says the step, not a legend entry each.
      layout: bar ? { showlegend: false } : {},
    };
  };

  return (
    <section className="panel" aria-labelledby="spectra-heading" id="spectra">
      <SpectraControls runs={runs} focus={focus} steps={steps} current={current} stepLabel={stepLabel} />
      {elsewhere.length > 0 && (
        <p className="step-note" data-testid="step-mismatch">
          No checkpoint at step {stepLabel} for{' '}
          {elsewhere.map(({ run, step }, i) => (
            <span key={run.id}>
              {i > 0 && ', '}
              <strong>{run.name}</strong> (drawn at step {step})
            </span>
          ))}
          .
        </p>
      )}
      <div className="spectra">
        {PANELS.map(({ panel, testId, description }) => (
          <Plot
            emphasizedRun={hoveredRun}
            key={panel}
            testId={testId}
            title={SPECTRUM_TITLES[panel]}
            traces={tracesByPanel[panel]}
            layout={layouts[panel]}
            height={300}
            onXRangeChange={setKRange}
            onHoverTrace={hoverTraceRun}
            resetToAutoscale
            curvesOnCanvas
            keyboardReadout
            axisExtent={extentByPanel[panel]}
            emptyMessage={<NoRunsMessage />}
            exportFigure={() => exportFigure(panel)}
            description={`${SPECTRUM_TITLES[panel]}: ${description}`}
          />
        ))}
      </div>
      {unlabelled.length > 0 && (
        <p className="hint">No labels, so no cumulative mass Π*(k), for: {unlabelled.join(', ')}.</p>
      )}
      {onEval && (
        <p className="hint" data-testid="curve-form-note">
          Π*(k) and Π̂(k) drawn as {CURVE_FORM_NAMES[curveForm]}: {EVAL_SPLIT_NOTES[curveForm]}
          {curveForm === 'heldOut' ? (
            <>
              {' '}
              (<MethodLink section="heldOut" />
              ).
            </>
          ) : (
            <>
              {' '}
              (the eigenfunctions come from the train split and are not orthonormal on the test split;{' '}
              <MethodLink section="spectra" />
              ).
            </>
          )}
        </p>
      )}
    </section>
  );
}
