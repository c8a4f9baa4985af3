/** The shard job over a fake pool: which calls it makes, in what order, with what, and when it gives up. */
import { describe, expect, it } from 'vitest';
import type { EnergyRelay, EnergyWork } from '../analysis/energy-relay';
import { sharedChunkSizes, type PoolPlan, type SplitSize } from '../analysis/plan';
import type { Moments } from '../core/types';
import type { AnalysisApi, ShardableCheckpoint, ShardTask } from '../../workers/analysis.worker';
import { runShardJob, shardTasks, type AnalysisPool, type JobProgress } from './shard-job';
import { abortError } from './worker-pool';

interface FakeCall {
  method: string;
  args: unknown[];
  resolve: (value: unknown) => void;
  /** the pool stopped the call (its signal aborted while it ran) */
  aborted: boolean;
}

/**
 * A pool without workers: each call runs its work against an API whose methods finish only when the
 * test says so; a call whose signal aborts is rejected and marked, as the real pool terminates its
 * worker.
 */
function fakePool() {
  const calls: FakeCall[] = [];
  const api = new Proxy({} as AnalysisApi, {
    get:
      (_, method: string) =>
      (...args: unknown[]) =>
        new Promise((resolve) => calls.push({ method, args, resolve, aborted: false })),
  });
  const pool: AnalysisPool = {
    call<T>(work: (api: AnalysisApi) => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted) return Promise.reject(abortError());
      return new Promise<T>((resolve, reject) => {
        const made = calls.length;
        signal?.addEventListener('abort', () => {
          for (const call of calls.slice(made, made + 1)) call.aborted = true;
          reject(abortError());
        });
        work(api).then(resolve, reject);
      });
    },
  };
  const callsOf = (method: string) => calls.filter((c) => c.method === method);
  return { pool, callsOf };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

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

const size = (rows: number): SplitSize => ({
  rows,
  shape: { p: 1, c: 1, targets: { kind: 'none' } },
  float32: true,
  columns: 2,
});

function checkpoint(fitRows: number, evalRows = 0): ShardableCheckpoint {
  return {
    kind: 'shardable',
    source: 'features.npy + logits.npy',
    fit: size(fitRows),
    eval: evalRows ? size(evalRows) : null,
    notes: [],
    roles: { features: 'features', logits: 'logits', labels: null, layers: ['features'] },
  };
}

/** Two fit shards (and one eval shard when the checkpoint has an eval split). */
function plan(layout: ShardableCheckpoint, metrics: PoolPlan['metrics'] = 'whole'): PoolPlan {
  const half = Math.floor(layout.fit.rows / 2);
  const pass = { precision: 'float32' as const, chunkRows: 256 };
  return {
    shards: [
      { split: 'fit', start: 0, end: half },
      { split: 'fit', start: half, end: layout.fit.rows },
      ...(layout.eval ? [{ split: 'eval' as const, start: 0, end: layout.eval.rows }] : []),
    ],
    fit: pass,
    eval: layout.eval ? { ...pass, chunkRows: 512 } : null,
    metrics,
  };
}

const request = { fit: [], eval: null };
const ok = (value: unknown) => ({ ok: true, value });
const shardMoments = (n: number) => ok({ kind: 'moments', moments: moments(n) });

/** Runs a job in halves up to its two halves, returning the job and the calls to answer. */
async function jobInHalves(fake: ReturnType<typeof fakePool>, persist = true) {
  const layout = checkpoint(1000);
  const job = runShardJob(fake.pool, request, layout, plan(layout, 'halves'), { persist });
  await flush();
  for (const shard of fake.callsOf('accumulateShard').slice(-2)) shard.resolve(shardMoments(500));
  await flush();
  const merged = { fit: moments(1000), fitCopy: moments(1000), evalCopy: null };
  fake
    .callsOf('mergeShards')
    .at(-1)!
    .resolve(ok({ ...merged, eval: null }));
  await flush();
  const output = fake.callsOf('outputHalf').at(-1)!;
  const spectrum = fake.callsOf('spectrumHalf').at(-1)!;
  return { job, merged, output, spectrum };
}

describe('shardTasks', () => {
  it('gives each shard its split’s shape, Gram kernel and block rows', () => {
    const layout = checkpoint(1000, 10);
    const tasks: ShardTask[] = shardTasks(layout, plan(layout));
    expect(tasks.map((t) => [t.split, t.start, t.end, t.precision, t.chunkRows])).toEqual([
      ['fit', 0, 500, 'float32', 256],
      ['fit', 500, 1000, 'float32', 256],
      ['eval', 0, 10, 'float32', 512],
    ]);
    expect(tasks[2].shape).toBe(layout.eval!.shape);
  });
});

