// Bundles the CLI into one ES module so `npm run analyze` starts without transpiling TypeScript.
import { build } from 'esbuild';

export async function buildCli() {
  await build({
    entryPoints: ['src/cli/richscope.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: 'dist-cli/richscope.mjs',
    sourcemap: true,
    logLevel: 'warning',
    // some CommonJS dependencies (ml-matrix) call require(): give the ES bundle one
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildCli();
