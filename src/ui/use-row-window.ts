/**
 * The rows of a scrolled table body to render (row-window.ts), kept in step with the scroll, the
 * viewport's size and the rows' measured height. The table's header is sticky, so the rows' own
 * viewport is the scroller's height less the header's.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { rowWindow, scrollToShow } from './row-window';

/** A row's height in CSS px until rendered rows are measured. */
const ROW_HEIGHT_GUESS = 22;

interface Viewport {
  /** the scroller's scroll offset, which is the rows' own (the header is sticky) */
  top: number;
  /** height of the rows' viewport */
  height: number;
}

export function useRowWindow(count: number) {
  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const [rowHeight, setRowHeight] = useState(ROW_HEIGHT_GUESS);
  const [viewport, setViewport] = useState<Viewport>({ top: 0, height: 320 });
  const { first, end } = rowWindow(viewport.top, viewport.height, rowHeight, count);

  const measure = useCallback((): Viewport | null => {
    const el = scroller.current;
    if (!el) return null;
    const header = body.current?.offsetTop ?? 0;
    // the sticky header covers the top of the scroller: row i is below it once scrollTop ≤ i · height
    return { top: el.scrollTop, height: Math.max(0, el.clientHeight - header) };
  }, []);

  // Re-render only when the rendered rows would change, not on every pixel of a scroll. The row
  // count only clamps the window at the table's end (two scroll positions with the same unclamped
  // start have the same clamped one), so the listeners need not change as rows stream in.
  const follow = useCallback(() => {
    const next = measure();
    if (!next) return;
    const start = (v: Viewport) => rowWindow(v.top, v.height, rowHeight, Number.POSITIVE_INFINITY).first;
    setViewport((current) =>
      current.height === next.height && start(current) === start(next) ? current : next,
    );
  }, [measure, rowHeight]);

  useLayoutEffect(() => {
    // the pitch of the rendered rows (borders collapse, so one row's box is not its pitch)
    const rows = body.current?.querySelectorAll<HTMLTableRowElement>('tr[aria-rowindex]');
    if (!rows || rows.length < 2) return;
    const pitch = (rows[rows.length - 1].offsetTop - rows[0].offsetTop) / (rows.length - 1);
    if (pitch > 0 && Math.abs(pitch - rowHeight) > 0.25) setRowHeight(pitch);
  }, [first, end, rowHeight]);

  // A ResizeObserver reports the scroller's size once when it starts observing: the first measure.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    el.addEventListener('scroll', follow, { passive: true });
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(follow);
    observer?.observe(el);
    return () => {
      el.removeEventListener('scroll', follow);
      observer?.disconnect();
    };
  }, [follow]);

  /** Scrolls the table (never the page) until row `index` is wholly in view. */
  const show = useCallback(
    (index: number) => {
      const el = scroller.current;
      const now = measure();
      if (!el || !now || index < 0) return;
      const target = scrollToShow(index, now.top, now.height, rowHeight);
      if (target !== null) el.scrollTop = target;
    },
    [measure, rowHeight],
  );

  return {
    scroller,
    body,
    first,
    end,
    /** heights of the space standing in for the rows above and below the rendered ones */
    above: first * rowHeight,
    below: (count - end) * rowHeight,
    /** whole rows in the viewport (PageUp and PageDown move by this many) */
    pageRows: Math.max(1, Math.floor(viewport.height / rowHeight)),
    show,
  };
}
