/**
 * The app's own example runs (public/examples, made by the Learn trainer) never trip its read-out
 * warning: every checkpoint's logits are the final layer's output of its features, read-out residual
 * at most 1e-4, and below the tolerance of the precision they are stored in.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { readoutWarning } from '../core/companion';
import { fileByteSource } from '../io/node-byte-source';
import { analyzeCheckpoint } from './analyze-checkpoint';

const dir = 'public/examples/';
const manifest = JSON.parse(readFileSync(`${dir}manifest.json`, 'utf8')) as { files: string[] };

describe('public/examples', () => {
  it('lists files', () => expect(manifest.files.length).toBeGreaterThanOrEqual(12));

  it.each(manifest.files.filter((f) => f.endsWith('.npz')))(
    '%s: logits are an affine function of the features',
    async (file) => {
      const source = await fileByteSource(`${dir}${file}`, file);
      try {
        const { metrics } = await analyzeCheckpoint(
          { fit: [source] },
          { jackknife: { groups: 0, budgetBytes: 0 } },
        );
        expect(metrics.readoutResidual).toBeLessThanOrEqual(1e-4);
        expect(metrics.storedPrecision).toBe('float32');
        expect(readoutWarning(metrics.readoutResidual, metrics.storedPrecision ?? null)).toBeNull();
      } finally {
        await source.close();
      }
    },
  );
});
