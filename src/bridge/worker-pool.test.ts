import { describe, expect, it } from 'vitest';
import { WorkerPool, type PoolState, type PoolWorker } from './worker-pool';

interface EchoApi {
  echo(value: string): Promise<string>;
}

/** Workers whose calls finish only when the test says so. */
function fakeWorkers() {
  const started: { terminated: boolean; pending: ((value: string) => void)[] }[] = [];
  const start = (): PoolWorker<EchoApi> => {
    const worker = { terminated: false, pending: [] as ((value: string) => void)[] };
    started.push(worker);
    return {
      api: { echo: () => new Promise<string>((resolve) => worker.pending.push(resolve)) },
      terminate: () => (worker.terminated = true),
    };
  };
  return { started, start };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('WorkerPool', () => {
  it('starts workers lazily, up to its size, and queues the rest in order', async () => {
    const workers = fakeWorkers();
    const pool = new WorkerPool({ size: 2, start: workers.start });
    expect(pool.state).toEqual({ alive: 0, busy: 0 });
    const results = ['a', 'b', 'c'].map((v) => pool.call((api) => api.echo(v)));
    await flush();
    expect(workers.started).toHaveLength(2);
    expect(pool.state).toEqual({ alive: 2, busy: 2 });
    workers.started[0].pending[0]('first');
    await expect(results[0]).resolves.toBe('first');
    await flush();
    // the third call waited for a free worker and runs on the first one
    expect(workers.started[0].pending).toHaveLength(2);
    workers.started[0].pending[1]('third');
    await expect(results[2]).resolves.toBe('third');
    expect(workers.started).toHaveLength(2);
  });

  it('warm starts every worker idle, and calls then use them without starting more', async () => {
    const workers = fakeWorkers();
    const pool = new WorkerPool({ size: 2, start: workers.start });
    const states: PoolState[] = [];
    pool.subscribe((state) => states.push(state));
    pool.warm();
    expect(workers.started).toHaveLength(2);
    expect(states).toEqual([{ alive: 2, busy: 0 }]);
    pool.warm();
    expect(workers.started).toHaveLength(2);
    const result = pool.call((api) => api.echo('a'));
    await flush();
    expect(workers.started).toHaveLength(2);
    expect(pool.state).toEqual({ alive: 2, busy: 1 });
    workers.started[0].pending[0]('done');
    await expect(result).resolves.toBe('done');
  });

  it('drops a queued call on abort without touching workers', async () => {
    const workers = fakeWorkers();
    const pool = new WorkerPool({ size: 1, start: workers.start });
    void pool.call((api) => api.echo('running'));
    const controller = new AbortController();
    const queued = pool.call((api) => api.echo('queued'), controller.signal);
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    expect(workers.started[0].terminated).toBe(false);
    expect(workers.started[0].pending).toHaveLength(1);
  });

  it('terminates the worker of a running call on abort and starts a new one for the next call', async () => {
    const workers = fakeWorkers();
    const pool = new WorkerPool({ size: 1, start: workers.start });
    const controller = new AbortController();
    const running = pool.call((api) => api.echo('long'), controller.signal);
    const next = pool.call((api) => api.echo('next'));
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(workers.started[0].terminated).toBe(true);
    expect(workers.started).toHaveLength(2);
    workers.started[1].pending[0]('after');
    await expect(next).resolves.toBe('after');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const workers = fakeWorkers();
    const pool = new WorkerPool({ size: 1, start: workers.start });
    await expect(pool.call((api) => api.echo('x'), AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(workers.started).toHaveLength(0);
  });

  it('passes a failed call on and keeps its worker', async () => {
    const pool = new WorkerPool<EchoApi>({
      size: 1,
      start: () => ({ api: { echo: () => Promise.reject(new Error('broken')) }, terminate: () => {} }),
    });
    await expect(pool.call((api) => api.echo('x'))).rejects.toThrow('broken');
    expect(pool.state).toEqual({ alive: 1, busy: 0 });
  });

  it('tells its listeners each change of the workers alive and busy, and stops them all on demand', async () => {
    const workers = fakeWorkers();
    const pool = new WorkerPool({ size: 2, start: workers.start });
    const states: PoolState[] = [];
    const unsubscribe = pool.subscribe((state) => states.push(state));
    const first = pool.call((api) => api.echo('a'));
    void pool.call((api) => api.echo('b'));
    workers.started[0].pending[0]('done');
    await first;
    pool.terminateAll();
    expect(states).toEqual([
      { alive: 1, busy: 1 },
      { alive: 2, busy: 2 },
      { alive: 2, busy: 1 },
      { alive: 0, busy: 0 },
    ]);
    expect(workers.started.map((w) => w.terminated)).toEqual([true, true]);
    unsubscribe();
    void pool.call((api) => api.echo('c'));
    expect(states).toHaveLength(4);
  });

  it('holds at least one worker', () => {
    expect(new WorkerPool({ size: 0, start: fakeWorkers().start }).size).toBe(1);
  });
});
