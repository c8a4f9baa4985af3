/**
 * One block of rows into a moment accumulator for the parallel passes (the browser's row ranges,
 * checkpoint-ranges.ts, and the CLI's worker threads, parallel-accumulate.ts). A chunk holding NaN or
 * Inf (found from its column sums, no separate scan) is not added: the caller then declines and the
 * serial path reports or drops those rows, so its messages stay the only ones users see. Labels were
 * checked when the classes were counted.
 */
import type { MomentAccumulator, MomentShape } from '../core/moments';

/** Adds `rows` rows (features, logits, then labels or dense targets when the shape has them); false on NaN/Inf. */
export function addFiniteRows(
  accumulator: MomentAccumulator,
  shape: MomentShape,
  rows: number,
  blocks: ArrayLike<number>[],
): boolean {
  const [features, logits, targets] = blocks;
  return accumulator.addFinite({
    rows,
    features,
    logits,
    labels: shape.targets.kind === 'onehot' ? targets : undefined,
    targets: shape.targets.kind === 'dense' ? targets : undefined,
  });
}
