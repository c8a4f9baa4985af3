import { describe, expect, it } from 'vitest';

import type { LogdirListing } from '../io/logdir-listing';
import { keepStoredStamps, planLogdirLoad, stampOf } from './logdir-plan';

/** A listing of 'path:size' items (modification time 1000 for all). */
function listing(...items: string[]): LogdirListing {
  return {
    name: 'runs',
    files: items.map((item) => {
      const [path, size] = item.split(':');
      return { path, size: Number(size ?? 1), mtimeMs: 1000 };
    }),
  };
}

/** What is loaded: 'path:size' items. */
const loaded = (...items: string[]) =>
  new Map(
    items.map((item) => [
      item.split(':')[0],
      stampOf({ size: Number(item.split(':')[1] ?? 1), mtimeMs: 1000 }),
    ]),
  );

const planned = (l: LogdirListing, stamps: Map<string, string>) =>
  planLogdirLoad(l, stamps).map((unit) => `${unit.run}: ${unit.files.map((f) => f.path).join(' + ')}`);

describe('planLogdirLoad', () => {
  it.each([
    [
      'everything, at first',
      listing('a/step_1_train.npz', 'b/step_1_train.npz'),
      loaded(),
      ['a: a/step_1_train.npz', 'b: b/step_1_train.npz'],
    ],
    ['nothing, when all is loaded', listing('a/step_1_train.npz'), loaded('a/step_1_train.npz'), []],
    [
      'a new checkpoint only',
      listing('a/step_1_train.npz', 'a/step_2_train.npz'),
      loaded('a/step_1_train.npz'),
      ['a: a/step_2_train.npz'],
    ],
    [
      'a file rewritten with another size',
      listing('a/step_1_train.npz:9'),
      loaded('a/step_1_train.npz:4'),
      ['a: a/step_1_train.npz'],
    ],
    [
      'fit and eval together when the test split lands later',
      listing('a/step_1_train.npz', 'a/step_1_test.npz'),
      loaded('a/step_1_train.npz'),
      ['a: a/step_1_train.npz + a/step_1_test.npz'],
    ],
    ['not a test split whose train split is not there yet', listing('a/step_1_test.npz'), loaded(), []],
    [
      'a moments file per run folder',
      listing('a/moments_step5.npz', 'b/moments_step5.npz'),
      loaded(),
      ['a: a/moments_step5.npz', 'b: b/moments_step5.npz'],
    ],
    [
      'step folders of three arrays as one checkpoint',
      listing('a/step_2/features.npy', 'a/step_2/logits.npy'),
      loaded('a/step_2/features.npy'),
      ['a: a/step_2/features.npy + a/step_2/logits.npy'],
    ],
    [
      "a run's step-less checkpoints together",
      listing('a/first.npz', 'a/second.npz', 'a/step_3.npz'),
      loaded('a/first.npz', 'a/step_3.npz'),
      ['a: a/first.npz + a/second.npz'],
    ],
    [
      'files at the top level as a run named after LOGDIR',
      listing('step_4/features.npy'),
      loaded(),
      ['runs: step_4/features.npy'],
    ],
  ])('loads %s', (_case, l, stamps, units) => {
    expect(planned(l, stamps)).toEqual(units);
  });
});

describe('keepStoredStamps', () => {
  const l = listing('a/step_1_train.npz', 'a/step_2_train.npz', 'a/step_2_test.npz', 'b/x.npz');
  const stored = loaded(
    'a/step_1_train.npz',
    'a/step_2_train.npz',
    'a/step_2_test.npz',
    'b/x.npz',
    'gone/step_1.npz',
  );

  it('keeps the stamps of checkpoints the store holds, drops the others', () => {
    const kept = keepStoredStamps(l, stored, (run, step) => run === 'a' && step === 2);
    expect([...kept.keys()]).toEqual(['a/step_2_train.npz', 'a/step_2_test.npz']);
    expect(planned(l, kept)).toEqual(['b: b/x.npz', 'a: a/step_1_train.npz']);
  });

  it('keeps nothing for an empty store', () => {
    expect(keepStoredStamps(l, stored, () => false).size).toBe(0);
  });
});
