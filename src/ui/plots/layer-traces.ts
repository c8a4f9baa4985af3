/**
 * Traces of D_LR by layer (docs/method.md §8): the selected checkpoint's D_LR over its layers, with the
 * other runs at the same step overlaid in their colours ("D_LR by layer"), and a layer x step heat
 * map of one run or seed group ("which layer went rich, when"). Pure: store data + view in, traces out.
 */
import type { Data } from 'plotly.js-dist-min';
import type { LayerMetrics } from '../../core/types';
import type { CheckpointSummary, RunSummary } from '../../state/run-summaries';
import type { ViewSettings } from '../../state/view-settings';
import { nearestCheckpoint } from '../nearest-checkpoint';
import { SEQUENTIAL_COLORSCALE } from '../step-colours';
import { runStyles } from '../run-style';
import { aggregateCurves, seedGroups } from '../seed-aggregate';
import { bandTraces, escapeHtml, runLine, type Trace } from './traces';

/** The layers of a checkpoint the view shows: every one in layer order, or those `order` names, in its order. */
export function shownLayers(
  layers: readonly LayerMetrics[],
  order: readonly string[] | null,
): LayerMetrics[] {
  if (order === null) return [...layers];
  return order.flatMap((name) => layers.filter((layer) => layer.name === name));
}

/** Whether any checkpoint of the runs holds more than the penultimate layer (the layer plots have something to show). */
export function hasLayers(runs: readonly RunSummary[]): boolean {
  return runs.some((run) => run.checkpoints.some((c) => c.metrics.layers.length > 1));
}

/**
 * The step "D_LR by layer" shows: the selected checkpoint's when one is selected (and its run
 * visible), else null (each run at its checkpoint nearest `view.step`, as the spectra).
 */
function selectedStep(runs: readonly RunSummary[], view: ViewSettings): number | null {
  const run = runs.find((r) => r.id === view.selectedRun && r.visible);
  return run?.checkpoints.some((c) => c.step === view.selectedStep) ? view.selectedStep : null;
}

/** The checkpoint of a run that "D_LR by layer" shows, or undefined when the run has none at the selected step. */
function shownCheckpoint(
  run: RunSummary,
  step: number | null,
  view: ViewSettings,
): CheckpointSummary | undefined {
  return step === null
    ? nearestCheckpoint(run.checkpoints, view.step)
    : run.checkpoints.find((c) => c.step === step);
}

/** Names in first-seen order over several layer lists (the category order of the layer axis). */
function unionOfNames(lists: readonly (readonly LayerMetrics[])[]): string[] {
  const names: string[] = [];
  for (const list of lists) for (const layer of list) if (!names.includes(layer.name)) names.push(layer.name);
  return names;
}

/**
 * The visible runs "D_LR by layer" does not show at its step: with a checkpoint selected, those
 * without a checkpoint at that step (`step` null: not drawn); without, those whose nearest
 * checkpoint to the slider's step is another (`step`: the one drawn). Never mixed silently.
 */
export function layerRunsElsewhere(
  runs: readonly RunSummary[],
  view: ViewSettings,
  sliderStep: number | undefined,
): { run: RunSummary; step: number | null }[] {
  const step = selectedStep(runs, view);
  const target = step ?? sliderStep;
  if (target === undefined) return [];
  return runs
    .filter((run) => run.visible && run.checkpoints.some((c) => c.metrics.layers.length > 1))
    .map((run) => ({ run, step: shownCheckpoint(run, step, view)?.step ?? null }))
    .filter((shown) => shown.step !== target);
}

/**
 * "D_LR by layer": one line over the layers per visible run at the selected checkpoint's step (seed
 * groups as mean ± band when `view.aggregateSeeds`), x = layer names in layer order (the penultimate
 * last), y = D_LR (null, a gap, for a constant layer), in the run's colour and dash. Also the layer
 * axis' categories.
 */
