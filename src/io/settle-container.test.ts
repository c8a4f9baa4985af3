import { describe, expect, it } from 'vitest';

import { openContainer } from './open-container';
import { detectRoles } from './roles';
import { isParameterName } from './settle-container';
import { expected, fixtureSource, readAllRows } from './testing';
import { InputError } from './types';

async function problem(rel: string): Promise<string> {
  const error = await openContainer(fixtureSource(rel)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problem;
}

describe('isParameterName', () => {
  it.each([
    ['weight', true],
    ['fc.bias', true],
    ['layer1.0.bn1.running_mean', true],
    ['bn.running_var', true],
    ['bn.num_batches_tracked', true],
    ['attn.in_proj_weight', true],
    ['fc.weight_orig', true],
    ['blocks.0.attn.relative_position_bias_table', true],
    ['pos_embed', true],
    ['features', false],
    ['logits', false],
    ['weights_of_samples', false],
    ['labels', false],
  ])('%s -> %s', (key, want) => {
    expect(isParameterName(key)).toBe(want);
  });
});

describe('openContainer settles what role detection sees', () => {
  it('refuses a state_dict in one line, pointing to how activations are saved', async () => {
    expect(await problem('torch/state_dict.pt')).toBe(
      'these look like model weights (a state_dict: weight (3, 6), bias (3,)), not activations: save the penultimate-layer features and the logits of a forward pass instead, e.g. with attach() from python/richscope_export.py (docs/moments.md)',
    );
  });

  it('skips strings and takes a 0-d step from an .npz, naming what it skipped', async () => {
    const container = await openContainer(fixtureSource('npz/idiom_extras.npz'));
    expect(container.arrays.map((a) => a.key)).toEqual(['features', 'logits', 'labels']);
    expect(container.step).toBe(100);
    expect(container.notes).toEqual([
      'ignored arrays that are not numeric: class_names (<U4)',
      'step 100 from step (used when the file name has none)',
    ]);
  });

  it('takes a step only from a 0-d integer so named', async () => {
    const container = await openContainer(fixtureSource('npz/checkpoint_compressed.npz'));
    expect(container.step).toBeUndefined();
    const stored = await openContainer(fixtureSource('npz/checkpoint_stored.npz'));
    expect(stored.step).toBe(200);
  });

  it('reads a one-hot label matrix as class indices, zip and legacy alike', async () => {
    for (const rel of ['torch/idiom_onehot.pt', 'torch/idiom_onehot_legacy.pt']) {
      const container = await openContainer(fixtureSource(rel));
      const labels = container.arrays.find((a) => a.key === 'labels')!;
      expect([labels.shape, labels.cols, labels.integer]).toEqual([[13], 1, true]);
      const matrix = expected[rel].labels.values!;
      const indices = Array.from({ length: 13 }, (_, i) => matrix.slice(i * 3, i * 3 + 3).indexOf(1));
      expect(Array.from(await readAllRows(labels, 4))).toEqual(indices);
      expect(container.notes).toContain('labels (13, 3) is one-hot: read as class indices');
      expect(detectRoles(container.arrays).targetKind).toBe('onehot');
    }
  });

  it('keeps probabilities off the features and logits when logits exist', async () => {
    const container = await openContainer(fixtureSource('torch/idiom_probs.pt'));
    const roles = detectRoles(container.arrays);
    expect([roles.features.key, roles.logits.key, roles.labels?.key]).toEqual(['x', 'logits', 'labels']);
  });

  it('gives the eval split a file holds as the container’s evalSplit', async () => {
    const container = await openContainer(fixtureSource('torch/idiom_splits.pt'));
    expect(container.arrays.map((a) => `${a.key} ${a.rows}`)).toEqual(['features 9', 'logits 9', 'labels 9']);
    expect(container.evalSplit?.name).toBe('test');
    expect(container.evalSplit?.arrays.map((a) => `${a.key} ${a.rows}`)).toEqual([
      'features 4',
      'logits 4',
      'labels 4',
    ]);
    expect(container.step).toBe(3);
  });
});
