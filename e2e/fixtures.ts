/**
 * Page objects for the dashboard (tldraw style: fixtures via test.extend). Specs talk to these,
 * not to selectors, so a markup change is fixed in one place. Hooks used are the stable ones of
 * the dashboard contract (data-testid, data-run, data-step, data-dlr, role="alert").
 */
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { drawnTraces, traceCount } from './plot-probes';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/digits-mlp');

/**
 * The bundled example runs the dashboard loads on first start (public/examples, made by the trainer
 * with `npm run examples`), read from their manifest: run name and the steps kept.
 */
export function exampleRuns(): { run: string; steps: number[] }[] {
  const manifest = JSON.parse(
    readFileSync(path.resolve(import.meta.dirname, '../public/examples/manifest.json'), 'utf8'),
  ) as { runs: { run: string; checkpoints: { step: number }[] }[] };
  return manifest.runs.map(({ run, checkpoints }) => ({ run, steps: checkpoints.map((c) => c.step) }));
}

/** How many checkpoint rows the bundled examples give. */
export function exampleRows(): number {
  return exampleRuns().reduce((sum, { steps }) => sum + steps.length, 0);
}

/** The twelve digits-MLP files (two runs, steps 0/150/1500, train and test). */
export function digitsFiles(): string[] {
  return readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.npz'))
    .map((name) => path.join(FIXTURES, name));
}

/** A fixture as an in-memory file (setInputFiles cannot mix paths and buffers), optionally renamed. */
export function fixtureFile(name: string, as = name): { name: string; mimeType: string; buffer: Buffer } {
  return { name: as, mimeType: 'application/octet-stream', buffer: readFileSync(path.join(FIXTURES, name)) };
}

/** The bundled example checkpoints with the D_LR their manifest records (checked against NumPy by examples.test.ts). */
export function exampleCheckpoints(): { run: string; step: number; dlr: number }[] {
  const manifest = JSON.parse(
    readFileSync(path.resolve(import.meta.dirname, '../public/examples/manifest.json'), 'utf8'),
  ) as { runs: { run: string; checkpoints: { step: number; dlr: number }[] }[] };
  return manifest.runs.flatMap(({ run, checkpoints }) =>
    checkpoints.map(({ step, dlr }) => ({ run, step, dlr })),
  );
}

/** One digits checkpoint's float64 NumPy reference values (expected.json, scripts/reference.py). */
export interface DigitsReference {
  n: number;
  p: number;
  C: number;
  r: number;
  r99: number;
  dlr: number;
  dlr_energy99: number;
  rank_profile: number[];
  output_spectrum: number[];
  linear_cka_distance: number;
  rho: number[];
  relative_eigenvalues: number[];
  /** held-out nested projections (docs/method.md §4.1) */
  mass: number[];
  utilization: number[];
  /** the paper's Nyström sums (docs/method.md §4) */
  mass_nystrom: number[];
  utilization_nystrom: number[];
  dlr_std_err: number;
  dlr_energy99_std_err: number;
  nc1: number;
  participation_ratio: number;
  readout_residual: number;
  accuracy: number;
  eval_accuracy: number;
}

/** expected.json: the reference values per `<run>_step<N>` (fit = train, eval = test split). */
export function expectedDigits(): Record<string, DigitsReference> {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));
}

/**
 * The app computes in float64 from the same float32 activations as the reference: it agrees to
 * 2.2e-11 at worst (rho of the smallest eigenvalues, relative; everything else 7e-15 to 2.5e-12,
 * src/analysis/reference-agreement.test.ts), so 1e-10 catches any real regression.
 */
export const REFERENCE_TOLERANCE = 1e-10;

/** The app's name of each reference value, and whether it is compared relative to its size. */
const REFERENCE_FIELDS: [string, keyof DigitsReference, 'absolute' | 'relative'][] = [
  ['n', 'n', 'absolute'],
  ['p', 'p', 'absolute'],
  ['C', 'C', 'absolute'],
  ['r', 'r', 'absolute'],
  ['r99', 'r99', 'absolute'],
  ['dlr', 'dlr', 'absolute'],
  ['dlrEnergy99', 'dlr_energy99', 'absolute'],
  ['dlrStdErr', 'dlr_std_err', 'absolute'],
  ['dlrEnergy99StdErr', 'dlr_energy99_std_err', 'absolute'],
  ['rankProfile', 'rank_profile', 'absolute'],
  ['outputSpectrum', 'output_spectrum', 'absolute'],
  ['linearCkaDistance', 'linear_cka_distance', 'absolute'],
  ['rho', 'rho', 'relative'],
  ['relativeEigenvalues', 'relative_eigenvalues', 'absolute'],
  ['mass', 'mass', 'absolute'],
  ['utilization', 'utilization', 'absolute'],
  ['massNystrom', 'mass_nystrom', 'absolute'],
  ['utilizationNystrom', 'utilization_nystrom', 'absolute'],
  ['nc1', 'nc1', 'relative'],
  ['participationRatio', 'participation_ratio', 'relative'],
  ['readoutResidual', 'readout_residual', 'absolute'],
  ['accuracy', 'accuracy', 'absolute'],
  ['evalAccuracy', 'eval_accuracy', 'absolute'],
];

