/**
 * `richscope serve LOGDIR` (the built CLI and dashboard): the page shows LOGDIR's runs with no
 * upload, and follows LOGDIR while a training job writes into it, with no reload.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, FIXTURES, test } from './fixtures';

const CLI = path.resolve(import.meta.dirname, '../dist-cli/richscope.mjs');

let folder = '';
let logdir = '';
let server: ChildProcess | null = null;
let url = '';

const fixture = (name: string) => path.join(FIXTURES, name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** D_LR of one checkpoint as the CLI computes it (`richscope analyze TRAIN --eval TEST --json`). */
function cliDlr(train: string, evalSplit: string): number {
  const out = execFileSync(process.execPath, [CLI, 'analyze', train, '--eval', evalSplit, '--json'], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { dlr: number }[])[0].dlr;
}

/** Writes a file in place, a piece at a time with pauses, as a slow writer would. */
async function writeSlowly(source: string, target: string, pieces: number, pauseMs: number): Promise<void> {
  const bytes = readFileSync(source);
  const handle = openSync(target, 'w');
  try {
    for (let i = 0; i < pieces; i++) {
      writeSync(
        handle,
        bytes.subarray(
          Math.floor((i * bytes.length) / pieces),
          Math.floor(((i + 1) * bytes.length) / pieces),
        ),
      );
      await sleep(pauseMs);
    }
  } finally {
    closeSync(handle);
  }
}

test.beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'richscope-serve-e2e-'));
  logdir = path.join(folder, 'runs');
  for (const run of ['rich', 'lazy']) {
    mkdirSync(path.join(logdir, run), { recursive: true });
    for (const split of ['train', 'test'])
      copyFileSync(fixture(`mlp96_${run}_step0_${split}.npz`), path.join(logdir, run, `step_0_${split}.npz`));
  }
  server = spawn(process.execPath, [CLI, 'serve', logdir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (found) resolve(found[0]);
    });
    server!.on('exit', (code) => reject(new Error(`richscope serve exited with ${code}: ${out}`)));
  });
});

test.afterAll(() => {
  server?.kill('SIGINT');
  rmSync(folder, { recursive: true, force: true });
});

test("shows LOGDIR's runs, then a checkpoint and a run written while the page is open, without a reload", async ({
  page,
  table,
  runsPanel,
}) => {
  await page.goto(url);
  await table.expectRows(2);
  await expect(table.row('rich', 0)).toHaveCount(1);
  await expect(table.row('lazy', 0)).toHaveCount(1);
  await expect(page.getByTestId('logdir-status')).toHaveText('Following runs/ live: 4 files');
  const rich0 = Number(await table.row('rich', 0).getAttribute('data-dlr'));
  expect(
    Math.abs(
      rich0 -
        cliDlr(path.join(logdir, 'rich', 'step_0_train.npz'), path.join(logdir, 'rich', 'step_0_test.npz')),
    ),
  ).toBeLessThan(1e-9);
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

  // a training job writes step 150: the test split through a temporary name, the train split in place
  const train = path.join(logdir, 'rich', 'step_150_train.npz');
  const testSplit = path.join(logdir, 'rich', 'step_150_test.npz');
  copyFileSync(fixture('mlp96_rich_step150_test.npz'), `${testSplit}.part`);
  renameSync(`${testSplit}.part`, testSplit);
  await writeSlowly(fixture('mlp96_rich_step150_train.npz'), train, 4, 200);
  await expect(table.row('rich', 150)).toHaveCount(1, { timeout: 30_000 });
  const dlr = Number(await table.row('rich', 150).getAttribute('data-dlr'));
  expect(Math.abs(dlr - cliDlr(train, testSplit))).toBeLessThan(1e-9);
  await expect(table.rows).toHaveCount(3);

  // a new run gets its own colour
  mkdirSync(path.join(logdir, 'fresh'));
  copyFileSync(fixture('mlp96_lazy_step1500_train.npz'), path.join(logdir, 'fresh', 'step_1500_train.npz'));
  await expect(table.row('fresh', 1500)).toHaveCount(1, { timeout: 30_000 });
  const colours = await Promise.all(
    ['rich', 'lazy', 'fresh'].map((run) => runsPanel.run(run).getByLabel(`Colour of ${run}`).inputValue()),
  );
  expect(new Set(colours).size).toBe(3);

  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
    true,
  );
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('logdir-status')).toHaveText('Following runs/ live: 7 files');
});
