import { describe, expect, it } from 'vitest';
import type { AnalysisBridge, JobProgress, PoolState } from '../bridge/analysis-bridge';
import type { Moments } from '../core/types';
import { fakeCheckpoint, fakeMetrics, fakeMoments, fakeRun } from '../session/fake-records';
import { createMemoryDatabase, type MemoryDatabase } from '../session/memory-database';
import { estimateProgress } from './progress-rate';
import {
  createSessionStorage,
  migrateLegacySession,
  readMoments,
  storeMoments,
  type SessionDatabase,
  type SessionStorage,
} from '../session/session-db';
import { LEGACY_RUNS_KEY, SESSION_KEY, isMomentsKey, type StoredSession } from '../session/session-format';
import { createRichscopeStore } from './store';

type Bridge = Pick<AnalysisBridge, 'analyzeFiles' | 'importBundle'>;

/** Moments whose bits say which checkpoint they are (to check a restore is bit-identical). */
function markedMoments(mark: number): Moments {
  const m = fakeMoments();
  m.scatter[1] = mark;
  m.scatter[2] = -0;
  m.mean[0] = Math.PI * mark;
  return m;
}

/**
 * A bridge that "analyses" by file name: names containing 'broken' fail like a bad file. Asked to
 * persist, it stores the moments in `db` as the analysis worker does (src/session/session-db.ts).
 */
function fakeBridge(db: SessionDatabase | null = null): Bridge {
  return {
    analyzeFiles: async (request, options) => {
      const name = request.fit[0].name;
      if (name.includes('broken')) return { ok: false, file: name, message: 'not a zip archive' };
      const step = Number(/step(\d+)/.exec(name)?.[1] ?? 0);
      // 'moments*' files declare their run and step, as a moments file's metadata can.
      const declared = name.startsWith('moments')
        ? { run: 'declared-run', step: 200 }
        : { run: null, step: null };
      const moments = { fit: markedMoments(step), eval: request.eval ? markedMoments(step + 0.5) : null };
      let momentsKey: string | null = null;
      if (options?.persist && db) {
        const { keys, committed } = storeMoments(db, [moments]);
        await committed;
        momentsKey = keys[0];
      }
      return {
        ok: true,
        value: {
          ...moments,
          metrics: fakeMetrics({ dlr: step / 1000 }),
          notes: [],
          declared,
          momentsKey,
          storeProblem: null,
        },
      };
    },
    importBundle: async () => ({ ok: true, value: [] }),
  };
}

/** The session storage over an in-memory database, its moments read by a stand-in for the session worker. */
function memorySession(db: SessionDatabase, startedAt?: number): SessionStorage {
  return createSessionStorage({
    database: async () => db,
    reader: {
      readMoments: (keys) => readMoments(db, keys),
      migrateLegacySession: () => migrateLegacySession(db),
    },
    startedAt,
  });
}

function makeStore(bridge?: Bridge, db: MemoryDatabase = createMemoryDatabase()) {
  const app = createRichscopeStore({
    bridge: bridge ?? fakeBridge(db),
    session: memorySession(db),
    fetchFile: () => Promise.reject(new Error('offline')),
  });
  return { ...app, db };
}

/** Waits past the debounced session write (300 ms) and the write itself. */
const afterSave = () => new Promise((resolve) => setTimeout(resolve, 400));

const storedSession = (db: MemoryDatabase) => db.entries.get(SESSION_KEY) as StoredSession | undefined;
const storedMomentKeys = (db: MemoryDatabase) => [...db.entries.keys()].filter(isMomentsKey).sort();

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

