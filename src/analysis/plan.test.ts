/** The plan's decisions, one case a line: shapes and sizes in, a path out. */
import { describe, expect, it } from 'vitest';

import type { TargetShape } from '../core/types';
import {
  besideOthers,
  gramPrecision,
  keepsPassThread,
  mayShardInPool,
  metricsOnTwoThreads,
  momentPassWork,
  outputHalfWork,
  planPoolShards,
  planThreadShards,
  sharedChunkSizes,
  shardBlockRows,
  type SplitSize,
} from './plan';

const none: TargetShape = { kind: 'none' };
const classes = (k: number): TargetShape => ({ kind: 'onehot', classes: k });

/** A split of `rows` rows, p features, c outputs; float32 arrays unless said. */
function split(rows: number, p: number, c: number, targets = none, float32 = true): SplitSize {
  const columns = p + c + (targets.kind === 'none' ? 0 : targets.kind === 'dense' ? targets.q : 1);
  return { rows, shape: { p, c, targets }, float32, columns };
}

const MiB = 1 << 20;
const binary = (bytes: number) => ({ bytes, binary: true });

describe('work', () => {
  it('counts a moment pass as rows x d^2, target columns included', () => {
    expect(momentPassWork(split(10, 3, 2))).toBe(10 * 5 * 5);
    expect(momentPassWork(split(10, 3, 2, classes(4)))).toBe(10 * 9 * 9);
    expect(momentPassWork(split(10, 3, 2, { kind: 'dense', q: 1 }))).toBe(10 * 6 * 6);
  });

  it('counts the output half as p^2 C + p C^2 + C^3', () => {
    expect(outputHalfWork(2048, 1000)).toBe(2048 ** 2 * 1000 + 2048 * 1000 ** 2 + 1000 ** 3);
  });
});

describe('Gram precision', () => {
  it.each([
    ['float32 arrays, a long pass', split(1250, 2000, 10), 'auto', 'float32'],
    ['float32 arrays, a short pass', split(1000, 2000, 10), 'auto', 'float64'],
    ['float64 arrays, a long pass', split(1250, 2000, 10, none, false), 'auto', 'float64'],
    ['asked for float64', split(1250, 2000, 10), 'float64', 'float64'],
    ['asked for float32', split(10, 2, 1, none, false), 'float32', 'float32'],
  ] as const)('%s: %s', (_, size, requested, expected) => {
    expect(gramPrecision(size, requested)).toBe(expected);
  });

  it('takes a threshold of its own', () => {
    expect(gramPrecision(split(10, 2, 1), 'auto', 0)).toBe('float32');
  });
});

describe('rows cut into shards', () => {
  it.each([
    [3049, 1375], // 2,048 features + 1,000 outputs + labels
    [10, 4096],
    [1e6, 256],
  ])('%i columns: %i rows a block', (columns, rows) => {
    expect(shardBlockRows(columns)).toBe(rows);
  });
});

describe('the browser pool', () => {
  it.each([
    ['8 MiB of binary files, 4 workers', [binary(8 * MiB)], 4, true],
    ['two files of 2 MiB', [binary(2 * MiB), binary(2 * MiB)], 4, true],
    ['3 MiB', [binary(3 * MiB)], 4, false],
    ['one worker', [binary(8 * MiB)], 1, false],
    ['a CSV among them', [binary(8 * MiB), { bytes: 10, binary: false }], 4, false],
  ] as const)('asks for a layout: %s -> %s', (_, files, workers, expected) => {
    expect(mayShardInPool([...files], workers)).toBe(expected);
  });

  it('keeps a small checkpoint on one worker', () => {
    expect(planPoolShards({ fit: split(1000, 100, 10), eval: null }, 4)).toBeNull(); // 1.2e7
    expect(planPoolShards({ fit: split(20000, 1024, 100), eval: null }, 1)).toBeNull();
  });

  it('gives two workers a big split to share from either end, and a short eval split one shard', () => {
    const plan = planPoolShards({ fit: split(20000, 1024, 100), eval: split(100, 1024, 100) }, 2);
    expect(plan?.shards).toEqual([
      { split: 'fit', start: 0, end: 20000, from: 'front' },
      { split: 'fit', start: 0, end: 20000, from: 'back' },
      { split: 'eval', start: 0, end: 100 },
    ]);
  });

  it('shares an eval split worth it too', () => {
    const plan = planPoolShards({ fit: split(20000, 1024, 100), eval: split(5000, 1024, 100) }, 2);
    expect(plan?.shards.filter((s) => s.split === 'eval')).toEqual([
      { split: 'eval', start: 0, end: 5000, from: 'front' },
      { split: 'eval', start: 0, end: 5000, from: 'back' },
    ]);
  });

  // shards as 'start-end' words, 'x2' for the two shards of a shared one
  it.each([
    [3, '0-11193x2 11193-20000'],
    [4, '0-11193x2 11193-20000x2'],
  ])('%i workers, in pairs on 3,731-row chunks: %s', (workers, expected) => {
    const shards = planPoolShards({ fit: split(20000, 1024, 100), eval: null }, workers)!.shards;
    const words = shards
      .filter((s) => s.from !== 'back')
      .map((s) => `${s.start}-${s.end}${s.from ? 'x2' : ''}`)
      .join(' ');
    expect(words).toBe(expected);
    expect(shards.filter((s) => s.from === 'back').length).toBe(workers === 4 ? 2 : 1);
  });

  it.each([
    ['C = 1,000', split(50000, 2048, 1000, classes(1000)), 'halves', 'float32', 1375],
    ['C = 100', split(20000, 1024, 100, classes(100)), 'whole', 'float32', 3728],
    ['float64 arrays', split(20000, 1024, 100, classes(100), false), 'whole', 'float64', 3728],
  ] as const)('%s: metrics %s, %s lanes, %i rows a block', (_, fit, metrics, precision, chunkRows) => {
    expect(planPoolShards({ fit, eval: null }, 4)).toMatchObject({ metrics, fit: { precision, chunkRows } });
  });
});

