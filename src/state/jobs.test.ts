import { describe, expect, it } from 'vitest';
import type { JobProgress, PoolState } from '../bridge/analysis-bridge';
import { createMemoryDatabase } from '../session/memory-database';
import { PLAN_SLICE_CHECKPOINTS } from './jobs';
import { estimateProgress } from './progress-rate';
import { RUN_PALETTE } from './run-colours';
import { createRichscopeStore } from './store';
import {
  afterSave,
  batchingBridge,
  fakeBridge,
  file,
  makeStore,
  memorySession,
  storedMomentKeys,
  type BatchingBridge,
  type Bridge,
} from './testing';

describe('jobs: adding files', () => {
  it('groups files into runs with train/test splits, ordered by step, with distinct colours', async () => {
    const { store, actions } = makeStore();
    await actions.addFiles([
      file('rich_step150_train.npz'),
      file('rich_step150_test.npz'),
      file('rich_step0_train.npz'),
      file('lazy_step0_train.npz'),
    ]);
    const runs = store.getState().runs;
    expect(runs.map((r) => r.name).sort()).toEqual(['lazy', 'rich']);
    const rich = runs.find((r) => r.name === 'rich')!;
    expect(rich.checkpoints.map((c) => c.step)).toEqual([0, 150]);
    expect(rich.checkpoints[1].eval).not.toBeNull();
    expect(rich.checkpoints[0].eval).toBeNull();
    expect(rich.checkpoints[1].metrics.dlr).toBe(0.15);
    expect(new Set(runs.map((r) => r.colour)).size).toBe(2);
    expect(store.getState().jobs).toEqual([]);
  });

  it('a bad file leaves no empty run and takes no colour: its error becomes a notice', async () => {
    const { store, actions } = makeStore();
    await actions.addFiles([file('good_step1_train.npz')]);
    const before = store.getState().runs.find((r) => r.name === 'good');
    await actions.addFiles([file('broken_step0_train.npz'), file('other_step2_train.npz')]);
    const runs = store.getState().runs;
    expect(runs.find((r) => r.name === 'good')).toBe(before);
    expect(runs.map((r) => r.name)).toEqual(['good', 'other']);
    expect(store.getState().notices).toEqual(['broken_step0_train.npz: not a zip archive']);
    expect(runs.find((r) => r.name === 'other')!.checkpoints).toHaveLength(1);
    // the failed file took no palette slot: the two runs have the palette's first two colours
    expect(runs.map((r) => r.colour)).toEqual([RUN_PALETTE[0], RUN_PALETTE[1]]);
  });

  it('keeps a bad file of a run that has checkpoints as an error on that run', async () => {
    const { store, actions } = makeStore();
    await actions.addFiles([file('mixed_step1_train.npz')]);
    await actions.addFiles([file('mixed_step2_train_broken.npz')]);
    const [run] = store.getState().runs;
    expect(run.checkpoints).toHaveLength(1);
    expect(run.errors).toEqual([{ file: 'mixed_step2_train_broken.npz', message: 'not a zip archive' }]);
    expect(store.getState().notices).toEqual([]);
  });

  it('skips side files quietly and lists them', async () => {
    const { store, actions } = makeStore();
    await actions.addFiles([
      file('sweep/README.md'),
      file('sweep/a/config.json'),
      file('sweep/a/step_1/x.npz'),
    ]);
    expect(store.getState().skippedFiles).toEqual(['sweep/README.md', 'sweep/a/config.json']);
    expect(store.getState().notices).toEqual([]);
    expect(store.getState().runs.map((r) => r.name)).toEqual(['a']);
    actions.dismissSkippedFiles();
    expect(store.getState().skippedFiles).toEqual([]);
  });

  it('cancels: running work is aborted and runs left empty disappear', async () => {
    const never: Bridge = {
      ...fakeBridge(),
      analyzeFiles: (_request, options) =>
        new Promise((_, reject) =>
          options?.signal?.addEventListener('abort', () =>
            reject(new DOMException('cancelled', 'AbortError')),
          ),
        ),
    };
    const { store, actions } = makeStore(never);
    const pending = actions.addFiles([file('slow_step0_train.npz')]);
    expect(store.getState().jobs).toHaveLength(1);
    actions.cancelAnalysis();
    await pending;
    expect(store.getState().jobs).toEqual([]);
    expect(store.getState().runs).toEqual([]);
  });
});

