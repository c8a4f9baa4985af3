import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createThrottle, createThrottledStore } from './refresh-while-busy';

describe('createThrottle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes the first value at once, then the latest at most once an interval', () => {
    const seen: number[] = [];
    const throttle = createThrottle<number>((v) => seen.push(v));
    throttle.push(1, 1000);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(200);
    throttle.push(2, 1000);
    throttle.push(3, 1000);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(799);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([1, 3]);
    vi.advanceTimersByTime(5000);
    expect(seen).toEqual([1, 3]);
    throttle.push(4, 1000);
    expect(seen).toEqual([1, 3, 4]);
  });

  it('a reset drops the waiting value, and the next push passes at once', () => {
    const seen: string[] = [];
    const throttle = createThrottle<string>((v) => seen.push(v));
    throttle.push('a', 1000);
    throttle.push('b', 1000);
    throttle.reset();
    vi.advanceTimersByTime(2000);
    expect(seen).toEqual(['a']);
    throttle.push('c', 1000);
    expect(seen).toEqual(['a', 'c']);
  });

  it('the store tells its subscribers of each value passed on, and a reset empties it', () => {
    const store = createThrottledStore<number>();
    let heard = 0;
    const unsubscribe = store.subscribe(() => heard++);
    expect(store.get()).toBeNull();
    store.push(7, 1000);
    expect(store.get()).toEqual({ value: 7 });
    const box = store.get();
    store.push(8, 1000);
    expect(store.get()).toBe(box);
    vi.advanceTimersByTime(1000);
    expect(store.get()).toEqual({ value: 8 });
    expect(heard).toBe(2);
    store.reset();
    expect(store.get()).toBeNull();
    unsubscribe();
    store.push(9, 1000);
    expect(heard).toBe(2);
  });
});
