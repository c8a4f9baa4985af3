import { describe, expect, it } from 'vitest';

import { groupFiles } from './grouping';
import { compareLayerNames, detectLayers, isLayerName } from './layers';
import { detectRoles } from './roles';
import { arrayInfo, inputProblem } from './testing';
import type { ArrayInfo } from './types';

const info = arrayInfo;
const problem = inputProblem;

describe('isLayerName: which names are layers', () => {
  const cases: [string, boolean][] = [
    ['layer3', true],
    ['layer_3', true],
    ['layers.2', true],
    ['blocks.1', true],
    ['block4', true],
    ['hidden2', true],
    ['hidden.2', true],
    ['h1', true],
    ['transformer.h.3', true],
    ['act5', true],
    ['encoder.layer.7', true],
    ['encoder.layer.7.output', true],
    ['model.layer4.1', true],
    ['features.12', true],
    ['features', false],
    ['hidden', false],
    ['activations', false],
    ['layer', false],
    ['logits', false],
    ['layer3.logits', false],
    ['probs', false],
    ['labels', false],
    ['y', false],
    ['h', false],
    ['head', false],
    ['hx1', false],
  ];
  for (const [key, expected] of cases)
    it(`${key}: ${expected}`, () => expect(isLayerName(key)).toBe(expected));
});

describe('compareLayerNames: natural order', () => {
  it('puts layer2 before layer10 and encoder.layer.2 before encoder.layer.10', () => {
    expect(['layer10', 'layer2', 'layer1'].sort(compareLayerNames)).toEqual(['layer1', 'layer2', 'layer10']);
    expect(['encoder.layer.10', 'encoder.layer.2'].sort(compareLayerNames)).toEqual([
      'encoder.layer.2',
      'encoder.layer.10',
    ]);
  });
});

describe('roles and layers of a checkpoint', () => {
  const keysOf = (arrays: readonly ArrayInfo[]) => arrays.map((a) => a.key);
  const choose = (arrays: ArrayInfo[], overrides: Parameters<typeof detectRoles>[1] = {}) => {
    const roles = detectRoles(arrays, overrides, 'f.npz');
    return { roles, layers: detectLayers(arrays, roles, overrides.layers, 'f.npz') };
  };

  it('takes the last layer as the features when no array is named features', () => {
    const { roles, layers } = choose([
      info('layer10', [50, 8]),
      info('layer2', [50, 16]),
      info('layer1', [50, 4, 8]),
      info('logits', [50, 3]),
      info('labels', [50], true),
    ]);
    expect(roles.features.key).toBe('layer10');
    expect(roles.reasons).toContain('features: layer10 (the last layer)');
    expect(keysOf(layers.earlier)).toEqual(['layer1', 'layer2']);
  });

  it('keeps a features array last, after every layer', () => {
    const { roles, layers } = choose([
      info('features', [50, 8]),
      info('blocks.1', [50, 16]),
      info('blocks.0', [50, 16]),
      info('logits', [50, 3]),
    ]);
    expect(roles.features.key).toBe('features');
    expect(keysOf(layers.earlier)).toEqual(['blocks.0', 'blocks.1']);
  });

  it('is not confused by several hidden.N arrays (each names the features role)', () => {
    const { roles, layers } = choose([
      info('hidden.2', [9, 4]),
      info('hidden.1', [9, 4]),
      info('outputs', [9, 2]),
    ]);
    expect([roles.features.key, ...keysOf(layers.earlier)]).toEqual(['hidden.2', 'hidden.1']);
  });

  it('leaves out layers on other rows, with a note', () => {
    const { layers } = choose([info('features', [50, 8]), info('h1', [40, 8]), info('logits', [50, 3])]);
    expect(layers.earlier).toEqual([]);
    expect(layers.notes[0]).toMatch(/h1 looks like a layer but has 40 rows, not 50/);
  });

  it('without layers gives none', () => {
    expect(choose([info('features', [5, 4]), info('logits', [5, 2])]).layers.earlier).toEqual([]);
  });

  it('follows --layers: those arrays in that order, the last one the features', () => {
    const arrays = [info('a', [20, 3]), info('b', [20, 4]), info('c', [20, 5]), info('logits', [20, 2])];
    const { roles, layers } = choose(arrays, { layers: ['c', 'a', 'b'] });
    expect(roles.features.key).toBe('b');
    expect(keysOf(layers.earlier)).toEqual(['c', 'a']);
    const withFeatures = choose(arrays, { layers: ['c', 'a'], features: 'b' });
    expect([withFeatures.roles.features.key, ...keysOf(withFeatures.layers.earlier)]).toEqual([
      'b',
      'c',
      'a',
    ]);
  });

  it('refuses a --layers key that is missing, the logits, on other rows or puts the features early', () => {
    const arrays = [info('a', [20, 3]), info('b', [20, 4]), info('z', [19, 4]), info('logits', [20, 2])];
    expect(problem(() => choose(arrays, { layers: ['a', 'nope'] }))).toMatch(
      /no array named "nope" for --layers/,
    );
    expect(problem(() => choose(arrays, { layers: ['logits', 'a'] }))).toMatch(
      /logits holds the logits, not a layer/,
    );
    expect(problem(() => choose(arrays, { layers: ['z', 'a'] }))).toMatch(
      /layer z has 19 rows but features a has 20/,
    );
    expect(problem(() => choose(arrays, { layers: ['a', 'b'], features: 'a' }))).toMatch(/come last/);
  });
});

describe('grouping keeps layer files with their checkpoint', () => {
  it('layer1.npy, layer2.npy, features.npy and logits.npy are one checkpoint', () => {
    const runs = groupFiles(['run/layer1.npy', 'run/layer2.npy', 'run/features.npy', 'run/logits.npy']);
    expect(runs).toHaveLength(1);
    expect(runs[0].checkpoints).toHaveLength(1);
    expect(runs[0].checkpoints[0].splits.fit).toHaveLength(4);
  });
});
