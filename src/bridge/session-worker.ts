/**
 * The main thread's door to the session worker (workers/session.worker.ts): each call starts one,
 * and terminates it once answered (a session is read once per page). Where Web Workers are missing
 * the same functions run on the main thread (blocking, but correct).
 */
import * as Comlink from 'comlink';
import {
  migrateLegacySession,
  openSessionDatabase,
  readMoments,
  type SessionReader,
} from '../session/session-db';
import type { SessionWorkerApi } from '../../workers/session.worker';

function onMainThread(): SessionWorkerApi {
  return {
    async readMoments(keys) {
      const db = await openSessionDatabase();
      return db ? readMoments(db, keys) : new Map();
    },
    async migrateLegacySession() {
      const db = await openSessionDatabase();
      return db ? migrateLegacySession(db) : false;
    },
  };
}

/** Runs one call in a fresh session worker and terminates it when the call settles. */
async function inWorker<T>(call: (api: SessionWorkerApi) => Promise<T>): Promise<T> {
  if (typeof Worker === 'undefined') return call(onMainThread());
  const worker = new Worker(new URL('../../workers/session.worker.ts', import.meta.url), {
    type: 'module',
    name: 'richscope-session',
  });
  // a worker that fails to load would leave the call waiting forever
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener(
      'error',
      (event) => reject(new Error(event.message || 'the session worker could not start')),
      { once: true },
    ),
  );
  try {
    // every method returns a promise already: the remote behaves as the API itself
    return await Promise.race([
      call(Comlink.wrap<SessionWorkerApi>(worker) as unknown as SessionWorkerApi),
      failed,
    ]);
  } finally {
    worker.terminate();
  }
}

/** Reads stored moments and migrates a version-1 session in the session worker. */
export const sessionWorkerReader: SessionReader = {
  readMoments: (keys) => inWorker((api) => api.readMoments([...keys])),
  migrateLegacySession: () => inWorker((api) => api.migrateLegacySession()),
};
