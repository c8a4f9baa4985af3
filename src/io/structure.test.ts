import { describe, expect, it } from 'vitest';

import { layoutTree, type ArrayLeaf, type NamedParts, type ScalarLeaf } from './structure';
import { InputError } from './types';

/** A leaf standing for an array: its name says what it is ('f0' = features of batch 0). */
class Leaf implements ArrayLeaf {
  constructor(
    readonly name: string,
    readonly shape: number[],
    readonly unsupported: string | null = null,
  ) {}
}

const f = (name: string, rows = 5, cols = 4) => new Leaf(name, [rows, cols]);
const y = (name: string, rows = 5) => new Leaf(name, [rows]);
const dict = (entries: Record<string, unknown>) => new Map(Object.entries(entries));

const options = {
  isLeaf: (v: unknown): v is Leaf => v instanceof Leaf,
  stem: 'file',
  source: 'file.pt',
  maxVisits: 10_000,
};

/** 'key: part part' per named array; numbers as '=value'. */
const show = (named: NamedParts<Leaf | ScalarLeaf>[]) =>
  named.map(
    ({ key, parts }) =>
      `${key}: ${parts.map((p) => (p instanceof Leaf ? p.name : `=${(p as ScalarLeaf).value}`)).join(' ')}`,
  );

describe('layoutTree: how torch.save values name their arrays', () => {
  // one case per line: what was saved -> the named arrays (each with its parts in order)
  it.each<[string, unknown, string[]]>([
    ['a single tensor', f('x'), ['file: x']],
    ['a dict', dict({ features: f('F'), logits: f('L') }), ['features: F', 'logits: L']],
    ['a tuple of tensors', [f('F'), f('L'), y('Y')], ['arr_0: F', 'arr_1: L', 'arr_2: Y']],
    [
      'a list of per-batch dicts',
      [dict({ features: f('F0'), labels: y('Y0') }), dict({ features: f('F1'), labels: y('Y1') })],
      ['features: F0 F1', 'labels: Y0 Y1'],
    ],
    [
      'a list of per-batch tuples',
      [
        [f('F0'), y('Y0')],
        [f('F1'), y('Y1')],
        [f('F2'), y('Y2')],
      ],
      ['arr_0: F0 F1 F2', 'arr_1: Y0 Y1 Y2'],
    ],
    [
      'a dict of per-batch lists',
      dict({ features: [f('F0'), f('F1')], labels: [y('Y0'), y('Y1')] }),
      ['features: F0 F1', 'labels: Y0 Y1'],
    ],
    [
      'a list whose arrays differ in columns is positional',
      dict({ outputs: [f('A', 5, 4), f('B', 5, 3)] }),
      ['outputs.0: A', 'outputs.1: B'],
    ],
    ['one batch', [dict({ features: f('F0') })], ['features: F0']],
    [
      'nested dicts join keys with dots',
      dict({ model: dict({ 'fc.weight': f('W') }) }),
      ['model.fc.weight: W'],
    ],
    [
      'numbers become 0-d parts, per batch they stay parts',
      [dict({ features: f('F0'), loss: 0.5 }), dict({ features: f('F1'), loss: 0.25 })],
      ['features: F0 F1', 'loss: =0.5 =0.25'],
    ],
  ])('%s', (_, value, named) => {
    const layout = layoutTree(value, options);
    expect(show(layout.fit)).toEqual(named);
    expect(layout.eval).toBeNull();
  });

  it('reads {train, test} as the fit and eval splits, entries beside them with the fit split', () => {
    const layout = layoutTree(
      dict({
        train: dict({ features: f('Ftr'), labels: y('Ytr') }),
        test: [dict({ features: f('Fte0') }), dict({ features: f('Fte1') })],
        val: dict({ features: f('Fval') }),
        epoch: 3,
        names: ['a', 'b'],
      }),
      options,
    );
    expect(show(layout.fit)).toEqual(['features: Ftr', 'labels: Ytr', 'epoch: =3']);
    expect(layout.eval?.name).toBe('test');
    expect(show(layout.eval!.arrays)).toEqual(['features: Fte0 Fte1']);
    expect(layout.ignored).toEqual(['val (another eval split)', 'names (beside the train and test splits)']);
    expect(layout.notes).toEqual(['train and test: read as the fit and eval splits of one checkpoint']);
  });

  it('a train split alone keeps its key', () => {
    expect(show(layoutTree(dict({ train: dict({ features: f('F') }) }), options).fit)).toEqual([
      'train.features: F',
    ]);
  });

  it('names what it ignores, with why', () => {
    const layout = layoutTree(
      dict({ features: f('F'), name: 'rich', classes: new Leaf('C', [3], 'dtype <U4'), none: null }),
      options,
    );
    expect(show(layout.fit)).toEqual(['features: F']);
    expect(layout.ignored).toEqual(['name (a string)', 'classes (dtype <U4)', 'none (None)']);
  });

  it('refuses batches that hold different arrays', () => {
    const error = (() => {
      try {
        layoutTree([dict({ features: f('F0'), labels: y('Y0') }), dict({ features: f('F1') })], options);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problem).toBe(
      'batch 1 holds (features) where batch 0 holds (features, labels); every batch must hold the same arrays',
    );
  });

  it('refuses a pickle whose shared references stand for more entries than it has bytes', () => {
    // three levels of one list referenced 100 times each: 10^6 leaves from a few hundred bytes
    const leaf = f('F');
    const level1 = Array.from({ length: 100 }, () => leaf);
    const level2 = Array.from({ length: 100 }, () => level1);
    const level3 = Array.from({ length: 100 }, () => level2);
    expect(() => layoutTree(dict({ x: level3 }), { ...options, maxVisits: 5000 })).toThrow(
      'the pickle refers to its entries more than 5000 times (more than its bytes): refusing it',
    );
  });
});
