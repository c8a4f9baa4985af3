/**
 * The jackknife's per-group moments, accumulated in the moment pass (docs/method.md §7): row i of a
 * split goes to group i mod G, and each group keeps n, the mean and the scatter of its rows' [Phi | F]
 * columns, exactly as the moment pass keeps a split's (docs/method.md §2). The groups of one split
 * together hold every row once, so their merge is the split's [Phi | F] block: the moment pass takes
 * it from there instead of running the Gram kernel a second time over the same rows.
 */
import { createChunkSums } from './kernels/chunk-sums';
import { createGramKernel, type GramKernelOptions } from './kernels/gram';
import { createMeanCorrections, mirrorUpper } from './mean-corrections';
import { allocateLocal, type Allocate, type Moments } from './types';

export interface RowGroups {
  readonly count: number;
  /**
   * Adds `rows` consecutive rows (features rows x p, logits rows x c, row-major) whose first row has
   * index `firstRow` in the split: each row to its group.
   */
  add(features: ArrayLike<number>, logits: ArrayLike<number>, rows: number, firstRow: number): void;
  /**
   * Each group's moments (q = 0). The scatters are the groups' own arrays (from the `allocate` the
   * groups were made with), not copies: rows added later change them. With 'upper' they hold their
   * upper triangles only (MomentAccumulator `finish`).
   */
  results(triangle?: 'full' | 'upper'): Moments[];
  /** Ends their use: the kernels' WebAssembly instances are kept for reuse (wasm.ts `keepInstance`). */
  release(): void;
}

/** The float array type a chunk's rows are gathered into: the input's own where it is float32. */
function gatheredType(like: ArrayLike<number>): Float32ArrayConstructor | Float64ArrayConstructor {
  return like instanceof Float32Array ? Float32Array : Float64Array;
}

/** Copies rows first, first + step, ... (`taken` of them, `cols` values each) of `source` into `into`. */
function gatherRows(
  source: ArrayLike<number>,
  cols: number,
  first: number,
  step: number,
  taken: number,
  into: Float32Array | Float64Array,
): void {
  if (source instanceof Float32Array || source instanceof Float64Array) {
    // a row at a time: a copy of contiguous memory where the types match
    for (let s = 0, t = first; s < taken; s++, t += step)
      into.set(source.subarray(t * cols, (t + 1) * cols), s * cols);
    return;
  }
  for (let s = 0, t = first; s < taken; s++, t += step)
    for (let j = 0; j < cols; j++) into[s * cols + j] = source[t * cols + j];
}

/**
 * G groups of the [Phi | F] columns (p + c of them). A chunk's rows of one group are gathered into a
 * contiguous block (of the input's float type, so float32 rows keep the float32 Gram lanes' packing)
 * and added with the Gram kernel, whose sum then moves into that group's scatter: one kernel for all
 * the groups, G (p + c)^2 float64 values of scatter in all, allocated here with `allocate` (shared
 * memory in a worker thread) so that `results` hands them over without a copy.
 */
export function createRowGroups(
  p: number,
  c: number,
  count: number,
  gramOptions: GramKernelOptions,
  allocate: Allocate = allocateLocal,
): RowGroups {
  if (!(Number.isInteger(count) && count >= 2))
    throw new RangeError(`jackknife groups: ${count}; at least 2 are needed`);
  const d = p + c;
  const gram = createGramKernel(d, gramOptions);
  const sums = createChunkSums(d, 0);
  const groups = Array.from({ length: count }, () => ({
    moments: {
      n: 0,
      p,
      c,
      q: 0,
      targetKind: 'none',
      mean: new Float64Array(d),
      // the upper triangle only, until results() mirrors it
      scatter: allocate(d * d),
      correct: null,
    } satisfies Moments,
    corrections: createMeanCorrections(d),
  }));
  const mean = new Float64Array(d);
  let featureRows: Float32Array | Float64Array = new Float64Array(0);
  let logitRows: Float32Array | Float64Array = new Float64Array(0);

  /** Gather buffers for a group's share of a chunk of `rows` rows. */
  function reserve(features: ArrayLike<number>, logits: ArrayLike<number>, rows: number): void {
    const most = Math.ceil(rows / count);
    const featureType = gatheredType(features);
    const logitType = gatheredType(logits);
    if (featureRows.length < most * p || !(featureRows instanceof featureType))
      featureRows = new featureType(most * p);
    if (logitRows.length < most * c || !(logitRows instanceof logitType)) logitRows = new logitType(most * c);
  }

  return {
    count,
    add(features, logits, rows, firstRow) {
      reserve(features, logits, rows);
      for (let g = 0; g < count; g++) {
        // the chunk's rows of group g: t = first, first + G, ...
        const first = (((g - firstRow) % count) + count) % count;
        if (first >= rows) continue;
        const taken = Math.ceil((rows - first) / count);
        gatherRows(features, p, first, count, taken, featureRows);
        gatherRows(logits, c, first, count, taken, logitRows);
        const blocks = [
          { data: featureRows.subarray(0, taken * p), cols: p },
          { data: logitRows.subarray(0, taken * c), cols: c },
        ];
        mean.fill(0);
        sums.columnSums(blocks, taken, mean);
        for (let j = 0; j < d; j++) mean[j] /= taken;
        const group = groups[g];
        gram.accumulateUpper(blocks, taken, mean);
        // a group with no rows yet has a scatter never written to
        gram.moveRunningSum(group.moments.scatter, d, group.moments.n === 0);
        group.corrections.record(group.moments, taken, mean);
      }
    },
    results(triangle = 'full') {
      return groups.map(({ moments, corrections }) => {
        corrections.flush(moments.scatter);
        if (triangle === 'full') mirrorUpper(moments.scatter, d);
        return { ...moments, mean: moments.mean.slice() };
      });
    },
    release() {
      gram.release();
      sums.release();
    },
  };
}
