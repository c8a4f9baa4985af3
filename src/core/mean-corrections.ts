/**
 * The two scatter updates the moment pass shares with the jackknife's row groups (docs/method.md §2):
 * the mean corrections of the co-moment merge, batched into matrix products, and mirroring an upper
 * triangle onto the lower.
 */
import { addProductTransposedA } from './kernels/gemm';
import type { GramKernel } from './kernels/gram';
import type { Moments } from './types';

/** Chunks whose mean corrections are added to the scatter together, as one matrix product. */
const CORRECTION_BATCH = 64;

/**
 * The mean corrections of docs/method.md §2's merge for chunks whose centred scatter is accounted elsewhere
 * (the Gram kernel's running sum, the one-hot blocks added in place): chunk t adds
 * w_t delta_t delta_t^T, w_t = n_A n_B / n, delta_t = chunk mean - running mean. Each is kept as the
 * row sqrt(w_t) delta_t and a batch is added as R^T R through the GEMM kernel: one rank-one d x d pass
 * per chunk cost more than the chunk's whole Gram packing. Given the pass's Gram kernel, the block of
 * its columns goes into its running sum, which is added to the scatter in one pass anyway.
 */
export function createMeanCorrections(d: number, gram: GramKernel | null = null) {
  // grown as chunks come: the jackknife keeps one batch per group, and a group of a small split
  // sees a chunk or two, so a full batch each would be mostly unused fresh memory
  let rowsOf = new Float64Array(Math.min(4, CORRECTION_BATCH) * d);
  let count = 0;
  /**
   * Adds the batch's R^T R to the upper triangle of a d x d row-major scatter, in column tiles whose
   * products go straight into the scatter. The tiles on the diagonal also write
   * their part below it: every scatter these corrections reach is mirrored from its upper triangle
   * before it is read. With `into`, the block of its first `into.dim` columns goes into that Gram
   * kernel's running sum instead, which must then be added to the scatter after the last batch.
   */
  function addTo(scatter: Float64Array, into: GramKernel | null = null): void {
    if (count === 0) return;
    into?.addOuterProducts(rowsOf, count, d);
    const width = 256;
    for (let c0 = into?.dim ?? 0; c0 < d; c0 += width) {
      const w = Math.min(width, d - c0);
      // rows 0 .. c0 + w of R^T R, columns c0 .. c0 + w: A = R (count x d, first c0 + w columns), B = R's columns from c0
      addProductTransposedA(scatter.subarray(c0), d, rowsOf, d, count, c0 + w, rowsOf.subarray(c0), w, d);
    }
  }
  return {
    /** Adds the batch to `scatter` only (a copy's: the batch stays pending). */
    addTo: (scatter: Float64Array) => addTo(scatter),
    /** The batch for good, then an empty one: into `scatter`, and the Gram kernel's running sum if given. */
    flush(scatter: Float64Array): void {
      addTo(scatter, gram);
      count = 0;
    },
    /** Moves the running mean and count of `target` by a chunk; its correction reaches target.scatter when the batch fills. */
    record(target: Pick<Moments, 'n' | 'mean' | 'scatter'>, nB: number, meanB: Float64Array): void {
      const nA = target.n;
      const n = nA + nB;
      if (nB === 0) return;
      const share = nB / n;
      const root = Math.sqrt((nA * nB) / n);
      const row = count * d;
      if (row + d > rowsOf.length) {
        const grown = new Float64Array(Math.min(2 * count, CORRECTION_BATCH) * d);
        grown.set(rowsOf);
        rowsOf = grown;
      }
      for (let j = 0; j < d; j++) {
        const delta = meanB[j] - target.mean[j];
        rowsOf[row + j] = root * delta;
        target.mean[j] += delta * share;
      }
      target.n = n;
      if (nA > 0 && ++count === CORRECTION_BATCH) {
        addTo(target.scatter, gram);
        count = 0;
      }
    },
  };
}

/** Copies the upper triangle onto the lower, in square tiles so the strided writes stay in cache. */
export function mirrorUpper(s: Float64Array, d: number): void {
  const tile = 32;
  for (let j0 = 0; j0 < d; j0 += tile)
    for (let k0 = j0; k0 < d; k0 += tile)
      for (let j = j0; j < Math.min(j0 + tile, d); j++)
        for (let k = Math.max(k0, j + 1); k < Math.min(k0 + tile, d); k++) s[k * d + j] = s[j * d + k];
}
