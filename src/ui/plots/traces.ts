/**
 * Pure trace building for the spectra: store data + view settings in, plotly traces out. Kept apart
 * from the components so the choices (which checkpoint, where K stops, what hover says) are tested
 * without a browser. The arrays of a curve are cached per checkpoint, so an unchanged run hands
 * plotly the same arrays again and Plotly.react skips recomputing it.
 */
import type { Dash, ScatterData } from 'plotly.js-dist-min';
import type { CheckpointSummary, RunSummary } from '../../state/run-summaries';
import type { CurveForm, ViewSettings } from '../../state/view-settings';
import { nearestCheckpoint } from '../nearest-checkpoint';
import { sequentialColour } from '../step-colours';
import { runStyles, type RunStyle } from '../run-style';
import type { ColourScheme } from '../use-colour-scheme';
import { aggregateCurves, seedGroups } from '../seed-aggregate';
import type { AxisTypes } from '../../paint/curves';
import { extentTraces } from './curve-canvas';
import { focusedRun } from './step-slider';

export { focusedRun };

/** A plotly trace; `meta` holds the run id of a run's trace (hover highlights that run everywhere). */
export type Trace = Partial<ScatterData> & { meta?: unknown };

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
  checkpoint: CheckpointSummary,
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

const kAxes: number[][] = [];
/** [1, ..., length], the same array for the same length. */
function kAxis(length: number): number[] {
  return (kAxes[length] ??= Array.from({ length }, (_, i) => i + 1));
}

