/**
 * The bridge over fake workers: which checkpoints it keeps on one worker, which it shards across the
 * pool (the shard job itself: shard-job.test.ts; the pool: worker-pool.test.ts), and what a cancel
 * does to the workers.
 */
import { describe, expect, it } from 'vitest';
import type { SplitSize } from '../analysis/plan';
import type { AnalyzeFilesRequest, CheckpointLayout, ShardTask } from '../../workers/analysis.worker';
import { AnalysisBridge, type AnalysisBridgeOptions, type WorkerHandle } from './analysis-bridge';

interface FakeCall {
  method: string;
  args: unknown[];
  resolve: (value: unknown) => void;
}

/** Fake workers whose calls finish only when the test says so; every call is recorded. */
function fakePool() {
  const started: { terminated: boolean; pending: ((v: unknown) => void)[]; calls: FakeCall[] }[] = [];
  const calls: FakeCall[] = [];
  const startWorker = (): WorkerHandle => {
    const worker = { terminated: false, pending: [] as ((v: unknown) => void)[], calls: [] as FakeCall[] };
    started.push(worker);
    const api = new Proxy({} as WorkerHandle['api'], {
      get:
        (_, method: string) =>
        (...args: unknown[]) =>
          new Promise((resolve) => {
            worker.pending.push(resolve);
            worker.calls.push({ method, args, resolve });
            calls.push({ method, args, resolve });
          }),
    });
    return { api, terminate: () => (worker.terminated = true) };
  };
  /** Every call of `method` so far, on any worker, in the order they were made. */
  const callsOf = (method: string) => calls.filter((c) => c.method === method);
  return { started, startWorker, callsOf };
}

const request = { fit: [], eval: null };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A checkpoint of `bytes` bytes (the bridges below ask for the layout of files of 2,048 bytes or more). */
const bigRequest = (bytes = 4096): AnalyzeFilesRequest => ({
  fit: [{ file: new Blob([new Uint8Array(bytes)]), name: 'features.npy' }],
  eval: null,
});

/** A shardable layout of `rows` rows of 10 columns: rows x 100 multiply-adds of moment pass. */
function layout(rows: number): CheckpointLayout {
  const size: SplitSize = {
    rows,
    shape: { p: 9, c: 1, targets: { kind: 'none' } },
    float32: true,
    columns: 10,
  };
  return {
    kind: 'shardable',
    source: 'features.npy + logits.npy',
    fit: size,
    eval: null,
    notes: [],
    roles: { features: 'features', logits: 'logits', labels: null, layers: ['features'] },
  };
}

const moments = (n: number) => ({
  n,
  p: 9,
  c: 1,
  q: 0,
  targetKind: 'none',
  mean: new Float64Array(10),
  scatter: new Float64Array(100),
  correct: null,
});

/** A bridge that shards checkpoints of 2 KiB and 1e5 multiply-adds and more (on 2 workers unless `options` say). */
function shardingBridge(
  pool: ReturnType<typeof fakePool>,
  options: AnalysisBridgeOptions = {},
): AnalysisBridge {
  return new AnalysisBridge({
    size: 2,
    startWorker: pool.startWorker,
    ...options,
    thresholds: { poolMinBytes: 2048, poolMinWork: 1e5, ...options.thresholds },
  });
}

