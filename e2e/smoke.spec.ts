/** CI's first line: the shell loads and the bundled example runs (the trainer's, public/examples) show real curves. */
import { REFERENCE_TOLERANCE, exampleCheckpoints, exampleRows, exampleRuns, expect, test } from './fixtures';

test('app shell loads and the example runs show curves', async ({ page, table, plots }) => {
  const examples = exampleRuns();
  // learn-rich, learn-lazy-alpha, learn-last-layer (steps 20, 100, 600) and learn-grokking (4 steps).
  expect(examples.map((e) => e.run).sort()).toEqual([
    'learn-grokking',
    'learn-last-layer',
    'learn-lazy-alpha',
    'learn-rich',
  ]);
  const start = Date.now();
  await page.goto('/');
  await expect(page.getByTestId('app-shell')).toBeVisible();
  await expect(page.getByTestId('privacy-note')).toContainText('never leaves this browser');
  await table.expectRows(exampleRows());
  // the D_LR the manifest records for each checkpoint, which src/train/examples.test.ts checks
  // against the float64 NumPy reference on the same files
  const checkpoints = exampleCheckpoints();
  expect(checkpoints).toHaveLength(exampleRows());
  for (const { run, step, dlr } of checkpoints) {
    const shown = Number(await table.row(run, step).getAttribute('data-dlr'));
    expect(Math.abs(shown - dlr), `${run} step ${step}`).toBeLessThan(REFERENCE_TOLERANCE);
  }
  // One trace per run in each spectrum.
  for (const id of ['plot-mass', 'plot-utilization', 'plot-eigenvalues'] as const) {
    await expect.poll(() => plots.traceCount(id)).toBe(examples.length);
  }
  // A D_LR line and a test-accuracy line per run.
  await expect.poll(() => plots.traceCount('plot-dlr-steps')).toBe(2 * examples.length);
  await expect
    .poll(async () => (await plots.traceData('plot-mass')).map((t) => t.name).sort())
    .toEqual(examples.map((e) => e.run).sort());
  console.log(`first start: ${exampleRows()} example rows and their curves in ${Date.now() - start} ms`);
  await expect(page.getByRole('alert')).toHaveCount(0);
});
