/**
 * The Learn view's first scenario, as a student runs it: the same network trained rich (alpha = 1),
 * lazy (alpha = 100) and last layer only ends with the rich D_LR well below both lazy ones. The
 * trainer's own measurement is checked against the float64 NumPy reference (scripts/reference.py) on
 * the final activations, so the claim does not rest on the code that makes it.
 * (scripts/learn-acceptance.mjs prints these numbers and the other scenarios' for tuning.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { measureCheckpoint } from './measure';
import { encodeSplitNpz } from './npz-writer';
import { lastLayerPreset, lazyAlphaPreset, richPreset, RICH_LAZY_MIN_GAP, type Preset } from './presets';
import { createTrainer } from './trainer';

/** The preset trained to its last step: the trainer's D_LR, and the reference's from the same activations. */
function finalDlr(preset: Preset, folder: string): { trainer: number; reference: number } {
  const trainer = createTrainer(preset.options);
  trainer.train(preset.options.steps);
  const raw = trainer.snapshot();
  const fit = join(folder, `${preset.id}_train.npz`);
  const evalFile = join(folder, `${preset.id}_test.npz`);
  writeFileSync(fit, encodeSplitNpz(raw.train));
  writeFileSync(evalFile, encodeSplitNpz(raw.test));
  const reference = JSON.parse(
    execFileSync('python3', ['scripts/reference.py', fit, '--eval', evalFile]).toString(),
  ) as { dlr: number };
  return { trainer: measureCheckpoint(raw, trainer.dataset.classes).metrics.dlr, reference: reference.dlr };
}

describe('Learn view, scenario 1: lazy or rich', () => {
  it(`ends with the rich D_LR at least ${RICH_LAZY_MIN_GAP} below each lazy setting`, () => {
    const folder = mkdtempSync(join(tmpdir(), 'richscope-learn-'));
    try {
      const [rich, lazyAlpha, lastLayer] = [richPreset, lazyAlphaPreset, lastLayerPreset].map((preset) =>
        finalDlr(preset, folder),
      );
      for (const run of [rich, lazyAlpha, lastLayer]) {
        // both float64 from the same float32 activations
        expect(Math.abs(run.trainer - run.reference)).toBeLessThan(1e-10);
      }
      for (const lazy of [lazyAlpha, lastLayer]) {
        expect(lazy.reference - rich.reference).toBeGreaterThanOrEqual(RICH_LAZY_MIN_GAP);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    // three full runs of 600 steps: about 30 s of one core
  }, 300_000);
});
