import { describe, expect, it } from 'vitest';
import type { LayerMetrics } from '../../core/types';
import { fakeCheckpoint, fakeRun } from '../testing';
import { defaultViewSettings, type ViewSettings } from '../../state/view-settings';
import {
  buildDlrLayersTraces,
  buildLayerStepsHeatmap,
  chosenLayerSteps,
  hasLayers,
  layerRunsElsewhere,
  layerStepsChoices,
  shownLayers,
} from './layer-traces';

/** Three layers with the given D_LR, the last the penultimate. */
const layers = (a: number | null, b: number, c: number): LayerMetrics[] => [
  { name: 'layer1', p: 8, r: 2, dlr: a, dlrEnergy99: a },
  { name: 'layer2', p: 6, r: 2, dlr: b, dlrEnergy99: b },
  { name: 'features', p: 4, r: 2, dlr: c, dlrEnergy99: c },
];

const rich = fakeRun(
  'rich',
  [
    fakeCheckpoint(0, { layers: layers(0.6, 0.5, 0.4) }),
    fakeCheckpoint(100, { layers: layers(0.3, 0.2, 0.1) }),
  ],
  { colour: '#D55E00', seedGroup: 'g' },
);
const lazy = fakeRun('lazy', [fakeCheckpoint(0, { layers: layers(0.7, 0.6, 0.5) }), fakeCheckpoint(50)], {
  seedGroup: 'g',
});
const view = (patch: Partial<ViewSettings> = {}): ViewSettings => ({ ...defaultViewSettings, ...patch });

describe('shownLayers', () => {
  const all = layers(0.6, 0.5, 0.4);
  it('keeps every layer without an order, else the named ones in that order', () => {
    expect(shownLayers(all, null).map((l) => l.name)).toEqual(['layer1', 'layer2', 'features']);
    expect(shownLayers(all, ['features', 'layer1', 'nope']).map((l) => l.name)).toEqual([
      'features',
      'layer1',
    ]);
  });
});

describe('buildDlrLayersTraces', () => {
  it('draws the selected checkpoint and every run at the same step, one point per layer', () => {
    const { traces, categories } = buildDlrLayersTraces(
      [rich, lazy],
      view({ selectedRun: 'rich', selectedStep: 0 }),
    );
    expect(traces.map((t) => t.name)).toEqual(['rich, step 0', 'lazy, step 0']);
    expect(traces[0].x).toEqual(['layer1', 'layer2', 'features']);
    expect(traces[0].y).toEqual([0.6, 0.5, 0.4]);
    expect(traces[1].y).toEqual([0.7, 0.6, 0.5]);
    expect(traces[0].line?.color).toBe('#D55E00');
    expect(traces[0].line?.width).toBeGreaterThan(traces[1].line!.width!);
    expect(categories).toEqual(['layer1', 'layer2', 'features']);
  });

  it('leaves out runs without a checkpoint at the selected step', () => {
    const { traces } = buildDlrLayersTraces([rich, lazy], view({ selectedRun: 'rich', selectedStep: 100 }));
    expect(traces.map((t) => t.name)).toEqual(['rich, step 100']);
  });

  it('without a selection shows each run at its checkpoint nearest the step, in the chosen layer order', () => {
    const { traces, categories } = buildDlrLayersTraces(
      [rich, lazy],
      view({ layers: ['features', 'layer1'] }),
    );
    expect(traces.map((t) => [t.name, t.y])).toEqual([
      ['rich, step 100', [0.1, 0.3]],
      ['lazy, step 50', [0.25, 0.5]], // fakeMetrics' layers: layer1 (0.5) and features (0.25)
    ]);
    expect(categories).toEqual(['features', 'layer1']);
  });

  it('names each trace by its run, for the emphasis Plot applies on hover', () => {
    const { traces } = buildDlrLayersTraces([rich, lazy], view());
    expect(traces.map((t) => t.meta)).toEqual(['rich', 'lazy']);
  });

  it('tells runs of one colour apart by their dash, as the Runs panel shows them', () => {
    const twin = fakeRun('twin', [fakeCheckpoint(0, { layers: layers(0.6, 0.5, 0.4) })], {
      colour: '#D55E00',
    });
    const { traces } = buildDlrLayersTraces([rich, twin], view({ selectedRun: 'rich', selectedStep: 0 }));
    expect(traces.map((t) => t.line?.dash)).toEqual(['solid', '10px,5px']);
  });

  it('keeps a constant layer as a gap (null), never NaN', () => {
    const dead = fakeRun('dead', [fakeCheckpoint(0, { layers: layers(null, 0.5, 0.4) })]);
    expect(buildDlrLayersTraces([dead], view()).traces[0].y).toEqual([null, 0.5, 0.4]);
  });

  it('aggregates a seed group as mean ± sd over the layers every member has', () => {
    const { traces } = buildDlrLayersTraces(
      [rich, lazy],
      view({ aggregateSeeds: true, selectedRun: 'rich', selectedStep: 0 }),
    );
    const mean = traces.find((t) => t.name?.includes('mean ± sd'))!;
    expect(mean.x).toEqual(['layer1', 'layer2', 'features']);
    (mean.y as number[]).forEach((y, i) => expect(y).toBeCloseTo([0.65, 0.55, 0.45][i], 12));
  });
});

