/**
 * public/examples/ (the runs the dashboard loads on first start) must match its generator
 * (scripts/make-examples.mjs): the first kept checkpoint of the rich preset is re-trained here and
 * compared byte for byte. On failure, run `npm run examples` (the trainer or a preset changed).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeNpz } from './npz-writer';
import { richPreset } from './presets';
import { createTrainer } from './trainer';
import type { SplitActivations } from './trainer';

const dir = fileURLToPath(new URL('../../public/examples/', import.meta.url));

function npzOf(split: SplitActivations): Uint8Array {
  const p = split.features.length / split.n;
  const c = split.logits.length / split.n;
  return encodeNpz({
    features: { data: split.features, shape: [split.n, p] },
    logits: { data: split.logits, shape: [split.n, c] },
    labels: { data: BigInt64Array.from(split.labels, (v) => BigInt(v)), shape: [split.n] },
  });
}

describe('public/examples', () => {
  it('holds what the trainer produces now (rich preset, step 20)', () => {
    const trainer = createTrainer(richPreset.options);
    trainer.train(20);
    const raw = trainer.snapshot();
    // Buffer.compare: a deep toEqual over 170 kB is needlessly slow.
    const same = (bytes: Uint8Array, file: string) =>
      Buffer.compare(Buffer.from(bytes), readFileSync(`${dir}${file}`));
    expect(same(npzOf(raw.train), 'learn-rich_step20_train.npz')).toBe(0);
    expect(same(npzOf(raw.test), 'learn-rich_step20_test.npz')).toBe(0);
    const manifest = JSON.parse(readFileSync(`${dir}manifest.json`, 'utf8')) as { files: string[] };
    expect(manifest.files).toContain('learn-rich_step20_train.npz');
  });
});
