/**
 * The session in IndexedDB, so a reload keeps the runs (layout: session-format.ts). The main thread
 * never clones or deserialises a moment matrix:
 *
 * - the worker that computed a checkpoint's moments stores them once under their own key
 *   (`storeMoments`, in workers/analysis-api.ts) before handing them over;
 * - the main thread writes only the small metadata (`SessionStorage.save`), and in the same
 *   transaction deletes the moments of checkpoints the store no longer holds;
 * - on load it reads the metadata, and the session worker (workers/session.worker.ts) reads the
 *   moments and transfers them (`readMoments`); a version-1 session is migrated there too.
 *
 * Float64Arrays are stored as they are (structured clone), so a restored session is bit-identical.
 * View settings are not stored here: they live in the URL hash. DOM-free: works in workers.
 */
import type { CheckpointRecord, RunRecord } from './records';
import { packArrays, unpackArrays } from './stored-arrays';
import {
  LEGACY_RUNS_KEY,
  SESSION_KEY,
  checkpointKey,
  isMomentsKey,
  joinSessionIndex,
  momentsKeyOfCheckpointKey,
  momentsKeyTime,
  momentsKeysOf,
  newMomentsKey,
  readSessionIndex,
  readStoredSession,
  restoreRuns,
  splitLegacySession,
  storedCheckpoint,
  toSessionIndex,
  type StoredMoments,
} from './session-format';

/** The one object store of the session, keyed by strings (session-format.ts). */
export interface SessionDatabase {
  /** every key stored; reads no value */
  keys(): Promise<string[]>;
  /** the values under `keys` (undefined where none), read in one transaction */
  get(keys: readonly string[]): Promise<unknown[]>;
  /**
   * Puts and deletes in one transaction: all of them or none. The values are cloned during the call,
   * so the caller may transfer or change them as soon as it returns; the promise settles when the
   * transaction has committed (or failed).
   */
  write(puts: readonly (readonly [string, unknown])[], deletes?: readonly string[]): Promise<void>;
}

const DATABASE = 'richscope';
const STORE = 'session';

let connection: Promise<IDBDatabase> | null = null;

function connect(): Promise<IDBDatabase> {
  connection ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => {
      const db = request.result;
      // a newer version of the app upgrading the database in another tab: let it, reconnect later
      db.onversionchange = () => {
        db.close();
        connection = null;
      };
      db.onclose = () => (connection = null);
      resolve(db);
    };
    request.onerror = () => {
      connection = null;
      reject(request.error);
    };
  });
  return connection;
}

function settle(transaction: IDBTransaction, resolve: () => void, reject: (error: unknown) => void): void {
  transaction.oncomplete = () => resolve();
  transaction.onabort = () => reject(transaction.error ?? new DOMException('aborted', 'AbortError'));
}

/** The session database of this origin (one connection per thread), or null without IndexedDB. */
export async function openSessionDatabase(): Promise<SessionDatabase | null> {
  if (typeof indexedDB === 'undefined') return null;
  const db = await connect();
  return {
    keys: () =>
      new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, 'readonly');
        const request = transaction.objectStore(STORE).getAllKeys();
        settle(
          transaction,
          () => resolve(request.result.filter((k): k is string => typeof k === 'string')),
          reject,
        );
      }),
    get: (keys) =>
      new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, 'readonly');
        const store = transaction.objectStore(STORE);
        const requests = keys.map((key) => store.get(key));
        settle(transaction, () => resolve(requests.map((r) => r.result as unknown)), reject);
      }),
    write: (puts, deletes = []) =>
      new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, 'readwrite');
        settle(transaction, resolve, reject);
        const store = transaction.objectStore(STORE);
        try {
          for (const [key, value] of puts) store.put(value, key);
          for (const key of deletes) store.delete(key);
          // commit now rather than when the thread next idles (a worker goes on computing)
          transaction.commit?.();
        } catch (error) {
          // a value that cannot be cloned: nothing of this write is kept
          transaction.abort();
          reject(error);
        }
      }),
  };
}

/**
 * Writes checkpoints' moments under new keys, one transaction for all. Synchronous up to the clone
 * (the caller may transfer the buffers right after the call); `committed` settles with the write.
 */
