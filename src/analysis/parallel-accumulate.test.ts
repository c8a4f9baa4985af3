/**
 * The parallel moment pass (row ranges over .npy files, merged with mergeMoments) gives the serial
 * stream's moments. The 'inline' backend runs the same ranges in this thread; one test bundles
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
import { mergeMomentsInto } from '../core/moments';
import { readNpyHeader } from '../io/npy';
import {
  accumulateInParallel,
  accumulateRange,
  defaultParallelOptions,
  type RangeTask,
} from './parallel-accumulate';
import { bundleNodeWorker } from './testing';

const dir = mkdtempSync(join(tmpdir(), 'richscope-parallel-'));
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

describe('parallel moment pass over .npy row ranges', () => {
  const inline = {
    ...defaultParallelOptions,
    backend: 'inline' as const,
    threads: 3,
    minWork: 0,
    precision: 'float64' as const,
  };

  it('equals the serial stream (moments, D_LR, curves, accuracy)', async () => {
    const paths = writeCheckpoint('a');
    let used = 0;
    const parallel = await analyze(paths, {
      accumulateInParallel: async (split) => {
        const moments = await accumulateInParallel(split, inline);
        if (moments) used++;
        return moments;
      },
    });
    const serial = await analyze(paths, {});
    expect(used).toBe(1);
    expect(parallel.fit.n).toBe(n);
    expect(parallel.fit.correct).toBe(serial.fit.correct);
    parallel.fit.mean.forEach((v, i) => expect(v).toBeCloseTo(serial.fit.mean[i], 12));
    const scale = Math.max(...serial.fit.scatter.map(Math.abs));
    parallel.fit.scatter.forEach((v, i) =>
      expect(Math.abs(v - serial.fit.scatter[i]) / scale).toBeLessThan(1e-13),
    );
    expect(parallel.metrics.dlr).toBeCloseTo(serial.metrics.dlr, 12);
    expect(parallel.metrics.mass!.at(-1)).toBeCloseTo(serial.metrics.mass!.at(-1)!, 12);
  });

  it('on real worker threads (the bundled node-worker) equals the serial stream', async () => {
    const workerFile = await bundleNodeWorker();
    const paths = writeCheckpoint('w');
    let used = 0;
    const parallel = await analyze(paths, {
      accumulateInParallel: async (split) => {
        const moments = await accumulateInParallel(split, { ...inline, backend: 'worker', workerFile });
        if (moments) used++;
        return moments;
      },
    });
    const serial = await analyze(paths, {});
    expect(used).toBe(1);
    expect(parallel.fit.scatter.buffer).toBeInstanceOf(SharedArrayBuffer);
    const scale = Math.max(...serial.fit.scatter.map(Math.abs));
    parallel.fit.scatter.forEach((v, i) =>
      expect(Math.abs(v - serial.fit.scatter[i]) / scale).toBeLessThan(1e-13),
    );
    expect(parallel.metrics.dlr).toBeCloseTo(serial.metrics.dlr, 12);
  });

  it('with float32 lanes (float32 files) stays within 1e-7 of the serial float64 stream', async () => {
    const paths = writeCheckpoint('d');
    const parallel = await analyze(paths, {
      accumulateInParallel: (split) => accumulateInParallel(split, { ...inline, precision: 'auto' }),
    });
    const serial = await analyze(paths, {});
    let num = 0;
    let den = 0;
    parallel.fit.scatter.forEach((v, i) => {
      num += (v - serial.fit.scatter[i]) ** 2;
      den += serial.fit.scatter[i] ** 2;
    });
    expect(Math.sqrt(num / den)).toBeLessThan(1e-7);
    expect(Math.abs(parallel.metrics.dlr - serial.metrics.dlr)).toBeLessThan(1e-7);
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
          accumulateInParallel: async (split) => {
            const moments = await accumulateInParallel(split, inline);
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
        accumulateInParallel: async (split) =>
          (result = await accumulateInParallel(split, { ...inline, minWork: 1e12 })),
      },
    );
    expect(result).toBeNull();
    await Promise.all(sources.map((s) => s.close()));
  });

  it('two threads sharing a range: front and back chunks merge to the serial stream, wherever they meet', async () => {
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
    const chunks = Math.ceil(n / 64); // 17, the last one short
    const claims = new Int32Array(new SharedArrayBuffer(4));
    const task = (from: 'front' | 'back'): RangeTask => ({
      features,
      logits,
      targets: labels,
      shape: { p, c, targets: { kind: 'onehot', classes: c } },
      start: 0,
      end: n,
      chunkRows: 64,
      precision: 'float64',
      share: { claims, from },
    });
    const scale = Math.max(...serial.fit.scatter.map(Math.abs));
    for (const frontChunks of [0, 5, chunks]) {
      // the front thread claims first and stops after frontChunks claims; the back one takes the rest
      claims[0] = chunks - frontChunks;
      const front = accumulateRange(task('front'));
      claims[0] = frontChunks;
      const back = accumulateRange(task('back'));
      if (front.kind !== 'moments' || back.kind !== 'moments') throw new Error('non-finite');
      expect(front.moments.n).toBe(Math.min(n, frontChunks * 64));
      const merged = mergeMomentsInto(front.moments, back.moments);
      expect(merged.n).toBe(n);
      expect(merged.correct).toBe(serial.fit.correct);
      merged.scatter.forEach((v, i) =>
        expect(Math.abs(v - serial.fit.scatter[i]) / scale).toBeLessThan(1e-13),
      );
    }
  });
});
