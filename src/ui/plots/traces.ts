/**
 * Pure trace building for the plots: store data + view settings in, plotly traces out. Kept apart
 * from the components so the choices (which checkpoint, where K stops, what hover says) are tested
 * without a browser.
 */
import type { ScatterData } from 'plotly.js-dist-min';
import type { CheckpointRecord, RunRecord } from '../../session/records';
import type { CurveForm, ViewSettings } from '../../state/view-settings';
import { nearestCheckpoint } from '../nearest-checkpoint';
import { sequentialColour } from '../step-colours';
import type { ColourScheme } from '../use-colour-scheme';
import { aggregateCurves, aggregateOverSteps, seedGroups } from '../seed-aggregate';

export type Trace = Partial<ScatterData>;

export type SpectrumPanel = 'mass' | 'utilization' | 'eigenvalues';

export const SPECTRUM_TITLES: Record<SpectrumPanel, string> = {
  mass: 'Cumulative mass Π*(k)',
  utilization: 'Cumulative utilization Π̂(k)',
  eigenvalues: 'Relative eigenvalues ρ_k / ρ_1',
};

/**
 * The part of viridis the step scale uses on each background: its palest 15% (yellow) vanishes on
 * white, its darkest 35% (purple, dark blue) on the dark theme.
 */
export const STEP_SCALE_RANGE: Record<ColourScheme, [number, number]> = { light: [0, 0.85], dark: [0.35, 1] };

const SYMBOLS: Record<SpectrumPanel, string> = { mass: 'Π*(k)', utilization: 'Π̂(k)', eigenvalues: 'ρ_k/ρ_1' };

/** What each form of the curves is (docs/method.md §4, §4.1): the legend title of the two plots. */
export const CURVE_FORM_NAMES: Record<CurveForm, string> = {
  heldOut: 'held-out projections',
  nystrom: "the paper's Nyström sums",
};

/**
 * What an eval-split trace measures, said in its hover: the held-out curves are fractions of the test
 * split's energy; the paper's sums are not clipped and may exceed 1 there (docs/method.md §4).
 */
export const EVAL_SPLIT_NOTES: Record<CurveForm, string> = {
  heldOut: 'measured on the test split: share of its energy in the span of the top-k features there',
  nystrom: "the paper's Nyström sums on the test split: not clipped, may exceed 1",
};

/**
 * How many leading k to plot: the last k with rho_k / rho_1 >= kMinRelative (the eigenvalues are
 * descending, so this is a count). At least 1 when there is any eigenvalue.
 */
export function cappedK(relativeEigenvalues: readonly number[], kMinRelative: number): number {
  let k = 0;
  while (k < relativeEigenvalues.length && relativeEigenvalues[k] >= kMinRelative) k++;
  return Math.max(k, Math.min(1, relativeEigenvalues.length));
}

/**
 * The curve a panel shows for one checkpoint in the given form; null when it cannot be measured (mass
 * without labels, held-out curves of a session stored before they existed).
 */
export function spectrumCurve(
  checkpoint: CheckpointRecord,
  panel: SpectrumPanel,
  form: CurveForm = 'heldOut',
): number[] | null {
  const m = checkpoint.metrics;
  const nystrom = form === 'nystrom';
  const curve =
    panel === 'mass'
      ? nystrom
        ? m.massNystrom
        : m.mass
      : panel === 'utilization'
        ? nystrom
          ? m.utilizationNystrom
          : m.utilization
        : m.relativeEigenvalues;
  return curve && curve.length > 0 ? curve : null;
}

function kAxis(length: number): number[] {
  return Array.from({ length }, (_, i) => i + 1);
}