/**
 * Every reference value that differs from the app's `metrics` (app field names) by more than
 * REFERENCE_TOLERANCE, or is missing or of another length there: an empty list when all agree.
 */
export function referenceMismatches(metrics: Record<string, unknown>, want: DigitsReference): string[] {
  const problems: string[] = [];
  for (const [field, key, kind] of REFERENCE_FIELDS) {
    const expected = [want[key]].flat() as number[];
    const value = metrics[field];
    const got = (Array.isArray(value) ? value : [value]) as unknown[];
    if (got.length !== expected.length) {
      problems.push(`${field}: ${got.length} values, expected ${expected.length}`);
      continue;
    }
    expected.forEach((e, k) => {
      const g = got[k];
      const error =
        typeof g === 'number' ? Math.abs(g - e) / (kind === 'relative' ? Math.abs(e) : 1) : Infinity;
      if (!(error <= REFERENCE_TOLERANCE)) problems.push(`${field}[${k}]: ${String(g)}, expected ${e}`);
    });
  }
  return problems;
}

export class DropZone {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('drop-zone');
  }
  /** The file input inside the drop zone (not the folder picker). */
  get fileInput(): Locator {
    return this.root.locator('input[type=file]:not([webkitdirectory])');
  }
  get folderInput(): Locator {
    return this.root.locator('input[type=file][webkitdirectory]');
  }
  async dropFiles(files: Parameters<Locator['setInputFiles']>[0]): Promise<void> {
    await this.fileInput.setInputFiles(files);
  }
}

/** The drop panel's analysis jobs, their cancel button, and the worker pool's size. */
export class AnalysisPanel {
  readonly root: Locator;
  readonly jobs: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('analysis-panel');
    this.jobs = page.getByTestId('job');
  }
  async cancel(): Promise<void> {
    await this.page.getByRole('button', { name: 'Cancel analysis' }).click();
  }
  /** Workers alive and busy, as the bridge reports them on the panel's data attributes. */
  async pool(): Promise<{ alive: number; busy: number }> {
    return {
      alive: Number(await this.root.getAttribute('data-workers-alive')),
      busy: Number(await this.root.getAttribute('data-workers-busy')),
    };
  }
}

export class RunsPanel {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('runs-panel');
  }
  run(name: string): Locator {
    return this.root.locator(`[data-testid="run"][data-run="${name}"]`);
  }
  async removeAll(): Promise<void> {
    await this.root.getByRole('button', { name: 'Remove all' }).click();
    await expect(this.page.getByTestId('checkpoint-row')).toHaveCount(0);
  }
}

/** One checkpoint row as the table shows it. */
export interface ShownRow {
  run: string;
  step: number;
  dlr: number;
}

export class CheckpointTable {
  /** The rows in the DOM: all of a short table, a window of a long one (row-window.ts). */
  readonly rows: Locator;
  readonly table: Locator;
  constructor(readonly page: Page) {
    this.rows = page.getByTestId('checkpoint-row');
    this.table = page.getByTestId('checkpoint-table');
  }
  row(run: string, step: number): Locator {
    return this.page.locator(`[data-testid="checkpoint-row"][data-run="${run}"][data-step="${step}"]`);
  }
  /** The rows marked selected (one at most while a checkpoint is selected). */
  get selectedRows(): Locator {
    return this.page.locator('[data-testid="checkpoint-row"][aria-selected="true"]');
  }
  /** Waits until the table has exactly `count` checkpoint rows (analyses finished). */
  async expectRows(count: number, timeout = 60_000): Promise<void> {
    // aria-rowcount counts the header row too
    await expect(this.table).toHaveAttribute('aria-rowcount', String(count + 1), { timeout });
  }
  /**
   * Every row of the table, read as a user would: scrolling the table from top to bottom, a
   * viewport at a time, and reading the rows rendered at each position.
   */
  async allRows(): Promise<ShownRow[]> {
    const scroller = this.page.locator('.table-scroll');
    const seen = new Map<string, ShownRow>();
    const read = () =>
      this.rows.evaluateAll((rows) =>
        rows.map((row) => ({
          run: row.getAttribute('data-run') ?? '',
          step: Number(row.getAttribute('data-step')),
          dlr: Number(row.getAttribute('data-dlr')),
        })),
      );
    await scroller.evaluate((el) => (el.scrollTop = 0));
    for (;;) {
      for (const row of await read()) seen.set(`${row.run}@${row.step}`, row);
      const moved = await scroller.evaluate((el) => {
        const before = el.scrollTop;
        el.scrollTop = before + el.clientHeight / 2;
        return el.scrollTop > before;
      });
      if (!moved) break;
      // the table renders the rows of the new position in the next frame
      await this.page.evaluate(
        () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))),
      );
    }
    return [...seen.values()];
  }
}

