/**
 * A trainer checkpoint through the same core as uploaded files: moments of [Phi | F | Y] per split
 * (docs/method.md §2), with every hidden layer's on the fit split (§8), then every metric from them
 * (§3-§5, §7, §8). Train = fit split, test = eval split. F is the final layer's own output h, the layer
 * D_LR looks across (docs/method.md §1); the accuracy is the network's, argmax of its prediction
 * f = alpha (h - h0), which with centerAtInit is not a function of h alone.
 */
import { analyzeMoments } from '../core/analyze';
import { planJackknife } from '../core/jackknife';
import { createMomentAccumulator, withoutGroups } from '../core/moments';
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
 * Moments of [features | final-layer outputs | one-hot labels over `classes` columns] of one split,
 * their `correct` counted on the prediction f; with `withLayers` (the fit split), every hidden layer's
 * too, the last one (the features) named `hidden<depth>`; `groups` > 0 keeps the jackknife's per-group
 * moments.
 */
export function splitMoments(
  split: SplitActivations,
  classes: number,
  { withLayers = false, groups = 0 }: { withLayers?: boolean; groups?: number } = {},
): Moments {
  const rows = Math.max(1, split.n);
  const p = split.features.length / rows;
  const layers = withLayers
    ? {
        features: hiddenLayerName(split.hidden.length),
        earlier: split.hidden.map((h, i) => ({ name: hiddenLayerName(i), p: h.length / rows })),
      }
    : undefined;
  const acc = createMomentAccumulator(
    { p, c: classes, targets: { kind: 'onehot', classes }, layers },
    { precision: 'float64', groups },
  );
  acc.add({
    rows: split.n,
    features: split.features,
    logits: split.outputs,
    labels: split.labels,
    layers: withLayers ? split.hidden : undefined,
  });
  return { ...acc.result(), correct: predictedCorrectly(split, classes) };
}

/** Rows whose prediction f has its largest value at the label (ties: the first). */
function predictedCorrectly({ n, logits, labels }: SplitActivations, classes: number): number {
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return correct;
}

export function measureCheckpoint(raw: RawCheckpoint, classes: number): MeasuredCheckpoint {
  const { groups } = planJackknife(raw.train.n, raw.train.features.length / raw.train.n, classes);
  const fitWithGroups = splitMoments(raw.train, classes, { withLayers: true, groups });
  const evalSplit = splitMoments(raw.test, classes);
  return {
    step: raw.step,
    trainLoss: raw.trainLoss,
    fit: withoutGroups(fitWithGroups),
    eval: evalSplit,
    metrics: { ...analyzeMoments(fitWithGroups, evalSplit), storedPrecision: 'float32' },
  };
}
