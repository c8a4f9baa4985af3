/** The dashboard with the real digits-MLP activations: numbers, plots, slider, modes, errors, session. */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import {
  FIXTURES,
  REFERENCE_TOLERANCE,
  digitsFiles,
  expect,
  expectedDigits,
  fixtureFile,
  referenceMismatches,
  replaceExamplesWithDigits,
  syntheticCheckpointFiles,
  test,
} from './fixtures';
import { decodePng, pixelsOfColour } from './png';
import { pagePixel, traceCount } from './plot-probes';
import { waitForStoredRuns } from './stored-session';

test.beforeEach(async ({ page, table, runsPanel, dropZone }) => {
  await page.goto('/');
  // The bundled examples are trainer runs: replace them with the digits runs of the reference values.
  await replaceExamplesWithDigits({ table, runsPanel, dropZone });
});

test('dropped runs show the float64 reference D_LR', async ({ table }) => {
  const expected = expectedDigits();
  for (const run of ['mlp96_rich', 'mlp96_lazy']) {
    for (const step of [0, 150, 1500]) {
      const dlr = Number(await table.row(run, step).getAttribute('data-dlr'));
      expect(Math.abs(dlr - expected[`${run}_step${step}`].dlr)).toBeLessThan(REFERENCE_TOLERANCE);
    }
  }
});

test('one trace per run in each spectrum; the step slider picks each run’s checkpoint', async ({
  page,
  plots,
}) => {
  const expected = expectedDigits();
  for (const id of ['plot-mass', 'plot-utilization', 'plot-eigenvalues'] as const) {
    await expect.poll(() => plots.traceCount(id)).toBe(2);
  }
  await expect(plots.stepValue).toHaveText('1500');
  await plots.stepSlider.focus();
  await page.keyboard.press('Home');
  await expect(plots.stepValue).toHaveText('0');
  await page.keyboard.press('ArrowRight');
  await expect(plots.stepValue).toHaveText('150');
  // By default the held-out curves (nested projections), within [0, 1]: compare with the reference at step 150.
  const heldOut = expectedDigits()['mlp96_rich_step150'];
  const richMass = async () =>
    (await plots.traceData('plot-mass')).find((t) => t.name === 'mlp96_rich')?.y ?? [];
  // Plots redraw a task after the slider moves: wait for the step-150 curve.
  await expect.poll(async () => (await richMass())[0]).toBeCloseTo(heldOut.mass[0], 6);
  const rich = { y: await richMass() };
  // K is capped at rho_k / rho_1 >= 1e-6 (the default): here the last direction (7.8e-8) is cut.
  expect(rich.y).toHaveLength(heldOut.rho.filter((rho) => rho / heldOut.rho[0] >= 1e-6).length);
  expect(rich.y.length).toBe(95);
  rich.y.forEach((value, i) => expect(Math.abs(value - heldOut.mass[i])).toBeLessThan(REFERENCE_TOLERANCE));
  for (const id of ['plot-mass', 'plot-utilization'] as const) {
    for (const trace of await plots.traceData(id)) {
      expect(Math.min(...trace.y)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...trace.y)).toBeLessThanOrEqual(1);
    }
    expect(await plots.yRange(id)).toEqual([0, 1]);
    expect(await plots.yAxisTitle(id)).toContain('held-out projections');
  }
  expect(page.url()).toContain('step=150');

  // The paper's Nyström sums, as a view option: the measured sums, not clipped (above 1 on the test split).
  const reference = expected['mlp96_rich_step150'];
  await page.getByLabel("the paper's Nyström sums").check();
  await expect.poll(async () => Math.max(...(await richMass()))).toBeGreaterThan(1);
  (await richMass()).forEach((value, i) =>
    expect(Math.abs(value - reference.mass_nystrom[i])).toBeLessThan(REFERENCE_TOLERANCE),
  );
  expect(await plots.yAxisTitle('plot-mass')).toContain("the paper's Nyström sums");
  expect(page.url()).toContain('curves=nystrom');
});

