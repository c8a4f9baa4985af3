// `npm run bench:browser:sweep -- [--sizes 30x10,50x20] [--rows 2000] [--repeat 7] [--no-build] [--dist DIR]`:
// (a size may carry its own rows: --sizes 30x10,50x20x500)
// how long the dashboard stays busy after each interaction with a whole sweep loaded, in headless
// Debian Chromium. Builds the app (vite build into .bench/app-dist, so dist/ is left alone; --dist
// serves a build made elsewhere, e.g. of another commit), generates each sweep with
// scripts/make-sweep.mjs into .bench/sweep-RxS (.bench/sweep-RxS-rowsN when --rows is not 2000;
// reused when present), serves the app, removes the example runs, drops the sweep through the folder
// input and waits until every one of the R x S rows has its D_LR (the drop itself is not timed here:
// `npm run bench:browser` times a drop).
//
// What is timed, on the page's own clock: from the first input event of the interaction (keydown,
// pointerdown or click, caught in the capture phase before the app sees it) until the main thread is
// idle again. Idle is found by a chain of setTimeout(0) probes started at that event: a gap of more
// than 15 ms between two probes means something else ran (React's render, a plot's Plotly.react, style,
// layout, paint); the interaction ends at the probe after the last such gap, once 300 ms have passed
// with none. So the figure covers the app's handler, every plot redraw it causes (each plot draws in
// a task of its own) and the browser's rendering of the result, at the probes' resolution (~4 ms);
// and, when later, the last answer of the curve painter's worker (a canvas's `paintedAt`), for the
// curves it paints off the main thread.
// On a loaded machine the probes also wait for the CPU, which counts as busy; so beside it is printed
// the main thread's own task time in that window (Chrome's TaskDuration metric, through the DevTools
// protocol), which waiting for the CPU inflates less.
//
// Interactions, each repeated --repeat times (medians and the worst are printed and written to
// .bench/sweep-interactions-<date>.json): a click on a heading (the clock's floor: the app does
// nothing), the step slider moved one position (arrow key, across runs),
// a checkpoint row selected (a click on a row), a run hidden or shown again (its checkbox in the Runs
// panel), the spectra switched to "across checkpoints" and back to "across runs" (timed apart), and
// the table sorted by another column (a click on a header). The load average is recorded before and
// after each size: the machine is shared, read the figures with it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { median, root } from './bench-data.mjs';
import { ensureSweep, serveBuild } from './bench-sweep.mjs';
import { chromiumArgs, chromiumPath } from './chromium.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : fallback;
};
const sizes = option('--sizes', '30x10,50x20')
  .split(',')
  .map((s) => s.split('x').map(Number));
const defaultRows = Number(option('--rows', 2000));
const repeat = Number(option('--repeat', 7));
const outDir = path.resolve(root, option('--dist', '.bench/app-dist'));

if (!argv.includes('--no-build') && !argv.includes('--dist')) {
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}

const { server, base } = await serveBuild(outDir);

/** In the page: `__armInteraction()` makes the next input event start a clock that stops when idle. */
function instrumentPage() {
  const BUSY_GAP = 15;
  const QUIET = 300;
  let armed = false;
  window.__interaction = null;
  window.__armInteraction = () => {
    armed = true;
    window.__interaction = null;
  };
  const start = () => {
    if (!armed) return;
    armed = false;
    const begin = performance.now();
    let last = begin;
    let end = null;
    const probe = () => {
      const now = performance.now();
      if (end === null || now - last > BUSY_GAP) end = now;
      last = now;
      if (now - end >= QUIET) {
        // curves painted in the curve painter's worker reach the screen when its answer arrives
        const painted = Math.max(
          0,
          ...Array.from(document.querySelectorAll('canvas.plot-curves'), (c) => c.paintedAt ?? 0),
        );
        window.__interaction = { ms: Math.max(end, painted) - begin };
      } else setTimeout(probe, 0);
    };
    setTimeout(probe, 0);
  };
  for (const type of ['keydown', 'pointerdown', 'click']) document.addEventListener(type, start, true);
}

/** The main thread's summed task time so far, in ms (Chrome's TaskDuration metric). */
async function taskTime(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return 1000 * metrics.find((m) => m.name === 'TaskDuration').value;
}

/**
 * Milliseconds until idle after `act` (which performs one interaction through Playwright), and the
 * main thread's task time in that window (less the probes' own, which is small).
 */
async function timeInteraction(page, cdp, act) {
  await page.evaluate(() => window.__armInteraction());
  const tasksBefore = await taskTime(cdp);
  await act();
  await page.waitForFunction(() => window.__interaction !== null, null, { timeout: 60_000, polling: 50 });
  const tasksAfter = await taskTime(cdp);
  const { ms } = await page.evaluate(() => window.__interaction);
  await page.waitForTimeout(200); // what a later save or hover triggers settles before the next one
  return { ms, busyMs: tasksAfter - tasksBefore };
}

