// The sweep drop of `npm run bench:browser -- --sweep 30x10`, in pieces other browser benchmarks reuse:
// the tree (scripts/make-sweep.mjs into .bench/sweep-<runs>x<steps>/, generated once), the page's
// instrumentation (drop, every row's D_LR, long tasks), the drop itself through the folder input, and
// the CLI on the same tree (`node dist-cli/richscope.mjs TREE --json`, timed).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

import { root, timed } from './bench-data.mjs';
import { makeSweep } from './make-sweep.mjs';

/** `30x10` as { runs: 30, steps: 10 }. */
export function parseSweep(text) {
  const match = /^(\d+)x(\d+)$/.exec(text ?? '');
  if (!match) throw new Error(`--sweep takes RUNSxSTEPS (e.g. 30x10), not ${text}`);
  return { runs: Number(match[1]), steps: Number(match[2]) };
}

/**
 * The folder of a sweep of `runs` x `steps` checkpoints of `rows` rows (train and test, make-sweep's
 * other defaults), made when missing.
 */
export async function ensureSweep({ runs, steps, rows = 2000 }) {
  const dir = path.join(root, '.bench', `sweep-${runs}x${steps}${rows === 2000 ? '' : `-rows${rows}`}`);
  const marker = path.join(dir, '.complete');
  if (!existsSync(marker)) {
    console.log(`generating ${dir}: ${runs} runs x ${steps} steps, ${rows} rows (train and test)`);
    await makeSweep(dir, { runs, steps, rows });
    writeFileSync(marker, '');
  }
  return dir;
}

const contentTypes = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/**
 * Serves the built app in `dir` on a free port of 127.0.0.1; `onServe(pathname, bytes)` hears every
 * file sent. Resolves to the server and its base URL.
 */
export async function serveBuild(dir, onServe = () => undefined) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const file = path.join(dir, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream' });
    const body = readFileSync(file);
    onServe(url.pathname, body.length);
    res.end(body);
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, base: `http://127.0.0.1:${server.address().port}/` };
}

/** The CLI bundle (dist-cli/richscope.mjs), built when missing. */
export function ensureCli() {
  const cli = path.join(root, 'dist-cli/richscope.mjs');
  if (!existsSync(cli)) execFileSync('npm', ['run', 'build:cli'], { cwd: root, stdio: 'inherit' });
  return cli;
}

/** The CLI on the sweep: wall seconds, peak RSS (MB) and its records ({ run, step, dlr, ... }). */
export function runCliSweep(dir) {
  const run = timed('node', [ensureCli(), dir, '--json']);
  return { seconds: run.seconds, rssMb: run.rssMb, records: JSON.parse(run.stdout) };
}

/**
 * Page init script: marks, on the page's clock, the folder input's change event (`drop`) and when
 * `window.__sweep.expected` checkpoint rows are in the table (`rows`); collects the long tasks
 * (> 50 ms). The rows are counted every 50 ms rather than on every mutation, which would load the
 * very thread being measured.
 */
export function instrumentSweepPage() {
  const marks = { expected: Infinity, drop: null, rows: null, tasks: [] };
  window.__sweep = marks;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) marks.tasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener(
    'change',
    (event) => {
      if (event.target?.dataset?.testid === 'folder-input') marks.drop = performance.now();
    },
    true,
  );
  const timer = setInterval(() => {
    if (marks.drop === null) return;
    // the table's rows (aria-rowcount less the header), rendered or not
    const rows =
      Number(document.querySelector('[data-testid="checkpoint-table"]')?.getAttribute('aria-rowcount') ?? 1) -
      1;
    if (rows >= marks.expected) {
      marks.rows = performance.now();
      clearInterval(timer);
    }
  }, 50);
}

/** The page with no runs (the example runs loaded, then removed) and settled, ready for a drop. */
export async function emptyDashboard(page, base) {
  await page.goto(base);
  await page.getByTestId('checkpoint-row').first().waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Remove all' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="checkpoint-row"]').length === 0);
  await page.waitForTimeout(1000); // the session save and plot redraws settle before the clock starts
}

/**
 * Drops the sweep folder on a page instrumented with `instrumentSweepPage` and waits until every
 * checkpoint has its row. Returns the seconds from the drop to the last row, the long tasks of that
 * window ([start after the drop, ms]), the longest, and the main thread's blocked time: the long
 * tasks' whole durations, and their parts past 50 ms (total blocking time).
 */
export async function dropSweep(page, dir, checkpoints, { timeout = 900_000 } = {}) {
  await page.evaluate((n) => (window.__sweep.expected = n), checkpoints);
  await page.locator('[data-testid="folder-input"]').setInputFiles(dir);
  await page.waitForFunction(() => window.__sweep.rows !== null, null, { timeout, polling: 500 });
  const marks = await page.evaluate(() => window.__sweep);
  // the change event is dispatched inside a task that began before it: that task is the drop's too
  const during = marks.tasks.filter((t) => t.start + t.duration >= marks.drop && t.start <= marks.rows);
  const dropTask = during.find((t) => t.start <= marks.drop);
  return {
    seconds: (marks.rows - marks.drop) / 1000,
    longTasks: during.map((t) => [Math.round(t.start - marks.drop), Math.round(t.duration)]),
    longestTaskMs: Math.max(0, ...during.map((t) => t.duration)),
    // the task that delivered the files (the browser's file list, then the app's change handler)
    dropTaskMs: dropTask?.duration ?? 0,
    blockedMs: during.reduce((sum, t) => sum + t.duration, 0),
    totalBlockingMs: during.reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0),
  };
}

/**
 * The table's D_LR by `run@step`, to compare with the CLI's records: the table renders the rows
 * near its viewport, so it is scrolled from top to bottom and read at each position.
 */
export async function shownDlr(page) {
  const shown = new Map();
  const scroller = page.locator('.table-scroll');
  await scroller.evaluate((el) => (el.scrollTop = 0));
  for (;;) {
    const rows = await page
      .locator('[data-testid="checkpoint-row"]')
      .evaluateAll((list) =>
        list.map((row) => [
          `${row.getAttribute('data-run')}@${row.getAttribute('data-step')}`,
          row.dataset.dlr,
        ]),
      );
    for (const [key, dlr] of rows) shown.set(key, Number(dlr));
    const moved = await scroller.evaluate((el) => {
      const before = el.scrollTop;
      el.scrollTop = before + el.clientHeight / 2;
      return el.scrollTop > before;
    });
    if (!moved) return shown;
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))));
  }
}
