import { describe, expect, it } from 'vitest';
import type { Moments } from '../core/types';
import type { AnalyzeFilesRequest, RangeTask, SplitPlan } from '../../workers/analysis.worker';
import {
  AnalysisBridge,
  type AnalysisBridgeOptions,
  type JobProgress,
  type WorkerHandle,
} from './analysis-bridge';
import { cutRows, rangeTasks } from './range-tasks';

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
    const hold =
      (method: string) =>
      (...args: unknown[]) =>
        new Promise((resolve) => {
          worker.pending.push(resolve);
          worker.calls.push({ method, args, resolve });
          calls.push({ method, args, resolve });
        });
    const methods = [
      'analyzeFiles',
      'importBundle',
      'planRanges',
      'accumulateRange',
      'finishRanges',
      'mergeRanges',
      'outputHalf',
      'spectrumHalf',
      'combineHalves',
      'forgetMoments',
    ];
    return {
      api: Object.fromEntries(methods.map((m) => [m, hold(m)])) as unknown as WorkerHandle['api'],
      terminate: () => (worker.terminated = true),
    };
  };
  /** Every call of `method` so far, on any worker, in the order they were made. */
  const callsOf = (method: string) => calls.filter((c) => c.method === method);
  return { started, startWorker, callsOf };
}

const request = { fit: [], eval: null };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A checkpoint of `bytes` bytes (the bridges below plan only files of 2,048 bytes or more). */
const bigRequest = (bytes = 4096): AnalyzeFilesRequest => ({
  fit: [{ file: new Blob([new Uint8Array(bytes)]), name: 'features.npy' }],
  eval: null,
});

const moments = (n: number): Moments => ({
  n,
  p: 1,
  c: 1,
  q: 0,
  targetKind: 'none',
  mean: new Float64Array(2),
  scatter: new Float64Array(4),
  correct: null,
});

function plan(
  fitRows: number,
  fitWork: number,
  evalRows = 0,
  evalWork = 0,
  metricsInHalves = false,
): SplitPlan {
  const split = (rows: number, work: number) => ({
    rows,
    shape: { p: 1, c: 1, targets: { kind: 'none' as const } },
    precision: 'float32' as const,
    work,
    chunkRows: 256,
  });
  return {
    kind: 'ranges',
    source: 'features.npy + logits.npy',
    fit: split(fitRows, fitWork),
    eval: evalRows ? split(evalRows, evalWork) : null,
    notes: [],
    roles: { features: 'features', logits: 'logits', labels: null },
    metricsInHalves,
  };
}

/** A two-worker bridge that splits any checkpoint of the tests' sizes (the thresholds scaled down). */
/** A bridge that splits checkpoints of 2 KiB and more across its workers (2 unless `options` say). */
function splittingBridge(
  pool: ReturnType<typeof fakePool>,
  options: AnalysisBridgeOptions = {},
): AnalysisBridge {
  return new AnalysisBridge({
    size: 2,
    startWorker: pool.startWorker,
    minSplitBytes: 2048,
    minSplitWork: 100,
    ...options,
  });
}