describe('jobs: progress of a running analysis', () => {
  it('keeps rows, workers and timed samples for the rate; follows the pool; forgets the job when done', async () => {
    let reportProgress: (p: JobProgress) => void = () => undefined;
    let finish: () => void = () => undefined;
    let poolListener: (pool: PoolState) => void = () => undefined;
    const bridge = {
      ...fakeBridge(),
      analyzeFiles: (
        request: Parameters<Bridge['analyzeFiles']>[0],
        options?: { onProgress?: (p: JobProgress) => void },
      ) => {
        reportProgress = options!.onProgress!;
        return new Promise<Awaited<ReturnType<Bridge['analyzeFiles']>>>((resolve) => {
          finish = () => void fakeBridge().analyzeFiles(request).then(resolve);
        });
      },
      subscribePool: (listener: (pool: PoolState) => void) => {
        poolListener = listener;
        return () => undefined;
      },
    };
    let clock = 0;
    const { store, actions } = createRichscopeStore({
      bridge,
      session: memorySession(createMemoryDatabase()),
      fetchFile: () => Promise.reject(new Error('offline')),
      now: () => clock,
    });
    const pending = actions.addFiles([file('big_step0_train.npz')]);
    poolListener({ alive: 2, busy: 2 });
    expect(store.getState().pool).toEqual({ alive: 2, busy: 2 });
    for (const rowsDone of [0, 10_000, 20_000, 30_000]) {
      reportProgress({
        phase: 'read',
        rowsDone,
        rowsTotal: 100_000,
        file: 'big_step0_train.npz',
        workers: 2,
      });
      clock += 500;
    }
    // the reports reach the store together, with the next commit
    expect(store.getState().jobs[0].phase).toBe('queued');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const [job] = store.getState().jobs;
    expect(job).toMatchObject({ phase: 'read', rowsDone: 30_000, rowsTotal: 100_000, workers: 2 });
    expect(job.samples).toEqual([
      { time: 0, rowsDone: 0 },
      { time: 500, rowsDone: 10_000 },
      { time: 1000, rowsDone: 20_000 },
      { time: 1500, rowsDone: 30_000 },
    ]);
    expect(estimateProgress(job.samples, job.rowsTotal)).toEqual({ rowsPerSecond: 20_000, secondsLeft: 3.5 });
    // computing adds no sample: the rate is about reading rows
    clock += 500;
    reportProgress({
      phase: 'compute',
      rowsDone: 100_000,
      rowsTotal: 100_000,
      file: 'big_step0_train.npz',
      workers: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState().jobs[0]).toMatchObject({ phase: 'compute', workers: 1 });
    expect(store.getState().jobs[0].samples).toHaveLength(4);
    finish();
    await pending;
    expect(store.getState().jobs).toEqual([]);
    expect(store.getState().runs[0].checkpoints).toHaveLength(1);
  });
});

describe('jobs: moments files', () => {
  it('files the checkpoint under the run and step its metadata declares', async () => {
    const { store, actions } = makeStore();
    await actions.addFiles([file('moments.npz')]);
    const runs = store.getState().runs;
    expect(runs.map((r) => r.name)).toEqual(['declared-run']);
    expect(runs[0].checkpoints.map((c) => c.step)).toEqual([200]);
  });
});

describe('jobs: batches of small checkpoints', () => {
  const sweep = (runs: string[], steps: number[]) =>
    runs.flatMap((run) => steps.map((step) => file(`${run}/step${step}_train.npz`)));

  it('starts one job per batch and files the results in a few store updates, not one per checkpoint', async () => {
    const { store, actions } = makeStore(batchingBridge(fakeBridge(), 4));
    const runChanges: number[] = [];
    store.subscribe((state, previous) => {
      if (state.runs !== previous.runs) runChanges.push(state.runs.length);
    });
    const pending = actions.addFiles(sweep(['a', 'b', 'c'], [0, 1, 2, 3]));
    const jobs = store.getState().jobs;
    expect(jobs.map((job) => job.checkpoints)).toEqual([4, 4, 4]);
    expect(jobs.map((job) => job.runIds)).toEqual([
      ['a', 'a', 'a', 'a'],
      ['b', 'b', 'b', 'b'],
      ['c', 'c', 'c', 'c'],
    ]);
    await pending;
    const runs = store.getState().runs;
    expect(runs.map((r) => r.checkpoints.map((c) => c.step))).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ]);
    expect(runs.flatMap((r) => r.checkpoints.map((c) => c.metrics.dlr))).toEqual(
      [0, 1, 2].flatMap(() => [0, 0.001, 0.002, 0.003]),
    );
    // the runs created at once, then the results in at most one commit per batch
    expect(runChanges[0]).toBe(3);
    expect(runChanges.length).toBeGreaterThanOrEqual(2);
    expect(runChanges.length).toBeLessThanOrEqual(4);
    expect(store.getState().jobs).toEqual([]);
  });

  it('a bad file in a batch is an error on its run; the batch’s other checkpoints are filed', async () => {
    const { store, actions } = makeStore(batchingBridge(fakeBridge(), 3));
    await actions.addFiles([
      file('x_step1_train.npz'),
      file('x_step2_broken_train.npz'),
      file('x_step3_train.npz'),
    ]);
    const [run] = store.getState().runs;
    expect(run.checkpoints.map((c) => c.step)).toEqual([1, 3]);
    expect(run.errors).toEqual([{ file: 'x_step2_broken_train.npz', message: 'not a zip archive' }]);
  });

  it('files every step in order when the batches finish out of order; shows a batch’s progress', async () => {
    const inner = batchingBridge(fakeBridge(), 2);
    const releases: (() => void)[] = [];
    const bridge: BatchingBridge = {
      ...inner,
      analyzeBatch: async (requests, options) => {
        options?.onProgress?.({ checkpointsDone: 1, file: requests[1].fit[0].name });
        await new Promise<void>((resolve) => releases.push(resolve));
        return inner.analyzeBatch(requests, {});
      },
    };
    const { store, actions } = makeStore(bridge);
    const pending = actions.addFiles(sweep(['r'], [0, 10, 20, 30]));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState().jobs.map((job) => [job.checkpointsDone, job.checkpoints, job.file])).toEqual([
      [1, 2, 'r/step10_train.npz'],
      [1, 2, 'r/step30_train.npz'],
    ]);
    releases[1]();
    await new Promise((resolve) => setTimeout(resolve, 0));
    releases[0]();
    await pending;
    expect(store.getState().runs[0].checkpoints.map((c) => c.step)).toEqual([0, 10, 20, 30]);
  });

  it('cancel mid-batch: the batch is aborted, no empty run stays, and results arriving late are discarded', async () => {
    const db = createMemoryDatabase();
    const inner = batchingBridge(fakeBridge(db), 2);
    let release = () => undefined as void;
    const bridge: BatchingBridge = {
      ...inner,
      // a batch whose results were already on their way: it ignores the cancel
      analyzeBatch: async (requests, options) => {
        await new Promise<void>((resolve) => (release = resolve));
        return inner.analyzeBatch(requests, options);
      },
    };
    const { store, actions } = makeStore(bridge, db);
    await actions.restoreSession();
    const pending = actions.addFiles(sweep(['late'], [1, 2]));
    expect(store.getState().jobs).toHaveLength(1);
    actions.cancelAnalysis();
    expect(store.getState().jobs).toEqual([]);
    expect(store.getState().runs).toEqual([]);
    release();
    await pending;
    expect(store.getState().runs).toEqual([]);
    // the moments the batch stored are deleted with the next save
    await afterSave();
    expect(storedMomentKeys(db)).toEqual([]);
  });

  it('plans a big drop a slice at a time, starting each slice’s calls; a cancel stops the planning', async () => {
    const planned: number[] = [];
    const dropSizes = new Set<number | undefined>();
    const inner = batchingBridge(fakeBridge(), 10);
    const bridge: BatchingBridge = {
      ...inner,
      batchRequests: (requests, dropCheckpoints) => {
        planned.push(requests.length);
        dropSizes.add(dropCheckpoints);
        return inner.batchRequests(requests);
      },
    };
    const slice = PLAN_SLICE_CHECKPOINTS;
    const steps = Array.from({ length: 2 * slice + 3 }, (_, i) => i);
    const { store, actions } = makeStore(bridge);
    await actions.addFiles(sweep(['a', 'b'], steps));
    expect(planned).toEqual([slice, slice, slice, slice, 6]);
    // each slice's batches are sized for the whole drop
    expect([...dropSizes]).toEqual([2 * steps.length]);
    expect(store.getState().runs.map((r) => r.checkpoints.length)).toEqual([steps.length, steps.length]);
    expect(store.getState().runs[1].checkpoints.map((c) => c.step)).toEqual(steps);

    planned.length = 0;
    const cancelled = makeStore(bridge);
    const pending = cancelled.actions.addFiles(sweep(['c'], steps));
    expect(planned).toEqual([slice]);
    cancelled.actions.cancelAnalysis();
    await pending;
    expect(planned).toEqual([slice]);
    expect(cancelled.store.getState().jobs).toEqual([]);
  });
});
