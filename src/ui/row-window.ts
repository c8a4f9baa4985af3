/**
 * Which rows of a long table are rendered: the rows in the scroll viewport and a margin either side.
 * A sweep's table has a thousand rows; laying out and painting all of them on every streamed batch
 * made the longest main-thread tasks of a drop. Pure, unit-tested; `use-row-window.ts` feeds it.
 */

/** Rows rendered beyond each edge of the viewport, so a scroll shows rows that are already there. */
export const ROW_MARGIN = 20;

export interface RowWindow {
  /** index of the first rendered row */
  first: number;
  /** one past the last rendered row */
  end: number;
}

/**
 * The rendered rows for a viewport over rows of equal height. `first` moves in steps of half the
 * margin, so scrolling by a few rows renders nothing new; the visible rows are always inside.
 */
export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  margin = ROW_MARGIN,
): RowWindow {
  if (count <= 0) return { first: 0, end: 0 };
  const height = Math.max(1, rowHeight);
  const top = Math.min(count - 1, Math.floor(Math.max(0, scrollTop) / height));
  const visible = Math.ceil(Math.max(0, viewportHeight) / height) + 1;
  const stride = Math.max(1, Math.floor(margin / 2));
  const first = Math.max(0, Math.floor((top - margin) / stride) * stride);
  return { first, end: Math.min(count, first + visible + 2 * margin) };
}

/**
 * The scroll position that brings row `index` into a viewport, or null when it is already wholly
 * inside: a row above comes to the top edge, a row below to the bottom edge.
 */
export function scrollToShow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return null;
}

/**
 * The row a key moves the selection to from row `index` of `count`, a viewport of `pageRows` rows
 * at a time for PageUp and PageDown; null for any other key. Clamped to the table.
 */
export function rowAfterKey(key: string, index: number, count: number, pageRows: number): number | null {
  const page = Math.max(1, pageRows);
  const moves: Record<string, number> = {
    ArrowDown: index + 1,
    ArrowUp: index - 1,
    PageDown: index + page,
    PageUp: index - page,
    Home: 0,
    End: count - 1,
  };
  if (!(key in moves) || count <= 0) return null;
  return Math.min(count - 1, Math.max(0, moves[key]));
}