describe('AnalysisBridge', () => {
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

  it('drops a queued call on abort without touching workers', async () => {
    const pool = fakePool();
    const bridge = new AnalysisBridge({ size: 1, startWorker: pool.startWorker });
    void bridge.analyzeFiles(request);
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

describe('AnalysisBridge: one checkpoint split across the pool', () => {
  it('plans, runs one range per worker, sums their progress and merges in a worker, parts in row order', async () => {
    const pool = fakePool();
    const bridge = splittingBridge(pool);
    const progress: JobProgress[] = [];
    const result = bridge.analyzeFiles(bigRequest(), { onProgress: (p) => progress.push(p) });
    await flush();
    expect(pool.callsOf('planRanges')).toHaveLength(1);
    const planned = plan(1000, 1e6, 10, 10);
    pool.callsOf('planRanges')[0].resolve({ ok: true, value: planned });
    await flush();
    // fit: one range per worker; the short eval split: one range, queued behind them
    const ranges = pool.callsOf('accumulateRange');
    expect(ranges.map((c) => c.args[2])).toEqual([
      { split: 'fit', start: 0, end: 500 },
      { split: 'fit', start: 500, end: 1000 },
    ]);
    expect(pool.started.every((w) => w.calls.some((c) => c.method === 'accumulateRange'))).toBe(true);
    expect(bridge.pool).toEqual({ alive: 2, busy: 2 });
    const onRows = ranges.map((c) => c.args[3] as (rows: number) => void);
    onRows[0](256);
    onRows[1](300);
    expect(progress.at(-1)).toMatchObject({ phase: 'read', rowsDone: 556, rowsTotal: 1010, workers: 2 });

    // the second range finishes first: the merge must still get the parts in row order
    ranges[1].resolve({ ok: true, value: { kind: 'moments', moments: moments(500) } });
    await flush();
    const evalRange = pool.callsOf('accumulateRange')[2];
    expect(evalRange.args[2]).toEqual({ split: 'eval', start: 0, end: 10 });
    ranges[0].resolve({ ok: true, value: { kind: 'moments', moments: moments(499) } });
    evalRange.resolve({ ok: true, value: { kind: 'moments', moments: moments(10) } });
    await flush();
    const [finish] = pool.callsOf('finishRanges');
    expect(finish.args[0]).toBe(planned);
    const parts = finish.args[1] as { fit: Moments[]; eval: Moments[] };
    expect(parts.fit.map((m) => m.n)).toEqual([499, 500]);
    expect(parts.eval.map((m) => m.n)).toEqual([10]);
    expect(progress.at(-1)).toMatchObject({ phase: 'compute', rowsDone: 1010 });
    // a range's progress message arriving after its result changes nothing
    onRows[0](256);
    expect(progress.at(-1)).toMatchObject({ phase: 'compute', rowsDone: 1010 });
    finish.resolve({ ok: true, value: 'merged' });
    await expect(result).resolves.toEqual({ ok: true, value: 'merged' });
    expect(pool.callsOf('analyzeFiles')).toHaveLength(0);
  });

  it('computes a big output half on a second worker: merge, both halves side by side, assembly', async () => {
    const pool = fakePool();
    const bridge = splittingBridge(pool);
    const progress: JobProgress[] = [];
    const result = bridge.analyzeFiles(bigRequest(), { onProgress: (p) => progress.push(p), persist: true });
    await flush();
    const planned = plan(1000, 1e6, 0, 0, true);
    pool.callsOf('planRanges')[0].resolve({ ok: true, value: planned });
    await flush();
    for (const [k, range] of pool.callsOf('accumulateRange').entries())
      range.resolve({ ok: true, value: { kind: 'moments', moments: moments(500 + k) } });
    await flush();
    expect(pool.callsOf('finishRanges')).toHaveLength(0);
    const [merge] = pool.callsOf('mergeRanges');
    expect((merge.args[1] as { fit: Moments[] }).fit.map((m) => m.n)).toEqual([500, 501]);
    const merged = moments(1001);
    const fitCopy = moments(1001);
    merge.resolve({ ok: true, value: { fit: merged, eval: null, fitCopy } });
    await flush();
    // both halves at once, each on its own worker, each with its own copy of the fit moments
    const [outputHalf] = pool.callsOf('outputHalf');
    const [spectrumHalf] = pool.callsOf('spectrumHalf');
    expect(outputHalf.args[1]).toBe(fitCopy);
    // the spectrum half stores the moments while it computes (the longer half)
    expect(spectrumHalf.args.slice(1)).toEqual([{ fit: merged, eval: null }, true]);
    expect(bridge.pool).toEqual({ alive: 2, busy: 2 });
    expect(progress.at(-1)).toMatchObject({ phase: 'compute', workers: 2 });
    const stored = { momentsKey: 'moments/k', storeProblem: null };
    spectrumHalf.resolve({ ok: true, value: { fit: merged, eval: null, spectra: 'spectra', stored } });
    outputHalf.resolve({ ok: true, value: 'outputs' });
    await flush();
    const [combine] = pool.callsOf('combineHalves');
    expect(combine.args.slice(1)).toEqual([{ fit: merged, eval: null }, 'outputs', 'spectra', stored]);
    combine.resolve({ ok: true, value: 'checkpoint' });
    await expect(result).resolves.toEqual({ ok: true, value: 'checkpoint' });
    expect(pool.callsOf('forgetMoments')).toHaveLength(0);
  });

  it('deletes the moments the spectrum half stored when the checkpoint then fails', async () => {
    const pool = fakePool();
    const bridge = splittingBridge(pool);
    const fail = { ok: false, file: 'features.npy', message: 'the outputs are constant' };
    for (const failing of ['outputHalf', 'combineHalves'] as const) {
      const result = bridge.analyzeFiles(bigRequest(), { persist: true });
      await flush();
      pool
        .callsOf('planRanges')
        .at(-1)!
        .resolve({ ok: true, value: plan(1000, 1e6, 0, 0, true) });
      await flush();
      for (const range of pool.callsOf('accumulateRange').slice(-2))
        range.resolve({ ok: true, value: { kind: 'moments', moments: moments(500) } });
      await flush();
      pool
        .callsOf('mergeRanges')
        .at(-1)!
        .resolve({ ok: true, value: { fit: moments(1000), eval: null, fitCopy: moments(1000) } });
      await flush();
      const stored = { momentsKey: `moments/${failing}`, storeProblem: null };
      pool
        .callsOf('spectrumHalf')
        .at(-1)!
        .resolve({ ok: true, value: { fit: moments(1000), eval: null, spectra: 'spectra', stored } });
      pool
        .callsOf('outputHalf')
        .at(-1)!
        .resolve(failing === 'outputHalf' ? fail : { ok: true, value: 'outputs' });
      await flush();
      if (failing === 'combineHalves') pool.callsOf('combineHalves').at(-1)!.resolve(fail);
      await expect(result).resolves.toEqual(fail);
      await flush();
      const forget = pool.callsOf('forgetMoments').at(-1)!;
      expect(forget.args).toEqual([[stored.momentsKey]]);
      forget.resolve(undefined);
      await flush();
    }
    expect(pool.callsOf('forgetMoments')).toHaveLength(2);
  });

  it('asks the worker that makes the final moments to store them, on every path', async () => {
    const pool = fakePool();
    const bridge = splittingBridge(pool);
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
    pool.callsOf('planRanges')[0].resolve({ ok: true, value: plan(1000, 1e6) });
    await flush();
    for (const range of pool.callsOf('accumulateRange'))
      range.resolve({ ok: true, value: { kind: 'moments', moments: moments(500) } });
    await flush();
    expect(pool.callsOf('finishRanges')[0].args[2]).toBe(true);
    // not asked: nothing stored (the CLI's and the tests' default)
    void bridge.analyzeFiles(request);
    await flush();
    expect(pool.callsOf('analyzeFiles')[1].args[2]).toBe(false);
  });

  it('reports the output half’s failure first, as the single-worker analysis raises it first', async () => {
    const pool = fakePool();
    const bridge = splittingBridge(pool);
    const result = bridge.analyzeFiles(bigRequest());
    await flush();
    pool.callsOf('planRanges')[0].resolve({ ok: true, value: plan(1000, 1e6, 0, 0, true) });
    await flush();
    for (const range of pool.callsOf('accumulateRange'))
      range.resolve({ ok: true, value: { kind: 'moments', moments: moments(500) } });
    await flush();
    pool
      .callsOf('mergeRanges')[0]
      .resolve({ ok: true, value: { fit: moments(1000), eval: null, fitCopy: moments(1000) } });
    await flush();
    const spectrumFailure = { ok: false, file: 'features.npy', message: 'spectrum' };
    const outputFailure = { ok: false, file: 'features.npy', message: 'the outputs are constant' };
    pool.callsOf('spectrumHalf')[0].resolve(spectrumFailure);
    pool.callsOf('outputHalf')[0].resolve(outputFailure);
    await expect(result).resolves.toEqual(outputFailure);
    expect(pool.callsOf('combineHalves')).toHaveLength(0);
  });

  it('cancel terminates every worker running a range of the job and frees the pool', async () => {
    const pool = fakePool();
    const bridge = splittingBridge(pool);
    const states: { alive: number; busy: number }[] = [];
    bridge.subscribePool((state) => states.push(state));
    const controller = new AbortController();
    const result = bridge.analyzeFiles(bigRequest(), { signal: controller.signal });
    await flush();
    pool.callsOf('planRanges')[0].resolve({ ok: true, value: plan(1000, 1e6) });
    await flush();
    expect(pool.callsOf('accumulateRange')).toHaveLength(2);
    expect(states.at(-1)).toEqual({ alive: 2, busy: 2 });
    controller.abort();
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.started.map((w) => w.terminated)).toEqual([true, true]);
    expect(bridge.pool).toEqual({ alive: 0, busy: 0 });
    expect(states.at(-1)).toEqual({ alive: 0, busy: 0 });
    expect(pool.callsOf('finishRanges')).toHaveLength(0);
    expect(pool.callsOf('analyzeFiles')).toHaveLength(0);
  });

  it('leaves the other jobs alone when one split job is cancelled', async () => {
    const pool = fakePool();
    const bridge = splittingBridge(pool, { size: 3 });
    const other = bridge.analyzeFiles(request);
    const controller = new AbortController();
    const split = bridge.analyzeFiles(bigRequest(), { signal: controller.signal });
    await flush();
    pool.callsOf('planRanges')[0].resolve({ ok: true, value: plan(90, 1e6) });
    await flush();
    controller.abort();
    await expect(split).rejects.toMatchObject({ name: 'AbortError' });
    // the worker holding the other job's call is the only one left, still running it
    expect(pool.started.map((w) => w.terminated)).toEqual([false, true, true]);
    pool.callsOf('analyzeFiles')[0].resolve('other done');
    await expect(other).resolves.toBe('other done');
  });

  it('a range meeting NaN/Inf stops its siblings and the single-worker path gives the answer', async () => {
    const pool = fakePool();
    const bridge = splittingBridge(pool);
    const result = bridge.analyzeFiles(bigRequest());
    await flush();
    pool.callsOf('planRanges')[0].resolve({ ok: true, value: plan(1000, 1e6) });
    await flush();
    const ranges = pool.callsOf('accumulateRange');
    ranges[0].resolve({ ok: true, value: { kind: 'non-finite' } });
    await flush();
    // the sibling still running was terminated, not left to finish work nobody will use
    expect(pool.started[1].terminated).toBe(true);
    const [serial] = pool.callsOf('analyzeFiles');
    expect(serial).toBeDefined();
    const refusal = { ok: false, file: 'features.npy', message: 'features: 1 NaN/Inf value, first in row 3' };
    serial.resolve(refusal);
    await expect(result).resolves.toEqual(refusal);
    expect(pool.callsOf('finishRanges')).toHaveLength(0);
  });

  it('keeps small, unplannable or unrangeable checkpoints on one worker', async () => {
    const pool = fakePool();
    const bridge = splittingBridge(pool, { minSplitWork: 1e9 });
    // small files: no plan at all
    void bridge.analyzeFiles(bigRequest(1024));
    await flush();
    expect(pool.callsOf('planRanges')).toHaveLength(0);
    expect(pool.callsOf('analyzeFiles')).toHaveLength(1);
    pool.callsOf('analyzeFiles')[0].resolve('small done');
    // a big CSV: parsed whole when opened, so not planned either
    void bridge.analyzeFiles({
      fit: [{ file: new Blob([new Uint8Array(4096)]), name: 'table.csv' }],
      eval: null,
    });
    await flush();
    expect(pool.callsOf('planRanges')).toHaveLength(0);
    pool.callsOf('analyzeFiles')[1].resolve('csv done');
    // a plan that says serial, a failed plan, and too little work: each ends on analyzeFiles
    const outcomes = [
      { ok: true, value: { kind: 'serial', reason: 'deflated' } },
      { ok: false, file: 'features.npy', message: 'truncated' },
      { ok: true, value: plan(1000, 1e8) },
    ];
    for (const [k, outcome] of outcomes.entries()) {
      void bridge.analyzeFiles(bigRequest());
      await flush();
      pool.callsOf('planRanges')[k].resolve(outcome);
      await flush();
      expect(pool.callsOf('analyzeFiles')).toHaveLength(k + 3);
      pool.callsOf('analyzeFiles')[k + 2].resolve('done');
      await flush();
    }
    expect(pool.callsOf('accumulateRange')).toHaveLength(0);
  });
});

describe('range tasks', () => {
  it('cuts rows into even, ordered, non-empty pieces', () => {
    expect(cutRows(10, 3)).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
    expect(cutRows(2, 4)).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(cutRows(7, 1)).toEqual([[0, 7]]);
  });

  it('splits a split worth splitting across the workers, a small one not', () => {
    const tasks: RangeTask[] = rangeTasks(plan(100, 600, 5, 600), 2, 1000);
    expect(tasks).toEqual([
      { split: 'fit', start: 0, end: 50 },
      { split: 'fit', start: 50, end: 100 },
      { split: 'eval', start: 0, end: 2 },
      { split: 'eval', start: 2, end: 5 },
    ]);
    expect(rangeTasks(plan(100, 400), 2, 1000)).toEqual([{ split: 'fit', start: 0, end: 100 }]);
  });
});
