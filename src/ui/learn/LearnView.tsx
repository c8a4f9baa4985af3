/**
 * Teaching mode (route #/learn): train a tiny MLP in a worker and watch D_LR, the accuracies and the
 * three spectra move, live. Needs no files. What it shows lives in the store's learn slice
 * (src/state/learn-actions.ts), so leaving the view and coming back keeps its runs; the training
 * itself is src/state/learn-trainer.ts, which copies checkpoints into the slice a few times a second.
 *
 * Test hooks: `trainer-start`, and `trainer` with `data-checkpoints` (checkpoints of the current run
 * so far), `data-last-dlr` (its latest D_LR), `data-status`, `data-first-five-ms`.
 */
import { useEffect, useMemo } from 'react';
import { startTraining } from '../../bridge/trainer-client';
import { dependsOnWeakDirections } from '../../core/low-rank-measure';
import { chosenPreset, chosenOptions, createLearnTrainer } from '../../state/learn-trainer';
import { richscope, richscopeStore, useRichscope } from '../../state/store';
import { SCENARIO_PRESETS } from '../../train/presets';
import { MethodLink } from '../MethodLink';
import { MethodText } from '../MethodText';
import { LearnPlots } from './LearnPlots';
import { SCENARIOS } from './scenarios';
import { TrainerControls } from './TrainerControls';
import './learn.css';

