import { describe, expect, it } from 'vitest';
import { isSideFile, planAnalysis } from './file-intake';

describe('isSideFile', () => {
  it.each([
    ['sweep/README.md', true],
    ['sweep/readme.txt', true],
    ['LICENSE', true],
    ['run1/notes.txt', true],
    ['run1/config.json', true],
    ['run1/train.log', true],
    ['run1/.DS_Store', true],
    ['run1/._features.npy', true],
    ['run1/step_5/features.npy', false],
    ['rich_step200_train.npz', false],
    ['acts.csv', false],
    ['features.txt', false],
    ['model.pt', false],
    ['old.richscope.json', false],
  ])('%s → %s', (path, side) => expect(isSideFile(path)).toBe(side));
});

describe('planAnalysis', () => {
  const file = (path: string) => ({ file: new Blob(['x']), path });

  it('skips side files quietly and plans the rest', () => {
    const plan = planAnalysis([
      file('sweep/README.md'),
      file('sweep/run1/config.json'),
      file('sweep/run1/step_5/features.npz'),
      file('sweep/bundle.richscope.json'),
    ]);
    expect(plan.skipped).toEqual(['sweep/README.md', 'sweep/run1/config.json']);
    expect(plan.unplaced).toEqual([]);
    expect(plan.bundles.map((b) => b.path)).toEqual(['sweep/bundle.richscope.json']);
    expect(plan.checkpoints.map((c) => [c.run, c.step])).toEqual([['run1', 5]]);
  });

  it('still reports data files it cannot place', () => {
    const plan = planAnalysis([file('rich_step5_test.npz')]);
    expect(plan.skipped).toEqual([]);
    expect(plan.unplaced.map((u) => u.path)).toEqual(['rich_step5_test.npz']);
  });
});
