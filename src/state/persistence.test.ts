import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Moments } from '../core/types';
import { fakeCheckpoint, fakeMetrics, fakeMoments, fakeRun } from '../session/fake-records';
import { createMemoryDatabase } from '../session/memory-database';
import { createSessionStorage, readMoments, type SessionDatabase } from '../session/session-db';
import { LEGACY_RUNS_KEY, SESSION_KEY, checkpointKey } from '../session/session-format';
import type { SessionStorage } from '../session/session-db';
import type { RichscopeStore } from './app-state';
import { persistSession } from './persistence';
import { createRichscopeStore } from './store';
import {
  afterSave,
  fakeBridge,
  file,
  makeStore,
  markedMoments,
  memorySession,
  storedMomentKeys,
  storedSession,
  type Bridge,
} from './testing';

describe('session persistence', () => {
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
    // the index, then its checkpoints' metadata: never a moment matrix
    const checkpointKeys = before.flatMap((run) => run.checkpoints.map((c) => checkpointKey(c.momentsKey!)));
    expect(mainThreadReads).toEqual([SESSION_KEY, ...checkpointKeys]);
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
    // Removed, but an undo may still bring b back: its moments stay until the undo is forgotten.
    expect(storedMomentKeys(db)).toEqual([a1New, b1, b2].sort());
    expect(storedSession(db)!.runs.map((r) => r.checkpoints.map((c) => c.moments))).toEqual([[a1New]]);
    actions.forgetRemoved();
    await afterSave();
    expect(storedMomentKeys(db)).toEqual([a1New]);

    actions.removeAllRuns();
    actions.forgetRemoved();
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
    actions.forgetRemoved(); // (until then, an undo could bring the run back)
    await actions.addFiles([file('other_step1_train.npz')]);
    await afterSave();
    expect(storedMomentKeys(db).filter((k) => keys.includes(k))).toEqual([]);
  });
});

describe('session saves while analyses run', () => {
  /** A store whose state the test sets, and a session that counts its saves. */
  function fakePersistence() {
    let state = { ready: true, runs: [] as unknown[], jobs: [] as unknown[], removed: null };
    let listener: (next: typeof state, previous: typeof state) => void = () => undefined;
    const store = {
      getState: () => state,
      subscribe: (l: typeof listener) => {
        listener = l;
        return () => undefined;
      },
      dispatch: () => undefined,
    } as unknown as RichscopeStore;
    const saves: number[] = [];
    const session = {
      save: (runs: unknown[]) => {
        saves.push(runs.length);
        return Promise.resolve();
      },
    } as unknown as SessionStorage;
    persistSession(store, session, { saveDelayMs: 300, busySaveIntervalMs: 5000 });
    const set = (change: Partial<typeof state>) => {
      const previous = state;
      state = { ...state, ...change };
      listener(state, previous);
    };
    return { saves, set, state: () => state };
  }

  afterEach(() => vi.useRealTimers());

  it('saves at most once per interval while jobs run, and once more soon after they end', () => {
    vi.useFakeTimers();
    const { saves, set, state } = fakePersistence();
    set({ jobs: [{}] });
    // a result every 250 ms for 12 s: pauses never reach 300 ms, yet the session is saved meanwhile
    for (let t = 0; t < 48; t++) {
      set({ runs: [...state().runs, { checkpoints: [] }] });
      vi.advanceTimersByTime(250);
    }
    expect(saves.length).toBeGreaterThanOrEqual(2);
    expect(saves.length).toBeLessThanOrEqual(3);
    set({ jobs: [] });
    vi.advanceTimersByTime(299);
    const before = saves.length;
    vi.advanceTimersByTime(1);
    expect(saves.length).toBe(before + 1);
    expect(saves.at(-1)).toBe(48);
  });

  it('saves 300 ms after a change when no analysis runs', () => {
    vi.useFakeTimers();
    const { saves, set } = fakePersistence();
    set({ runs: [{ checkpoints: [] }] });
    vi.advanceTimersByTime(200);
    set({ runs: [{ checkpoints: [] }, { checkpoints: [] }] });
    vi.advanceTimersByTime(299);
    expect(saves).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(saves).toEqual([2]);
  });
});