export type PlotId = 'plot-mass' | 'plot-utilization' | 'plot-eigenvalues' | 'plot-dlr-steps';

export class Plots {
  constructor(readonly page: Page) {}
  plot(id: PlotId | string): Locator {
    return this.page.getByTestId(id);
  }
  /**
   * How many scatter traces a plot draws: painted on its curve canvas (Plot's `curvesOnCanvas`), or
   * as plotly renders them in the SVG.
   */
  traceCount(id: PlotId | string): Promise<number> {
    return traceCount(this.page, id);
  }
  /** The traces a plot draws (names and y values): from its curve canvas, or plotly's graph div. */
  async traceData(id: PlotId | string): Promise<{ name: string; y: number[] }[]> {
    return (await this.plot(id).evaluate(drawnTraces)).map(({ name, y }) => ({ name, y }));
  }
  /** Box-zooms the x axis of a plot: a near-horizontal drag between fractions of its plot area's width. */
  async zoomX(id: PlotId | string, from: number, to: number): Promise<void> {
    const box = (await this.plot(id).locator('.nsewdrag').first().boundingBox())!;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width * from, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + box.width * to, y + 2, { steps: 5 });
    await this.page.mouse.up();
  }
  /** Double-clicks the middle of a plot's plot area (plotly: reset / autoscale). */
  async doubleClick(id: PlotId | string): Promise<void> {
    const box = (await this.plot(id).locator('.nsewdrag').first().boundingBox())!;
    await this.page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
  }
  /** The y axis range plotly currently shows. */
  yRange(id: PlotId | string): Promise<number[]> {
    return this.plot(id).evaluate((div) => [
      ...(div as unknown as { _fullLayout: { yaxis: { range: number[] } } })._fullLayout.yaxis.range,
    ]);
  }
  /** The y axis title plotly shows for a plot ('' without one). */
  yAxisTitle(id: PlotId | string): Promise<string> {
    return this.plot(id).evaluate(
      (div) =>
        (div as unknown as { layout?: { yaxis?: { title?: { text?: string } } } }).layout?.yaxis?.title
          ?.text ?? '',
    );
  }
  /** Per trace of a plot: its name and its y error bars (null without). */
  async errorBars(id: PlotId | string): Promise<{ name: string; array: number[] | null }[]> {
    return (await this.plot(id).evaluate(drawnTraces)).map(({ name, errors }) => ({ name, array: errors }));
  }
  /** The x axis range plotly currently shows (axis units). */
  xRange(id: PlotId | string): Promise<number[]> {
    return this.plot(id).evaluate((div) => [
      ...(div as unknown as { _fullLayout: { xaxis: { range: number[] } } })._fullLayout.xaxis.range,
    ]);
  }
  /** The focusable wrapper of "D_LR over training" whose arrow keys select checkpoints. */
  get dlrKeys(): Locator {
    return this.page.getByRole('group', { name: /^D_LR over training: select a checkpoint/ });
  }
  /** The checkbox just before `dlrKeys` in tab order. */
  get logStepsToggle(): Locator {
    return this.page.getByRole('checkbox', { name: 'log step axis' });
  }
  get stepSlider(): Locator {
    return this.page.getByTestId('step-slider');
  }
  get stepValue(): Locator {
    return this.page.getByTestId('step-value');
  }
  get playButton(): Locator {
    return this.page.getByTestId('play');
  }
}

/**
 * From a first start: waits for the bundled examples, removes them ("Remove all") and drops the
 * twelve digits files, whose reference values are in expected.json.
 */
