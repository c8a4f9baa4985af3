// The Learn view's trainer (src/train) for Node scripts: bundled on the fly with esbuild into a
// temporary module and imported, so scripts run the same TypeScript the browser runs.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** src/train's run, presets and npz writer as one module. */
export async function loadTrain() {
  const dir = mkdtempSync(join(tmpdir(), 'richscope-train-'));
  const outfile = join(dir, 'train.mjs');
  await build({
    stdin: {
      contents:
        "export * from './src/train/run'; export * from './src/train/presets'; export * from './src/train/npz-writer';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