test('D_LR carries its jackknife standard error: table, error bars, and a comparison of two checkpoints', async ({
  page,
  plots,
  table,
}) => {
  const expected = expectedDigits();
  for (const run of ['mlp96_rich', 'mlp96_lazy']) {
    for (const step of [0, 150, 1500]) {
      const se = Number(await table.row(run, step).getAttribute('data-dlr-se'));
      expect(Math.abs(se - expected[`${run}_step${step}`].dlr_std_err)).toBeLessThan(1e-8);
    }
  }
  const rich = expected['mlp96_rich_step1500'];
  await expect(table.row('mlp96_rich', 1500)).toContainText(
    `${rich.dlr.toFixed(3)} ± ${rich.dlr_std_err.toFixed(3)}`,
  );
  const bars = await plots.errorBars('plot-dlr-steps');
  const richBars = bars.find((t) => t.name === 'mlp96_rich')!.array!;
  expect(richBars).toHaveLength(3);
  expect(Math.abs(richBars[2] - rich.dlr_std_err)).toBeLessThan(1e-8);
  await expect(page.getByTestId('dlr-error-legend')).toContainText('jackknife standard error');

  await page.getByLabel('compare mlp96_rich step 1500').check();
  await page.getByLabel('compare mlp96_lazy step 1500').check();
  const lazy = expected['mlp96_lazy_step1500'];
  const difference = rich.dlr - lazy.dlr;
  const stdErrs = Math.abs(difference) / Math.hypot(rich.dlr_std_err, lazy.dlr_std_err);
  const comparison = page.getByTestId('dlr-comparison');
  await expect(comparison).toContainText('mlp96_rich step 1500 vs mlp96_lazy step 1500: ΔD_LR = −0.0');
  await expect(comparison).toContainText(`(${stdErrs.toFixed(1)} s.e.)`);
  await expect(comparison).toContainText(stdErrs > 2 ? 'more than 2 combined' : 'within 2 combined');
  await expect(comparison.getByRole('link', { name: 'docs/method.md §7' })).toHaveAttribute(
    'href',
    /method\.html#section-7$/,
  );
});

test('play animates through the steps and stops at the last', async ({ plots }) => {
  await plots.playButton.click();
  await expect(plots.stepValue).toHaveText('0');
  await expect(plots.stepValue).toHaveText('150', { timeout: 5_000 });
  await expect(plots.stepValue).toHaveText('1500', { timeout: 5_000 });
  await expect(plots.playButton).toHaveText(/Play/);
});

test('single-run mode shows the checkpoints of one run coloured by step', async ({ page, plots }) => {
  await page.getByLabel('across checkpoints of').check();
  await page.getByLabel('Run shown across its checkpoints').selectOption('mlp96_rich');
  for (const id of ['plot-mass', 'plot-utilization', 'plot-eigenvalues'] as const) {
    await expect.poll(() => plots.traceCount(id)).toBe(3);
  }
  await expect
    .poll(async () => (await plots.traceData('plot-eigenvalues')).map((t) => t.name))
    .toEqual(['step 0', 'step 150', 'step 1500']);
  await plots.stepSlider.focus();
  await page.keyboard.press('Home');
  await expect.poll(() => plots.traceCount('plot-eigenvalues')).toBe(1);
  expect(page.url()).toContain('mode=checkpoints');
});

test('clicking a row shows the checkpoint details with the rank profile', async ({ page, table }) => {
  await table.row('mlp96_rich', 1500).click();
  const details = page.getByTestId('checkpoint-details');
  await expect(details).toContainText('mlp96_rich');
  await expect(details).toContainText('teaching companion, not D_LR');
  await expect.poll(() => traceCount(page, 'plot-rank-profile')).toBe(2);
  await expect.poll(() => traceCount(page, 'plot-output-spectrum')).toBe(1);
  // |0.2202 - 0.1889| < 0.1: no weak-direction warning for this checkpoint.
  await expect(page.getByTestId('weak-directions-warning')).toHaveCount(0);
  await expect(table.row('mlp96_rich', 1500)).toHaveAttribute('aria-selected', 'true');
});

