/**
 * The browser's sharded moment pass gives what the serial stream gives: for every fixture format that
 * can be read by row range, the shards merged equal `analyzeCheckpoint` and the NumPy reference; the
 * rest, and NaN/Inf rows, are declined so the serial path (and its messages) take over.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { Moments } from '../core/types';
import { bytesByteSource } from '../io/byte-source';
import { fileByteSource } from '../io/node-byte-source';
import type { RoleOverrides } from '../io/roles';
import { InputError, type ByteSource } from '../io/types';
import { encodeNpy, encodeNpz } from '../train/npz-writer';
import { analyzeCheckpoint, type CheckpointInput } from './analyze-checkpoint';
import {
  accumulateCheckpointShard,
  finishCheckpointShards,
  readCheckpointLayout,
  type ShardableCheckpoint,
} from './checkpoint-shards';
import { defaultPlanThresholds, splitPass, type SplitSize } from './plan';
import type { ShardTask } from './shard';

interface Case {
  name: string;
  files: string[];
  roles: RoleOverrides;
  dlr: number;
}

const cases: Case[] = JSON.parse(readFileSync('fixtures/io/expected-dlr.json', 'utf8'));

/**
 * A split's rows cut at the given fractions: uneven shards, with the pass the plan gives the split
 * and the jackknife's groups (the fit split's, as the shard job gives them).
 */
function cut(
  split: 'fit' | 'eval',
  size: SplitSize,
  fractions: number[],
  thresholds = defaultPlanThresholds,
  groups = 0,
): ShardTask[] {
  const edges = [0, ...fractions.map((f) => Math.round(size.rows * f)), size.rows];
  const pass = splitPass(size, thresholds);
  return edges
    .slice(1)
    .map((end, k) => ({ split, start: edges[k], end, shape: size.shape, ...pass, groups }));
}

/** The layout of a checkpoint that the shards can take (fails the test otherwise). */
async function shardable(input: CheckpointInput): Promise<ShardableCheckpoint> {
  const layout = await readCheckpointLayout(input);
  if (layout.kind !== 'shardable') throw new Error(`declined: ${layout.reason}`);
  return layout;
}

/** The whole shard protocol in one thread: layout, every shard, finish. */
async function analyzeInShards(
  input: CheckpointInput,
  fractions = [0.3, 0.55],
  thresholds = defaultPlanThresholds,
) {
  const layout = await shardable(input);
  const parts = async (split: 'fit' | 'eval', size: SplitSize) => {
    const out: Moments[] = [];
    const groups = split === 'fit' ? (layout.jackknife?.groups ?? 0) : 0;
    for (const task of cut(split, size, fractions, thresholds, groups)) {
      const result = await accumulateCheckpointShard(input, task);
      if (result.kind !== 'moments') throw new Error('a shard declined');
      out.push(result.moments);
    }
    return out;
  };
  const fit = await parts('fit', layout.fit);
  const evalParts = layout.eval ? await parts('eval', layout.eval) : null;
  const precision = splitPass(layout.fit, thresholds).precision;
  return { layout, precision, analysis: finishCheckpointShards(layout, fit, evalParts) };
}

/** Same counts and shapes; scatter and means equal up to a relative Frobenius error `tolerance`. */
function expectSameMoments(actual: Moments, expected: Moments, tolerance: number) {
  expect({ ...actual, mean: null, scatter: null }).toEqual({ ...expected, mean: null, scatter: null });
  const relative = (a: Float64Array, b: Float64Array) => {
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < b.length; i++) {
      diff += (a[i] - b[i]) ** 2;
      norm += b[i] ** 2;
    }
    return Math.sqrt(diff / Math.max(norm, 1e-300));
  };
  expect(relative(actual.scatter, expected.scatter)).toBeLessThanOrEqual(tolerance);
  expect(relative(actual.mean, expected.mean)).toBeLessThanOrEqual(tolerance);
}

