import { describe, expect, it } from 'vitest';

import { openNpy } from './npy';
import { detectRoles, validateLabels } from './roles';
import { arrayInfo, fixtureSource, inputProblem } from './testing';
import { InputError, type ArrayInfo } from './types';

const info = arrayInfo;
const problem = inputProblem;

describe('detectRoles', () => {
  it('assigns by name, including dotted suffixes and singular forms', () => {
    const roles = detectRoles([
      info('model.Features', [100, 64]),
      info('logit', [100, 10]),
      info('Y', [100], true),
      info('step', [], true),
    ]);
    expect([roles.features.key, roles.logits.key, roles.labels?.key]).toEqual([
      'model.Features',
      'logit',
      'Y',
    ]);
    expect(roles.targetKind).toBe('onehot');
    expect(roles.reasons).toEqual([
      'features: model.Features (by name)',
      'logits: logit (by name)',
      'labels: Y (by name)',
    ]);
  });

  it('assigns by shape: integer column -> labels, wider -> features, narrower -> logits', () => {
    const roles = detectRoles([
      info('arr_0', [50, 32]),
      info('arr_1', [50, 4]),
      info('arr_2', [50, 1], true),
    ]);
    expect([roles.features.key, roles.logits.key, roles.labels?.key]).toEqual(['arr_0', 'arr_1', 'arr_2']);
  });

  it('works without labels', () => {
    const roles = detectRoles([info('phi', [50, 32]), info('outputs', [50, 4])]);
    expect(roles.labels).toBeNull();
    expect(roles.targetKind).toBe('none');
  });

  it('takes overrides by key', () => {
    const roles = detectRoles([info('a', [50, 4]), info('b', [50, 32]), info('c', [50], true)], {
      features: 'a',
      logits: 'b',
    });
    expect([roles.features.key, roles.logits.key, roles.labels?.key]).toEqual(['a', 'b', 'c']);
    expect(roles.reasons[0]).toBe('features: a (chosen by hand)');
  });

  it('refuses an override that names no array', () => {
    expect(problem(() => detectRoles([info('a', [5, 4])], { features: 'zz' }))).toBe(
      'no array named "zz" for features; found: a (5, 4) float32',
    );
  });

  it('refuses ambiguous names, saying what to rename or which flag fixes it', () => {
    expect(problem(() => detectRoles([info('features', [9, 4]), info('model.features', [9, 4])]))).toMatch(
      /^ambiguous features: features \(9, 4\) float32 and model\.features \(9, 4\) float32 all look like features; rename all but one so that a single array is named features, or choose one with --features KEY \(CLI\)$/,
    );
  });

  it('refuses when the roles cannot be told apart by shape', () => {
    expect(problem(() => detectRoles([info('a', [9, 4]), info('b', [9, 4])]))).toMatch(
      /^cannot tell which array holds the features \(penultimate-layer activations\); found: a \(9, 4\) float32, b \(9, 4\) float32\. Name it features, or choose it with --features KEY \(CLI\)$/,
    );
  });

  it('refuses a missing logits array', () => {
    expect(problem(() => detectRoles([info('features', [9, 4])]))).toMatch(
      /^cannot tell which array holds the logits/,
    );
  });

  it('names both counts when rows differ', () => {
    expect(problem(() => detectRoles([info('features', [100, 8]), info('logits', [90, 3])]))).toBe(
      'row counts differ: features features has 100 rows but logits logits has 90; all arrays must cover the same samples in the same order',
    );
  });

  it('notes n <= p', () => {
    const roles = detectRoles([info('features', [20, 64]), info('logits', [20, 3])]);
    expect(roles.notes).toEqual(['n <= p: spectrum truncated to rank n-1 (n = 20, p = 64)']);
  });

  it('treats a 2-D labels array as dense targets', () => {
    const roles = detectRoles([info('features', [20, 4]), info('logits', [20, 3]), info('targets', [20, 3])]);
    expect(roles.targetKind).toBe('dense');
  });
});

describe('detectRoles: probabilities beside logits', () => {
  it.each<[string, ArrayInfo[], string, string]>([
    ['by name', [info('x', [50, 8]), info('logits', [50, 4]), info('probs', [50, 4])], 'x', 'logits'],
    [
      'named like outputs',
      [info('features', [50, 8]), info('logits', [50, 4]), info('softmax_outputs', [50, 4])],
      'features',
      'logits',
    ],
    ['by shape', [info('h', [50, 8]), info('probabilities', [50, 4]), info('logit', [50, 4])], 'h', 'logit'],
  ])('%s: never the logits or the features', (_, arrays, features, logits) => {
    const roles = detectRoles(arrays);
    expect([roles.features.key, roles.logits.key]).toEqual([features, logits]);
  });

  it('takes probabilities as the logits only when nothing else can be, with a note', () => {
    const roles = detectRoles([info('features', [50, 8]), info('probs', [50, 4])]);
    expect(roles.logits.key).toBe('probs');
    expect(roles.notes).toContain(
      'logits: probs looks like probabilities (after softmax); D_LR is defined on the outputs before it: save the logits if you can',
    );
  });

  it('gives no role to arrays without columns', () => {
    const roles = detectRoles([info('features', [50, 8]), info('logits', [50, 4]), info('y', [50, 0], true)]);
    expect(roles.labels).toBeNull();
  });
});

describe('validateLabels', () => {
  it('returns the largest label', () => {
    expect(validateLabels(Float64Array.from([0, 3, 1]), 'f', 0)).toBe(3);
  });

  it('refuses negative labels with their row', () => {
    expect(problem(() => validateLabels(Float64Array.from([0, 1, -1]), 'f', 100))).toBe(
      'labels: row 102 is -1; labels must be class indices >= 0',
    );
  });

  it('refuses non-integer labels with their row', () => {
    expect(problem(() => validateLabels(Float64Array.from([0.5]), 'f', 7))).toBe(
      'labels: row 7 is 0.5, not an integer class index; labels must be integers 0, 1, 2, ...',
    );
  });

  it.each([
    ['npy/labels_negative.npy', /^labels: row \d+ is -1; labels must be class indices >= 0$/],
    ['npy/labels_fractional.npy', /^labels: row 0 is \d\.5, not an integer class index/],
  ])('refuses %s while streaming it', async (rel, message) => {
    const reader = (await openNpy(fixtureSource(rel))).arrays[0];
    let offset = 0;
    const run = async () => {
      for await (const block of reader.readRows(4)) {
        validateLabels(block, rel, offset);
        offset += block.length;
      }
    };
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problem).toMatch(message);
  });
});
