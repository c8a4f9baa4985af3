/**
 * Page objects for the dashboard (tldraw style: fixtures via test.extend). Specs talk to these,
 * not to selectors, so a markup change is fixed in one place. Hooks used are the stable ones of
 * the dashboard contract (data-testid, data-run, data-step, data-dlr, role="alert").
 */
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

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

/** expected-shared.json: float64 NumPy reference values per `<run>_step<N>`. */
export function expectedDigits(): Record<string, { dlr: number }> {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'expected-shared.json'), 'utf8'));
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

export class CheckpointTable {
  readonly rows: Locator;
  constructor(readonly page: Page) {
    this.rows = page.getByTestId('checkpoint-row');
  }
  row(run: string, step: number): Locator {
    return this.page.locator(`[data-testid="checkpoint-row"][data-run="${run}"][data-step="${step}"]`);
  }
  /** Waits until exactly `count` rows exist (analyses finished). */
  async expectRows(count: number): Promise<void> {
    await expect(this.rows).toHaveCount(count, { timeout: 60_000 });
  }
}

export type PlotId = 'plot-mass' | 'plot-utilization' | 'plot-eigenvalues' | 'plot-dlr-steps';

export class Plots {
  constructor(readonly page: Page) {}
  plot(id: PlotId | string): Locator {
    return this.page.getByTestId(id);
  }
  /** Drawn scatter traces of a plot (as plotly renders them in the SVG). */
  traces(id: PlotId | string): Locator {
    return this.plot(id).locator('.scatterlayer .trace');
  }
  /** The traces plotly currently holds for a plot (names and y values), read from its graph div. */
  traceData(id: PlotId | string): Promise<{ name: string; y: number[] }[]> {
    return this.plot(id).evaluate((div) =>
      ((div as unknown as { data?: { name?: string; y?: number[] }[] }).data ?? []).map((t) => ({
        name: t.name ?? '',
        y: Array.from(t.y ?? []),
      })),
    );
  }
  /** The x axis range plotly currently shows (axis units). */
  xRange(id: PlotId | string): Promise<number[]> {
    return this.plot(id).evaluate((div) => [
      ...(div as unknown as { _fullLayout: { xaxis: { range: number[] } } })._fullLayout.xaxis.range,
    ]);
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
 * twelve digits files, whose reference values are in expected-shared.json.
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

export const test = base.extend<{
  dropZone: DropZone;
  runsPanel: RunsPanel;
  table: CheckpointTable;
  plots: Plots;
}>({
  // (named `provide`, not `use`: the React hooks lint rule would take `use` for React's hook)
  dropZone: async ({ page }, provide) => provide(new DropZone(page)),
  runsPanel: async ({ page }, provide) => provide(new RunsPanel(page)),
  table: async ({ page }, provide) => provide(new CheckpointTable(page)),
  plots: async ({ page }, provide) => provide(new Plots(page)),
});

export { expect };
