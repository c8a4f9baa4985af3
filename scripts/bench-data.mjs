// The seeded synthetic checkpoints of the benchmarks (`npm run bench`, `npm run bench:browser`):
// sizes, targets of issue 6, and generation into .bench/<size>/ by scripts/bench-make-data.py.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');

export const SIZES = {
  Q: { n: 4000, p: 256, c: 20, seed: 5, target: null },
  S: { n: 10000, p: 512, c: 10, seed: 3, target: null },
  M: { n: 20000, p: 1024, c: 100, seed: 1, target: { time: 1.5 } },
  L: { n: 50000, p: 2048, c: 1000, seed: 2, target: { time: 1.0, rss: 0.5 } },
};

/** The folder holding features.npy, logits.npy and labels.npy of a size, generated when missing. */
export function ensureData(name) {
  const { n, p, c, seed } = SIZES[name];
  const dir = path.join(root, '.bench', name);
  const marker = `${dir}/shape-${n}x${p}x${c}-seed${seed}`;
  if (!existsSync(marker)) {
    console.log(`generating ${dir}: n=${n} p=${p} C=${c} (seed ${seed})`);
    execFileSync(
      'python3',
      ['scripts/bench-make-data.py', dir, String(n), String(p), String(c), String(seed)],
      { cwd: root, stdio: 'inherit' },
    );
    writeFileSync(marker, '');
  }
  return dir;
}
