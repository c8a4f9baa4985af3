/**
 * The moment pass in thread shards (row ranges of .npy files, merged with mergeMoments) gives the
 * serial stream's moments. The 'inline' backend runs the same shards in this thread; one test bundles
 * node-worker.ts and runs them on real worker threads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createNormal, createRandom } from '../core/random';
import { buildNpy } from '../io/testing';
import { fileByteSource } from '../io/node-byte-source';
import { analyzeCheckpoint, type AnalyzeOptions } from './analyze-checkpoint';
import { jackknifeErrors } from '../core/jackknife';
import { mergeMomentsInto } from '../core/moments';
import { readNpyHeader } from '../io/npy';
import { sharedChunkSizes } from './plan';
import type { ShardTask } from './shard';
import { accumulateInThreads, accumulateNpyShard, defaultThreadOptions } from './thread-shards';
import { spareThreadId } from './node-thread';
import { bundleNodeWorker } from './testing';
import { analyzeInThreads } from './thread-halves';
import { analyzeMoments } from '../core/analyze';

const dir = mkdtempSync(join(tmpdir(), 'richscope-thread-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const n = 1037;
const p = 23;
const c = 5;
function writeCheckpoint(name: string, poison = false): string[] {
  const normal = createNormal(createRandom(7));
  const features = Float32Array.from({ length: n * p }, () => Math.max(0, normal()) + 3);
  const logits = Float32Array.from({ length: n * c }, () => normal());
  const labels = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % c));
  if (poison) features[500 * p + 3] = NaN;
  const files = [
    ['features.npy', buildNpy('<f4', [n, p], new Uint8Array(features.buffer))],
    ['logits.npy', buildNpy('<f4', [n, c], new Uint8Array(logits.buffer))],
    ['labels.npy', buildNpy('<i8', [n], new Uint8Array(labels.buffer))],
  ] as const;
  return files.map(([file, bytes]) => {
    const path = join(dir, `${name}-${file}`.replace(/^(.*)-(\w+\.npy)$/, '$1_$2'));
    writeFileSync(path, bytes);
    return path;
  });
}

async function analyze(paths: string[], options: AnalyzeOptions) {
  const sources = await Promise.all(paths.map((f) => fileByteSource(f, f)));
  try {
    return await analyzeCheckpoint({ fit: sources }, { chunkRows: 64, ...options });
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}

describe('moment pass in thread shards of .npy files', () => {
  const inline = {
    ...defaultThreadOptions,
    backend: 'inline' as const,
    threads: 3,
    minWork: 0,
    precision: 'float64' as const,
  };

  it('equals the serial stream (moments, D_LR, curves, accuracy)', async () => {
    const paths = writeCheckpoint('a');
    let used = 0;
    const sharded = await analyze(paths, {
      accumulateInThreads: async (split) => {
        const moments = await accumulateInThreads(split, inline);
        if (moments) used++;
        return moments;
      },
    });
    const serial = await analyze(paths, {});
    expect(used).toBe(1);
    expect(sharded.fit.n).toBe(n);
    expect(sharded.fit.correct).toBe(serial.fit.correct);
    sharded.fit.mean.forEach((v, i) => expect(v).toBeCloseTo(serial.fit.mean[i], 12));
    const scale = Math.max(...serial.fit.scatter.map(Math.abs));
    sharded.fit.scatter.forEach((v, i) =>
      expect(Math.abs(v - serial.fit.scatter[i]) / scale).toBeLessThan(1e-13),
    );
    expect(sharded.metrics.dlr).toBeCloseTo(serial.metrics.dlr, 12);
    expect(sharded.metrics.mass!.at(-1)).toBeCloseTo(serial.metrics.mass!.at(-1)!, 12);
    // the threads' per-group moments, merged group by group: the serial jackknife
    expect(serial.metrics.dlrStdErr).toBeGreaterThan(0);
    expect(sharded.metrics.dlrStdErr).toBeCloseTo(serial.metrics.dlrStdErr!, 12);
    expect(sharded.metrics.dlrEnergy99StdErr).toBeCloseTo(serial.metrics.dlrEnergy99StdErr!, 12);
  });

  it('on real worker threads (the bundled node-worker) equals the serial stream', async () => {
    const workerFile = await bundleNodeWorker();
    const paths = writeCheckpoint('w');
    let used = 0;
    const sharded = await analyze(paths, {
      accumulateInThreads: async (split) => {
        const moments = await accumulateInThreads(split, { ...inline, backend: 'worker', workerFile });
        if (moments) used++;
        return moments;
      },
    });
    const serial = await analyze(paths, {});
    expect(used).toBe(1);
    expect(sharded.fit.scatter.buffer).toBeInstanceOf(SharedArrayBuffer);
    // the pass's thread is kept, and the metrics' helper runs on it
    expect(spareThreadId()).not.toBeNull();
    const helped = await analyzeInThreads(sharded.fit, sharded.fit, {
      minWork: 0,
      backend: 'worker',
      workerFile,
    });
    expect(spareThreadId()).toBeNull();
    expect(helped).toEqual(analyzeMoments(sharded.fit));
    const scale = Math.max(...serial.fit.scatter.map(Math.abs));
    sharded.fit.scatter.forEach((v, i) =>
      expect(Math.abs(v - serial.fit.scatter[i]) / scale).toBeLessThan(1e-13),
    );
    expect(sharded.metrics.dlr).toBeCloseTo(serial.metrics.dlr, 12);
    expect(sharded.metrics.dlrStdErr).toBeCloseTo(serial.metrics.dlrStdErr!, 12);
  });

  it('with float32 lanes (float32 files) stays within 1e-7 of the serial float64 stream', async () => {
    const paths = writeCheckpoint('d');
    const sharded = await analyze(paths, {
      accumulateInThreads: (split) =>
        accumulateInThreads(split, { ...inline, precision: 'auto', float32MinWork: 0 }),
    });
    const serial = await analyze(paths, {});
    let num = 0;
    let den = 0;
    sharded.fit.scatter.forEach((v, i) => {
      num += (v - serial.fit.scatter[i]) ** 2;
      den += serial.fit.scatter[i] ** 2;
    });
    expect(Math.sqrt(num / den)).toBeLessThan(1e-7);
    expect(Math.abs(sharded.metrics.dlr - serial.metrics.dlr)).toBeLessThan(1e-7);
  });

  it('declines NaN rows, so the serial path reports them', async () => {
    const paths = writeCheckpoint('b', true);
    const sources = await Promise.all(paths.map((f) => fileByteSource(f, f)));
    let declined = false;
    await expect(
      analyzeCheckpoint(
        { fit: sources },
        {
          chunkRows: 64,
          accumulateInThreads: async (split) => {
            const moments = await accumulateInThreads(split, inline);
            declined = moments === null;
            return moments;
          },
        },
      ),
    ).rejects.toThrow(/NaN/);
    expect(declined).toBe(true);
    await Promise.all(sources.map((s) => s.close()));
  });

  it('declines small splits and non-.npy inputs (serial is cheaper or required)', async () => {
    const paths = writeCheckpoint('c');
    const sources = await Promise.all(paths.map((f) => fileByteSource(f, f)));
    let result: unknown = 'not called';
    await analyzeCheckpoint(
      { fit: sources },
      {
        accumulateInThreads: async (split) =>
          (result = await accumulateInThreads(split, { ...inline, minWork: 1e12 })),
      },
    );
    expect(result).toBeNull();
    await Promise.all(sources.map((s) => s.close()));
  });

  it('two threads sharing a shard: front and back chunks merge to the serial stream, wherever they meet', async () => {
    const paths = writeCheckpoint('s');
    const [features, logits, labels] = await Promise.all(
      paths.map(async (path) => {
        const source = await fileByteSource(path, path);
        const header = await readNpyHeader(source);
        await source.close();
        const cols = header.shape.slice(1).reduce((a, b) => a * b, 1);
        return { path, offset: header.dataOffset, cols, type: header.type };
      }),
    );
    const serial = await analyze(paths, {});
    const sizes = sharedChunkSizes(n, 64);
    const claims = new Int32Array(new SharedArrayBuffer(4));
    const shard = (from: 'front' | 'back') => ({
      task: {
        split: 'fit',
        shape: { p, c, targets: { kind: 'onehot', classes: c } },
        start: 0,
        end: n,
        chunkRows: 64,
        precision: 'float64',
        groups: 10,
        share: { claims, from },
      } satisfies ShardTask,
      arrays: [features, logits, labels],
    });
    const scale = Math.max(...serial.fit.scatter.map(Math.abs));
    for (const frontChunks of [0, 5, sizes.length]) {
      // the front thread claims first and stops after frontChunks claims; the back one takes the rest
      claims[0] = sizes.length - frontChunks;
      const front = await accumulateNpyShard(shard('front'));
      claims[0] = frontChunks;
      const back = await accumulateNpyShard(shard('back'));
      if (front.kind !== 'moments' || back.kind !== 'moments') throw new Error('non-finite');
      expect(front.moments.n).toBe(sizes.slice(0, frontChunks).reduce((a, b) => a + b, 0));
      const merged = mergeMomentsInto(front.moments, back.moments);
      expect(merged.n).toBe(n);
      expect(merged.correct).toBe(serial.fit.correct);
      merged.scatter.forEach((v, i) =>
        expect(Math.abs(v - serial.fit.scatter[i]) / scale).toBeLessThan(1e-13),
      );
      // back chunks come first in the back thread: each row still lands in group i mod 10
      expect(merged.groups!.map((g) => g.n)).toEqual(
        Array.from({ length: 10 }, (_, g) => (g < 7 ? 104 : 103)),
      );
      expect(jackknifeErrors(merged.groups!)!.dlrStdErr).toBeCloseTo(serial.metrics.dlrStdErr!, 12);
    }
  });
});
