/**
 * The TypeScript pipeline (parsers + streamed moments + core) against the float64 NumPy reference
 * (scripts/reference.py) on real trained-network activations, with the tolerances of the foundation issue.
 * Every fixture set with an expected.json is checked: the repo's own, and ../shared/fixtures when present
 * (data the code was not tuned on).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { fileByteSource } from '../io/node-byte-source';
import { analyzeCheckpoint } from './analyze-checkpoint';

interface Expected {
  n: number;
  p: number;
  C: number;
  r: number;
  dlr: number;
  dlr_energy99: number;
  r99: number;
  rho: number[];
  mass: number[] | null;
  utilization: number[];
  nc1: number | null;
  participation_ratio: number;
  linear_cka_distance: number;
  readout_residual?: number;
  accuracy?: number | null;
  eval_accuracy?: number | null;
}

const fixtureSets = ['fixtures/digits-mlp', 'fixtures/teacher-mlp', '../shared/fixtures'].filter((dir) =>
  existsSync(join(dir, 'expected.json')),
);

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

for (const dir of fixtureSets) {
  const expected: Record<string, Expected> = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  describe(`agreement with the NumPy reference: ${dir}`, () => {
    for (const [name, want] of Object.entries(expected)) {
      const fitPath = join(dir, `${name}_train.npz`);
      const evalPath = join(dir, `${name}_test.npz`);
      if (!existsSync(fitPath)) continue;
      it(name, async () => {
        const fit = await fileByteSource(fitPath);
        const evalSource = existsSync(evalPath) ? await fileByteSource(evalPath) : null;
        const { metrics } = await analyzeCheckpoint(
          { fit: [fit], eval: evalSource ? [evalSource] : undefined },
          { chunkRows: 500 },
        );
        await fit.close();
        await evalSource?.close();

        expect([metrics.n, metrics.p, metrics.C, metrics.r, metrics.r99]).toEqual([
          want.n,
          want.p,
          want.C,
          want.r,
          want.r99,
        ]);
        expect(Math.abs(metrics.dlr - want.dlr)).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(metrics.dlrEnergy99 - want.dlr_energy99)).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(metrics.linearCkaDistance - want.linear_cka_distance)).toBeLessThanOrEqual(1e-6);
        expect(metrics.rho.length).toBe(want.rho.length);
        metrics.rho.forEach((rho, k) => expect(relative(rho, want.rho[k])).toBeLessThanOrEqual(1e-6));
        expect(relative(metrics.participationRatio, want.participation_ratio)).toBeLessThanOrEqual(1e-6);
        const visible = want.rho.filter((rho) => rho / want.rho[0] >= 1e-6).length;
        for (let k = 0; k < visible; k++) {
          expect(Math.abs(metrics.utilization[k] - want.utilization[k])).toBeLessThanOrEqual(1e-5);
          if (want.mass) expect(Math.abs(metrics.mass![k] - want.mass[k])).toBeLessThanOrEqual(1e-5);
        }
        if (want.mass === null) expect(metrics.mass).toBeNull();
        if (want.nc1 === null) expect(metrics.nc1).toBeNull();
        else expect(relative(metrics.nc1!, want.nc1)).toBeLessThanOrEqual(1e-6);
        if (want.readout_residual !== undefined)
          expect(Math.abs(metrics.readoutResidual - want.readout_residual)).toBeLessThanOrEqual(1e-6);
        if (want.accuracy !== undefined) expect(metrics.accuracy).toBe(want.accuracy);
        if (want.eval_accuracy !== undefined) expect(metrics.evalAccuracy).toBe(want.eval_accuracy);
      });
    }
  });
}

describe('fixture discovery', () => {
  it('finds the repo fixture set', () => {
    expect(fixtureSets).toContain('fixtures/digits-mlp');
    expect(
      readdirSync('fixtures/digits-mlp').filter((f) => f.endsWith('_train.npz')).length,
    ).toBeGreaterThanOrEqual(6);
  });
});
