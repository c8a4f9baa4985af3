/** Test helpers of src/analysis (Node only). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { temporaryFolder } from '../io/testing';

/**
 * Bundles node-worker.ts into a temporary folder, as scripts/build-cli.mjs does for the CLI, so tests
 * run the real worker_threads path; returns the script's path.
 */
export async function bundleNodeWorker(): Promise<string> {
  const outfile = join(temporaryFolder('richscope-node-worker-'), 'node-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./node-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return outfile;
}
