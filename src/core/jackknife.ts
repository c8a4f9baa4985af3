/**
 * Sampling error of D_LR by the delete-one-group jackknife (docs/method.md §7): rows in G interleaved
 * groups (row i in group i mod G), D_LR_(g) from the moments of every row outside group g, and
 *   se = sqrt((G - 1) / G * sum_g (D_LR_(g) - D_LR_(.))^2),
 * the same for dlrEnergy99 with r99 recomputed in each D_LR_(g). The per-group moments come from the
 * moment pass (`MomentAccumulatorOptions.groups`); this module decides whether to keep them and turns
 * them into the two standard errors.
 */
import { DegenerateDataError, dlrOfOutputRows } from './low-rank-measure';
import { mirrorUpper } from './mean-corrections';
import { addPooledUpper, subtractedOutputRows, withoutGroups } from './moments';
import type { Moments } from './types';

export interface JackknifeOptions {
  /** groups G; 0 turns the jackknife off, otherwise at least 2. Default 10 (docs/method.md §7). */
  groups: number;
  /** most bytes the per-group moments may take, G (p + C)^2 float64 values. Default 512 MiB. */
  budgetBytes: number;
}

export const defaultJackknifeOptions: JackknifeOptions = { groups: 10, budgetBytes: 512 * 2 ** 20 };

/** How many groups the moment pass keeps for a split, and why none when it keeps none. */
export interface JackknifePlan {
  /** 0: no per-group moments, so no standard errors */
  groups: number;
  /** why there are none although the jackknife is on (n < 2G, over the budget); null otherwise */
  note: string | null;
}

/** The bytes G per-group moment matrices of the [Phi | F] columns take: G (p + C)^2 x 8. */
export function jackknifeBytes(groups: number, p: number, c: number): number {
  return groups * (p + c) ** 2 * 8;
}

const mebibytes = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)} MiB`;

/** Whether the fit split's pass (n rows, p features, c outputs) keeps G groups. */
export function planJackknife(
  n: number,
  p: number,
  c: number,
  options: JackknifeOptions = defaultJackknifeOptions,
): JackknifePlan {
  const { groups, budgetBytes } = options;
  if (groups === 0) return { groups: 0, note: null };
  if (!(Number.isInteger(groups) && groups >= 2))
    throw new RangeError(`jackknife groups: ${groups}; use 0 (off) or at least 2`);
  const why = 'no standard error for D_LR (docs/method.md §7)';
  if (n < 2 * groups)
    return { groups: 0, note: `${n} rows are fewer than twice the ${groups} jackknife groups: ${why}` };
  const bytes = jackknifeBytes(groups, p, c);
  if (bytes > budgetBytes)
    return {
      groups: 0,
      note:
        `the ${groups} jackknife groups would need ${mebibytes(bytes)} of moments (G x (p + C)^2 x 8 bytes), ` +
        `over the ${mebibytes(budgetBytes)} budget: ${why}`,
    };
  return { groups, note: null };
}

export interface JackknifeErrors {
  dlrStdErr: number;
  dlrEnergy99StdErr: number;
}

/** sqrt((G - 1) / G * sum (x_g - mean)^2) */
function jackknifeSpread(values: number[]): number {
  const count = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / count;
  const squares = values.reduce((sum, x) => sum + (x - mean) ** 2, 0);
  return Math.sqrt(((count - 1) / count) * squares);
}

/**
 * The standard errors of D_LR and dlrEnergy99 from the G per-group moments of the fit split. Each
 * D_LR_(g) is computed from the merge of all groups with group g removed again (`subtractMoments`, of
 * which `subtractedOutputRows` forms only what D_LR reads: O(G (p + C)^2) in all, against
 * O(G^2 (p + C)^2) for merging the other G - 1 each time), then D_LR with its own r and r99. Null
 * when a deleted group leaves D_LR undefined (the outputs or features constant over the remaining rows).
 */
export function jackknifeErrors(groups: Moments[]): JackknifeErrors | null {
  if (groups.length < 2) return null;
  const d = groups[0].mean.length;
  const scatter = new Float64Array(d * d);
  const total: Moments = { ...withoutGroups(groups[0]), ...addPooledUpper(groups, scatter, d), scatter };
  mirrorUpper(scatter, d);
  total.correct = groups.every((g) => g.correct !== null)
    ? groups.reduce((sum, g) => sum + g.correct!, 0)
    : null;
  // of each leave-one-group-out moments, only ||S_pp||_F and the output rows are read: no d x d copy
  const outputRows = new Float64Array(total.c * d);
  const dlr: number[] = [];
  const dlrEnergy99: number[] = [];
  for (const group of groups) {
    try {
      const { kernelSquares } = subtractedOutputRows(total, group, outputRows);
      const measure = dlrOfOutputRows(outputRows, total.p, total.c, kernelSquares);
      dlr.push(measure.dlr);
      dlrEnergy99.push(measure.dlrEnergy99);
    } catch (error) {
      if (error instanceof DegenerateDataError || error instanceof RangeError) return null;
      throw error;
    }
  }
  return { dlrStdErr: jackknifeSpread(dlr), dlrEnergy99StdErr: jackknifeSpread(dlrEnergy99) };
}

/**
 * The note for a checkpoint whose standard errors are null although the pass kept groups: a deleted
 * group left D_LR undefined.
 */
export const UNDEFINED_DELETED_GROUP_NOTE =
  'D_LR is undefined without one of the jackknife groups (constant outputs or features on the other rows): no standard error for D_LR (docs/method.md §7)';

/**
 * "0.224 ± 0.006": the value to the decimals of the standard error's first digit (at least 3), or to
 * 4 decimals without one.
 */
export function formatWithStdErr(value: number, stdErr: number | null): string {
  if (stdErr === null || !Number.isFinite(stdErr)) return value.toFixed(4);
  const decimals = stdErr > 0 ? Math.min(6, Math.max(3, -Math.floor(Math.log10(stdErr)))) : 3;
  return `${value.toFixed(decimals)} ± ${stdErr.toFixed(decimals)}`;
}

/** docs/method.md §7: two D_LR closer than this many combined standard errors are not called different. */
export const DISTINCT_DLR_STD_ERRS = 2;

export interface DlrDifference {
  /** D_LR(a) - D_LR(b) */
  difference: number;
  /** sqrt(se_a^2 + se_b^2) */
  stdErr: number;
  /** |difference| / stdErr (Infinity when stdErr is 0 and the difference is not) */
  stdErrs: number;
  /** |difference| > 2 stdErr */
  distinct: boolean;
}

/**
 * The difference of two checkpoints' D_LR against their combined jackknife error (docs/method.md §7;
 * the two samples of inputs taken as independent). Null when either has no standard error.
 */
export function dlrDifference(
  a: { dlr: number; dlrStdErr: number | null },
  b: { dlr: number; dlrStdErr: number | null },
): DlrDifference | null {
  if (a.dlrStdErr === null || b.dlrStdErr === null) return null;
  const difference = a.dlr - b.dlr;
  const stdErr = Math.hypot(a.dlrStdErr, b.dlrStdErr);
  const stdErrs = stdErr > 0 ? Math.abs(difference) / stdErr : difference === 0 ? 0 : Infinity;
  return { difference, stdErr, stdErrs, distinct: stdErrs > DISTINCT_DLR_STD_ERRS };
}