async function withSources<T>(files: string[], body: (sources: ByteSource[]) => Promise<T>): Promise<T> {
  const sources = await Promise.all(files.map((f) => fileByteSource(`fixtures/io/${f}`, f)));
  try {
    return await body(sources);
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}

describe('shards merged equal the serial stream', () => {
  // rows scattered in the file: Fortran order (the NumPy arrays inside torch.save have Fortran
  // logits), strided torch views; or no random access: deflated, text
  const unrangeable = /fortran|idiom numpy|deflated|csv|tsv|view (window|every_other_row|images)/;

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    await withSources(c.files, async (sources) => {
      const input = { fit: sources, roles: c.roles };
      const layout = await readCheckpointLayout(input);
      expect(layout.kind).toBe(unrangeable.test(name) ? 'serial' : 'shardable');
      if (layout.kind === 'serial') return;
      const { analysis, precision } = await analyzeInShards(input);
      // the serial stream with the Gram precision the plan chose (float32 lanes for float32 arrays)
      const serial = await analyzeCheckpoint(input, { chunkRows: 5, gramPrecision: precision });
      const float32 = precision === 'float32';
      expectSameMoments(analysis.fit, serial.fit, float32 ? 1e-7 : 1e-13);
      expect(Math.abs(analysis.metrics.dlr - c.dlr)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(analysis.metrics.dlr - serial.metrics.dlr)).toBeLessThanOrEqual(float32 ? 1e-6 : 1e-10);
      expect(analysis.metrics.dlrStdErr === null).toBe(serial.metrics.dlrStdErr === null);
      if (serial.metrics.dlrStdErr !== null)
        expect(Math.abs(analysis.metrics.dlrStdErr! - serial.metrics.dlrStdErr)).toBeLessThanOrEqual(
          float32 ? 1e-6 : 1e-10,
        );
      expect(analysis.notes).toEqual(serial.notes);
      expect(analysis.roles).toEqual(serial.roles);
    });
  });

  it('covers every format that reads by row range', async () => {
    const formats = new Set(
      cases.filter((c) => !unrangeable.test(c.name)).flatMap((c) => c.files.map((f) => f.split('/')[0])),
    );
    expect([...formats].sort()).toEqual(['npy', 'npz', 'safetensors', 'torch']);
  });

  it('merges fit and eval splits with their classes lined up, in float32 lanes for float32 arrays', async () => {
    const rows = { fit: 700, eval: 300 };
    const make = (n: number, seed: number) => {
      const features = new Float32Array(n * 12);
      const logits = new Float32Array(n * 4);
      const labels = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 12; j++) features[i * 12 + j] = Math.max(0, Math.sin(seed + i * 0.7 + j * 1.3));
        for (let j = 0; j < 4; j++) logits[i * 4 + j] = features[i * 12 + j] - features[i * 12 + j + 4];
        labels[i] = BigInt((i * 7 + seed) % 4);
      }
      return encodeNpz({
        features: { data: features, shape: [n, 12] },
        logits: { data: logits, shape: [n, 4] },
        labels: { data: labels, shape: [n] },
      });
    };
    const input = {
      fit: [bytesByteSource(make(rows.fit, 1), 'a_train.npz')],
      eval: [bytesByteSource(make(rows.eval, 2), 'a_test.npz')],
    };
    // float32 lanes from any size (by default only for passes of 5e9 multiply-adds and more)
    const { layout, precision, analysis } = await analyzeInShards(input, [0.1, 0.5, 0.9], {
      ...defaultPlanThresholds,
      float32MinWork: 0,
    });
    expect(precision).toBe('float32');
    expect(layout.fit).toMatchObject({ rows: 700, float32: true, columns: 12 + 4 + 1 });
    expect(layout.eval).toMatchObject({ rows: 300, shape: { targets: { kind: 'onehot', classes: 4 } } });
    // against exact float64 products: within the float32 lanes' documented error
    const serial = await analyzeCheckpoint(input, { gramPrecision: 'float64' });
    expectSameMoments(analysis.fit, serial.fit, 1e-7);
    expectSameMoments(analysis.eval!, serial.eval!, 1e-7);
    expect(analysis.metrics.accuracy).toBe(serial.metrics.accuracy);
    expect(analysis.metrics.evalAccuracy).toBe(serial.metrics.evalAccuracy);
    expect(Math.abs(analysis.metrics.dlr - serial.metrics.dlr)).toBeLessThanOrEqual(1e-7);
    // uneven ranges, each row in its group by its index in the split: the serial jackknife
    expect(serial.metrics.dlrStdErr).toBeGreaterThan(0);
    expect(Math.abs(analysis.metrics.dlrStdErr! - serial.metrics.dlrStdErr!)).toBeLessThanOrEqual(1e-7);
    analysis.metrics.utilization.forEach((x, k) =>
      expect(Math.abs(x - serial.metrics.utilization[k])).toBeLessThanOrEqual(1e-6),
    );
  });
});

