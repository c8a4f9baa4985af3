/**
 * The spectra's header and controls: mode, run, step slider, play, axes, the curves' form, K cap, step
 * colour bar.
 */
import type { RunSummary } from '../../state/run-summaries';
import { richscope, useRichscope } from '../../state/store';
import { useColourScheme } from '../use-colour-scheme';
import { CURVE_FORM_NAMES, stepColourScale } from './traces';

interface SpectraControlsProps {
  runs: readonly RunSummary[];
  /** the run shown across its checkpoints */
  focus: RunSummary | undefined;
  /** the slider's positions */
  steps: readonly number[];
  /** the slider's index in `steps` (-1 without steps) */
  current: number;
  stepLabel: string;
}

export function SpectraControls({ runs, focus, steps, current, stepLabel }: SpectraControlsProps) {
  const spectraMode = useRichscope((s) => s.view.spectraMode);
  const playing = useRichscope((s) => s.playing);
  const logK = useRichscope((s) => s.view.logK);
  const logEigenvalues = useRichscope((s) => s.view.logEigenvalues);
  const kMinRelative = useRichscope((s) => s.view.kMinRelative);
  const curveForm = useRichscope((s) => s.view.curveForm);
  const scheme = useColourScheme();
  const gradient = `linear-gradient(to right, ${stepColourScale(scheme)
    .map(([at, colour]) => `${colour} ${at * 100}%`)
    .join(', ')})`;
  return (
    <>
      <div className="panel-header">
        <h2 id="spectra-heading">Feature spectra</h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Compare</legend>
          <label>
            <input
              type="radio"
              name="spectra-mode"
              checked={spectraMode === 'runs'}
              onChange={() => richscope.showAcrossRuns()}
            />
            across runs
          </label>
          <label>
            <input
              type="radio"
              name="spectra-mode"
              checked={spectraMode === 'checkpoints'}
              onChange={() => richscope.showAcrossCheckpoints(focus?.id ?? null)}
            />
            across checkpoints of
          </label>
          <select
            aria-label="Run shown across its checkpoints"
            value={focus?.id ?? ''}
            disabled={spectraMode !== 'checkpoints'}
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
            aria-valuetext={`step ${stepLabel}`}
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
          <input type="checkbox" checked={logK} onChange={(e) => richscope.setLogK(e.target.checked)} />
          log k
        </label>
        <label>
          <input
            type="checkbox"
            checked={logEigenvalues}
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
              checked={curveForm === 'heldOut'}
              onChange={() => richscope.setCurveForm('heldOut')}
            />
            {CURVE_FORM_NAMES.heldOut}
          </label>
          <label title="sum of the squared Nyström coefficients (docs/method.md §4): the paper's form, which can exceed 1 on a held-out split">
            <input
              type="radio"
              name="curve-form"
              checked={curveForm === 'nystrom'}
              onChange={() => richscope.setCurveForm('nystrom')}
            />
            {CURVE_FORM_NAMES.nystrom}
          </label>
        </fieldset>
        <label>
          cap K at ρ_k/ρ_1 ≥
          <select
            value={String(kMinRelative)}
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
        {spectraMode === 'checkpoints' && focus && (
          <span className="step-scale" data-testid="step-colour-bar">
            colour = step: {focus.checkpoints[0].step}
            <span className="step-scale-bar" style={{ background: gradient }} aria-hidden="true" />
            {focus.checkpoints[focus.checkpoints.length - 1].step}
          </span>
        )}
      </div>
    </>
  );
}
