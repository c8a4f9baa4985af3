/**
 * README.md: large `.npy` checkpoints run on worker threads whose share of the rows depends on the
 * machine's load, and `RICHSCOPE_THREADS=1` gives the single-thread stream, the same every time; a
 * sweep's small checkpoints run side by side, one per thread, with the same output as one at a time.
 * The bundled CLI (`npm run analyze`, rebuilt by scripts/run-cli.mjs when stale) is run as a user
 * runs it, on a checkpoint large enough for the threaded path, and on a small sweep.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyzeCheckpoint } from '../analysis/analyze-checkpoint';
import { defaultPlanThresholds } from '../analysis/plan';
import { createRandom } from '../core/random';
import { fileByteSource } from '../io/node-byte-source';
import { encodeNpy, encodeNpz } from '../train/npz-writer';
import { enableRelaxedSimd } from './relaxed-simd';

// the CLI turns on relaxed SIMD, whose fused products round differently: the stream it is held
// against here runs the same kernels
enableRelaxedSimd();

// 20,000 x 512 float32 features and 10 logits: rows x (p + C)^2 = 5.4e9 multiply-adds, above the
// work from which the CLI starts threads
const [rows, p, c] = [20_000, 512, 10];
let folder = '';

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'richscope-threads-'));
  const random = createRandom(17);
  const latent = 8;
  const mixing = Float32Array.from({ length: latent * p }, () => random() - 0.5);
  const readout = Float32Array.from({ length: p * c }, () => random() - 0.5);
  const features = new Float32Array(rows * p);
  const logits = new Float32Array(rows * c);
  const labels = new BigInt64Array(rows);
  const code = new Float32Array(latent);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < latent; k++) code[k] = random() - 0.5;
    for (let j = 0; j < p; j++) {
      let v = 0.05 * (random() - 0.5);
      for (let k = 0; k < latent; k++) v += code[k] * mixing[k * p + j];
      features[i * p + j] = Math.max(0, v);
    }
    let best = 0;
    for (let k = 0; k < c; k++) {
      let v = 0;
      for (let j = 0; j < p; j++) v += features[i * p + j] * readout[j * c + k];
      logits[i * c + k] = v + 0.1 * (random() - 0.5);
      if (logits[i * c + k] > logits[i * c + best]) best = k;
    }
    labels[i] = BigInt(best);
  }
  writeFileSync(join(folder, 'features.npy'), encodeNpy({ data: features, shape: [rows, p] }));
  writeFileSync(join(folder, 'logits.npy'), encodeNpy({ data: logits, shape: [rows, c] }));
  writeFileSync(join(folder, 'labels.npy'), encodeNpy({ data: labels, shape: [rows] }));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

const cliJson = (env: Record<string, string>): string =>
  execFileSync(process.execPath, ['scripts/run-cli.mjs', folder, '--json'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });

describe('RICHSCOPE_THREADS=1', () => {
  it('gives byte-identical JSON on two runs, equal to the single-thread stream', async () => {
    expect(rows * (p + c) ** 2).toBeGreaterThanOrEqual(defaultPlanThresholds.threadMinWork);
    const first = cliJson({ RICHSCOPE_THREADS: '1' });
    const second = cliJson({ RICHSCOPE_THREADS: '1' });
    expect(second).toBe(first);

    const sources = await Promise.all(
      ['features', 'logits', 'labels'].map((name) => fileByteSource(join(folder, `${name}.npy`))),
    );
    const serial = await analyzeCheckpoint({ fit: sources }).finally(() =>
      Promise.all(sources.map((s) => s.close())),
    );
    const [record] = JSON.parse(first);
    expect(record.n).toBe(rows);
    for (const field of ['dlr', 'dlrEnergy99', 'rankProfile', 'rho', 'utilization', 'mass', 'nc1'] as const)
      expect(record[field], field).toEqual(serial.metrics[field]);
  });
});

describe('a sweep of small checkpoints', () => {
  let sweep = '';
  const cli = (threads: string) =>
    spawnSync(process.execPath, ['scripts/run-cli.mjs', sweep, '--json'], {
      env: { ...process.env, RICHSCOPE_THREADS: threads },
      encoding: 'utf8',
      timeout: 120_000,
    });

  /** A checkpoint of `rows` x 24 features and 5 classes: features a noisy code of the label. */
  function checkpoint(seed: number, rows: number, labelRows = rows): Uint8Array {
    const random = createRandom(seed);
    const [p, c] = [24, 5];
    const features = new Float32Array(rows * p);
    const logits = new Float32Array(rows * c);
    const labels = new BigInt64Array(labelRows);
    for (let i = 0; i < rows; i++) {
      const label = i % c;
      if (i < labelRows) labels[i] = BigInt(label);
      for (let j = 0; j < p; j++) features[i * p + j] = (j % c === label ? 1 : 0) + 0.3 * (random() - 0.5);
      for (let k = 0; k < c; k++) logits[i * c + k] = (k === label ? 2 : 0) + random() - 0.5;
    }
    return encodeNpz({
      features: { data: features, shape: [rows, p] },
      logits: { data: logits, shape: [rows, c] },
      labels: { data: labels, shape: [labelRows] },
    });
  }

  beforeAll(() => {
    sweep = mkdtempSync(join(tmpdir(), 'richscope-sweep-'));
    for (const run of ['run0', 'run1', 'run2']) {
      mkdirSync(join(sweep, run));
      for (let step = 0; step < 4; step++) {
        const seed = 100 * Number(run.slice(3)) + step;
        writeFileSync(join(sweep, run, `step_${step}_train.npz`), checkpoint(seed, 300 + 40 * step));
        writeFileSync(join(sweep, run, `step_${step}_test.npz`), checkpoint(seed + 50, 200));
      }
    }
  });

  afterAll(() => rmSync(sweep, { recursive: true, force: true }));

  it('gives the same JSON side by side as one at a time, in the same order', () => {
    const [serial, beside] = [cli('1'), cli('2')];
    expect([serial.status, beside.status]).toEqual([0, 0]);
    expect(beside.stdout).toBe(serial.stdout);
    const records = JSON.parse(beside.stdout) as { run: string; step: number; dlr: number }[];
    expect(records.map((r) => `${r.run}/${r.step}`)).toEqual(
      ['run0', 'run1', 'run2'].flatMap((run) => [0, 1, 2, 3].map((step) => `${run}/${step}`)),
    );
    expect(records.every((r) => r.dlr > 0 && r.dlr < 1)).toBe(true);
  });

  it('reports the first bad checkpoint in order, as one at a time does', () => {
    // a checkpoint that fails late (its labels are read with its rows) before one that fails at once
    writeFileSync(join(sweep, 'run1', 'step_1_train.npz'), checkpoint(7, 300, 299));
    writeFileSync(join(sweep, 'run1', 'step_3_train.npz'), new Uint8Array([1, 2, 3]));
    const [serial, beside] = [cli('1'), cli('2')];
    expect([serial.status, beside.status]).toEqual([2, 2]);
    expect(beside.stderr).toBe(serial.stderr);
    expect(beside.stderr).toContain(join('run1', 'step_1_train.npz'));
    expect(beside.stdout).toBe('');
  });
});
