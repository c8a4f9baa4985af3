// Bundles the CLI into one ES module so `npm run analyze` (and the installed `richscope` command,
// package.json `bin`) starts without transpiling TypeScript, and needs no installed dependency.
import { build } from 'esbuild';

// the second entry is the worker_threads script: shards of the moment pass and the helper of the metrics' halves
const entries = [
  ['src/cli/richscope.ts', 'dist-cli/richscope.mjs'],
  ['src/analysis/node-worker.ts', 'dist-cli/node-worker.mjs'],
];

export async function buildCli() {
  await Promise.all(entries.map(([entry, outfile]) => buildEntry(entry, outfile)));
}

async function buildEntry(entry, outfile) {
  // the command's file is run directly once installed (`npx richscope`): it starts with a shebang
  const shebang = outfile.endsWith('/richscope.mjs') ? '#!/usr/bin/env node\n' : '';
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
      js:
        shebang +
        "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildCli();
