/** Rows of the checkpoint table and their sort order (pure, unit-tested). */
import type { CheckpointMetrics } from '../core/types';
import type { SortColumn } from '../state/view-settings';

/** What a row needs of a checkpoint and of its run (records, or summaries without the moments). */
interface RowCheckpoint {
  step: number;
  metrics: CheckpointMetrics;
}
interface RowRun<C extends RowCheckpoint> {
  name: string;
  checkpoints: readonly C[];
}

export interface CheckpointRow<R extends RowRun<C>, C extends RowCheckpoint> {
  run: R;
  checkpoint: C;
}

function sortValue<R extends RowRun<C>, C extends RowCheckpoint>(
  row: CheckpointRow<R, C>,
  column: SortColumn,
): string | number | null {
  const m = row.checkpoint.metrics;
  switch (column) {
    case 'run':
      return row.run.name;
    case 'step':
      return row.checkpoint.step;
    default:
      return m[column];
  }
}

/**
 * All checkpoints of all runs, sorted by `column` (ties: run order, then step). Missing values
 * (null NC1 or accuracy) sort last in both directions, so they never hide the real numbers.
 */
export function tableRows<R extends RowRun<C>, C extends RowCheckpoint>(
  runs: readonly R[],
  column: SortColumn,
  descending: boolean,
): CheckpointRow<R, C>[] {
  const rows = runs.flatMap((run) => run.checkpoints.map((checkpoint) => ({ run, checkpoint })));
  const order = new Map(rows.map((row, i) => [row, i]));
  return rows.sort((a, b) => {
    const va = sortValue(a, column);
    const vb = sortValue(b, column);
    if (va === null || vb === null || va === vb) {
      if (va !== vb) return va === null ? 1 : -1;
      return order.get(a)! - order.get(b)!;
    }
    const cmp =
      typeof va === 'string'
        ? va.localeCompare(String(vb), undefined, { numeric: true })
        : va - (vb as number);
    return descending ? -cmp : cmp;
  });
}
