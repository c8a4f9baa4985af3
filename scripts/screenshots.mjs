#!/usr/bin/env node
/**
 * Regenerates docs/screenshots/*.png (1280x720) of the main views from the built app (`npx vite build`
 * first): dashboard with the bundled examples (public/examples), checkpoint details, single-run mode
 * (the grokking run). Serves dist/ with `vite preview` on its own port and stops it afterwards.
 *
 *   node scripts/screenshots.mjs [--dark]      (RICHSCOPE_SCREENSHOT_PORT=4179 by default)
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromiumArgs, chromiumPath } from './chromium.mjs';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'docs/screenshots');
// Its own port (RICHSCOPE_SCREENSHOT_PORT), so it can run beside another checkout's preview or e2e.
const port = Number(process.env.RICHSCOPE_SCREENSHOT_PORT ?? 4179);
const base = `http://127.0.0.1:${port}`;
const dark = process.argv.includes('--dark');
// The bundled examples (public/examples, `npm run examples`): how many checkpoint rows they give.
const examples = JSON.parse(readFileSync(path.join(root, 'public/examples/manifest.json'), 'utf8'));
const exampleRows = examples.runs.reduce((sum, run) => sum + run.checkpoints.length, 0);

async function waitForServer(url, timeoutMs = 30_000) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`vite preview did not start at ${url}`);
}

const server = spawn(
  'npx',
  ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
  {
    cwd: root,
    stdio: 'ignore',
    detached: true,
  },
);

try {
  await waitForServer(base);
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
  });
  const page = await browser.newPage({
    viewport: { width: 1280, height: 720 },
    colorScheme: dark ? 'dark' : 'light',
  });
  const suffix = dark ? '-dark' : '';
  /**
   * Until plot `testId` shows at least `count` curves: painted on its canvas (the curves of the
   * spectra and of "D_LR over training") or drawn by plotly (the other plots).
   */
  const waitForCurves = (testId, count) =>
    page.waitForFunction(
      ([id, least]) => {
        const div = document.querySelector(`[data-testid="${id}"]`);
        const canvas = div?.parentElement?.querySelector('canvas.plot-curves');
        const drawn = canvas
          ? (canvas.drawnCurves?.length ?? 0)
          : (div?.querySelectorAll('.scatterlayer > .trace').length ?? 0);
        return drawn >= least;
      },
      [testId, count],
      { timeout: 30_000 },
    );
  const shoot = async (name) => {
    // Plotly transitions and font layout settle within a frame or two.
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(outDir, `${name}${suffix}.png`) });
    console.log(`docs/screenshots/${name}${suffix}.png`);
  };

  // Default view: the last step of each run (grokking at 1600, the others at 600).
  await page.goto(`${base}/#/`);
  await page
    .getByTestId('checkpoint-row')
    .nth(exampleRows - 1)
    .waitFor({ timeout: 60_000 });
  await waitForCurves('plot-mass', examples.runs.length);
  await shoot('dashboard');

  await page.goto(`${base}/#/?sel=learn-rich@600`);
  await waitForCurves('plot-rank-profile', 1);
  await page.getByTestId('checkpoint-details').scrollIntoViewIfNeeded();
  await shoot('checkpoint-details');

  // Grokking across its checkpoints: memorised (steps 100, 800), then generalised (1350, 1600).
  await page.goto(`${base}/#/?mode=checkpoints&run=learn-grokking`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await waitForCurves('plot-eigenvalues', 4);
  await shoot('single-run');

  await browser.close();
} finally {
  process.kill(-server.pid);
}