describe('runShardJob', () => {
  it('runs every shard at once, sums their progress, and merges in a worker, parts in row order', async () => {
    const fake = fakePool();
    const layout = checkpoint(999, 10);
    const progress: JobProgress[] = [];
    const job = runShardJob(fake.pool, request, layout, plan(layout), {
      onProgress: (p) => progress.push(p),
      persist: false,
    });
    await flush();
    const shards = fake.callsOf('accumulateShard');
    expect(shards.map((c) => (c.args[1] as ShardTask).start)).toEqual([0, 499, 0]);
    const onRows = shards.map((c) => c.args[2] as (rows: number) => void);
    onRows[0](256);
    onRows[1](300);
    expect(progress.at(-1)).toMatchObject({ phase: 'read', rowsDone: 556, rowsTotal: 1009, workers: 3 });
    // the second shard finishes first: the merge must still get the parts in row order
    shards[1].resolve(shardMoments(500));
    shards[0].resolve(shardMoments(499));
    shards[2].resolve(shardMoments(10));
    await flush();
    const [finish] = fake.callsOf('finishShards');
    expect(finish.args[0]).toBe(layout);
    const parts = finish.args[1] as { fit: Moments[]; eval: Moments[] };
    expect(parts.fit.map((m) => m.n)).toEqual([499, 500]);
    expect(parts.eval.map((m) => m.n)).toEqual([10]);
    expect(finish.args[2]).toBe(false);
    expect(progress.at(-1)).toMatchObject({ phase: 'compute', rowsDone: 1009, workers: 1 });
    // a shard's progress message arriving after its result changes nothing
    onRows[0](256);
    expect(progress.at(-1)).toMatchObject({ phase: 'compute', rowsDone: 1009 });
    finish.resolve(ok('checkpoint'));
    await expect(job).resolves.toEqual(ok('checkpoint'));
  });

  it('counts the chunks of a shared shard for its two runners, each getting its own claims', async () => {
    const fake = fakePool();
    const layout = checkpoint(1000);
    const pass = { precision: 'float32' as const, chunkRows: 256 };
    const shared: PoolPlan = {
      shards: [
        { split: 'fit', start: 0, end: 1000, from: 'front' },
        { split: 'fit', start: 0, end: 1000, from: 'back' },
      ],
      fit: pass,
      eval: null,
      metrics: 'whole',
    };
    const progress: JobProgress[] = [];
    const job = runShardJob(fake.pool, request, layout, shared, {
      persist: false,
      onProgress: (p) => progress.push(p),
    });
    await flush();
    const shards = fake.callsOf('accumulateShard');
    expect(shards.map((c) => (c.args[1] as ShardTask).share)).toEqual([{ from: 'front' }, { from: 'back' }]);
    const [front, back] = shards.map((c) => c.args[3] as () => boolean);
    const chunks = sharedChunkSizes(1000, 256).length;
    const answers = Array.from({ length: chunks + 2 }, (_, k) => (k % 2 ? back() : front()));
    expect(answers).toEqual([...Array(chunks).fill(true), false, false]);
    // each runner's rows, not the shard's, count as done
    shards[0].resolve(shardMoments(600));
    shards[1].resolve(shardMoments(400));
    await flush();
    expect(progress.at(-1)).toMatchObject({ phase: 'compute', rowsDone: 1000, rowsTotal: 1000 });
    fake.callsOf('finishShards')[0].resolve(ok('checkpoint'));
    await expect(job).resolves.toEqual(ok('checkpoint'));
  });

  it('computes the metrics in halves: merge, both halves side by side, assembly', async () => {
    const fake = fakePool();
    const { job, merged, output, spectrum } = await jobInHalves(fake);
    const [merge] = fake.callsOf('mergeShards');
    expect((merge.args[1] as { fit: Moments[] }).fit.map((m) => m.n)).toEqual([500, 500]);
    expect(merge.args[2]).toBe(true);
    // each half with its own copy of the fit moments; the output half's worker stores them
    expect(output.args.slice(1, 3)).toEqual([merged.fitCopy, { eval: null }]);
    expect(spectrum.args[1]).toEqual({ fit: merged.fit, eval: null });
    const stored = { momentsKey: 'moments/k', storeProblem: null };
    spectrum.resolve(ok({ fit: moments(1000), eval: null, spectra: 'spectra' }));
    output.resolve(ok({ outputs: 'outputs', stored }));
    await flush();
    const [combine] = fake.callsOf('combineHalves');
    expect(combine.args.slice(2)).toEqual(['outputs', 'spectra', stored]);
    combine.resolve(ok('checkpoint'));
    await expect(job).resolves.toEqual(ok('checkpoint'));
    expect(fake.callsOf('forgetMoments')).toHaveLength(0);
  });

  it('stores nothing unless asked', async () => {
    const fake = fakePool();
    const { output } = await jobInHalves(fake, false);
    expect(fake.callsOf('mergeShards')[0].args[2]).toBe(false);
    expect(output.args[2]).toBeNull();
  });

  it('relays direction blocks between the halves, and hands back those of a helper that ended', async () => {
    const fake = fakePool();
    const { job, output, spectrum } = await jobInHalves(fake, false);
    const helperSide = output.args[3] as EnergyRelay;
    const spectrumSide = spectrum.args[2] as EnergyRelay;
    const taking = helperSide.take();
    const reduced = {
      n: 3,
      values: new Float64Array(3),
      tridiagonalVectors: new Float64Array(9),
      reflectorBlocks: [],
    };
    const spectrumCopy = { rho: new Float64Array(3), p: 3, truncated: false, reduced };
    const work: EnergyWork = { spectrum: spectrumCopy, targets: [], projected: [], keepVectors: false };
    await spectrumSide.offer(work, 3);
    await expect(taking).resolves.toBe(work);
    expect(await spectrumSide.claim('front')).toBe(0);
    expect(await helperSide.claim('back')).toBe(2);
    expect(await spectrumSide.claim('front')).toBe(1);
    expect(await spectrumSide.claim('front')).toBe(-1);
    const helped = spectrumSide.helped();
    // the output half's call settles without the helper's block
    output.resolve(ok({ outputs: 'outputs', stored: { momentsKey: null, storeProblem: null } }));
    await expect(helped).resolves.toEqual({ done: null, missing: [2] });
    spectrum.resolve(ok({ fit: moments(1000), eval: null, spectra: 'spectra' }));
    await flush();
    fake.callsOf('combineHalves').at(-1)!.resolve(ok('checkpoint'));
    await expect(job).resolves.toEqual(ok('checkpoint'));
  });

  it('deletes the moments the output half stored when the checkpoint then fails', async () => {
    const fake = fakePool();
    const fail = { ok: false, file: 'features.npy', message: 'the spectrum is empty' };
    for (const failing of ['spectrumHalf', 'combineHalves'] as const) {
      const { job, output, spectrum } = await jobInHalves(fake);
      const stored = { momentsKey: `moments/${failing}`, storeProblem: null };
      output.resolve(ok({ outputs: 'outputs', stored }));
      spectrum.resolve(
        failing === 'spectrumHalf' ? fail : ok({ fit: moments(1000), eval: null, spectra: 's' }),
      );
      await flush();
      if (failing === 'combineHalves') fake.callsOf('combineHalves').at(-1)!.resolve(fail);
      await expect(job).resolves.toEqual(fail);
      await flush();
      expect(fake.callsOf('forgetMoments').at(-1)!.args).toEqual([[stored.momentsKey]]);
    }
    expect(fake.callsOf('forgetMoments')).toHaveLength(2);
  });

  it('reports the output half’s failure first, as the single-worker analysis raises it first', async () => {
    const fake = fakePool();
    const { job, output, spectrum } = await jobInHalves(fake, false);
    const outputFailure = { ok: false, file: 'features.npy', message: 'the outputs are constant' };
    spectrum.resolve({ ok: false, file: 'features.npy', message: 'spectrum' });
    output.resolve(outputFailure);
    await expect(job).resolves.toEqual(outputFailure);
    expect(fake.callsOf('combineHalves')).toHaveLength(0);
  });

  it('gives up (null) when a shard meets NaN/Inf, stopping its siblings', async () => {
    const fake = fakePool();
    const layout = checkpoint(1000);
    const job = runShardJob(fake.pool, request, layout, plan(layout), { persist: false });
    await flush();
    const shards = fake.callsOf('accumulateShard');
    shards[0].resolve(ok({ kind: 'non-finite' }));
    await expect(job).resolves.toBeNull();
    expect(shards[1].aborted).toBe(true);
    expect(fake.callsOf('finishShards')).toHaveLength(0);
  });

  it('gives up (null) when a shard fails', async () => {
    const fake = fakePool();
    const layout = checkpoint(1000);
    const job = runShardJob(fake.pool, request, layout, plan(layout), { persist: false });
    await flush();
    fake.callsOf('accumulateShard')[1].resolve({ ok: false, file: 'features.npy', message: 'truncated' });
    await expect(job).resolves.toBeNull();
    expect(fake.callsOf('accumulateShard')[0].aborted).toBe(true);
  });

  it('rejects with an AbortError when cancelled, stopping every shard', async () => {
    const fake = fakePool();
    const layout = checkpoint(1000);
    const controller = new AbortController();
    const job = runShardJob(fake.pool, request, layout, plan(layout), {
      signal: controller.signal,
      persist: false,
    });
    await flush();
    controller.abort();
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.callsOf('accumulateShard').map((c) => c.aborted)).toEqual([true, true]);
    expect(fake.callsOf('finishShards')).toHaveLength(0);
  });
});
