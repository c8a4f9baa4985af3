/**
 * torch.save files as evaluation loops write them, dropped on the dashboard (the parsers are the
 * CLI's, src/io): a list of per-batch dicts and a {'train', 'test'} file each give one checkpoint
 * with the float64 reference D_LR; bad ones get one alert each and nothing loaded is lost.
 * Files: fixtures/io/torch/idiom_*.pt, written by the real torch.save (fixtures/io/generate.py).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { REFERENCE_TOLERANCE, exampleRows, expect, test } from './fixtures';

const IO = path.resolve(import.meta.dirname, '../fixtures/io');

function ioFile(rel: string, bytes?: Buffer): { name: string; mimeType: string; buffer: Buffer } {
  return {
    name: path.basename(rel),
    mimeType: 'application/octet-stream',
    buffer: bytes ?? readFileSync(path.join(IO, rel)),
  };
}

/** expected-dlr.json: D_LR by scripts/reference.py from the decoded arrays, per case name. */
function referenceDlr(name: string): number {
  const cases = JSON.parse(readFileSync(path.join(IO, 'expected-dlr.json'), 'utf8')) as {
    name: string;
    dlr: number;
  }[];
  return cases.find((c) => c.name === name)!.dlr;
}

/** Accuracy of the test split of the nested-splits file, from its decoded arrays (expected.json). */
function testSplitAccuracy(rel: string): number {
  const decoded = JSON.parse(readFileSync(path.join(IO, 'expected.json'), 'utf8')) as Record<
    string,
    Record<string, { shape: number[]; values: number[] }>
  >;
  const logits = decoded[rel]['test.logits'];
  const labels = decoded[rel]['test.labels'].values;
  const c = logits.shape[1];
  let right = 0;
  labels.forEach((label, i) => {
    const row = logits.values.slice(i * c, (i + 1) * c);
    if (row.indexOf(Math.max(...row)) === label) right++;
  });
  return right / labels.length;
}

const rowOf = (page: Page, run: string) => page.locator(`[data-testid="checkpoint-row"][data-run="${run}"]`);

test.beforeEach(async ({ page, table, runsPanel }) => {
  await page.goto('/');
  await table.expectRows(exampleRows());
  await runsPanel.removeAll();
});

test('a list of per-batch dicts and a {train, test} file give their checkpoints with the reference D_LR', async ({
  page,
  table,
  dropZone,
}) => {
  await dropZone.dropFiles([ioFile('torch/idiom_batches.pt'), ioFile('torch/idiom_splits_legacy.pt')]);
  await table.expectRows(2);
  await expect(page.getByRole('alert')).toHaveCount(0);

  const batches = rowOf(page, 'idiom_batches');
  expect(
    Math.abs(Number(await batches.getAttribute('data-dlr')) - referenceDlr('torch idiom batches')),
  ).toBeLessThan(REFERENCE_TOLERANCE);
  await expect(batches.locator('td').nth(3)).toHaveText('13'); // n: the three batches, 5 + 5 + 3 rows

  // one checkpoint: fit = the train split (9 rows), eval = the test split, step = the saved epoch
  const splits = rowOf(page, 'idiom_splits_legacy');
  await expect(splits).toHaveAttribute('data-step', '3');
  expect(
    Math.abs(Number(await splits.getAttribute('data-dlr')) - referenceDlr('torch idiom splits legacy')),
  ).toBeLessThan(REFERENCE_TOLERANCE);
  await expect(splits.locator('td').nth(3)).toHaveText('9');
  const evalAccuracy = testSplitAccuracy('torch/idiom_splits_legacy.pt');
  await expect(splits.locator('td').nth(11)).toHaveText(`${(100 * evalAccuracy).toFixed(1)}%`);
});

test('model weights and a cut file get one alert each, and the loaded checkpoints stay', async ({
  page,
  table,
  dropZone,
  runsPanel,
}) => {
  await dropZone.dropFiles([ioFile('torch/idiom_lists.pt'), ioFile('torch/idiom_numpy.pt')]);
  await table.expectRows(2);
  const before = await table.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dlr')));

  const whole = readFileSync(path.join(IO, 'torch/idiom_batches_legacy.pt'));
  await dropZone.dropFiles([
    ioFile('torch/state_dict.pt'),
    {
      ...ioFile('torch/idiom_batches_legacy.pt', whole.subarray(0, whole.length >> 1)),
      name: 'cut_batches.pt',
    },
  ]);
  // one alert per bad file, and no run left behind for either
  const alerts = page.getByRole('alert');
  await expect(alerts).toHaveCount(2);
  await expect(alerts.filter({ hasText: 'these look like model weights (a state_dict' })).toHaveCount(1);
  await expect(alerts.filter({ hasText: 'cut_batches.pt' })).toHaveCount(1);
  await expect(runsPanel.run('state_dict')).toHaveCount(0);
  await expect(runsPanel.run('cut_batches')).toHaveCount(0);
  await table.expectRows(2);
  const after = await table.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dlr')));
  expect(after.sort()).toEqual(before.sort());
});
