/** CI's first line: the shell loads and the bundled example runs show real curves. */
import { expect, test } from './fixtures';

test('app shell loads and the example runs show curves', async ({ page, table, plots }) => {
  await page.goto('/');
  await expect(page.getByTestId('app-shell')).toBeVisible();
  await expect(page.getByTestId('privacy-note')).toContainText('never leaves this browser');
  // Examples: mlp96_rich and mlp96_lazy at steps 0, 150, 1500.
  await table.expectRows(6);
  for (const id of ['plot-mass', 'plot-utilization', 'plot-eigenvalues'] as const) {
    await expect(plots.traces(id)).toHaveCount(2);
  }
  // Two D_LR lines and two test-accuracy lines.
  await expect(plots.traces('plot-dlr-steps')).toHaveCount(4);
  await expect(page.getByRole('alert')).toHaveCount(0);
});
