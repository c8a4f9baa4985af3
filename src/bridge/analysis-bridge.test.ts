import { describe, expect, it } from 'vitest';
import { AnalysisBridge, type WorkerHandle } from './analysis-bridge';

/** A fake worker whose calls finish only when the test says so. */
function fakePool() {
  const started: { terminated: boolean; pending: ((v: unknown) => void)[] }[] = [];
  const startWorker = (): WorkerHandle => {
    const worker = { terminated: false, pending: [] as ((v: unknown) => void)[] };
    started.push(worker);
    const hold = () => new Promise((resolve) => worker.pending.push(resolve));
    return {
      api: { analyzeFiles: hold, importBundle: hold } as unknown as WorkerHandle['api'],
      terminate: () => (worker.terminated = true),
    };
  };
  return { started, startWorker };
}

const request = { fit: [], eval: null };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('AnalysisBridge', () => {
  it('starts workers lazily, up to the pool size, and queues the rest in order', async () => {
    const pool = fakePool();
    const bridge = new AnalysisBridge({ size: 2, startWorker: pool.startWorker });
    expect(bridge.workerCount).toBe(0);
    const results = [1, 2, 3].map(() => bridge.analyzeFiles(request));
    expect(pool.started).toHaveLength(2);
    pool.started[0].pending[0]('first');
    await expect(results[0]).resolves.toBe('first');
    await flush();
    // The third call waited for a free worker and runs on the first one.
    expect(pool.started[0].pending).toHaveLength(2);
    pool.started[0].pending[1]('third');
    await expect(results[2]).resolves.toBe('third');
    expect(pool.started).toHaveLength(2);
  });

  it('drops a queued call on abort without touching workers', async () => {
    const pool = fakePool();
    const bridge = new AnalysisBridge({ size: 1, startWorker: pool.startWorker });
    bridge.analyzeFiles(request);
    const controller = new AbortController();
    const queued = bridge.analyzeFiles(request, { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.started[0].terminated).toBe(false);
  });

  it('terminates the worker of a running call on abort and starts a new one for the next call', async () => {
    const pool = fakePool();
    const bridge = new AnalysisBridge({ size: 1, startWorker: pool.startWorker });
    const controller = new AbortController();
    const running = bridge.analyzeFiles(request, { signal: controller.signal });
    const next = bridge.analyzeFiles(request);
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.started[0].terminated).toBe(true);
    expect(pool.started).toHaveLength(2);
    pool.started[1].pending[0]('after');
    await expect(next).resolves.toBe('after');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const pool = fakePool();
    const bridge = new AnalysisBridge({ size: 1, startWorker: pool.startWorker });
    await expect(
      bridge.importBundle(new Blob([]), 'x', { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(pool.started).toHaveLength(0);
  });
});