async function benchSweep(browser, [runs, steps, rows = defaultRows]) {
  const dir = await ensureSweep({ runs, steps, rows });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => console.error('[page error]', error.message));
  await page.addInitScript(instrumentPage);
  await page.goto(base);
  const rowsLocator = page.getByTestId('checkpoint-row');
  await rowsLocator.first().waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Remove all' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="checkpoint-row"]').length === 0);
  const dropStart = Date.now();
  await page.getByTestId('folder-input').setInputFiles(dir);
  await page.waitForFunction(
    (count) =>
      Number(document.querySelector('[data-testid="checkpoint-table"]')?.getAttribute('aria-rowcount') ?? 1) -
        1 ===
      count,
    runs * steps,
    { timeout: 3_600_000, polling: 1000 },
  );
  const dropSeconds = (Date.now() - dropStart) / 1000;
  console.log(`${runs}x${steps} (${rows} rows): every row has its D_LR after ${dropSeconds.toFixed(0)} s`);
  await page.waitForTimeout(3000); // the session save and the last redraws settle

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const loadBefore = loadavg();
  const slider = page.getByTestId('step-slider');
  const timings = {};
  const record = async (name, act) => {
    timings[name] ??= [];
    timings[name].push(await timeInteraction(page, cdp, act));
  };
  await page.getByRole('radio', { name: 'across runs' }).check();
  // what the clock reads when the app does nothing: a click on a heading
  const heading = page.getByRole('heading', { name: 'Feature spectra' });
  for (let i = 0; i < repeat; i++) await record('click on nothing', () => heading.click());
  for (let i = 0; i < repeat; i++) {
    await slider.focus();
    await record('step slider', () => slider.press(i % 2 === 0 ? 'ArrowLeft' : 'ArrowRight'));
  }
  for (let i = 0; i < repeat; i++) {
    // rows of different runs and steps among those the table has rendered (its first rows and a margin)
    const rendered = await rowsLocator.count();
    const row = rowsLocator.nth((i * 7 + 5) % rendered);
    await row.scrollIntoViewIfNeeded();
    await record('select a checkpoint', () => row.click());
  }
  for (let i = 0; i < repeat; i++) {
    const run = page
      .getByTestId('run')
      .nth(i % 3)
      .getByRole('checkbox');
    await run.scrollIntoViewIfNeeded();
    await record('hide a run', () => run.click());
    await record('show it again', () => run.click());
  }
  for (let i = 0; i < repeat; i++) {
    const across = page.getByRole('radio', { name: 'across checkpoints of' });
    await across.scrollIntoViewIfNeeded();
    await record('to across checkpoints', () => across.click());
    await record('to across runs', () => page.getByRole('radio', { name: 'across runs' }).click());
  }
  const headers = ['D_LR', 'step', 'run'];
  for (let i = 0; i < repeat; i++) {
    const header = page
      .locator('thead button')
      .filter({ hasText: headers[i % headers.length] })
      .first();
    await header.scrollIntoViewIfNeeded();
    await record('sort the table', () => header.click());
  }
  const loadAfter = loadavg();
  await page.close();
  const summary = Object.fromEntries(
    Object.entries(timings).map(([name, runs]) => {
      const ms = runs.map((r) => r.ms);
      const busyMs = runs.map((r) => r.busyMs);
      return [name, { median: median(ms), worst: Math.max(...ms), busyMedian: median(busyMs), ms, busyMs }];
    }),
  );
  for (const [name, { median: m, worst, busyMedian }] of Object.entries(summary))
    console.log(
      `  ${name.padEnd(22)} until idle: median ${m.toFixed(0).padStart(4)} ms, worst ${worst.toFixed(0).padStart(4)} ms;` +
        ` main-thread tasks: median ${busyMedian.toFixed(0).padStart(4)} ms`,
    );
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`  load ${load(loadBefore)} -> ${load(loadAfter)}`);
  return { runs, steps, rows, dropSeconds, summary, loadBefore, loadAfter };
}

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
const results = [];
try {
  for (const size of sizes) results.push(await benchSweep(browser, size));
} finally {
  await browser.close();
  server.close();
}
const record = {
  chromium: browser.version(),
  cores: cpus().length,
  dist: path.relative(root, outDir),
  results,
};
mkdirSync(path.join(root, '.bench'), { recursive: true });
const out = path.join(
  root,
  `.bench/sweep-interactions-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
);
writeFileSync(out, JSON.stringify(record, null, 1));
console.log(`written ${path.relative(root, out)}`);