export function storeMoments(
  db: SessionDatabase,
  moments: readonly StoredMoments[],
): { keys: string[]; committed: Promise<void> } {
  const keys = moments.map(() => newMomentsKey());
  const committed = db.write(moments.map((m, i) => [keys[i], packArrays(m)] as const));
  return { keys, committed };
}

/** Where a checkpoint's moments were stored for the next visit. */
export interface StoredAs {
  /** key of the stored moments (session-format.ts); null when not stored */
  momentsKey: string | null;
  /** why storing failed (a full disk, ...); null when stored or not asked to */
  storeProblem: string | null;
}

export const notStored: StoredAs = { momentsKey: null, storeProblem: null };

function problemOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * What the analysis worker does with the moments it produces (workers/analysis-api.ts): store them
 * while the metrics are computed, and delete them again when the checkpoint then fails.
 */
export function createMomentStore(database: () => Promise<SessionDatabase | null>) {
  const forget = async (keys: string[]) => {
    const db = await database();
    if (db && keys.length > 0) await db.write([], keys);
  };

  /**
   * Starts storing checkpoints' moments: once this resolves they are cloned (their buffers may be
   * transferred) and being written while the caller computes; `done` gives their keys when
   * committed. Never throws: a failure comes back as `storeProblem`.
   */
  async function startStoring(
    persist: boolean,
    moments: StoredMoments[],
  ): Promise<{ done: Promise<StoredAs[]> }> {
    const none = () => ({ done: Promise.resolve(moments.map(() => notStored)) });
    const failed = (error: unknown) =>
      moments.map(() => ({ momentsKey: null, storeProblem: problemOf(error) }));
    if (!persist) return none();
    try {
      const db = await database();
      if (!db) return none();
      const { keys, committed } = storeMoments(db, moments);
      return {
        done: committed.then(() => keys.map((momentsKey) => ({ momentsKey, storeProblem: null })), failed),
      };
    } catch (error) {
      return { done: Promise.resolve(failed(error)) };
    }
  }

  /** `compute` while the moments are being stored; if it throws, what was stored is deleted again. */
  async function computeWhileStoring<T>(
    persist: boolean,
    moments: StoredMoments[],
    compute: () => T,
  ): Promise<{ value: T; stored: StoredAs[] }> {
    const storing = await startStoring(persist, moments);
    try {
      const value = compute();
      return { value, stored: await storing.done };
    } catch (error) {
      const keys = (stored: StoredAs[]) => stored.flatMap((s) => (s.momentsKey ? [s.momentsKey] : []));
      void storing.done.then((stored) => forget(keys(stored))).catch(() => undefined);
      throw error;
    }
  }

  return { startStoring, computeWhileStoring, forget };
}

/** The moments stored under `keys` (keys with nothing stored are absent from the map). */
export async function readMoments(
  db: SessionDatabase,
  keys: readonly string[],
): Promise<Map<string, StoredMoments>> {
  const values = await Promise.all((await db.get(keys)).map(unpackArrays));
  const found = new Map<string, StoredMoments>();
  keys.forEach((key, i) => {
    const value = values[i] as StoredMoments | undefined;
    if (value?.fit) found.set(key, value);
  });
  return found;
}

/**
 * Moves a version-1 session (every run with its moments in `runs`) to this layout: one moments entry
 * per checkpoint and the metadata, written with the removal of `runs` in one transaction. Returns
 * false when there was nothing to migrate. Deserialises every moment matrix: call it in a worker.
 */
export async function migrateLegacySession(db: SessionDatabase): Promise<boolean> {
  const [session, legacy] = await db.get([SESSION_KEY, LEGACY_RUNS_KEY]);
  if (legacy === undefined || session !== undefined) return false;
  const migrated = splitLegacySession(legacy);
  await db.write([...migrated.moments, [SESSION_KEY, migrated.session]], [LEGACY_RUNS_KEY]);
  return true;
}

/** What runs off the main thread when a session is loaded (workers/session.worker.ts). */
export interface SessionReader {
  readMoments(keys: readonly string[]): Promise<Map<string, StoredMoments>>;
  migrateLegacySession(): Promise<boolean>;
}

/** The runs of a stored session, and how many checkpoints could not be restored (moments missing). */
export interface RestoredSession {
  runs: RunRecord[];
  lost: number;
}