export async function replaceExamplesWithDigits({
  table,
  runsPanel,
  dropZone,
}: {
  table: CheckpointTable;
  runsPanel: RunsPanel;
  dropZone: DropZone;
}): Promise<void> {
  await table.expectRows(exampleRows());
  await runsPanel.removeAll();
  await dropZone.dropFiles(digitsFiles());
  await table.expectRows(6);
}

/** A long task of the page's main thread (ms, performance.now() clock). */
export interface LongTask {
  start: number;
  duration: number;
}

/**
 * Records the page's long tasks (> 50 ms) from its first script on: call before `page.goto`, then
 * read them with `longTasksSince`.
 */
export async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The long tasks that started at or after `since` (a page performance.now()), and the ms elapsed since. */
export async function longTasksSince(
  page: Page,
  since: number,
): Promise<{ tasks: LongTask[]; elapsed: number }> {
  return page.evaluate((from) => {
    const all = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks;
    return { tasks: all.filter((t) => t.start >= from), elapsed: performance.now() - from };
  }, since);
}

/**
 * A main-thread task this long is a freeze the user sees, whatever the machine's load (a plotly
 * redraw of ~50 ms reaches 1 s on a 2-core machine running several test suites at once); shorter
 * ones depend on the load as much as on the app (their figures belong in docs/benchmarks.md), so
 * the specs bound only this. That the work runs in workers is checked directly, not through timings.
 */
export const FREEZE_MS = 5000;

/** The longest main-thread task since `since` (ms; 0 when none), with the window's length. */
export async function longestTaskSince(
  page: Page,
  since: number,
): Promise<{ longest: number; elapsed: number }> {
  const { tasks, elapsed } = await longTasksSince(page, since);
  return { longest: Math.max(0, ...tasks.map((t) => t.duration)), elapsed };
}

/**
 * Counts, from the page's first script on, the bytes of files the main thread reads (Blob and
 * FileReader reads of File objects); read it with `mainThreadFileBytes`. Parsing happens in the
 * workers, so a dropped file should never be read here.
 */
export async function recordMainThreadFileReads(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const log = { bytes: 0, reads: [] as string[] };
    (window as unknown as { __fileReads: typeof log }).__fileReads = log;
    const note = (blob: unknown) => {
      if (blob instanceof File) {
        log.bytes += blob.size;
        log.reads.push(blob.name);
      }
    };
    for (const name of ['arrayBuffer', 'text', 'stream', 'bytes'] as const) {
      const original = (Blob.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
      if (!original) continue;
      (Blob.prototype as unknown as Record<string, unknown>)[name] = function (
        this: Blob,
        ...args: unknown[]
      ) {
        note(this);
        return original.apply(this, args);
      };
    }
    for (const name of ['readAsArrayBuffer', 'readAsText', 'readAsDataURL', 'readAsBinaryString'] as const) {
      const original = FileReader.prototype[name] as (
        this: FileReader,
        blob: Blob,
        ...rest: unknown[]
      ) => void;
      (FileReader.prototype as unknown as Record<string, unknown>)[name] = function (
        this: FileReader,
        blob: Blob,
        ...rest: unknown[]
      ) {
        note(blob);
        return original.call(this, blob, ...rest);
      };
    }
  });
}

export function mainThreadFileReads(page: Page): Promise<{ bytes: number; reads: string[] }> {
  return page.evaluate(
    () => (window as unknown as { __fileReads: { bytes: number; reads: string[] } }).__fileReads,
  );
}

/**
 * The analysis pool has one worker per core (navigator.hardwareConcurrency). Before the page's
 * scripts, reports at least two cores, so that a one-core runner still runs the split analysis and
 * its cancel (more slowly): these specs test what the app does with a pool, not how fast.
 */
export async function reportAtLeastTwoCores(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const cores = navigator.hardwareConcurrency || 1;
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => Math.max(2, cores) });
  });
}

/** The page's performance.now(), to mark the start of a measured window. */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

export interface SyntheticCheckpoint {
  rows: number;
  /** feature columns */
  p: number;
  /** classes = logit columns */
  c: number;
  seed: number;
}

/**
 * Writes features.npy (rows x p float32, ReLU of a rank-8 latent code), logits.npy (rows x c
 * float32, a fixed read-out of the features plus noise) and labels.npy (int64, argmax of a noisier
 * read-out) into `dir`, a block of rows at a time; returns the three paths. Deterministic in `seed`.
 */