describe('AnalysisBridge: the pool', () => {
  it('starts workers lazily, up to the pool size, and queues the rest in order', async () => {
    const pool = fakePool();
    const bridge = new AnalysisBridge({ size: 2, startWorker: pool.startWorker });
    expect(bridge.workerCount).toBe(0);
    const results = [1, 2, 3].map(() => bridge.analyzeFiles(request));
    await flush();
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

describe('AnalysisBridge: one big checkpoint on every worker', () => {
  it('reads the layout, shards the rows across the pool, and finishes in a worker', async () => {
    const pool = fakePool();
    const bridge = shardingBridge(pool);
    const result = bridge.analyzeFiles(bigRequest());
    await flush();
    expect(pool.callsOf('readLayout')).toHaveLength(1);
    pool.callsOf('readLayout')[0].resolve({ ok: true, value: layout(1000) });
    await flush();
    const shards = pool.callsOf('accumulateShard');
    // two workers share the rows, one from each end, each claiming chunks through this thread
    expect(shards.map((c) => c.args[1] as ShardTask).map((t) => [t.split, t.start, t.end, t.share])).toEqual([
      ['fit', 0, 1000, { from: 'front' }],
      ['fit', 0, 1000, { from: 'back' }],
    ]);
    expect(shards.map((c) => typeof c.args[3])).toEqual(['function', 'function']);
    expect(pool.started.every((w) => w.calls.some((c) => c.method === 'accumulateShard'))).toBe(true);
    expect(bridge.pool).toEqual({ alive: 2, busy: 2 });
    for (const shard of shards)
      shard.resolve({ ok: true, value: { kind: 'moments', moments: moments(500) } });
    await flush();
    pool.callsOf('finishShards')[0].resolve({ ok: true, value: 'merged' });
    await expect(result).resolves.toEqual({ ok: true, value: 'merged' });
    expect(pool.callsOf('analyzeFiles')).toHaveLength(0);
  });

  it('asks the worker that makes the final moments to store them, on every path', async () => {
    const pool = fakePool();
    const bridge = shardingBridge(pool);
    void bridge.analyzeFiles(request, { persist: true });
    void bridge.importBundle(new Blob([]), 'r.richscope.json', { persist: true });
    await flush();
    expect(pool.callsOf('analyzeFiles')[0].args[2]).toBe(true);
    expect(pool.callsOf('importBundle')[0].args[2]).toBe(true);
    pool.callsOf('analyzeFiles')[0].resolve('done');
    pool.callsOf('importBundle')[0].resolve('done');
    await flush();
    void bridge.analyzeFiles(bigRequest(), { persist: true });
    await flush();
    pool.callsOf('readLayout')[0].resolve({ ok: true, value: layout(1000) });
    await flush();
    for (const shard of pool.callsOf('accumulateShard'))
      shard.resolve({ ok: true, value: { kind: 'moments', moments: moments(500) } });
    await flush();
    expect(pool.callsOf('finishShards')[0].args[2]).toBe(true);
    // not asked: nothing stored (the CLI's and the tests' default)
    void bridge.analyzeFiles(request);
    await flush();
    expect(pool.callsOf('analyzeFiles')[1].args[2]).toBe(false);
  });

  it('cancel terminates every worker running a shard of the job and frees the pool', async () => {
    const pool = fakePool();
    const bridge = shardingBridge(pool);
    const states: { alive: number; busy: number }[] = [];
    bridge.subscribePool((state) => states.push(state));
    const controller = new AbortController();
    const result = bridge.analyzeFiles(bigRequest(), { signal: controller.signal });
    await flush();
    pool.callsOf('readLayout')[0].resolve({ ok: true, value: layout(1000) });
    await flush();
    expect(pool.callsOf('accumulateShard')).toHaveLength(2);
    expect(states.at(-1)).toEqual({ alive: 2, busy: 2 });
    controller.abort();
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.started.map((w) => w.terminated)).toEqual([true, true]);
    expect(bridge.pool).toEqual({ alive: 0, busy: 0 });
    expect(states.at(-1)).toEqual({ alive: 0, busy: 0 });
    expect(pool.callsOf('finishShards')).toHaveLength(0);
    expect(pool.callsOf('analyzeFiles')).toHaveLength(0);
  });

  it('leaves the other jobs alone when one sharded job is cancelled', async () => {
    const pool = fakePool();
    const bridge = shardingBridge(pool, { size: 3 });
    const other = bridge.analyzeFiles(request);
    const controller = new AbortController();
    const sharded = bridge.analyzeFiles(bigRequest(), { signal: controller.signal });
    await flush();
    pool.callsOf('readLayout')[0].resolve({ ok: true, value: layout(1000) });
    await flush();
    controller.abort();
    await expect(sharded).rejects.toMatchObject({ name: 'AbortError' });
    // the worker holding the other job's call is the only one left, still running it
    expect(pool.started.map((w) => w.terminated)).toEqual([false, true, true]);
    pool.callsOf('analyzeFiles')[0].resolve('other done');
    await expect(other).resolves.toBe('other done');
  });

  it('a shard meeting NaN/Inf stops its siblings and the single-worker path gives the answer', async () => {
    const pool = fakePool();
    const bridge = shardingBridge(pool);
    const result = bridge.analyzeFiles(bigRequest());
    await flush();
    pool.callsOf('readLayout')[0].resolve({ ok: true, value: layout(1000) });
    await flush();
    pool.callsOf('accumulateShard')[0].resolve({ ok: true, value: { kind: 'non-finite' } });
    await flush();
    // the sibling still running was terminated, not left to finish work nobody will use
    expect(pool.started[1].terminated).toBe(true);
    const [serial] = pool.callsOf('analyzeFiles');
    expect(serial).toBeDefined();
    const refusal = { ok: false, file: 'features.npy', message: 'features: 1 NaN/Inf value, first in row 3' };
    serial.resolve(refusal);
    await expect(result).resolves.toEqual(refusal);
    expect(pool.callsOf('finishShards')).toHaveLength(0);
  });

  it('keeps small, unreadable by range or too short checkpoints on one worker', async () => {
    const pool = fakePool();
    const bridge = shardingBridge(pool);
    // small files: no layout asked at all
    void bridge.analyzeFiles(bigRequest(1024));
    await flush();
    expect(pool.callsOf('readLayout')).toHaveLength(0);
    expect(pool.callsOf('analyzeFiles')).toHaveLength(1);
    pool.callsOf('analyzeFiles')[0].resolve('small done');
    // a big CSV: parsed whole when opened, so no layout either
    void bridge.analyzeFiles({
      fit: [{ file: new Blob([new Uint8Array(4096)]), name: 'table.csv' }],
      eval: null,
    });
    await flush();
    expect(pool.callsOf('readLayout')).toHaveLength(0);
    pool.callsOf('analyzeFiles')[1].resolve('csv done');
    // a layout that says serial, a failed layout, and too little work (999 x 100 < 1e5): each ends on analyzeFiles
    const outcomes = [
      { ok: true, value: { kind: 'serial', reason: 'deflated' } },
      { ok: false, file: 'features.npy', message: 'truncated' },
      { ok: true, value: layout(999) },
    ];
    for (const [k, outcome] of outcomes.entries()) {
      void bridge.analyzeFiles(bigRequest());
      await flush();
      pool.callsOf('readLayout')[k].resolve(outcome);
      await flush();
      expect(pool.callsOf('analyzeFiles')).toHaveLength(k + 3);
      pool.callsOf('analyzeFiles')[k + 2].resolve('done');
      await flush();
    }
    expect(pool.callsOf('accumulateShard')).toHaveLength(0);
  });

  it('keeps every checkpoint on one worker with a pool of one', async () => {
    const pool = fakePool();
    const bridge = shardingBridge(pool, { size: 1 });
    void bridge.analyzeFiles(bigRequest());
    await flush();
    expect(pool.callsOf('readLayout')).toHaveLength(0);
    expect(pool.callsOf('analyzeFiles')).toHaveLength(1);
  });
});

describe('AnalysisBridge: batches of small checkpoints', () => {
  const small = (name: string): AnalyzeFilesRequest => ({
    fit: [{ file: new Blob([new Uint8Array(100)]), name }],
    eval: null,
  });

  it('batches small checkpoints and leaves the shardable ones on their own', () => {
    const pool = fakePool();
    const bridge = shardingBridge(pool, { batchLimits: { batchesPerWorker: 1 } });
    const requests = [small('a'), small('b'), bigRequest(), small('c')];
    expect(bridge.batchRequests(requests)).toEqual([[0, 1], [2], [3]]);
  });

  it('analyses a batch in one call of one worker, with its progress and persist', async () => {
    const pool = fakePool();
    const bridge = new AnalysisBridge({ size: 2, startWorker: pool.startWorker });
    const heard: unknown[] = [];
    const result = bridge.analyzeBatch([small('a'), small('b')], {
      persist: true,
      onProgress: (p) => heard.push(p),
    });
    await flush();
    const [call] = pool.callsOf('analyzeBatch');
    expect(pool.callsOf('analyzeBatch')).toHaveLength(1);
    expect((call.args[0] as AnalyzeFilesRequest[]).map((r) => r.fit[0].name)).toEqual(['a', 'b']);
    expect(call.args[2]).toBe(true);
    (call.args[1] as (index: number, file: string) => void)(1, 'b');
    expect(heard).toEqual([{ checkpointsDone: 1, file: 'b' }]);
    const outcomes = [
      { ok: true, value: 'a' },
      { ok: false, file: 'b', message: 'not a zip archive' },
    ];
    call.resolve(outcomes);
    await expect(result).resolves.toEqual(outcomes);
  });

  it('a batch call that fails as a whole is analysed again checkpoint by checkpoint', async () => {
    const pool = fakePool();
    const worker = pool.startWorker();
    // the worker's batch call throws (not a bad file: those come back as outcomes)
    const api = new Proxy({} as WorkerHandle['api'], {
      get: (_, method: string) =>
        method === 'analyzeBatch'
          ? () => Promise.reject(new Error('DataCloneError'))
          : (...args: unknown[]) =>
              (worker.api as unknown as Record<string, (...a: unknown[]) => unknown>)[method](...args),
    });
    const failing = new AnalysisBridge({ size: 1, startWorker: () => ({ api, terminate: () => undefined }) });
    const result = failing.analyzeBatch([small('a'), small('b')], { persist: true });
    await flush();
    const singles = pool.callsOf('analyzeFiles');
    expect(singles.map((c) => (c.args[0] as AnalyzeFilesRequest).fit[0].name)).toEqual(['a']);
    expect(singles[0].args[2]).toBe(true);
    singles[0].resolve({ ok: true, value: 'a' });
    await flush();
    pool.callsOf('analyzeFiles')[1].resolve({ ok: false, file: 'b', message: 'bad' });
    await expect(result).resolves.toEqual([
      { ok: true, value: 'a' },
      { ok: false, file: 'b', message: 'bad' },
    ]);
  });

  it('cancel mid-batch terminates its worker and rejects; the pool starts afresh', async () => {
    const pool = fakePool();
    const bridge = new AnalysisBridge({ size: 1, startWorker: pool.startWorker });
    const controller = new AbortController();
    const result = bridge.analyzeBatch([small('a'), small('b')], { signal: controller.signal });
    await flush();
    expect(pool.callsOf('analyzeBatch')).toHaveLength(1);
    controller.abort();
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.started[0].terminated).toBe(true);
    // no checkpoint of the cancelled batch is analysed again
    expect(pool.callsOf('analyzeFiles')).toHaveLength(0);
    void bridge.analyzeBatch([small('c'), small('d')]);
    await flush();
    expect(pool.started).toHaveLength(2);
  });
});
