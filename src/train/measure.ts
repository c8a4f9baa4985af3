/**
 * A trainer checkpoint through the same core as uploaded files: moments of [Phi | F | Y] per split
 * (docs/method.md §2), with every hidden layer's on the fit split (§8), then every metric from them
 * (§3-§5, §8). Train = fit split, test = eval split.
 */
import { analyzeMoments } from '../core/analyze';
import { createMomentAccumulator } from '../core/moments';
import type { CheckpointMetrics, Moments } from '../core/types';
import type { RawCheckpoint, SplitActivations } from './trainer';

/** One measured checkpoint: what the UI plots and what `importRun` takes. */
export interface MeasuredCheckpoint {
  step: number;
  trainLoss: number;
  fit: Moments;
  eval: Moments;
  metrics: CheckpointMetrics;
}

/** The name of hidden layer `index` (0-based): hidden1, hidden2, ...; the last one is the features. */
export const hiddenLayerName = (index: number) => `hidden${index + 1}`;

/**
 * Moments of one split with one-hot labels over `classes` columns; with `withLayers` (the fit split),
 * every hidden layer's too, the last one (the features) named `hidden<depth>`.
 */
export function splitMoments(split: SplitActivations, classes: number, withLayers = false): Moments {
  const rows = Math.max(1, split.n);
  const p = split.features.length / rows;
  const layers = withLayers
    ? {
        features: hiddenLayerName(split.hidden.length),
        earlier: split.hidden.map((h, i) => ({ name: hiddenLayerName(i), p: h.length / rows })),
      }
    : undefined;
  const acc = createMomentAccumulator({ p, c: classes, targets: { kind: 'onehot', classes }, layers });
  acc.add({
    rows: split.n,
    features: split.features,
    logits: split.logits,
    labels: split.labels,
    layers: withLayers ? split.hidden : undefined,
  });
  return acc.result();
}

export function measureCheckpoint(raw: RawCheckpoint, classes: number): MeasuredCheckpoint {
  const fit = splitMoments(raw.train, classes, true);
  const evalSplit = splitMoments(raw.test, classes);
  return {
    step: raw.step,
    trainLoss: raw.trainLoss,
    fit,
    eval: evalSplit,
    metrics: analyzeMoments(fit, evalSplit),
  };
}
