/**
 * README.md: large `.npy` checkpoints run on worker threads whose share of the rows depends on the
 * machine's load, and `RICHSCOPE_THREADS=1` gives the single-thread stream, the same every time. The
 * bundled CLI (`npm run analyze`, rebuilt by scripts/run-cli.mjs when stale) is run as a user runs
 * it, on a checkpoint large enough for the threaded path.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyzeCheckpoint } from '../analysis/analyze-checkpoint';
import { defaultPlanThresholds } from '../analysis/plan';
import { createRandom } from '../core/random';
import { fileByteSource } from '../io/node-byte-source';
import { encodeNpy } from '../train/npz-writer';

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
