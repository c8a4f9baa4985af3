// What the benchmarks (`npm run bench`, `npm run bench:browser`) share: the seeded synthetic
// checkpoints (sizes, targets of issue 6, generation into .bench/<size>/ by scripts/bench-make-data.py),
// timed child processes and the NumPy float64 pipeline they are compared with.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');

export const SIZES = {
  Q: { n: 4000, p: 256, c: 20, seed: 5, target: null },
  S: { n: 10000, p: 512, c: 10, seed: 3, target: null },
  M: { n: 20000, p: 1024, c: 100, seed: 1, target: { time: 1.2 } },
  L: { n: 50000, p: 2048, c: 1000, seed: 2, target: { time: 0.85, rss: 0.5 } },
  // M with two earlier layers (layer1.npy, layer2.npy) for D_LR by layer: timed with and without them
  ML: { n: 20000, p: 1024, c: 100, seed: 4, target: null, layers: [1024, 1024] },
  // M and L with an eval split (train/ and test/, more rows of the same network): timed with and
  // without it (the held-out curves, docs/method.md §4.1); the speed targets are for the run without
  ME: { n: 20000, p: 1024, c: 100, seed: 1, target: null, evalRows: 5000 },
  LE: { n: 50000, p: 2048, c: 1000, seed: 2, target: null, evalRows: 10000 },
};

/**
 * The folder holding features.npy, logits.npy and labels.npy of a size (and layer1.npy, ... when it has
 * layers; in train/ and test/ when it has an eval split), generated when missing.
 */
export function ensureData(name) {
  const { n, p, c, seed, layers = [], evalRows = 0 } = SIZES[name];
  const dir = path.join(root, '.bench', name);
  const widths = layers.join(',');
  const marker =
    `${dir}/shape-${n}x${p}x${c}-seed${seed}` +
    (widths ? `-layers${widths}` : '') +
    (evalRows ? `-eval${evalRows}` : '');
  if (!existsSync(marker)) {
    console.log(
      `generating ${dir}: n=${n} p=${p} C=${c} layers [${widths}] eval rows ${evalRows} (seed ${seed})`,
    );
    const args = [dir, n, p, c, seed, widths, ...(evalRows ? [evalRows] : [])].map(String);
    execFileSync('python3', ['scripts/bench-make-data.py', ...args], { cwd: root, stdio: 'inherit' });
    writeFileSync(marker, '');
  }
  return dir;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs a command under /usr/bin/time; returns wall seconds, peak RSS (MB) and stdout. */
export function timed(command, args, env = process.env) {
  mkdirSync(path.join(root, '.bench'), { recursive: true });
  const timeFile = path.join(root, '.bench/time.txt');
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, command, ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  const [seconds, kb] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { seconds, rssMb: kb / 1024, stdout: result.stdout };
}

/**
 * One run of scripts/numpy_pipeline.py on a checkpoint folder, with OPENBLAS_CORETYPE /
 * OPENBLAS_L2_SIZE unset (they slow OpenBLAS on some CPUs): seconds, peak RSS (MB), D_LR, BLAS.
 */
export function runNumpyPipeline(dir) {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const run = timed('python3', ['scripts/numpy_pipeline.py', dir], env);
  const { dlr, blas } = JSON.parse(run.stdout);
  return { seconds: run.seconds, rssMb: run.rssMb, dlr, blas };
}
