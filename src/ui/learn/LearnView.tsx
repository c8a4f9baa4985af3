/**
 * Teaching mode (route #/learn): train a tiny MLP in a worker and watch D_LR, the accuracies and the
 * three spectra move, live. Needs no files. Checkpoints arrive from the worker as fast as it trains;
 * the view re-renders at most every FLUSH_MS (then on an animation frame) so the page stays smooth.
 *
 * Test hooks: `trainer-start`, and `trainer` with `data-checkpoints` (checkpoints of the current run
 * so far), `data-last-dlr` (its latest D_LR), `data-status`, `data-first-five-ms`.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { SCENARIO_PRESETS, richPreset } from '../../train/presets';
import type { Preset, ScenarioId } from '../../train/presets';
import type { TrainerOptions } from '../../train/trainer';
import { richscope } from '../../state/store';
import { nextRunColour } from '../palette';
import type { LearnRun } from './learn-traces';
import { LearnPlots } from './LearnPlots';
import { SCENARIOS } from './scenarios';
import { TrainerControls } from './TrainerControls';
import { startTraining } from '../../bridge/trainer-client';
import type { TrainingHandle } from '../../bridge/trainer-client';
import './learn.css';

/** Most runs kept on the plots (the oldest is dropped). */
const MAX_RUNS = 4;
/** Most checkpoints per run (the checkpoint interval grows to fit). */
const MAX_CHECKPOINTS = 200;
/** Minimum time between two re-renders while training (about 4 Hz). */
const FLUSH_MS = 250;
/** METHOD.md §3.1: warn when D_LR depends on weak output directions. */
const WEAK_DIRECTION_GAP = 0.1;

function describeOptions(o: TrainerOptions): string {
  const parts = [
    o.task.kind === 'modular' ? `mod ${o.task.modulus}` : 'mixture',
    `α=${o.alpha}`,
    o.lastLayerOnly ? 'last layer only' : `${o.depth}×${o.width}`,
    `${o.optimizer} lr=${o.learningRate}`,
  ];
  if (o.weightDecay > 0) parts.push(`wd=${o.weightDecay}`);
  if (o.labelShuffle > 0) parts.push(`${Math.round(o.labelShuffle * 100)}% shuffled`);
  if (o.initScale !== 1) parts.push(`init×${o.initScale}`);
  if (o.seed !== 0) parts.push(`seed ${o.seed}`);
  return `custom: ${parts.join(', ')}`;
}

