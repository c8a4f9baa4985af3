import { describe, expect, it } from 'vitest';
import type { CheckpointMetrics, Moments } from '../core/types';
import { fakeCheckpoint, fakeMetrics, fakeMoments, fakeRun } from './fake-records';
import { createMemoryDatabase, type MemoryDatabase } from './memory-database';
import type { RunRecord } from './records';
import {
  createSessionStorage,
  migrateLegacySession,
  readMoments,
  storeMoments,
  type SessionDatabase,
  type SessionReader,
} from './session-db';
import {
  LEGACY_RUNS_KEY,
  SESSION_KEY,
  checkpointKey,
  isMomentsKey,
  momentsKeyTime,
  newMomentsKey,
  readSessionIndex,
  readStoredSession,
  restoreRuns,
  splitLegacySession,
  storedCheckpoint,
  toStoredSession,
  transferablesOfMoments,
  type StoredMoments,
  NYSTROM_ONLY_NOTE,
} from './session-format';

/** The session worker's part, counted, over the same database. */
function countingReader(db: MemoryDatabase) {
  const calls = { readMoments: 0, migrate: 0 };
  const reader: SessionReader = {
    readMoments: (keys) => {
      calls.readMoments++;
      return readMoments(db, keys);
    },
    migrateLegacySession: () => {
      calls.migrate++;
      return migrateLegacySession(db);
    },
  };
  return { reader, calls };
}

/** Stores each checkpoint's moments as its worker would, and gives the runs their keys. */
async function withStoredMoments(db: MemoryDatabase, runs: RunRecord[]): Promise<RunRecord[]> {
  const stored: RunRecord[] = [];
  for (const run of runs) {
    const checkpoints = [];
    for (const c of run.checkpoints) {
      const { keys, committed } = storeMoments(db, [{ fit: c.fit, eval: c.eval }]);
      await committed;
      checkpoints.push({ ...c, momentsKey: keys[0] });
    }
    stored.push({ ...run, checkpoints });
  }
  return stored;
}

const bits = (m: Moments | null) =>
  m ? [...new Uint8Array(m.mean.buffer), ...new Uint8Array(m.scatter.buffer)] : null;