describe('store: progress of a running analysis', () => {
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
    actions.setRunVisible({ runId: id, visible: false });
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
    const { store, actions, db } = makeStore();
    await actions.restoreSession(); // nothing stored: examples requested (offline here: a notice)
    expect(store.getState().ready).toBe(true);
    expect(store.getState().notices[0]).toContain('example runs could not be loaded');
    actions.importRun('x', [{ step: 1, fit: fakeMoments(), eval: null, metrics: fakeMetrics() }]);
    actions.importRun('empty', []);
    await afterSave();
    expect(storedSession(db)!.runs.map((r) => r.name)).toEqual(['x']);
  });

  it('starts empty, without the examples, when asked (a page following a log directory)', async () => {
    const { store, actions } = makeStore();
    await actions.restoreSession({ examples: false });
    expect([store.getState().ready, store.getState().runs, store.getState().notices]).toEqual([true, [], []]);
  });

  it('restores the runs bit-identically, their moments not read by the main thread', async () => {
    const db = createMemoryDatabase();
    const first = makeStore(undefined, db);
    await first.actions.restoreSession();
    await first.actions.addFiles([
      file('rich_step150_train.npz'),
      file('rich_step150_test.npz'),
      file('lazy_step0_train.npz'),
    ]);
    const rich = first.store.getState().runs.find((r) => r.name === 'rich')!;
    first.actions.renameRun({ runId: rich.id, name: 'rich (renamed)' });
    first.actions.setRunColour({ runId: rich.id, colour: '#CC79A7' });
    await afterSave();

    // a reload: a new store over the same database; the main thread reads only the metadata
    const mainThreadReads: string[] = [];
    const mainThread: SessionDatabase = {
      ...db,
      get: (keys) => {
        mainThreadReads.push(...keys);
        return db.get(keys);
      },
    };
    const second = createRichscopeStore({
      bridge: fakeBridge(db),
      session: createSessionStorage({
        database: async () => mainThread,
        reader: { readMoments: (keys) => readMoments(db, keys), migrateLegacySession: async () => false },
      }),
      fetchFile: () => Promise.reject(new Error('must not fetch examples')),
    });
    await second.actions.restoreSession();
    const before = first.store.getState().runs;
    const after = second.store.getState().runs;
    expect(after).toEqual(before);
    expect(after.find((r) => r.id === rich.id)).toMatchObject({ name: 'rich (renamed)', colour: '#CC79A7' });
    const bytes = (m: Moments | null) =>
      m ? [new Uint8Array(m.mean.buffer), new Uint8Array(m.scatter.buffer)] : null;
    for (const [k, run] of before.entries())
      for (const [i, c] of run.checkpoints.entries()) {
        const restored = after[k].checkpoints[i];
        expect(bytes(restored.fit)).toEqual(bytes(c.fit));
        expect(bytes(restored.eval)).toEqual(bytes(c.eval));
        expect(restored.momentsKey).toBe(c.momentsKey);
      }
    expect(mainThreadReads).toEqual([SESSION_KEY]);
    expect(second.store.getState().notices).toEqual([]);
  });

  it('writes only metadata on a rename: moments are stored once, by the producer', async () => {
    const db = createMemoryDatabase();
    const mainThreadPuts: string[] = [];
    const mainThread: SessionDatabase = {
      ...db,
      write: (puts, deletes) => {
        mainThreadPuts.push(...puts.map(([key]) => key));
        return db.write(puts, deletes);
      },
    };
    const { store, actions } = createRichscopeStore({
      bridge: fakeBridge(db),
      session: createSessionStorage({
        database: async () => mainThread,
        reader: { readMoments: (keys) => readMoments(db, keys), migrateLegacySession: async () => false },
      }),
      fetchFile: () => Promise.reject(new Error('offline')),
    });
    await actions.restoreSession();
    await actions.addFiles([file('big_step1_train.npz')]);
    await afterSave();
    const keys = storedMomentKeys(db);
    expect(keys).toHaveLength(1);
    mainThreadPuts.length = 0;
    actions.renameRun({ runId: store.getState().runs[0].id, name: 'big (renamed)' });
    await afterSave();
    expect(mainThreadPuts).toEqual([SESSION_KEY]);
    expect(storedMomentKeys(db)).toEqual(keys);
    expect(storedSession(db)!.runs[0]).toMatchObject({ name: 'big (renamed)' });
    expect(
      JSON.stringify(storedSession(db), (_, v) => (v instanceof Float64Array ? 'FLOAT64' : v)),
    ).not.toContain('FLOAT64');
  });

  it('deletes the moments of removed runs and replaced checkpoints', async () => {
    const { store, actions, db } = makeStore();
    await actions.restoreSession();
    await actions.addFiles([file('a_step1_train.npz'), file('b_step1_train.npz'), file('b_step2_train.npz')]);
    await afterSave();
    const keyOf = (run: string, step: number) =>
      store
        .getState()
        .runs.find((r) => r.name === run)!
        .checkpoints.find((c) => c.step === step)!.momentsKey!;
    const [a1, b1, b2] = [keyOf('a', 1), keyOf('b', 1), keyOf('b', 2)];
    expect(storedMomentKeys(db)).toEqual([a1, b1, b2].sort());

    await actions.addFiles([file('a_step1_train.npz')]); // the same step again: replaced
    const a1New = keyOf('a', 1);
    expect(a1New).not.toBe(a1);
    actions.removeRun(store.getState().runs.find((r) => r.name === 'b')!.id);
    await afterSave();
    expect(storedMomentKeys(db)).toEqual([a1New]);
    expect(storedSession(db)!.runs.map((r) => r.checkpoints.map((c) => c.moments))).toEqual([[a1New]]);

    actions.removeAllRuns();
    await afterSave();
    expect(storedMomentKeys(db)).toEqual([]);
    expect(storedSession(db)!.runs).toEqual([]);
  });

  it('deletes the moments of a result that arrives after a cancel', async () => {
    const db = createMemoryDatabase();
    let release: () => void = () => undefined;
    const inner = fakeBridge(db);
    const late: Bridge = {
      ...inner,
      // the worker finishes (and stores) only after the user has cancelled
      analyzeFiles: (request, options) =>
        new Promise((resolve) => (release = () => void inner.analyzeFiles(request, options).then(resolve))),
    };
    const { store, actions } = makeStore(late, db);
    await actions.restoreSession();
    const pending = actions.addFiles([file('slow_step0_train.npz')]);
    actions.cancelAnalysis();
    release();
    await pending;
    await afterSave();
    expect(store.getState().runs).toEqual([]);
    expect(storedMomentKeys(db)).toEqual([]);
  });

  it('stores the moments of an imported run (Learn view) and restores them', async () => {
    const db = createMemoryDatabase();
    const first = makeStore(undefined, db);
    await first.actions.restoreSession();
    const checkpoints = [1, 2, 3].map((step) => ({
      step,
      fit: markedMoments(step),
      eval: markedMoments(-step),
      metrics: fakeMetrics({ dlr: step / 10 }),
    }));
    first.actions.importRun('Learn: rich', checkpoints);
    await afterSave();
    const [run] = first.store.getState().runs;
    expect(run.checkpoints.every((c) => c.momentsKey !== null)).toBe(true);
    expect(storedMomentKeys(db)).toHaveLength(3);

    // sent again (replaced wholesale): the first copy's moments are deleted
    first.actions.importRun('Learn: rich', checkpoints.slice(0, 2));
    await afterSave();
    expect(storedMomentKeys(db)).toHaveLength(2);

    const second = makeStore(undefined, db);
    await second.actions.restoreSession();
    expect(second.store.getState().runs).toEqual(first.store.getState().runs);
  });

  it('migrates a version-1 session (one record) once, keeping its runs', async () => {
    const legacy = [
      fakeRun('old', [fakeCheckpoint(3), fakeCheckpoint(7, {}, false)], {
        colour: '#CC79A7',
        visible: false,
      }),
      fakeRun('failed', [], { errors: [{ file: 'x.npz', message: 'not a zip archive' }] }),
    ].map((run) => ({ ...run, checkpoints: run.checkpoints.map(({ momentsKey: _, ...c }) => c) }));
    legacy[0].checkpoints[0].fit = markedMoments(3);
    const db = createMemoryDatabase([[LEGACY_RUNS_KEY, legacy]]);
    const { store, actions } = makeStore(undefined, db);
    await actions.restoreSession();
    const runs = store.getState().runs;
    expect(
      runs.map(({ checkpoints, ...run }) => ({
        ...run,
        checkpoints: checkpoints.map(({ momentsKey: _, ...c }) => c),
      })),
    ).toEqual(legacy);
    expect(runs[0].checkpoints.every((c) => c.momentsKey !== null)).toBe(true);
    expect(db.entries.has(LEGACY_RUNS_KEY)).toBe(false);
    expect(storedMomentKeys(db)).toHaveLength(2);

    const again = makeStore(undefined, db);
    await again.actions.restoreSession();
    expect(again.store.getState().runs).toEqual(runs);
  });

  it('says so when stored moments are missing, and starts with the examples when nothing is left', async () => {
    const db = createMemoryDatabase();
    const first = makeStore(undefined, db);
    await first.actions.restoreSession();
    await first.actions.addFiles([file('gone_step1_train.npz')]);
    await afterSave();
    for (const key of storedMomentKeys(db)) db.entries.delete(key);
    const second = makeStore(undefined, db);
    await second.actions.restoreSession();
    expect(second.store.getState().runs).toEqual([]);
    expect(second.store.getState().notices[0]).toBe(
      '1 checkpoint of the last session could not be restored: their stored moments are missing.',
    );
    expect(second.store.getState().notices[1]).toContain('example runs could not be loaded');
  });

  it('says once when the browser refuses to store moments; those checkpoints stay for this visit only', async () => {
    const db = createMemoryDatabase();
    const inner = fakeBridge(db);
    const refused: Bridge = {
      ...inner,
      analyzeFiles: async (request) => {
        const outcome = await inner.analyzeFiles(request);
        return outcome.ok
          ? { ...outcome, value: { ...outcome.value, storeProblem: 'QuotaExceededError' } }
          : outcome;
      },
    };
    const { store, actions } = makeStore(refused, db);
    await actions.restoreSession();
    await actions.addFiles([file('a_step1_train.npz'), file('a_step2_train.npz')]);
    db.failWrites = new Error('QuotaExceededError'); // the Learn view's moments, stored from here
    actions.importRun('Learn: x', [{ step: 1, fit: fakeMoments(), eval: null, metrics: fakeMetrics() }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    db.failWrites = null;
    await afterSave();
    expect(store.getState().runs.map((r) => r.checkpoints.length)).toEqual([2, 1]);
    expect(store.getState().notices.filter((n) => n.includes('for this visit only'))).toEqual([
      'Some results are kept for this visit only: the browser did not store them (QuotaExceededError).',
    ]);
    expect(storedSession(db)!.runs).toEqual([]);
  });

  it('starts (with the examples) and says why when the stored session cannot be read', async () => {
    const db = createMemoryDatabase();
    const { store, actions } = createRichscopeStore({
      bridge: fakeBridge(db),
      session: {
        ...memorySession(db),
        load: () => Promise.reject(new Error('the session worker could not start')),
      },
      fetchFile: () => Promise.reject(new Error('offline')),
    });
    await actions.restoreSession();
    expect(store.getState().ready).toBe(true);
    expect(store.getState().notices).toEqual([
      'The last session could not be restored: the session worker could not start',
      'The example runs could not be loaded: offline',
    ]);
  });

  it('a failed session write leaves the last stored session whole', async () => {
    const { store, actions, db } = makeStore();
    await actions.restoreSession();
    await actions.addFiles([file('kept_step1_train.npz')]);
    await afterSave();
    const session = structuredClone(storedSession(db));
    const keys = storedMomentKeys(db);
    db.failWrites = new Error('QuotaExceededError');
    actions.removeRun(store.getState().runs[0].id);
    await afterSave();
    expect(storedSession(db)).toEqual(session);
    expect(storedMomentKeys(db)).toEqual(keys);
    // the next write that succeeds deletes them
    db.failWrites = null;
    await actions.addFiles([file('other_step1_train.npz')]);
    await afterSave();
    expect(storedMomentKeys(db).filter((k) => keys.includes(k))).toEqual([]);
  });
});
