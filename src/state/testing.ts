/**
 * Stand-ins for the store's dependencies, for the unit tests of src/state only: a bridge that
 * "analyses" by file name, and the stored session over an in-memory database.
 */
import type { AnalysisBridge } from '../bridge/analysis-bridge';
import type { Moments } from '../core/types';
import { fakeMetrics, fakeMoments } from '../session/fake-records';
import { createMemoryDatabase, type MemoryDatabase } from '../session/memory-database';
import {
  createSessionStorage,
  migrateLegacySession,
  readMoments,
  storeMoments,
  type SessionDatabase,
  type SessionStorage,
} from '../session/session-db';
import {
  SESSION_KEY,
  checkpointKey,
  isMomentsKey,
  joinSessionIndex,
  readSessionIndex,
  type StoredSession,
} from '../session/session-format';
import { createRichscopeStore } from './store';

export type Bridge = Pick<AnalysisBridge, 'analyzeFiles' | 'importBundle'>;
export type BatchingBridge = Bridge & Pick<AnalysisBridge, 'batchRequests' | 'analyzeBatch'>;

/** Moments whose bits say which checkpoint they are (to check a restore is bit-identical). */
export function markedMoments(mark: number): Moments {
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
export function fakeBridge(db: SessionDatabase | null = null): Bridge {
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

/**
 * `bridge` with batches of `size` checkpoints, in their order, each analysed by `bridge.analyzeFiles`
 * one after another with a progress report per checkpoint, as the analysis worker's analyzeBatch does.
 */
export function batchingBridge(bridge: Bridge, size: number): BatchingBridge {
  return {
    ...bridge,
    batchRequests: (requests) =>
      Array.from({ length: Math.ceil(requests.length / size) }, (_, k) =>
        requests.slice(k * size, (k + 1) * size).map((_, i) => k * size + i),
      ),
    analyzeBatch: async (requests, options) => {
      const outcomes = [];
      for (const [index, request] of requests.entries()) {
        options?.onProgress?.({ checkpointsDone: index, file: request.fit[0].name });
        outcomes.push(await bridge.analyzeFiles(request, { persist: options?.persist }));
      }
      return outcomes;
    },
  };
}

/** The session storage over an in-memory database, its moments read by a stand-in for the session worker. */
export function memorySession(db: SessionDatabase, startedAt?: number): SessionStorage {
  return createSessionStorage({
    database: async () => db,
    reader: {
      readMoments: (keys) => readMoments(db, keys),
      migrateLegacySession: () => migrateLegacySession(db),
    },
    startedAt,
  });
}

export function makeStore(bridge?: Bridge | BatchingBridge, db: MemoryDatabase = createMemoryDatabase()) {
  const app = createRichscopeStore({
    bridge: bridge ?? fakeBridge(db),
    session: memorySession(db),
    fetchFile: () => Promise.reject(new Error('offline')),
  });
  return { ...app, db };
}

/** Waits past the debounced session write (300 ms) and the write itself. */
export const afterSave = () => new Promise((resolve) => setTimeout(resolve, 400));

/** The stored session as one value: the index joined with its checkpoints' entries. */
export const storedSession = (db: MemoryDatabase): StoredSession | undefined => {
  const index = readSessionIndex(db.entries.get(SESSION_KEY));
  if (!index) return db.entries.get(SESSION_KEY) as StoredSession | undefined;
  return joinSessionIndex(index, (key) => db.entries.get(checkpointKey(key))).session;
};
export const storedMomentKeys = (db: MemoryDatabase) => [...db.entries.keys()].filter(isMomentsKey).sort();

export const file = (path: string) => ({ file: new Blob(['x']), path });
