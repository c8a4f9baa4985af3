// A synthetic hyper-parameter sweep as a training loop writes it: OUT/run<K>/step_<N>_train.npz and
// step_<N>_test.npz (features float32 n x p, logits float32 n x C, labels int64 n). Run K moves its
// features from random directions towards its class means as training goes, faster for larger K, so
// the sweep spans rich and lazy checkpoints; the logits are an affine read-out of the features.
// Deterministic: the same arguments give the same bytes. Used by the sweep e2e test and
// `npm run bench:browser`.
// Usage: node scripts/make-sweep.mjs OUT [--runs 30] [--steps 10] [--rows 2000] [--p 128] [--classes 10]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadTrain } from './load-train.mjs';

/** xorshift32 uniforms in [0, 1), and standard normals from them (Box-Muller). */
function createRandom(seed) {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** One split of run `run` at training progress `t` in [0, 1]. */
function makeSplit({ rows, p, classes }, run, runs, t, seed) {
  const random = createRandom(seed);
  const normals = (count) => Float64Array.from({ length: count }, random.normal);
  const model = createRandom(1000 + run);
  const classMeans = Float64Array.from({ length: classes * p }, () => 2 * model.normal());
  // the read-out scores each class by its mean (so accuracy rises as the features collapse), plus noise
  const readout = Float64Array.from(
    { length: p * classes },
    (_, k) => (classMeans[(k % classes) * p + Math.floor(k / classes)] + model.normal()) / p,
  );
  const collapse = Math.min(1, t * (0.2 + (1.6 * run) / Math.max(1, runs - 1)));
  const labels = Int32Array.from({ length: rows }, (_, i) => i % classes);
  const noise = normals(rows * p);
  const features = new Float32Array(rows * p);
  const logits = new Float32Array(rows * classes);
  for (let i = 0; i < rows; i++) {
    const row = features.subarray(i * p, (i + 1) * p);
    for (let j = 0; j < p; j++)
      row[j] = collapse * classMeans[labels[i] * p + j] + (1 - 0.9 * collapse) * noise[i * p + j];
    for (let c = 0; c < classes; c++) {
      let sum = 0.1 * c;
      for (let j = 0; j < p; j++) sum += row[j] * readout[j * classes + c];
      logits[i * classes + c] = sum;
    }
  }
  // encodeSplitNpz writes the final layer's own output as `logits`: here that is the read-out itself
  return { n: rows, features, outputs: logits, logits, labels };
}

/** Writes the sweep; returns the files written, relative to `out`. */
export async function makeSweep(out, { runs = 30, steps = 10, rows = 2000, p = 128, classes = 10 } = {}) {
  const { encodeSplitNpz } = await loadTrain();
  const files = [];
  for (let run = 0; run < runs; run++) {
    mkdirSync(join(out, `run${run}`), { recursive: true });
    for (let s = 0; s < steps; s++) {
      const step = 100 * s;
      for (const [split, offset] of [
        ['train', 0],
        ['test', 1],
      ]) {
        const name = join(`run${run}`, `step_${step}_${split}.npz`);
        const data = makeSplit(
          { rows, p, classes },
          run,
          runs,
          s / Math.max(1, steps - 1),
          run * 7919 + s * 31 + offset,
        );
        writeFileSync(join(out, name), encodeSplitNpz(data));
        files.push(name);
      }
    }
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [outArg, ...rest] = process.argv.slice(2);
  if (!outArg || outArg.startsWith('--')) {
    console.error(
      'usage: node scripts/make-sweep.mjs OUT [--runs 30] [--steps 10] [--rows 2000] [--p 128] [--classes 10]',
    );
    process.exit(2);
  }
  const option = (name, fallback) => {
    const at = rest.indexOf(`--${name}`);
    return at >= 0 ? Number(rest[at + 1]) : fallback;
  };
  const shape = {
    runs: option('runs', 30),
    steps: option('steps', 10),
    rows: option('rows', 2000),
    p: option('p', 128),
    classes: option('classes', 10),
  };
  const files = await makeSweep(resolve(outArg), shape);
  console.log(
    `${files.length} files in ${resolve(outArg)}: ${shape.runs} runs x ${shape.steps} steps, ${shape.rows} x ${shape.p}, C = ${shape.classes}`,
  );
}
