/**
 * D_LR of every layer, not only the last (docs/method.md §8):
 *   D_LR(l) = 1 - CKA(Phi_l Phi_l^T, P_F) = 1 - tr(S_ff^+ S_fl S_lf) / (||S_ll||_F sqrt(r)),
 * with the checkpoint's own output directions (the same projector P_F, rank r and r99), and S_ll, S_lf
 * the moments of [Phi_l | F] on the fit split's rows. The penultimate layer is the features block.
 */
import { blockSumOfSquares } from './blocks';
import { rankProfileOf, type LowRankMeasure, type OutputDirections } from './low-rank-measure';
import type { LayerMetrics, Moments } from './types';

/** The penultimate layer's name when the moments do not say it (files with one layer). */
export const DEFAULT_FEATURES_NAME = 'features';

/**
 * D_LR and dlrEnergy99 of each earlier layer of `fit` (layer order), against `directions` (the
 * outputs of `fit`). A layer constant over the samples has ||S_ll||_F = 0 and no D_LR: null there.
 */
export function earlierLayerMetrics(fit: Moments, directions: OutputDirections): LayerMetrics[] {
  return (fit.layers?.earlier ?? []).map(({ name, moments }) => {
    if (moments.c !== fit.c || moments.n !== fit.n)
      throw new RangeError(
        `layer ${name} has n=${moments.n}, C=${moments.c} but the checkpoint n=${fit.n}, C=${fit.c}`,
      );
    const { p } = moments;
    const kernelNorm = Math.sqrt(blockSumOfSquares(moments, 'pp'));
    const { r, r99 } = directions;
    if (!(kernelNorm > 0)) return { name, p, r, dlr: null, dlrEnergy99: null };
    const stride = p + moments.c + moments.q;
    const profile = rankProfileOf(moments.scatter.subarray(p * stride), p, stride, kernelNorm, directions);
    return { name, p, r, dlr: profile[r - 1], dlrEnergy99: profile[r99 - 1] };
  });
}

/** Every layer of a checkpoint in layer order: the earlier ones, then the penultimate (its own D_LR). */
export function checkpointLayers(
  fit: Moments,
  earlier: LayerMetrics[],
  penultimate: LowRankMeasure,
): LayerMetrics[] {
  return [
    ...earlier,
    {
      name: fit.layers?.features ?? DEFAULT_FEATURES_NAME,
      p: fit.p,
      r: penultimate.r,
      dlr: penultimate.dlr,
      dlrEnergy99: penultimate.dlrEnergy99,
    },
  ];
}

/**
 * The layers of metrics that may predate them (a stored session's): the penultimate alone, named
 * 'features', when `layers` is missing.
 */
export function layersOf(metrics: {
  layers?: LayerMetrics[];
  p: number;
  r: number;
  dlr: number;
  dlrEnergy99: number;
}): LayerMetrics[] {
  if (Array.isArray(metrics.layers) && metrics.layers.length > 0) return metrics.layers;
  const { p, r, dlr, dlrEnergy99 } = metrics;
  return [{ name: DEFAULT_FEATURES_NAME, p, r, dlr, dlrEnergy99 }];
}
