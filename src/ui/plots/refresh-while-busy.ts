/**
 * While analyses run, the plots take new results at most once a second. A drop commits results to
 * the store every 250 ms, and redrawing four plots of every run each time would keep the main
 * thread busy most of a drop, on the same cores as the analysis workers. The table and the progress
 * still update at every commit; once the last analysis ends, the plots show everything at once.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { runSummaries, type RunSummary } from '../../state/run-summaries';
import { useRichscope } from '../../state/store';

export const PLOT_REFRESH_WHILE_BUSY_MS = 1000;

export interface Throttle<T> {
  /** A new value: passed on now if the last was at least `intervalMs` ago, else at that time. */
  push(value: T, intervalMs: number): void;
  /** Forgets any value waiting, and the time of the last: the next push passes on at once. */
  reset(): void;
}

/** Passes on the latest of the values pushed, at most once every `intervalMs`, the first at once. */
export function createThrottle<T>(publish: (value: T) => void, now: () => number = Date.now): Throttle<T> {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waiting: { value: T } | null = null;
  const flush = () => {
    timer = undefined;
    if (!waiting) return;
    const { value } = waiting;
    waiting = null;
    last = now();
    publish(value);
  };
  return {
    push(value, intervalMs) {
      waiting = { value };
      if (timer !== undefined) return;
      const wait = last + intervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    reset() {
      clearTimeout(timer);
      timer = undefined;
      waiting = null;
      last = -Infinity;
    },
  };
}

/** The value a throttle last passed on, as an external store React can subscribe to. */
export function createThrottledStore<T>() {
  let shown: { value: T } | null = null;
  const listeners = new Set<() => void>();
  const throttle = createThrottle<T>((value) => {
    shown = { value };
    listeners.forEach((listener) => listener());
  });
  return {
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: () => shown,
    push: throttle.push,
    reset() {
      throttle.reset();
      shown = null;
    },
  };
}

/** `value`, or while `intervalMs` > 0, the latest value passed on by a throttle of that interval. */
export function useThrottled<T>(value: T, intervalMs: number): T {
  const [store] = useState(createThrottledStore<T>);
  const shown = useSyncExternalStore(store.subscribe, store.get);
  useEffect(() => {
    if (intervalMs > 0) store.push(value, intervalMs);
    else store.reset();
  }, [store, value, intervalMs]);
  useEffect(() => () => store.reset(), [store]);
  // before the first value of a busy spell is passed on, the value itself (never an older spell's)
  return intervalMs > 0 && shown ? shown.value : value;
}

/** The runs as the plots draw them: while analyses run, refreshed at most once a second. */
export function usePlottedRuns(): readonly RunSummary[] {
  const runs = useRichscope((s) => runSummaries(s.runs));
  const busy = useRichscope((s) => s.jobs.length > 0);
  return useThrottled(runs, busy ? PLOT_REFRESH_WHILE_BUSY_MS : 0);
}