describe('session format', () => {
  it('makes unique, time-stamped moments keys', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => newMomentsKey(1_700_000_000_000)));
    expect(keys.size).toBe(1000);
    const [key] = keys;
    expect(isMomentsKey(key)).toBe(true);
    expect(momentsKeyTime(key)).toBe(1_700_000_000_000);
    expect(momentsKeyTime('moments/not-ours!')).toBeNull();
    // base-36 time padded: keys sort by age
    expect(newMomentsKey(35) < newMomentsKey(36 * 36)).toBe(true);
  });

  it('keeps only metadata, and only checkpoints whose moments are stored', () => {
    const run = fakeRun('r', [
      { ...fakeCheckpoint(1), momentsKey: 'moments/a' },
      { ...fakeCheckpoint(2), momentsKey: null },
    ]);
    const waiting = fakeRun('waiting', [{ ...fakeCheckpoint(1), momentsKey: null }]);
    const failed = fakeRun('failed', [], { errors: [{ file: 'x', message: 'bad' }] });
    const session = toStoredSession([run, waiting, failed]);
    expect(session.runs.map((r) => r.name)).toEqual(['r', 'failed']);
    expect(session.runs[0].checkpoints).toEqual([
      { step: 1, label: 'step_1', metrics: run.checkpoints[0].metrics, notes: [], moments: 'moments/a' },
    ]);
  });

  it('reads only a session of its own version', () => {
    expect(readStoredSession(undefined)).toBeNull();
    expect(readStoredSession({ version: 3, runs: [] })).toBeNull();
    expect(readStoredSession({ version: 2, runs: [{ id: 'x', checkpoints: [{}], errors: [] }] })).toBeNull();
    expect(readStoredSession({ version: 2, runs: [] })).toEqual({ version: 2, runs: [] });
  });

  it('counts checkpoints whose moments are missing as lost', () => {
    const session = toStoredSession([
      fakeRun('a', [
        { ...fakeCheckpoint(1), momentsKey: 'moments/1' },
        { ...fakeCheckpoint(2), momentsKey: 'moments/2' },
      ]),
      fakeRun('b', [{ ...fakeCheckpoint(1), momentsKey: 'moments/3' }]),
    ]);
    const moments = new Map<string, StoredMoments>([['moments/2', { fit: fakeMoments(), eval: null }]]);
    const { runs, lost } = restoreRuns(session, moments);
    expect(lost).toBe(2);
    expect(runs.map((r) => [r.name, r.checkpoints.map((c) => c.step)])).toEqual([['a', [2]]]);
  });

  it('gives metrics stored without layers the penultimate layer alone', () => {
    const { layers: _none, ...old } = fakeMetrics({ dlr: 0.4, dlrEnergy99: 0.3 });
    const session = toStoredSession([
      fakeRun('old', [{ ...fakeCheckpoint(1), metrics: old as CheckpointMetrics, momentsKey: 'moments/1' }]),
    ]);
    const moments = new Map<string, StoredMoments>([['moments/1', { fit: fakeMoments(), eval: null }]]);
    const { runs } = restoreRuns(session, moments);
    expect(runs[0].checkpoints[0].metrics.layers).toEqual([
      { name: 'features', p: 4, r: 2, dlr: 0.4, dlrEnergy99: 0.3 },
    ]);
  });

  it('reads metrics stored before the held-out curves and the standard errors', () => {
    const current = fakeCheckpoint(1);
    const {
      dlrStdErr: _se,
      dlrEnergy99StdErr: _se99,
      massNystrom: _mn,
      utilizationNystrom: _un,
      ...old
    } = current.metrics;
    const oldMetrics = old as CheckpointMetrics;
    const session = toStoredSession([
      fakeRun('a', [
        { ...fakeCheckpoint(1), metrics: oldMetrics, momentsKey: 'moments/1' },
        { ...fakeCheckpoint(2, {}, false), metrics: oldMetrics, momentsKey: 'moments/2' },
        { ...fakeCheckpoint(3), momentsKey: 'moments/3' },
      ]),
    ]);
    const moments = new Map<string, StoredMoments>([
      ['moments/1', { fit: fakeMoments(), eval: fakeMoments() }],
      ['moments/2', { fit: fakeMoments(), eval: null }],
      ['moments/3', { fit: fakeMoments(), eval: fakeMoments() }],
    ]);
    const [withEval, fitOnly, fresh] = restoreRuns(session, moments).runs[0].checkpoints;
    // the stored curves were the Nyström sums: kept as such; the held-out ones are unknown with an eval split
    expect(withEval.metrics.massNystrom).toEqual(oldMetrics.mass);
    expect(withEval.metrics.utilizationNystrom).toEqual(oldMetrics.utilization);
    expect([withEval.metrics.mass, withEval.metrics.utilization]).toEqual([[], []]);
    expect([withEval.metrics.dlrStdErr, withEval.metrics.dlrEnergy99StdErr]).toEqual([null, null]);
    expect(withEval.notes).toContain(NYSTROM_ONLY_NOTE);
    // without one, both forms are the same curve
    expect(fitOnly.metrics.mass).toEqual(oldMetrics.mass);
    expect(fitOnly.notes).not.toContain(NYSTROM_ONLY_NOTE);
    // a session of this version is read as stored
    expect(fresh.metrics).toEqual(fakeCheckpoint(3).metrics);
  });

  it('splits a version-1 session, leaving out what is malformed', () => {
    const good = fakeRun('good', [fakeCheckpoint(1), fakeCheckpoint(2, {}, false)]);
    const legacy = [
      { ...good, checkpoints: good.checkpoints.map(({ momentsKey: _, ...c }) => c) },
      { id: 'bad', checkpoints: [{ step: 1, fit: { mean: [1], scatter: [1] } }], errors: [] },
      'not a run',
    ];
    let k = 0;
    const { session, moments } = splitLegacySession(legacy, () => `moments/k${k++}`);
    expect(session.runs.map((r) => r.id)).toEqual(['good']);
    expect(session.runs[0].checkpoints.map((c) => c.moments)).toEqual(['moments/k0', 'moments/k1']);
    expect(moments.map(([key, m]) => [key, m.eval === null])).toEqual([
      ['moments/k0', false],
      ['moments/k1', true],
    ]);
    expect(splitLegacySession({ not: 'an array' }).session.runs).toEqual([]);
  });

  it('lists each buffer once for a transfer', () => {
    const m = fakeMoments();
    const shared = { ...fakeMoments(), scatter: m.scatter };
    expect(transferablesOfMoments([{ fit: m, eval: shared }])).toHaveLength(3);
  });

  it("transfers the earlier layers' moments with their checkpoint's", () => {
    const layer = fakeMoments(3, 2, 0);
    const m = {
      ...fakeMoments(),
      layers: { features: 'features', earlier: [{ name: 'layer1', moments: layer }] },
    };
    const buffers = transferablesOfMoments([{ fit: m, eval: null }]);
    expect(buffers).toHaveLength(4);
    expect(buffers).toContain(layer.scatter.buffer);
  });
});

