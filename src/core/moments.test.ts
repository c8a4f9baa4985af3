import { describe, expect, it } from 'vitest';

import {
  addPooledUpper,
  createMomentAccumulator,
  emptyMoments,
  maxMomentColumns,
  mergeMoments,
  momentsOf,
  subtractMoments,
  subtractedOutputRows,
} from './moments';
import { blockSumOfSquares } from './blocks';
import { createRandom, normalMatrix } from './random';
import { oneHot } from './testing';
import { momentBuffers, targetColumns, type Moments } from './types';

/** Two-pass centred cross-products of whole columns: the definition, computed without streaming. */
function twoPassScatter(x: Float64Array, rows: number, cols: number) {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += x[i * cols + j] / rows;
  const scatter = new Float64Array(cols * cols);
  for (let i = 0; i < rows; i++)
    for (let a = 0; a < cols; a++)
      for (let b = 0; b < cols; b++)
        scatter[a * cols + b] += (x[i * cols + a] - mean[a]) * (x[i * cols + b] - mean[b]);
  return { mean, scatter };
}

function stack(parts: [Float64Array, number][], rows: number): Float64Array {
  const width = parts.reduce((s, [, w]) => s + w, 0);
  const out = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) {
    let offset = 0;
    for (const [a, w] of parts) {
      out.set(a.subarray(i * w, (i + 1) * w), i * width + offset);
      offset += w;
    }
  }
  return out;
}

function maxRelativeError(actual: Float64Array, expected: Float64Array): number {
  const scale = Math.max(...expected.map(Math.abs));
  return Math.max(...actual.map((x, i) => Math.abs(x - expected[i]))) / scale;
}

const [n, p, c, classes] = [257, 6, 3, 4];
const features = normalMatrix(n, p, 1).map((x) => Math.max(0, x) + 3);
const logits = normalMatrix(n, c, 2);
const random = createRandom(9);
const labels = Array.from({ length: n }, () => Math.floor(random() * classes));

