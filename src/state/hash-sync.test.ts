/** The URL follows the view at once for changes by hand, and at a bounded rate under a long stream of them. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { URL_WRITES_PER_SECOND, URL_WRITE_BURST, syncWithUrlHash } from './hash-sync';
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

  it('writes changes by hand at once', () => {
    for (let step = 6; step < 6 + URL_WRITE_BURST; step++) {
      richscope.showStep(step);
      expect(location.hash).toBe(`#/?step=${step}`);
    }
    expect(replaceState).toHaveBeenCalledTimes(URL_WRITE_BURST);
  });

  it('under a long stream of changes writes at a bounded rate, and the last view at the end', () => {
    // a slider dragged through 1,000 steps over ten seconds
    for (let step = 1; step <= 1000; step++) {
      richscope.showStep(step);
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(1000);
    expect(location.hash).toBe('#/?step=1000');
    const writes = replaceState.mock.calls.length;
    // the burst, then the rate over the drag's ten seconds (Safari's limit: 100 in 30 s)
    expect(writes).toBeGreaterThanOrEqual(URL_WRITE_BURST + 10 * URL_WRITES_PER_SECOND - 1);
    expect(writes).toBeLessThanOrEqual(URL_WRITE_BURST + 11 * URL_WRITES_PER_SECOND + 1);
    expect(writes).toBeLessThan(100);
  });

  it('writes nothing pending once stopped', () => {
    for (let step = 1; step <= URL_WRITE_BURST + 5; step++) richscope.showStep(step);
    const written = location.hash;
    stop();
    vi.advanceTimersByTime(10_000);
    expect(location.hash).toBe(written);
    expect(written).not.toBe(`#/?step=${URL_WRITE_BURST + 5}`);
  });
});
