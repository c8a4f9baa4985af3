#!/usr/bin/env node
/**
 * Peak memory while a large float32 .npy is analysed: in the CLI (process RSS) and in Chromium (the
 * renderer process that holds the tab and its workers), against an idle baseline. The claim under
 * test: memory grows by about the moment matrices plus a few chunk buffers, not by the file size.
 *
 *   npm run build && node scripts/memory-check.mjs [--gb 2] [--p 256] [--skip-cli] [--skip-browser]
 *
 * Data goes to .bench/memory/ (gitignored): features.npy (n x p float32, about --gb GiB), logits.npy
 * (n x 10 float32), labels.npy (int64).
 */
import { chromium } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromiumArgs, chromiumPath, rendererRss } from './chromium.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const gib = Number(arg('gb', '2'));
const p = Number(arg('p', '256'));
const n = Math.floor((gib * 2 ** 30) / (4 * p));
const dir = path.resolve('.bench/memory');
const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);

function makeData() {
  const marker = path.join(dir, `shape-${n}x${p}`);
  if (existsSync(marker)) return;
  mkdirSync(dir, { recursive: true });
  console.log(`writing ${n} x ${p} float32 features (${mb(n * p * 4)} MiB) to ${dir}`);
  const script = `
import numpy as np, sys, pathlib
n, p, d = int(sys.argv[1]), int(sys.argv[2]), pathlib.Path(sys.argv[3])
rng = np.random.default_rng(0)
w = rng.standard_normal((p, 10)).astype(np.float32)
phi = np.lib.format.open_memmap(d / 'features.npy', mode='w+', dtype=np.float32, shape=(n, p))
logits = np.lib.format.open_memmap(d / 'logits.npy', mode='w+', dtype=np.float32, shape=(n, 10))
for s in range(0, n, 65536):
    e = min(n, s + 65536)
    x = np.maximum(rng.standard_normal((e - s, p), dtype=np.float32), 0)
    phi[s:e] = x
    logits[s:e] = x @ w
phi.flush(); logits.flush()
np.save(d / 'labels.npy', rng.integers(0, 10, n))
(d / f'shape-{n}x{p}').write_text('ok')`;
  execFileSync('python3', ['-c', script, String(n), String(p), dir], { stdio: 'inherit' });
}

async function browserPeak() {
  const port = 4181;
  const server = spawn(
    'npx',
    ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  const userDataDir = path.resolve('.bench/memory-profile');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    args: chromiumArgs,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    for (let i = 0; i < 60; i++) {
      try {
        await page.goto(`http://127.0.0.1:${port}/`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const rows = page.getByTestId('checkpoint-row');
    // Whatever the page starts with (the bundled examples on a first start, else the stored session
    // of an earlier run in this profile) is in before the baseline is taken: rows shown, no job left.
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="checkpoint-row"]').length > 0 &&
        document.querySelectorAll('[data-testid="job"]').length === 0,
      null,
      { timeout: 120_000 },
    );
    const before = await rows.count();
    const browserPid = findBrowserPid(userDataDir);
    await page.waitForTimeout(1500);
    const baseline = rendererRss(browserPid);
    let peak = baseline;
    const poll = setInterval(() => (peak = Math.max(peak, rendererRss(browserPid))), 100);
    const started = Date.now();
    await page
      .getByTestId('drop-zone')
      .locator('input[type=file]:not([webkitdirectory])')
      .setInputFiles(['features.npy', 'logits.npy', 'labels.npy'].map((f) => path.join(dir, f)));
    await page.waitForFunction(
      (count) =>
        document.querySelectorAll('[data-testid="checkpoint-row"]').length > count ||
        document.querySelector('[role="alert"]'),
      before,
      { timeout: 1_800_000, polling: 500 },
    );
    const seconds = (Date.now() - started) / 1000;
    clearInterval(poll);
    const alerts = await page.getByRole('alert').allTextContents();
    const added = await rows
      .nth(before)
      .getAttribute('data-dlr')
      .catch(() => null);
    return { seconds, baseline, peak, alerts, dlr: added };
  } finally {
    await context.close();
    try {
      process.kill(-server.pid);
    } catch {
      // already gone
    }
  }
}

/** The browser's main process: the oldest process started with this user-data dir. */
function findBrowserPid(userDataDir) {
  return execFileSync('pgrep', ['-o', '-f', `user-data-dir=${userDataDir}`])
    .toString()
    .trim()
    .split('\n')
    .map(Number)[0];
}

makeData();
const fileBytes = statSync(path.join(dir, 'features.npy')).size;
const momentBytes = (p + 10 + 10) ** 2 * 8;
console.log(`features.npy ${mb(fileBytes)} MiB; moment matrix ${mb(momentBytes)} MiB`);
if (!process.argv.includes('--skip-cli')) {
  const started = Date.now();
  const proc = spawn('/usr/bin/time', ['-f', '%M', 'node', 'scripts/run-cli.mjs', dir, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  await new Promise((resolve) => proc.on('close', resolve));
  const peakKiB = Number(stderr.trim().split('\n').pop());
  const record = JSON.parse(stdout)[0];
  console.log(
    `CLI: ${((Date.now() - started) / 1000).toFixed(1)} s, peak RSS ${mb(peakKiB * 1024)} MiB, D_LR ${record.dlr}`,
  );
}
if (!process.argv.includes('--skip-browser')) {
  const result = await browserPeak();
  console.log(
    `Chromium: ${result.seconds.toFixed(1)} s, renderer RSS baseline ${mb(result.baseline)} MiB, peak ${mb(result.peak)} MiB, ` +
      `growth ${mb(result.peak - result.baseline)} MiB, D_LR ${result.dlr}${result.alerts.length ? `; alerts: ${result.alerts.join(' | ')}` : ''}`,
  );
}