describe('accumulateMoments (docs/method.md §2)', () => {
  it('equals the two-pass centred cross-products of [Phi | F | Y] with one-hot Y', () => {
    const m = momentsOf(features, logits, n, { labels, classes, chunkRows: 50 });
    const reference = twoPassScatter(
      stack(
        [
          [features, p],
          [logits, c],
          [oneHot(labels, classes), classes],
        ],
        n,
      ),
      n,
      p + c + classes,
    );
    expect(m.n).toBe(n);
    expect(maxRelativeError(m.scatter, reference.scatter)).toBeLessThan(1e-13);
    expect(maxRelativeError(m.mean, reference.mean)).toBeLessThan(1e-14);
  });

  it('gives the same one-hot blocks through class sums as through dense targets', () => {
    const sparse = momentsOf(features, logits, n, { labels, classes, chunkRows: 64 });
    const dense = momentsOf(features, logits, n, {
      targets: oneHot(labels, classes),
      q: classes,
      chunkRows: 64,
    });
    expect(maxRelativeError(sparse.scatter, dense.scatter)).toBeLessThan(1e-13);
  });

  it('gives the same moments for chunks of 1, 2 and 3 rows (mean corrections batched past 64 chunks)', () => {
    const whole = momentsOf(features, logits, n, { labels, classes, chunkRows: n });
    for (const chunkRows of [1, 2, 3]) {
      const chunked = momentsOf(features, logits, n, { labels, classes, chunkRows });
      expect(maxRelativeError(chunked.scatter, whole.scatter)).toBeLessThan(1e-13);
      expect(maxRelativeError(chunked.mean, whole.mean)).toBeLessThan(1e-14);
    }
  });

  it('does not depend on chunking or merge order', () => {
    const whole = momentsOf(features, logits, n, { labels, classes, chunkRows: n });
    const parts: Moments[] = [];
    for (const [start, end] of [
      [0, 1],
      [1, 100],
      [100, 101],
      [101, 200],
      [200, n],
    ]) {
      const rows = end - start;
      const acc = createMomentAccumulator({ p, c, targets: { kind: 'onehot', classes } });
      acc.add({
        rows,
        features: features.subarray(start * p, end * p),
        logits: logits.subarray(start * c, end * c),
        labels: labels.slice(start, end),
      });
      parts.push(acc.result());
    }
    const forward = parts.reduce(mergeMoments);
    const backward = [...parts].reverse().reduce(mergeMoments);
    const tree = mergeMoments(
      mergeMoments(parts[3], parts[0]),
      mergeMoments(parts[4], mergeMoments(parts[2], parts[1])),
    );
    for (const merged of [forward, backward, tree]) {
      expect(merged.n).toBe(n);
      expect(merged.correct).toBe(whole.correct);
      expect(maxRelativeError(merged.scatter, whole.scatter)).toBeLessThan(1e-13);
      expect(maxRelativeError(merged.mean, whole.mean)).toBeLessThan(1e-14);
    }
  });

  it('reads the same moments however often result() is called between chunks', () => {
    const acc = createMomentAccumulator({ p, c, targets: { kind: 'onehot', classes } });
    const half = 100;
    const chunk = (start: number, end: number) => ({
      rows: end - start,
      features: features.subarray(start * p, end * p),
      logits: logits.subarray(start * c, end * c),
      labels: labels.slice(start, end),
    });
    acc.add(chunk(0, half));
    const early = acc.result();
    expect(maxRelativeError(acc.result().scatter, early.scatter)).toBe(0);
    acc.add(chunk(half, n));
    const whole = momentsOf(features, logits, n, { labels, classes });
    expect(maxRelativeError(acc.result().scatter, whole.scatter)).toBeLessThan(1e-13);
  });

  it('finishes in its own arrays, from the options allocator, what result() gives as copies; then takes no more rows', () => {
    const made: Float64Array[] = [];
    const allocate = (length: number) => {
      const array = new Float64Array(length);
      made.push(array);
      return array;
    };
    const layer = normalMatrix(n, 5, 3);
    const shape = {
      p,
      c,
      targets: { kind: 'onehot', classes } as const,
      layers: { features: 'features', earlier: [{ name: 'layer1', p: 5 }] },
    };
    const acc = createMomentAccumulator(shape, { precision: 'float64', groups: 3, allocate });
    const chunk = (start: number, end: number) => ({
      rows: end - start,
      firstRow: start,
      features: features.subarray(start * p, end * p),
      logits: logits.subarray(start * c, end * c),
      labels: labels.slice(start, end),
      layers: [layer.subarray(start * 5, end * 5)],
    });
    acc.add(chunk(0, 100));
    acc.add(chunk(100, n));
    const copied = acc.result();
    const finished = acc.finish();
    expect(maxRelativeError(finished.scatter, copied.scatter)).toBe(0);
    expect(maxRelativeError(finished.mean, copied.mean)).toBe(0);
    const finishedLayer = finished.layers!.earlier[0].moments;
    expect(maxRelativeError(finishedLayer.scatter, copied.layers!.earlier[0].moments.scatter)).toBe(0);
    expect(finished.groups).toHaveLength(3);
    for (const array of [finished.scatter, finished.mean, finishedLayer.scatter])
      expect(made).toContain(array);
    expect(made).not.toContain(copied.scatter);
    expect(() => acc.add(chunk(0, 1))).toThrow(/after finish/);
    expect(() => acc.result()).toThrow(/after finish/);
    expect(() => acc.finish()).toThrow(/twice/);
  });

  it('addFinite refuses a chunk holding NaN or Inf and adds nothing; adds finite chunks as add does', () => {
    const shape = { p, c, targets: { kind: 'onehot', classes } } as const;
    const chunk = (start: number, end: number, poison?: number) => {
      const f = features.slice(start * p, end * p);
      if (poison !== undefined) f[3] = poison;
      return {
        rows: end - start,
        features: f,
        logits: logits.subarray(start * c, end * c),
        labels: labels.slice(start, end),
      };
    };
    for (const poison of [NaN, Infinity, -Infinity]) {
      const acc = createMomentAccumulator(shape);
      expect(acc.addFinite(chunk(0, 100))).toBe(true);
      const before = acc.result();
      expect(acc.addFinite(chunk(100, 200, poison))).toBe(false);
      expect(acc.rows).toBe(100);
      expect(maxRelativeError(acc.result().scatter, before.scatter)).toBe(0);
    }
    const plain = createMomentAccumulator(shape);
    plain.add(chunk(0, 100));
    const checked = createMomentAccumulator(shape);
    checked.addFinite(chunk(0, 100));
    expect(maxRelativeError(checked.result().scatter, plain.result().scatter)).toBe(0);
  });

  it('pools any number of parts into a block of a wider matrix exactly as the merge does, empty parts ignored', () => {
    const rows = [40, 0, 97, 120];
    const parts = rows.map((count, i) => {
      if (count === 0) return emptyMoments({ p: 3, c: 1, targets: { kind: 'none' } });
      const x = normalMatrix(count, 4, 10 + i).map((v) => v + 5);
      // column 3 is the constant 2 in every part (each part's mean exactly 2)
      for (let r = 0; r < count; r++) x[r * 4 + 3] = 2;
      return momentsOf(
        x.subarray(0, count * 3),
        x.slice(0).filter((_, t) => t % 4 === 3),
        count,
      );
    });
    const merged = parts.slice(1).reduce(mergeMoments, parts[0]);
    const d = merged.mean.length;
    // the block's upper triangle starts at 0 (as the moment pass clears it), the rest is a sentinel
    const out = new Float64Array((d + 2) * (d + 2)).fill(1);
    for (let j = 0; j < d; j++) out.fill(0, j * (d + 2) + j, j * (d + 2) + d);
    const { n: pooledN, mean } = addPooledUpper(parts, out, d + 2);
    expect(pooledN).toBe(257);
    expect(Array.from(mean)).toEqual(Array.from(merged.mean));
    expect(parts.map((part) => part.mean[3])).toEqual([2, 0, 2, 2]);
    expect(mean[3]).toBe(2);
    for (let j = 0; j < d; j++)
      for (let k = 0; k < d + 2; k++) {
        const got = out[j * (d + 2) + k];
        if (k < j || k >= d) expect(got).toBe(1);
        else expect(got).toBe(merged.scatter[j * d + k]);
      }
    expect(out[3 * (d + 2) + 3]).toBe(0);
    expect(addPooledUpper([parts[1]], new Float64Array(d * d), d).n).toBe(0);
  });

  it('forms the output rows and ||S_pp||^2 of a subtraction as subtractMoments does, to the bit', () => {
    const whole = momentsOf(features, logits, n);
    const part = momentsOf(features.subarray(0, 50 * p), logits.subarray(0, 50 * c), 50);
    const d = whole.mean.length;
    const rows = new Float64Array(c * d).fill(9);
    const { kernelSquares } = subtractedOutputRows(whole, part, rows);
    const formed = subtractMoments(whole, part);
    expect(formed.n).toBe(n - 50);
    expect(kernelSquares).toBe(blockSumOfSquares(formed, 'pp'));
    expect(Array.from(rows)).toEqual(Array.from(formed.scatter.subarray(p * d)));
    expect(() => subtractedOutputRows(part, part, rows)).toThrow(/none would be left/);
    const labelled = momentsOf(features, logits, n, { labels, classes });
    expect(() => subtractedOutputRows(labelled, labelled, rows)).toThrow(/no targets/);
  });

  it('has the empty moments as identity of merge', () => {
    const m = momentsOf(features, logits, n, { labels, classes });
    const merged = mergeMoments(emptyMoments({ p, c, targets: { kind: 'onehot', classes } }), m);
    expect(Array.from(merged.scatter)).toEqual(Array.from(m.scatter));
  });

  it('keeps full precision for features with a large mean (no sum(x x^T) - n mu mu^T cancellation)', () => {
    const rows = 5000;
    const small = normalMatrix(rows, 2, 5).map((x) => x * 1e-3);
    const shifted = small.map((x) => x + 1e6);
    const m = momentsOf(shifted, normalMatrix(rows, 1, 6), rows, { chunkRows: 333 });
    const reference = twoPassScatter(small, rows, 2);
    const block = [m.scatter[0], m.scatter[1], m.scatter[3], m.scatter[4]]; // S_pp of d = 3
    block.forEach((x, i) =>
      expect(Math.abs(x - reference.scatter[i]) / reference.scatter[0]).toBeLessThan(1e-6),
    );
  });

  it('counts argmax(logits) == label for the accuracy', () => {
    const m = momentsOf(features, logits, n, { labels: labels.map((l) => l % c), classes: c, chunkRows: 10 });
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(logits.subarray(i * c, (i + 1) * c));
      if (row.indexOf(Math.max(...row)) === labels[i] % c) correct++;
    }
    expect(m.correct).toBe(correct);
  });

  it('refuses labels outside the declared classes', () => {
    const acc = createMomentAccumulator({ p: 1, c: 1, targets: { kind: 'onehot', classes: 2 } });
    expect(() => acc.add({ rows: 1, features: [1], logits: [1], labels: [2] })).toThrow(
      'label 2 is not one of the 2 classes',
    );
    const named = createMomentAccumulator({
      p: 1,
      c: 1,
      targets: { kind: 'onehot', classes: 2, labels: [0, 2 ** 40] },
    });
    expect(() => named.add({ rows: 1, features: [1], logits: [1], labels: [1] })).toThrow(
      'label 1 is not one of the 2 classes',
    );
  });

  it('gives each class label its own column, whatever its value; labels >= C are never right', () => {
    const n = 40;
    const c = 3;
    const features = normalMatrix(n, 2, 12);
    const logits = normalMatrix(n, c, 13);
    // columns for labels 0, 2 and two large ones: the same moments as 0..3 renamed
    const classLabels = [0, 2, 5e7, 2 ** 40];
    const columns = Array.from({ length: n }, (_, i) => i % 4);
    const labels = columns.map((k) => classLabels[k]);
    const named = momentsOf(features, logits, n, { labels, classLabels, chunkRows: 7 });
    const plain = momentsOf(features, logits, n, { labels: columns, classes: 4, chunkRows: 7 });
    expect(named.q).toBe(4);
    expect(Array.from(named.scatter)).toEqual(Array.from(plain.scatter));
    expect(Array.from(named.mean)).toEqual(Array.from(plain.mean));
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(logits.subarray(i * c, (i + 1) * c));
      if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
    }
    expect(named.correct).toBe(correct);
    expect(correct).toBeLessThan(plain.correct ?? 0);
  });

  it('refuses to merge moments of different shapes', () => {
    const a = emptyMoments({ p: 2, c: 1, targets: { kind: 'none' } });
    const b = emptyMoments({ p: 3, c: 1, targets: { kind: 'none' } });
    expect(() => mergeMoments(a, b)).toThrow(/cannot merge/);
  });
});