test('a bad file among good ones gives one alert and leaves the other runs alone', async ({
  page,
  table,
  dropZone,
  runsPanel,
}) => {
  const before = await table.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dlr')));
  await dropZone.dropFiles([
    {
      name: 'broken_step0_train.npz',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('this is not a zip archive'),
    },
    fixtureFile('mlp96_rich_step0_train.npz'),
  ]);
  await expect(page.getByRole('alert')).toHaveCount(1);
  await expect(page.getByRole('alert')).toContainText('broken_step0_train.npz');
  // The failed file leaves no empty run behind: its error stands alone.
  await expect(runsPanel.run('broken')).toHaveCount(0);
  await table.expectRows(6);
  const after = await table.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dlr')));
  expect(after.sort()).toEqual(before.sort());
});

/** The results bundle of every run: moments as base64 of their bytes, so equal text = bit-identical runs. */
async function resultsBundle(page: Page): Promise<string> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Results bundle' }).click(),
  ]);
  return readFileSync((await file.path())!, 'utf8');
}

test('reload keeps the session, bit-identical, and the view', async ({ page, table, runsPanel, plots }) => {
  const name = runsPanel.run('mlp96_lazy').getByLabel('Name of run mlp96_lazy');
  await name.fill('lazy (last layer only)');
  await name.press('Enter');
  await plots.stepSlider.focus();
  await page.keyboard.press('Home');
  await expect(page).toHaveURL(/step=0/);
  // Session writes are debounced: wait until the rename reached IndexedDB.
  await waitForStoredRuns(page, (runs) => runs.some((run) => run.name === 'lazy (last layer only)'));
  const bundle = await resultsBundle(page);
  await page.reload();
  await table.expectRows(6);
  await expect(
    table.rows.filter({ has: page.locator('td', { hasText: 'lazy (last layer only)' }) }),
  ).toHaveCount(3);
  await expect(plots.stepValue).toHaveText('0');
  expect(await resultsBundle(page)).toBe(bundle);
});

/** The CSV export (`run,step,label,quantity,k,value`) as one metrics object per `<run>_step<N>`. */
function metricsOfCsv(text: string): Map<string, Record<string, unknown>> {
  const [header, ...lines] = text.trim().split('\n');
  expect(header).toBe('run,seed_group,step,label,quantity,k,value');
  const checkpoints = new Map<string, Record<string, unknown>>();
  for (const line of lines) {
    const [run, , step, , quantity, k, value] = line.split(',');
    const key = `${run}_step${step}`;
    if (!checkpoints.has(key)) checkpoints.set(key, {});
    const metrics = checkpoints.get(key)!;
    const number = value === '' ? null : Number(value);
    if (k === '') metrics[quantity] = number;
    else ((metrics[quantity] ??= []) as (number | null)[])[Number(k) - 1] = number;
  }
  return checkpoints;
}

