/** Data never leaves the browser: every request goes to the app's own origin. */
import { expect, replaceExamplesWithDigits, test } from './fixtures';
import { traceCount } from './plot-probes';

test('no request leaves 127.0.0.1 while loading, analysing, exporting and training', async ({
  page,
  table,
  runsPanel,
  dropZone,
}) => {
  test.setTimeout(240_000);
  const foreign: string[] = [];
  // the context's requests: the page's, its workers' and any page it opens
  page.context().on('request', (request) => {
    const url = new URL(request.url());
    const local = url.hostname === '127.0.0.1' || url.protocol === 'blob:' || url.protocol === 'data:';
    if (!local) foreign.push(request.url());
  });
  await page.goto('/');
  await replaceExamplesWithDigits({ table, runsPanel, dropZone });
  await table.row('mlp96_rich', 150).click();
  await expect.poll(() => traceCount(page, 'plot-rank-profile')).toBe(2);

  // every export: the data files, both image formats and the results bundle
  for (const name of [
    'CSV',
    'JSON',
    'Download Cumulative mass Π*(k) as PNG',
    'Download Relative eigenvalues ρ_k / ρ_1 as SVG',
    'Results bundle',
  ]) {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name }).click(),
    ]);
    expect(await file.failure(), name).toBeNull();
  }

  // a training run in the Learn view, handed to the dashboard
  await page.goto('/#/learn');
  await expect(page.getByTestId('app-shell')).toBeVisible();
  const trainer = page.getByTestId('trainer');
  await page.getByTestId('trainer-steps').fill('60');
  await page.getByTestId('trainer-start').click();
  await expect(trainer).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('learn-plot-dlr').locator('.scatterlayer .trace').first()).toBeAttached();
  await page.getByTestId('trainer-send').click();
  await page.getByRole('link', { name: 'Open the dashboard' }).click();
  await expect(page.getByRole('textbox', { name: /^Name of run Learn: / })).toBeVisible();

  expect(foreign).toEqual([]);
});