function writeSyntheticCheckpoint(dir: string, shape: SyntheticCheckpoint): string[] {
  const { rows, p, c } = shape;
  const latent = 8;
  let state = shape.seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
  const mixing = Float32Array.from({ length: latent * p }, uniform);
  const readout = Float32Array.from({ length: p * c }, uniform);
  mkdirSync(dir, { recursive: true });
  const header = (descr: string, dims: number[]) => {
    const dimsText = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
    let text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dimsText}, }`;
    text += ' '.repeat((64 - ((10 + text.length + 1) % 64)) % 64) + '\n';
    const bytes = Buffer.alloc(10 + text.length);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    bytes.writeUInt16LE(text.length, 8);
    bytes.write(text, 10, 'latin1');
    return bytes;
  };
  const files = {
    features: path.join(dir, 'features.npy'),
    logits: path.join(dir, 'logits.npy'),
    labels: path.join(dir, 'labels.npy'),
  };
  const handles = {
    features: openSync(files.features, 'w'),
    logits: openSync(files.logits, 'w'),
    labels: openSync(files.labels, 'w'),
  };
  try {
    writeSync(handles.features, header('<f4', [rows, p]));
    writeSync(handles.logits, header('<f4', [rows, c]));
    writeSync(handles.labels, header('<i8', [rows]));
    const block = 4096;
    const code = new Float32Array(latent);
    const sums = new Float64Array(c);
    for (let r0 = 0; r0 < rows; r0 += block) {
      const count = Math.min(block, rows - r0);
      const features = new Float32Array(count * p);
      const logits = new Float32Array(count * c);
      const labels = new BigInt64Array(count);
      for (let i = 0; i < count; i++) {
        for (let k = 0; k < latent; k++) code[k] = uniform();
        const row = features.subarray(i * p, (i + 1) * p);
        for (let j = 0; j < p; j++) {
          let v = 0.05 * uniform();
          for (let k = 0; k < latent; k++) v += code[k] * mixing[k * p + j];
          row[j] = Math.max(0, v);
        }
        // Each logit adds the same products in the same order as a dot product with a read-out
        // column, but the read-out is read a row at a time: its columns are c floats apart, and at
        // c = 1,000 every product of a column missed the cache. A ReLU zero adds nothing.
        sums.fill(0);
        for (let j = 0; j < p; j++) {
          const x = row[j];
          if (x === 0) continue;
          for (let k = 0, at = j * c; k < c; k++, at++) sums[k] += x * readout[at];
        }
        let best = 0;
        let bestValue = -Infinity;
        for (let k = 0; k < c; k++) {
          const v = sums[k];
          logits[i * c + k] = v + 0.1 * uniform();
          const noisy = v + 0.5 * uniform();
          if (noisy > bestValue) [best, bestValue] = [k, noisy];
        }
        labels[i] = BigInt(best);
      }
      writeSync(handles.features, new Uint8Array(features.buffer));
      writeSync(handles.logits, new Uint8Array(logits.buffer));
      writeSync(handles.labels, new Uint8Array(labels.buffer));
    }
  } finally {
    Object.values(handles).forEach((h) => closeSync(h));
  }
  return Object.values(files);
}

export const test = base.extend<{
  analysis: AnalysisPanel;
  dropZone: DropZone;
  runsPanel: RunsPanel;
  table: CheckpointTable;
  plots: Plots;
}>({
  // (named `provide`, not `use`: the React hooks lint rule would take `use` for React's hook)
  analysis: async ({ page }, provide) => provide(new AnalysisPanel(page)),
  dropZone: async ({ page }, provide) => provide(new DropZone(page)),
  runsPanel: async ({ page }, provide) => provide(new RunsPanel(page)),
  table: async ({ page }, provide) => provide(new CheckpointTable(page)),
  plots: async ({ page }, provide) => provide(new Plots(page)),
});

export { expect };

/**
 * A synthetic checkpoint written to a temporary folder before a spec file's tests and removed after
 * them (call at the spec file's top level). Returns its file paths, there once the tests run.
 */
export function syntheticCheckpointFiles(name: string, shape: SyntheticCheckpoint): () => string[] {
  let folder = '';
  let files: string[] = [];
  test.beforeAll(() => {
    folder = mkdtempSync(path.join(tmpdir(), `richscope-${name}-`));
    files = writeSyntheticCheckpoint(path.join(folder, name), shape);
  });
  test.afterAll(() => rmSync(folder, { recursive: true, force: true }));
  return () => files;
}