/** Brings the live plots into view when training starts (the controls sit above them). */
function showPlots(): void {
  // After the render that shows the new run.
  requestAnimationFrame(() =>
    document.getElementById('learn-curves')?.scrollIntoView({ behavior: 'smooth', block: 'start' }),
  );
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export default function LearnView() {
  const learn = useRichscope((s) => s.learn);
  const { scenario, runs, currentId, sentTo, onMainThread } = learn;
  const preset = chosenPreset(learn);
  const options = chosenOptions(learn);
  const trainer = useMemo(
    () => createLearnTrainer({ store: richscopeStore(), startTraining, importRun: richscope.importRun }),
    [],
  );
  // Training stops when the view is left (the worker is terminated); its checkpoints so far stay.
  useEffect(() => () => trainer.leave(), [trainer]);

  const current = runs.find((r) => r.id === currentId) ?? null;
  const running = current?.status === 'running';
  const latest =
    current && current.checkpoints.length > 0 ? current.checkpoints[current.checkpoints.length - 1] : null;
  const firstFive = current && current.elapsedMs.length >= 5 ? current.elapsedMs[4] : null;
  const text = SCENARIOS.find((s) => s.id === scenario) ?? SCENARIOS[0];
  const plottedRuns = useMemo(() => runs.filter((r) => r.checkpoints.length > 0), [runs]);

  return (
    <div
      className="learn"
      data-testid="trainer"
      data-checkpoints={current ? current.checkpoints.length : 0}
      data-last-dlr={latest ? String(latest.metrics.dlr) : ''}
      data-status={current?.status ?? 'idle'}
      data-first-five-ms={firstFive === null ? '' : String(Math.round(firstFive))}
    >
      <section className="panel learn-intro" aria-labelledby="learn-heading">
        <h2 id="learn-heading">Learn: watch a network go rich or lazy</h2>
        <p className="hint">
          A small MLP trains here, in a background thread of your browser. Every few steps the two sides of
          its final linear layer on a train and a test set, the penultimate features φ and the layer&apos;s
          own output h = Wφ + b, go through the same analysis as uploaded files (moments, then D_LR and the
          spectra). D_LR near 0: the features collapsed onto the directions the outputs use (rich); near 1:
          they did not (lazy).
        </p>
        <p className="hint" data-testid="learn-outputs-note">
          Why h and not the prediction: D_LR asks how the features line up with what the last layer reads out
          of them, so it compares that layer&apos;s input and output, as the paper does; h is an affine
          function of φ, so the read-out residual is 0. With “subtract h₀” the network predicts f = α(h − h₀),
          and h₀, the output at initialisation, does not come from the current features, so f is not a
          function of φ alone. Loss and accuracy are the prediction&apos;s (<MethodLink section="inputs" />
          ).
        </p>
        <div className="segmented learn-scenarios" role="tablist" aria-label="Scenario">
          {SCENARIOS.map((s) => (
            <button
              key={s.id}
              type="button"
              role="tab"
              aria-selected={s.id === scenario}
              data-testid={`scenario-${s.id}`}
              onClick={() =>
                richscope.chooseScenario({ scenario: s.id, presetId: SCENARIO_PRESETS[s.id][0].id })
              }
            >
              {s.title.split(':')[0]}
            </button>
          ))}
        </div>
        <h3>{text.title}</h3>
        {text.paragraphs.map((p) => (
          <p key={p.slice(0, 24)}>
            <MethodText text={p} />
          </p>
        ))}
        <p className="learn-paper" data-testid="paper-reference">
          <strong>Reference values from the paper, not measured here:</strong>{' '}
          <MethodText text={text.paperReference} />
        </p>
      </section>

      <section className="panel" aria-labelledby="learn-run-heading">
        <h2 id="learn-run-heading">Run</h2>
        <div className="controls">
          <span>Presets:</span>
          {SCENARIO_PRESETS[scenario].map((p) => (
            <button
              key={p.id}
              type="button"
              data-testid={`preset-${p.id}`}
              aria-pressed={preset?.id === p.id}
              disabled={running}
              onClick={() => richscope.choosePreset(p.id)}
            >
              {p.label}
            </button>
          ))}
        </div>
        <TrainerControls
          options={options}
          disabled={running}
          onChange={(o) => richscope.editTrainerOptions(o)}
        />
        <div className="controls">
          <button
            type="button"
            className="primary"
            data-testid="trainer-start"
            disabled={running}
            onClick={() => {
              trainer.start();
              showPlots();
            }}
          >
            ▶ Train {preset ? `“${preset.label}”` : 'these settings'}
          </button>
          <button
            type="button"
            data-testid="trainer-run-all"
            disabled={running}
            onClick={() => {
              trainer.runAll();
              showPlots();
            }}
          >
            ▶▶ Run all presets of this scenario
          </button>
          <button type="button" data-testid="trainer-stop" disabled={!running} onClick={() => trainer.stop()}>
            ■ Stop
          </button>
          {current && (
            <button
              type="button"
              data-testid="trainer-send"
              disabled={current.checkpoints.length === 0 || running}
              onClick={() => trainer.send(current)}
            >
              Send this run to the dashboard
            </button>
          )}
          {sentTo && (
            <span role="status">
              Sent as “{sentTo}”. <a href="#/">Open the dashboard</a>
            </span>
          )}
        </div>
        {current && (
          <p className="learn-status" role="status" data-testid="trainer-status">
            {current.name} — {current.status}
            {latest && (
              <>
                {' '}
                · step {latest.step} of {current.options.steps} · {current.checkpoints.length} checkpoints ·
                D_LR <strong>{latest.metrics.dlr.toFixed(3)}</strong> (r = {latest.metrics.r}) · D_LR (99%
                output energy) {latest.metrics.dlrEnergy99.toFixed(3)} (r99 = {latest.metrics.r99}) · train{' '}
                {((latest.metrics.accuracy ?? 0) * 100).toFixed(1)}% · test{' '}
                {((latest.metrics.evalAccuracy ?? 0) * 100).toFixed(1)}%
                {firstFive !== null && <> · first five checkpoints in {formatMs(firstFive)}</>}
              </>
            )}
          </p>
        )}
        {latest && dependsOnWeakDirections(latest.metrics) && (
          <p className="warning" role="note">
            D_LR depends on weak output directions: D_LR = {latest.metrics.dlr.toFixed(3)} with all r ={' '}
            {latest.metrics.r} directions, {latest.metrics.dlrEnergy99.toFixed(3)} with the r99 ={' '}
            {latest.metrics.r99} that hold 99% of the output variance (<MethodLink section="outputRank" />
            ).
          </p>
        )}
        {onMainThread && (
          <p className="hint" role="note">
            Web Workers are unavailable here: the network trains on the page itself, one checkpoint at a time
            (the page may stutter).
          </p>
        )}
        {current?.problems.map((p) => (
          <p key={p} className="hint" role="alert">
            {p}
          </p>
        ))}
      </section>

      <LearnPlots runs={plottedRuns} />

      {runs.length > 1 && (
        <section className="panel" aria-labelledby="learn-runs-heading">
          <h2 id="learn-runs-heading">Runs on the plots</h2>
          <ul className="learn-runs">
            {runs.map((r) => {
              const last = r.checkpoints[r.checkpoints.length - 1];
              return (
                <li key={r.id}>
                  <span className="learn-swatch" style={{ background: r.colour }} aria-hidden="true" />{' '}
                  {r.name} ({r.status})
                  {last && (
                    <>
                      {' '}
                      — step {last.step}: D_LR {last.metrics.dlr.toFixed(3)}, D_LR (99% output energy){' '}
                      {last.metrics.dlrEnergy99.toFixed(3)}, test{' '}
                      {((last.metrics.evalAccuracy ?? 0) * 100).toFixed(1)}%
                    </>
                  )}{' '}
                  {r.status !== 'running' && r.checkpoints.length > 0 && (
                    <button type="button" onClick={() => trainer.send(r)}>
                      send to dashboard
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </div>
  );
}
