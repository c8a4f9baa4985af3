/**
 * The layer x step heat map of one run (or seed group): D_LR of every layer at every checkpoint, so
 * which layer went rich, and when, reads off one picture (docs/method.md §8).
 */
import type { Layout } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import { richscope, useRichscope } from '../../state/store';
import { defaultViewSettings } from '../../state/view-settings';
import { buildLayerStepsHeatmap, chosenLayerSteps, layerStepsChoices } from './layer-traces';
import { hoverTraceRun } from './hover-run';
import { Plot } from './Plot';
import { usePlottedRuns } from './refresh-while-busy';

export function DlrLayerStepsPlot() {
  const runs = usePlottedRuns();
  const aggregateSeeds = useRichscope((s) => s.view.aggregateSeeds);
  const layerStepsRun = useRichscope((s) => s.view.layerStepsRun);
  const selectedRun = useRichscope((s) => s.view.selectedRun);
  const layers = useRichscope((s) => s.view.layers);
  // Only what the heat map draws: a selected step, the table's order or the spectra leave it alone.
  const view = useMemo(
    () => ({ ...defaultViewSettings, aggregateSeeds, layerStepsRun, selectedRun, layers }),
    [aggregateSeeds, layerStepsRun, selectedRun, layers],
  );
  const choices = useMemo(() => layerStepsChoices(runs, view), [runs, view]);
  const chosen = chosenLayerSteps(choices, view);
  const heatmap = useMemo(() => (chosen ? buildLayerStepsHeatmap(chosen, view) : null), [chosen, view]);
  const layout = useMemo<Partial<Layout>>(
    () => ({
      // one column per checkpoint, however uneven the steps
      xaxis: { title: { text: 'training step' }, type: 'category' },
      yaxis: { title: { text: 'layer' }, type: 'category' },
      margin: { l: 80, r: 16, t: 8, b: 40 },
    }),
    [],
  );
  if (!chosen) return null;

  return (
    <section className="panel" aria-labelledby="dlr-layer-steps-heading">
      <div className="panel-header">
        <h2 id="dlr-layer-steps-heading" className="visually-hidden">
          D_LR by layer and step
        </h2>
        <label>
          run{' '}
          <select
            aria-label="Run of the layer by step heat map"
            value={chosen.id}
            onChange={(e) => richscope.showLayerSteps(e.target.value)}
          >
            {choices.map((choice) => (
              <option key={choice.id} value={choice.id}>
                {choice.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Plot
        testId="plot-dlr-layer-steps"
        title={`D_LR by layer and step: ${chosen.name}`}
        traces={heatmap ? [heatmap] : []}
        layout={layout}
        height={300}
        onHoverTrace={hoverTraceRun}
        description={`D_LR of every layer of ${chosen.name} at every training step, from 0 (rich) to 1 (lazy)`}
      />
    </section>
  );
}