describe('session storage over a database', () => {
  it('saves metadata, loads it back with the moments bit-identical, read by the reader only', async () => {
    const db = createMemoryDatabase();
    const odd = fakeMoments();
    odd.scatter[1] = -0;
    odd.scatter[2] = NaN;
    odd.mean[0] = 1 / 3;
    const runs = await withStoredMoments(db, [
      fakeRun('a', [{ ...fakeCheckpoint(1), fit: odd }, fakeCheckpoint(5, {}, false)], { seedGroup: 's' }),
      fakeRun('b', [], { errors: [{ file: 'b.npz', message: 'not a zip archive' }] }),
    ]);
    const { reader, calls } = countingReader(db);
    const storage = createSessionStorage({ database: async () => db, reader });
    await storage.save(runs, []);
    db.reads.length = 0;
    const restored = await storage.load();
    expect(restored).toEqual({ runs, lost: 0 });
    expect(bits(restored!.runs[0].checkpoints[0].fit)).toEqual(bits(odd));
    // the storage itself read the metadata only; the moments came through the reader, in one call
    expect(calls).toEqual({ readMoments: 1, migrate: 0 });
    expect(db.reads.filter(isMomentsKey)).toEqual(runs[0].checkpoints.map((c) => c.momentsKey));
    expect(db.reads.filter((k) => !isMomentsKey(k))).toEqual([
      SESSION_KEY,
      ...runs[0].checkpoints.map((c) => checkpointKey(c.momentsKey!)),
    ]);
  });

  it('gives null when nothing was ever stored, and null without a database', async () => {
    const db = createMemoryDatabase();
    expect(
      await createSessionStorage({ database: async () => db, reader: countingReader(db).reader }).load(),
    ).toBeNull();
    const none = createSessionStorage({ database: async () => null, reader: countingReader(db).reader });
    expect(await none.load()).toBeNull();
    expect(await none.storeMoments({ fit: fakeMoments(), eval: null })).toBeNull();
    await none.save([], []);
  });

  it('deletes the discarded moments in the same write as the metadata; a failed write changes nothing', async () => {
    const db = createMemoryDatabase();
    const runs = await withStoredMoments(db, [
      fakeRun('a', [fakeCheckpoint(1)]),
      fakeRun('b', [fakeCheckpoint(1)]),
    ]);
    const storage = createSessionStorage({ database: async () => db, reader: countingReader(db).reader });
    await storage.save(runs, []);
    const before = new Map(db.entries);
    db.failWrites = new Error('QuotaExceededError');
    await expect(storage.save([runs[0]], [runs[1].checkpoints[0].momentsKey!])).rejects.toThrow('Quota');
    expect(db.entries).toEqual(before);
    db.failWrites = null;
    await storage.save([runs[0]], [runs[1].checkpoints[0].momentsKey!]);
    const kept = runs[0].checkpoints[0].momentsKey!;
    expect([...db.entries.keys()].sort()).toEqual([kept, checkpointKey(kept), SESSION_KEY].sort());
  });

  it('stores main-thread moments (the Learn view) and gives their key once committed', async () => {
    const db = createMemoryDatabase();
    const storage = createSessionStorage({ database: async () => db, reader: countingReader(db).reader });
    const moments = { fit: fakeMoments(), eval: fakeMoments() };
    const key = await storage.storeMoments(moments);
    expect(db.entries.get(key!)).toEqual(moments);
    db.failWrites = new Error('disk full');
    await expect(storage.storeMoments(moments)).rejects.toThrow('disk full');
  });

  it('storeMoments clones at the call: the buffers may be transferred (or changed) right after', async () => {
    const db = createMemoryDatabase();
    const fit = fakeMoments();
    const expected = structuredClone(fit);
    const { keys, committed } = storeMoments(db, [{ fit, eval: null }]);
    fit.scatter.fill(7); // what a transfer would do to the sender's view, roughly: it is no longer the data
    await committed;
    expect((db.entries.get(keys[0]) as StoredMoments).fit).toEqual(expected);
  });

  it('on load, deletes moments nothing refers to that are older than the page, and a stale version-1 record', async () => {
    const db = createMemoryDatabase();
    const startedAt = 1_700_000_000_000;
    const runs = await withStoredMoments(db, [fakeRun('a', [fakeCheckpoint(1)])]);
    const old = newMomentsKey(startedAt - 1);
    const fresh = newMomentsKey(startedAt + 1); // an analysis of this page, not yet in the store
    await db.write([
      [old, { fit: fakeMoments(), eval: null }],
      [checkpointKey(old), storedCheckpoint({ ...fakeCheckpoint(3), momentsKey: old })],
      [fresh, { fit: fakeMoments(), eval: null }],
      [checkpointKey(fresh), storedCheckpoint({ ...fakeCheckpoint(4), momentsKey: fresh })],
      [LEGACY_RUNS_KEY, []],
    ]);
    const storage = createSessionStorage({
      database: async () => db,
      reader: countingReader(db).reader,
      startedAt,
    });
    await storage.save(runs, []);
    expect((await storage.load())!.runs).toEqual(runs);
    const kept = runs[0].checkpoints[0].momentsKey!;
    expect([...db.entries.keys()].sort()).toEqual(
      [fresh, checkpointKey(fresh), kept, checkpointKey(kept), SESSION_KEY].sort(),
    );
  });

  it('writes each checkpoint once: a later save clones the index and the checkpoints that changed', async () => {
    const db = createMemoryDatabase();
    const runs = await withStoredMoments(db, [
      fakeRun('a', [fakeCheckpoint(1), fakeCheckpoint(2)]),
      fakeRun('b', [fakeCheckpoint(1)]),
    ]);
    const written: string[][] = [];
    const counting: SessionDatabase = {
      ...db,
      write: (puts, deletes) => {
        written.push(puts.map(([key]) => key));
        return db.write(puts, deletes);
      },
    };
    const storage = createSessionStorage({
      database: async () => counting,
      reader: countingReader(db).reader,
    });
    const keyOf = (run: number, i: number) => checkpointKey(runs[run].checkpoints[i].momentsKey!);
    await storage.save(runs, []);
    expect(written.pop()!.sort()).toEqual([keyOf(0, 0), keyOf(0, 1), keyOf(1, 0), SESSION_KEY].sort());
    // hidden: a new run record, the same checkpoints
    const hidden = [{ ...runs[0], visible: false }, runs[1]];
    await storage.save(hidden, []);
    expect(written.pop()).toEqual([SESSION_KEY]);
    // one checkpoint relabelled: it alone is written again
    const relabelled = [
      hidden[0],
      { ...runs[1], checkpoints: [{ ...runs[1].checkpoints[0], label: 'best' }] },
    ];
    await storage.save(relabelled, []);
    expect(written.pop()).toEqual([keyOf(1, 0), SESSION_KEY]);
    const restored = await createSessionStorage({
      database: async () => db,
      reader: countingReader(db).reader,
    }).load();
    expect(restored).toEqual({ runs: relabelled, lost: 0 });
  });

  it('reads a version-2 session (checkpoints inline), and the next save writes the index', async () => {
    const db = createMemoryDatabase();
    const runs = await withStoredMoments(db, [fakeRun('a', [fakeCheckpoint(1), fakeCheckpoint(2)])]);
    await db.write([[SESSION_KEY, toStoredSession(runs)]]);
    const storage = createSessionStorage({ database: async () => db, reader: countingReader(db).reader });
    const restored = await storage.load();
    expect(restored).toEqual({ runs, lost: 0 });
    await storage.save(restored!.runs, []);
    expect(readSessionIndex(db.entries.get(SESSION_KEY))).not.toBeNull();
    const again = await createSessionStorage({
      database: async () => db,
      reader: countingReader(db).reader,
    }).load();
    expect(again).toEqual({ runs, lost: 0 });
  });

  it('counts a checkpoint whose metadata entry is missing or malformed as lost', async () => {
    const db = createMemoryDatabase();
    const runs = await withStoredMoments(db, [
      fakeRun('a', [fakeCheckpoint(1), fakeCheckpoint(2), fakeCheckpoint(3)]),
    ]);
    const storage = createSessionStorage({ database: async () => db, reader: countingReader(db).reader });
    await storage.save(runs, []);
    const [first, second] = runs[0].checkpoints.map((c) => checkpointKey(c.momentsKey!));
    db.entries.delete(first);
    db.entries.set(second, { step: 'two' });
    const restored = await createSessionStorage({
      database: async () => db,
      reader: countingReader(db).reader,
    }).load();
    expect(restored!.lost).toBe(2);
    expect(restored!.runs[0].checkpoints.map((c) => c.step)).toEqual([3]);
  });

  it('migrates a version-1 session through the reader, once, in one write', async () => {
    const legacyRuns = [fakeRun('old', [fakeCheckpoint(1), fakeCheckpoint(2)])].map((run) => ({
      ...run,
      checkpoints: run.checkpoints.map(({ momentsKey: _, ...c }) => c),
    }));
    const db = createMemoryDatabase([[LEGACY_RUNS_KEY, legacyRuns]]);
    const { reader, calls } = countingReader(db);
    const storage = createSessionStorage({ database: async () => db, reader });
    const restored = await storage.load();
    expect(calls.migrate).toBe(1);
    // the main thread never deserialised the version-1 record: only the reader did
    expect(db.reads.filter((k) => k === LEGACY_RUNS_KEY)).toHaveLength(1);
    expect(restored!.runs[0].checkpoints.map(({ momentsKey: _, ...c }) => c)).toEqual(
      legacyRuns[0].checkpoints,
    );
    expect(db.entries.has(LEGACY_RUNS_KEY)).toBe(false);
    expect(await migrateLegacySession(db)).toBe(false);
    await storage.load();
    expect(calls.migrate).toBe(1);
  });

  it('a migration that cannot write leaves the version-1 session in place for the next start', async () => {
    const legacy = [fakeRun('old', [fakeCheckpoint(1)])];
    const db = createMemoryDatabase([[LEGACY_RUNS_KEY, legacy]]);
    db.failWrites = new Error('disk full');
    const storage = createSessionStorage({ database: async () => db, reader: countingReader(db).reader });
    await expect(storage.load()).rejects.toThrow('disk full');
    expect([...db.entries.keys()]).toEqual([LEGACY_RUNS_KEY]);
  });
});
