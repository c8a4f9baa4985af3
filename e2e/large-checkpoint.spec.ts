/**
 * A big float32 .npy checkpoint (generated here: 256 features, 150,000 rows per core for 2 to 4
 * cores) has its rows read by every analysis worker at once: the job shows its rows, a rate and the
 * time left; cancelling frees the workers and leaves the loaded runs alone; and the analysis sharded
 * across the workers gives the D_LR of the single-stream reference. The page reports at least two
 * cores, so a one-core runner shards it too (more slowly).
 */
import { availableParallelism } from 'node:os';
import { analyzeCheckpoint } from '../src/analysis/analyze-checkpoint';
import type { Locator, Page } from '@playwright/test';
import { fileByteSource } from '../src/io/node-byte-source';
import {
  FREEZE_MS,
  exampleRows,
  expect,
  longestTaskSince,
  mainThreadFileReads,
  observeLongTasks,
  pageNow,
  recordMainThreadFileReads,
  reportAtLeastTwoCores,
  test,
  syntheticCheckpointFiles,
} from './fixtures';

// 150 MB of features per worker: about two seconds of reading and Gram work whatever the core
// count, so the rate and the time left have time to show and the cancel lands mid-read
const rows = 150_000 * Math.min(4, Math.max(2, availableParallelism()));
const files = syntheticCheckpointFiles('large', { rows, p: 256, c: 10, seed: 5 });

/** The pool is one worker per core (at least two here: reportAtLeastTwoCores). */
async function poolSize(page: Page): Promise<number> {
  return page.evaluate(() => navigator.hardwareConcurrency);
}

const tableState = (rows: Locator) =>
  rows.evaluateAll((list) =>
    list.map(
      (r) =>
        `${(r as HTMLElement).dataset.run}@${(r as HTMLElement).dataset.step}=${(r as HTMLElement).dataset.dlr}`,
    ),
  );

test('a big checkpoint shows rows, rate and time left; cancel frees its workers and keeps the runs', async ({
  page,
  table,
  dropZone,
  analysis,
}) => {
  await reportAtLeastTwoCores(page);
  await page.goto('/');
  await table.expectRows(exampleRows());
  const workers = await poolSize(page);
  expect(workers).toBeGreaterThanOrEqual(2);
  const before = await tableState(table.rows);
  const started: string[] = [];
  page.on('worker', (worker) => started.push(worker.url()));

  await dropZone.dropFiles(files());
  const job = analysis.jobs.first();
  await expect(job).toHaveAttribute('data-workers', String(workers), { timeout: 20_000 });
  await expect(job.getByTestId('job-rows')).toHaveText(/^[\d.]+( k)? \/ [\d.]+( k| M) rows$/);
  await expect(job.getByTestId('job-rate')).toHaveText(/^ · [\d.]+( k| M)? rows\/s$/);
  await expect(job.getByTestId('job-eta')).toHaveText(/^ · (< 1 s|\d+ s|\d+ min( \d+ s)?) left$/);
  expect(await analysis.pool()).toEqual({ alive: workers, busy: workers });

  await analysis.cancel();
  await expect(analysis.jobs).toHaveCount(0);
  // every worker that was reading a range was terminated, none left busy
  await expect.poll(() => analysis.pool()).toEqual({ alive: 0, busy: 0 });
  const startedBeforeCancel = started.length;
  expect(await tableState(table.rows)).toEqual(before);

  // The next drop starts fresh workers and finishes; by then anything the cancelled job still had
  // in flight would have landed: the table holds the rows from before plus the new one only.
  await dropZone.dropFiles(files());
  await expect(analysis.jobs.first()).toHaveAttribute('data-workers', String(workers), { timeout: 20_000 });
  // the page's 'worker' events reach the test after the job shows its workers, later under load
  await expect.poll(() => started.length).toBeGreaterThanOrEqual(startedBeforeCancel + workers);
  await table.expectRows(before.length + 1);
  await expect(analysis.jobs).toHaveCount(0);
  expect((await tableState(table.rows)).filter((row) => !before.includes(row))).toHaveLength(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('the sharded analysis gives the D_LR of the single-stream reference, the page responsive', async ({
  page,
  table,
  dropZone,
  runsPanel,
  analysis,
}) => {
  // the serial stream of the same files in Node, with exact float64 products
  const sources = await Promise.all(files().map((f) => fileByteSource(f)));
  const reference = await analyzeCheckpoint({ fit: sources }, { gramPrecision: 'float64' }).finally(() =>
    Promise.all(sources.map((s) => s.close())),
  );
  expect(reference.metrics.dlr).toBeGreaterThan(0.01);
  expect(reference.metrics.dlr).toBeLessThan(0.99);

  await observeLongTasks(page);
  await recordMainThreadFileReads(page);
  await reportAtLeastTwoCores(page);
  await page.goto('/');
  await table.expectRows(exampleRows());
  const workers = await poolSize(page);
  await runsPanel.removeAll();
  const start = await pageNow(page);
  await dropZone.dropFiles(files());
  await expect(analysis.jobs.first()).toHaveAttribute('data-workers', String(workers), { timeout: 20_000 });
  await table.expectRows(1);
  // the main thread only relays progress: it reads none of the file, and never freezes
  expect((await mainThreadFileReads(page)).bytes).toBe(0);
  const { longest, elapsed } = await longestTaskSince(page, start);
  console.log(
    `sharded analysis: ${(elapsed / 1000).toFixed(1)} s, longest main-thread task ${longest.toFixed(0)} ms`,
  );
  expect(longest).toBeLessThan(FREEZE_MS);
  const dlr = Number(await table.rows.first().getAttribute('data-dlr'));
  // float32 lanes in the browser against float64 products: far inside the 1e-6 the app promises
  expect(Math.abs(dlr - reference.metrics.dlr)).toBeLessThan(1e-6);
  await expect(page.getByRole('alert')).toHaveCount(0);
});
