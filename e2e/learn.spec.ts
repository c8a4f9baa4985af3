/**
 * The Learn view trains in a worker and its plots follow: a short run of the rich preset must add
 * checkpoints with the D_LR the same trainer gives in Node (src/train is deterministic: same options
 * and kernels, relaxed SIMD on in both (playwright.config.ts), bit-identical results in V8), draw the
 * curves and spectra, and hand the run to the dashboard.
 */
import { expect, test, type Locator } from '@playwright/test';
import { richPreset } from '../src/train/presets';
import { trainingCheckpoints } from '../src/train/run';
import { FREEZE_MS, longestTaskSince, longTasksSince, observeLongTasks, pageNow } from './fixtures';
import { waitForStoredRuns } from './stored-session';

async function attribute(locator: Locator, name: string): Promise<string> {
  return (await locator.getAttribute(name)) ?? '';
}

test('a short training run adds checkpoints, D_LR and live plots', async ({ page }) => {
  // generous: a loaded machine slows the training several-fold, which is not what is tested here
  test.setTimeout(300_000);
  // what the page should show: the rich preset with 300 steps, a checkpoint every 20, run in Node
  const expected = [...trainingCheckpoints({ ...richPreset.options, steps: 300, checkpointEvery: 20 })].map(
    ({ raw, measured }) => ({ step: raw.step, dlr: measured!.metrics.dlr }),
  );
  expect(expected).toHaveLength(15);

  await page.goto('/#/learn');
  const trainer = page.getByTestId('trainer');
  await expect(trainer).toHaveAttribute('data-checkpoints', '0');
  await expect(page.getByTestId('paper-reference')).toContainText('paper');

  await page.getByTestId('trainer-steps').fill('300');
  await page.getByTestId('trainer-every').fill('20');
  await page.getByTestId('trainer-start').click();
  await expect(trainer).toHaveAttribute('data-status', 'running');
  await expect(trainer).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  expect(Number(await attribute(trainer, 'data-checkpoints'))).toBe(15);
  // The time to the first five checkpoints, measured in the worker, is a latency figure (30 s is the
  // Learn view's bound: scripts/learn-acceptance.mjs judges it): reported here, not bounded.
  const firstFive = Number(await attribute(trainer, 'data-first-five-ms'));
  expect(firstFive).toBeGreaterThan(0);
  console.log(`first five checkpoints in ${(firstFive / 1000).toFixed(1)} s`);

  // Plotly drew the curves and the three spectra (one D_LR + one dlrEnergy99 trace for the run).
  for (const id of [
    'learn-plot-dlr',
    'learn-plot-accuracy',
    'learn-plot-dlr-layers',
    'learn-plot-mass',
    'learn-plot-utilization',
    'learn-plot-eigenvalues',
  ]) {
    const plot = page.getByTestId(id);
    await expect(plot.locator('.scatterlayer .trace').first()).toBeAttached({ timeout: 20_000 });
  }
  // D_LR by layer: one line per hidden layer of the default depth-2 network.
  await expect(page.getByTestId('learn-plot-dlr-layers').locator('.scatterlayer .trace')).toHaveCount(2);
  // The D_LR curve has a point per checkpoint (drawn as they arrived; when is up to the machine).
  const points = () =>
    page
      .getByTestId('learn-plot-dlr')
      .locator('.scatterlayer .trace')
      .first()
      .locator('.points path')
      .count();
  await expect.poll(points, { timeout: 30_000 }).toBe(15);
  expect(Number(await attribute(trainer, 'data-last-dlr'))).toBe(expected.at(-1)!.dlr);

  await page.getByTestId('trainer-send').click();
  await page.getByRole('link', { name: 'Open the dashboard' }).click();
  // Editing the preset's steps made it a custom run; the dashboard lists it like a dropped run.
  await expect(page.getByRole('textbox', { name: /^Name of run Learn: custom: mixture/ })).toBeVisible();
  const sent = page.locator('[data-testid="checkpoint-row"][data-run^="Learn: custom: mixture"]');
  await expect(sent).toHaveCount(15);
  const shown = await sent.evaluateAll((rows) =>
    rows.map((r) => ({ step: Number(r.getAttribute('data-step')), dlr: Number(r.getAttribute('data-dlr')) })),
  );
  expect(shown.sort((a, b) => a.step - b.step)).toEqual(expected);

  // Coming back to the Learn view keeps its runs.
  await page.getByRole('link', { name: 'Learn', exact: true }).click();
  await expect(page.getByTestId('trainer')).toHaveAttribute('data-checkpoints', '15');

  // The run sent to the dashboard is in the stored session: a reload keeps it, all 15 checkpoints.
  await waitForStoredRuns(page, (runs) =>
    runs.some((run) => run.name.startsWith('Learn: custom: mixture') && run.checkpoints.length === 15),
  );
  await page.reload();
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect(sent).toHaveCount(15);
});

/*
 * Smoothness: the training runs in a worker and the view redraws at most ~4 Hz (spectra ~1 Hz), so
 * the main thread is mostly idle. Asserted as what does not depend on the machine's load: the
 * trainer is a worker, and no main-thread task comes near a freeze. The share of the run the page
 * spends blocked (time beyond 50 ms in long tasks) is reported: on a shared 2-core machine one
 * plotly redraw (~50 ms unloaded) stretches several-fold under load, which says nothing about the app.
 */
test('the page stays smooth while training: the trainer is a worker, and the page never freezes', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await observeLongTasks(page);
  await page.goto('/#/learn');
  const trainer = page.getByTestId('trainer');
  // A first short run loads plotly (a one-off cost, not part of the live updates).
  await page.getByTestId('trainer-steps').fill('40');
  await page.getByTestId('trainer-start').click();
  await expect(trainer).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('learn-plot-dlr').locator('.scatterlayer .trace').first()).toBeAttached();

  const start = await pageNow(page);
  await page.getByTestId('preset-rich').click();
  await page.getByTestId('trainer-start').click();
  await expect(trainer).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  expect(workers.filter((url) => /trainer\.worker/.test(url)).length).toBeGreaterThanOrEqual(1);
  const { tasks } = await longTasksSince(page, start);
  const { longest, elapsed } = await longestTaskSince(page, start);
  const blocked = tasks.reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0);
  console.log(
    `training 30 checkpoints in ${(elapsed / 1000).toFixed(1)} s: ${tasks.length} long tasks, longest ${longest.toFixed(0)} ms, ` +
      `blocked ${(blocked / 1000).toFixed(2)} s (${((100 * blocked) / elapsed).toFixed(1)}%)`,
  );
  expect(longest).toBeLessThan(FREEZE_MS);
});
