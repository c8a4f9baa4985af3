/** D_LR by layer in the dashboard (METHOD.md §8): the rich and lazy multi-layer checkpoints of fixtures/layers-mlp. */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import path from 'node:path';
import { exampleRows, expect, test } from './fixtures';

const LAYERS = path.resolve(import.meta.dirname, '../fixtures/layers-mlp');
const expected = JSON.parse(readFileSync(path.join(LAYERS, 'expected.json'), 'utf8')) as Record<
  string,
  { layers: { name: string; dlr: number }[] }
>;

/** Plotly's data of a plot: name, x and y (or z) of each trace. */
function plotData(page: Page, testId: string) {
  return page.getByTestId(testId).evaluate((div) =>
    (
      (div as unknown as { data?: { name?: string; x?: unknown[]; y?: unknown[]; z?: unknown[][] }[] })
        .data ?? []
    ).map((t) => ({
      name: t.name ?? '',
      x: Array.from(t.x ?? []),
      y: Array.from(t.y ?? []),
      z: t.z ?? null,
    })),
  );
}

test.beforeEach(async ({ page, table, runsPanel, dropZone }) => {
  await page.goto('/');
  await table.expectRows(exampleRows());
  await runsPanel.removeAll();
  await dropZone.dropFiles(
    ['layers_rich_step400_train.npz', 'layers_lazy_step400_train.npz'].map((f) => path.join(LAYERS, f)),
  );
  await table.expectRows(2);
});

test('two multi-layer checkpoints: one point per layer, each at the float64 reference', async ({
  page,
  plots,
}) => {
  await expect(plots.traces('plot-dlr-layers')).toHaveCount(2);
  const traces = await plotData(page, 'plot-dlr-layers');
  expect(traces.map((t) => t.name).sort()).toEqual(['layers_lazy, step 400', 'layers_rich, step 400']);
  for (const trace of traces) {
    const run = trace.name.startsWith('layers_rich') ? 'layers_rich' : 'layers_lazy';
    const want = expected[`${run}_step400`].layers;
    expect(trace.x).toEqual(want.map((l) => l.name));
    (trace.y as number[]).forEach((y, i) => expect(Math.abs(y - want[i].dlr)).toBeLessThan(1e-9));
  }
  // the checkpoint's own D_LR is its penultimate layer's
  const richRow = await page
    .locator('[data-testid="checkpoint-row"][data-run="layers_rich"][data-step="400"]')
    .getAttribute('data-dlr');
  expect(Math.abs(Number(richRow) - expected.layers_rich_step400.layers[2].dlr)).toBeLessThan(1e-9);
});

test('the heat map holds every layer at every step; the Layers field chooses and orders', async ({
  page,
  plots,
}) => {
  await expect(page.getByTestId('plot-dlr-layer-steps').locator('.heatmaplayer .hm')).toHaveCount(1);
  const [heatmap] = await plotData(page, 'plot-dlr-layer-steps');
  expect(heatmap.y).toEqual(['layer1', 'layer2', 'layer3']);
  expect(heatmap.x).toEqual([400]);
  await page.getByLabel('Run of the layer by step heat map').selectOption('layers_lazy');
  await expect
    .poll(async () => (await plotData(page, 'plot-dlr-layer-steps'))[0].z?.[0]?.[0])
    .toBeCloseTo(expected.layers_lazy_step400.layers[0].dlr, 9);

  const field = page.getByTestId('layer-order');
  await field.fill('layer3, layer1');
  await field.press('Enter');
  await expect
    .poll(async () => (await plotData(page, 'plot-dlr-layers')).map((t) => t.x))
    .toEqual([
      ['layer3', 'layer1'],
      ['layer3', 'layer1'],
    ]);
  expect(page.url()).toContain('layers=layer3%2Clayer1');
  await expect(plots.traces('plot-dlr-layers')).toHaveCount(2);
});
