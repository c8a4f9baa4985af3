/**
 * The streaming, mergeable moment matrix of docs/method.md §2: one pass over row chunks of
 * X = [Phi | F | Y] yields n, the column means and S = X_c^T X_c in float64. Chunks are centred on
 * their own mean and combined with the parallel co-moment update, never as sum(x x^T) - n mu mu^T,
 * whose cancellation ruins ReLU features with large means.
 */
import { createChunkSums } from './kernels/chunk-sums';
import { createMeanCorrections, mirrorUpper } from './mean-corrections';
import { createRowGroups } from './row-groups';
import { createGramKernel, type ColumnBlock, type GramKernelName, type GramPrecision } from './kernels/gram';
import {
  allocateLocal,
  targetColumns,
  type Allocate,
  type LayerSet,
  type LayerShape,
  type MomentShape,
  type TargetShape,
  type Moments,
  type RowChunk,
  type TargetKind,
} from './types';

/**
 * Bytes a checkpoint's moment matrix (d x d float64, d = p + C + target columns) may take whatever
 * the size of its files. The analysis keeps about eight d x d arrays at its peak (the
 * eigendecompositions), so a file under 10 MB costs under 500 MB (docs/benchmarks.md), and a file's
 * own numbers (a wide header, labels of 2^40) cannot ask for more.
 */
export const MOMENT_MATRIX_FLOOR_BYTES = 32 * 2 ** 20;

/**
 * Beyond the floor, the moment matrix may take this many times the bytes of the input files. Files of
 * n rows of m float32 columns hold 4nm bytes against the matrix's 8m^2 (plus the label columns), so
 * this admits checkpoints with at least about half as many rows as columns (fewer rows leave most of
 * the spectrum zero), and no file costs more than a fixed multiple of its size.
 */
export const MOMENT_MATRIX_INPUT_RATIO = 4;

/** The widest moment matrix (its d) that input files of `inputBytes` bytes in all may ask for. */
export function maxMomentColumns(inputBytes: number): number {
  const bytes = Math.max(MOMENT_MATRIX_FLOOR_BYTES, MOMENT_MATRIX_INPUT_RATIO * inputBytes);
  return Math.floor(Math.sqrt(bytes / 8));
}

/** The shape of one earlier layer's moments: [Phi_l | F], no targets (docs/method.md §8). */
function layerMomentShape(p: number, c: number): MomentShape {
  return { p, c, targets: { kind: 'none' } };
}

export interface MomentAccumulator {
  /** Adds consecutive rows; chunks may come in any order and any size (>= 1 row). */
  add(chunk: RowChunk): void;
  /**
   * `add` for chunks not yet checked for NaN/Inf: adds nothing and returns false when the chunk's column
   * sums are not finite, which any NaN or Inf makes them (so does a sum overflowing float64: the caller
   * then takes its careful path). Saves the sharded passes a separate scan of every value.
   */
  addFinite(chunk: RowChunk): boolean;
  /** Rows added so far. */
  readonly rows: number;
  /**
   * The moments of every row added so far (a fresh object, its arrays from `allocate`; the accumulator
   * stays usable), with the jackknife's per-group moments in `groups` when the options asked for them.
   */
  result(allocate?: Allocate): Moments;
  /**
   * The last `result`: the moments are finished in the accumulator's own arrays (from the options'
   * `allocate`) instead of copies, so a pass that ends here touches no fresh d x d memory, which costs
   * page faults. Only `release` may follow. With 'upper', every scatter (the layers' and the groups'
   * too) holds its upper triangle only: for moments that go straight to `mergeMomentsInto`, which reads
   * no more and mirrors what it returns, so they are not mirrored twice.
   */
  finish(triangle?: 'full' | 'upper'): Moments;
  /**
   * Ends the accumulator's use (after `result` or `finish`): its kernels' WebAssembly
   * instances are kept for the next accumulator in this thread (wasm.ts `keepInstance`). No call may
   * follow.
   */
  release(): void;
}

/**
 * Empty moments of a given shape (n = 0): the identity of `mergeMoments`. `allocate` makes the arrays
 * (e.g. on a SharedArrayBuffer, for moments that a second thread reads without a copy).
 */
