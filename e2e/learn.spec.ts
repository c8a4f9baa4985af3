/**
 * The Learn view trains in a worker and its plots follow: a short run of the rich preset must add
 * checkpoints, report a D_LR in [0, 1], draw the curves and spectra, and hand the run to the dashboard.
 */
import { expect, test } from '@playwright/test';

async function attribute(locator: import('@playwright/test').Locator, name: string): Promise<string> {
  return (await locator.getAttribute(name)) ?? '';
}

test('a short training run adds checkpoints, D_LR and live plots', async ({ page }) => {
  await page.goto('/#/learn');
  const trainer = page.getByTestId('trainer');
  await expect(trainer).toHaveAttribute('data-checkpoints', '0');
  await expect(page.getByTestId('paper-reference')).toContainText('paper');

  await page.getByTestId('trainer-steps').fill('300');
  await page.getByTestId('trainer-every').fill('20');
  await page.getByTestId('trainer-start').click();

  await expect.poll(async () => Number(await attribute(trainer, 'data-checkpoints')), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const early = Number(await attribute(trainer, 'data-checkpoints'));
  await expect.poll(async () => Number(await attribute(trainer, 'data-checkpoints')), { timeout: 60_000 }).toBeGreaterThan(early);

  const dlr = Number(await attribute(trainer, 'data-last-dlr'));
  expect(dlr).toBeGreaterThanOrEqual(0);
  expect(dlr).toBeLessThanOrEqual(1);

  // The first five checkpoints arrive within 30 s (the acceptance bound), measured in the worker.
  await expect.poll(async () => await attribute(trainer, 'data-first-five-ms'), { timeout: 30_000 }).not.toBe('');
  expect(Number(await attribute(trainer, 'data-first-five-ms'))).toBeLessThan(30_000);

  // Plotly drew the curves and the three spectra (one D_LR + one dlrEnergy99 trace for the run).
  for (const id of ['learn-plot-dlr', 'learn-plot-accuracy', 'learn-plot-mass', 'learn-plot-utilization', 'learn-plot-eigenvalues']) {
    const plot = page.getByTestId(id);
    await expect(plot).toHaveAttribute('data-traces', /^[1-9]/);
    await expect(plot.locator('.scatterlayer .trace').first()).toBeAttached({ timeout: 20_000 });
  }
  // The D_LR curve grows as checkpoints arrive.
  const points = () => page.getByTestId('learn-plot-dlr').locator('.scatterlayer .trace').first().locator('.points path').count();
  const before = await points();
  await expect.poll(points, { timeout: 60_000 }).toBeGreaterThan(before);

  await expect(trainer).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  expect(Number(await attribute(trainer, 'data-checkpoints'))).toBe(15);

  await page.getByTestId('trainer-send').click();
  await page.getByRole('link', { name: 'Open the dashboard' }).click();
  // Editing the preset's steps made it a custom run; the dashboard lists it like a dropped run.
  await expect(page.getByRole('textbox', { name: /^Name of run Learn: custom: mixture/ })).toBeVisible();
});
