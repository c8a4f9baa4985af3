/**
 * The main thread never blocks: analysing 12 checkpoints (24 files) runs in the workers, so no long
 * task (> 100 ms) happens on the page while they are parsed, computed and plotted.
 */
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  FIXTURES,
  exampleRows,
  exampleRuns,
  expect,
  longTasksSince,
  observeLongTasks,
  pageNow,
  test,
} from './fixtures';

test('no long task over 100 ms while 12 checkpoints are analysed', async ({
  page,
  table,
  runsPanel,
  dropZone,
  plots,
}) => {
  await observeLongTasks(page);
  await page.goto('/');
  await table.expectRows(exampleRows()); // the bundled examples
  // plotly loaded and drawn before measuring
  await expect(plots.traces('plot-mass')).toHaveCount(exampleRuns().length);
  await runsPanel.removeAll();

  // Two seeds' worth of the digits runs: 4 runs x 3 steps = 12 checkpoints, train + test each.
  // Renamed copies on disk: paths let Chromium attach the files natively, so the measurement sees
  // the app's work and not Playwright's in-page decoding of file buffers.
  const folder = mkdtempSync(path.join(tmpdir(), 'richscope-e2e-'));
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
  await table.expectRows(12);
  await expect(plots.traces('plot-mass')).toHaveCount(4);
  await page.waitForTimeout(500); // let the last renders land inside the measured window
  const { tasks } = await longTasksSince(page, start);
  const longest = Math.max(0, ...tasks.map((t) => t.duration));
  console.log(`long tasks while analysing 12 checkpoints: ${tasks.length}, longest ${longest.toFixed(0)} ms`);
  expect(longest).toBeLessThanOrEqual(100);
});