export function emptyMoments(shape: MomentShape, allocate: Allocate = allocateLocal): Moments {
  const q = targetColumns(shape.targets);
  const d = shape.p + shape.c + q;
  const moments: Moments = {
    n: 0,
    p: shape.p,
    c: shape.c,
    q,
    targetKind: shape.targets.kind as TargetKind,
    mean: allocate(d),
    scatter: allocate(d * d),
    correct: shape.targets.kind === 'onehot' ? 0 : null,
  };
  if (shape.layers)
    moments.layers = {
      features: shape.layers.features,
      earlier: shape.layers.earlier.map(({ name, p }) => ({
        name,
        moments: emptyMoments(layerMomentShape(p, shape.c), allocate),
      })),
    };
  return moments;
}

/**
 * Folds (nB, meanB, SB) into the running (n, mean, S) in place:
 *   S += S_B + d d^T n_A n_B / n,  mean += d n_B / n,  d = mean_B - mean_A.
 * Only the upper triangle (j <= k) of both scatters is read and written.
 */
function foldUpper(target: Moments, nB: number, meanB: Float64Array, scatterB: Float64Array): void {
  const nA = target.n;
  const n = nA + nB;
  if (nB === 0) return;
  const d = meanB.length;
  const delta = new Float64Array(d);
  for (let j = 0; j < d; j++) delta[j] = meanB[j] - target.mean[j];
  const weight = (nA * nB) / n;
  const s = target.scatter;
  for (let j = 0; j < d; j++) {
    const wj = weight * delta[j];
    const row = j * d;
    for (let k = j; k < d; k++) s[row + k] += scatterB[row + k] + wj * delta[k];
  }
  const share = nB / n;
  for (let j = 0; j < d; j++) target.mean[j] += delta[j] * share;
  target.n = n;
}

function assertSameShape(a: Moments, b: Moments): void {
  if (a.p !== b.p || a.c !== b.c || a.q !== b.q || a.targetKind !== b.targetKind) {
    throw new RangeError(
      `cannot merge moments of shapes (p=${a.p}, C=${a.c}, q=${a.q}, ${a.targetKind}) and ` +
        `(p=${b.p}, C=${b.c}, q=${b.q}, ${b.targetKind})`,
    );
  }
  const layerNames = (m: Moments) => (m.layers?.earlier ?? []).map((l) => `${l.name} (p=${l.moments.p})`);
  const [namesA, namesB] = [layerNames(a), layerNames(b)];
  if (namesA.join(', ') !== namesB.join(', ') || a.layers?.features !== b.layers?.features)
    throw new RangeError(
      `cannot merge moments of different layers: [${namesA.join(', ')}] and [${namesB.join(', ')}]`,
    );
}

/**
 * Exact merge of two partial moments (docs/method.md §2). Associative and commutative up to rounding,
 * so workers may accumulate disjoint row ranges and be merged in any order. Per-group moments
 * (docs/method.md §7) merge group by group; the result keeps them only when both sides have them.
 */
export function mergeMoments(a: Moments, b: Moments): Moments {
  return mergeMomentsInto(copyMoments(a), b);
}

/**
 * `mergeMoments` in place for any number of parts: folds each into `target`, whose arrays are
 * overwritten, mirrors the scatter once, and returns it.
 */
export function mergeMomentsInto(target: Moments, ...parts: Moments[]): Moments {
  for (const b of parts) {
    assertSameShape(target, b);
    foldUpper(target, b.n, b.mean, b.scatter);
    target.correct = target.correct === null || b.correct === null ? null : target.correct + b.correct;
  }
  mirrorUpper(target.scatter, target.mean.length);
  target.layers?.earlier.forEach((layer, i) =>
    mergeMomentsInto(layer.moments, ...parts.map((b) => b.layers!.earlier[i].moments)),
  );
  const { groups } = target;
  if (groups) {
    if (parts.every((b) => b.groups?.length === groups.length))
      groups.forEach((group, g) => mergeMomentsInto(group, ...parts.map((b) => b.groups![g])));
    else delete target.groups;
  }
  return target;
}

/**
 * The merge of disjoint parts (docs/method.md §2) added into the upper triangle of `out` (row length
 * ld) over the parts' d columns, without a d x d array of its own: the parts are folded one by one with
 * foldUpper's arithmetic, so `out` gains exactly the scatter `mergeMomentsInto` gives. Returns n and the
 * merged mean. Parts without rows are skipped (no rows at all: zero mean).
 */
