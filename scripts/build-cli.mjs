// Bundles the CLI into one ES module so `npm run analyze` starts without transpiling TypeScript.
import { build } from 'esbuild';

// the second entry is the worker_threads script: moment-pass row ranges and the output half of the metrics
const entries = [
  ['src/cli/richscope.ts', 'dist-cli/richscope.mjs'],
  ['src/analysis/node-worker.ts', 'dist-cli/node-worker.mjs'],
];

export async function buildCli() {
  await Promise.all(entries.map(([entry, outfile]) => buildEntry(entry, outfile)));
}

async function buildEntry(entry, outfile) {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    sourcemap: true,
    logLevel: 'warning',
    // some CommonJS dependencies (ml-matrix) call require(): give the ES bundle one
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildCli();
