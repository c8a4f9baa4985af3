import { afterEach, describe, expect, it, vi } from 'vitest';
import { startWorker, type WorkerSpec } from './start-worker';

interface CountApi {
  count(to: number): Promise<number>;
}

/** A spec whose inline API counts, and records the signal it was given. */
function spec(create: () => Worker = () => new Worker('unused')) {
  const signals: AbortSignal[] = [];
  const value: WorkerSpec<CountApi> = {
    label: 'counting',
    create,
    inline: async (signal) => {
      signals.push(signal);
      return { count: async (to) => to + 1 };
    },
  };
  return { value, signals };
}

/** A Worker that never answers: messages go nowhere, and the test dispatches its events. */
class SilentWorker extends EventTarget {
  static last: SilentWorker | null = null;
  terminated = false;
  constructor() {
    super();
    SilentWorker.last = this;
  }
  postMessage() {}
  terminate() {
    this.terminated = true;
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('startWorker', () => {
  it('runs the API on the main thread where there are no Workers, loading it once, on first use', async () => {
    const { value, signals } = spec();
    const started = startWorker(value);
    expect(started.where).toBe('main thread');
    expect(signals).toHaveLength(0);
    expect(await started.api.count(1)).toBe(2);
    expect(await started.api.count(5)).toBe(6);
    expect(signals).toHaveLength(1);
    // the handle is not a thenable: it can be returned from an async function as it is
    expect(await Promise.resolve(started.api)).toBe(started.api);
    started.terminate();
    expect(signals[0].aborted).toBe(true);
  });

  it('falls back to the main thread when the Worker refuses to start', async () => {
    vi.stubGlobal('Worker', SilentWorker);
    const started = startWorker(
      spec(() => {
        throw new Error('blocked');
      }).value,
    );
    expect(started.where).toBe('main thread');
    expect(await started.api.count(2)).toBe(3);
  });

  it('fails the calls of a worker that cannot load, naming it, instead of leaving them waiting', async () => {
    vi.stubGlobal('Worker', SilentWorker);
    const started = startWorker(spec(() => new SilentWorker() as unknown as Worker).value);
    expect(started.where).toBe('worker');
    const call = started.api.count(1);
    SilentWorker.last!.dispatchEvent(new Event('error'));
    await expect(call).rejects.toThrow('the counting worker could not start');
    await expect(started.api.count(2)).rejects.toThrow('the counting worker could not start');
    started.terminate();
    expect(SilentWorker.last!.terminated).toBe(true);
  });
});
