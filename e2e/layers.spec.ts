/** D_LR by layer in the dashboard (METHOD.md §8): the rich and lazy multi-layer checkpoints of fixtures/layers-mlp. */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import path from 'node:path';
import { seriousViolations } from './axe';
import { exampleRows, expect, test } from './fixtures';
import { expectReflowAt, hoverAt, hoverText, opacities, runsDrawn } from './plot-probes';

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
  await expect.poll(() => plots.traceCount('plot-dlr-layers')).toBe(2);
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
  await expect.poll(() => plots.traceCount('plot-dlr-layers')).toBe(2);
});

test('the layer plots follow the dashboard: reflow, offline mode bar, the Runs panel as legend, one hover, one highlight', async ({
  page,
  runsPanel,
}) => {
  const layerPlots = ['plot-dlr-layers', 'plot-dlr-layer-steps'];
  for (const width of [1440, 1100, 800]) {
    await expectReflowAt(page, width, layerPlots);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  const allowed = ['Zoom', 'Pan', 'Zoom in', 'Zoom out', 'Autoscale', 'Reset axes'];
  for (const id of layerPlots) {
    const plot = page.getByTestId(id);
    await plot.scrollIntoViewIfNeeded();
    await plot.hover();
    const titles = await plot
      .locator('.modebar-btn')
      .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-title') ?? ''));
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(allowed, `${id}: ${title}`).toContain(title);
    const legend = await plot.evaluate(
      (div) => (div as unknown as { _fullLayout: { showlegend: boolean } })._fullLayout.showlegend,
    );
    expect(legend, `${id} draws a legend of its own`).toBe(false);
  }

  // One hover at a layer lists both runs, each with its step.
  await hoverAt(page, 'plot-dlr-layers', 0);
  await expect.poll(() => hoverText(page, 'plot-dlr-layers')).toContain('layer layer1');
  const hover = await hoverText(page, 'plot-dlr-layers');
  expect(hover).toContain('layers_rich · step 400: D_LR = ');
  expect(hover).toContain('layers_lazy · step 400: D_LR = ');
  await page.mouse.move(0, 0);

  // The Runs panel's hover brings a run forward here too; its checkbox hides it here too.
  await runsPanel.run('layers_lazy').hover();
  await expect
    .poll(async () =>
      (await opacities(page, 'plot-dlr-layers')).every(([run, o]) =>
        run === 'layers_lazy' ? o === 1 : o < 0.5,
      ),
    )
    .toBe(true);
  await runsPanel.run('layers_lazy').getByLabel('Show layers_lazy').uncheck();
  await expect.poll(() => runsDrawn(page, 'plot-dlr-layers')).toEqual(['layers_rich']);
  await expect(page.getByLabel('Run of the layer by step heat map').locator('option')).toHaveCount(1);
  expect(await seriousViolations(page)).toEqual([]);
});
