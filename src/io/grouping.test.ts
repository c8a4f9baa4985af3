import { describe, expect, it } from 'vitest';

import { groupFiles, groupFilesWithErrors } from './grouping';

describe('groupFiles', () => {
  it('groups a folder drop: run folders, step folders, one checkpoint of three arrays', () => {
    const runs = groupFiles([
      'runA/step_200/features.npy',
      'runA/step_200/logits.npy',
      'runA/step_200/labels.npy',
      'runA/step_1000/features.npy',
      'runA/step_1000/logits.npy',
      'runB/step_5/all.npz',
    ]);
    expect(runs).toEqual([
      {
        run: 'runA',
        checkpoints: [
          {
            step: 200,
            label: 'step_200',
            splits: {
              fit: ['runA/step_200/features.npy', 'runA/step_200/labels.npy', 'runA/step_200/logits.npy'],
              eval: null,
            },
          },
          {
            step: 1000,
            label: 'step_1000',
            splits: { fit: ['runA/step_1000/features.npy', 'runA/step_1000/logits.npy'], eval: null },
          },
        ],
      },
      {
        run: 'runB',
        checkpoints: [{ step: 5, label: 'step_5', splits: { fit: ['runB/step_5/all.npz'], eval: null } }],
      },
    ]);
  });

  it('groups flat names with _train/_test suffixes, ordered by step', () => {
    const runs = groupFiles([
      'rich_step200_train.npz',
      'rich_step200_test.npz',
      'rich_step50_train.npz',
      'lazy_step50_train.npz',
    ]);
    expect(runs.map((r) => r.run)).toEqual(['lazy', 'rich']);
    expect(runs[1].checkpoints.map((c) => [c.step, c.splits.fit, c.splits.eval])).toEqual([
      [50, ['rich_step50_train.npz'], null],
      [200, ['rich_step200_train.npz'], ['rich_step200_test.npz']],
    ]);
  });

  it.each([
    ['m_epoch-3.pt', 3, 'epoch-3'],
    ['m_ckpt1000.pt', 1000, 'ckpt1000'],
    ['m_it5000.npz', 5000, 'it5000'],
    ['m_iter_5.npz', 5, 'iter_5'],
    ['m_step200.safetensors', 200, 'step200'],
  ])('parses the step of %s', (path, step, label) => {
    const [run] = groupFiles([path]);
    expect(run.run).toBe('m');
    expect(run.checkpoints[0]).toMatchObject({ step, label });
  });

  it('does not read a step out of words like "split5"', () => {
    expect(groupFiles(['split5.npz'])[0].checkpoints[0].step).toBeNull();
  });

  it('uses train/ and test/ folders as splits', () => {
    const [run] = groupFiles(['exp/train/step_10/acts.npz', 'exp/test/step_10/acts.npz']);
    expect(run.run).toBe('exp');
    expect(run.checkpoints).toEqual([
      {
        step: 10,
        label: 'step_10',
        splits: { fit: ['exp/train/step_10/acts.npz'], eval: ['exp/test/step_10/acts.npz'] },
      },
    ]);
  });

  it('uses train/ and test/ folders without a step', () => {
    expect(
      groupFiles(['digits/train/features.npy', 'digits/train/logits.npy', 'digits/test/features.npy']),
    ).toEqual([
      {
        run: 'digits',
        checkpoints: [
          {
            step: null,
            label: 'digits',
            splits: {
              fit: ['digits/train/features.npy', 'digits/train/logits.npy'],
              eval: ['digits/test/features.npy'],
            },
          },
        ],
      },
    ]);
  });

  it('treats a single unmarked file set as the fit split, without a step', () => {
    expect(groupFiles(['digits_train.npz', 'digits_test.npz'])).toEqual([
      {
        run: 'digits',
        checkpoints: [
          { step: null, label: 'digits', splits: { fit: ['digits_train.npz'], eval: ['digits_test.npz'] } },
        ],
      },
    ]);
    expect(groupFiles(['features.npy', 'logits.npy'])[0].checkpoints[0].splits).toEqual({
      fit: ['features.npy', 'logits.npy'],
      eval: null,
    });
  });

  it.each([
    ['runs/A/moments_step5.npz', 'A'],
    ['runs/A/activations_step5.npz', 'A'],
    ['runs/A/features-step5.npy', 'A'],
    ['runs/A/rich_step5.npz', 'rich'],
    ['moments_step5.npz', 'moments'],
  ])(
    '%s belongs to run %s (a prefix naming the contents is no run name when a folder gives one)',
    (path, run) => {
      expect(groupFiles([path])[0]).toMatchObject({ run, checkpoints: [{ step: 5 }] });
    },
  );

  it('keeps the moments files of two run folders apart', () => {
    const runs = groupFiles(['runs/A/moments_step5.npz', 'runs/B/moments_step5.npz']);
    expect(runs.map((r) => [r.run, r.checkpoints[0].splits.fit])).toEqual([
      ['A', ['runs/A/moments_step5.npz']],
      ['B', ['runs/B/moments_step5.npz']],
    ]);
  });

  it('lists what it cannot place, and why', () => {
    const { runs, unplaced } = groupFilesWithErrors([
      'notes.md',
      '.DS_Store',
      'a_step1_test.npz',
      'b_step1_train.npz',
    ]);
    expect(runs.map((r) => r.run)).toEqual(['b']);
    expect(unplaced).toEqual([
      { path: 'notes.md', problem: expect.stringMatching(/^not an array file/) as unknown },
      { path: '.DS_Store', problem: expect.stringMatching(/^not an array file/) as unknown },
      { path: 'a_step1_test.npz', problem: 'a test split without a train split for the same checkpoint' },
    ]);
  });

  it('groups the digits-mlp fixture names into two runs of three steps', () => {
    const names = ['rich', 'lazy'].flatMap((kind) =>
      [0, 150, 1500].flatMap((step) =>
        ['train', 'test'].map((split) => `digits-mlp/mlp96_${kind}_step${step}_${split}.npz`),
      ),
    );
    const runs = groupFiles(names);
    expect(runs.map((r) => [r.run, r.checkpoints.map((c) => c.step)])).toEqual([
      ['mlp96_lazy', [0, 150, 1500]],
      ['mlp96_rich', [0, 150, 1500]],
    ]);
    expect(runs[1].checkpoints[0].splits).toEqual({
      fit: ['digits-mlp/mlp96_rich_step0_train.npz'],
      eval: ['digits-mlp/mlp96_rich_step0_test.npz'],
    });
  });
});