test('exports: CSV, JSON, PNG, SVG and a results bundle that reproduces the plots', async ({
  page,
  table,
  runsPanel,
  dropZone,
}) => {
  const downloadBytes = async (click: () => Promise<void>) => {
    const [file] = await Promise.all([page.waitForEvent('download'), click()]);
    return { name: file.suggestedFilename(), bytes: readFileSync((await file.path())!) };
  };
  const download = async (click: () => Promise<void>) => {
    const { name, bytes } = await downloadBytes(click);
    return { name, text: bytes.toString('utf8') };
  };
  const expected = expectedDigits();
  const checkpointNames = Object.keys(expected).sort();

  // CSV and JSON: every value of every checkpoint is the float64 reference's
  const csv = await download(() => page.getByRole('button', { name: 'CSV' }).click());
  expect(csv.name).toBe('richscope-results.csv');
  const fromCsv = metricsOfCsv(csv.text);
  expect([...fromCsv.keys()].sort()).toEqual(checkpointNames);
  for (const [name, metrics] of fromCsv)
    expect(referenceMismatches(metrics, expected[name]), name).toEqual([]);

  const json = JSON.parse(
    (await download(() => page.getByRole('button', { name: 'JSON' }).click())).text,
  ) as {
    format: string;
    runs: {
      name: string;
      colour: string;
      checkpoints: { step: number; metrics: Record<string, unknown> }[];
    }[];
  };
  expect(json.format).toBe('richscope-metrics');
  const fromJson = new Map(
    json.runs.flatMap((run) => run.checkpoints.map((c) => [`${run.name}_step${c.step}`, c.metrics] as const)),
  );
  expect([...fromJson.keys()].sort()).toEqual(checkpointNames);
  for (const [name, metrics] of fromJson)
    expect(referenceMismatches(metrics, expected[name]), name).toEqual([]);

  // PNG and SVG of the same plot: a whole image at the figure's size, with every run's curve drawn
  const png = await downloadBytes(() =>
    page.getByRole('button', { name: 'Download Cumulative mass Π*(k) as PNG' }).click(),
  );
  expect(png.name).toMatch(/\.png$/);
  const image = decodePng(png.bytes);
  const svgOfMass = await download(() =>
    page.getByRole('button', { name: 'Download Cumulative mass Π*(k) as SVG' }).click(),
  );
  const size = /<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"/.exec(svgOfMass.text)!.slice(1).map(Number);
  expect([image.width, image.height]).toEqual(size);
  expect(image.width).toBeGreaterThanOrEqual(600);
  for (const { name, colour } of json.runs) {
    const rgb = colour
      .match(/^#(..)(..)(..)$/)!
      .slice(1)
      .map((h) => parseInt(h, 16)) as [number, number, number];
    // a 2 px line across the plot: hundreds of pixels of exactly the run's colour
    expect(pixelsOfColour(image, rgb), name).toBeGreaterThan(200);
  }
  const svg = await download(() =>
    page.getByRole('button', { name: 'Download Relative eigenvalues ρ_k / ρ_1 as SVG' }).click(),
  );
  expect(svg.name).toMatch(/\.svg$/);
  expect(svg.text).toContain('<svg');
  expect(svg.text).toContain('mlp96_rich'); // legend
  expect(svg.text).toContain('Relative eigenvalues'); // title

  const bundle = await download(() => page.getByRole('button', { name: 'Results bundle' }).click());
  expect(bundle.name).toBe('richscope.richscope.json');
  // Moments and results only: no raw activations.
  const firstCheckpoint = JSON.parse(bundle.text).runs[0].checkpoints[0];
  expect(Object.keys(firstCheckpoint).sort()).toEqual(['eval', 'fit', 'label', 'metrics', 'notes', 'step']);
  const before = await table.rows.evaluateAll((rows) =>
    rows.map((r) => `${r.dataset.run}@${r.dataset.step}=${r.dataset.dlr}`),
  );
  const storedBefore = new Set(
    (await waitForStoredRuns(page, (runs) => runs.length === 2)).flatMap((run) =>
      run.checkpoints.map((c) => c.moments),
    ),
  );
  await runsPanel.removeAll();
  await dropZone.dropFiles({
    name: bundle.name,
    mimeType: 'application/json',
    buffer: Buffer.from(bundle.text),
  });
  await table.expectRows(6);
  const after = await table.rows.evaluateAll((rows) =>
    rows.map((r) => `${r.dataset.run}@${r.dataset.step}=${r.dataset.dlr}`),
  );
  expect(after.sort()).toEqual(before.sort());
  // the imported runs are in the stored session too (their worker stored their moments anew)
  await waitForStoredRuns(page, (runs) => {
    const keys = runs.flatMap((run) => run.checkpoints.map((c) => c.moments));
    return keys.length === 6 && keys.every((key) => !storedBefore.has(key));
  });
  await page.reload();
  await table.expectRows(6);
  const reloaded = await table.rows.evaluateAll((rows) =>
    rows.map((r) => `${r.dataset.run}@${r.dataset.step}=${r.dataset.dlr}`),
  );
  expect(reloaded.sort()).toEqual(before.sort());
});

/** Every row as `run@step=dlr`. */
const tableState = (rows: Locator) =>
  rows.evaluateAll((list) =>
    list.map(
      (r) =>
        `${(r as HTMLElement).dataset.run}@${(r as HTMLElement).dataset.step}=${(r as HTMLElement).dataset.dlr}`,
    ),
  );

// p = 2,048: its eigendecomposition keeps a worker busy for seconds (a 17 MB file)
const wideFiles = syntheticCheckpointFiles('wide', { rows: 2100, p: 2048, c: 10, seed: 7 });

test('cancel stops a running analysis: what finished stays, nothing lands later, the next drop starts fresh workers', async ({
  page,
  table,
  dropZone,
  runsPanel,
  analysis,
}) => {
  await runsPanel.removeAll();
  const started: string[] = [];
  page.on('worker', (worker) => started.push(worker.url()));
  // Four copies of each file, which may all be done within a second, then the wide checkpoint, which
  // keeps the analysis running until the cancel. All as paths: a drop takes paths or buffers, not
  // both, and 17 MB sent as a buffer slowed the test by seconds.
  const folder = test.info().outputPath('copies');
  mkdirSync(folder, { recursive: true });
  const copies = ['a', 'b', 'c', 'd'].flatMap((seed) =>
    digitsFiles().map((file) => {
      const copy = path.join(folder, `${seed}-${path.basename(file)}`);
      copyFileSync(file, copy);
      return copy;
    }),
  );
  await dropZone.dropFiles([...copies, ...wideFiles()]);
  await expect(analysis.jobs.first()).toBeVisible();
  const finishedBeforeCancel = await table.rows.count();
  await analysis.cancel();
  await expect(analysis.jobs).toHaveCount(0);
  // the workers that were computing were terminated
  await expect.poll(async () => (await analysis.pool()).busy).toBe(0);
  const kept = await tableState(table.rows);
  expect(kept.length).toBeGreaterThanOrEqual(finishedBeforeCancel);
  expect(kept.length).toBeLessThan(25);
  const startedAtCancel = started.length;

  // The new drop runs in fresh workers and adds its six. Once it is done, anything the cancelled
  // analysis still had on its way would have landed: the rows from before are all there, unchanged,
  // and nothing else was added.
  await dropZone.dropFiles(digitsFiles());
  await table.expectRows(kept.length + 6);
  await expect(analysis.jobs).toHaveCount(0);
  await expect.poll(() => started.length).toBeGreaterThan(startedAtCancel);
  const after = await tableState(table.rows);
  expect(after.filter((row) => kept.includes(row))).toHaveLength(kept.length);
  expect(
    after
      .filter((row) => !kept.includes(row))
      .map((row) => row.split('=')[0])
      .sort(),
  ).toEqual([
    'mlp96_lazy@0',
    'mlp96_lazy@150',
    'mlp96_lazy@1500',
    'mlp96_rich@0',
    'mlp96_rich@150',
    'mlp96_rich@1500',
  ]);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a dropped folder tree groups into runs, checkpoints and splits', async ({
  page,
  table,
  dropZone,
  runsPanel,
}) => {
  await runsPanel.removeAll();
  // seedC/step_150/{train,test}/*.npz as a folder picker delivers it (webkitRelativePath).
  // in the test's output folder, which Playwright empties before each run
  const folder = test.info().outputPath('picked');
  for (const split of ['train', 'test']) {
    mkdirSync(path.join(folder, 'seedC', 'step_150', split), { recursive: true });
    copyFileSync(
      path.join(FIXTURES, `mlp96_rich_step150_${split}.npz`),
      path.join(folder, 'seedC', 'step_150', split, 'acts.npz'),
    );
  }
  await dropZone.folderInput.setInputFiles(path.join(folder, 'seedC'));
  await table.expectRows(1);
  const row = table.rows.first();
  await expect(row).toHaveAttribute('data-step', '150');
  expect(
    Math.abs(Number(await row.getAttribute('data-dlr')) - expectedDigits()['mlp96_rich_step150'].dlr),
  ).toBeLessThan(REFERENCE_TOLERANCE);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('runs in one seed group are shown as mean ± band', async ({ page, runsPanel, plots }) => {
  for (const run of ['mlp96_rich', 'mlp96_lazy']) {
    await runsPanel.run(run).getByLabel(`Seed group of ${run}`).fill('digits');
  }
  await page.getByLabel('aggregate seed groups (mean ± sd)').check();
  await expect
    .poll(async () => (await plots.traceData('plot-dlr-steps')).map((t) => t.name))
    .toContain('digits (mean ± sd over seeds)');
  await expect.poll(() => plots.traceCount('plot-mass')).toBe(2); // band + mean line
  // the band is the seed-to-seed spread; error bars (none drawn here) would be the jackknife's
  await expect(page.getByTestId('dlr-error-legend')).toHaveText(
    'Shaded bands: ± one standard deviation over the seeds of a seed group.',
  );
  expect(page.url()).toContain('seeds=1');
});

test('clicking a point of “D_LR over training” selects that checkpoint', async ({ page, plots, table }) => {
  // The last point of the first D_LR line: mlp96_lazy (runs sort by name) at step 1500.
  // the mouse clicks inside the viewport only: bring the plot there, wherever the panels above end
  await plots.plot('plot-dlr-steps').scrollIntoViewIfNeeded();
  const [first] = await plots.traceData('plot-dlr-steps');
  expect(first.name).toBe('mlp96_lazy');
  const at = await pagePixel(page, 'plot-dlr-steps', 1500, first.y[first.y.length - 1]);
  await page.mouse.click(at.x, at.y);
  await expect(page.getByTestId('checkpoint-details')).toContainText('mlp96_lazy');
  await expect(table.row('mlp96_lazy', 1500)).toHaveAttribute('aria-selected', 'true');
  expect(page.url()).toContain('sel=mlp96_lazy%401500');
});

test('keys on the focused “D_LR over training” select checkpoints as a click does', async ({
  page,
  plots,
  table,
}) => {
  const details = page.getByTestId('checkpoint-details');
  /** What a click on the point of `run` at `step` shows: details, the one selected row, the hash. */
  const expectSelected = async (run: string, step: number) => {
    await expect(details).toContainText(`${run}, step ${step}`);
    await expect(table.selectedRows).toHaveCount(1);
    await expect(table.row(run, step)).toHaveAttribute('aria-selected', 'true');
    await expect(page).toHaveURL(new RegExp(`[?&]sel=${run}%40${step}(&|$)`));
  };
  await expect(table.selectedRows).toHaveCount(0);
  // Reach the plot by keyboard: Tab from the control before it.
  await plots.logStepsToggle.focus();
  await page.keyboard.press('Tab');
  await expect(plots.dlrKeys).toBeFocused();
  // No selection yet: → selects the first run (mlp96_lazy, runs sort by name) at its first step.
  await page.keyboard.press('ArrowRight');
  await expectSelected('mlp96_lazy', 0);
  await page.keyboard.press('ArrowRight');
  await expectSelected('mlp96_lazy', 150);
  await page.keyboard.press('End');
  await expectSelected('mlp96_lazy', 1500);
  // At the end → stays; the details show the same checkpoint as a click on that point.
  await page.keyboard.press('ArrowRight');
  await expectSelected('mlp96_lazy', 1500);
  await page.keyboard.press('Home');
  await expectSelected('mlp96_lazy', 0);
  await expect.poll(() => traceCount(page, 'plot-rank-profile')).toBe(2);
  // The keys were the plot's: focus stays on it for the next key.
  await expect(plots.dlrKeys).toBeFocused();
});

test('the three spectra share one k axis: zooming one zooms all, a reload keeps it, a double-click autoscales', async ({
  page,
  plots,
  table,
}) => {
  const spectra = ['plot-mass', 'plot-utilization', 'plot-eigenvalues'] as const;
  /** Waits until every spectrum shows `range` (within 1e-4 of its width: the URL keeps 6 digits). */
  const expectAllAt = async (range: number[]) => {
    for (const id of spectra) {
      await expect
        .poll(async () => {
          const shown = await plots.xRange(id);
          return Math.max(...shown.map((x, i) => Math.abs(x - range[i])));
        })
        .toBeLessThan(1e-4 * (range[1] - range[0]));
    }
  };
  await plots.zoomX('plot-mass', 0.1, 0.3);
  await expect.poll(async () => (await plots.xRange('plot-mass'))[1]).toBeLessThan(40);
  const zoomed = await plots.xRange('plot-mass');
  await expectAllAt(zoomed);
  // The zoom is a view setting: in the URL (k=lo-hi, in k), so a reload or a shared link keeps it.
  await expect(page).toHaveURL(/[?&]k=[\d.]+-[\d.]+(&|$)/);
  const inUrl = new URL(page.url()).hash
    .match(/[?&]k=([\d.]+)-([\d.]+)/)!
    .slice(1)
    .map(Number);
  inUrl.forEach((k, i) => expect(Math.abs(k - zoomed[i])).toBeLessThan(1e-4 * (zoomed[1] - zoomed[0])));
  await page.reload();
  await table.expectRows(6);
  await expect.poll(() => plots.traceCount('plot-eigenvalues')).toBe(2);
  await expectAllAt(zoomed);
  // Zoomed further, a double-click autoscales all three (not back to the zoom the page opened
  // with) and clears k.
  await plots.zoomX('plot-eigenvalues', 0.2, 0.6);
  await expect.poll(async () => (await plots.xRange('plot-mass'))[0]).toBeGreaterThan(zoomed[0] + 1);
  await expect(page).toHaveURL(/[?&]k=/);
  // As a user does: the pointer rests on the plot (its run comes forward everywhere), then double-clicks.
  await plots.plot('plot-eigenvalues').locator('.nsewdrag').first().hover();
  await expect(page.locator('[data-testid="runs-panel"] .run-hovered')).toHaveCount(1);
  await plots.doubleClick('plot-eigenvalues');
  for (const id of spectra) {
    await expect.poll(async () => (await plots.xRange(id))[1]).toBeGreaterThan(90);
  }
  await expect(page).not.toHaveURL(/[?&]k=/);
});

test('a moments file (docs/moments-format.md) is analysed like activations', async ({
  page,
  table,
  dropZone,
  runsPanel,
}) => {
  await runsPanel.removeAll();
  const momentsFixture = path.resolve(FIXTURES, '../moments');
  const expected = JSON.parse(readFileSync(path.join(momentsFixture, 'expected.json'), 'utf8')) as {
    file: string;
    meta: { run: string; step: number };
    splits: { train: { dlr: number } };
  };
  await dropZone.dropFiles(path.join(momentsFixture, expected.file));
  await table.expectRows(1);
  // Its metadata names the run and step; the file name does not.
  const row = table.row(expected.meta.run, expected.meta.step);
  await expect(row).toHaveCount(1);
  // D_LR of the raw activations the file summarises (explicit projector, float64 NumPy)
  const dlr = Number(await row.getAttribute('data-dlr'));
  expect(Math.abs(dlr - expected.splits.train.dlr)).toBeLessThan(REFERENCE_TOLERANCE);
  await expect(runsPanel.run('example_moments')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
});
