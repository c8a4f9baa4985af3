/** Data never leaves the browser: every request goes to the app's own origin. */
import { expect, replaceExamplesWithDigits, test } from './fixtures';

test('no request leaves 127.0.0.1 while loading, analysing and exporting', async ({
  page,
  table,
  runsPanel,
  dropZone,
}) => {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    const local = url.hostname === '127.0.0.1' || url.protocol === 'blob:' || url.protocol === 'data:';
    if (!local) foreign.push(request.url());
  });
  await page.goto('/');
  await replaceExamplesWithDigits({ table, runsPanel, dropZone });
  await table.row('mlp96_rich', 150).click();
  await expect(page.getByTestId('plot-rank-profile').locator('.scatterlayer .trace')).toHaveCount(2);
  await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Results bundle' }).click(),
  ]);
  await page.goto('/#/learn');
  await expect(page.getByTestId('app-shell')).toBeVisible();
  expect(foreign).toEqual([]);
});