const curveCache = new WeakMap<CheckpointSummary, Map<string, number[] | null>>();
/** The capped curve of a checkpoint, the same array for the same checkpoint, panel and cap. */
function cappedCurve(
  checkpoint: CheckpointSummary,
  panel: SpectrumPanel,
  { kMinRelative, curveForm }: ViewSettings,
): number[] | null {
  let cached = curveCache.get(checkpoint);
  if (!cached) curveCache.set(checkpoint, (cached = new Map()));
  const key = `${panel}|${kMinRelative}|${curveForm}`;
  if (!cached.has(key)) {
    const curve = spectrumCurve(checkpoint, panel, curveForm);
    cached.set(key, curve && curve.slice(0, cappedK(checkpoint.metrics.relativeEigenvalues, kMinRelative)));
  }
  return cached.get(key)!;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The title of the one hover of a spectrum panel (all runs at that k): which form of the curves is
 * drawn, and what it measures on the test split.
 */
export function spectrumHoverTitle(panel: SpectrumPanel, onEvalSplit: boolean, form: CurveForm): string {
  if (panel === 'eigenvalues') return 'k = %{x}';
  const note = onEvalSplit ? `<br><i>${EVAL_SPLIT_NOTES[form]}</i>` : '';
  return `k = %{x} (${CURVE_FORM_NAMES[form]})${note}`;
}

/** One run's line in a hover that lists every run: its name and step, then the value. */
function hoverLine(panel: SpectrumPanel, name: string, step: number): string {
  return `${escapeHtml(name)} · step ${step}: ${SYMBOLS[panel]} = %{y:.4g}<extra></extra>`;
}

/** Band (filled, no hover) + mean line of an aggregate; two traces. */
export function bandTraces(
  name: string,
  colour: string,
  x: (number | string)[],
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
 *   (seed groups as mean ± band when `view.aggregateSeeds`), in the run's colour and dash.
 * - 'checkpoints' mode: the checkpoints of the focused run up to `view.step`, coloured by their
 *   step on the sequential scale (the part readable on `scheme`'s background); the current one
 *   drawn thick; past MANY_CHECKPOINTS, the earlier ones in colour bands (STEP_BANDS).
 * x is k = 1..K with K capped at `view.kMinRelative`.
 */
export function buildTraces(
  panel: SpectrumPanel,
  runs: readonly RunSummary[],
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
export function groupShownRuns(
  runs: readonly RunSummary[],
  view: ViewSettings,
): { groups: Map<string, RunSummary[]>; single: RunSummary[] } {
  const visible = runs.filter((run) => run.visible && run.checkpoints.length > 0);
  return view.aggregateSeeds ? seedGroups(visible) : { groups: new Map(), single: visible };
}

/** A run's line: its colour and dash. */
export function runLine(style: RunStyle, width: number): NonNullable<Trace['line']> {
  // plotly draws a px list too ('10px,5px'); its types name only the built-in dashes.
  return { color: style.colour, dash: style.dash as Dash, width };
}

function buildRunTraces(panel: SpectrumPanel, runs: readonly RunSummary[], view: ViewSettings): Trace[] {
  const styles = runStyles(runs);
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
      meta: run.id,
      x: kAxis(y.length),
      y,
      line: runLine(styles.get(run.id)!, 2),
      hovertemplate: hoverLine(panel, run.name, checkpoint.step),
    });
  }
  for (const [group, members] of groups) {
    const checkpoints = members.map((run) => nearestCheckpoint(run.checkpoints, view.step)!);
    const curves = checkpoints
      .map((c) => cappedCurve(c, panel, view))
      .filter((c): c is number[] => c !== null);
    if (curves.length === 0) continue;
    const aggregate = aggregateCurves(curves);
    const hover = hoverLine(panel, `${group} (mean of ${curves.length})`, checkpoints[0].step);
    traces.push(...bandTraces(group, members[0].colour, kAxis(aggregate.mean.length), aggregate, hover));
  }
  return traces;
}

/**
 * The curves of every step the panel can show in either mode: each checkpoint of the visible runs
 * and of the run shown across its checkpoints. The axes span them, so they hold still while the
 * slider moves or plays and when the mode changes: a curve's change between steps is read against
 * the same scale. Null with seed groups shown as bands: a band (mean ± sd) may reach past every
 * member's curve, and only the drawn traces span it.
 */
export function allStepsCurves(
  panel: SpectrumPanel,
  runs: readonly RunSummary[],
  view: ViewSettings,
): Trace[] | null {
  return allStepsRuns(runs, view)?.flatMap((run) => runStepsCurves(run, panel, view)) ?? null;
}

/** The runs whose curves allStepsCurves holds; null with seed groups shown as bands. */
function allStepsRuns(runs: readonly RunSummary[], view: ViewSettings): RunSummary[] | null {
  const { groups, single } = groupShownRuns(runs, view);
  if (groups.size > 0 && view.spectraMode === 'runs') return null;
  const focus = focusedRun(runs, view);
  return focus && !single.includes(focus) ? [...single, focus] : single;
}

function runStepsCurves(run: RunSummary, panel: SpectrumPanel, view: ViewSettings): Trace[] {
  const curves: Trace[] = [];
  for (const checkpoint of run.checkpoints) {
    const y = cappedCurve(checkpoint, panel, view);
    if (y) curves.push({ type: 'scatter', mode: 'lines', x: kAxis(y.length), y });
  }
  return curves;
}

const runExtents = new WeakMap<readonly CheckpointSummary[], Map<string, Trace[]>>();

/**
 * What the axes need of allStepsCurves: each run's extent traces (curve-canvas.ts extentTraces, the
 * extremes of its curves on `axes`), kept while the run's checkpoints, the panel, the cap and the axes
 * are unchanged. Hiding or showing one run of a sweep then joins fifty short lists instead of passing
 * over every curve of every checkpoint; the extent of the result is allStepsCurves'.
 */
export function allStepsExtent(
  panel: SpectrumPanel,
  runs: readonly RunSummary[],
  view: ViewSettings,
  axes: AxisTypes,
): Trace[] | null {
  const key = `${panel}|${view.kMinRelative}|${view.curveForm}|${axes.logX}|${axes.logY}|${axes.logY2}`;
  return (
    allStepsRuns(runs, view)?.flatMap((run) => {
      let byKey = runExtents.get(run.checkpoints);
      if (!byKey) runExtents.set(run.checkpoints, (byKey = new Map()));
      let extent = byKey.get(key);
      if (!extent) byKey.set(key, (extent = extentTraces(runStepsCurves(run, panel, view), axes)));
      return extent;
    }) ?? null
  );
}

/** Where a step sits on the step colour scale of its run: 0 at the first checkpoint, 1 at the last. */
function stepPosition(step: number, first: number, last: number): number {
  return last === first ? 1 : (step - first) / (last - first);
}

/** The step colour scale on `scheme`'s background, as plotly colorscale stops. */
export function stepColourScale(scheme: ColourScheme): [number, string][] {
  const [start, end] = STEP_SCALE_RANGE[scheme];
  return Array.from({ length: 9 }, (_, i) => [i / 8, sequentialColour(start + ((end - start) * i) / 8)]);
}

/**
 * A colour bar of the focused run's steps for exported images (on screen the panel shows it in
 * HTML, once for the three plots); null outside 'checkpoints' mode.
 */
export function stepColourBarTrace(
  runs: readonly RunSummary[],
  view: ViewSettings,
  scheme: ColourScheme,
): Trace | null {
  const run = view.spectraMode === 'checkpoints' ? focusedRun(runs, view) : undefined;
  if (!run) return null;
  const first = run.checkpoints[0].step;
  const last = run.checkpoints[run.checkpoints.length - 1].step;
  return {
    type: 'scatter',
    mode: 'markers',
    x: [null],
    y: [null],
    showlegend: false,
    hoverinfo: 'skip',
    marker: {
      color: [first],
      cmin: first,
      cmax: last === first ? first + 1 : last,
      colorscale: stepColourScale(scheme),
      showscale: true,
      colorbar: { title: { text: `step (${run.name})` } },
    },
  } as Trace;
}

/**
 * Past this many checkpoints drawn, "across checkpoints" draws the earlier ones in STEP_BANDS colour
 * bands, one trace each, instead of one trace per checkpoint: hundreds of traces make every redraw
 * slow and the one hover a wall of lines. The current checkpoint keeps its own thick trace, the only
 * one the hover lists; the colour bar says which step a colour is. Up to this many, each checkpoint is
 * its own trace in its own colour, named and hovered.
 */
export const MANY_CHECKPOINTS = 12;

/** The bands of many checkpoints: the step scale in this many even slices, each one colour. */
export const STEP_BANDS = 12;

/** A checkpoint's band among STEP_BANDS, from its position on the step scale (0 first, 1 last). */
export function stepBand(position: number): number {
  return Math.min(STEP_BANDS - 1, Math.max(0, Math.floor(position * STEP_BANDS)));
}

function buildCheckpointTraces(
  panel: SpectrumPanel,
  runs: readonly RunSummary[],
  view: ViewSettings,
  scheme: ColourScheme,
): Trace[] {
  const [scaleStart, scaleEnd] = STEP_SCALE_RANGE[scheme];
  const colourAt = (position: number) => sequentialColour(scaleStart + (scaleEnd - scaleStart) * position);
  const run = focusedRun(runs, view);
  if (!run) return [];
  const current = nearestCheckpoint(run.checkpoints, view.step)!;
  const first = run.checkpoints[0].step;
  const last = run.checkpoints[run.checkpoints.length - 1].step;
  const drawn = run.checkpoints
    .filter((checkpoint) => checkpoint.step <= current.step)
    .map((checkpoint) => ({ checkpoint, y: cappedCurve(checkpoint, panel, view) }))
    .filter((c): c is { checkpoint: CheckpointSummary; y: number[] } => c.y !== null);
  const hover = (step: number) =>
    `${escapeHtml(run.name)} · step ${step}: ${SYMBOLS[panel]} = %{y:.4g}<extra></extra>`;
  const own = ({ checkpoint, y }: { checkpoint: CheckpointSummary; y: number[] }): Trace => {
    const isCurrent = checkpoint === current;
    return {
      type: 'scatter',
      mode: 'lines',
      name: `step ${checkpoint.step}`,
      x: kAxis(y.length),
      y,
      opacity: isCurrent ? 1 : 0.8,
      line: { color: colourAt(stepPosition(checkpoint.step, first, last)), width: isCurrent ? 3 : 1.5 },
      hovertemplate: hover(checkpoint.step),
    };
  };
  if (drawn.length <= MANY_CHECKPOINTS) return drawn.map(own);

  // The earlier checkpoints by band, each band's curves one trace, apart by gaps (null).
  const bands = new Map<number, { steps: number[]; x: (number | null)[]; y: (number | null)[] }>();
  for (const { checkpoint, y } of drawn) {
    if (checkpoint === current) continue;
    const band = stepBand(stepPosition(checkpoint.step, first, last));
    if (!bands.has(band)) bands.set(band, { steps: [], x: [], y: [] });
    const joined = bands.get(band)!;
    joined.steps.push(checkpoint.step);
    joined.x.push(...kAxis(y.length), null);
    joined.y.push(...y, null);
  }
  const traces: Trace[] = [...bands].map(([band, { steps, x, y }]) => ({
    type: 'scatter',
    mode: 'lines',
    name: `steps ${steps[0]}–${steps[steps.length - 1]}`,
    x,
    y,
    opacity: 0.8,
    line: { color: colourAt((band + 0.5) / STEP_BANDS), width: 1.5 },
    hoverinfo: 'skip',
  }));
  const currentCurve = drawn.find((c) => c.checkpoint === current);
  return currentCurve ? [...traces, own(currentCurve)] : traces;
}