function hoverTemplate(
  panel: SpectrumPanel,
  runName: string,
  step: number,
  onEvalSplit: boolean,
  form: CurveForm,
): string {
  const curve = panel !== 'eigenvalues';
  const evalNote = onEvalSplit && curve ? `<br><i>${EVAL_SPLIT_NOTES[form]}</i>` : '';
  const formName = curve ? ` (${CURVE_FORM_NAMES[form]})` : '';
  return `run ${escapeHtml(runName)}, step ${step}<br>k = %{x}<br>${SYMBOLS[panel]}${formName} = %{y:.4g}${evalNote}<extra></extra>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cappedCurve(
  checkpoint: CheckpointRecord,
  panel: SpectrumPanel,
  { kMinRelative, curveForm }: ViewSettings,
): number[] | null {
  const curve = spectrumCurve(checkpoint, panel, curveForm);
  if (!curve) return null;
  return curve.slice(0, cappedK(checkpoint.metrics.relativeEigenvalues, kMinRelative));
}

/** Band (filled, no hover) + mean line of an aggregate; two traces. */
function bandTraces(
  name: string,
  colour: string,
  x: number[],
  aggregate: { mean: number[]; lower: number[]; upper: number[] },
  hover: string,
  yaxis?: string,
): Trace[] {
  const axis = yaxis ? { yaxis } : {};
  return [
    {
      type: 'scatter',
      mode: 'lines',
      x: [...x, ...[...x].reverse()],
      y: [...aggregate.upper, ...[...aggregate.lower].reverse()],
      fill: 'toself',
      fillcolor: withAlpha(colour, 0.2),
      line: { width: 0, color: colour },
      hoverinfo: 'skip',
      showlegend: false,
      legendgroup: name,
      ...axis,
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: `${name} (mean ± sd over seeds)`,
      x,
      y: aggregate.mean,
      line: { color: colour, width: 2.5 },
      legendgroup: name,
      hovertemplate: hover,
      ...axis,
    },
  ];
}

/** '#rrggbb' with an alpha channel as rgba(); other colour strings are returned unchanged. */
export function withAlpha(colour: string, alpha: number): string {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!match) return colour;
  const [r, g, b] = match.slice(1).map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * Traces of one spectrum panel.
 * - 'runs' mode: one trace per visible run, at the run's checkpoint nearest to `view.step`
 *   (seed groups as mean ± band when `view.aggregateSeeds`).
 * - 'checkpoints' mode: the checkpoints of the focused run up to `view.step`, coloured by their
 *   position in training on the sequential scale (the part readable on `scheme`'s background);
 *   the current one drawn thick.
 * x is k = 1..K with K capped at `view.kMinRelative`.
 */
export function buildTraces(
  panel: SpectrumPanel,
  runs: readonly RunRecord[],
  view: ViewSettings,
  scheme: ColourScheme = 'light',
): Trace[] {
  return view.spectraMode === 'checkpoints'
    ? buildCheckpointTraces(panel, runs, view, scheme)
    : buildRunTraces(panel, runs, view);
}

/**
 * The runs a plot shows (visible, with checkpoints): seed groups of two or more runs apart when
 * `view.aggregateSeeds` (drawn as mean ± band), the others `single` (drawn one by one, clickable).
 */
function groupShownRuns(
  runs: readonly RunRecord[],
  view: ViewSettings,
): { groups: Map<string, RunRecord[]>; single: RunRecord[] } {
  const visible = runs.filter((run) => run.visible && run.checkpoints.length > 0);
  return view.aggregateSeeds ? seedGroups(visible) : { groups: new Map(), single: visible };
}

/** The runs whose D_LR points `buildDlrTraces` draws one by one, in order: the ones a click (or a key) can select. */
export function selectableDlrRuns(runs: readonly RunRecord[], view: ViewSettings): RunRecord[] {
  return groupShownRuns(runs, view).single;
}

function buildRunTraces(panel: SpectrumPanel, runs: readonly RunRecord[], view: ViewSettings): Trace[] {
  const { groups, single } = groupShownRuns(runs, view);
  const traces: Trace[] = [];
  for (const run of single) {
    const checkpoint = nearestCheckpoint(run.checkpoints, view.step)!;
    const y = cappedCurve(checkpoint, panel, view);
    if (!y) continue;
    traces.push({
      type: 'scatter',
      mode: 'lines',
      name: run.name,
      x: kAxis(y.length),
      y,
      line: { color: run.colour, width: 2 },
      hovertemplate: hoverTemplate(
        panel,
        run.name,
        checkpoint.step,
        checkpoint.eval !== null,
        view.curveForm,
      ),
    });
  }
  for (const [group, members] of groups) {
    const checkpoints = members.map((run) => nearestCheckpoint(run.checkpoints, view.step)!);
    const curves = checkpoints
      .map((c) => cappedCurve(c, panel, view))
      .filter((c): c is number[] => c !== null);
    if (curves.length === 0) continue;
    const aggregate = aggregateCurves(curves);
    const step = checkpoints[0].step;
    const onEval = checkpoints.some((c) => c.eval !== null);
    const hover = hoverTemplate(panel, `${group} (mean of ${curves.length})`, step, onEval, view.curveForm);
    traces.push(...bandTraces(group, members[0].colour, kAxis(aggregate.mean.length), aggregate, hover));
  }
  return traces;
}

/** The run shown in 'checkpoints' mode: the focused one if it still exists, else the first visible one. */
export function focusedRun(runs: readonly RunRecord[], view: ViewSettings): RunRecord | undefined {
  const withData = runs.filter((run) => run.checkpoints.length > 0);
  return (
    withData.find((run) => run.id === view.focusRun) ?? withData.find((run) => run.visible) ?? withData[0]
  );
}

function buildCheckpointTraces(
  panel: SpectrumPanel,
  runs: readonly RunRecord[],
  view: ViewSettings,
  scheme: ColourScheme,
): Trace[] {
  const [scaleStart, scaleEnd] = STEP_SCALE_RANGE[scheme];
  const run = focusedRun(runs, view);
  if (!run) return [];
  const current = nearestCheckpoint(run.checkpoints, view.step)!;
  const last = run.checkpoints.length - 1;
  const traces: Trace[] = [];
  run.checkpoints.forEach((checkpoint, index) => {
    if (checkpoint.step > current.step) return;
    const y = cappedCurve(checkpoint, panel, view);
    if (!y) return;
    const isCurrent = checkpoint === current;
    traces.push({
      type: 'scatter',
      mode: 'lines',
      name: `step ${checkpoint.step}`,
      x: kAxis(y.length),
      y,
      opacity: isCurrent ? 1 : 0.8,
      line: {
        color: sequentialColour(scaleStart + (scaleEnd - scaleStart) * (last === 0 ? 1 : index / last)),
        width: isCurrent ? 3 : 1.5,
      },
      hovertemplate: hoverTemplate(
        panel,
        run.name,
        checkpoint.step,
        checkpoint.eval !== null,
        view.curveForm,
      ),
    });
  });
  return traces;
}

/**
 * Traces of "D_LR over training": one line per visible run (markers clickable; customdata holds
 * [run id, step]) and, for runs with test labels, test accuracy on the second y axis (dotted).
 * Seed groups become mean ± band when `view.aggregateSeeds`.
 */
export function buildDlrTraces(runs: readonly RunRecord[], view: ViewSettings): Trace[] {
  const { groups, single } = groupShownRuns(runs, view);
  const traces: Trace[] = [];
  for (const run of single) {
    const steps = run.checkpoints.map((c) => c.step);
    const stdErrs = run.checkpoints.map((c) => c.metrics.dlrStdErr ?? null);
    const withErrors = stdErrs.some((se) => se !== null);
    traces.push({
      type: 'scatter',
      mode: 'lines+markers',
      name: run.name,
      legendgroup: run.id,
      x: steps,
      y: run.checkpoints.map((c) => c.metrics.dlr),
      customdata: run.checkpoints.map((c, i) => [run.id, c.step, stdErrs[i] ?? NaN]),
      ...(withErrors
        ? {
            error_y: {
              type: 'data' as const,
              // NaN: no bar where a checkpoint has no standard error
              array: stdErrs.map((se) => se ?? NaN),
              visible: true,
              color: run.colour,
              thickness: 1.5,
              width: 4,
            },
          }
        : {}),
      line: { color: run.colour, width: 2 },
      marker: { color: run.colour, size: 9 },
      hovertemplate: `run ${escapeHtml(run.name)}<br>step %{x}<br>D_LR = %{y:.4f}${
        withErrors ? ' ± %{customdata[2]:.4f} (jackknife s.e.)' : ''
      }<extra>click to select</extra>`,
    });
    const withAccuracy = run.checkpoints.filter((c) => c.eval !== null && c.metrics.evalAccuracy !== null);
    if (withAccuracy.length > 0) {
      traces.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: `${run.name} test accuracy`,
        // One legend entry per run: the plot title says dotted = test accuracy.
        showlegend: false,
        legendgroup: run.id,
        x: withAccuracy.map((c) => c.step),
        y: withAccuracy.map((c) => c.metrics.evalAccuracy!),
        yaxis: 'y2',
        line: { color: run.colour, width: 1.5, dash: 'dot' },
        marker: { color: run.colour, size: 6, symbol: 'diamond' },
        hovertemplate: `run ${escapeHtml(run.name)}<br>step %{x}<br>test accuracy = %{y:.1%}<extra></extra>`,
      });
    }
  }
  for (const [group, members] of groups) {
    const aggregate = aggregateOverSteps(
      members.map((run) => ({
        steps: run.checkpoints.map((c) => c.step),
        values: run.checkpoints.map((c) => c.metrics.dlr),
      })),
    );
    const hover = `${escapeHtml(group)} (mean of ${members.length})<br>step %{x}<br>D_LR = %{y:.4f}<extra></extra>`;
    traces.push(...bandTraces(group, members[0].colour, aggregate.steps, aggregate, hover));
  }
  const selected = runs.find((run) => run.id === view.selectedRun && run.visible);
  const selectedCheckpoint = selected?.checkpoints.find((c) => c.step === view.selectedStep);
  if (selected && selectedCheckpoint) {
    traces.push({
      type: 'scatter',
      mode: 'markers',
      name: 'selected',
      showlegend: false,
      x: [selectedCheckpoint.step],
      y: [selectedCheckpoint.metrics.dlr],
      customdata: [[selected.id, selectedCheckpoint.step]],
      marker: { size: 16, color: 'rgba(0,0,0,0)', line: { color: selected.colour, width: 3 } },
      hoverinfo: 'skip',
    });
  }
  return traces;
}
