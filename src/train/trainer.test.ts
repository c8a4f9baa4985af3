import { describe, expect, it } from 'vitest';
import { defaultMixtureTaskOptions } from './tasks';
import { checkpointSteps, trainingCheckpoints } from './run';
import {
  copyWeights,
  createTrainer,
  defaultTrainerOptions,
  effectiveLearningRate,
  shuffleLabels,
} from './trainer';
import type { TrainerOptions } from './trainer';
import { createPrng } from './prng';

/** A small, fast setting (a few ms per step). */
const small: TrainerOptions = {
  ...defaultTrainerOptions,
  task: { ...defaultMixtureTaskOptions, dim: 8, trainSize: 120, testSize: 80 },
  width: 16,
  steps: 40,
  checkpointEvery: 10,
};

describe('createTrainer', () => {
  it('is deterministic: same options and seed give bit-identical weights and metrics', () => {
    const run = () => [...trainingCheckpoints(small)].map((c) => c.measured!.metrics);
    const a = createTrainer(small);
    const b = createTrainer(small);
    a.train(25);
    b.train(25);
    const wa = copyWeights(a);
    const wb = copyWeights(b);
    wa.weights.forEach((w, l) => expect(Array.from(w)).toEqual(Array.from(wb.weights[l])));
    expect(run()).toEqual(run());
    const c = createTrainer({ ...small, seed: 1 });
    c.train(25);
    expect(Array.from(copyWeights(c).weights[0])).not.toEqual(Array.from(wa.weights[0]));
  });

  it('reduces the training loss with Adam and with SGD', () => {
    for (const optimizer of ['adam', 'sgd'] as const) {
      const t = createTrainer({
        ...small,
        optimizer,
        learningRate: optimizer === 'sgd' ? 0.5 : 3e-3,
        steps: 60,
      });
      const start = t.snapshot().trainLoss;
      t.train(60);
      expect(t.snapshot().trainLoss).toBeLessThan(0.7 * start);
    }
  });

  it('starts at f = 0 when centred (f = alpha (h - h0)) and leaves the features alone with last-layer-only training', () => {
    const t = createTrainer({ ...small, lastLayerOnly: true });
    const before = t.snapshot();
    expect(before.train.logits.every((v) => v === 0)).toBe(true);
    t.train(20);
    const after = t.snapshot();
    expect(Array.from(after.train.features)).toEqual(Array.from(before.train.features));
    expect(after.trainLoss).toBeLessThan(before.trainLoss);
  });

  it('trains with mini-batches deterministically', () => {
    const o = { ...small, batchSize: 32 };
    const a = createTrainer(o);
    const b = createTrainer(o);
    a.train(15);
    b.train(15);
    expect(Array.from(a.net.weights[1])).toEqual(Array.from(b.net.weights[1]));
  });

  it('scales the step size by 1/alpha^2 (SGD) and 1/alpha (Adam)', () => {
    expect(effectiveLearningRate({ learningRate: 1, alpha: 10, optimizer: 'sgd' })).toBeCloseTo(0.01, 12);
    expect(effectiveLearningRate({ learningRate: 1, alpha: 10, optimizer: 'adam' })).toBeCloseTo(0.1, 12);
  });

  it('refuses impossible options with a precise message', () => {
    expect(() => createTrainer({ ...small, alpha: 0 })).toThrow(/alpha must be > 0/);
    expect(() => createTrainer({ ...small, width: 0 })).toThrow(/width/);
  });
});

describe('shuffleLabels', () => {
  it('keeps the class counts and changes about the requested share', () => {
    const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 4);
    const out = shuffleLabels(labels, 1, createPrng(1));
    for (let c = 0; c < 4; c++) expect(out.filter((v) => v === c).length).toBe(250);
    const changed = out.filter((v, i) => v !== labels[i]).length;
    expect(changed).toBeGreaterThan(650); // ~3/4 change class when all are permuted
    expect(Array.from(shuffleLabels(labels, 0, createPrng(1)))).toEqual(Array.from(labels));
  });
});

describe('trainingCheckpoints', () => {
  it('follows the schedule and measures every checkpoint through the core', () => {
    expect(checkpointSteps({ steps: 45, checkpointEvery: 10, centerAtInit: true })).toEqual([
      10, 20, 30, 40, 45,
    ]);
    expect(checkpointSteps({ steps: 20, checkpointEvery: 10, centerAtInit: false })).toEqual([0, 10, 20]);
    const all = [...trainingCheckpoints(small)];
    expect(all.map((c) => c.raw.step)).toEqual([10, 20, 30, 40]);
    for (const { measured } of all) {
      expect(measured).not.toBeNull();
      const m = measured!.metrics;
      expect(m.dlr).toBeGreaterThanOrEqual(0);
      expect(m.dlr).toBeLessThanOrEqual(1 + 1e-9);
      expect(m.n).toBe(120);
      expect(m.evalN).toBe(80);
      expect(m.p).toBe(16);
      expect(m.accuracy).not.toBeNull();
    }
  });
});