export function addPooledUpper(
  parts: Moments[],
  out: Float64Array,
  ld: number,
): { n: number; mean: Float64Array } {
  const d = parts[0].mean.length;
  const mean = new Float64Array(d);
  const delta = new Float64Array(d);
  let n = 0;
  for (const part of parts) {
    const nB = part.n;
    if (nB === 0) continue;
    const total = n + nB;
    for (let j = 0; j < d; j++) delta[j] = part.mean[j] - mean[j];
    const weight = (n * nB) / total;
    const scatter = part.scatter;
    for (let j = 0; j < d; j++) {
      const wj = weight * delta[j];
      const to = j * ld;
      const from = j * d;
      for (let k = j; k < d; k++) out[to + k] += scatter[from + k] + wj * delta[k];
    }
    const share = nB / total;
    for (let j = 0; j < d; j++) mean[j] += delta[j] * share;
    n = total;
  }
  return { n, mean };
}

/** Moments with arrays of their own (their layers' and per-group moments too). */
export function copyMoments(m: Moments): Moments {
  const copy: Moments = { ...m, mean: m.mean.slice(), scatter: m.scatter.slice() };
  if (m.layers) copy.layers = copyLayers(m.layers);
  if (m.groups) copy.groups = m.groups.map(copyMoments);
  return copy;
}

function copyLayers(layers: LayerSet): LayerSet {
  return {
    features: layers.features,
    earlier: layers.earlier.map(({ name, moments }) => ({ name, moments: copyMoments(moments) })),
  };
}

/** The moments without their per-group moments (the same arrays, no copy). */
export function withoutGroups(m: Moments): Moments {
  const { groups: _groups, ...rest } = m;
  return rest;
}

/**
 * n_A, mean_A, d = mean_B - mean_A and the weight n_A n_B / n of removing `part` from `total`
 * (subtractMoments). Throws when `part` holds every row.
 */
function removal(total: Moments, part: Moments) {
  assertSameShape(total, part);
  const n = total.n - part.n;
  if (!(n > 0)) throw new RangeError(`cannot remove ${part.n} of ${total.n} rows: none would be left`);
  const d = total.mean.length;
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = (total.n * total.mean[j] - part.n * part.mean[j]) / n;
  const delta = new Float64Array(d);
  for (let j = 0; j < d; j++) delta[j] = part.mean[j] - mean[j];
  return { n, d, mean, delta, weight: (n * part.n) / total.n };
}

/**
 * The moments of the rows of `total` that are not in `part` (a subset of them): the merge of
 * docs/method.md §2 solved for one side, n_A = n - n_B, mean_A = (n mean - n_B mean_B) / n_A,
 * S_A = S - S_B - d d^T n_A n_B / n with d = mean_B - mean_A. The layers and per-group moments are left out.
 * Throws when `part` holds every row.
 */
export function subtractMoments(total: Moments, part: Moments): Moments {
  const { n, d, mean, delta, weight } = removal(total, part);
  const scatter = new Float64Array(d * d);
  // read once, not in the loop: moments come in many object shapes (see blockSumOfSquares)
  const [whole, removed] = [total.scatter, part.scatter];
  for (let j = 0; j < d; j++) {
    const wj = weight * delta[j];
    for (let k = 0; k < d; k++) scatter[j * d + k] = whole[j * d + k] - removed[j * d + k] - wj * delta[k];
  }
  const correct = total.correct === null || part.correct === null ? null : total.correct - part.correct;
  const { groups: _groups, layers: _layers, ...shape } = total;
  return { ...shape, n, mean, scatter, correct };
}

/**
 * What the jackknife reads of `subtractMoments(total, part)` on [Phi | F] moments, without forming its
 * d x d scatter: ||S_pp||_F^2 and the output rows (rows p to p + C - 1: S_fp then S_ff), written into
 * `outputRows` (C x d). The entries and the order of the sum are subtractMoments' and
 * blockSumOfSquares', so the numbers are the same to the bit.
 */
export function subtractedOutputRows(
  total: Moments,
  part: Moments,
  outputRows: Float64Array,
): { kernelSquares: number } {
  if (total.q !== 0) throw new RangeError('subtractedOutputRows takes [Phi | F] moments (no targets)');
  const { d, delta, weight } = removal(total, part);
  const { p } = total;
  const [whole, removed] = [total.scatter, part.scatter];
  let kernelSquares = 0;
  for (let j = 0; j < p; j++) {
    const wj = weight * delta[j];
    for (let k = j * d, end = k + p, at = 0; k < end; k++, at++) {
      const x = whole[k] - removed[k] - wj * delta[at];
      kernelSquares += x * x;
    }
  }
  for (let j = p; j < p + total.c; j++) {
    const wj = weight * delta[j];
    const to = (j - p) * d;
    for (let k = 0; k < d; k++) outputRows[to + k] = whole[j * d + k] - removed[j * d + k] - wj * delta[k];
  }
  return { kernelSquares };
}

