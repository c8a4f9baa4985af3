import { describe, expect, it } from 'vitest';
import { rowAfterKey, rowWindow, scrollToShow } from './row-window';

describe('rowWindow', () => {
  it('renders nothing for no rows, and every row of a short table', () => {
    expect(rowWindow(0, 300, 20, 0)).toEqual({ first: 0, end: 0 });
    expect(rowWindow(0, 300, 20, 12)).toEqual({ first: 0, end: 12 });
  });

  it('holds the visible rows and a margin either side', () => {
    // rows 100 to 115 are visible (row height 20, viewport 300 px)
    const { first, end } = rowWindow(2000, 300, 20, 1000, 20);
    expect(first).toBeLessThanOrEqual(100 - 20);
    expect(first).toBeGreaterThan(100 - 20 - 10);
    expect(end).toBeGreaterThanOrEqual(116 + 20 - 10);
    expect(end).toBeLessThanOrEqual(1000);
  });

  it('contains the visible rows at every scroll position', () => {
    const count = 437;
    for (let scrollTop = 0; scrollTop <= count * 23; scrollTop += 7) {
      const { first, end } = rowWindow(scrollTop, 320, 23, count, 12);
      const top = Math.min(count - 1, Math.floor(scrollTop / 23));
      const bottom = Math.min(count, Math.ceil((scrollTop + 320) / 23));
      expect(first).toBeLessThanOrEqual(top);
      expect(end).toBeGreaterThanOrEqual(bottom);
      expect(end - first).toBeLessThanOrEqual(Math.ceil(320 / 23) + 1 + 24);
    }
  });

  it('keeps the same rows while the scroll moves by less than half the margin', () => {
    const at = (scrollTop: number) => rowWindow(scrollTop, 300, 20, 1000, 20);
    expect(at(2000)).toEqual(at(2000 + 20 * 3));
    expect(at(2000)).not.toEqual(at(2000 + 20 * 10));
  });

  it('moves its start, for any row count, only where its start without a count moves', () => {
    const start = (top: number, count: number) => rowWindow(top, 300, 20, count, 20).first;
    for (const count of [1, 7, 60, 437])
      for (let a = 0; a < 12_000; a += 13)
        for (const b of [a + 1, a + 97, a + 211])
          if (start(a, Number.POSITIVE_INFINITY) === start(b, Number.POSITIVE_INFINITY))
            expect(start(a, count), `count ${count}, scroll ${a} and ${b}`).toBe(start(b, count));
  });

  it('stays inside the table past its end, and for a viewport taller than the table', () => {
    expect(rowWindow(1e9, 300, 20, 50)).toEqual({ first: 20, end: 50 });
    expect(rowWindow(-40, 5000, 20, 50)).toEqual({ first: 0, end: 50 });
  });
});

describe('scrollToShow', () => {
  it('leaves a visible row alone and brings others to the nearest edge', () => {
    expect(scrollToShow(10, 100, 200, 20)).toBe(null);
    expect(scrollToShow(2, 100, 200, 20)).toBe(40);
    expect(scrollToShow(20, 100, 200, 20)).toBe(20 * 21 - 200);
    // the last row wholly inside, and the first one cut by the bottom edge
    expect(scrollToShow(14, 100, 200, 20)).toBe(null);
    expect(scrollToShow(15, 100, 200, 20)).toBe(120);
  });
});

describe('rowAfterKey', () => {
  it('moves by a row, a page, or to either end, inside the table', () => {
    expect(rowAfterKey('ArrowDown', 4, 10, 3)).toBe(5);
    expect(rowAfterKey('ArrowUp', 4, 10, 3)).toBe(3);
    expect(rowAfterKey('PageDown', 4, 10, 3)).toBe(7);
    expect(rowAfterKey('PageUp', 4, 10, 3)).toBe(1);
    expect(rowAfterKey('Home', 4, 10, 3)).toBe(0);
    expect(rowAfterKey('End', 4, 10, 3)).toBe(9);
    expect(rowAfterKey('ArrowDown', 9, 10, 3)).toBe(9);
    expect(rowAfterKey('PageUp', 1, 10, 3)).toBe(0);
    expect(rowAfterKey('PageDown', 8, 10, 0)).toBe(9);
  });

  it('leaves other keys, and an empty table, alone', () => {
    expect(rowAfterKey('a', 4, 10, 3)).toBeNull();
    expect(rowAfterKey('Enter', 4, 10, 3)).toBeNull();
    expect(rowAfterKey('End', 0, 0, 3)).toBeNull();
  });
});
