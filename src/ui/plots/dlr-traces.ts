/**
 * Traces of "D_LR over training": store data + view settings in, plotly traces out (pure). The
 * arrays of a run are cached per run record, so an unchanged run hands plotly the same arrays.
 */
import type { RunSummary } from '../../state/run-summaries';
import type { ViewSettings } from '../../state/view-settings';
import { runStyles } from '../run-style';
import { aggregateOverSteps } from '../seed-aggregate';
import type { PlotMark } from './plot-marks';
import { smoothCurve } from './smoothing';
import { bandTraces, escapeHtml, groupShownRuns, runLine, type Trace } from './traces';

/** The runs whose D_LR points `buildDlrTraces` draws one by one, in order: the ones a click (or a key) can select. */
export function selectableDlrRuns(runs: readonly RunSummary[], view: ViewSettings): RunSummary[] {
  return groupShownRuns(runs, view).single;
}

interface RunSeries {
  steps: number[];
  dlr: number[];
  /** jackknife standard errors (docs/method.md §7); NaN where a checkpoint has none (no bar) */
  stdErrs: number[];
  /** the hover's ' ± s.e.' per point ('' where there is none) */
  stdErrTexts: string[];
  customdata: [string, number][];
  accuracySteps: number[];
  accuracy: number[];
  smoothed: Map<number, number[]>;
}

const seriesCache = new WeakMap<RunSummary, RunSeries>();

/**
 * Past this many checkpoints drawn, the runs' lines carry no markers: plotly styles every marker as
 * an element of its own, and with a 50 x 20 sweep the markers are most of a redraw. The points stay
 * hoverable and clickable on the lines, and the selected one keeps its ring.
 */
export const DLR_MARKER_POINTS = 300;
/** A run's values against step (the same arrays while the run record is the same). */
function runSeries(run: RunSummary): RunSeries {
  let series = seriesCache.get(run);
  if (!series) {
    const withAccuracy = run.checkpoints.filter((c) => c.hasEval && c.metrics.evalAccuracy !== null);
    series = {
      steps: run.checkpoints.map((c) => c.step),
      dlr: run.checkpoints.map((c) => c.metrics.dlr),
      // sessions stored before the standard errors existed have none
      stdErrs: run.checkpoints.map((c) => c.metrics.dlrStdErr ?? NaN),
      stdErrTexts: run.checkpoints.map((c) =>
        c.metrics.dlrStdErr == null ? '' : ` ± ${c.metrics.dlrStdErr.toFixed(4)} (jackknife s.e.)`,
      ),
      customdata: run.checkpoints.map((c) => [run.id, c.step]),
      accuracySteps: withAccuracy.map((c) => c.step),
      accuracy: withAccuracy.map((c) => c.metrics.evalAccuracy!),
      smoothed: new Map(),
    };
    seriesCache.set(run, series);
  }
  return series;
}

function smoothedDlr(series: RunSeries, weight: number): number[] {
  if (!series.smoothed.has(weight)) series.smoothed.set(weight, smoothCurve(series.dlr, weight));
  return series.smoothed.get(weight)!;
}

/** Whether "D_LR over training" draws test accuracy lines (runs drawn one by one, with a test split). */
export function drawsAccuracy(runs: readonly RunSummary[], view: ViewSettings): boolean {
  return selectableDlrRuns(runs, view).some((run) => runSeries(run).accuracy.length > 0);
}

/**
 * One line per visible run (markers clickable; customdata holds [run id, step]) in the run's
 * colour and dash and, for runs with test labels, test accuracy on the second y axis (dotted). Seed
 * groups become mean ± band when `view.aggregateSeeds`. With `view.smoothing` > 0 the raw points
 * stay (faint, hoverable, clickable) under a smoothed line. The selected checkpoint is marked by
 * `selectionRing`, in the layout.
 */
export function buildDlrTraces(runs: readonly RunSummary[], view: ViewSettings): Trace[] {
  const styles = runStyles(runs);
  const { groups, single } = groupShownRuns(runs, view);
  const smoothing = view.smoothing;
  const drawnPoints = single.reduce((sum, run) => sum + run.checkpoints.length, 0);
  const mode = drawnPoints <= DLR_MARKER_POINTS ? ('lines+markers' as const) : ('lines' as const);
  const traces: Trace[] = [];
  for (const run of single) {
    const series = runSeries(run);
    const style = styles.get(run.id)!;
    const line = runLine(style, 2);
    const name = escapeHtml(run.name);
    const withErrors = series.stdErrs.some((se) => !Number.isNaN(se));
    traces.push({
      type: 'scatter',
      mode,
      name: run.name,
      meta: run.id,
      legendgroup: run.id,
      x: series.steps,
      y: series.dlr,
      customdata: series.customdata,
      ...(withErrors
        ? {
            error_y: {
              type: 'data' as const,
              array: series.stdErrs,
              visible: true,
              color: style.colour,
              thickness: 1.5,
              width: 4,
            },
            text: series.stdErrTexts,
          }
        : {}),
      ...(smoothing > 0 ? { line: { ...line, width: 1 }, opacity: 0.35 } : { line }),
      marker: { color: style.colour, size: 8 },
      hovertemplate: `${name} · D_LR = %{y:.4f}${withErrors ? '%{text}' : ''}<extra></extra>`,
    });
    if (smoothing > 0) {
      traces.push({
        type: 'scatter',
        mode: 'lines',
        name: `${run.name} (smoothed)`,
        meta: run.id,
        legendgroup: run.id,
        x: series.steps,
        y: smoothedDlr(series, smoothing),
        line,
        hoverinfo: 'skip',
      });
    }
    if (series.accuracy.length > 0) {
      traces.push({
        type: 'scatter',
        mode,
        name: `${run.name} test accuracy`,
        meta: run.id,
        legendgroup: run.id,
        x: series.accuracySteps,
        y: series.accuracy,
        yaxis: 'y2',
        line: { color: style.colour, width: 1.5, dash: 'dot' },
        marker: { color: style.colour, size: 6, symbol: 'diamond' },
        hovertemplate: `${name} · test accuracy = %{y:.1%}<extra></extra>`,
      });
    }
  }
  for (const [group, members] of groups) {
    const aggregate = aggregateOverSteps(
      members.map((run) => ({ steps: runSeries(run).steps, values: runSeries(run).dlr })),
    );
    const hover = `${escapeHtml(group)} (mean of ${members.length}) · D_LR = %{y:.4f}<extra></extra>`;
    traces.push(...bandTraces(group, members[0].colour, aggregate.steps, aggregate, hover));
  }
  return traces;
}

/**
 * The ring around the selected checkpoint's D_LR point (its run visible), in the run's colour; null
 * without one, or at step 0 on a log step axis. A mark over the plot (plot-marks.ts), not part of the
 * figure: selecting another checkpoint moves the ring without plotly redrawing every run's line.
 */
export function selectionRing(
  runs: readonly RunSummary[],
  view: Pick<ViewSettings, 'selectedRun' | 'selectedStep'>,
  logSteps: boolean,
): PlotMark | null {
  const selected = runs.find((run) => run.id === view.selectedRun && run.visible);
  const checkpoint = selected?.checkpoints.find((c) => c.step === view.selectedStep);
  if (!selected || !checkpoint || (logSteps && checkpoint.step <= 0)) return null;
  return { kind: 'ring', x: checkpoint.step, y: checkpoint.metrics.dlr, colour: selected.colour };
}
