/**
 * The training settings behind the Learn view's three guided scenarios and the bundled example runs.
 * Tuned so the effects show on a 2-core laptop within a minute (numbers: `node scripts/learn-acceptance.mjs`).
 */
import { defaultMixtureTaskOptions } from './tasks';
import type { ModularTaskOptions } from './tasks';
import { defaultTrainerOptions } from './trainer';
import type { TrainerOptions } from './trainer';

export type ScenarioId = 'lazy-vs-rich' | 'grokking' | 'shuffled-labels';

/** One named setting of a scenario (a run the student starts with one click). */
export interface Preset {
  /** stable id, also the run name prefix (kebab-case) */
  id: string;
  label: string;
  options: TrainerOptions;
}

/**
 * Scenario 1's promise, which the presets are tuned to keep: at the last step the rich run's D_LR is
 * at least this far below each lazy setting's (checked by learn-acceptance.test.ts and
 * scripts/learn-acceptance.mjs).
 */
export const RICH_LAZY_MIN_GAP = 0.3;

/** Gaussian mixture, full training, alpha = 1: the rich reference of scenarios 1 and 3. */
export const richPreset: Preset = {
  id: 'rich',
  label: 'rich: all layers, α = 1',
  options: { ...defaultTrainerOptions, task: defaultMixtureTaskOptions },
};

/** Chizat-Bach lazy limit: the same network with its output scaled by alpha = 100. */
export const lazyAlphaPreset: Preset = {
  id: 'lazy-alpha',
  label: 'lazy: α = 100',
  options: { ...richPreset.options, alpha: 100 },
};

/** Only the read-out trains: the features stay those of initialisation. */
export const lastLayerPreset: Preset = {
  id: 'last-layer',
  label: 'lazy: last layer only',
  options: { ...richPreset.options, lastLayerOnly: true },
};

export const grokkingTask: ModularTaskOptions = { kind: 'modular', modulus: 23, trainFraction: 0.7, seed: 1 };

/**
 * Grokking on (a + b) mod 23: large initial weights (x3) memorise the training pairs first; AdamW's
 * weight decay then shrinks them until features form and the test accuracy jumps.
 */
export const grokkingPreset: Preset = {
  id: 'grokking',
  label: 'grokking: AdamW, weight decay 1',
  options: {
    ...defaultTrainerOptions,
    task: grokkingTask,
    width: 96,
    depth: 2,
    initScale: 3,
    centerAtInit: false,
    optimizer: 'adam',
    learningRate: 1e-2,
    weightDecay: 1,
    steps: 1600,
    checkpointEvery: 50,
  },
};

/** The same without weight decay: memorisation only (within the step budget). */
export const noDecayPreset: Preset = {
  id: 'no-decay',
  label: 'no weight decay',
  options: { ...grokkingPreset.options, weightDecay: 0 },
};

/**
 * Scenario 3 reference: true labels, trained long with AdamW weight decay (which drives the features
 * to collapse onto the classes).
 */
export const trueLabelsPreset: Preset = {
  id: 'true-labels',
  label: 'true labels, weight decay 1',
  options: { ...richPreset.options, weightDecay: 1, steps: 1500, checkpointEvery: 50 },
};

/** Every training label permuted: the network can only memorise, and with weight decay it does so richly. */
export const shuffledPreset: Preset = {
  id: 'shuffled',
  label: 'shuffled labels, weight decay 1',
  options: { ...trueLabelsPreset.options, labelShuffle: 1 },
};

/** The same memorisation without weight decay: it stays lazy (D_LR measures how, not what, was learned). */
export const shuffledNoDecayPreset: Preset = {
  id: 'shuffled-no-decay',
  label: 'shuffled labels, no weight decay',
  options: { ...shuffledPreset.options, weightDecay: 0 },
};

export const SCENARIO_PRESETS: Record<ScenarioId, Preset[]> = {
  'lazy-vs-rich': [richPreset, lazyAlphaPreset, lastLayerPreset],
  grokking: [grokkingPreset, noDecayPreset],
  'shuffled-labels': [trueLabelsPreset, shuffledPreset, shuffledNoDecayPreset],
};

/** Looks a preset up by id; throws on unknown ids. */
export function presetById(id: string): Preset {
  for (const presets of Object.values(SCENARIO_PRESETS)) {
    const found = presets.find((p) => p.id === id);
    if (found) return found;
  }
  throw new RangeError(`unknown preset: ${id}`);
}
