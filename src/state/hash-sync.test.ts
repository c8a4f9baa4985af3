/** The URL follows the view at once for a single change, and at a bounded rate while it keeps changing. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { URL_WRITE_INTERVAL_MS, syncWithUrlHash } from './hash-sync';
import { getRichscopeState, installRichscope, richscope } from './store';
import { makeStore } from './testing';

describe('syncWithUrlHash', () => {
  const location = { hash: '' };
  const replaceState = vi.fn((_state: unknown, _title: string, hash: string) => (location.hash = hash));
  let stop: () => void = () => undefined;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    location.hash = '#/?step=5';
    replaceState.mockClear();
    vi.stubGlobal('window', { location, addEventListener: vi.fn(), removeEventListener: vi.fn() });
    vi.stubGlobal('history', { replaceState });
    installRichscope(makeStore());
    stop = syncWithUrlHash();
  });

  afterEach(() => {
    stop();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('reads the view from the URL, and writes nothing back for it', () => {
    expect(getRichscopeState().view.step).toBe(5);
    expect(replaceState).not.toHaveBeenCalled();
  });

  it('writes a single change at once', () => {
    richscope.showStep(7);
    expect(location.hash).toBe('#/?step=7');
    expect(replaceState).toHaveBeenCalledTimes(1);
  });

  it('while the view keeps changing, writes at most once an interval, and the last view at the end', () => {
    // a slider dragged through 100 steps in one second
    for (let step = 1; step <= 100; step++) {
      richscope.showStep(step);
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(URL_WRITE_INTERVAL_MS);
    expect(location.hash).toBe('#/?step=100');
    const writes = replaceState.mock.calls.length;
    // the first at once, then one an interval over the drag's second, then the last
    expect(writes).toBeGreaterThanOrEqual(Math.floor(1000 / URL_WRITE_INTERVAL_MS));
    expect(writes).toBeLessThanOrEqual(2 + Math.ceil(1000 / URL_WRITE_INTERVAL_MS));
  });

  it('writes nothing pending once stopped', () => {
    richscope.showStep(7);
    richscope.showStep(8);
    stop();
    vi.advanceTimersByTime(URL_WRITE_INTERVAL_MS);
    expect(location.hash).toBe('#/?step=7');
  });
});