describe('what the shards decline', () => {
  it('plans the serial stream for deflated npz, Fortran order, CSV and moments files', async () => {
    for (const files of [
      ['npz/checkpoint_compressed.npz'],
      ['npy/features_fortran.npy', 'npy/logits_column.npy', 'npy/labels_i8.npy'],
      ['csv/table_header.csv'],
      ['npz/moments.npz'],
    ]) {
      const layout = await withSources(files, (fit) => readCheckpointLayout({ fit }));
      expect(layout, files.join(' + ')).toMatchObject({ kind: 'serial' });
    }
  });

  it('returns non-finite for a shard holding NaN/Inf, moments for the others', async () => {
    const n = 100;
    const features = new Float64Array(n * 3).map((_, i) => Math.cos(i));
    features[70 * 3 + 1] = Number.POSITIVE_INFINITY;
    const logits = new Float64Array(n * 2).map((_, i) => Math.sin(i));
    const input = {
      fit: [
        bytesByteSource(encodeNpy({ data: features, shape: [n, 3] }), 'features.npy'),
        bytesByteSource(encodeNpy({ data: logits, shape: [n, 2] }), 'logits.npy'),
      ],
    };
    const layout = await shardable(input);
    expect(layout.fit.float32).toBe(false);
    const results = await Promise.all(
      cut('fit', layout.fit, [0.5]).map((task) => accumulateCheckpointShard(input, task)),
    );
    expect(results.map((r) => r.kind)).toEqual(['moments', 'non-finite']);
  });

  it('raises the serial path’s own errors while reading the layout', async () => {
    const wide = bytesByteSource(
      encodeNpz({
        features: { data: new Float64Array(40), shape: [10, 4] },
        logits: { data: new Float64Array(20), shape: [10, 2] },
      }),
      'x_train.npz',
    );
    const narrow = bytesByteSource(
      encodeNpz({
        features: { data: new Float64Array(30), shape: [10, 3] },
        logits: { data: new Float64Array(20), shape: [10, 2] },
      }),
      'x_test.npz',
    );
    const input = { fit: [wide], eval: [narrow] };
    const serial = await analyzeCheckpoint(input).catch((e: unknown) => e);
    const planned = await readCheckpointLayout(input).catch((e: unknown) => e);
    expect(serial).toBeInstanceOf(InputError);
    expect(planned).toEqual(serial);
    expect((planned as InputError).message).toBe(
      'x_test.npz: eval split has 3 feature columns (p) but the fit split x_train.npz has 4',
    );
  });

  it('reads the sizes the plan needs from the headers: rows, shape, float32 arrays', async () => {
    const checkpoint = (rows: number, p: number, type: 'f4' | 'f8') => {
      const Data = type === 'f4' ? Float32Array : Float64Array;
      return {
        fit: [
          bytesByteSource(encodeNpy({ data: new Data(rows * p).fill(1), shape: [rows, p] }), 'features.npy'),
          bytesByteSource(encodeNpy({ data: new Data(rows * 10).fill(1), shape: [rows, 10] }), 'logits.npy'),
        ],
      };
    };
    const shape = { p: 2000, c: 10, targets: { kind: 'none' } };
    expect(await shardable(checkpoint(1250, 2000, 'f4'))).toMatchObject({
      fit: { rows: 1250, shape, float32: true, columns: 2010 },
      eval: null,
    });
    expect((await shardable(checkpoint(1250, 2000, 'f8'))).fit.float32).toBe(false);
  });

  it('refuses a shard its files no longer match', async () => {
    const input = {
      fit: [
        bytesByteSource(encodeNpy({ data: new Float64Array(30), shape: [10, 3] }), 'features.npy'),
        bytesByteSource(encodeNpy({ data: new Float64Array(20), shape: [10, 2] }), 'logits.npy'),
      ],
    };
    const layout = await shardable(input);
    const [task] = cut('fit', layout.fit, []);
    await expect(accumulateCheckpointShard(input, { ...task, end: 11 })).rejects.toThrow(/no longer match/);
    await expect(accumulateCheckpointShard(input, { ...task, split: 'eval' })).rejects.toThrow(
      /no eval split/,
    );
  });
});