describe('shape helpers', () => {
  it('counts the target columns of each kind of target', () => {
    expect(targetColumns({ kind: 'none' })).toBe(0);
    expect(targetColumns({ kind: 'onehot', classes: 10 })).toBe(10);
    expect(targetColumns({ kind: 'dense', q: 3 })).toBe(3);
    expect(emptyMoments({ p: 2, c: 1, targets: { kind: 'onehot', classes: 4 } }).mean).toHaveLength(7);
  });

  it('lists the buffers of moments once each, skipping nulls', () => {
    const a = emptyMoments({ p: 2, c: 1, targets: { kind: 'none' } });
    const b = emptyMoments({ p: 2, c: 1, targets: { kind: 'none' } });
    expect(momentBuffers(a, null, b)).toEqual([
      a.mean.buffer,
      a.scatter.buffer,
      b.mean.buffer,
      b.scatter.buffer,
    ]);
    expect(momentBuffers(a, a)).toHaveLength(2);
    expect(momentBuffers()).toEqual([]);
  });

  it('bounds the moment matrix by 32 MB, or four times the input bytes beyond that', () => {
    expect(maxMomentColumns(0)).toBe(2048); // 2048^2 float64 = 32 MiB
    expect(maxMomentColumns(8 * 2 ** 20)).toBe(2048);
    // 1,200 rows of 2,048 + 1,000 float32 columns: d = 4,048 needs 131 MB, more than 4 x 14.6 MB
    expect(maxMomentColumns(1200 * 3048 * 4)).toBe(Math.floor(Math.sqrt((4 * 1200 * 3048 * 4) / 8)));
    expect(maxMomentColumns(1200 * 3048 * 4)).toBeLessThan(4048);
    // n rows of d float32 columns allow the d x d matrix once n >= d / 2
    expect(maxMomentColumns(2024 * 4048 * 4)).toBe(4048);
  });
});
