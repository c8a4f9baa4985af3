/**
 * D_LR of every layer (docs/method.md §8) on real multi-layer activations (fixtures/layers-mlp) against the
 * float64 NumPy reference (scripts/reference.py): from the raw files, from the moments files the
 * exporter wrote through forward hooks, through the browser's shards and through the CLI's thread
 * shards. Every layer within 1e-9.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { CheckpointMetrics, Moments } from '../core/types';
import { bytesByteSource } from '../io/byte-source';
import { readWholeArray } from '../io/moments-file';
import { fileByteSource } from '../io/node-byte-source';
import { openContainer } from '../io/open-container';
import { encodeNpy, encodeNpz, type NpyArray } from '../train/npz-writer';
import { analyzeCheckpoint, type CheckpointInput } from './analyze-checkpoint';
import { accumulateCheckpointShard, finishCheckpointShards, readCheckpointLayout } from './checkpoint-shards';
import { splitPass } from './plan';
import { accumulateInThreads, defaultThreadOptions } from './thread-shards';
import { analyzeInThreads } from './thread-halves';

interface ExpectedLayer {
  name: string;
  p: number;
  r: number;
  dlr: number;
  dlr_energy99: number;
}

const dir = 'fixtures/layers-mlp';
const expected: Record<string, { dlr: number; layers: ExpectedLayer[] }> = JSON.parse(
  readFileSync(join(dir, 'expected.json'), 'utf8'),
);
const scratch = mkdtempSync(join(tmpdir(), 'richscope-layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function expectLayers(metrics: CheckpointMetrics, want: ExpectedLayer[]) {
  expect(metrics.layers.map((l) => [l.name, l.p, l.r])).toEqual(want.map((l) => [l.name, l.p, l.r]));
  metrics.layers.forEach((layer, i) => {
    expect(Math.abs(layer.dlr! - want[i].dlr), layer.name).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(layer.dlrEnergy99! - want[i].dlr_energy99), layer.name).toBeLessThanOrEqual(1e-9);
  });
  expect(metrics.layers.at(-1)!.dlr).toBe(metrics.dlr);
}

async function withSources<T>(paths: string[], run: (input: CheckpointInput) => Promise<T>): Promise<T> {
  const sources = await Promise.all(paths.map((path) => fileByteSource(path, path)));
  try {
    return await run({ fit: [sources[0]], eval: sources[1] ? [sources[1]] : undefined });
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}

/** Every array of a fixture .npz, as float32 / int64 arrays of their own shape. */
async function fixtureArrays(path: string): Promise<Record<string, NpyArray>> {
  const source = await fileByteSource(path);
  try {
    const container = await openContainer(source);
    const out: Record<string, NpyArray> = {};
    for (const reader of container.arrays) {
      const values = await readWholeArray(reader);
      out[reader.key] = reader.integer
        ? { data: BigInt64Array.from(values, (v) => BigInt(v)), shape: reader.shape }
        : { data: Float32Array.from(values), shape: reader.shape };
    }
    return out;
  } finally {
    await source.close();
  }
}

describe('D_LR by layer agrees with the NumPy reference (fixtures/layers-mlp)', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: from the raw files`, async () => {
      const paths = [join(dir, `${name}_train.npz`), join(dir, `${name}_test.npz`)];
      const analysis = await withSources(paths, (input) => analyzeCheckpoint(input, { chunkRows: 128 }));
      expectLayers(analysis.metrics, want.layers);
      expect(analysis.roles).toMatchObject({ features: 'layer3', layers: ['layer1', 'layer2', 'layer3'] });
      expect(analysis.notes.some((note) => /layer1 \(300, 4, 8\).*flattened/.test(note))).toBe(true);
    });

    it(`${name}: from the moments file`, async () => {
      const analysis = await withSources([join(dir, `${name}_moments.npz`)], (input) =>
        analyzeCheckpoint(input),
      );
      expectLayers(analysis.metrics, want.layers);
      expect(analysis.roles.layers).toEqual(['layer1', 'layer2', 'layer3']);
    });
  }

  const rich = 'layers_rich_step400';

  it('through the browser shards (stored npz, uneven shards)', async () => {
    const arrays = await fixtureArrays(join(dir, `${rich}_train.npz`));
    const input = { fit: [bytesByteSource(encodeNpz(arrays), 'rich_train.npz')] };
    const layout = await readCheckpointLayout(input);
    if (layout.kind !== 'shardable') throw new Error(layout.reason);
    expect(layout.fit.shape.layers).toEqual({
      features: 'layer3',
      earlier: [
        { name: 'layer1', p: 32 },
        { name: 'layer2', p: 24 },
      ],
    });
    const pass = splitPass(layout.fit);
    const parts: Moments[] = [];
    for (const [start, end] of [
      [0, 77],
      [77, 250],
      [250, 300],
    ]) {
      const task = { split: 'fit' as const, start, end, shape: layout.fit.shape, ...pass };
      const result = await accumulateCheckpointShard(input, task);
      if (result.kind !== 'moments') throw new Error('a shard declined');
      parts.push(result.moments);
    }
    expectLayers(finishCheckpointShards(layout, parts, null).metrics, expected[rich].layers);
  });

  it('through the CLI thread shards over .npy files (and the metrics on two threads)', async () => {
    const arrays = await fixtureArrays(join(dir, `${rich}_train.npz`));
    const paths = Object.entries(arrays).map(([key, array]) => {
      const path = join(scratch, `${key}.npy`);
      writeFileSync(path, encodeNpy(array));
      return path;
    });
    let threadedPasses = 0;
    const sources = await Promise.all(paths.map((path) => fileByteSource(path, path)));
    try {
      const analysis = await analyzeCheckpoint(
        { fit: sources },
        {
          chunkRows: 64,
          accumulateInThreads: async (split) => {
            const inline = { ...defaultThreadOptions, backend: 'inline' as const, threads: 3, minWork: 0 };
            const moments = await accumulateInThreads(split, { ...inline, precision: 'float64' });
            if (moments) threadedPasses++;
            return moments;
          },
          analyzeInThreads: (fit, evalSplit) =>
            analyzeInThreads(fit, evalSplit, { minWork: 0, backend: 'inline' }),
        },
      );
      expect(threadedPasses).toBe(1);
      expectLayers(analysis.metrics, expected[rich].layers);
    } finally {
      await Promise.all(sources.map((s) => s.close()));
    }
  });
});
