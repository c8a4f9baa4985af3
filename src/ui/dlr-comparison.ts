/**
 * The sentence comparing the D_LR of two checkpoints against their combined jackknife error
 * (docs/method.md §7), e.g. "rich step 3000 vs lazy step 3000: ΔD_LR = −0.064 ± 0.020 (3.2 s.e.)".
 */
import { DISTINCT_DLR_STD_ERRS, dlrDifference, formatWithStdErr } from '../core/jackknife';
import type { CheckpointMetrics } from '../core/types';

export interface ComparedCheckpoint {
  run: string;
  step: number;
  metrics: Pick<CheckpointMetrics, 'dlr'> & { dlrStdErr?: number | null };
}

export interface DlrComparison {
  text: string;
  /** the verdict: more than twice the combined error apart; null without standard errors */
  distinct: boolean | null;
}

/** Minus signs as the typeset "−", not a hyphen. */
const typeset = (text: string) => text.replace(/^-/, '−');

export function compareDlr(a: ComparedCheckpoint, b: ComparedCheckpoint): DlrComparison {
  const pair = `${a.run} step ${a.step} vs ${b.run} step ${b.step}`;
  const difference = dlrDifference(
    { dlr: a.metrics.dlr, dlrStdErr: a.metrics.dlrStdErr ?? null },
    { dlr: b.metrics.dlr, dlrStdErr: b.metrics.dlrStdErr ?? null },
  );
  if (!difference) {
    const delta = typeset(formatWithStdErr(a.metrics.dlr - b.metrics.dlr, null));
    return {
      text: `${pair}: ΔD_LR = ${delta}; no standard error for one of them, so no verdict (docs/method.md §7).`,
      distinct: null,
    };
  }
  const { stdErr, stdErrs, distinct } = difference;
  const ratio = Number.isFinite(stdErrs) ? `${stdErrs.toFixed(1)} s.e.` : 'no sampling error';
  const verdict = distinct
    ? `more than ${DISTINCT_DLR_STD_ERRS} combined standard errors apart: a difference this sample shows`
    : `within ${DISTINCT_DLR_STD_ERRS} combined standard errors: not a difference this sample can show`;
  return {
    text: `${pair}: ΔD_LR = ${typeset(formatWithStdErr(difference.difference, stdErr))} (${ratio}), ${verdict} (docs/method.md §7).`,
    distinct,
  };
}