describe('the CLI threads', () => {
  const big = split(20000, 1024, 100); // 2.5e10 multiply-adds
  it.each([
    ['one thread', big, 1, null],
    ['too little work', split(4000, 256, 20), 8, null],
    ['too few rows for two chunks', split(3000, 2048, 100), 2, null],
  ] as const)('streams serially: %s', (_, size, threads, expected) => {
    expect(planThreadShards(size, threads, 4096)).toBe(expected);
  });

  // shards as 'start-end' words, 'x2' when a pair of threads shares one
  it.each([
    [2, '0-20000x2'],
    [3, '0-10240x2 10240-20000'],
    [4, '0-10240x2 10240-20000x2'],
    [5, '0-6144x2 6144-14336x2 14336-20000'],
  ])('%i threads: %s, on 2,048-row chunks', (threads, expected) => {
    const plan = planThreadShards(big, threads, 4096)!;
    const words = plan.shards.map((s) => `${s.start}-${s.end}${s.runners === 2 ? 'x2' : ''}`);
    expect([plan.chunkRows, words.join(' ')]).toEqual([2048, expected]);
  });

  it('keeps a smaller chunk that was asked for', () => {
    expect(planThreadShards(big, 2, 64)?.chunkRows).toBe(64);
  });

  it.each([
    [2048, 1000, true],
    [800, 10, true], // the spectrum's p^3 alone: 5.1e8
    [300, 120, false],
  ])('p = %i, C = %i: a helper thread for the metrics: %s', (p, c, expected) => {
    expect(metricsOnTwoThreads(p, c)).toBe(expected);
  });
});

describe('chunks of a shared shard', () => {
  it('are full at both ends and shrink toward the middle, to a quarter chunk', () => {
    // taken alternately from either end: 16 while four chunks are left, then a quarter of what is left
    expect(sharedChunkSizes(203, 16)).toEqual([
      16, 16, 16, 16, 16, 11, 6, 4, 4, 1, 4, 5, 9, 15, 16, 16, 16, 16,
    ]);
  });

  it.each([
    [50_000, 2048],
    [20_000, 2048],
    [4096, 2048],
    [1000, 2048],
    [7, 3],
  ])('%i rows in chunks of at most %i: every row once, large chunks outside', (rows, chunkRows) => {
    const sizes = sharedChunkSizes(rows, chunkRows);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(rows);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(chunkRows);
    const middle = sizes.indexOf(Math.min(...sizes));
    for (let i = 1; i <= middle; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]);
    for (let i = middle + 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThanOrEqual(sizes[i - 1]);
  });
});

describe("the pass's worker thread, kept for the metrics' helper", () => {
  // d = p + C + target columns; kept while d^2 float64 fit in a kept instance (64 MiB: d <= 2,896)
  it.each([
    [1024, 100, classes(100), true], // M: d = 1,124
    [2048, 848, none, true], // d = 2,896: 64 MiB exactly
    [2048, 849, none, false],
    [2048, 1000, classes(1000), false], // L: d = 3,048
    [2048, 800, { kind: 'dense', q: 100 } as TargetShape, false], // d = 2,948
  ])('p = %i, C = %i: %s', (p, c, targets, expected) => {
    expect(keepsPassThread({ p, c, targets })).toBe(expected);
  });
});

describe("the CLI's small checkpoints side by side", () => {
  it.each([
    ['a sweep checkpoint of 2.2 MB', 2.2e6, 1000, 2, true],
    ['just under the pool bytes', 4 * MiB - 1, 2, 2, true],
    ['the pool bytes', 4 * MiB, 2, 2, false],
    ['one thread', 2.2e6, 1000, 1, false],
    ['the only checkpoint', 2.2e6, 1, 8, false],
    ['a file that cannot be read', Infinity, 1000, 2, false],
  ] as const)('%s: %s', (_, bytes, checkpoints, threads, expected) => {
    expect(besideOthers(bytes, checkpoints, threads)).toBe(expected);
  });
});
