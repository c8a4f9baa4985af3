/**
 * The Learn view's runs as dashboard records, so its plots reuse the dashboard's trace builders and
 * `Plot` component, plus the traces only the Learn view draws (D_LR, D_LR (99% output energy) and the
 * accuracies against step).
 */
import type { CheckpointMetrics } from '../../core/types';
import { toCheckpointRecord, type RunRecord } from '../../session/records';
import type { LearnRun } from '../../state/learn-actions';
import type { Trace } from '../plots/traces';

/** A dashboard RunRecord holding a Learn run's checkpoints (for `buildTraces`). */
export function toRunRecord(run: LearnRun): RunRecord {
  return {
    id: run.id,
    name: run.name,
    colour: run.colour,
    visible: true,
    seedGroup: '',
    checkpoints: run.checkpoints.map(toCheckpointRecord),
    errors: [],
  };
}

/** One metric of every checkpoint against step, drawn once per run in the run's colour. */
interface StepSeries {
  /** legend name after the run's name, e.g. `rich: D_LR` */
  name: string;
  /** what the hover calls the value */
  hoverLabel: string;
  /** d3 format of the value in the hover */
  hoverFormat: string;
  value: (metrics: CheckpointMetrics) => number;
  mode: 'lines' | 'lines+markers';
  /** line style; the colour is the run's */
  line: NonNullable<Trace['line']>;
  /** marker style when drawn; the colour is the run's */
  marker?: NonNullable<Trace['marker']>;
}

const DLR_SERIES: readonly StepSeries[] = [
  {
    name: 'D_LR',
    hoverLabel: 'D_LR',
    hoverFormat: '.3f',
    value: (m) => m.dlr,
    mode: 'lines+markers',
    line: { width: 2 },
    marker: { size: 5 },
  },
  {
    name: 'D_LR (99% output energy)',
    hoverLabel: 'D_LR (99% output energy)',
    hoverFormat: '.3f',
    value: (m) => m.dlrEnergy99,
    mode: 'lines',
    line: { width: 1.5, dash: 'dash' },
  },
];

const ACCURACY_SERIES: readonly StepSeries[] = [
  {
    name: 'train',
    hoverLabel: 'train accuracy',
    hoverFormat: '.1%',
    value: (m) => m.accuracy ?? NaN,
    mode: 'lines',
    line: { width: 1.5, dash: 'dot' },
  },
  {
    name: 'test',
    hoverLabel: 'test accuracy',
    hoverFormat: '.1%',
    value: (m) => m.evalAccuracy ?? NaN,
    mode: 'lines',
    line: { width: 2 },
  },
];

/** One trace per run and series, in run order, the series of a run grouped in the legend. */
function buildStepTraces(runs: readonly LearnRun[], series: readonly StepSeries[]): Trace[] {
  return runs.flatMap((run) => {
    const steps = run.checkpoints.map((c) => c.step);
    return series.map((s): Trace => ({
      type: 'scatter',
      mode: s.mode,
      name: `${run.name}: ${s.name}`,
      legendgroup: run.id,
      x: steps,
      y: run.checkpoints.map((c) => s.value(c.metrics)),
      line: { color: run.colour, ...s.line },
      ...(s.marker ? { marker: { color: run.colour, ...s.marker } } : {}),
      hovertemplate: `${run.name}<br>step %{x}<br>${s.hoverLabel} = %{y:${s.hoverFormat}}<extra></extra>`,
    }));
  });
}

/** D_LR (solid) and D_LR (99% output energy) (dashed) of every run against step, on [0, 1]. */
export function buildLearnDlrTraces(runs: readonly LearnRun[]): Trace[] {
  return buildStepTraces(runs, DLR_SERIES);
}

/** Line styles from the input side to the penultimate layer (solid), whose line is also the widest. */
const LAYER_DASHES = ['dot', 'dashdot', 'dash', 'longdash'] as const;

/**
 * D_LR of every hidden layer of every run against step (docs/method.md §8): one trace per run and layer in
 * the run's colour, the penultimate layer solid and widest, earlier layers dotted to dashed.
 */
export function buildLearnLayerTraces(runs: readonly LearnRun[]): Trace[] {
  return runs.flatMap((run) => {
    const names = run.checkpoints.at(-1)?.metrics.layers.map((l) => l.name) ?? [];
    return names.map((name, i): Trace => {
      const last = i === names.length - 1;
      const depthFromTop = names.length - 1 - i;
      return {
        type: 'scatter',
        mode: 'lines',
        name: `${run.name}: ${name}`,
        legendgroup: run.id,
        x: run.checkpoints.map((c) => c.step),
        y: run.checkpoints.map((c) => c.metrics.layers.find((l) => l.name === name)?.dlr ?? null),
        line: {
          color: run.colour,
          width: last ? 2.5 : 1.5,
          dash: last ? 'solid' : LAYER_DASHES[(depthFromTop - 1) % LAYER_DASHES.length],
        },
        hovertemplate: `${run.name}, layer ${name}<br>step %{x}<br>D_LR = %{y:.3f}<extra></extra>`,
      };
    });
  });
}

/** Train (dotted) and test (solid) accuracy of every run against step. */
export function buildLearnAccuracyTraces(runs: readonly LearnRun[]): Trace[] {
  return buildStepTraces(runs, ACCURACY_SERIES);
}
