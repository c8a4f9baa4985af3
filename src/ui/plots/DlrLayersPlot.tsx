/**
 * "D_LR by layer" (docs/method.md §8): the selected checkpoint's D_LR over its layers, the other runs at the
 * same step overlaid in their colours, one hover listing every run at a layer, runs not at that step
 * named; and the 'Layers' field, which chooses the layers both layer plots show and their order.
 * Shown when some checkpoint holds more than the penultimate layer.
 */
import type { Layout } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import { richscope, useRichscope } from '../../state/store';
import { defaultViewSettings, parseLayerList } from '../../state/view-settings';
import { MethodLink } from '../MethodLink';
import { buildDlrLayersTraces, hasLayers, layerRunsElsewhere } from './layer-traces';
import { hoverTraceRun } from './hover-run';
import { Plot } from './Plot';
import { sliderStep, sliderSteps } from './step-slider';
import { usePlottedRuns } from './refresh-while-busy';

const NO_LAYER_TRACES: ReturnType<typeof buildDlrLayersTraces> = { traces: [], categories: [] };

export function DlrLayersPlot() {
  const runs = usePlottedRuns();
  const selectedRun = useRichscope((s) => s.view.selectedRun);
  const selectedStep = useRichscope((s) => s.view.selectedStep);
  const step = useRichscope((s) => s.view.step);
  const aggregateSeeds = useRichscope((s) => s.view.aggregateSeeds);
  const layers = useRichscope((s) => s.view.layers);
  // Only what this plot draws: sorting the table or another spectra mode leaves it alone.
  const view = useMemo(
    () => ({ ...defaultViewSettings, selectedRun, selectedStep, step, aggregateSeeds, layers }),
    [selectedRun, selectedStep, step, aggregateSeeds, layers],
  );
  const hoveredRun = useRichscope((s) => s.hoveredRun);
  // Checkpoints of one layer (most sweeps) show no layer plot: nothing of it is computed for them.
  const layered = useMemo(() => hasLayers(runs), [runs]);
  const { traces, categories } = useMemo(
    () => (layered ? buildDlrLayersTraces(runs, view) : NO_LAYER_TRACES),
    [layered, runs, view],
  );
  // The step the spectra's slider shows across runs: where the runs are drawn without a selection.
  const elsewhere = useMemo(
    () =>
      layered
        ? layerRunsElsewhere(
            runs,
            view,
            sliderStep(sliderSteps(runs, { ...view, spectraMode: 'runs' }), view.step),
          )
        : [],
    [layered, runs, view],
  );
  const layout = useMemo<Partial<Layout>>(
    () => ({
      hovermode: 'x unified',
      xaxis: {
        title: { text: 'layer (input side → penultimate)' },
        type: 'category',
        categoryorder: 'array',
        categoryarray: categories,
        unifiedhovertitle: { text: 'layer %{x}' },
      },
      yaxis: { title: { text: 'D_LR (0 rich, 1 lazy)' }, range: [0, 1.02] },
      margin: { l: 56, r: 16, t: 8, b: 48 },
    }),
    [categories],
  );
  const written = view.layers?.join(', ') ?? '';
  const commit = (text: string) => richscope.orderLayers(parseLayerList(text));
  if (!layered) return null;

  return (
    <section className="panel" aria-labelledby="dlr-layers-heading">
      <div className="panel-header">
        <h2 id="dlr-layers-heading" className="visually-hidden">
          D_LR by layer
        </h2>
        <label>
          Layers{' '}
          <input
            // remounted when the URL (or a reset) changes the order, so it shows what is in force
            key={written}
            type="text"
            data-testid="layer-order"
            defaultValue={written}
            placeholder={categories.join(', ') || 'every layer'}
            aria-describedby="layer-order-hint"
            onBlur={(e) => commit(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit(e.currentTarget.value);
            }}
          />
        </label>
        <span className="hint" id="layer-order-hint">
          names in order, comma-separated; empty: every layer
        </span>
      </div>
      <Plot
        emphasizedRun={hoveredRun}
        testId="plot-dlr-layers"
        title="D_LR by layer (selected checkpoint; other runs at its step)"
        traces={traces}
        layout={layout}
        height={300}
        onHoverTrace={hoverTraceRun}
        description="D_LR of each layer of the selected checkpoint, from the input side to the penultimate layer, with the other runs at the same step"
      />
      {elsewhere.length > 0 && (
        <p className="step-note" data-testid="layer-step-mismatch">
          Not at this step:{' '}
          {elsewhere.map(({ run, step }, i) => (
            <span key={run.id}>
              {i > 0 && ', '}
              <strong>{run.name}</strong> (
              {step === null ? 'no checkpoint there, not drawn' : `drawn at step ${step}`})
            </span>
          ))}
          .
        </p>
      )}
      <p className="hint">
        Every layer is measured against the same outputs (<MethodLink section="layers" />
        ); the penultimate layer&apos;s value is the checkpoint&apos;s D_LR.
      </p>
    </section>
  );
}