export interface MomentAccumulatorOptions {
  /**
   * 'float32' when every dense input column is float32: allows the float32-lane Gram kernel (products
   * summed in float32 over short row blocks, flushed into float64; Gram relative error 1e-8 to 6e-8,
   * src/core/kernels/gram.ts). Default 'float64': exact float64 products.
   */
  precision: GramPrecision;
  /** force a Gram kernel (tests, benchmarks); default: the fastest available */
  kernel?: GramKernelName;
  /**
   * Jackknife groups G (docs/method.md §7): with G >= 2, `result()` also gives the moments of the
   * [Phi | F] columns of each group of rows (row i in group i mod G, i from `RowChunk.firstRow`),
   * G (p + C)^2 float64 values held through the pass. Default 0: none.
   */
  groups?: number;
  /**
   * Where the per-group moments' scatters live, allocated when the pass starts (shared memory in a
   * worker thread: `result()` hands them over as they are). Default: local arrays.
   */
  allocate?: Allocate;
}

export const defaultMomentAccumulatorOptions: MomentAccumulatorOptions = { precision: 'float64' };

/**
 * Streaming accumulator of docs/method.md §2. Dense columns (features, outputs, real-valued targets) cost
 * O(rows d^2) per chunk in the Gram kernel (src/core/kernels); one-hot targets cost O(rows (p + C))
 * through class sums, never a rows x q x q pass: for class k, S_xy[:, k] = sum over rows of class k of
 * (x_i - chunk mean), and S_yy = diag(counts) - counts counts^T / rows.
 */
