/**
 * How a planned checkpoint is cut into row ranges for the pool: pure arithmetic on the plan, so the
 * main thread imports no analysis code.
 */
import type { RangeTask, SplitPlan } from '../../workers/analysis.worker';

/** [start, end) pieces of `rows` rows in order, as even as can be, none empty; at most `parts`. */
export function cutRows(rows: number, parts: number): [number, number][] {
  const count = Math.max(1, Math.min(Math.floor(parts), rows));
  const ranges: [number, number][] = [];
  for (let k = 0; k < count; k++) {
    const start = Math.floor((rows * k) / count);
    const end = Math.floor((rows * (k + 1)) / count);
    if (end > start) ranges.push([start, end]);
  }
  return ranges;
}

/**
 * The ranges of a plan, fit split first, each split in row order: a split worth splitting
 * (work >= minSplitWork / workers) gets one range per worker, a small one (a short eval split) one range.
 */
export function rangeTasks(plan: SplitPlan, workers: number, minSplitWork: number): RangeTask[] {
  const tasks: RangeTask[] = [];
  for (const split of ['fit', 'eval'] as const) {
    const part = plan[split];
    if (!part) continue;
    const pieces = part.work * workers >= minSplitWork ? workers : 1;
    for (const [start, end] of cutRows(part.rows, pieces)) tasks.push({ split, start, end });
  }
  return tasks;
}
