/**
 * public/examples/ (the runs the dashboard loads on first start) must match its generator
 * (scripts/make-examples.mjs): the first kept checkpoint of the rich preset is re-trained here and
 * compared byte for byte. On failure, run `npm run examples` (the trainer or a preset changed). The
 * values the manifest records for every checkpoint are recomputed from its files by the float64 NumPy
 * reference (scripts/reference.py), which shares no code with the trainer.
 */
import { execFileSync } from 'node:child_process';
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

  it('records for every checkpoint the D_LR, dlrEnergy99 and accuracies NumPy computes from its files', () => {
    const manifest = JSON.parse(readFileSync(`${dir}manifest.json`, 'utf8')) as {
      files: string[];
      runs: {
        run: string;
        checkpoints: {
          step: number;
          dlr: number;
          dlrEnergy99: number;
          trainAccuracy: number;
          testAccuracy: number;
        }[];
      }[];
    };
    const checkpoints = manifest.runs.flatMap(({ run, checkpoints }) =>
      checkpoints.map((c) => ({ ...c, name: `${run}_step${c.step}` })),
    );
    expect(checkpoints.length).toBeGreaterThanOrEqual(12);
    expect(manifest.files.sort()).toEqual(
      checkpoints.flatMap(({ name }) => [`${name}_train.npz`, `${name}_test.npz`]).sort(),
    );
    const script = `
import json, sys
sys.path.insert(0, 'scripts')
import reference
folder, names = sys.argv[1], sys.argv[2:]
out = {}
for name in names:
    m = reference.analyze(reference.load(f'{folder}{name}_train.npz'), reference.load(f'{folder}{name}_test.npz'))
    out[name] = {k: m[k] for k in ('dlr', 'dlr_energy99', 'accuracy', 'eval_accuracy')}
print(json.dumps(out))`;
    const reference = JSON.parse(
      execFileSync('python3', ['-c', script, dir, ...checkpoints.map((c) => c.name)]).toString(),
    ) as Record<string, { dlr: number; dlr_energy99: number; accuracy: number; eval_accuracy: number }>;
    for (const c of checkpoints) {
      const want = reference[c.name];
      // both in float64 from the same float32 activations
      expect(Math.abs(c.dlr - want.dlr), c.name).toBeLessThan(1e-10);
      expect(Math.abs(c.dlrEnergy99 - want.dlr_energy99), c.name).toBeLessThan(1e-10);
      expect(c.trainAccuracy, c.name).toBeCloseTo(want.accuracy, 12);
      expect(c.testAccuracy, c.name).toBeCloseTo(want.eval_accuracy, 12);
    }
  });
});
