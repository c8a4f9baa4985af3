/**
 * The main thread's door to the session worker (workers/session.worker.ts): each call starts one,
 * and terminates it once answered (a session is read once per page). Where Web Workers are missing
 * the same API runs on the main thread (start-worker.ts).
 */
import type { SessionReader } from '../session/session-db';
import type { SessionWorkerApi } from '../../workers/session.worker';
import { startWorker } from './start-worker';

/** Runs one call in a fresh session worker and terminates it when the call settles. */
async function inWorker<T>(call: (api: SessionWorkerApi) => Promise<T>): Promise<T> {
  const worker = startWorker<SessionWorkerApi>({
    label: 'session',
    create: () =>
      new Worker(new URL('../../workers/session.worker.ts', import.meta.url), {
        type: 'module',
        name: 'richscope-session',
      }),
    inline: () => import('../../workers/session-api').then((m) => m.sessionApi),
  });
  try {
    return await call(worker.api);
  } finally {
    worker.terminate();
  }
}

/** Reads stored moments and migrates a version-1 session in the session worker. */
export const sessionWorkerReader: SessionReader = {
  readMoments: (keys) => inWorker((api) => api.readMoments([...keys])),
  migrateLegacySession: () => inWorker((api) => api.migrateLegacySession()),
};