export function createMomentAccumulator(
  shape: MomentShape,
  options: MomentAccumulatorOptions = defaultMomentAccumulatorOptions,
): MomentAccumulator {
  const { p, c, targets } = shape;
  const q = targetColumns(targets);
  const dense = p + c + (targets.kind === 'dense' ? q : 0);
  const d = p + c + q;
  // the earlier layers' moments come from their own accumulators
  const total = emptyMoments({ p, c, targets }, options.allocate);
  let finished = false;
  // total.scatter holds only its upper triangle until result() mirrors a copy.
  const chunkMean = new Float64Array(d);
  // column sums of each chunk; class x dense sums over the whole pass (one-hot targets only)
  const sums = createChunkSums(dense, targets.kind === 'onehot' ? q : 0);
  const gramOptions = { precision: options.precision, kernel: options.kernel };
  const groups = options.groups ? createRowGroups(p, c, options.groups, gramOptions, options.allocate) : null;
  // the groups' scatters merge into the [Phi | F] block, which then needs no pass of its own; dense
  // targets widen the block, so the kernel still runs over every dense column
  const gram = groups && dense === p + c ? null : createGramKernel(dense, gramOptions);
  // the dense columns' corrections join the kernel's running sum, added to the scatter in one pass
  const corrections = createMeanCorrections(d, gram);
  const columnsOf = targets.kind === 'onehot' ? labelColumns(targets.classes, targets.labels) : null;
  // docs/method.md §8: one accumulator of [Phi_l | F] per earlier layer, fed the same rows; the
  // jackknife's groups (§7) are the penultimate layer's only
  const earlier = (shape.layers?.earlier ?? []).map((layer) => ({
    name: layer.name,
    p: layer.p,
    accumulator: createMomentAccumulator(layerMomentShape(layer.p, c), { ...options, groups: 0 }),
  }));

  /** The chunk's earlier-layer blocks, checked against the shape; false when one holds NaN/Inf and `requireFinite`. */
  function checkLayers(chunk: RowChunk, requireFinite: boolean): boolean {
    if (earlier.length === 0) return true;
    const blocks = chunk.layers;
    if (!blocks || blocks.length !== earlier.length)
      throw new RangeError(
        `layers chunk: expected ${earlier.length} layer blocks, got ${blocks?.length ?? 0}`,
      );
    return earlier.every((layer, i) => {
      if (blocks[i].length !== chunk.rows * layer.p)
        throw new RangeError(`layer ${layer.name} chunk: expected ${chunk.rows * layer.p} values`);
      return !requireFinite || allFinite(blocks[i]);
    });
  }

  function add(chunk: RowChunk, requireFinite = false): boolean {
    if (finished) throw new Error('moment accumulator: rows added after finish()');
    const rows = chunk.rows;
    if (rows <= 0) return true;
    if (chunk.features.length !== rows * p)
      throw new RangeError(`features chunk: expected ${rows * p} values`);
    if (chunk.logits.length !== rows * c) throw new RangeError(`logits chunk: expected ${rows * c} values`);
    // checked before anything is added, so a refused chunk leaves every block as it was
    if (!checkLayers(chunk, requireFinite)) return false;
    const blocks: ColumnBlock[] = [
      { data: chunk.features, cols: p },
      { data: chunk.logits, cols: c },
    ];
    if (targets.kind === 'dense') {
      if (!chunk.targets || chunk.targets.length !== rows * q)
        throw new RangeError(`targets chunk: expected ${rows * q} values`);
      blocks.push({ data: chunk.targets, cols: q });
    }
    if (targets.kind === 'onehot') {
      const labels = chunk.labels;
      if (!labels || labels.length !== rows) throw new RangeError(`labels chunk: expected ${rows} labels`);
    }
    chunkMean.fill(0);
    sums.columnSums(blocks, rows, chunkMean);
    for (let j = 0; j < dense; j++) chunkMean[j] /= rows;
    if (requireFinite && !chunkMean.subarray(0, dense).every(Number.isFinite)) return false;
    // the chunk's centred scatter of the dense columns stays in the kernel's running sum (added to the
    // total in result()); the fold below only adds the mean correction, which is linear, so the order is free
    gram?.accumulateUpper(blocks, rows, chunkMean);
    groups?.add(chunk.features, chunk.logits, rows, chunk.firstRow ?? total.n);
    if (targets.kind === 'onehot') addOneHotBlocks(blocks, chunk.labels!, rows);
    corrections.record(total, rows, chunkMean);
    earlier.forEach((layer, i) =>
      layer.accumulator.add({ rows, features: chunk.layers![i], logits: chunk.logits }),
    );
    return true;
  }

  function addOneHotBlocks(blocks: ColumnBlock[], labels: ArrayLike<number>, rows: number): void {
    const columns = columnsOf!(labels, rows);
    const counts = new Float64Array(q);
    for (let i = 0; i < rows; i++) counts[columns[i]]++;
    // rows in label order (a counting sort), so each class row of the sums stays in cache while its
    // rows are added: with C = 1000 the sums span 24 MB and a row-order walk misses on every row
    const next = new Int32Array(q);
    for (let k = 1; k < q; k++) next[k] = next[k - 1] + counts[k - 1];
    const order = new Int32Array(rows);
    for (let i = 0; i < rows; i++) order[next[columns[i]]++] = i;
    // class sums of the centred dense columns, S_xy[:, p + c + k]: kept class-major for the whole pass
    // (each row adds into one contiguous class row) and written into the scatter once, in result()
    sums.addClassRows(columns, order, chunkMean);
    const scatter = total.scatter;
    for (let k = 0; k < q; k++) {
      chunkMean[dense + k] = counts[k] / rows;
      const row = (dense + k) * d + dense;
      scatter[row + k] += counts[k] - (counts[k] * counts[k]) / rows;
      for (let l = k + 1; l < q; l++) scatter[row + l] -= (counts[k] * counts[l]) / rows;
    }
    total.correct = (total.correct ?? 0) + countCorrect(blocks[1].data, c, labels, rows);
  }

  /**
   * The pass's moments completed in `scatter`, which holds the running scatter's upper triangle and
   * the mean corrections not in the kernel's running sum.
   */
  function complete(
    scatter: Float64Array,
    mean: Float64Array,
    layerMoments: (layer: MomentAccumulator) => Moments,
    triangle: 'full' | 'upper' = 'full',
  ): Moments {
    gram?.addRunningSum(scatter, d);
    const groupMoments = groups?.results(triangle);
    if (groupMoments && !gram) {
      // the exact [Phi | F] block (mean corrections included) replaces what the corrections put there
      const width = p + c;
      for (let j = 0; j < width; j++) scatter.fill(0, j * d + j, j * d + width);
      addPooledUpper(groupMoments, scatter, d);
    }
    const classSums = sums.classSums();
    if (targets.kind === 'onehot')
      for (let j = 0; j < dense; j++) {
        const row = j * d + dense;
        for (let k = 0; k < q; k++) scatter[row + k] += classSums[k * dense + j];
      }
    if (triangle === 'full') mirrorUpper(scatter, d);
    const moments: Moments = { ...total, mean, scatter };
    if (shape.layers)
      moments.layers = {
        features: shape.layers.features,
        earlier: earlier.map((layer) => ({
          name: layer.name,
          moments: layerMoments(layer.accumulator),
        })),
      };
    if (groupMoments) moments.groups = groupMoments;
    return moments;
  }

  return {
    add: (chunk) => void add(chunk),
    addFinite: (chunk) => add(chunk, true),
    get rows() {
      return total.n;
    },
    result(allocate = allocateLocal): Moments {
      if (finished) throw new Error('moment accumulator: result() after finish()');
      const scatter = allocate(total.scatter.length);
      scatter.set(total.scatter);
      const mean = allocate(total.mean.length);
      mean.set(total.mean);
      corrections.addTo(scatter);
      return complete(scatter, mean, (layer) => layer.result(allocate));
    },
    finish(triangle = 'full'): Moments {
      if (finished) throw new Error('moment accumulator: finish() twice');
      finished = true;
      corrections.flush(total.scatter);
      return complete(total.scatter, total.mean, (layer) => layer.finish(triangle), triangle);
    },
    release() {
      sums.release();
      gram?.release();
      groups?.release();
      for (const layer of earlier) layer.accumulator.release();
    },
  };
}

