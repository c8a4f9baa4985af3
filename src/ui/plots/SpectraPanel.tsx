/**
 * The three spectra side by side on one shared k axis (docs/method.md §4), in two modes: across runs
 * at one step, or across the checkpoints of one run (with a play button that animates training). The
 * mass and utilization plots draw the held-out projections (§4.1, within [0, 1]) or, as a view
 * option, the paper's Nyström sums; their legends say which.
 */
import type { Layout } from 'plotly.js-dist-min';
import { useCallback, useEffect, useMemo } from 'react';
import { richscope, useRichscope } from '../../state/store';
import { usableKRange } from '../../state/view-settings';
import { useColourScheme } from '../use-colour-scheme';
import { nearestCheckpoint, unionOfSteps } from '../nearest-checkpoint';
import { axisRangeOfK, kRangeFromAxis } from './k-range';
import { Plot } from './Plot';
import { MethodLink } from '../MethodText';
import {
  CURVE_FORM_NAMES,
  EVAL_SPLIT_NOTES,
  SPECTRUM_TITLES,
  buildTraces,
  focusedRun,
  type SpectrumPanel,
} from './traces';

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
  const runs = useRichscope((s) => s.runs);
  const view = useRichscope((s) => s.view);
  const playing = useRichscope((s) => s.playing);
  const scheme = useColourScheme();
  // The three panels share one k axis: zooming one zooms all, and the zoom is kept in the URL.
  const kRange = usableKRange(view.kRange, view.logK);
  const setKRange = useCallback(
    (axisRange: [number, number] | null) =>
      richscope.zoomK(axisRange ? kRangeFromAxis(axisRange, view.logK) : null),
    [view.logK],
  );

  const visibleRuns = useMemo(() => runs.filter((run) => run.visible), [runs]);
  const focus = focusedRun(runs, view);
  const steps = useMemo(
    () =>
      view.spectraMode === 'checkpoints' ? (focus ? unionOfSteps([focus]) : []) : unionOfSteps(visibleRuns),
    [view.spectraMode, focus, visibleRuns],
  );
  // The slider position: the step nearest to the requested one (null = latest).
  const shownStep = nearestCheckpoint(
    steps.map((step) => ({ step })),
    view.step,
  )?.step;
  const current = shownStep === undefined ? -1 : steps.indexOf(shownStep);

  useEffect(() => {
    if (!playing || steps.length < 2) return;
    const timer = setInterval(() => {
      richscope.advancePlay({ steps, current });
    }, PLAY_INTERVAL);
    return () => clearInterval(timer);
  }, [playing, current, steps]);

  const tracesByPanel = useMemo(
    () =>
      Object.fromEntries(
        PANELS.map(({ panel }) => [panel, buildTraces(panel, runs, view, scheme)]),
      ) as Record<SpectrumPanel, ReturnType<typeof buildTraces>>,
    [runs, view, scheme],
  );
  const onEval = runs.some((run) => run.checkpoints.some((c) => c.eval !== null));
  const unlabelled = visibleRuns
    .filter((run) => run.checkpoints.some((c) => c.metrics.mass === null))
    .map((run) => run.name);
  const layouts = useMemo(
    () =>
      Object.fromEntries(
        PANELS.map(({ panel, yTitle }) => {
          const log = panel === 'eigenvalues' && view.logEigenvalues;
          const curve = panel !== 'eigenvalues';
          // fractions of the target's energy: the held-out curves' whole range, whatever the data
          const fraction = curve && view.curveForm === 'heldOut';
          const layout: Partial<Layout> = {
            xaxis: {
              title: { text: view.logK ? 'k (log)' : 'k' },
              type: view.logK ? 'log' : 'linear',
              ...(kRange
                ? { range: axisRangeOfK(kRange, view.logK), autorange: false }
                : { autorange: true }),
            },
            yaxis: {
              title: { text: log ? `${yTitle} (log)` : yTitle },
              type: log ? 'log' : 'linear',
              exponentformat: 'power',
              ...(fraction ? { range: [0, 1], autorange: false } : { autorange: true }),
            },
            showlegend: true,
            ...(curve ? { legend: { title: { text: CURVE_FORM_NAMES[view.curveForm] } } } : {}),
          };
          return [panel, layout];
        }),
      ) as Record<SpectrumPanel, Partial<Layout>>,
    [view.logK, view.logEigenvalues, kRange, view.curveForm],
  );

  const stepLabel = current >= 0 && steps.length > 0 ? steps[current] : '–';
  return (
    <section className="panel" aria-labelledby="spectra-heading">
      <div className="panel-header">
        <h2 id="spectra-heading">Feature spectra</h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Compare</legend>
          <label>
            <input
              type="radio"
              name="spectra-mode"
              checked={view.spectraMode === 'runs'}
              onChange={() => richscope.showAcrossRuns()}
            />
            across runs
          </label>
          <label>
            <input
              type="radio"
              name="spectra-mode"
              checked={view.spectraMode === 'checkpoints'}
              onChange={() => richscope.showAcrossCheckpoints(focus?.id ?? null)}
            />
            across checkpoints of
          </label>
          <select
            aria-label="Run shown across its checkpoints"
            value={focus?.id ?? ''}
            disabled={view.spectraMode !== 'checkpoints'}
            onChange={(e) => richscope.focusRun(e.target.value)}
          >
            {runs
              .filter((run) => run.checkpoints.length > 0)
              .map((run) => (
                <option key={run.id} value={run.id}>
                  {run.name}
                </option>
              ))}
          </select>
        </fieldset>
      </div>
      <div className="controls">
        <label className="step-slider">
          step <output data-testid="step-value">{stepLabel}</output>
          <input
            type="range"
            aria-label="Training step shown in the spectra"
            data-testid="step-slider"
            min={0}
            max={Math.max(0, steps.length - 1)}
            step={1}
            value={Math.max(0, current)}
            disabled={steps.length < 2}
            onChange={(e) => richscope.showStep(steps[Number(e.target.value)])}
          />
        </label>
        <button
          type="button"
          data-testid="play"
          disabled={steps.length < 2}
          aria-pressed={playing}
          onClick={() => richscope.togglePlay({ steps, current })}
        >
          {playing ? '❚❚ Pause' : '▶ Play'}
        </button>
        <label>
          <input type="checkbox" checked={view.logK} onChange={(e) => richscope.setLogK(e.target.checked)} />
          log k
        </label>
        <label>
          <input
            type="checkbox"
            checked={view.logEigenvalues}
            onChange={(e) => richscope.setLogEigenvalues(e.target.checked)}
          />
          log ρ
        </label>
        <fieldset className="segmented">
          <legend>Π*(k), Π̂(k):</legend>
          <label title="share of the target's energy on the eval split inside the span of the top-k eigenfunctions there, in [0, 1] (docs/method.md §4.1)">
            <input
              type="radio"
              name="curve-form"
              checked={view.curveForm === 'heldOut'}
              onChange={() => richscope.setCurveForm('heldOut')}
            />
            {CURVE_FORM_NAMES.heldOut}
          </label>
          <label title="sum of the squared Nyström coefficients (docs/method.md §4): the paper's form, which can exceed 1 on a held-out split">
            <input
              type="radio"
              name="curve-form"
              checked={view.curveForm === 'nystrom'}
              onChange={() => richscope.setCurveForm('nystrom')}
            />
            {CURVE_FORM_NAMES.nystrom}
          </label>
        </fieldset>
        <label>
          cap K at ρ_k/ρ_1 ≥
          <select
            value={String(view.kMinRelative)}
            onChange={(e) => richscope.setKMinRelative(Number(e.target.value))}
            aria-label="Cap K at relative eigenvalue"
          >
            {[0, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2].map((v) => (
              <option key={v} value={String(v)}>
                {v === 0 ? 'no cap' : v.toExponential(0)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="spectra">
        {PANELS.map(({ panel, testId, description }) => (
          <Plot
            key={panel}
            testId={testId}
            title={SPECTRUM_TITLES[panel]}
            traces={tracesByPanel[panel]}
            layout={layouts[panel]}
            height={300}
            onXRangeChange={setKRange}
            resetToAutoscale
            description={`${SPECTRUM_TITLES[panel]}: ${description}`}
          />
        ))}
      </div>
      {unlabelled.length > 0 && (
        <p className="hint">No labels, so no cumulative mass Π*(k), for: {unlabelled.join(', ')}.</p>
      )}
      {onEval && (
        <p className="hint" data-testid="curve-form-note">
          Π*(k) and Π̂(k) drawn as {CURVE_FORM_NAMES[view.curveForm]}: {EVAL_SPLIT_NOTES[view.curveForm]}
          {view.curveForm === 'heldOut' ? (
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