function snapshot(run: LearnRun): LearnRun {
  return {
    ...run,
    checkpoints: [...run.checkpoints],
    problems: [...run.problems],
    elapsedMs: [...run.elapsedMs],
  };
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * What the view showed when it was last left (route change), restored when it comes back. Training
 * stops on leaving (the worker is terminated); its checkpoints so far stay.
 */
const kept: {
  scenario: ScenarioId;
  preset: Preset | null;
  options: TrainerOptions;
  runs: LearnRun[];
  currentId: string | null;
  sequence: number;
} = {
  scenario: 'lazy-vs-rich',
  preset: richPreset,
  options: richPreset.options,
  runs: [],
  currentId: null,
  sequence: 0,
};

export default function LearnView() {
  const [scenario, setScenario] = useState<ScenarioId>(kept.scenario);
  const [preset, setPreset] = useState<Preset | null>(kept.preset);
  const [options, setOptions] = useState<TrainerOptions>(kept.options);
  const [runs, setRuns] = useState<LearnRun[]>(() =>
    kept.runs.map((r) => (r.status === 'running' ? { ...r, status: 'stopped' } : r)),
  );
  const [currentId, setCurrentId] = useState<string | null>(kept.currentId);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [onMainThread, setOnMainThread] = useState(false);

  const live = useRef<LearnRun | null>(null);
  const handle = useRef<TrainingHandle | null>(null);
  const flushTimer = useRef<number | null>(null);
  const lastFlush = useRef(0);
  const sequence = useRef(kept.sequence);

  useEffect(() => {
    Object.assign(kept, { scenario, preset, options, runs, currentId, sequence: sequence.current });
  }, [scenario, preset, options, runs, currentId]);

  const flush = useCallback(() => {
    flushTimer.current = null;
    lastFlush.current = performance.now();
    const run = live.current;
    if (!run) return;
    const copy = snapshot(run);
    setRuns((previous) => previous.map((r) => (r.id === copy.id ? copy : r)));
  }, []);

  const scheduleFlush = useCallback(() => {
    if (flushTimer.current !== null) return;
    const wait = Math.max(0, FLUSH_MS - (performance.now() - lastFlush.current));
    flushTimer.current = window.setTimeout(() => requestAnimationFrame(flush), wait);
  }, [flush]);

  useEffect(
    () => () => {
      handle.current?.stop();
      if (flushTimer.current !== null) clearTimeout(flushTimer.current);
    },
    [],
  );

  /** Presets still to run after the current one ("run all presets"). */
  const queue = useRef<Preset[]>([]);

  const launch = useCallback(
    function launchRun(requested: TrainerOptions, runPreset: Preset | null): void {
      handle.current?.stop();
      // Each checkpoint keeps two moment matrices (~0.3 MB here): cap their number.
      const runOptions = {
        ...requested,
        checkpointEvery: Math.max(requested.checkpointEvery, Math.ceil(requested.steps / MAX_CHECKPOINTS)),
      };
      const name = runPreset ? runPreset.label : describeOptions(runOptions);
      sequence.current += 1;
      const run: LearnRun = {
        id: `learn-${sequence.current}`,
        name,
        colour: '',
        options: runOptions,
        checkpoints: [],
        status: 'running',
        problems: [],
        elapsedMs: [],
      };
      live.current = run;
      setRuns((previous) => {
        const others = previous.filter((r) => r.name !== name).slice(-(MAX_RUNS - 1));
        // A rerun keeps its colour, so the comparison on the plots stays readable.
        run.colour =
          previous.find((r) => r.name === name)?.colour ?? nextRunColour(others.map((r) => r.colour));
        return [...others, snapshot(run)];
      });
      setCurrentId(run.id);
      setSentTo(null);
      const training = startTraining(runOptions, (event) => {
        if (live.current !== run) return;
        if (event.checkpoint) {
          run.checkpoints.push(event.checkpoint);
          run.elapsedMs.push(event.elapsedMs);
        }
        if (event.problem) run.problems.push(event.problem);
        scheduleFlush();
      });
      handle.current = training;
      setOnMainThread(training.where === 'main thread');
      const finish = (status: LearnRun['status'], problem?: string) => {
        if (live.current !== run) return;
        run.status = status;
        if (problem) run.problems.push(problem);
        handle.current = null;
        flush();
        const next = status === 'done' ? queue.current.shift() : undefined;
        if (!next) {
          queue.current = [];
          return;
        }
        setPreset(next);
        setOptions(next.options);
        launchRun(next.options, next);
      };
      training.done.then(
        (summary) => finish(summary ? 'done' : 'stopped'),
        (error: unknown) => finish('failed', error instanceof Error ? error.message : String(error)),
      );
    },
    [flush, scheduleFlush],
  );

  const start = () => {
    queue.current = [];
    launch(options, preset);
  };
  const runAll = () => {
    const [first, ...rest] = SCENARIO_PRESETS[scenario];
    queue.current = rest;
    setPreset(first);
    setOptions(first.options);
    launch(first.options, first);
  };
  const stop = () => {
    queue.current = [];
    handle.current?.stop();
  };

  const choosePreset = (p: Preset) => {
    setPreset(p);
    setOptions(p.options);
  };
  const chooseScenario = (id: ScenarioId) => {
    setScenario(id);
    choosePreset(SCENARIO_PRESETS[id][0]);
  };
  const sendToDashboard = (run: LearnRun) => {
    const name = `Learn: ${run.name}`;
    richscope.importRun(
      name,
      run.checkpoints.map((c) => ({ step: c.step, fit: c.fit, eval: c.eval, metrics: c.metrics })),
    );
    setSentTo(name);
  };

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
          A small MLP trains here, in a background thread of your browser. Every few steps its penultimate
          features and logits on a train and a test set go through the same analysis as uploaded files
          (moments, then D_LR and the spectra). D_LR near 0: the features collapsed onto the directions the
          outputs use (rich); near 1: they did not (lazy).
        </p>
        <div className="segmented learn-scenarios" role="tablist" aria-label="Scenario">
          {SCENARIOS.map((s) => (
            <button
              key={s.id}
              type="button"
              role="tab"
              aria-selected={s.id === scenario}
              data-testid={`scenario-${s.id}`}
              onClick={() => chooseScenario(s.id)}
            >
              {s.title.split(':')[0]}
            </button>
          ))}
        </div>
        <h3>{text.title}</h3>
        {text.paragraphs.map((p) => (
          <p key={p.slice(0, 24)}>{p}</p>
        ))}
        <p className="learn-paper" data-testid="paper-reference">
          <strong>Reference values from the paper, not measured here:</strong> {text.paperReference}
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
              onClick={() => choosePreset(p)}
            >
              {p.label}
            </button>
          ))}
        </div>
        <TrainerControls
          options={options}
          disabled={running}
          onChange={(o) => {
            setPreset(null);
            setOptions(o);
          }}
        />
        <div className="controls">
          <button
            type="button"
            className="primary"
            data-testid="trainer-start"
            disabled={running}
            onClick={start}
          >
            ▶ Train {preset ? `“${preset.label}”` : 'these settings'}
          </button>
          <button type="button" data-testid="trainer-run-all" disabled={running} onClick={runAll}>
            ▶▶ Run all presets of this scenario
          </button>
          <button type="button" data-testid="trainer-stop" disabled={!running} onClick={stop}>
            ■ Stop
          </button>
          {current && (
            <button
              type="button"
              data-testid="trainer-send"
              disabled={current.checkpoints.length === 0 || running}
              onClick={() => sendToDashboard(current)}
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
                D_LR <strong>{latest.metrics.dlr.toFixed(3)}</strong> (r = {latest.metrics.r}) · dlrEnergy99{' '}
                {latest.metrics.dlrEnergy99.toFixed(3)} (r99 = {latest.metrics.r99}) · train{' '}
                {((latest.metrics.accuracy ?? 0) * 100).toFixed(1)}% · test{' '}
                {((latest.metrics.evalAccuracy ?? 0) * 100).toFixed(1)}%
                {firstFive !== null && <> · first five checkpoints in {formatMs(firstFive)}</>}
              </>
            )}
          </p>
        )}
        {latest && Math.abs(latest.metrics.dlr - latest.metrics.dlrEnergy99) > WEAK_DIRECTION_GAP && (
          <p className="warning" role="note">
            D_LR depends on weak output directions: D_LR = {latest.metrics.dlr.toFixed(3)} with all r ={' '}
            {latest.metrics.r} directions, {latest.metrics.dlrEnergy99.toFixed(3)} with the r99 ={' '}
            {latest.metrics.r99} that hold 99% of the output variance (METHOD.md §3.1).
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
                      — step {last.step}: D_LR {last.metrics.dlr.toFixed(3)}, dlrEnergy99{' '}
                      {last.metrics.dlrEnergy99.toFixed(3)}, test{' '}
                      {((last.metrics.evalAccuracy ?? 0) * 100).toFixed(1)}%
                    </>
                  )}{' '}
                  {r.status !== 'running' && r.checkpoints.length > 0 && (
                    <button type="button" onClick={() => sendToDashboard(r)}>
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
