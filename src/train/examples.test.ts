/**
 * public/examples/ (the runs the dashboard loads on first start) must match its generator
 * (scripts/make-examples.mjs): the first kept checkpoint of every run is re-trained here and
 * compared byte for byte. On failure, run `npm run examples` (the trainer or a preset changed). The
 * values the manifest records for every checkpoint are recomputed from its files by the float64 NumPy
 * reference (scripts/reference.py), which shares no code with the trainer; on those values the
 * grokking run shows what the Learn view's scenario 2 says it shows. The files' logits are the final
 * layer's own output h (src/analysis/examples-readout.test.ts holds them affine in the features);
 * the network's prediction alpha (h - h0) is not in the files, and its accuracies are recorded apart.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeSplitNpz } from './npz-writer';
import { presetById } from './presets';
import { createTrainer } from './trainer';

const dir = fileURLToPath(new URL('../../public/examples/', import.meta.url));

interface ManifestCheckpoint {
  step: number;
  dlr: number;
  dlrEnergy99: number;
  trainAccuracy: number;
  testAccuracy: number;
  networkTrainAccuracy: number;
  networkTestAccuracy: number;
}

const manifest = JSON.parse(readFileSync(`${dir}manifest.json`, 'utf8')) as {
  files: string[];
  runs: { run: string; preset: string; checkpoints: ManifestCheckpoint[] }[];
};

interface ReferenceValues {
  dlr: number;
  dlr_energy99: number;
  accuracy: number;
  eval_accuracy: number;
}

let referenceOfAll: Record<string, ReferenceValues> | null = null;

/** scripts/reference.py on `<name>_train.npz` (fit) and `<name>_test.npz` (eval) of every example checkpoint. */
function referenceValues(): Record<string, ReferenceValues> {
  if (referenceOfAll) return referenceOfAll;
  const names = manifest.runs.flatMap(({ run, checkpoints }) =>
    checkpoints.map((c) => `${run}_step${c.step}`),
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
  referenceOfAll = JSON.parse(execFileSync('python3', ['-c', script, dir, ...names]).toString());
  return referenceOfAll!;
}

describe('public/examples', () => {
  it('holds what the trainer produces now (the first kept checkpoint of every run)', () => {
    expect(manifest.runs.map((r) => r.preset)).toEqual(['rich', 'lazy-alpha', 'last-layer', 'grokking']);
    for (const { run, preset, checkpoints } of manifest.runs) {
      const step = checkpoints[0].step;
      const trainer = createTrainer(presetById(preset).options);
      trainer.train(step);
      const raw = trainer.snapshot();
      // Buffer.compare: a deep toEqual over 170 kB is needlessly slow.
      const same = (bytes: Uint8Array, file: string) =>
        Buffer.compare(Buffer.from(bytes), readFileSync(`${dir}${file}`));
      expect(same(encodeSplitNpz(raw.train), `${run}_step${step}_train.npz`), run).toBe(0);
      expect(same(encodeSplitNpz(raw.test), `${run}_step${step}_test.npz`), run).toBe(0);
    }
  });

  const checkpoints = manifest.runs.flatMap(({ run, checkpoints }) =>
    checkpoints.map((c) => ({ ...c, run, name: `${run}_step${c.step}` })),
  );

  it('records for every checkpoint the D_LR, dlrEnergy99 and accuracies NumPy computes from its files', () => {
    expect(checkpoints.length).toBeGreaterThanOrEqual(12);
    expect([...manifest.files].sort()).toEqual(
      checkpoints.flatMap(({ name }) => [`${name}_train.npz`, `${name}_test.npz`]).sort(),
    );
    const reference = referenceValues();
    for (const c of checkpoints) {
      const want = reference[c.name];
      // both in float64 from the same float32 activations
      expect(Math.abs(c.dlr - want.dlr), c.name).toBeLessThan(1e-10);
      expect(Math.abs(c.dlrEnergy99 - want.dlr_energy99), c.name).toBeLessThan(1e-10);
      expect(c.trainAccuracy, c.name).toBeCloseTo(want.accuracy, 12);
      expect(c.testAccuracy, c.name).toBeCloseTo(want.eval_accuracy, 12);
      // the network's own prediction is h itself where the output at initialisation is not subtracted
      if (c.run === 'learn-grokking') expect(c.networkTestAccuracy, c.name).toBe(c.testAccuracy);
    }
  });

  it('grokking: memorised, then the test accuracy jumps and D_LR and dlrEnergy99 fall (Learn, scenario 2)', () => {
    const grokking = checkpoints.filter((c) => c.run === 'learn-grokking');
    const reference = referenceValues();
    const at = (step: number) => reference[`learn-grokking_step${step}`];
    expect(grokking.map((c) => c.step)).toEqual([100, 800, 1350, 1600]);
    // memorised: train 100%, test near 0
    for (const step of [100, 800]) {
      expect(at(step).accuracy).toBeGreaterThanOrEqual(0.99);
      expect(at(step).eval_accuracy).toBeLessThanOrEqual(0.1);
    }
    // "dlrEnergy99 falls from 0.2-0.4 during memorisation to below 0.1 after the jump" (just before
    // the jump; early in memorisation, at step 100, it is still 0.47)
    expect(at(800).dlr_energy99).toBeGreaterThanOrEqual(0.2);
    expect(at(800).dlr_energy99).toBeLessThanOrEqual(0.4);
    for (const step of [1350, 1600]) {
      expect(at(step).eval_accuracy).toBeGreaterThanOrEqual(0.9);
      expect(at(step).dlr_energy99).toBeLessThan(0.1);
    }
    // the full D_LR falls from its memorisation level and is lowest while the test accuracy climbs
    expect(at(800).dlr).toBeLessThan(at(100).dlr);
    expect(at(1350).dlr).toBeLessThan(at(800).dlr);
  });
});
