/**
 * The Learn view's runs as dashboard records, so its plots reuse the dashboard's trace builders and
 * `Plot` component, plus the traces only the Learn view draws (D_LR, dlrEnergy99, accuracies vs step).
 */
import type { MeasuredCheckpoint } from '../../train/measure';
import type { TrainerOptions } from '../../train/trainer';
import type { RunRecord } from '../../state/model';
import type { Trace } from '../plots/traces';

/** A training run of the Learn view (finished, stopped or still running). */
export interface LearnRun {
  id: string;
  name: string;
  colour: string;
  options: TrainerOptions;
  checkpoints: MeasuredCheckpoint[];
  status: 'running' | 'done' | 'stopped' | 'failed';
  /** checkpoints skipped because D_LR was undefined, and failures */
  problems: string[];
  /** ms from start to each checkpoint, parallel to `checkpoints` */
  elapsedMs: number[];
}

/** A dashboard RunRecord holding a Learn run's checkpoints (for `buildTraces`). */
export function toRunRecord(run: LearnRun): RunRecord {
  return {
    id: run.id,
    name: run.name,
    colour: run.colour,
    visible: true,
    seedGroup: '',
    checkpoints: run.checkpoints.map((c) => ({
      step: c.step,
      label: `step ${c.step}`,
      fit: c.fit,
      eval: c.eval,
      metrics: c.metrics,
      notes: [],
    })),
    errors: [],
  };
}

/** D_LR (solid) and dlrEnergy99 (dashed) of every run against step, on [0, 1]. */
export function buildLearnDlrTraces(runs: readonly LearnRun[]): Trace[] {
  const traces: Trace[] = [];
  for (const run of runs) {
    const steps = run.checkpoints.map((c) => c.step);
    traces.push(
      {
        type: 'scatter',
        mode: 'lines+markers',
        name: `${run.name}: D_LR`,
        legendgroup: run.id,
        x: steps,
        y: run.checkpoints.map((c) => c.metrics.dlr),
        line: { color: run.colour, width: 2 },
        marker: { color: run.colour, size: 5 },
        hovertemplate: `${run.name}<br>step %{x}<br>D_LR = %{y:.3f}<extra></extra>`,
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: `${run.name}: dlrEnergy99`,
        legendgroup: run.id,
        x: steps,
        y: run.checkpoints.map((c) => c.metrics.dlrEnergy99),
        line: { color: run.colour, width: 1.5, dash: 'dash' },
        hovertemplate: `${run.name}<br>step %{x}<br>dlrEnergy99 = %{y:.3f}<extra></extra>`,
      },
    );
  }
  return traces;
}

/** Train (dotted) and test (solid) accuracy of every run against step. */
export function buildLearnAccuracyTraces(runs: readonly LearnRun[]): Trace[] {
  const traces: Trace[] = [];
  for (const run of runs) {
    const steps = run.checkpoints.map((c) => c.step);
    traces.push(
      {
        type: 'scatter',
        mode: 'lines',
        name: `${run.name}: train`,
        legendgroup: run.id,
        x: steps,
        y: run.checkpoints.map((c) => c.metrics.accuracy ?? NaN),
        line: { color: run.colour, width: 1.5, dash: 'dot' },
        hovertemplate: `${run.name}<br>step %{x}<br>train accuracy = %{y:.1%}<extra></extra>`,
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: `${run.name}: test`,
        legendgroup: run.id,
        x: steps,
        y: run.checkpoints.map((c) => c.metrics.evalAccuracy ?? NaN),
        line: { color: run.colour, width: 2 },
        hovertemplate: `${run.name}<br>step %{x}<br>test accuracy = %{y:.1%}<extra></extra>`,
      },
    );
  }
  return traces;
}
