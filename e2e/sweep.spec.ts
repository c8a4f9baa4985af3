/**
 * A hyper-parameter sweep dropped as one folder: 30 runs of 10 checkpoints, train and test
 * (scripts/make-sweep.mjs, small rows so the test stays short), become 300 rows whose D_LR is the
 * CLI's on the same tree, run by run and step by step.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { exampleRows, expect, REFERENCE_TOLERANCE, test } from './fixtures';

const RUNS = 30;
const STEPS = 10;
const root = path.resolve(import.meta.dirname, '..');
let folder = '';
let sweep = '';

test.beforeAll(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'richscope-sweep-'));
  sweep = path.join(folder, 'SWEEP');
  const shape = ['--runs', RUNS, '--steps', STEPS, '--rows', 240, '--p', 24, '--classes', 6].map(String);
  execFileSync('node', [path.join(root, 'scripts/make-sweep.mjs'), sweep, ...shape], { cwd: root });
});
test.afterAll(() => rmSync(folder, { recursive: true, force: true }));

test('a 30 x 10 sweep dropped as a folder gives every checkpoint the D_LR the CLI gives', async ({
  page,
  table,
  dropZone,
  runsPanel,
}) => {
  test.setTimeout(240_000);
  const cli = JSON.parse(
    execFileSync('node', [path.join(root, 'dist-cli/richscope.mjs'), sweep, '--json'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    }),
  ) as { run: string; step: number; dlr: number }[];
  expect(cli).toHaveLength(RUNS * STEPS);

  await page.goto('/');
  await table.expectRows(exampleRows());
  await runsPanel.removeAll();
  await dropZone.folderInput.setInputFiles(sweep);
  await table.expectRows(RUNS * STEPS, 200_000);
  // the table renders only the rows near its viewport: fewer than all of them are in the DOM
  expect(await table.rows.count()).toBeLessThan(RUNS * STEPS);
  const shown = await table.allRows();
  const byKey = new Map(shown.map((row) => [`${row.run}@${row.step}`, row.dlr]));
  expect(byKey.size).toBe(RUNS * STEPS);
  for (const record of cli) {
    const dlr = byKey.get(`${record.run}@${record.step}`);
    expect(dlr, `${record.run} step ${record.step}`).toBeDefined();
    expect(Math.abs(dlr! - record.dlr), `${record.run} step ${record.step}`).toBeLessThan(
      REFERENCE_TOLERANCE,
    );
  }
  await expect(page.getByRole('alert')).toHaveCount(0);

  // The arrow keys walk the rows past the table's viewport (about 13 rows): the row reached is
  // selected, focused, and scrolled into view below the sticky header.
  await page.locator('.table-scroll').evaluate((el) => (el.scrollTop = 0));
  await page.locator('[data-testid="checkpoint-row"][aria-rowindex="2"]').focus();
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowDown');
  const reached = table.selectedRows;
  await expect(reached).toHaveAttribute('aria-rowindex', '22');
  await expect(reached).toBeFocused();
  const placement = await reached.evaluate((row) => {
    const scroller = row.closest('.table-scroll')!.getBoundingClientRect();
    const header = row.closest('table')!.querySelector('thead')!.getBoundingClientRect();
    const box = row.getBoundingClientRect();
    return { top: box.top - header.bottom, bottom: scroller.bottom - box.bottom };
  });
  expect(placement.top).toBeGreaterThanOrEqual(-1);
  expect(placement.bottom).toBeGreaterThanOrEqual(-1);
  // End reaches the last row, however far below the rendered ones; Home the first
  await page.keyboard.press('End');
  await expect(reached).toHaveAttribute('aria-rowindex', String(RUNS * STEPS + 1));
  await expect(reached).toBeFocused();
  await page.keyboard.press('Home');
  await expect(reached).toHaveAttribute('aria-rowindex', '2');
  await expect(reached).toBeFocused();
});