/** The stored session as the store sees it (main thread). */
export interface SessionStorage {
  /** the stored runs with their moments, or null when nothing was ever stored */
  load(): Promise<RestoredSession | null>;
  /**
   * Writes the metadata of `runs` (checkpoints with a momentsKey) and deletes the moments under
   * `discard` (checkpoints the store no longer holds), in one transaction.
   */
  save(runs: readonly RunRecord[], discard: readonly string[]): Promise<void>;
  /**
   * Stores moments computed on the main thread (the Learn view's small ones; analysed files are
   * stored by their worker). Returns the key once committed, null when there is no storage.
   */
  storeMoments(moments: StoredMoments): Promise<string | null>;
}

export interface SessionStorageOptions {
  /** the database, null where there is none */
  database: () => Promise<SessionDatabase | null>;
  /** reads moments and migrates version 1, off the main thread */
  reader: SessionReader;
  /**
   * Date.now() when this page started. Moments no checkpoint refers to are deleted on load, but only
   * those stored before: later ones belong to an analysis of this page still on its way to the store.
   */
  startedAt?: number;
}

export function createSessionStorage(options: SessionStorageOptions): SessionStorage {
  const startedAt = options.startedAt ?? Date.now();
  /**
   * The checkpoints whose metadata entry holds them as they are (under the moments key given): a
   * checkpoint is an immutable record, so a save writes only those not here.
   */
  const written = new WeakMap<CheckpointRecord, string>();
  return {
    async load() {
      const db = await options.database();
      if (!db) return null;
      let [session] = await db.get([SESSION_KEY]);
      if (session === undefined && (await db.keys()).includes(LEGACY_RUNS_KEY)) {
        await options.reader.migrateLegacySession();
        [session] = await db.get([SESSION_KEY]);
      }
      const index = readSessionIndex(session);
      let stored = readStoredSession(session);
      let missing = 0;
      if (index) {
        const keys = index.runs.flatMap((run) => run.checkpoints);
        const values = await db.get(keys.map(checkpointKey));
        const metadata = new Map(keys.map((key, i) => [key, values[i]]));
        ({ session: stored, lost: missing } = joinSessionIndex(index, (key) => metadata.get(key)));
      }
      if (!stored) return null;
      const referenced = new Set(momentsKeysOf(stored));
      const restored = restoreRuns(stored, await options.reader.readMoments([...referenced]));
      restored.lost += missing;
      // what an index's entries hold already need not be written again
      if (index)
        for (const run of restored.runs)
          for (const c of run.checkpoints) if (c.momentsKey) written.set(c, c.momentsKey);
      // Left behind by a page closed before its session write, or by an analysis that failed after
      // its moments were stored (a version-1 record here was written by an old tab after migration).
      const stale = (momentsKey: string) =>
        !referenced.has(momentsKey) && (momentsKeyTime(momentsKey) ?? 0) < startedAt;
      const orphans = (await db.keys()).filter((key) => {
        const ofCheckpoint = momentsKeyOfCheckpointKey(key);
        return (
          key === LEGACY_RUNS_KEY ||
          (isMomentsKey(key) && stale(key)) ||
          (ofCheckpoint !== null && stale(ofCheckpoint))
        );
      });
      if (orphans.length > 0) await db.write([], orphans).catch(() => undefined);
      return restored;
    },

    async save(runs, discard) {
      const db = await options.database();
      if (!db) return;
      const changed: (CheckpointRecord & { momentsKey: string })[] = [];
      for (const run of runs)
        for (const c of run.checkpoints)
          if (c.momentsKey !== null && written.get(c) !== c.momentsKey)
            changed.push(c as CheckpointRecord & { momentsKey: string });
      await db.write(
        [
          ...changed.map((c) => [checkpointKey(c.momentsKey), storedCheckpoint(c)] as const),
          [SESSION_KEY, toSessionIndex(runs)],
        ],
        [...discard, ...discard.map(checkpointKey)],
      );
      for (const c of changed) written.set(c, c.momentsKey);
    },

    async storeMoments(moments) {
      const db = await options.database();
      if (!db) return null;
      const { keys, committed } = storeMoments(db, [moments]);
      await committed;
      return keys[0];
    },
  };
}
