import { describe, expect, it } from 'vitest';
import type { AnalysisBridge, JobProgress, PoolState } from '../bridge/analysis-bridge';
import { fakeCheckpoint, fakeMetrics, fakeMoments, fakeRun } from './fake-records';
import type { RunRecord } from './model';
import { estimateProgress } from './progress-rate';
import { createRichscopeStore } from './store';

type Bridge = Pick<AnalysisBridge, 'analyzeFiles' | 'importBundle'>;

/** A bridge that "analyses" by file name: names containing 'broken' fail like a bad file. */
const fakeBridge: Bridge = {
  analyzeFiles: async (request) => {
    const name = request.fit[0].name;
    if (name.includes('broken')) return { ok: false, file: name, message: 'not a zip archive' };
    const dlr = Number(/step(\d+)/.exec(name)?.[1] ?? 0) / 1000;
    // 'moments*' files declare their run and step, as a moments file's metadata can.
    const declared = name.startsWith('moments')
      ? { run: 'declared-run', step: 200 }
      : { run: null, step: null };
    return {
      ok: true,
      value: {
        fit: fakeMoments(),
        eval: request.eval ? fakeMoments() : null,
        metrics: fakeMetrics({ dlr }),
        notes: [],
        declared,
      },
    };
  },
  importBundle: async () => ({ ok: true, value: [] }),
};

function makeStore(bridge: Bridge = fakeBridge) {
  const saved: RunRecord[][] = [];
  const app = createRichscopeStore({
    bridge,
    session: { load: async () => null, save: async (runs) => void saved.push([...runs]) },
    fetchFile: () => Promise.reject(new Error('offline')),
  });
  return { ...app, saved };
}

const file = (path: string) => ({ file: new Blob(['x']), path });

describe('store: adding files', () => {
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

  it('records a bad file on its own run and leaves other runs as they were', async () => {
    const { store, actions } = makeStore();
    await actions.addFiles([file('good_step1_train.npz')]);
    const before = store.getState().runs.find((r) => r.name === 'good');
    await actions.addFiles([file('broken_step0_train.npz'), file('other_step2_train.npz')]);
    const runs = store.getState().runs;
    expect(runs.find((r) => r.name === 'good')).toBe(before);
    expect(runs.find((r) => r.name === 'broken')!.errors).toEqual([
      { file: 'broken_step0_train.npz', message: 'not a zip archive' },
    ]);
    expect(runs.find((r) => r.name === 'other')!.checkpoints).toHaveLength(1);
  });

  it('cancels: running work is aborted and runs left empty disappear', async () => {
    const never: Bridge = {
      ...fakeBridge,
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

describe('store: progress of a running analysis', () => {
  it('keeps rows, workers and timed samples for the rate; follows the pool; forgets the job when done', async () => {
    let reportProgress: (p: JobProgress) => void = () => undefined;
    let finish: () => void = () => undefined;
    let poolListener: (pool: PoolState) => void = () => undefined;
    const bridge = {
      ...fakeBridge,
      analyzeFiles: (
        request: Parameters<Bridge['analyzeFiles']>[0],
        options?: { onProgress?: (p: JobProgress) => void },
      ) => {
        reportProgress = options!.onProgress!;
        return new Promise<Awaited<ReturnType<Bridge['analyzeFiles']>>>((resolve) => {
          finish = () => void fakeBridge.analyzeFiles(request).then(resolve);
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
      session: { load: async () => null, save: async () => undefined },
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
    reportProgress({
      phase: 'compute',
      rowsDone: 100_000,
      rowsTotal: 100_000,
      file: 'big_step0_train.npz',
      workers: 1,
    });
    expect(store.getState().jobs[0].samples).toHaveLength(4);
    finish();
    await pending;
    expect(store.getState().jobs).toEqual([]);
    expect(store.getState().runs[0].checkpoints).toHaveLength(1);
  });
});

describe('store: moments files', () => {
  it('files the checkpoint under the run and step its metadata declares', async () => {
    const { store, actions } = makeStore();
    await actions.addFiles([file('moments.npz')]);
    const runs = store.getState().runs;
    expect(runs.map((r) => r.name)).toEqual(['declared-run']);
    expect(runs[0].checkpoints.map((c) => c.step)).toEqual([200]);
  });
});

describe('store: importRun (API for other producers)', () => {
  it('adds a computed run and replaces it by name, keeping colour and visibility', () => {
    const { store, actions } = makeStore();
    const checkpoint = (step: number) => ({
      step,
      fit: fakeMoments(),
      eval: null,
      metrics: fakeMetrics({ dlr: step / 10 }),
    });
    const id = actions.importRun('trainer', [checkpoint(2), checkpoint(1)]);
    actions.setRunVisible(id, false);
    const colour = store.getState().runs[0].colour;
    expect(actions.importRun('trainer', [checkpoint(1), checkpoint(2), checkpoint(3)])).toBe(id);
    const [run] = store.getState().runs;
    expect(run.checkpoints.map((c) => c.step)).toEqual([1, 2, 3]);
    expect(run.colour).toBe(colour);
    expect(run.visible).toBe(false);
  });
});

describe('store: session', () => {
  it('loads the examples when nothing is stored, and saves runs that have checkpoints', async () => {
    const { store, actions, saved } = makeStore();
    await actions.restoreSession(); // nothing stored: examples requested (offline here: a notice)
    expect(store.getState().ready).toBe(true);
    expect(store.getState().notices[0]).toContain('example runs could not be loaded');
    actions.importRun('x', [{ step: 1, fit: fakeMoments(), eval: null, metrics: fakeMetrics() }]);
    actions.importRun('empty', []);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(saved.at(-1)!.map((r) => r.name)).toEqual(['x']);
  });

  it('restores stored runs as they were', async () => {
    const stored = [fakeRun('kept', [fakeCheckpoint(3)], { colour: '#CC79A7', visible: false })];
    const app = createRichscopeStore({
      bridge: fakeBridge,
      session: { load: async () => stored, save: async () => undefined },
      fetchFile: () => Promise.reject(new Error('must not fetch examples')),
    });
    await app.actions.restoreSession();
    expect(app.store.getState().runs).toEqual(stored);
    expect(app.store.getState().notices).toEqual([]);
  });
});
