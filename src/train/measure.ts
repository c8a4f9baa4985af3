/**
 * A trainer checkpoint through the same core as uploaded files: moments of [Phi | F | Y] per split
 * (docs/method.md §2), then every metric from them (§3-§5). Train = fit split, test = eval split.
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

/** Moments of one split with one-hot labels over `classes` columns. */
export function splitMoments(split: SplitActivations, classes: number): Moments {
  const p = split.features.length / Math.max(1, split.n);
  const acc = createMomentAccumulator({ p, c: classes, targets: { kind: 'onehot', classes } });
  acc.add({ rows: split.n, features: split.features, logits: split.logits, labels: split.labels });
  return acc.result();
}

export function measureCheckpoint(raw: RawCheckpoint, classes: number): MeasuredCheckpoint {
  const fit = splitMoments(raw.train, classes);
  const evalSplit = splitMoments(raw.test, classes);
  return {
    step: raw.step,
    trainLoss: raw.trainLoss,
    fit,
    eval: evalSplit,
    metrics: analyzeMoments(fit, evalSplit),
  };
}