describe('layerRunsElsewhere', () => {
  it('names the runs without a checkpoint at the selected step: not drawn', () => {
    const elsewhere = layerRunsElsewhere([rich, lazy], view({ selectedRun: 'rich', selectedStep: 100 }), 100);
    expect(elsewhere.map(({ run, step }) => [run.id, step])).toEqual([['lazy', null]]);
  });

  it('without a selection, names the runs drawn at another step than the slider’s, with that step', () => {
    const elsewhere = layerRunsElsewhere([rich, lazy], view(), 100);
    expect(elsewhere.map(({ run, step }) => [run.id, step])).toEqual([['lazy', 50]]);
    expect(layerRunsElsewhere([rich, lazy], view({ step: 0 }), 0)).toEqual([]);
  });
});

describe('the layer x step heat map', () => {
  it('offers the runs with layers, seed groups as one choice when aggregated', () => {
    const plain = fakeRun('plain', [fakeCheckpoint(0, { layers: layers(0.1, 0.1, 0.1).slice(2) })]);
    expect(hasLayers([plain])).toBe(false);
    expect(layerStepsChoices([rich, lazy, plain], view()).map((c) => c.id)).toEqual(['rich', 'lazy']);
    expect(layerStepsChoices([rich, lazy], view({ aggregateSeeds: true })).map((c) => c.id)).toEqual([
      'group:g',
    ]);
  });

  it('follows the chosen run, else the selected one, else the first', () => {
    const choices = layerStepsChoices([rich, lazy], view());
    expect(chosenLayerSteps(choices, view())!.id).toBe('rich');
    expect(chosenLayerSteps(choices, view({ selectedRun: 'lazy' }))!.id).toBe('lazy');
    expect(chosenLayerSteps(choices, view({ selectedRun: 'lazy', layerStepsRun: 'rich' }))!.id).toBe('rich');
  });

  it('holds D_LR by layer (rows, layer order) and step (columns), gaps where a layer is missing', () => {
    const [choice] = layerStepsChoices([rich], view());
    const heatmap = buildLayerStepsHeatmap(choice, view()) as {
      x: number[];
      y: string[];
      z: (number | null)[][];
    };
    expect(heatmap.x).toEqual([0, 100]);
    expect(heatmap.y).toEqual(['layer1', 'layer2', 'features']);
    expect(heatmap.z).toEqual([
      [0.6, 0.3],
      [0.5, 0.2],
      [0.4, 0.1],
    ]);
    const mixed = layerStepsChoices([lazy], view())[0];
    const z = (buildLayerStepsHeatmap(mixed, view()) as { z: (number | null)[][] }).z;
    expect(z[1]).toEqual([0.6, null]); // layer2 is missing at step 50
  });

  it('averages a seed group where every member has the value', () => {
    const [group] = layerStepsChoices([rich, lazy], view({ aggregateSeeds: true }));
    const heatmap = buildLayerStepsHeatmap(group, view()) as { x: number[]; z: (number | null)[][] };
    expect(heatmap.x).toEqual([0, 50, 100]);
    expect(heatmap.z[0][0]).toBeCloseTo(0.65, 12);
    expect(heatmap.z[0].slice(1)).toEqual([null, null]);
  });

  it('names its run for the shared highlight, a seed group none', () => {
    const [single] = layerStepsChoices([rich], view());
    const [group] = layerStepsChoices([rich, lazy], view({ aggregateSeeds: true }));
    expect((buildLayerStepsHeatmap(single, view()) as { meta?: unknown }).meta).toBe('rich');
    expect((buildLayerStepsHeatmap(group, view()) as { meta?: unknown }).meta).toBeUndefined();
  });
});
