/**
 * Every format, dtype, byte order, layout and version of fixtures/io gives the D_LR, NC1 and final
 * cumulative mass that float64 NumPy computes from the exactly decoded values (fixtures/io/expected_dlr.py).
 * Both sides compute in float64 from the same values: measured worst cases D_LR 2e-16, NC1 6e-15
 * relative, final mass 7e-11 (a few rows, so the last kept directions have eigenvalues near the
 * cut-off, whose eigenvectors are good to about 1e-16 of rho_1 / rho_k).
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { fileByteSource } from '../io/node-byte-source';
import type { RoleOverrides } from '../io/roles';
import { analyzeCheckpoint } from './analyze-checkpoint';

interface Case {
  name: string;
  files: string[];
  roles: RoleOverrides;
  dlr: number;
  nc1: number;
  mass_last: number;
}

const cases: Case[] = JSON.parse(readFileSync('fixtures/io/expected-dlr.json', 'utf8'));

describe('the same D_LR from every file format', () => {
  it('covers every format folder', () => {
    const folders = new Set(cases.flatMap((c) => c.files.map((f) => f.split('/')[0])));
    expect([...folders].sort()).toEqual(['csv', 'npy', 'npz', 'safetensors', 'torch']);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const sources = await Promise.all(c.files.map((f) => fileByteSource(`fixtures/io/${f}`, f)));
      try {
        const { metrics } = await analyzeCheckpoint({ fit: sources, roles: c.roles }, { chunkRows: 5 });
        expect(Math.abs(metrics.dlr - c.dlr)).toBeLessThanOrEqual(1e-10);
        expect(Math.abs(metrics.nc1! - c.nc1) / c.nc1).toBeLessThanOrEqual(1e-10);
        expect(Math.abs(metrics.mass![metrics.mass!.length - 1] - c.mass_last)).toBeLessThanOrEqual(1e-9);
      } finally {
        await Promise.all(sources.map((s) => s.close()));
      }
    });
  }
});
