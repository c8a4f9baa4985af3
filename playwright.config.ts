import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';
import { enableRelaxedSimd } from './src/cli/relaxed-simd';

// Chromium runs the kernels with relaxed SIMD; specs that hold the page's numbers against the same
// code run here to the bit (e2e/learn.spec.ts) need it in every worker process too, before any kernel
// is compiled: each worker loads this file first.
enableRelaxedSimd();

// Several checkouts can run e2e on one machine: each picks its own preview port.
const port = Number(process.env.RICHSCOPE_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  // a failure is a finding: a retry would hide a flaky test as surely as a flaky app
  retries: 0,
  // A worker a core, each taking a spec file at a time: every test opens its own page on the one
  // preview server, so files share nothing but the machine. The main-thread thresholds (FREEZE_MS)
  // leave room for the other worker's load.
  workers: 2,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: process.env.CI ? 'retain-on-failure' : 'off',
    launchOptions: {
      executablePath: chromiumPath,
      args: chromiumArgs,
    },
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