export function buildDlrLayersTraces(
  runs: readonly RunSummary[],
  view: ViewSettings,
): { traces: Trace[]; categories: string[] } {
  const step = selectedStep(runs, view);
  const styles = runStyles(runs);
  const visible = runs.filter((run) => run.visible && run.checkpoints.length > 0);
  const { groups, single } = view.aggregateSeeds
    ? seedGroups(visible)
    : { groups: new Map(), single: visible };
  const traces: Trace[] = [];
  const lists: LayerMetrics[][] = [];
  for (const run of single) {
    const checkpoint = shownCheckpoint(run, step, view);
    if (!checkpoint) continue;
    const layers = shownLayers(checkpoint.metrics.layers, view.layers);
    lists.push(layers);
    const selected = run.id === view.selectedRun && checkpoint.step === view.selectedStep;
    const line = runLine(styles.get(run.id)!, selected ? 3 : 2);
    traces.push({
      type: 'scatter',
      mode: 'lines+markers',
      name: `${run.name}, step ${checkpoint.step}`,
      meta: run.id,
      x: layers.map((l) => l.name),
      y: layers.map((l) => l.dlr),
      customdata: layers.map((l) => [l.p, l.dlrEnergy99 ?? NaN]),
      line,
      marker: { color: run.colour, size: selected ? 10 : 8 },
      hovertemplate:
        `${escapeHtml(run.name)} · step ${checkpoint.step}: D_LR = %{y:.4f}` +
        ' (99% output energy %{customdata[1]:.4f}; p = %{customdata[0]})<extra></extra>',
    });
  }
  for (const [group, members] of groups as Map<string, RunSummary[]>) {
    const checkpoints = members
      .map((run) => shownCheckpoint(run, step, view))
      .filter((c): c is CheckpointSummary => c !== undefined);
    if (checkpoints.length === 0) continue;
    // the layers every member has, in the first member's order
    const names = shownLayers(checkpoints[0].metrics.layers, view.layers)
      .map((l) => l.name)
      .filter((name) =>
        checkpoints.every((c) => c.metrics.layers.some((l) => l.name === name && l.dlr !== null)),
      );
    const curves = checkpoints.map((c) =>
      names.map((name) => c.metrics.layers.find((l) => l.name === name)!.dlr!),
    );
    const aggregate = aggregateCurves(curves);
    lists.push(checkpoints[0].metrics.layers.filter((l) => names.includes(l.name)));
    const colour = members[0].colour;
    const label = `${group} (mean of ${checkpoints.length}), step ${checkpoints[0].step}`;
    const hover = `${escapeHtml(label)}: D_LR = %{y:.4f}<extra></extra>`;
    const [band, mean] = bandTraces(group, colour, names, aggregate, hover);
    traces.push(band, {
      ...mean,
      mode: 'lines+markers',
      name: `${label} (mean ± sd)`,
      marker: { color: colour, size: 8 },
    });
  }
  return { traces, categories: unionOfNames(lists) };
}

/** A run or seed group the heat map can show. */
export interface LayerStepsChoice {
  /** run id, or `group:<name>` for a seed group */
  id: string;
  name: string;
  members: RunSummary[];
}

/** The heat map's choices: visible runs with layers, seed groups as one choice when `view.aggregateSeeds`. */
export function layerStepsChoices(runs: readonly RunSummary[], view: ViewSettings): LayerStepsChoice[] {
  const withLayers = runs.filter(
    (run) => run.visible && run.checkpoints.some((c) => c.metrics.layers.length > 1),
  );
  const { groups, single } = view.aggregateSeeds
    ? seedGroups(withLayers)
    : { groups: new Map<string, RunSummary[]>(), single: withLayers };
  return [
    ...single.map((run) => ({ id: run.id, name: run.name, members: [run] })),
    ...[...groups].map(([group, members]) => ({ id: `group:${group}`, name: `${group} (mean)`, members })),
  ];
}

/** The heat map's run: `view.layerStepsRun`, else the selected run's choice, else the first. */
export function chosenLayerSteps(
  choices: readonly LayerStepsChoice[],
  view: ViewSettings,
): LayerStepsChoice | undefined {
  return (
    choices.find((c) => c.id === view.layerStepsRun) ??
    choices.find((c) => c.members.some((run) => run.id === view.selectedRun)) ??
    choices[0]
  );
}

/**
 * The layer x step heat map of a run (a seed group: the mean over its runs where all have the value):
 * x = steps, y = layers in layer order (the penultimate at the top), colour = D_LR on [0, 1].
 */
export function buildLayerStepsHeatmap(choice: LayerStepsChoice, view: ViewSettings): Data | null {
  const steps = [...new Set(choice.members.flatMap((run) => run.checkpoints.map((c) => c.step)))].sort(
    (a, b) => a - b,
  );
  const layerLists = choice.members.flatMap((run) => run.checkpoints.map((c) => c.metrics.layers));
  const longest = layerLists.reduce<readonly LayerMetrics[]>((a, b) => (b.length > a.length ? b : a), []);
  const names = shownLayers(longest, view.layers).map((l) => l.name);
  if (names.length === 0 || steps.length === 0) return null;
  const value = (name: string, step: number): number | null => {
    const values = choice.members.map(
      (run) =>
        run.checkpoints.find((c) => c.step === step)?.metrics.layers.find((l) => l.name === name)?.dlr ??
        null,
    );
    if (values.some((v) => v === null)) return null;
    return (values as number[]).reduce((s, v) => s + v, 0) / values.length;
  };
  return {
    type: 'heatmap',
    // a single run's map brings that run forward in every plot while hovered
    ...(choice.members.length === 1 ? { meta: choice.members[0].id } : {}),
    x: steps,
    y: names,
    z: names.map((name) => steps.map((step) => value(name, step))),
    zmin: 0,
    zmax: 1,
    colorscale: SEQUENTIAL_COLORSCALE,
    colorbar: { title: { text: 'D_LR (0 rich, 1 lazy)', side: 'right' }, thickness: 12 },
    hoverongaps: false,
    hovertemplate: `${escapeHtml(choice.name)}<br>layer %{y}, step %{x}<br>D_LR = %{z:.4f}<extra></extra>`,
  };
}
