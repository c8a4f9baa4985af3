/**
 * The main thread never blocks: analysing 12 checkpoints (24 files) runs in the workers. The page
 * reads none of the dropped files itself (the workers parse them), and no main-thread task comes
 * near a visible freeze while they are parsed, computed and plotted.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  FIXTURES,
  FREEZE_MS,
  exampleRows,
  exampleRuns,
  expect,
  longestTaskSince,
  mainThreadFileReads,
  observeLongTasks,
  pageNow,
  recordMainThreadFileReads,
  test,
} from './fixtures';

test('12 checkpoints are analysed in the workers: the page reads no file and never freezes', async ({
  page,
  table,
  runsPanel,
  dropZone,
  plots,
  analysis,
}) => {
  await observeLongTasks(page);
  await recordMainThreadFileReads(page);
  await page.goto('/');
  await table.expectRows(exampleRows()); // the bundled examples
  // plotly loaded and drawn before measuring
  await expect.poll(() => plots.traceCount('plot-mass')).toBe(exampleRuns().length);
  await runsPanel.removeAll();

  // Two seeds' worth of the digits runs: 4 runs x 3 steps = 12 checkpoints, train + test each.
  // Renamed copies on disk: paths let Chromium attach the files natively, so the measurement sees
  // the app's work and not Playwright's in-page decoding of file buffers.
  // in the test's output folder, which Playwright empties before each run
  const folder = test.info().outputPath('seeds');
  mkdirSync(folder, { recursive: true });
  const names = readdirSync(FIXTURES).filter((n) => n.endsWith('.npz'));
  const files = ['seedA', 'seedB'].flatMap((seed) =>
    names.map((n) => {
      const copy = path.join(folder, `${seed}-${n}`);
      copyFileSync(path.join(FIXTURES, n), copy);
      return copy;
    }),
  );
  expect(files).toHaveLength(24);
  const start = await pageNow(page);
  await dropZone.dropFiles(files);
  await expect(analysis.jobs.first()).toBeVisible();
  expect((await analysis.pool()).busy).toBeGreaterThan(0);
  await table.expectRows(12);
  await expect.poll(() => plots.traceCount('plot-mass')).toBe(4);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await mainThreadFileReads(page)).toEqual({ bytes: 0, reads: [] });
  const { longest, elapsed } = await longestTaskSince(page, start);
  console.log(
    `12 checkpoints analysed and drawn in ${(elapsed / 1000).toFixed(1)} s, longest main-thread task ${longest.toFixed(0)} ms`,
  );
  expect(longest).toBeLessThan(FREEZE_MS);
});