/**
 * The one-hot column of each label of a chunk: its index in `labels` (ascending class labels), or
 * the label itself when the classes are 0..classes-1. A label outside the classes is a RangeError.
 */
function labelColumns(
  classes: number,
  labels: number[] | undefined,
): (chunk: ArrayLike<number>, rows: number) => Int32Array {
  const identity = labels === undefined || labels.every((label, k) => label === k);
  const column = identity ? null : new Map(labels.map((label, k) => [label, k]));
  return (chunk, rows) => {
    const out = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      const label = chunk[i];
      const k = column ? (column.get(label) ?? -1) : Number.isInteger(label) ? label : -1;
      if (!(k >= 0 && k < classes))
        throw new RangeError(`label ${label} is not one of the ${classes} classes`);
      out[i] = k;
    }
    return out;
  };
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** Rows whose largest output is at the label's index (a label >= C is never right). */
function countCorrect(logits: ArrayLike<number>, c: number, labels: ArrayLike<number>, rows: number): number {
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let bestValue = -Infinity;
    const from = i * c;
    for (let j = 0; j < c; j++) {
      const v = logits[from + j];
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct;
}

/** Column means of the row-major blocks, written at their column offsets of `mean`. */

/** Convenience for tests and small in-memory data: the moments of whole arrays. */
export function momentsOf(
  features: ArrayLike<number>,
  logits: ArrayLike<number>,
  n: number,
  options: {
    labels?: ArrayLike<number>;
    classes?: number;
    /** the label of each one-hot column (TargetShape); default 0..classes-1 */
    classLabels?: number[];
    targets?: ArrayLike<number>;
    q?: number;
    chunkRows?: number;
    /** earlier layers (docs/method.md §8), each n x p_l row-major, and the penultimate's name */
    layers?: { features: string; earlier: { name: string; values: ArrayLike<number> }[] };
  } = {},
): Moments {
  const p = n === 0 ? 0 : features.length / n;
  const c = n === 0 ? 0 : logits.length / n;
  const targets: TargetShape = options.labels
    ? {
        kind: 'onehot',
        classes:
          options.classLabels?.length ?? options.classes ?? Math.max(...Array.from(options.labels)) + 1,
        labels: options.classLabels,
      }
    : options.targets
      ? { kind: 'dense', q: options.q ?? options.targets.length / n }
      : { kind: 'none' };
  const earlier = options.layers?.earlier ?? [];
  const widths = earlier.map((layer) => (n === 0 ? 0 : layer.values.length / n));
  const layers: LayerShape | undefined = options.layers && {
    features: options.layers.features,
    earlier: earlier.map((layer, i) => ({ name: layer.name, p: widths[i] })),
  };
  const acc = createMomentAccumulator({ p, c, targets, layers });
  const step = options.chunkRows ?? 4096;
  const q = targetColumns(targets);
  for (let start = 0; start < n; start += step) {
    const rows = Math.min(step, n - start);
    const slice = (a: ArrayLike<number>, width: number) =>
      Array.prototype.slice.call(a, start * width, (start + rows) * width);
    acc.add({
      rows,
      features: slice(features, p),
      logits: slice(logits, c),
      labels: options.labels ? slice(options.labels, 1) : undefined,
      targets: options.targets ? slice(options.targets, q) : undefined,
      layers: earlier.map((layer, i) => slice(layer.values, widths[i])),
    });
  }
  const moments = acc.result();
  acc.release();
  return moments;
}
